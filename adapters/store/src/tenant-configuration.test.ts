import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TenantContext } from './actor.ts';
import { listAuditEntries } from './audit-log.ts';
import type { Database } from './database.ts';
import { createQueue, updateQueue } from './directory.ts';
import { createFlow, publishVersion, saveDraft, setIvrSettings } from './flows.ts';
import { createTrunk, updateTrunk } from './sip-accounts.ts';
import { TenantConfigurationCache, trunksAccepting } from './tenant-configuration.ts';
import { updateCurrentTenant } from './tenants.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';

let database: Database;
let acme: TenantContext;
let globex: TenantContext;
let queueId: string;

/** A flow that says `greeting` and queues the caller in Ventas. */
function greetingFlow(greeting: string): Record<string, unknown> {
  return {
    name: 'Principal',
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'hello',
    nodes: {
      hello: { type: 'play', prompt: { es: { text: greeting } }, next: 'line' },
      line: { type: 'queue', queue: 'ventas' },
    },
  };
}

async function publish(tenant: TenantContext, greeting: string): Promise<void> {
  await database.inTenant(tenant, async (tx) => {
    const saved = await saveDraft(tx, 'main', greetingFlow(greeting));
    if (!saved.ok) throw new Error(JSON.stringify(saved.error));
    const published = await publishVersion(tx, 'main', saved.value.number);
    if (!published.ok) throw new Error(JSON.stringify(published.error));
  });
}

function greetingOf(flows: Awaited<ReturnType<TenantConfigurationCache['read']>>): unknown {
  const node = flows.published['main']?.nodes['hello'];
  return node?.type === 'play' ? node.prompt : undefined;
}

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
  globex = await createTestTenant(database, 'Globex');
  for (const tenant of [acme, globex]) {
    const id = (await database.inTenant(tenant, (tx) => createQueue(tx, { name: 'Ventas' }))).id;
    if (tenant === acme) queueId = id;
    await database.inTenant(tenant, (tx) => createFlow(tx, { key: 'main', name: 'Principal' }));
  }
  await publish(acme, 'Hola, Acme.');
  await publish(globex, 'Hola, Globex.');
});

afterAll(async () => {
  await database.close();
});

describe('the tenant configuration a new call reads', () => {
  it('are read once and kept while nothing changes, per tenant', async () => {
    const cache = new TenantConfigurationCache();
    const first = await database.inTenant(acme, (tx) => cache.read(tx));
    const again = await database.inTenant(acme, (tx) => cache.read(tx));
    expect(again).toBe(first);
    expect(greetingOf(first)).toEqual({ es: { text: 'Hola, Acme.' } });
    expect(first.queueReferences.get('ventas')).toBe(queueId);
    const other = await database.inTenant(globex, (tx) => cache.read(tx));
    expect(greetingOf(other)).toEqual({ es: { text: 'Hola, Globex.' } });
    expect(Object.isFrozen(first.published['main'])).toBe(true);
  });

  it('follow a publication at once, made through another cache (another server) too', async () => {
    const cache = new TenantConfigurationCache();
    await database.inTenant(acme, (tx) => cache.read(tx));
    await publish(acme, 'Bienvenido a Acme.');
    const after = await database.inTenant(acme, (tx) => cache.read(tx));
    expect(greetingOf(after)).toEqual({ es: { text: 'Bienvenido a Acme.' } });
    const otherTenant = await database.inTenant(globex, (tx) => cache.read(tx));
    expect(greetingOf(otherTenant)).toEqual({ es: { text: 'Hola, Globex.' } });
  });

  it('follow a renamed queue and new IVR settings', async () => {
    const cache = new TenantConfigurationCache();
    const before = await database.inTenant(acme, (tx) => cache.read(tx));
    expect(before.ivrSettings.mainFlow).toBeNull();
    await database.inTenant(acme, (tx) => updateQueue(tx, queueId, { name: 'Ventas online' }));
    const renamed = await database.inTenant(acme, (tx) => cache.read(tx));
    expect(renamed.queueReferences.get('ventas-online')).toBe(queueId);
    expect(renamed.queueReferences.has('ventas')).toBe(false);
    await database.inTenant(acme, (tx) => setIvrSettings(tx, { mainFlow: 'main' }));
    expect((await database.inTenant(acme, (tx) => cache.read(tx))).ivrSettings.mainFlow).toBe('main');
    await database.inTenant(acme, (tx) => updateQueue(tx, queueId, { name: 'Ventas' }));
  });

  it('write no audit rows of their own: the audit log shows the change, not the bookkeeping', async () => {
    const tenantRows = async () =>
      (
        await database.inTenant(acme, (tx) =>
          listAuditEntries(tx, { tableName: 'tenants', limit: 100, offset: 0 }),
        )
      ).items;
    const before = await tenantRows();
    await publish(acme, 'Otra vez, Acme.');
    expect(await tenantRows()).toHaveLength(before.length);
    const cache = new TenantConfigurationCache();
    expect((await database.inTenant(acme, (tx) => cache.read(tx))).tenant.timeZone).toBe('Europe/Madrid');
    await database.inTenant(acme, (tx) => updateCurrentTenant(tx, { timeZone: 'Atlantic/Canary' }));
    // The tenant's own row is part of it: the next call sees the new time zone.
    expect((await database.inTenant(acme, (tx) => cache.read(tx))).tenant.timeZone).toBe('Atlantic/Canary');
    const after = await tenantRows();
    expect(after).toHaveLength(before.length + 1);
    expect(JSON.stringify(after[0]?.after)).not.toContain('configuration_version');
  });

  it('include the trunks, and a trunk written moves the version a call reads with its number', async () => {
    const cache = new TenantConfigurationCache();
    const version = async (): Promise<string> =>
      (
        await database.readAsSystem((tx) =>
          tx.query<{ v: string }>('SELECT configuration_version::text AS v FROM tenants WHERE id = $1', [
            globex.tenantId,
          ]),
        )
      ).rows[0]?.v ?? '';
    const before = await database.inTenant(globex, (tx) => cache.read(tx));
    expect(before.trunks).toEqual({ inbound: [], hasDigest: false, outbound: undefined });
    const seen = await version();
    expect(cache.at(globex.tenantId, seen)).toBe(before);
    const trunk = await database.inTenant(globex, (tx) =>
      createTrunk(tx, {
        name: 'Operador',
        inboundAddresses: ['192.0.2.0/28', '2001:db8:5::/48'],
        outbound: { host: 'sip.operador.example', username: 'globex', secret: 'clave' },
      }),
    );
    // The number read with the old version no longer matches: the call reads the configuration again.
    expect(await version()).not.toBe(seen);
    expect(cache.at(globex.tenantId, await version())).toBeUndefined();
    const after = await cache.current(database, globex);
    expect(trunksAccepting(after.trunks, '192.0.2.14')).toEqual([trunk.id]);
    expect(trunksAccepting(after.trunks, '192.0.2.16')).toEqual([]);
    expect(trunksAccepting(after.trunks, '2001:db8:5:1::7')).toEqual([trunk.id]);
    expect(after.trunks.outbound).toMatchObject({ trunkId: trunk.id, username: 'globex', secret: 'clave' });
    expect(cache.at(globex.tenantId, await version())).toBe(after);
    expect(await cache.current(database, globex)).toBe(after);
    await database.inTenant(globex, (tx) =>
      updateTrunk(tx, trunk.id, { inboundAddresses: ['198.51.100.9/32'] }),
    );
    const moved = await cache.current(database, globex);
    expect(trunksAccepting(moved.trunks, '192.0.2.14')).toEqual([]);
    expect(trunksAccepting(moved.trunks, '198.51.100.9')).toEqual([trunk.id]);
  });
});

/** Waits until the cache hears announcements, or no longer does (a reconnection takes a second). */
async function untilListening(cache: TenantConfigurationCache, isListening: boolean): Promise<void> {
  await vi.waitFor(
    () => {
      expect(cache.isListening).toBe(isListening);
    },
    { timeout: 5_000 },
  );
}

describe('a cache that listens for moved versions', () => {
  it('answers the current configuration from memory until a change is announced, per tenant', async () => {
    const cache = new TenantConfigurationCache();
    const watching = cache.watch(database);
    try {
      await untilListening(cache, true);
      const versionQueries = vi.spyOn(database, 'readAsSystem');
      const first = await cache.current(database, acme);
      const other = await cache.current(database, globex);
      const asked = versionQueries.mock.calls.length;
      expect(await cache.current(database, acme)).toBe(first);
      expect(await cache.current(database, globex)).toBe(other);
      expect(versionQueries.mock.calls.length, 'no query while nothing was announced').toBe(asked);
      // Published through another connection, as another server would.
      await publish(acme, 'Anunciado, Acme.');
      await vi.waitFor(async () => {
        expect(greetingOf(await cache.current(database, acme))).toEqual({ es: { text: 'Anunciado, Acme.' } });
      });
      const afterChange = versionQueries.mock.calls.length;
      expect(await cache.current(database, globex), "another tenant's is kept").toBe(other);
      expect(versionQueries.mock.calls.length).toBe(afterChange);
      versionQueries.mockRestore();
    } finally {
      await watching.close();
    }
    expect(cache.isListening).toBe(false);
  });

  it('asks the database again while its listening connection is lost, and listens again', async () => {
    const cache = new TenantConfigurationCache();
    const watching = cache.watch(database);
    try {
      await untilListening(cache, true);
      await cache.current(database, acme);
      // Every cache listening on this database loses its connection (other test files' reconnect too).
      await database.readAsSystem((tx) =>
        tx.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'centralita listening on centralita_configuration' AND datname = current_database()`,
        ),
      );
      await untilListening(cache, false);
      const versionQueries = vi.spyOn(database, 'readAsSystem');
      await cache.current(database, acme);
      expect(versionQueries, 'a change may have gone unheard: the version is asked for').toHaveBeenCalled();
      versionQueries.mockRestore();
      await untilListening(cache, true);
    } finally {
      await watching.close();
    }
  });

  it('stops listening when its database is closed', async () => {
    const own = openTestDatabase();
    const cache = new TenantConfigurationCache();
    cache.watch(own);
    await untilListening(cache, true);
    await own.close();
    expect(cache.isListening).toBe(false);
  });
});
