import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipRequest, UasPolicy } from '@centralita/sip';
import { createResponse, parseMessage, parseUri, serializeMessage } from '@centralita/sip';
import { SipEndpoint, silentLogger } from '@centralita/sip-transport';
import type { SendTarget, SipListener } from '@centralita/sip-transport';
import type { CallLeg } from './call-legs.ts';
import type { LegSignal, LegTimers } from './sip-legs.ts';
import { SipLegs, defaultFailoverSilenceMs } from './sip-legs.ts';

// RFC 3263 §4.3 failover between a trunk's targets, over loopback with short SIP timers (T1 = 5 ms, so
// Timer B, 64×T1, runs out in 320 ms): the first target never answers, the next one does.

const t1Ms = 5;
const timerBMs = 64 * t1Ms;
const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'],
  supportedUriSchemes: ['sip'],
  supportedExtensions: [],
  acceptedContentTypes: ['application/sdp'],
};

/** A UDP port that reads and never answers (a carrier's SBC that is down behind a live address). */
async function silentPort(): Promise<{ socket: Socket; received: () => number; target: SendTarget }> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => {
    count += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    socket,
    received: () => count,
    target: { protocol: 'udp', address: '127.0.0.1', port: socket.address().port },
  };
}

/** A carrier that answers every INVITE 486 Busy Here. */
async function busyCarrier(): Promise<{ listener: SipListener; invites: SipRequest[]; target: SendTarget }> {
  const invites: SipRequest[] = [];
  const endpoint = new SipEndpoint({
    policy,
    transactionUser: {
      onRequest: (transaction) => {
        if (transaction.request.method === 'INVITE') invites.push(transaction.request);
        transaction.reply(486, 'Busy Here');
      },
    },
  });
  const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
  return { listener, invites, target: { protocol: 'udp', address: '127.0.0.1', port: listener.port } };
}

function trunkLeg(target: SendTarget): CallLeg {
  return {
    legId: 'leg-remote',
    role: 'customer',
    interactionId: 'interaction-1',
    tenantId: 'tenant-1',
    target,
    dialog: undefined,
    localSdp: undefined,
    sdpVersion: 0,
    hasMedia: false,
    isEnded: false,
  };
}

const requestUri = parseUri('sip:34612001122@carrier.test');
if (requestUri === undefined) throw new Error('the test URI does not parse');
const request = {
  requestUri,
  from: '<sip:34910000000@pbx.test>',
  to: '<sip:34612001122@carrier.test>',
  extraHeaders: [],
};

let ours: SipEndpoint;
let listener: SipListener;
let dead: Awaited<ReturnType<typeof silentPort>>;
let carrier: Awaited<ReturnType<typeof busyCarrier>>;
let signals: LegSignal[];

function legsWith(
  failoverBudgetMs?: number,
  options: { readonly endpoint?: SipEndpoint; readonly timers?: LegTimers } = {},
): SipLegs {
  return new SipLegs({
    endpoint: options.endpoint ?? ours,
    logger: silentLogger,
    onSignal: (signal) => signals.push(signal),
    ...(failoverBudgetMs === undefined ? {} : { failoverBudgetMs }),
    ...(options.timers === undefined ? {} : { timers: options.timers }),
  });
}

/** SipLegs' time under the test's control: timers fire when `advanceBy` passes them, in order. */
class VirtualLegTimers implements LegTimers {
  #nowMs: number;
  #due: { atMs: number; callback: () => void }[] = [];

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  after(ms: number, callback: () => void): () => void {
    const entry = { atMs: this.#nowMs + ms, callback };
    this.#due.push(entry);
    return () => {
      this.#due = this.#due.filter((other) => other !== entry);
    };
  }

  advanceBy(ms: number): void {
    const untilMs = this.#nowMs + ms;
    for (;;) {
      const next = this.#due.filter((entry) => entry.atMs <= untilMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (next === undefined) break;
      this.#due = this.#due.filter((entry) => entry !== next);
      this.#nowMs = next.atMs;
      next.callback();
    }
    this.#nowMs = untilMs;
  }
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function failure(): Promise<LegSignal> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = signals.find((signal) => signal.type === 'failed');
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('no failed signal');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  signals = [];
  ours = new SipEndpoint({
    policy,
    timers: { t1Ms },
    transactionUser: { onRequest: (transaction) => transaction.reply(405, 'Method Not Allowed') },
  });
  listener = await ours.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
  dead = await silentPort();
  carrier = await busyCarrier();
});

afterEach(async () => {
  await listener.close();
  await carrier.listener.close();
  await new Promise<void>((resolve) =>
    dead.socket.close(() => {
      resolve();
    }),
  );
});

describe('SipLegs failover between trunk targets (RFC 3263 §4.3)', () => {
  it('sends the INVITE to the next target when the first never answers (Timer B), and reports its answer', async () => {
    const legs = legsWith();
    const startedAt = Date.now();
    legs.invite(
      trunkLeg(dead.target),
      { ...request, failoverTo: [carrier.target] },
      { address: '127.0.0.1', rtpPort: 40_000 },
    );
    expect(await failure()).toMatchObject({ type: 'failed', statusCode: 486 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(timerBMs);
    // The first target had the INVITE and its retransmissions (Timer A); the second had it once.
    expect(dead.received()).toBeGreaterThan(1);
    expect(carrier.invites).toHaveLength(1);
    expect(signals.map((signal) => signal.type)).toEqual(['failed']);
  });

  it('moves on from a target that stays silent (not even 100 Trying) at the silence limit, long before Timer B', async () => {
    // RFC 3261's own T1 (500 ms): Timer B would take 32 s. SipLegs' own time is virtual: the silence limit
    // passes when the test says so.
    const standard = new SipEndpoint({
      policy,
      transactionUser: { onRequest: (transaction) => transaction.reply(405, 'Method Not Allowed') },
    });
    const standardListener = await standard.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const timers = new VirtualLegTimers(Date.UTC(2026, 0, 5, 9));
    try {
      const legs = legsWith(undefined, { endpoint: standard, timers });
      legs.invite(
        trunkLeg(dead.target),
        { ...request, failoverTo: [carrier.target] },
        { address: '127.0.0.1', rtpPort: 40_000 },
      );
      await until('the INVITE at the silent target', () => dead.received() >= 1);
      timers.advanceBy(defaultFailoverSilenceMs - 1);
      expect(carrier.invites).toHaveLength(0);
      timers.advanceBy(1);
      expect(await failure()).toMatchObject({ type: 'failed', statusCode: 486 });
      expect(carrier.invites).toHaveLength(1);
      expect(signals.map((signal) => signal.type)).toEqual(['failed']);
    } finally {
      await standardListener.close();
    }
  });

  it('tries no other target once the budget is spent: the timeout is the answer', async () => {
    const legs = legsWith(0);
    legs.invite(
      trunkLeg(dead.target),
      { ...request, failoverTo: [carrier.target] },
      { address: '127.0.0.1', rtpPort: 40_000 },
    );
    expect(await failure()).toMatchObject({ type: 'failed', statusCode: 408 });
    expect(carrier.invites).toHaveLength(0);
  });

  it('stops when the call gives up on the leg while the first target is silent', async () => {
    const legs = legsWith();
    const leg = trunkLeg(dead.target);
    legs.invite(leg, { ...request, failoverTo: [carrier.target] }, { address: '127.0.0.1', rtpPort: 40_000 });
    await new Promise((resolve) => setTimeout(resolve, timerBMs / 4));
    legs.cancel(leg);
    await new Promise((resolve) => setTimeout(resolve, timerBMs * 3));
    expect(carrier.invites).toHaveLength(0);
    expect(signals).toHaveLength(0);
  });
});

describe('SipLegs failover between the flows of one phone (RFC 5626 §5.3)', () => {
  it('moves a forked branch whose flow is closed to its next flow, opening no connection to the phone', async () => {
    const tcp = await ours.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const otherPhone = await busyCarrier();
    try {
      const phoneUri = parseUri('sip:1001@192.0.2.10;transport=tcp;ob');
      if (phoneUri === undefined) throw new Error('the phone URI does not parse');
      const legs = legsWith();
      legs.invite(trunkLeg(otherPhone.target), request, { address: '127.0.0.1', rtpPort: 40_000 }, [
        {
          requestUri: phoneUri,
          // A TCP flow whose connection is gone: never dialled anew.
          target: { protocol: 'tcp', address: '127.0.0.1', port: 1, isFlowOnly: true },
          failoverTo: [carrier.target],
        },
      ]);
      expect(await failure()).toMatchObject({ type: 'failed', statusCode: 486 });
      expect(otherPhone.invites.map((invite) => invite.requestUri)).toEqual([requestUri]);
      expect(carrier.invites.map((invite) => invite.requestUri)).toEqual([phoneUri]);
      expect(ours.stats().connections).toBe(0);
    } finally {
      await tcp.close();
      await otherPhone.listener.close();
    }
  });
});

/**
 * A phone that rings (180 with its To tag) and, when cancelled, answers the CANCEL 200 with the same To tag, as
 * RFC 3261 §9.2 asks, then the INVITE 487. Every request it receives is kept, by method.
 */
async function ringingPhone(): Promise<{ socket: Socket; methods: string[]; target: SendTarget }> {
  const socket = createSocket('udp4');
  const methods: string[] = [];
  let invite: SipRequest | undefined;
  const toTag = 'phone-tag-1';
  const send = (response: ReturnType<typeof createResponse>, port: number) => {
    socket.send(serializeMessage(response), port, '127.0.0.1');
  };
  socket.on('message', (bytes, from) => {
    const parsed = parseMessage(bytes);
    if (!parsed.ok || parsed.value.kind !== 'request') return;
    const message = parsed.value;
    methods.push(message.method);
    if (message.method === 'INVITE') {
      invite = message;
      send(createResponse(message, 180, 'Ringing', { toTag }), from.port);
    } else if (message.method === 'CANCEL' && invite !== undefined) {
      send(createResponse(message, 200, 'OK', { toTag }), from.port);
      send(createResponse(invite, 487, 'Request Terminated', { toTag }), from.port);
    } else if (message.method === 'BYE') {
      send(createResponse(message, 481, 'Call/Transaction Does Not Exist', { toTag }), from.port);
    } else if (message.method === 'OPTIONS') {
      send(createResponse(message, 200, 'OK', { toTag: 'probe' }), from.port);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, methods, target: { protocol: 'udp', address: '127.0.0.1', port: socket.address().port } };
}

describe('SipLegs cancelling a ringing phone (RFC 3261 §9.1)', () => {
  it("takes the 200 to its CANCEL for no answer to the INVITE: the phone gets the 487's ACK, never a BYE", async () => {
    const phone = await ringingPhone();
    try {
      const legs = legsWith();
      const leg = trunkLeg(phone.target);
      legs.invite(leg, request, { address: '127.0.0.1', rtpPort: 40_000 });
      await until('the phone rings', () => signals.some((signal) => signal.type === 'ringing'));
      legs.cancel(leg);
      // The ACK for the 487 ends the INVITE's exchange; an OPTIONS sent after it marks the point by which a
      // BYE, which the 200 to the CANCEL would have caused, had been sent.
      await until('the ACK for the 487', () => phone.methods.includes('ACK'));
      let isProbeAnswered = false;
      ours.sendRequest(
        {
          kind: 'request',
          method: 'OPTIONS',
          requestUri: parseUri(`sip:127.0.0.1:${String(phone.target.port)}`) ?? requestUri,
          headers: [
            { name: 'From', value: '<sip:pbx.test>;tag=probe' },
            { name: 'To', value: '<sip:phone.test>' },
            { name: 'Call-ID', value: 'probe-after-cancel' },
            { name: 'CSeq', value: '1 OPTIONS' },
            { name: 'Max-Forwards', value: '70' },
          ],
          body: new Uint8Array(0),
        },
        phone.target,
        {
          onResponse: () => {
            isProbeAnswered = true;
          },
          onFailure: () => undefined,
        },
      );
      await until('the answer to the OPTIONS', () => isProbeAnswered);
      expect(phone.methods).toEqual(['INVITE', 'CANCEL', 'ACK', 'OPTIONS']);
      expect(signals.map((signal) => signal.type)).toEqual(['ringing']);
      expect(leg.dialog).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) =>
        phone.socket.close(() => {
          resolve();
        }),
      );
    }
  });
});
