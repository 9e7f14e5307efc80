import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import { listAuditEntries } from './audit-log.ts';
import type { Database } from './database.ts';
import { createQueue } from './directory.ts';
import {
  createFlow,
  flowValidationOptions,
  getFlow,
  getFlowVersion,
  ivrSettings,
  listFlows,
  listFlowVersions,
  publishedFlows,
  publishVersion,
  queueKey,
  rollBack,
  saveDraft,
  setIvrSettings,
  validateFlowDocument,
} from './flows.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';
import { createUser } from './users.ts';

let database: Database;
let acme: TenantContext;
let globex: TenantContext;
let salesId: string;
let supportId: string;

/** A small valid flow: a menu sending 1 to sales and 2 to support. */
function menuFlow(sales = 'ventas', greeting = 'Hola.'): Record<string, unknown> {
  const say = (text: string) => ({ es: { text } });
  return {
    name: 'Menú',
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'menu',
    nodes: {
      menu: {
        type: 'menu',
        prompt: say(`${greeting} Pulse 1 o 2.`),
        options: { '1': { next: 'sales' }, '2': { next: 'support' } },
        onFailure: 'support',
      },
      sales: { type: 'queue', queue: sales },
      support: { type: 'queue', queue: supportId },
    },
  };
}

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
  globex = await createTestTenant(database, 'Globex');
  salesId = (await database.inTenant(acme, (tx) => createQueue(tx, { name: 'Ventas' }))).id;
  supportId = (await database.inTenant(acme, (tx) => createQueue(tx, { name: 'Soporte técnico' }))).id;
  await database.inTenant(acme, (tx) => createFlow(tx, { key: 'main', name: 'Principal' }));
});

afterAll(async () => {
  await database.close();
});

describe('queue references', () => {
  it('names a queue by its id or by its name in lower case without accents', async () => {
    expect(queueKey('Soporte técnico')).toBe('soporte-tecnico');
    expect(queueKey('  Facturación / Cobros ')).toBe('facturacion-cobros');
    const options = await database.inTenant(acme, (tx) => flowValidationOptions(tx));
    expect([...(options.knownQueueIds ?? [])].sort()).toEqual(
      [salesId, supportId, 'soporte-tecnico', 'ventas'].sort(),
    );
  });

  it('drops a key two queues share, so flows must use their ids', async () => {
    const tenant = await createTestTenant(database, 'Twins');
    const ids = await database.inTenant(tenant, async (tx) => [
      (await createQueue(tx, { name: 'Atención' })).id,
      (await createQueue(tx, { name: 'Atencion' })).id,
    ]);
    const options = await database.inTenant(tenant, (tx) => flowValidationOptions(tx));
    expect([...(options.knownQueueIds ?? [])].sort()).toEqual([...ids].sort());
  });
});

describe('flow versions', () => {
  it('saves a draft under the flow key, numbering it, and binds each queue reference to a queue id', async () => {
    const saved = await database.inTenant(acme, (tx) => saveDraft(tx, 'main', menuFlow()));
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.value).toMatchObject({ number: 1, status: 'draft', publishedAt: null });
    expect(saved.value.document).toMatchObject({ id: 'main', version: 1, name: 'Menú' });
    expect(saved.value.queueBindings).toEqual({ ventas: salesId, [supportId]: supportId });
    const again = await database.inTenant(acme, (tx) => saveDraft(tx, 'main', menuFlow('ventas', 'Buenas.')));
    expect(again.ok && again.value.number).toBe(1);
    const flow = await database.inTenant(acme, (tx) => getFlow(tx, 'main'));
    expect(flow).toMatchObject({ name: 'Menú', draftVersion: 1, publishedVersion: null, published: null });
  });

  it('refuses a flow with problems, listing each with its JSON path, and keeps the draft as it was', async () => {
    const broken = menuFlow('marketing');
    const nodes = broken.nodes as Record<string, Record<string, unknown>>;
    nodes.menu = { ...nodes.menu, options: { '1': { next: 'sales' }, '3': { next: 'billing' } } };
    nodes.orphan = { type: 'hangup' };
    const refused = await database.inTenant(acme, (tx) => saveDraft(tx, 'main', broken));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.map((p) => [p.code, p.field])).toEqual(
      expect.arrayContaining([
        ['IVR_DANGLING_REFERENCE', 'nodes.menu.options.3.next'],
        ['IVR_UNREACHABLE_NODE', 'nodes.orphan'],
        ['IVR_UNKNOWN_QUEUE', 'nodes.sales.queue'],
      ]),
    );
    const otherFlow = await database.inTenant(acme, (tx) =>
      saveDraft(tx, 'main', { ...menuFlow(), id: 'demo-main-menu' }),
    );
    expect(!otherFlow.ok && otherFlow.error).toEqual([
      expect.objectContaining({ code: 'IVR_FLOW_SCHEMA', field: 'id' }),
    ]);
    const draft = await database.inTenant(acme, (tx) => getFlowVersion(tx, 'main', 1));
    expect(JSON.stringify(draft.document)).toContain('Buenas.');
  });

  it('validates without saving, against the tenant’s queues and flows', async () => {
    const transfer = {
      ...menuFlow(),
      nodes: {
        ...(menuFlow().nodes as object),
        sales: { type: 'transfer', to: { kind: 'flow', flow: 'nope' } },
      },
    };
    const result = await database.inTenant(acme, (tx) => validateFlowDocument(tx, 'main', transfer));
    expect(!result.ok && result.error.map((p) => p.field)).toEqual(['nodes.sales.to.flow']);
    expect((await database.inTenant(acme, (tx) => validateFlowDocument(tx, 'main', menuFlow()))).ok).toBe(
      true,
    );
  });

  it('publishes a draft, archives the version it replaces, and never changes a published document', async () => {
    const first = await database.inTenant(acme, (tx) => publishVersion(tx, 'main', 1));
    expect(first.ok && first.value).toMatchObject({ number: 1, status: 'published', archivedAt: null });
    const published = await database.inTenant(acme, (tx) => publishedFlows(tx));
    expect(published.main?.version).toBe(1);
    const second = await database.inTenant(acme, (tx) =>
      saveDraft(tx, 'main', menuFlow('ventas', 'Hola de nuevo.')),
    );
    expect(second.ok && second.value.number).toBe(2);
    const stillOne = await database.inTenant(acme, (tx) => getFlow(tx, 'main'));
    expect(JSON.stringify(stillOne.published?.document)).toContain('Buenas.');
    expect(stillOne.draft?.number).toBe(2);
    expect((await database.inTenant(acme, (tx) => publishVersion(tx, 'main', 2))).ok).toBe(true);
    const versions = await database.inTenant(acme, (tx) => listFlowVersions(tx, 'main'));
    expect(versions.map((v) => [v.number, v.status])).toEqual([
      [2, 'published'],
      [1, 'archived'],
    ]);
    const republish = database.inTenant(acme, (tx) => publishVersion(tx, 'main', 1));
    await expect(republish).rejects.toMatchObject({ code: 'STORE_INVALID_STATE' });
    const idempotent = await database.inTenant(acme, (tx) => publishVersion(tx, 'main', 2));
    expect(idempotent.ok && idempotent.value.number).toBe(2);
  });

  it('rolls back by publishing an old document as a new version, keeping the draft above it', async () => {
    await database.inTenant(acme, (tx) => saveDraft(tx, 'main', menuFlow('ventas', 'Borrador.')));
    const rolled = await database.inTenant(acme, (tx) => rollBack(tx, 'main', 1));
    expect(rolled.ok && rolled.value).toMatchObject({ number: 3, status: 'published', rolledBackFrom: 1 });
    expect(rolled.ok && rolled.value.document).toMatchObject({ id: 'main', version: 3 });
    expect(JSON.stringify(rolled.ok && rolled.value.document)).toContain('Buenas.');
    const flow = await database.inTenant(acme, (tx) => getFlow(tx, 'main'));
    expect(flow.draft?.number).toBe(4);
    expect(flow.draft?.document).toMatchObject({ version: 4 });
    expect(JSON.stringify(flow.draft?.document)).toContain('Borrador.');
    const versions = await database.inTenant(acme, (tx) => listFlowVersions(tx, 'main'));
    expect(versions.map((v) => [v.number, v.status])).toEqual([
      [4, 'draft'],
      [3, 'published'],
      [2, 'archived'],
      [1, 'archived'],
    ]);
    const toDraft = database.inTenant(acme, (tx) => rollBack(tx, 'main', 4));
    await expect(toDraft).rejects.toMatchObject({ code: 'STORE_INVALID_STATE' });
  });

  it('refuses to publish a version whose queue has gone since it was saved', async () => {
    const tenant = await createTestTenant(database, 'Gone');
    const refused = await database.inTenant(tenant, async (tx) => {
      await createQueue(tx, { name: 'Ventas' });
      const queue = await createQueue(tx, { name: 'Soporte' });
      await createFlow(tx, { key: 'main', name: 'Principal' });
      const document = {
        ...menuFlow(),
        nodes: { ...(menuFlow().nodes as object), support: { type: 'queue', queue: queue.id } },
      };
      expect((await saveDraft(tx, 'main', document)).ok).toBe(true);
      await tx.query('DELETE FROM queues WHERE id = $1', [queue.id]);
      return publishVersion(tx, 'main', 1);
    });
    expect(!refused.ok && refused.error.map((p) => [p.code, p.field])).toEqual([
      ['IVR_UNKNOWN_QUEUE', 'nodes.support.queue'],
    ]);
  });

  it('keeps one published version per flow even against direct SQL', async () => {
    const duplicate = database.inTenant(acme, (tx) =>
      tx.query(
        `INSERT INTO flow_versions (tenant_id, flow_id, number, status, document, published_at)
         SELECT tenant_id, flow_id, 99, 'published', document, now() FROM flow_versions WHERE status = 'published'`,
      ),
    );
    await expect(duplicate).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });

  it('records who saved and published each version, and audits every change', async () => {
    const admin = await database.inTenant(acme, (tx) =>
      createUser(tx, { email: 'flows@acme.test', displayName: 'Flor Admin', role: 'admin' }),
    );
    const asAdmin: TenantContext = { ...acme, actor: { type: 'user', id: admin.id, role: 'admin' } };
    await database.inTenant(asAdmin, (tx) => createFlow(tx, { key: 'audited', name: 'Auditado' }));
    await database.inTenant(asAdmin, (tx) => saveDraft(tx, 'audited', menuFlow()));
    await database.inTenant(asAdmin, (tx) => publishVersion(tx, 'audited', 1));
    const version = await database.inTenant(acme, (tx) => getFlowVersion(tx, 'audited', 1));
    expect(version.savedBy).toEqual({ type: 'user', id: admin.id, name: 'Flor Admin' });
    expect(version.publishedBy).toEqual({ type: 'user', id: admin.id, name: 'Flor Admin' });
    const audit = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { limit: 20, offset: 0, tableName: 'flow_versions', actorId: admin.id }),
    );
    expect(audit.items.map((entry) => entry.action).sort()).toEqual(['INSERT', 'UPDATE']);
  });
});

describe('tenant isolation of flows', () => {
  it('shows and changes nothing of another tenant’s flows', async () => {
    expect(await database.inTenant(globex, (tx) => listFlows(tx))).toEqual([]);
    await expect(database.inTenant(globex, (tx) => getFlow(tx, 'main'))).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
    const counts = await database.inTenant(globex, (tx) =>
      tx.query<{ count: number }>(
        'SELECT (SELECT count(*) FROM flows) + (SELECT count(*) FROM flow_versions) AS count',
      ),
    );
    expect(Number(counts.rows[0]?.count)).toBe(0);
    const sameKey = await database.inTenant(globex, (tx) => createFlow(tx, { key: 'main', name: 'Otra' }));
    expect(sameKey.key).toBe('main');
    const duplicate = database.inTenant(globex, (tx) => createFlow(tx, { key: 'main', name: 'Otra' }));
    await expect(duplicate).rejects.toMatchObject({ code: 'STORE_CONFLICT', field: 'key' });
  });
});

describe('IVR settings', () => {
  it('stores the main flow and the fallback, resolving the fallback queue, and refuses unknown ones', async () => {
    const fallback = { prompt: { es: { text: 'Le pasamos con un agente.' } }, queue: 'soporte-tecnico' };
    const saved = await database.inTenant(acme, (tx) => setIvrSettings(tx, { mainFlow: 'main', fallback }));
    expect(saved.ok && saved.value).toEqual({
      mainFlow: 'main',
      fallback: { ...fallback, queueId: supportId },
    });
    const refused = await database.inTenant(acme, (tx) =>
      setIvrSettings(tx, { mainFlow: 'nope', fallback: { prompt: { es: {} }, queue: 'marketing' } }),
    );
    expect(!refused.ok && refused.error.map((p) => p.field)).toEqual([
      'mainFlow',
      'fallback.prompt.es',
      'fallback.queue',
    ]);
    expect(await database.inTenant(acme, (tx) => ivrSettings(tx))).toEqual({
      mainFlow: 'main',
      fallback: { ...fallback, queueId: supportId },
    });
  });
});
