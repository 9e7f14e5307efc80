import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// Calls dialled on agents' desk phones, over loopback with soft phones of our own SIP stack: the server
// challenges the INVITE (407) like a proxy, then its dial plan signs the agent in or out or puts them on a
// break (feature codes), rings a colleague's extension, or calls a number through the tenant's trunk (here a
// soft phone stands in for the carrier).

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let luciaPhone: SoftPhone;
let carlosPhone: SoftPhone;
let carrier: SoftPhone;
const atCarlos: PhoneCall[] = [];
const atCarrier: PhoneCall[] = [];

interface StoredCall {
  direction: string;
  status: string;
  agentId: string | null;
  customerId: string | null;
  remoteAddress: string;
  recordingRef: string | null;
  endedAt: Date | null;
  metadata: Record<string, unknown>;
}

async function callsDialled(dialled: string): Promise<StoredCall[]> {
  const result = await testServer.server.database.pool.query<StoredCall>(
    `SELECT direction, status, agent_id AS "agentId", customer_id AS "customerId", remote_address AS "remoteAddress",
            recording_ref AS "recordingRef", ended_at AS "endedAt", metadata
     FROM interactions WHERE metadata ->> 'placedFrom' = 'phone' AND metadata ->> 'dialledNumber' = $1`,
    [dialled],
  );
  return result.rows;
}

async function presence(): Promise<{ kind: string; reason?: string }> {
  const state = await lucia.expect<{ presence: { kind: string; reason?: string } }>(
    'state',
    'GET',
    '/api/agents/me/state',
  );
  return state.presence;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'phone_dialling', { CENTRALITA_SIP_DOMAIN: sipDomain });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  const login = (email: string) =>
    ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email,
      password: demoAccounts.password,
    });
  admin = await login(demoAccounts.admin);
  lucia = await login('lucia.fernandez@fibrasur.example');
  luciaPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 150, seed: 1 },
  });
  await luciaPhone.register(600);
  carlosPhone = await SoftPhone.open({
    server,
    account: { username: '1002', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 200, seed: 2 },
    onIncomingCall: (call) => {
      atCarlos.push(call);
      call.answer();
    },
  });
  await carlosPhone.register(600);
  carrier = await SoftPhone.open({
    server,
    voice: { pitchHz: 250, seed: 3 },
    onIncomingCall: (call) => {
      atCarrier.push(call);
      call.answer();
    },
  });
  const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
  await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
    outbound: { host: '127.0.0.1', port: carrier.port, transport: 'udp' },
  });
}, 120_000);

afterAll(async () => {
  await luciaPhone.close();
  await carlosPhone.close();
  await carrier.close();
  await testServer.stop();
});

describe('feature codes dialled on the phone', () => {
  it('sign the agent in (*50), put her on a break with the first reason (*521) and sign her out (*51), each confirmed by a prompt', async () => {
    const reasons = await lucia.expect<{ breakReasons: string[] }>('state', 'GET', '/api/agents/me/state');
    const firstReason = reasons.breakReasons[0];
    expect(firstReason).toBeDefined();
    for (const [code, expected] of [
      ['*50', { kind: 'available' }],
      ['*521', { kind: 'break', reason: firstReason }],
      ['*51', { kind: 'offline' }],
    ] as const) {
      const call = await luciaPhone.dial(code);
      expect(await call.connected, `${code} is answered`).toBe(true);
      // The confirmation prompt plays, then the server hangs up.
      expect((await call.ended).reason).toBe('remote-hangup');
      expect(call.mediaStats.packetsReceived, `${code} plays a prompt`).toBeGreaterThan(20);
      expect(await presence()).toMatchObject(expected);
      const stored = await waitFor(`the ${code} call to be stored as ended`, async () => {
        const rows = await callsDialled(code);
        return rows[0]?.endedAt === null ? undefined : rows[0];
      });
      expect(stored).toMatchObject({ direction: 'internal', customerId: null, recordingRef: null });
      expect(stored.metadata).toMatchObject({ featureCode: code });
    }
  });

  it('refuses an unknown feature code with 404', async () => {
    const call = await luciaPhone.dial('*59');
    expect(await call.ended).toMatchObject({ reason: 'failed', statusCode: 404 });
  });
});

describe('calls dialled on the phone', () => {
  it('rings a colleague’s extension: an internal call, not recorded, not a customer contact, and the ACD keeps both busy meanwhile', async () => {
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const carlos = await ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email: 'carlos.gomez@fibrasur.example',
      password: demoAccounts.password,
    });
    await carlos.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const call = await luciaPhone.dial('1002');
    expect(await call.connected).toBe(true);
    const answered = await waitFor('Carlos’s phone to answer', () => atCarlos[0]);
    expect(await answered.connected).toBe(true);
    await waitFor('audio both ways', () =>
      call.mediaStats.packetsReceived > 50 && answered.mediaStats.packetsReceived > 50 ? true : undefined,
    );
    // On the call she dialled, Lucía is on a contact for the ACD: no queue call is offered to her meanwhile.
    const during = await lucia.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
    expect(during.status).toBe('on-contact');
    // So is Carlos, who picked up.
    await waitFor('Carlos to be on the contact', async () => {
      const state = await carlos.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
      return state.status === 'on-contact' ? true : undefined;
    });
    call.hangUp();
    expect((await answered.ended).reason).toBe('remote-hangup');
    await waitFor('Lucía and Carlos to be free again', async () => {
      const after = await lucia.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
      const his = await carlos.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
      return after.status === 'idle' && his.status === 'idle' ? true : undefined;
    });
    await carlos.expect('offline', 'PUT', '/api/agents/me/presence', { presence: 'offline' });
    const stored = await waitFor('the internal call to be stored as ended', async () => {
      const rows = await callsDialled('1002');
      return rows[0]?.endedAt === null ? undefined : rows[0];
    });
    expect(stored).toMatchObject({
      direction: 'internal',
      agentId: lucia.user.id,
      customerId: null,
      remoteAddress: '1002',
      recordingRef: null,
    });
  });

  it('calls a number through the trunk: the customer is identified by it and the conversation recorded', async () => {
    const call = await luciaPhone.dial('612 00 11 22'.replaceAll(' ', ''));
    expect(await call.connected).toBe(true);
    const answered = await waitFor('the carrier to answer', () => atCarrier[0]);
    expect(await answered.connected).toBe(true);
    await waitFor('audio both ways', () =>
      call.mediaStats.packetsReceived > 50 && answered.mediaStats.packetsReceived > 50 ? true : undefined,
    );
    answered.hangUp();
    expect((await call.ended).reason).toBe('remote-hangup');
    const stored = await waitFor('the outbound call to be stored with its recording', async () => {
      const rows = await callsDialled('612001122');
      return rows[0]?.recordingRef === null || rows[0]?.endedAt === null ? undefined : rows[0];
    });
    expect(stored).toMatchObject({
      direction: 'outbound',
      agentId: lucia.user.id,
      remoteAddress: '+34612001122',
    });
    expect(stored.customerId).not.toBeNull();
  });

  it('sends a call to one of the tenant’s own numbers to that number’s flow, as a caller would be', async () => {
    const call = await luciaPhone.dial('910000000');
    expect(await call.connected).toBe(true);
    await waitFor('the flow’s first prompt', () => (call.mediaStats.packetsReceived > 25 ? true : undefined));
    call.hangUp();
    const stored = await waitFor('the call to be stored as ended', async () => {
      const rows = await callsDialled('+34910000000');
      return rows[0]?.endedAt === null ? undefined : rows[0];
    });
    expect(stored).toMatchObject({ direction: 'inbound', customerId: null, remoteAddress: '1001' });
    expect(stored.metadata['flowKey']).toEqual(expect.any(String));
  });

  it('challenges a phone with the wrong password again and again: the call never goes through', async () => {
    const impostor = await SoftPhone.open({
      server: { address: '127.0.0.1', port: sipPortOf(testServer) },
      account: { username: '1001', password: 'not-the-password', domain: realm },
      voice: { pitchHz: 300, seed: 4 },
    });
    try {
      const call = await impostor.dial('1002');
      expect(await call.ended).toMatchObject({ reason: 'failed', statusCode: 407 });
      expect(atCarlos).toHaveLength(1);
    } finally {
      await impostor.close();
    }
  });
});

describe('a queue node’s own overflow after a wait', () => {
  it('takes the caller out of the queue after overflow.afterWaitMs and goes on with the flow', async () => {
    await lucia.expect('offline', 'PUT', '/api/agents/me/presence', { presence: 'offline' });
    const queues = await admin.expect<{ items: { id: string; name: string }[] }>(
      'queues',
      'GET',
      '/api/queues',
    );
    const queueId = queues.items[0]?.id ?? '';
    const document = {
      id: 'e2e-desborde',
      name: 'Desborde por espera',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'queue',
      nodes: {
        queue: { type: 'queue', queue: queueId, overflow: { afterWaitMs: 10_000, next: 'sorry' } },
        sorry: {
          type: 'play',
          prompt: { es: { text: 'Lo sentimos, no hay nadie disponible.' } },
          next: 'bye',
        },
        bye: { type: 'hangup' },
      },
    };
    await admin.expect('flow', 'POST', '/api/flows', { key: 'e2e-desborde', name: document.name, document });
    await admin.expect('publish', 'POST', '/api/flows/e2e-desborde/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number: '+34910000066', flowKey: 'e2e-desborde' });

    const startedAt = Date.now();
    const call = await carrier.call({ number: '+34910000066', callerId: '+34600800901' });
    expect(await call.connected).toBe(true);
    expect((await call.ended).reason).toBe('remote-hangup');
    expect(Date.now() - startedAt, 'the caller waited out the overflow time first').toBeGreaterThanOrEqual(
      10_000,
    );
    const stored = await waitFor('the call to be stored', async () => {
      const rows = await testServer.server.database.pool.query<{
        id: string;
        metadata: Record<string, unknown>;
      }>(
        `SELECT id, metadata FROM interactions WHERE remote_address = '+34600800901' AND ended_at IS NOT NULL`,
      );
      return rows.rows[0];
    });
    expect(stored.metadata['ivrPath']).toEqual(['queue', 'sorry', 'bye']);
    const finished = await testServer.server.database.pool.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM domain_events WHERE type = 'ContactFinished' AND data ->> 'contactId' = $1`,
      [stored.id],
    );
    expect(finished.rows[0]?.data).toMatchObject({ outcome: 'overflowed' });
  }, 40_000);
});

describe('session timers (RFC 4028) on calls from the trunk', () => {
  const timerHeaders = (value: string) => [
    { name: 'Supported', value: 'timer' },
    { name: 'Session-Expires', value: value },
  ];

  it('refuses an interval below 90 s with 422 and Min-SE', async () => {
    const call = await carrier.call({
      number: '+34910000000',
      callerId: '+34600800902',
      extraHeaders: timerHeaders('60'),
    });
    expect(await call.ended).toMatchObject({ reason: 'failed', statusCode: 422 });
  });

  it('accepts the interval and refresher the caller asked for, and answers its refresh with the session’s terms', async () => {
    const call = await carrier.call({
      number: '+34910000000',
      callerId: '+34600800903',
      extraHeaders: timerHeaders('300;refresher=uac'),
    });
    expect(await call.connected).toBe(true);
    const answer = call.answerHeaders ?? [];
    const header = (name: string) => answer.find((h) => h.name.toLowerCase() === name)?.value;
    expect(header('session-expires')).toBe('300;refresher=uac');
    expect(header('require')).toBe('timer');
    const refreshed = await call.update([{ name: 'Session-Expires', value: '300;refresher=uac' }]);
    expect(refreshed?.statusCode).toBe(200);
    expect(refreshed?.headers.find((h) => h.name.toLowerCase() === 'session-expires')?.value).toBe(
      '300;refresher=uac',
    );
    // An UPDATE without an offer gets no SDP back (RFC 3311).
    expect(refreshed?.body.length).toBe(0);
    call.hangUp();
    await call.ended;
  });
});

describe('a trunk that cancels', () => {
  it('leaves nothing behind when the carrier cancels right after sending the call, whichever wins the race', async () => {
    for (const callerId of ['+34600800911', '+34600800912', '+34600800913']) {
      const call = await carrier.call({ number: '+34910000000', callerId });
      // CANCEL as soon as the server says Trying (or at once): either the CANCEL wins (487) or the 200 does
      // (then the phone acknowledges it and hangs up with BYE).
      call.hangUp();
      const ending = await call.ended;
      expect(['local-hangup', 'cancelled']).toContain(ending.reason);
    }
    // The server may still be storing a call the carrier already left: wait until every one is over there too
    // (no call in progress, every interaction of these callers ended); a call left open fails the wait.
    await waitFor('every call to be over and stored as ended on the server', async () => {
      const open = await testServer.server.database.pool.query(
        `SELECT id FROM interactions WHERE remote_address IN ('+34600800911', '+34600800912', '+34600800913')
           AND ended_at IS NULL`,
      );
      return (testServer.server.calls?.activeCalls() ?? -1) === 0 && open.rows.length === 0
        ? true
        : undefined;
    });
  });
});
