import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// A carrier that authenticates its calls with digest instead of (or besides) a known address (issue #3,
// "inbound accepted by source address or digest"): the demo trunk accepts 127.0.0.1 as it is; a carrier on
// 127.0.0.2 is refused until the trunk has inbound credentials, then challenged (401) and let in with the
// right password only. Real server, soft phones over loopback.

const adminUrl = inject('adminDatabaseUrl');
const demoNumber = '+34910000000';

let testServer: TestServer;
let admin: ApiSession;
let carrier: SoftPhone;
let knownAddress: SoftPhone;

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'trunk-digest', { CENTRALITA_SIP_DOMAIN: 'pbx.test' });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  const voice = { pitchHz: 440, seed: 1, isSteadyTone: true, levelDbm0: -12 };
  carrier = await SoftPhone.open({ server, localAddress: '127.0.0.2', voice });
  knownAddress = await SoftPhone.open({ server, voice });
}, 120_000);

afterAll(async () => {
  await carrier.close();
  await knownAddress.close();
  await testServer.stop();
});

async function trunkOfCall(callerId: string): Promise<string | null | undefined> {
  const result = await testServer.server.database.pool.query<{ trunkId: string | null }>(
    `SELECT data ->> 'trunkId' AS "trunkId" FROM domain_events WHERE type = 'CallReceived' AND data ->> 'from' = $1`,
    [callerId],
  );
  return result.rows[0]?.trunkId;
}

describe('a trunk that authenticates its carrier with digest', () => {
  it('refuses an unknown address, then challenges it once the trunk has credentials and lets the right password in', async () => {
    const unknown = await carrier.call({ number: demoNumber, callerId: '+34600740001' });
    expect(await unknown.ended).toMatchObject({ reason: 'failed', statusCode: 403 });

    const trunks = await admin.expect<{ id: string; name: string }[]>('trunks', 'GET', '/api/sip-trunks');
    const trunk = trunks[0];
    expect(trunk).toBeDefined();
    await admin.expect('credentials set', 'PATCH', `/api/sip-trunks/${trunk?.id ?? ''}`, {
      inboundCredentials: { username: 'carrier-es', password: 'carrier-inbound-secret' },
    });

    const wrong = await carrier.call({
      number: demoNumber,
      callerId: '+34600740002',
      credentials: { username: 'carrier-es', password: 'not-the-password' },
    });
    expect(await wrong.ended).toMatchObject({ reason: 'failed', statusCode: 401 });
    expect(await trunkOfCall('+34600740002')).toBeUndefined();

    const right = await carrier.call({
      number: demoNumber,
      callerId: '+34600740003',
      credentials: { username: 'carrier-es', password: 'carrier-inbound-secret' },
    });
    expect(await right.connected).toBe(true);
    // The call is answered before its record is stored.
    expect(await waitFor('the call record', () => trunkOfCall('+34600740003'))).toBe(trunk?.id);
    right.hangUp();
    await right.ended;

    // The known address still needs no password.
    const fromKnown = await knownAddress.call({ number: demoNumber, callerId: '+34600740004' });
    expect(await fromKnown.connected).toBe(true);
    fromKnown.hangUp();
    await fromKnown.ended;
  }, 60_000);
});
