import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { headerValue } from '@centralita/sip';
import type { SipRequest, UasPolicy } from '@centralita/sip';
import { SipEndpoint } from '@centralita/sip-transport';
import type { ServerTransaction, SipListener } from '@centralita/sip-transport';
import { TestDnsServer } from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, sipPortOf, waitFor } from './test-support.ts';

// Issue 3, RFC 3263 §4.3: a trunk's host has several targets (SRV records, NAPTR services); when the one
// tried fails before it rings (a refused connection, no answer, 503 Service Unavailable) the call goes on to
// the next, within the same call. The agent dials on her desk phone; the carriers are on loopback.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'],
  supportedUriSchemes: ['sip'],
  supportedExtensions: [],
  acceptedContentTypes: ['application/sdp'],
};

/**
 * A carrier's SBC that takes no call: 503 to every INVITE, after 180 Ringing when `ringsFirst`; when
 * `isHolding`, the INVITE waits (a CANCEL is ignored) until the test answers it with `release`.
 */
class UnavailableCarrier {
  readonly invites: SipRequest[] = [];
  readonly #held: ServerTransaction[] = [];
  ringsFirst = false;
  isHolding = false;

  readonly endpoint: SipEndpoint;
  readonly listener: SipListener;

  private constructor(endpoint: SipEndpoint, listener: SipListener) {
    this.endpoint = endpoint;
    this.listener = listener;
  }

  static async open(): Promise<UnavailableCarrier> {
    const core: { carrier?: UnavailableCarrier } = {};
    const endpoint = new SipEndpoint({
      policy,
      transactionUser: {
        onRequest: (transaction) => {
          const carrier = core.carrier;
          if (carrier === undefined || transaction.request.method !== 'INVITE') {
            transaction.reply(transaction.request.method === 'INVITE' ? 503 : 200, 'OK');
            return;
          }
          carrier.invites.push(transaction.request);
          if (carrier.ringsFirst) transaction.reply(180, 'Ringing');
          if (carrier.isHolding) carrier.#held.push(transaction);
          else transaction.reply(503, 'Service Unavailable');
        },
        // A CANCEL is left without effect: the INVITE is answered when the test says.
        onCancel: () => undefined,
      },
    });
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const carrier = new UnavailableCarrier(endpoint, listener);
    core.carrier = carrier;
    return carrier;
  }

  get port(): number {
    return this.listener.port;
  }

  /** Answers the INVITEs held so far with 503. */
  release(): void {
    for (const transaction of this.#held.splice(0))
      if (!transaction.hasFinalResponse) transaction.reply(503, 'Service Unavailable');
  }

  async close(): Promise<void> {
    await this.listener.close();
  }
}

/** A TCP port on loopback with nothing listening: a connection to it is refused at once. */
async function refusingTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

let dns: TestDnsServer;
let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
const atLucia: PhoneCall[] = [];
let luciaPhone: SoftPhone;
let carrier: SoftPhone;
let unavailable: UnavailableCarrier;
let alsoUnavailable: UnavailableCarrier;
let trunkId: string;
const atCarrier: PhoneCall[] = [];

type Srv = Record<string, { priority: number; weight: number; port: number; target: string }[]>;
type Naptr = Record<string, NonNullable<(typeof dns.zone)['naptr']>[string][number][]>;

/** The SRV records of `_sip._udp.carrier.test`: the unavailable SBC first (priority 10), then the good one. */
function unavailableFirst(): void {
  (dns.zone.srv as Srv)['_sip._udp.carrier.test'] = [
    { priority: 20, weight: 1, port: carrier.port, target: 'sbc2.carrier.test' },
    { priority: 10, weight: 1, port: unavailable.port, target: 'sbc1.carrier.test' },
  ];
}

/** What is stored of a call the trunk could not put through: the flow said so, and hung up. */
const couldNotBeCompleted = { ivrPath: ['connect', 'unavailable', 'bye'], endCause: 'system-hangup' };

async function interactionOf(number: string) {
  return waitFor(`the call to ${number} to be stored as ended`, async () => {
    const [row] = await interactionsTo(testServer, number);
    return row?.endedAt === null ? undefined : row;
  });
}

async function eventsOf(interactionId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const result = await testServer.server.database.pool.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 ORDER BY occurred_at, id`,
    [interactionId],
  );
  return result.rows;
}

beforeAll(async () => {
  dns = await TestDnsServer.start({
    a: { 'sbc1.carrier.test': ['127.0.0.1'], 'sbc2.carrier.test': ['127.0.0.1'] },
    naptr: {},
    srv: {},
  });
  testServer = await startTestServer(adminUrl, 'trunk_failover', {
    CENTRALITA_SIP_DOMAIN: 'pbx.test',
    CENTRALITA_SIP_DNS_SERVERS: dns.address,
  });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  lucia = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: 'lucia.fernandez@fibrasur.example',
    password: demoAccounts.password,
  });
  luciaPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 150, seed: 1 },
    // A call placed from her desktop rings her phone first.
    onIncomingCall: (call) => {
      atLucia.push(call);
      call.answer();
    },
  });
  await luciaPhone.register(600);
  carrier = await SoftPhone.open({
    server,
    voice: { pitchHz: 250, seed: 3 },
    onIncomingCall: (call) => {
      atCarrier.push(call);
      call.answer();
    },
  });
  unavailable = await UnavailableCarrier.open();
  alsoUnavailable = await UnavailableCarrier.open();
  const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
  trunkId = trunks[0]?.id ?? '';
  await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
    outbound: { host: 'carrier.test', transport: 'udp' },
  });
}, 120_000);

afterAll(async () => {
  await luciaPhone.close();
  await carrier.close();
  await unavailable.close();
  await alsoUnavailable.close();
  await testServer.stop();
  await dns.close();
});

beforeEach(() => {
  unavailable.ringsFirst = false;
  unavailable.isHolding = false;
  unavailable.invites.length = 0;
  alsoUnavailable.invites.length = 0;
  atCarrier.length = 0;
  atLucia.length = 0;
});

describe('failing over between the targets of a trunk (RFC 3263 §4.3)', () => {
  it('puts the call through the second SBC when the first answers 503', async () => {
    unavailableFirst();
    const call = await luciaPhone.dial('612001201');
    expect(await call.connected).toBe(true);
    const answered = await waitFor('the second SBC to answer', () => atCarrier[0]);
    expect(await answered.connected).toBe(true);
    await waitFor('audio both ways', () =>
      call.mediaStats.packetsReceived > 25 && answered.mediaStats.packetsReceived > 25 ? true : undefined,
    );
    // The first SBC had the INVITE first, and the same call went on to the second.
    expect(unavailable.invites).toHaveLength(1);
    expect(answered.interactionId).toBeDefined();
    expect(headerValue(unavailable.invites[0]?.headers ?? [], 'x-centralita-interaction-id')).toBe(
      answered.interactionId,
    );
    answered.hangUp();
    expect((await call.ended).reason).toBe('remote-hangup');

    // One interaction: put through by the flow's first node (never its "could not be completed"), recorded.
    const stored = await interactionOf('612001201');
    expect(stored).toMatchObject({ status: 'completed', remoteAddress: '+34612001201' });
    expect(stored.metadata['ivrPath']).toEqual(['connect']);
    expect(stored.metadata['recordings']).toHaveLength(1);
    expect((await eventsOf(stored.id)).map((event) => event.type).sort()).toEqual([
      'CallAnswered',
      'CallEnded',
      'CallReceived',
      'RecordingCompleted',
    ]);
  });

  it('puts a call placed from the desktop through the second SBC, while the agent hears ringback', async () => {
    unavailableFirst();
    const placed = await lucia.expect<{ interactionId: string }>('call', 'POST', '/api/calls', {
      number: '+34612001206',
    });
    const atPhone = await waitFor('Lucía’s phone to ring', () => atLucia[0]);
    expect(await atPhone.connected).toBe(true);
    const answered = await waitFor('the second SBC to answer', () => atCarrier[0]);
    expect(await answered.connected).toBe(true);
    expect(unavailable.invites).toHaveLength(1);
    await waitFor('the placed call to be connected', async () => {
      const live = await admin.request('GET', `/api/interactions/${placed.interactionId}/call`);
      return live.status === 200 && (live.body as { phase: string }).phase === 'connected' ? true : undefined;
    });
    answered.hangUp();
    expect((await atPhone.ended).reason).toBe('remote-hangup');
    const ended = await waitFor('the placed call to be stored as ended', async () => {
      const result = await testServer.server.database.pool.query<{ status: string; ended_at: Date | null }>(
        'SELECT status, ended_at FROM interactions WHERE id = $1',
        [placed.interactionId],
      );
      return result.rows[0]?.ended_at === null ? undefined : result.rows[0];
    });
    expect(ended.status).toBe('completed');
    const types = (await eventsOf(placed.interactionId)).map((event) => event.type);
    expect(types).toContain('CallAnswered');
    expect(types).toContain('CallEnded');
  });

  it('moves on from a refused TCP connection to the next NAPTR service at once', async () => {
    const naptr = dns.zone.naptr as Naptr;
    naptr['other.test'] = [
      {
        order: 10,
        preference: 10,
        flags: 's',
        services: 'SIP+D2T',
        regexp: '',
        replacement: '_sip._tcp.other.test',
      },
      {
        order: 20,
        preference: 10,
        flags: 's',
        services: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.other.test',
      },
    ];
    const srv = dns.zone.srv as Srv;
    srv['_sip._tcp.other.test'] = [
      { priority: 10, weight: 1, port: await refusingTcpPort(), target: 'sbc1.carrier.test' },
    ];
    srv['_sip._udp.other.test'] = [
      { priority: 10, weight: 1, port: carrier.port, target: 'sbc2.carrier.test' },
    ];
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, { outbound: { host: 'other.test' } });
    try {
      const startedAt = Date.now();
      const call = await luciaPhone.dial('612001202');
      expect(await call.connected).toBe(true);
      const answered = await waitFor('the UDP SBC to answer', () => atCarrier[0]);
      expect(await answered.connected).toBe(true);
      // A refused connection is a transport error at once, not a 32 s Timer B.
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      answered.hangUp();
      expect((await call.ended).reason).toBe('remote-hangup');
      expect(await interactionOf('612001202')).toMatchObject({ status: 'completed' });
    } finally {
      await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
        outbound: { host: 'carrier.test', transport: 'udp' },
      });
    }
  });

  it('does not fail over once the first SBC rang: its 503 ends the call', async () => {
    unavailableFirst();
    unavailable.ringsFirst = true;
    const call = await luciaPhone.dial('612001203');
    expect(await call.connected).toBe(true);
    // The flow says the call could not be completed, and hangs up.
    expect((await call.ended).reason).toBe('remote-hangup');
    expect(unavailable.invites).toHaveLength(1);
    expect(atCarrier).toHaveLength(0);
    expect((await interactionOf('612001203')).metadata).toMatchObject(couldNotBeCompleted);
  });

  it('reports the failure when every target is unavailable', async () => {
    (dns.zone.srv as Srv)['_sip._udp.carrier.test'] = [
      { priority: 10, weight: 1, port: unavailable.port, target: 'sbc1.carrier.test' },
      { priority: 20, weight: 1, port: alsoUnavailable.port, target: 'sbc2.carrier.test' },
    ];
    const call = await luciaPhone.dial('612001204');
    expect(await call.connected).toBe(true);
    expect((await call.ended).reason).toBe('remote-hangup');
    // Both SBCs had the INVITE.
    expect(unavailable.invites).toHaveLength(1);
    expect(alsoUnavailable.invites).toHaveLength(1);
    expect((await interactionOf('612001204')).metadata).toMatchObject(couldNotBeCompleted);
  });

  it('stops failing over when the caller hangs up meanwhile', async () => {
    unavailableFirst();
    unavailable.isHolding = true;
    const call = await luciaPhone.dial('612001205');
    expect(await call.connected).toBe(true);
    await waitFor('the INVITE at the first SBC', () => unavailable.invites[0]);
    call.hangUp();
    expect((await call.ended).reason).toBe('local-hangup');
    expect((await interactionOf('612001205')).metadata).toMatchObject({
      ivrPath: ['connect'],
      endCause: 'caller-hangup',
    });
    // Its 503 comes after the caller left: nothing is sent to the second SBC.
    unavailable.release();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(atCarrier).toHaveLength(0);
  });
});
