import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import { listAuditEntries } from './audit-log.ts';
import type { Database } from './database.ts';
import { createFlow } from './flows.ts';
import {
  createDid,
  createTrunk,
  findDidRoute,
  findFirstDidRoute,
  findSipAccount,
  getTrunk,
  listBindings,
  listDids,
  listTrunks,
  saveBinding,
  setSipCredentials,
  sipRealm,
  sweepExpiredBindings,
  updateTrunk,
} from './sip-accounts.ts';
import type { BindingInput, DigestHa1 } from './sip-accounts.ts';
import { StoreError } from './store-error.ts';
import { TenantConfigurationCache, trunksAccepting } from './tenant-configuration.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';
import { createUser, updateUser } from './users.ts';

let database: Database;
let acme: TenantContext & { slug: string };
let globex: TenantContext & { slug: string };
let agentId: string;

/** Stand-in HA1 values (the store only checks their form; the SIP service computes real ones). */
function ha1(username: string, realm: string): DigestHa1 {
  return { username, realm, ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64) };
}

function binding(contactUri: string, expiresAt: Date): BindingInput {
  return {
    userId: agentId,
    contactUri,
    transport: 'udp',
    sourceAddress: '192.0.2.10',
    sourcePort: 5062,
    callId: 'abc@192.0.2.10',
    cseq: 7,
    userAgent: 'Test phone',
    expiresAt,
  };
}

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
  globex = await createTestTenant(database, 'Globex');
  const agent = await database.inTenant(acme, (tx) =>
    createUser(tx, { email: 'ana@acme.test', displayName: 'Ana', role: 'agent', extension: '1001' }),
  );
  agentId = agent.id;
  for (const tenant of [acme, globex])
    await database.inTenant(tenant, (tx) => createFlow(tx, { key: 'main', name: 'Main menu' }));
});

afterAll(async () => {
  await database.close();
});

describe('SIP credentials', () => {
  it('are found by extension and realm, and stop working when the extension changes', async () => {
    const realm = sipRealm(acme.slug, 'pbx.example.com');
    expect(realm).toBe(`${acme.slug}.pbx.example.com`);
    await database.inTenant(acme, (tx) => setSipCredentials(tx, agentId, ha1('1001', realm)));
    const found = await database.inTenant(acme, (tx) => findSipAccount(tx, '1001', realm));
    expect(found).toMatchObject({ userId: agentId, username: '1001', ha1Md5: 'a'.repeat(32) });
    expect(await database.inTenant(acme, (tx) => findSipAccount(tx, '1001', 'other.realm'))).toBeUndefined();
    expect(await database.inTenant(globex, (tx) => findSipAccount(tx, '1001', realm))).toBeUndefined();
    await database.inTenant(acme, (tx) => updateUser(tx, agentId, { extension: '1002' }));
    expect(await database.inTenant(acme, (tx) => findSipAccount(tx, '1001', realm))).toBeUndefined();
    await database.inTenant(acme, (tx) => updateUser(tx, agentId, { extension: '1001' }));
  });

  it('need the user’s extension as username', async () => {
    const attempt = database.inTenant(acme, (tx) => setSipCredentials(tx, agentId, ha1('1999', 'r')));
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_INVALID_STATE', field: 'extension' });
  });

  it('never reach the audit log', async () => {
    const entries = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { tableName: 'sip_credentials', limit: 10, offset: 0 }),
    );
    expect(entries.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(entries.items)).not.toMatch(/ha1|aaaaaaaa|bbbbbbbb/);
  });
});

describe('registration bindings', () => {
  it('are listed until they expire, refreshed by contact, and swept afterwards', async () => {
    const now = new Date();
    const soon = new Date(now.getTime() + 60_000);
    const past = new Date(now.getTime() - 1000);
    await database.inTenant(acme, async (tx) => {
      await saveBinding(tx, binding('sip:1001@192.0.2.10:5062', soon));
      await saveBinding(tx, binding('sip:1001@192.0.2.10:5062', new Date(now.getTime() + 120_000)));
      await saveBinding(tx, binding('sip:1001@192.0.2.11', past));
    });
    const listed = await database.inTenant(acme, (tx) => listBindings(tx, agentId, now));
    expect(listed.map((b) => [b.contactUri, b.expiresAt.getTime() - now.getTime()])).toEqual([
      ['sip:1001@192.0.2.10:5062', 120_000],
    ]);
    expect(listed[0]).toMatchObject({ transport: 'udp', sourcePort: 5062, cseq: 7, userAgent: 'Test phone' });
    expect(await database.inTenant(globex, (tx) => listBindings(tx, agentId, now))).toEqual([]);
    const swept = await database.asSystem((tx) => sweepExpiredBindings(tx, now));
    expect(swept).toBeGreaterThanOrEqual(1);
    const remaining = await database.inTenant(acme, (tx) =>
      tx.query<{ count: number }>('SELECT count(*)::int AS count FROM sip_bindings'),
    );
    expect(remaining.rows[0]?.count).toBe(1);
  });
});

describe('trunks', () => {
  it('keep the outbound secret write-only and isolated per tenant', async () => {
    const trunk = await database.inTenant(acme, (tx) =>
      createTrunk(tx, {
        name: 'Carrier',
        inboundAddresses: ['198.51.100.0/24', '2001:db8::1'],
        outbound: {
          host: 'sip.carrier.example',
          port: 5060,
          transport: 'udp',
          username: 'acme',
          secret: 's3cret',
        },
      }),
    );
    expect(trunk.outbound).toEqual({
      host: 'sip.carrier.example',
      port: 5060,
      transport: 'udp',
      username: 'acme',
      hasSecret: true,
    });
    expect(trunk.inboundAddresses).toEqual(['198.51.100.0/24', '2001:db8::1/128']);
    expect(JSON.stringify(trunk)).not.toContain('s3cret');
    const moved = await database.inTenant(acme, (tx) =>
      updateTrunk(tx, trunk.id, { outbound: { host: 'sip2.carrier.example', port: 5061, transport: 'tls' } }),
    );
    expect(moved.outbound).toMatchObject({ host: 'sip2.carrier.example', hasSecret: true, username: null });
    const secret = await database.inTenant(acme, (tx) =>
      tx.query<{ s: string }>('SELECT outbound_secret AS s FROM sip_trunks WHERE id = $1', [trunk.id]),
    );
    expect(secret.rows[0]?.s).toBe('s3cret');
    expect(await database.inTenant(globex, (tx) => listTrunks(tx))).toEqual([]);
    await expect(database.inTenant(globex, (tx) => getTrunk(tx, trunk.id))).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
    // What an arriving call checks: the sender's address against the trunks' networks.
    const { trunks } = await database.inTenant(acme, (tx) => new TenantConfigurationCache().read(tx));
    expect(trunksAccepting(trunks, '198.51.100.7')).toEqual([trunk.id]);
    expect(trunksAccepting(trunks, '2001:db8::1')).toEqual([trunk.id]);
    expect(trunksAccepting(trunks, '2001:db8::2')).toEqual([]);
    expect(trunksAccepting(trunks, '203.0.113.1')).toEqual([]);
    expect(trunks.outbound).toMatchObject({
      trunkId: trunk.id,
      host: 'sip2.carrier.example',
      secret: 's3cret',
    });
    const entries = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { tableName: 'sip_trunks', limit: 10, offset: 0 }),
    );
    expect(entries.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(entries.items)).not.toContain('s3cret');
  });

  it('refuse a second trunk with the same name, naming the field', async () => {
    await database.inTenant(acme, (tx) => createTrunk(tx, { name: 'Twice' }));
    await expect(database.inTenant(acme, (tx) => createTrunk(tx, { name: 'twice' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
      field: 'name',
    });
  });
});

describe('DIDs', () => {
  it('are unique across the installation and lead to their tenant', async () => {
    const did = await database.inTenant(acme, (tx) =>
      createDid(tx, { number: '+34910000001', flowKey: 'main' }),
    );
    expect(did).toMatchObject({ number: '+34910000001', flowKey: 'main', description: '' });
    const taken = database.inTenant(globex, (tx) =>
      createDid(tx, { number: '+34910000001', flowKey: 'main' }),
    );
    await expect(taken).rejects.toBeInstanceOf(StoreError);
    await expect(taken).rejects.toMatchObject({ code: 'STORE_CONFLICT', field: 'number' });
    expect(await database.inTenant(globex, (tx) => listDids(tx))).toEqual([]);
    expect(await database.asSystem((tx) => findDidRoute(tx, '+34910000001'))).toEqual({
      tenantId: acme.tenantId,
      number: '+34910000001',
      flowKey: 'main',
    });
    expect(await database.asSystem((tx) => findDidRoute(tx, '+34910000002'))).toBeUndefined();
    // The call layer's lookup, with no transaction around it, finds the same across tenants: the first of the
    // forms of the dialled digits that is a DID, with its tenant's configuration version.
    const version = (
      await database.inTenant(acme, (tx) =>
        tx.query<{ v: string }>('SELECT configuration_version::text AS v FROM tenants WHERE id = $1', [
          acme.tenantId,
        ]),
      )
    ).rows[0]?.v;
    expect(
      await database.readAsSystem((tx) =>
        findFirstDidRoute(tx, ['+34910000009', '+34910000001', '34910000001']),
      ),
    ).toEqual({
      tenantId: acme.tenantId,
      number: '+34910000001',
      flowKey: 'main',
      configurationVersion: version,
    });
    expect(await database.readAsSystem((tx) => findFirstDidRoute(tx, ['+34910000009']))).toBeUndefined();
    await expect(
      database.readAsSystem((tx) => {
        tx.recordEvent('DidLookedUp', {});
        return Promise.resolve();
      }),
    ).rejects.toThrow(/records no events/);
  });

  it('must lead to a flow of the tenant', async () => {
    const attempt = database.inTenant(acme, (tx) =>
      createDid(tx, { number: '+34910000003', flowKey: 'nope' }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_REFERENCE_NOT_FOUND', field: 'flowKey' });
  });
});
