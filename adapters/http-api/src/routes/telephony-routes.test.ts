import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1 } from '@centralita/sip';
import { flows, sipAccounts, users } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi, testPassword } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let other: TestTenant;
let admin: Session;
let manager: Session;
let agent: Session;

interface Problem {
  readonly code: string;
  readonly field?: string;
}

async function call(
  session: Session,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) {
  return testApi.api.app.inject({
    method,
    url,
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  other = await createTestTenant(testApi.database);
  await testApi.database.inTenant(tenant.context, async (tx) => {
    await users.updateUser(tx, tenant.userIds.agent, { extension: '1001' });
    await flows.createFlow(tx, { key: 'main', name: 'Main' });
  });
  await testApi.database.inTenant(other.context, (tx) => flows.createFlow(tx, { key: 'main', name: 'Main' }));
  admin = await login(testApi.api, tenant, 'admin');
  manager = await login(testApi.api, tenant, 'manager');
  agent = await login(testApi.api, tenant, 'agent');
});

afterAll(async () => {
  await testApi.close();
});

describe('SIP passwords', () => {
  const realm = () => sipAccounts.sipRealm(tenant.slug, hostname());

  it('are stored as digest HA1 over extension and realm, never as given', async () => {
    const response = await call(admin, 'PUT', `/api/users/${tenant.userIds.agent}/sip-password`, {
      password: 'phone-password-1',
    });
    expect(response.statusCode).toBe(204);
    const stored = await testApi.database.inTenant(tenant.context, (tx) =>
      tx.query<{ username: string; ha1Md5: string; ha1Sha256: string }>(
        'SELECT username, ha1_md5 AS "ha1Md5", ha1_sha256 AS "ha1Sha256" FROM sip_credentials WHERE user_id = $1',
        [tenant.userIds.agent],
      ),
    );
    expect(stored.rows).toEqual([
      {
        username: '1001',
        ha1Md5: digestHa1('MD5', '1001', realm(), 'phone-password-1'),
        ha1Sha256: digestHa1('SHA-256', '1001', realm(), 'phone-password-1'),
      },
    ]);
  });

  it('need an extension, and a long enough password', async () => {
    const noExtension = await call(admin, 'PUT', `/api/users/${tenant.userIds.manager}/sip-password`, {
      password: 'phone-password-1',
    });
    expect(noExtension.statusCode).toBe(409);
    expect(noExtension.json<Problem>()).toMatchObject({ field: 'extension' });
    const short = await call(admin, 'PUT', `/api/users/${tenant.userIds.agent}/sip-password`, {
      password: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json<Problem>()).toMatchObject({ code: 'HTTP_VALIDATION_FAILED', field: 'password' });
  });

  it('can be set by users for themselves with their login password', async () => {
    const wrong = await call(agent, 'PUT', '/api/users/me/sip-password', {
      currentPassword: 'not my password',
      password: 'my-own-phone-pw',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<Problem>()).toMatchObject({ field: 'currentPassword' });
    const right = await call(agent, 'PUT', '/api/users/me/sip-password', {
      currentPassword: testPassword,
      password: 'my-own-phone-pw',
    });
    expect(right.statusCode).toBe(204);
    const account = await testApi.database.inTenant(tenant.context, (tx) =>
      sipAccounts.findSipAccount(tx, '1001', realm()),
    );
    expect(account?.ha1Md5).toBe(digestHa1('MD5', '1001', realm(), 'my-own-phone-pw'));
    // Another user's password is for admins only.
    const forbidden = await call(agent, 'PUT', `/api/users/${tenant.userIds.agent}/sip-password`, {
      password: 'phone-password-1',
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('registrations', () => {
  it('are listed for supervisors and for the user themself, without the expired ones', async () => {
    // Expiry is judged by the API's clock, which started with the test API, not by the wall clock now.
    const now = testApi.clock.now().getTime();
    await testApi.database.inTenant(tenant.context, async (tx) => {
      for (const [contactUri, expiresInMs] of [
        ['sip:1001@192.0.2.20:5060', 600_000],
        ['sip:1001@192.0.2.21:5060', -1000],
      ] as const) {
        await sipAccounts.saveBinding(tx, {
          userId: tenant.userIds.agent,
          contactUri,
          transport: 'udp',
          sourceAddress: '192.0.2.20',
          sourcePort: 5060,
          callId: 'c1',
          cseq: 1,
          userAgent: 'Desk phone',
          expiresAt: new Date(now + expiresInMs),
        });
      }
    });
    for (const [session, url] of [
      [manager, `/api/users/${tenant.userIds.agent}/sip-registrations`],
      [agent, '/api/users/me/sip-registrations'],
    ] as const) {
      const response = await call(session, 'GET', url);
      expect(response.statusCode).toBe(200);
      expect(response.json<{ contactUri: string; userAgent: string }[]>()).toEqual([
        expect.objectContaining({ contactUri: 'sip:1001@192.0.2.20:5060', userAgent: 'Desk phone' }),
      ]);
    }
    const unknown = await call(manager, 'GET', `/api/users/${other.userIds.agent}/sip-registrations`);
    expect(unknown.statusCode).toBe(404);
  });
});

describe('removing a SIP password', () => {
  it('removes the credentials and the registrations, and says 404 when there are none', async () => {
    const url = `/api/users/${tenant.userIds.agent}/sip-password`;
    expect((await call(admin, 'PUT', url, { password: 'phone-password-2' })).statusCode).toBe(204);
    await testApi.database.inTenant(tenant.context, (tx) =>
      sipAccounts.saveBinding(tx, {
        userId: tenant.userIds.agent,
        contactUri: 'sip:1001@192.0.2.30',
        transport: 'tcp',
        sourceAddress: '192.0.2.30',
        sourcePort: 40_000,
        callId: 'c2',
        cseq: 1,
        userAgent: 'Lost phone',
        expiresAt: new Date(Date.now() + 600_000),
      }),
    );
    expect((await call(admin, 'DELETE', url)).statusCode).toBe(204);
    const left = await testApi.database.inTenant(tenant.context, async (tx) => ({
      hasCredentials: await sipAccounts.hasSipCredentials(tx, tenant.userIds.agent),
      bindings: await sipAccounts.listBindings(tx, tenant.userIds.agent, new Date()),
    }));
    expect(left).toEqual({ hasCredentials: false, bindings: [] });
    expect((await call(admin, 'DELETE', url)).statusCode).toBe(404);
  });
});

describe('trunks', () => {
  it('never return a secret, and keep it when a change does not name it', async () => {
    const created = await call(manager, 'POST', '/api/sip-trunks', {
      name: 'Carrier',
      inboundAddresses: ['198.51.100.0/24'],
      inboundCredentials: { username: 'carrier', password: 'carrier-inbound-pw' },
      outbound: { host: 'sip.carrier.example', username: 'acme', secret: 'outbound-secret' },
    });
    expect(created.statusCode).toBe(201);
    const trunk = created.json<{ id: string }>();
    expect(created.json()).toMatchObject({
      name: 'Carrier',
      inboundAddresses: ['198.51.100.0/24'],
      inboundUsername: 'carrier',
      // Without port and transport both are left to the carrier's DNS (RFC 3263).
      outbound: {
        host: 'sip.carrier.example',
        port: null,
        transport: null,
        username: 'acme',
        hasSecret: true,
      },
    });
    const changed = await call(manager, 'PATCH', `/api/sip-trunks/${trunk.id}`, {
      outbound: { host: 'sip2.carrier.example', port: 5061, transport: 'tcp', username: 'acme' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ outbound: { host: 'sip2.carrier.example', hasSecret: true } });
    for (const response of [created, changed, await call(admin, 'GET', `/api/sip-trunks/${trunk.id}`)]) {
      expect(response.body).not.toMatch(/outbound-secret|carrier-inbound-pw/);
    }
    const listed = await call(admin, 'GET', '/api/sip-trunks');
    expect(listed.json<{ id: string }[]>().map((t) => t.id)).toEqual([trunk.id]);
    expect((await call(manager, 'DELETE', `/api/sip-trunks/${trunk.id}`)).statusCode).toBe(204);
    expect((await call(manager, 'GET', `/api/sip-trunks/${trunk.id}`)).statusCode).toBe(404);
  });

  it('name the field of a bad address', async () => {
    const response = await call(manager, 'POST', '/api/sip-trunks', {
      name: 'Bad',
      inboundAddresses: ['127.0.0.1', 'not-an-address'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>()).toMatchObject({ field: 'inboundAddresses[1]' });
  });
});

describe('DIDs', () => {
  it('are stored as E.164, and a number another tenant has gets 409 naming the field', async () => {
    const created = await call(manager, 'POST', '/api/dids', { number: '+34 910 000 777', flowKey: 'main' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ number: '+34910000777', flowKey: 'main' });
    const otherAdmin = await login(testApi.api, other, 'admin');
    const taken = await call(otherAdmin, 'POST', '/api/dids', { number: '+34910000777', flowKey: 'main' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json<Problem>()).toMatchObject({ code: 'STORE_CONFLICT', field: 'number' });
    expect((await call(otherAdmin, 'GET', '/api/dids')).json()).toEqual([]);
    const id = created.json<{ id: string }>().id;
    const renamed = await call(manager, 'PATCH', `/api/dids/${id}`, { description: 'Atención al cliente' });
    expect(renamed.json()).toMatchObject({ number: '+34910000777', description: 'Atención al cliente' });
    expect((await call(manager, 'DELETE', `/api/dids/${id}`)).statusCode).toBe(204);
  });

  it('refuse a number that is not E.164 and a flow that does not exist, naming the field', async () => {
    const badNumber = await call(manager, 'POST', '/api/dids', { number: '910 000 000', flowKey: 'main' });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json<Problem>()).toMatchObject({ field: 'number' });
    const badFlow = await call(manager, 'POST', '/api/dids', { number: '+34910000778', flowKey: 'nope' });
    expect(badFlow.statusCode).toBe(422);
    expect(badFlow.json<Problem>()).toMatchObject({ field: 'flowKey' });
  });
});
