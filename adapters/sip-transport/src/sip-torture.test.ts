import { afterAll, describe, expect, it } from 'vitest';
import type { SipHeader } from '@centralita/sip';
import { StreamFramer, classifyIncoming, headerValue, parseMessage, transactionKey } from '@centralita/sip';
import type { DiscardCode } from './transport-types.ts';
import { SipEndpoint } from './sip-endpoint.ts';
import { Signal, TestCore, testPolicy } from './test-core.ts';
import type { Received } from './test-peers.ts';
import { StreamPeer, UdpPeer, asResponse, sipRequest } from './test-peers.ts';
import { freeUdpPort } from '@centralita/testkit';
import { runSipp } from './test-tools.ts';
import type { TortureMessage } from './torture-corpus.ts';
import { loadTortureCorpus } from './torture-corpus.ts';

const corpus = loadTortureCorpus();

/** What the endpoint must do with one torture message, as domain/sip's own functions decide it. */
type Outcome =
  | { readonly kind: 'respond'; readonly status: number; readonly reason: string; readonly closes: boolean }
  /** The transaction user answers it; on a stream, framing may break right after it. */
  | { readonly kind: 'process'; readonly closes: boolean }
  | { readonly kind: 'drop'; readonly code: DiscardCode }
  /** Stream only: the message never completes, so the connection is closed by the message timer. */
  | { readonly kind: 'time-out' }
  /** Stream only: framing is lost and nothing can be answered: the connection is closed. */
  | { readonly kind: 'close' };

/** Over UDP: `classifyIncoming` on the datagram; a valid response matches no transaction of ours. */
function datagramOutcome(bytes: Uint8Array): Outcome {
  const result = parseMessage(bytes);
  const verdict = classifyIncoming(result, testPolicy);
  switch (verdict.action) {
    case 'respond':
      return { kind: 'respond', status: verdict.statusCode, reason: verdict.reasonPhrase, closes: false };
    case 'drop':
      return { kind: 'drop', code: verdict.code };
    case 'process':
      return verdict.message.kind === 'response'
        ? { kind: 'drop', code: 'SIP_TRANSPORT_STRAY_RESPONSE' }
        : { kind: 'process', closes: false };
  }
}

/** True when a header section the framer gave up on still names a request we can answer (it has a Via). */
function isAnswerable(headerBytes: Uint8Array | undefined): boolean {
  if (headerBytes === undefined) return false;
  const result = parseMessage(headerBytes);
  const request = result.ok
    ? result.value.kind === 'request'
      ? result.value
      : undefined
    : result.error.request;
  return (
    request !== undefined && request.method !== 'ACK' && headerValue(request.headers, 'via') !== undefined
  );
}

/**
 * Over TCP: the domain's `StreamFramer` first (RFC 3261 §18.3 framing), then `classifyIncoming` on the
 * first message. A framing error after it (dblreq's trailing octets) closes the connection too.
 */
function streamOutcome(bytes: Uint8Array): Outcome {
  const output = new StreamFramer().push(bytes);
  const first = output.messages[0];
  if (first === undefined) {
    if (output.error === undefined) return { kind: 'time-out' };
    // The header section was read: the endpoint answers with it, then closes (the framing is lost).
    return isAnswerable(output.error.headerBytes)
      ? { kind: 'respond', status: output.error.statusCode, reason: output.error.reasonPhrase, closes: true }
      : { kind: 'close' };
  }
  const isBroken = output.error !== undefined;
  const verdict = classifyIncoming(parseMessage(first, { framing: 'stream' }), testPolicy, {
    isStream: true,
  });
  switch (verdict.action) {
    case 'respond':
      return {
        kind: 'respond',
        status: verdict.statusCode,
        reason: verdict.reasonPhrase,
        closes: verdict.shouldCloseConnection || isBroken,
      };
    case 'drop':
      return { kind: 'drop', code: verdict.code };
    case 'process':
      return verdict.message.kind === 'response'
        ? { kind: 'drop', code: 'SIP_TRANSPORT_STRAY_RESPONSE' }
        : { kind: 'process', closes: isBroken };
  }
}

/** The header fields of a request as far as it could be read (to match its response by Call-ID and CSeq). */
function readableHeaders(bytes: Uint8Array): readonly SipHeader[] {
  const result = parseMessage(bytes);
  if (result.ok) return result.value.headers;
  return result.error.request?.headers ?? [];
}

function matchKey(headers: readonly SipHeader[]): string {
  return `${headerValue(headers, 'call-id') ?? ''}|${headerValue(headers, 'cseq') ?? ''}`;
}

function finalResponseAfter(received: readonly Received[], from: number, key: string) {
  for (const entry of received.slice(from)) {
    const response = asResponse(entry);
    if (response !== undefined && response.statusCode >= 200 && matchKey(response.headers) === key)
      return response;
  }
  return undefined;
}

/** Checks our verdict against the behaviour expectations.tsv records for the file. */
function isDocumented(message: TortureMessage, outcome: Outcome): boolean {
  const text = message.expectedBehaviour;
  switch (outcome.kind) {
    case 'respond':
      return text.includes(String(outcome.status));
    case 'drop':
      return /drop|discard|ignore/.test(text);
    case 'process':
      // Accepting is right unless the row asks only for an error status.
      return (
        !/\b[1-6]\d\d\b/.test(text) ||
        /liberal|accept|fall back|never 400|normally|should not|challenge/.test(text)
      );
    case 'time-out':
      return /close connection after timeout/.test(text);
    case 'close':
      return /close|400/.test(text);
  }
}

/** An endpoint with the test core that records discards, for one barrage. */
function barrageEndpoint() {
  const core = new TestCore();
  const discards = new Map<DiscardCode, number>();
  const signal = new Signal();
  const endpoint = new SipEndpoint({
    transactionUser: core,
    policy: testPolicy,
    // The corpus Vias name hosts like 192.0.2.1:5060: answer at the source port, as for phones behind NAT.
    isRportForced: true,
    connectionLimits: { messageTimeoutMs: 300 },
    onDiscard: (code) => {
      discards.set(code, (discards.get(code) ?? 0) + 1);
      signal.notify();
    },
  });
  return { core, endpoint, discards, signal };
}

const waitMs = 3000;

describe('the torture corpus (RFC 4475, RFC 5118) sent to a running endpoint', () => {
  const endpoints: SipEndpoint[] = [];
  afterAll(async () => {
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  });

  it('decides every file as expectations.tsv asks, for datagrams and streams', () => {
    expect(corpus).toHaveLength(62);
    for (const message of corpus) {
      expect(isDocumented(message, datagramOutcome(message.bytes)), `${message.file} over UDP`).toBe(true);
      const stream = streamOutcome(message.bytes);
      // Over a stream RFC 3261 §18.3 requires Content-Length: inv2543 (RFC 2543 style, none) is then a framing error.
      if (message.file !== 'rfc4475/inv2543.dat') {
        expect(isDocumented(message, stream), `${message.file} over TCP`).toBe(true);
      }
    }
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`over UDP on ${host}: answers, processes or drops each message, and still serves calls`, async () => {
      const { core, endpoint, discards, signal } = barrageEndpoint();
      endpoints.push(endpoint);
      const listener = await endpoint.listen({ protocol: 'udp', host, port: 0 });
      const peer = await UdpPeer.bind(host);
      // A SIPp call placed while the barrage runs (IPv4 only; SIPp's IPv6 needs more setup than it proves).
      const call =
        host === '127.0.0.1'
          ? runSipp(
              [
                '-sn',
                'uac',
                `127.0.0.1:${listener.port}`,
                '-i',
                '127.0.0.1',
                '-mp',
                String(await freeUdpPort()),
                '-nostdin',
                '-m',
                '5',
                '-r',
                '10',
                '-timeout',
                '20s',
                '-timeout_error',
              ],
              30_000,
            )
          : undefined;
      const keyOfTransaction = new Map<string, { readonly key: string; readonly method: string }>();
      for (const message of corpus) {
        const outcome = datagramOutcome(message.bytes);
        const parsed = parseMessage(message.bytes);
        let key = matchKey(readableHeaders(message.bytes));
        // Several corpus files reuse a branch and sent-by: by RFC 3261 §17.2.3 the later one is a
        // retransmission and gets the earlier transaction's response again.
        // (The key comes from the CSeq method, so it must also be the same request method: mismatch01.)
        const request = parsed.ok && parsed.value.kind === 'request' ? parsed.value : undefined;
        const transaction = request === undefined ? undefined : transactionKey(request);
        if (request !== undefined && transaction !== undefined) {
          const earlier = keyOfTransaction.get(transaction);
          if (earlier === undefined) keyOfTransaction.set(transaction, { key, method: request.method });
          else if (earlier.method === request.method) key = earlier.key;
        }
        const from = peer.received.length;
        const dropsBefore = outcome.kind === 'drop' ? (discards.get(outcome.code) ?? 0) : 0;
        peer.send(message.bytes, listener.port, host);
        switch (outcome.kind) {
          case 'respond': {
            await peer.signal.until(
              () => finalResponseAfter(peer.received, from, key) !== undefined,
              waitMs,
              message.file,
            );
            const response = finalResponseAfter(peer.received, from, key);
            expect([response?.statusCode, response?.reasonPhrase], message.file).toEqual([
              outcome.status,
              outcome.reason,
            ]);
            break;
          }
          case 'process': {
            await peer.signal.until(
              () => finalResponseAfter(peer.received, from, key) !== undefined,
              waitMs,
              message.file,
            );
            const response = finalResponseAfter(peer.received, from, key);
            const callId = key.split('|')[0];
            const answered = core.answered.findLast((record) => record.callId === callId);
            expect(response?.statusCode, message.file).toBe(answered?.status);
            break;
          }
          case 'drop':
            await signal.until(() => (discards.get(outcome.code) ?? 0) > dropsBefore, waitMs, message.file);
            break;
          case 'time-out':
          case 'close':
            throw new Error('a datagram has no connection to close');
        }
      }
      if (call !== undefined) {
        const run = await call;
        expect(run.exitCode, run.stdout.slice(-2000)).toBe(0);
      }
      // An OPTIONS after the barrage is served as usual, and nothing ever threw on the receive path.
      const after = sipRequest({
        method: 'OPTIONS',
        transport: 'UDP',
        host,
        port: peer.port,
        branch: 'z9hG4bK-after',
        callId: 'after-barrage',
      });
      peer.send(after, listener.port, host);
      await peer.signal.until(
        () => peer.responses('after-barrage').length > 0,
        waitMs,
        'the OPTIONS after the barrage',
      );
      expect(peer.responses('after-barrage')[0]?.statusCode).toBe(200);
      expect(discards.get('SIP_TRANSPORT_RECEIVE_FAILED')).toBeUndefined();
      await peer.close();
    });

    it(`over TCP on ${host}: answers, processes, drops or cuts off each message on its own connection`, async () => {
      const { core, endpoint, discards, signal } = barrageEndpoint();
      endpoints.push(endpoint);
      const listener = await endpoint.listen({ protocol: 'tcp', host, port: 0 });
      // One long-lived connection takes an OPTIONS before and after the barrage.
      const steady = await StreamPeer.connect(listener.port, host);
      steady.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TCP',
          host,
          port: 5060,
          branch: 'z9hG4bK-before',
          callId: 'before-barrage',
        }),
      );
      await steady.signal.until(
        () => steady.responses('before-barrage').length > 0,
        waitMs,
        'the OPTIONS before the barrage',
      );
      for (const message of corpus) {
        const outcome = streamOutcome(message.bytes);
        const framed = new StreamFramer().push(message.bytes);
        const headerBytes = framed.messages[0] ?? framed.error?.headerBytes ?? message.bytes;
        const key = matchKey(readableHeaders(headerBytes));
        const peer = await StreamPeer.connect(listener.port, host);
        const dropsBefore = outcome.kind === 'drop' ? (discards.get(outcome.code) ?? 0) : 0;
        const timeoutsBefore = discards.get('SIP_TRANSPORT_MESSAGE_TIMEOUT') ?? 0;
        peer.send(message.bytes);
        switch (outcome.kind) {
          case 'respond': {
            await peer.signal.until(
              () => finalResponseAfter(peer.received, 0, key) !== undefined,
              waitMs,
              message.file,
            );
            const response = finalResponseAfter(peer.received, 0, key);
            expect([response?.statusCode, response?.reasonPhrase], message.file).toEqual([
              outcome.status,
              outcome.reason,
            ]);
            if (outcome.closes)
              await peer.signal.until(() => peer.isClosed, waitMs, `${message.file}: the close`);
            break;
          }
          case 'process': {
            await peer.signal.until(
              () => finalResponseAfter(peer.received, 0, key) !== undefined,
              waitMs,
              message.file,
            );
            const response = finalResponseAfter(peer.received, 0, key);
            const callId = key.split('|')[0];
            expect(response?.statusCode, message.file).toBe(
              core.answered.findLast((r) => r.callId === callId)?.status,
            );
            if (outcome.closes)
              await peer.signal.until(() => peer.isClosed, waitMs, `${message.file}: the close`);
            else expect(peer.isClosed, message.file).toBe(false);
            break;
          }
          case 'drop':
            await signal.until(() => (discards.get(outcome.code) ?? 0) > dropsBefore, waitMs, message.file);
            break;
          case 'time-out':
            // RFC 4475 §3.1.2.2 (clerr): wait for the rest, then close the connection after a timeout.
            await peer.signal.until(() => peer.isClosed, waitMs, `${message.file}: the close`);
            expect(peer.received, message.file).toEqual([]);
            expect(discards.get('SIP_TRANSPORT_MESSAGE_TIMEOUT')).toBe(timeoutsBefore + 1);
            break;
          case 'close':
            await peer.signal.until(() => peer.isClosed, waitMs, `${message.file}: the close`);
            expect(peer.received, message.file).toEqual([]);
            break;
        }
        peer.close();
      }
      steady.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TCP',
          host,
          port: 5060,
          branch: 'z9hG4bK-after',
          callId: 'after-barrage',
        }),
      );
      await steady.signal.until(
        () => steady.responses('after-barrage').length > 0,
        waitMs,
        'the OPTIONS after the barrage',
      );
      expect(steady.responses('after-barrage')[0]?.statusCode).toBe(200);
      expect(discards.get('SIP_TRANSPORT_RECEIVE_FAILED')).toBeUndefined();
      steady.close();
    });
  }
});
