import { afterAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '@centralita/sip';
import { headerValue } from '@centralita/sip';
import { SipEndpoint } from './sip-endpoint.ts';
import { RecordingListener, TestCore, testPolicy } from './test-core.ts';
import type { Received } from './test-peers.ts';
import { UdpPeer, callIdOf, newRequest, sdpOffer, sipRequest } from './test-peers.ts';

/**
 * The domain machines' timers on real `setTimeout`s, with a short T1 so that a full 64×T1 cycle takes
 * about a second. Exact times are the domain tests' business (virtual clock); here the point is that
 * the adapter arms, re-arms and disarms them as the machines say, over real sockets.
 */
const t1Ms = 20;
const t2Ms = 80;
const timers = { t1Ms, t2Ms, t4Ms: 100 };
const waitMs = 5000;
/** Timers never fire early; on a loaded machine they may fire late. */
const lateMs = 30;
/** Arrival times carry the jitter of one event loop turn: a gap may look a few ms short. */
const earlyMs = 5;

const closers: { close(): unknown }[] = [];
afterAll(async () => {
  for (const closer of closers.reverse()) await closer.close();
});

async function udpPeer(): Promise<UdpPeer> {
  const peer = await UdpPeer.bind();
  closers.push(peer);
  return peer;
}

/**
 * Checks the copies against the schedule, counted from `startMs` (when the first copy was caused): the k-th
 * never before the sum of the first k intervals (no timer fires early), and the gaps between copies as
 * scheduled: the median gap is at most `lateMs` longer than its interval. The median, not every gap,
 * because a stalled event loop (a loaded CI machine) delays one copy by any amount, while a wrong
 * schedule (T2 not capping, a timer re-armed with the wrong interval) moves most gaps.
 */
function expectSchedule(
  times: readonly number[],
  startMs: number,
  intervalMs: (index: number) => number,
): void {
  let dueMs = 0;
  const lateness: number[] = [];
  times.slice(1).forEach((atMs, index) => {
    dueMs += intervalMs(index);
    expect(atMs - startMs, `copy ${index + 2}`).toBeGreaterThanOrEqual(dueMs - earlyMs);
    lateness.push(atMs - (times[index] ?? startMs) - intervalMs(index));
  });
  lateness.sort((a, b) => a - b);
  const median = lateness[Math.floor(lateness.length / 2)] ?? 0;
  expect(median, `median lateness of the gaps ${lateness.join(', ')}`).toBeLessThan(lateMs);
}

function arrivals(peer: UdpPeer, callId: string, status: number): Received[] {
  return peer.received.filter(
    (r) =>
      r.message?.kind === 'response' && r.message.statusCode === status && callIdOf(r.message) === callId,
  );
}

describe('client retransmissions over UDP (RFC 3261 §17.1.1.2, §17.1.2.2)', () => {
  it('resends an unanswered INVITE at T1, 2T1, 4T1... and reports a timeout after 64×T1 (Timer B)', async () => {
    const t1 = 25;
    const endpoint = new SipEndpoint({
      transactionUser: new TestCore(),
      policy: testPolicy,
      timers: { t1Ms: t1, t2Ms: 4 * t1, t4Ms: 100 },
    });
    closers.push(endpoint);
    await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const blackHole = await udpPeer();
    const listener = new RecordingListener();
    const target = { protocol: 'udp', address: '127.0.0.1', port: blackHole.port } as const;
    const startMs = Date.now();
    endpoint.sendRequest(
      newRequest({
        method: 'INVITE',
        uri: 'sip:nobody@127.0.0.1',
        callId: 'no-answer',
        body: sdpOffer('127.0.0.1', 4000),
      }),
      target,
      listener,
    );
    endpoint.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:nobody@127.0.0.1', callId: 'no-answer-options' }),
      target,
      listener,
    );
    await listener.signal.until(() => listener.failures.length === 2, waitMs, 'two timeouts');

    const invites = blackHole.received
      .filter((r) => r.message?.kind === 'request' && r.message.method === 'INVITE')
      .map((r) => r.atMs);
    // Sent at 0, 1, 3, 7, 15, 31 and 63 T1; Timer B at 64 T1 ends it: seven copies, gaps doubling. Timer
    // A is re-armed from each firing while Timer B is armed once, so on a loaded machine the lateness of
    // six re-armings can push the seventh copy past Timer B.
    expect(invites.length).toBeGreaterThanOrEqual(6);
    expect(invites.length).toBeLessThanOrEqual(7);
    expectSchedule(invites, startMs, (index) => t1 * 2 ** index);
    const inviteFailure = listener.failures.find((f) => f.method === 'INVITE');
    expect(inviteFailure?.failure).toBe('timeout');
    expect((inviteFailure?.atMs ?? 0) - startMs).toBeGreaterThanOrEqual(64 * t1 - earlyMs);

    // OPTIONS: Timer E doubles up to T2 (4 T1 here), then stays there until Timer F.
    const options = blackHole.received
      .filter((r) => r.message?.kind === 'request' && r.message.method === 'OPTIONS')
      .map((r) => r.atMs);
    expectSchedule(options, startMs, (index) => Math.min(t1 * 2 ** index, 4 * t1));
    expect(options.length).toBeGreaterThanOrEqual(14);
    expect(listener.failures.find((f) => f.method === 'OPTIONS')?.failure).toBe('timeout');
    expect(endpoint.stats().clientTransactions).toBe(0);
  });
});

describe('server retransmissions over UDP until the ACK', () => {
  async function scene(inviteBehaviour: TestCore['inviteBehaviour']) {
    const core = new TestCore();
    core.inviteBehaviour = inviteBehaviour;
    const endpoint = new SipEndpoint({ transactionUser: core, policy: testPolicy, timers });
    closers.push(endpoint);
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const invite = (callId: string) => ({
      method: 'INVITE',
      transport: 'UDP',
      host: '127.0.0.1',
      port: peer.port,
      branch: `z9hG4bK-${callId}`,
      callId,
      body: sdpOffer('127.0.0.1', 4000),
      extraHeaders: ['Content-Type: application/sdp'],
    });
    return { core, endpoint, listener, peer, invite };
  }

  function toTagOf(response: SipResponse | undefined): string | undefined {
    return /tag=([^;>\s]+)/.exec(headerValue(response?.headers ?? [], 'to') ?? '')?.[1];
  }

  it('retransmits a 2xx from T1 doubling to T2 until its ACK, and reports a missing ACK after 64×T1', async () => {
    const { core, endpoint, listener, peer, invite } = await scene('answer');
    const startMs = Date.now();
    peer.send(sipRequest(invite('acked')), listener.port);
    peer.send(sipRequest(invite('never-acked')), listener.port);
    await peer.signal.until(
      () => arrivals(peer, 'acked', 200).length >= 3,
      waitMs,
      'three copies of the 200',
    );
    const ok = arrivals(peer, 'acked', 200)[0]?.message;
    const ackSentMs = Date.now();
    // The ACK for a 2xx: a new branch (its own transaction), the To tag of the 200 (RFC 3261 §13.2.2.4).
    peer.send(
      sipRequest({
        ...invite('acked'),
        method: 'ACK',
        branch: 'z9hG4bK-ack',
        toTag: toTagOf(ok?.kind === 'response' ? ok : undefined),
        body: '',
        extraHeaders: [],
      }),
      listener.port,
    );
    await core.signal.until(() => core.acks.length === 1, waitMs, 'the ACK at the core');
    expect(endpoint.stats().awaitingAck).toBe(1);
    // The other 2xx goes on until Timer L (64×T1): the core learns the ACK never came.
    await core.signal.until(() => core.failures.length === 1, waitMs, 'the missing ACK');
    expect(core.failures).toEqual([{ method: 'INVITE', failure: 'ack-timeout' }]);

    const schedule = (index: number) => Math.min(t1Ms * 2 ** index, t2Ms);
    const acked = arrivals(peer, 'acked', 200).map((r) => r.atMs);
    expectSchedule(acked, startMs, schedule);
    // Nothing after the ACK but, at worst, one copy already on its way.
    expect(acked.filter((atMs) => atMs > ackSentMs).length).toBeLessThanOrEqual(1);
    const unacked = arrivals(peer, 'never-acked', 200).map((r) => r.atMs);
    expectSchedule(unacked, startMs, schedule);
    expect(unacked.length).toBeGreaterThanOrEqual(10);
    expect(endpoint.stats().awaitingAck).toBe(0);
  });

  it('retransmits a failure response (Timer G) until the ACK, and times out without one (Timer H)', async () => {
    const { core, listener, peer, invite } = await scene(486);
    const startMs = Date.now();
    peer.send(sipRequest(invite('busy-acked')), listener.port);
    peer.send(sipRequest(invite('busy-never-acked')), listener.port);
    await peer.signal.until(
      () => arrivals(peer, 'busy-acked', 486).length >= 3,
      waitMs,
      'three copies of the 486',
    );
    const busy = arrivals(peer, 'busy-acked', 486)[0]?.message;
    const ackSentMs = Date.now();
    // The ACK for a failure shares the INVITE's branch: the transaction absorbs it (§17.2.1).
    peer.send(
      sipRequest({
        ...invite('busy-acked'),
        method: 'ACK',
        toTag: toTagOf(busy?.kind === 'response' ? busy : undefined),
        body: '',
        extraHeaders: [],
      }),
      listener.port,
    );
    await core.signal.until(() => core.failures.length === 1, waitMs, 'Timer H of the other INVITE');
    expect(core.failures).toEqual([{ method: 'INVITE', failure: 'timeout' }]);
    expect(core.acks).toEqual([]);
    const acked = arrivals(peer, 'busy-acked', 486).map((r) => r.atMs);
    expect(acked.filter((atMs) => atMs > ackSentMs).length).toBeLessThanOrEqual(1);
    const schedule = (index: number) => Math.min(t1Ms * 2 ** index, t2Ms);
    expectSchedule(acked, startMs, schedule);
    const unacked = arrivals(peer, 'busy-never-acked', 486).map((r) => r.atMs);
    expectSchedule(unacked, startMs, schedule);
    expect(unacked.length).toBeGreaterThanOrEqual(10);
  });

  it('sends 100 Trying after 200 ms when the core has not answered an INVITE, and leaves it out when the core is quick', async () => {
    const { listener, peer, invite } = await scene('silent');
    const sentMs = Date.now();
    peer.send(sipRequest(invite('slow')), listener.port);
    await peer.signal.until(() => arrivals(peer, 'slow', 100).length > 0, waitMs, 'the 100 Trying');
    const trying = arrivals(peer, 'slow', 100)[0];
    expect((trying?.atMs ?? 0) - sentMs).toBeGreaterThanOrEqual(198);
    expect((trying?.atMs ?? 0) - sentMs).toBeLessThan(200 + 150);
    // RFC 3261 §8.2.6.1: no To tag on a 100.
    expect(toTagOf(trying?.message?.kind === 'response' ? trying.message : undefined)).toBeUndefined();
    // A retransmitted INVITE gets the 100 again.
    peer.send(sipRequest(invite('slow')), listener.port);
    await peer.signal.until(() => arrivals(peer, 'slow', 100).length === 2, waitMs, 'the 100 again');

    const fast = await scene('answer');
    fast.peer.send(sipRequest(fast.invite('fast')), fast.listener.port);
    await fast.peer.signal.until(() => arrivals(fast.peer, 'fast', 200).length > 0, waitMs, 'the 200');
    expect(
      fast.peer.received[0]?.message?.kind === 'response' && fast.peer.received[0].message.statusCode,
    ).toBe(180);
  });
});
