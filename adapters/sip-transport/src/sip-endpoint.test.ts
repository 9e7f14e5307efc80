import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '@centralita/kernel';
import { headerValue, headerValues } from '@centralita/sip';
import type { SipListener } from './sip-endpoint.ts';
import { SipEndpoint } from './sip-endpoint.ts';
import type { TransactionUser } from './transaction-user.ts';
import { RecordingListener, TestCore, testPolicy } from './test-core.ts';
import { StreamPeer, UdpPeer, newRequest, sdpOffer, sipRequest } from './test-peers.ts';

const waitMs = 3000;
const endpoints: SipEndpoint[] = [];
const peers: { close(): unknown }[] = [];

afterAll(async () => {
  for (const peer of peers) await peer.close();
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

function started(core: TransactionUser, options: Partial<ConstructorParameters<typeof SipEndpoint>[0]> = {}) {
  const endpoint = new SipEndpoint({ transactionUser: core, policy: testPolicy, ...options });
  endpoints.push(endpoint);
  return endpoint;
}

async function udpPeer(host = '127.0.0.1'): Promise<UdpPeer> {
  const peer = await UdpPeer.bind(host);
  peers.push(peer);
  return peer;
}

async function streamPeer(port: number, host = '127.0.0.1'): Promise<StreamPeer> {
  const peer = await StreamPeer.connect(port, host);
  peers.push(peer);
  return peer;
}

describe('answering over UDP and TCP, IPv4 and IPv6', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`answers OPTIONS at the source port with received and rport filled (RFC 3581) on ${host}`, async () => {
      const endpoint = started(new TestCore());
      const listener = await endpoint.listen({ protocol: 'udp', host, port: 0 });
      const peer = await udpPeer(host);
      const viaHost = host === '::1' ? '2001:db8::5' : '192.0.2.5';
      peer.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'UDP',
          host: viaHost,
          port: 5060,
          branch: 'z9hG4bK-rport',
          callId: 'rport',
          isRportRequested: true,
        }),
        listener.port,
        host,
      );
      await peer.signal.until(() => peer.responses('rport').length > 0, waitMs, 'the 200');
      const response = peer.responses('rport')[0];
      expect(response?.statusCode).toBe(200);
      const hostText = viaHost.includes(':') ? `[${viaHost}]` : viaHost;
      expect(headerValue(response?.headers ?? [], 'via')).toBe(
        `SIP/2.0/UDP ${hostText}:5060;branch=z9hG4bK-rport;rport=${peer.port};received=${host}`,
      );
      expect(headerValue(response?.headers ?? [], 'allow')).toContain('INVITE');
    });

    it(`answers OPTIONS over TCP on the connection it came on, on ${host}`, async () => {
      const endpoint = started(new TestCore());
      const listener = await endpoint.listen({ protocol: 'tcp', host, port: 0 });
      const peer = await streamPeer(listener.port, host);
      peer.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TCP',
          host,
          port: 5060,
          branch: 'z9hG4bK-tcp',
          callId: 'tcp',
        }),
      );
      await peer.signal.until(() => peer.responses('tcp').length > 0, waitMs, 'the 200');
      expect(peer.responses('tcp')[0]?.statusCode).toBe(200);
      expect(endpoint.stats().connections).toBe(1);
    });
  }

  it('without rport answers at the sent-by port (RFC 3261 §18.2.2), and at the source port when forced', async () => {
    const sender = await udpPeer();
    const sentBy = await udpPeer();
    const plain = started(new TestCore());
    const plainListener = await plain.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    sender.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'UDP',
        host: '127.0.0.1',
        port: sentBy.port,
        branch: 'z9hG4bK-sentby',
        callId: 'sent-by',
      }),
      plainListener.port,
    );
    await sentBy.signal.until(
      () => sentBy.responses('sent-by').length > 0,
      waitMs,
      'the 200 at the sent-by port',
    );
    // The address matched the source: no received parameter (§18.2.1).
    expect(headerValue(sentBy.responses('sent-by')[0]?.headers ?? [], 'via')).toBe(
      `SIP/2.0/UDP 127.0.0.1:${sentBy.port};branch=z9hG4bK-sentby`,
    );
    const forced = started(new TestCore(), { isRportForced: true });
    const forcedListener = await forced.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    sender.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'UDP',
        host: '127.0.0.1',
        port: sentBy.port,
        branch: 'z9hG4bK-forced',
        callId: 'forced',
      }),
      forcedListener.port,
    );
    await sender.signal.until(
      () => sender.responses('forced').length > 0,
      waitMs,
      'the 200 at the source port',
    );
    expect(sentBy.responses('forced')).toEqual([]);
  });

  it('answers CRLFCRLF keep-alive pings with CRLF (RFC 5626 §3.5.1)', async () => {
    const endpoint = started(new TestCore());
    const listener = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const peer = await streamPeer(listener.port);
    peer.send('\r\n\r\n\r\n\r\n');
    await peer.signal.until(() => peer.pongBytes >= 4, waitMs, 'two pongs');
    expect(peer.pongBytes).toBe(4);
    expect(peer.received).toEqual([]);
  });

  it('counts CRLF keep-alives over UDP without answering them', async () => {
    const endpoint = started(new TestCore());
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    peer.send(Buffer.from('\r\n\r\n'), listener.port);
    peer.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'UDP',
        host: '127.0.0.1',
        port: peer.port,
        branch: 'z9hG4bK-ka',
        callId: 'after-ka',
      }),
      listener.port,
    );
    await peer.signal.until(() => peer.responses('after-ka').length > 0, waitMs, 'the 200');
    expect(endpoint.stats().keepAlives).toBe(1);
    expect(peer.received).toHaveLength(1);
  });
});

describe('what the endpoint answers by itself', () => {
  it('answers a CANCEL with 200 and lets the core end the INVITE with 487 (RFC 3261 §9.2)', async () => {
    const core = new TestCore();
    core.inviteBehaviour = 'ring';
    const endpoint = started(core);
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const invite = {
      method: 'INVITE',
      transport: 'UDP',
      host: '127.0.0.1',
      port: peer.port,
      branch: 'z9hG4bK-inv',
      callId: 'cancel-me',
      cseq: 7,
    } as const;
    peer.send(
      sipRequest({
        ...invite,
        body: sdpOffer('127.0.0.1', 4000),
        extraHeaders: ['Content-Type: application/sdp'],
      }),
      listener.port,
    );
    await peer.signal.until(
      () => peer.responses('cancel-me').some((r) => r.statusCode === 180),
      waitMs,
      'the 180',
    );
    peer.send(sipRequest({ ...invite, method: 'CANCEL' }), listener.port);
    await peer.signal.until(
      () => peer.responses('cancel-me').some((r) => r.statusCode === 487),
      waitMs,
      'the 487',
    );
    const responses = peer.responses('cancel-me');
    const ok = responses.find((r) => r.statusCode === 200);
    const ringing = responses.find((r) => r.statusCode === 180);
    expect(headerValue(ok?.headers ?? [], 'cseq')).toBe('7 CANCEL');
    // §9.2: the 200 to the CANCEL and the responses to the INVITE carry the same To tag.
    expect(headerValue(ok?.headers ?? [], 'to')).toBe(headerValue(ringing?.headers ?? [], 'to'));
    expect(core.cancelled).toEqual(['cancel-me']);
    // The ACK for the 487 is absorbed by the INVITE transaction; the core never sees it.
    peer.send(sipRequest({ ...invite, method: 'ACK', toTag: 'ignored' }), listener.port);
    peer.send(
      sipRequest({ ...invite, method: 'CANCEL', callId: 'nothing-to-cancel', branch: 'z9hG4bK-none' }),
      listener.port,
    );
    await peer.signal.until(() => peer.responses('nothing-to-cancel').length > 0, waitMs, 'the 481');
    expect(peer.responses('nothing-to-cancel')[0]?.statusCode).toBe(481);
    expect(core.acks).toEqual([]);
  });

  it('answers a merged request with 482 (RFC 3261 §8.2.2.2)', async () => {
    const core = new TestCore();
    const endpoint = started(core);
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const first = {
      method: 'OPTIONS',
      transport: 'UDP',
      host: '127.0.0.1',
      port: peer.port,
      branch: 'z9hG4bK-path1',
      callId: 'forked',
    } as const;
    peer.send(sipRequest(first), listener.port);
    await peer.signal.until(() => peer.responses('forked').length === 1, waitMs, 'the 200');
    // The same request reached us again by another path: same From tag, Call-ID, CSeq, another branch.
    peer.send(sipRequest({ ...first, branch: 'z9hG4bK-path2' }), listener.port);
    await peer.signal.until(() => peer.responses('forked').length === 2, waitMs, 'the 482');
    expect(peer.responses('forked').map((r) => r.statusCode)).toEqual([200, 482]);
    // A retransmission of the first still gets the first answer.
    peer.send(sipRequest(first), listener.port);
    await peer.signal.until(() => peer.responses('forked').length === 3, waitMs, 'the retransmitted 200');
    expect(peer.responses('forked')[2]?.statusCode).toBe(200);
    expect(core.count('OPTIONS')).toBe(1);
  });

  it('refuses new INVITEs above the calls-per-second limit with 503 and Retry-After; in-dialog requests pass', async () => {
    const core = new TestCore();
    const clock = new VirtualClock(1_000_000);
    const endpoint = started(core, {
      clock,
      overload: { maxNewInvitesPerSecond: 2, retryAfterSeconds: 7 },
    });
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const invite = (n: number) =>
      sipRequest({
        method: 'INVITE',
        transport: 'UDP',
        host: '127.0.0.1',
        port: peer.port,
        branch: `z9hG4bK-new${n}`,
        callId: `new-${n}`,
        body: sdpOffer('127.0.0.1', 4000),
        extraHeaders: ['Content-Type: application/sdp'],
      });
    for (const n of [1, 2, 3]) peer.send(invite(n), listener.port);
    await peer.signal.until(
      () => [1, 2, 3].every((n) => peer.responses(`new-${n}`).some((r) => r.statusCode >= 200)),
      waitMs,
      'three answers',
    );
    const finals = [1, 2, 3].map((n) => peer.responses(`new-${n}`).find((r) => r.statusCode >= 200));
    expect(finals.map((r) => r?.statusCode)).toEqual([200, 200, 503]);
    expect(headerValue(finals[2]?.headers ?? [], 'retry-after')).toBe('7');
    // A request inside a dialog (To tag) is never refused, and a second later new calls pass again.
    peer.send(
      sipRequest({
        method: 'BYE',
        transport: 'UDP',
        host: '127.0.0.1',
        port: peer.port,
        branch: 'z9hG4bK-bye',
        callId: 'new-1',
        cseq: 2,
        toTag: 'ours',
      }),
      listener.port,
    );
    clock.advanceBy(1000);
    peer.send(invite(4), listener.port);
    await peer.signal.until(
      () =>
        peer.responses('new-1').some((r) => headerValue(r.headers, 'cseq') === '2 BYE') &&
        peer.responses('new-4').some((r) => r.statusCode >= 200),
      waitMs,
      'the BYE and the fourth INVITE',
    );
    expect(peer.responses('new-4').find((r) => r.statusCode >= 200)?.statusCode).toBe(200);
    expect(endpoint.stats().discarded.SIP_TRANSPORT_OVERLOADED).toBe(1);
  });

  it('refuses new INVITEs while the core reports the concurrent-call limit reached', async () => {
    const core = new TestCore();
    core.activeCalls = 5;
    const endpoint = started(core, { overload: { maxConcurrentCalls: 5 } });
    const listener = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const peer = await streamPeer(listener.port);
    peer.send(
      sipRequest({
        method: 'INVITE',
        transport: 'TCP',
        host: '127.0.0.1',
        port: 5060,
        branch: 'z9hG4bK-full',
        callId: 'full',
        body: sdpOffer('127.0.0.1', 4000),
        extraHeaders: ['Content-Type: application/sdp'],
      }),
    );
    await peer.signal.until(() => peer.responses('full').some((r) => r.statusCode >= 200), waitMs, 'the 503');
    expect(peer.responses('full').map((r) => r.statusCode)).toEqual([503]);
    expect(headerValue(peer.responses('full')[0]?.headers ?? [], 'retry-after')).toBe('5');
  });

  it('answers 500 when the core throws, answers 501 to unknown methods, and keeps serving', async () => {
    const core = new TestCore();
    core.throwOn = 'INFO';
    const endpoint = started(core);
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const base = { transport: 'UDP', host: '127.0.0.1', port: peer.port } as const;
    peer.send(
      sipRequest({ ...base, method: 'INFO', branch: 'z9hG4bK-info', callId: 'throws', toTag: 'x' }),
      listener.port,
    );
    peer.send(
      sipRequest({ ...base, method: 'FROBNICATE', branch: 'z9hG4bK-frob', callId: 'unknown' }),
      listener.port,
    );
    peer.send(
      sipRequest({ ...base, method: 'OPTIONS', branch: 'z9hG4bK-still', callId: 'still' }),
      listener.port,
    );
    await peer.signal.until(
      () => ['throws', 'unknown', 'still'].every((id) => peer.responses(id).length > 0),
      waitMs,
      'three answers',
    );
    expect(peer.responses('throws')[0]?.statusCode).toBe(500);
    expect(peer.responses('unknown')[0]?.statusCode).toBe(501);
    expect(headerValue(peer.responses('unknown')[0]?.headers ?? [], 'allow')).toBe(
      testPolicy.supportedMethods.join(', '),
    );
    expect(peer.responses('still')[0]?.statusCode).toBe(200);
  });

  it('survives random and truncated datagrams and still answers', async () => {
    const endpoint = started(new TestCore());
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const valid = sipRequest({
      method: 'OPTIONS',
      transport: 'UDP',
      host: '127.0.0.1',
      port: peer.port,
      branch: 'z9hG4bK-fuzz',
      callId: 'fuzz',
    });
    const junk = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 1500 }),
        fc.integer({ min: 1, max: valid.length - 1 }).map((end) => valid.subarray(0, end)),
        fc
          .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }))
          .map(([index, byte]) => {
            const copy = Buffer.from(valid);
            copy[index] = byte;
            return copy;
          }),
      ),
      { numRuns: 300, seed: 4475 },
    );
    // In rounds of 50, each followed by an OPTIONS that must be answered (the socket buffer stays small).
    for (let round = 0; round < junk.length / 50; round++) {
      for (const bytes of junk.slice(round * 50, round * 50 + 50)) peer.send(bytes, listener.port);
      const callId = `probe-${round}`;
      peer.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'UDP',
          host: '127.0.0.1',
          port: peer.port,
          branch: `z9hG4bK-${callId}`,
          callId,
        }),
        listener.port,
      );
      await peer.signal.until(
        () => peer.responses(callId).length > 0,
        waitMs,
        `the OPTIONS after junk round ${round}`,
      );
      expect(peer.responses(callId)[0]?.statusCode).toBe(200);
    }
    expect(endpoint.stats().discarded.SIP_TRANSPORT_RECEIVE_FAILED).toBeUndefined();
  });
});

describe('client transactions between two endpoints', () => {
  async function pair(protocol: 'udp' | 'tcp') {
    const callee = new TestCore();
    const b = started(callee);
    const bListener: SipListener = await b.listen({ protocol, host: '127.0.0.1', port: 0 });
    const a = started(new TestCore());
    await a.listen({ protocol, host: '127.0.0.1', port: 0 });
    const target = { protocol, address: '127.0.0.1', port: bListener.port } as const;
    return { a, b, callee, target };
  }

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`places a call over ${protocol.toUpperCase()}: INVITE, 180, 200, ACK for the 2xx, BYE`, async () => {
      const { a, b, callee, target } = await pair(protocol);
      const listener = new RecordingListener();
      const invite = a.sendRequest(
        newRequest({
          method: 'INVITE',
          uri: 'sip:callee@127.0.0.1',
          callId: `call-${protocol}`,
          body: sdpOffer('127.0.0.1', 4000),
        }),
        target,
        listener,
      );
      expect(invite.ok).toBe(true);
      await listener.signal.until(() => listener.statuses('INVITE').includes(200), waitMs, 'the 200');
      expect(listener.statuses('INVITE')).toEqual([180, 200]);
      const ok = listener.responses.find((entry) => entry.response.statusCode === 200)?.response;
      const toTag = /tag=([^;>\s]+)/.exec(headerValue(ok?.headers ?? [], 'to') ?? '')?.[1];
      expect(b.stats().awaitingAck).toBe(1);
      // The ACK for a 2xx is its own transaction (§13.2.2.4): sent statelessly with a new branch.
      a.sendStateless(
        newRequest({ method: 'ACK', uri: 'sip:callee@127.0.0.1', callId: `call-${protocol}`, toTag }),
        target,
      );
      await callee.signal.until(() => callee.acks.length === 1, waitMs, 'the ACK');
      expect(b.stats().awaitingAck).toBe(0);
      a.sendRequest(
        newRequest({
          method: 'BYE',
          uri: 'sip:callee@127.0.0.1',
          callId: `call-${protocol}`,
          cseq: 2,
          toTag,
        }),
        target,
        listener,
      );
      await listener.signal.until(() => listener.statuses('BYE').includes(200), waitMs, 'the 200 to BYE');
      // Each side's Via: ours on top of the request, received/rport stamped by the callee.
      const via = headerValues(ok?.headers ?? [], 'via');
      expect(via).toHaveLength(1);
      expect(via[0]).toMatch(
        new RegExp(
          `^SIP/2.0/${protocol.toUpperCase()} 127.0.0.1:\\d+;branch=z9hG4bK.+;rport=\\d+;received=127.0.0.1$`,
        ),
      );
      if (protocol === 'tcp') {
        // Both requests went over one connection (reused by remote address).
        expect(a.stats().connections).toBe(1);
        expect(b.stats().connections).toBe(1);
      }
    });
  }

  it('cancels a ringing INVITE: 200 to the CANCEL, 487 to the INVITE, which ACKs it itself (RFC 3261 §9.1)', async () => {
    const { a, callee, target } = await pair('udp');
    callee.inviteBehaviour = 'ring';
    const listener = new RecordingListener();
    const invite = a.sendRequest(
      newRequest({
        method: 'INVITE',
        uri: 'sip:callee@127.0.0.1',
        callId: 'to-cancel',
        body: sdpOffer('127.0.0.1', 4000),
      }),
      target,
      listener,
    );
    if (!invite.ok) throw new Error(invite.error.message);
    // Cancelling before any provisional response waits for one (§9.1).
    expect(invite.value.cancel().ok).toBe(true);
    await listener.signal.until(
      () => listener.statuses('INVITE').includes(487) && listener.statuses('CANCEL').includes(200),
      waitMs,
      '487 and 200',
    );
    expect(listener.statuses('INVITE')).toEqual([180, 487]);
    expect(invite.value.cancel().ok).toBe(false);
    // The callee got the ACK for its 487 inside its transaction (Confirmed), not as a core ACK. An
    // OPTIONS sent after it on the same loopback path is answered after the ACK was taken in.
    a.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:callee@127.0.0.1', callId: 'after-cancel' }),
      target,
      listener,
    );
    await listener.signal.until(() => listener.statuses('OPTIONS').includes(200), waitMs, 'the OPTIONS');
    expect(callee.pendingInvites[0]?.state).toBe('confirmed');
    expect(callee.acks).toEqual([]);
  });

  it('reuses the connection a peer opened when sending it a request, instead of dialling back', async () => {
    const endpoint = started(new TestCore());
    const listener = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const peer = await streamPeer(listener.port);
    peer.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'TCP',
        host: '127.0.0.1',
        port: 5060,
        branch: 'z9hG4bK-register',
        callId: 'hello',
      }),
    );
    await peer.signal.until(() => peer.responses('hello').length > 0, waitMs, 'the 200');
    const recorder = new RecordingListener();
    const sent = endpoint.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:phone@127.0.0.1', callId: 'to-phone' }),
      { protocol: 'tcp', address: '127.0.0.1', port: peer.localPort },
      recorder,
    );
    expect(sent.ok).toBe(true);
    await peer.signal.until(
      () => peer.received.some((r) => r.message?.kind === 'request'),
      waitMs,
      'the OPTIONS on the same socket',
    );
    expect(endpoint.stats().connections).toBe(1);
    const request = peer.received.find((r) => r.message?.kind === 'request')?.message;
    expect(request?.kind === 'request' && request.method).toBe('OPTIONS');
  });

  it('reports a transport error when the target refuses the connection', async () => {
    const endpoint = started(new TestCore());
    await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const closed = started(new TestCore());
    const gone = await closed.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    await gone.close();
    const recorder = new RecordingListener();
    const sent = endpoint.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:x@127.0.0.1', callId: 'refused' }),
      { protocol: 'tcp', address: '127.0.0.1', port: gone.port },
      recorder,
    );
    expect(sent.ok).toBe(true);
    await recorder.signal.until(() => recorder.failures.length > 0, waitMs, 'the transport error');
    expect(recorder.failures.map((f) => f.failure)).toEqual(['transport-error']);
    expect(endpoint.stats()).toMatchObject({ clientTransactions: 0, socketErrors: 1, connections: 0 });
  });

  it('returns errors as values for targets it cannot reach', async () => {
    const endpoint = started(new TestCore());
    await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const request = newRequest({ method: 'OPTIONS', uri: 'sip:x@example.com', callId: 'nowhere' });
    const recorder = new RecordingListener();
    const codes = [
      endpoint.sendRequest(request, { protocol: 'udp', address: 'example.com', port: 5060 }, recorder),
      endpoint.sendRequest(request, { protocol: 'udp', address: '::1', port: 5060 }, recorder),
      endpoint.sendRequest(request, { protocol: 'tcp', address: '127.0.0.1', port: 5060 }, recorder),
      endpoint.sendRequest(request, { protocol: 'ws', address: '127.0.0.1', port: 5060 }, recorder),
      endpoint.sendRequest(
        { ...request, method: 'ACK' },
        { protocol: 'udp', address: '127.0.0.1', port: 5060 },
        recorder,
      ),
    ].map((result) => (result.ok ? 'ok' : result.error.code));
    expect(codes).toEqual([
      'SIP_TRANSPORT_INVALID_TARGET',
      'SIP_TRANSPORT_NO_ROUTE',
      'SIP_TRANSPORT_NO_ROUTE',
      'SIP_TRANSPORT_NO_ROUTE',
      'SIP_TRANSPORT_UNSENDABLE_REQUEST',
    ]);
  });

  it('names the sent-by of the listener a transport leaves from, for Contact headers', async () => {
    const endpoint = started(new TestCore());
    const udp = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const tcp = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const udp6 = await endpoint.listen({ protocol: 'udp', host: '::1', port: 0 });
    expect(endpoint.sentByFor('udp', '192.0.2.7')).toBe(`127.0.0.1:${String(udp.port)}`);
    expect(endpoint.sentByFor('udp', '::ffff:192.0.2.7')).toBe(`127.0.0.1:${String(udp.port)}`);
    expect(endpoint.sentByFor('udp', '2001:db8::7')).toBe(`[::1]:${String(udp6.port)}`);
    expect(endpoint.sentByFor('tcp', '192.0.2.7')).toBe(`127.0.0.1:${String(tcp.port)}`);
    // A stream listener of the other family still serves (as when sending), UDP's does not; no listener, none.
    expect(endpoint.sentByFor('tcp', '2001:db8::7')).toBe(`127.0.0.1:${String(tcp.port)}`);
    expect(endpoint.sentByFor('tls', '192.0.2.7')).toBeUndefined();
    expect(endpoint.sentByFor('ws', '192.0.2.7')).toBeUndefined();
  });
});

describe('RFC 5626 flows and keep-alives', () => {
  const stunRequest = (transactionId: Buffer): Buffer =>
    Buffer.concat([Buffer.from('000100002112a442', 'hex'), transactionId]);

  for (const host of ['127.0.0.1', '::1']) {
    it(`answers a STUN Binding request on the SIP UDP port with the source as XOR-MAPPED-ADDRESS on ${host}`, async () => {
      const endpoint = started(new TestCore());
      const listener = await endpoint.listen({ protocol: 'udp', host, port: 0 });
      const peer = await udpPeer(host);
      const transactionId = Buffer.from('0102030405060708090a0b0c', 'hex');
      peer.send(stunRequest(transactionId), listener.port, host);
      await peer.signal.until(() => peer.received.length > 0, waitMs, 'the Binding success response');
      const answer = Buffer.from(peer.received[0]?.bytes ?? []);
      expect(answer.readUInt16BE(0)).toBe(0x0101);
      expect(answer.subarray(8, 20)).toEqual(transactionId);
      expect(answer.readUInt16BE(20)).toBe(0x0020);
      expect(answer[25]).toBe(host === '::1' ? 0x02 : 0x01);
      expect(answer.readUInt16BE(26) ^ 0x2112).toBe(peer.port);
      const key = answer.subarray(4, 20);
      const address = [...answer.subarray(28)].map((octet, i) => octet ^ (key[i] ?? 0));
      expect(address).toEqual(host === '::1' ? [...Array<number>(15).fill(0), 1] : [127, 0, 0, 1]);
      expect(endpoint.stats().keepAlives).toBe(1);
    });
  }

  it('drops malformed STUN without parsing it as SIP, and goes on answering', async () => {
    const endpoint = started(new TestCore());
    const listener = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const peer = await udpPeer();
    const good = stunRequest(Buffer.alloc(12, 7));
    peer.send(good.subarray(0, 12), listener.port); // truncated
    peer.send(Buffer.concat([good.subarray(0, 3), Buffer.from([8]), good.subarray(4)]), listener.port); // length lies
    const response = Buffer.from(good);
    response.writeUInt16BE(0x0101, 0);
    peer.send(response, listener.port); // a response, not a request
    peer.send(good, listener.port);
    await peer.signal.until(() => peer.received.length > 0, waitMs, 'the answer to the good one');
    expect(peer.received).toHaveLength(1);
    expect(peer.received[0]?.bytes.subarray(8, 20)).toEqual(Buffer.alloc(12, 7));
    expect(endpoint.stats().discarded).toEqual({ SIP_TRANSPORT_MALFORMED_STUN: 3 });
  });

  it('knows which flows are open, and sends over a flow-only target only while its connection is open', async () => {
    const endpoint = started(new TestCore());
    const tcp = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    const phone = await streamPeer(tcp.port);
    phone.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'TCP',
        host: '127.0.0.1',
        port: phone.localPort,
        branch: 'z9hG4bK-flow',
        callId: 'flow-options',
      }),
    );
    await phone.signal.until(() => phone.received.length > 0, waitMs, 'the 200 over the flow');
    const flow = { protocol: 'tcp', address: '127.0.0.1', port: phone.localPort, isFlowOnly: true } as const;
    expect(endpoint.hasFlow(flow)).toBe(true);
    expect(endpoint.hasFlow({ protocol: 'udp', address: '127.0.0.1', port: 5060 })).toBe(true);
    expect(endpoint.hasFlow({ protocol: 'udp', address: '::1', port: 5060 })).toBe(false);
    expect(endpoint.hasFlow({ ...flow, port: 1 })).toBe(false);
    phone.socket.destroy();
    // The endpoint learns of the close on a later turn of the event loop.
    const giveUpAt = Date.now() + waitMs;
    while (endpoint.hasFlow(flow) && Date.now() < giveUpAt)
      await new Promise((resolve) => setImmediate(resolve));
    expect(endpoint.hasFlow(flow)).toBe(false);
    const sent = endpoint.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:phone@127.0.0.1', callId: 'to-closed-flow' }),
      flow,
      new RecordingListener(),
    );
    expect(sent).toMatchObject({ ok: false, error: { code: 'SIP_TRANSPORT_NO_ROUTE' } });
    expect(endpoint.stats().connections).toBe(0);
  });
});
