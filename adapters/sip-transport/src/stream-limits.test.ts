import { afterAll, describe, expect, it } from 'vitest';
import { defaultFramerLimits } from '@centralita/sip';
import type { DiscardCode } from './transport-types.ts';
import { SipEndpoint } from './sip-endpoint.ts';
import { Signal, TestCore, testPolicy } from './test-core.ts';
import { StreamPeer, sipRequest } from './test-peers.ts';

const waitMs = 3000;
const messageTimeoutMs = 200;

/** An endpoint with short stream timers and a small connection limit; it reports every discard. */
async function guarded(
  options: {
    readonly idleTimeoutMs?: number;
    readonly maxConnections?: number;
    readonly messageTimeoutMs?: number;
  } = {},
) {
  const discards: DiscardCode[] = [];
  const signal = new Signal();
  const endpoint = new SipEndpoint({
    transactionUser: new TestCore(),
    policy: testPolicy,
    connectionLimits: {
      messageTimeoutMs: options.messageTimeoutMs ?? messageTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxConnections: options.maxConnections ?? 100,
    },
    onDiscard: (code) => {
      discards.push(code);
      signal.notify();
    },
  });
  const listener = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
  return { endpoint, port: listener.port, discards, signal };
}

const endpoints: SipEndpoint[] = [];
const peers: StreamPeer[] = [];
afterAll(async () => {
  for (const peer of peers) peer.close();
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

async function connect(port: number): Promise<StreamPeer> {
  const peer = await StreamPeer.connect(port);
  peers.push(peer);
  return peer;
}

describe('stream connections are bounded in time and memory', () => {
  it('cuts off a slow-drip sender that never completes its message', async () => {
    const { endpoint, port, discards } = await guarded();
    endpoints.push(endpoint);
    const peer = await connect(port);
    const message = sipRequest({
      method: 'OPTIONS',
      transport: 'TCP',
      host: '127.0.0.1',
      port: 5060,
      branch: 'z9hG4bK-drip',
      callId: 'drip',
    });
    let sent = 0;
    let maxBuffered = 0;
    // One byte every 10 ms: the message would need seconds, the limit is 200 ms from its first byte.
    const drip = setInterval(() => {
      if (peer.isClosed || sent >= message.length) return;
      peer.send(message.subarray(sent, sent + 1));
      sent++;
      maxBuffered = Math.max(maxBuffered, endpoint.stats().bufferedBytes);
    }, 10);
    try {
      await peer.signal.until(() => peer.isClosed, waitMs, 'the server to close the connection');
    } finally {
      clearInterval(drip);
    }
    expect(sent).toBeLessThan(message.length);
    expect(discards).toEqual(['SIP_TRANSPORT_MESSAGE_TIMEOUT']);
    expect(peer.received).toEqual([]);
    expect(maxBuffered).toBeLessThanOrEqual(sent);
    expect(endpoint.stats().connections).toBe(0);
  });

  it('answers 413 to a message whose Content-Length is beyond the limit, without reading the body, and closes', async () => {
    const { endpoint, port, discards } = await guarded();
    endpoints.push(endpoint);
    const peer = await connect(port);
    const head = sipRequest({
      method: 'MESSAGE',
      transport: 'TCP',
      host: '127.0.0.1',
      port: 5060,
      branch: 'z9hG4bK-big',
      callId: 'big',
    })
      .toString('latin1')
      .replace('Content-Length: 0', `Content-Length: ${10 * defaultFramerLimits.maxMessageBytes}`);
    peer.send(head);
    peer.send(Buffer.alloc(8192, 0x61));
    await peer.signal.until(() => peer.isClosed, waitMs, 'the close');
    expect(peer.responses('big').map((r) => [r.statusCode, r.reasonPhrase])).toEqual([
      [413, 'Request Entity Too Large'],
    ]);
    expect(discards).toEqual(['SIP_MESSAGE_TOO_LARGE']);
    expect(endpoint.stats()).toMatchObject({ connections: 0, bufferedBytes: 0 });
  });

  it('closes a connection whose header section outgrows the limit (no header to answer with)', async () => {
    const { endpoint, port, discards } = await guarded();
    endpoints.push(endpoint);
    const peer = await connect(port);
    peer.send('OPTIONS sip:core@example.com SIP/2.0\r\n');
    for (let i = 0; i < 400; i++) peer.send(`X-Padding-${i}: ${'y'.repeat(60)}\r\n`);
    await peer.signal.until(() => peer.isClosed, waitMs, 'the close');
    expect(discards).toEqual(['SIP_HEADER_SECTION_TOO_LARGE']);
    expect(peer.received).toEqual([]);
  });

  it('holds at most one partial message per connection, and refuses connections beyond the limit', async () => {
    const { endpoint, port, discards, signal } = await guarded({ maxConnections: 5, messageTimeoutMs: 500 });
    endpoints.push(endpoint);
    const open: StreamPeer[] = [];
    for (let i = 0; i < 5; i++) {
      const peer = await connect(port);
      // 12 KiB of an unfinished header section on each.
      peer.send(`OPTIONS sip:core@example.com SIP/2.0\r\nX-Fill: ${'z'.repeat(12 * 1024)}`);
      open.push(peer);
    }
    const refused = await connect(port);
    await refused.signal.until(() => refused.isClosed, waitMs, 'the sixth connection refused');
    await signal.until(
      () => discards.includes('SIP_TRANSPORT_CONNECTION_LIMIT'),
      waitMs,
      'the refusal counted',
    );
    // Sent before the sixth connection: the five partial header sections are held, each below the limit.
    expect(endpoint.stats().bufferedBytes).toBeGreaterThan(5 * 12 * 1024);
    expect(endpoint.stats().bufferedBytes).toBeLessThanOrEqual(5 * defaultFramerLimits.maxHeaderBytes);
    // The stalled ones are then cut off by the message timer, and everything is released.
    await Promise.all(
      open.map((peer) => peer.signal.until(() => peer.isClosed, waitMs, 'a stalled connection closed')),
    );
    expect(discards.filter((code) => code === 'SIP_TRANSPORT_MESSAGE_TIMEOUT')).toHaveLength(5);
    expect(endpoint.stats()).toMatchObject({ connections: 0, bufferedBytes: 0 });
  });

  it('closes a connection that stays idle after its messages, and keeps one that pings', async () => {
    const { endpoint, port, discards } = await guarded({ idleTimeoutMs: 150 });
    endpoints.push(endpoint);
    const quiet = await connect(port);
    const chatty = await connect(port);
    for (const [peer, callId] of [
      [quiet, 'quiet'],
      [chatty, 'chatty'],
    ] as const) {
      peer.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TCP',
          host: '127.0.0.1',
          port: 5060,
          branch: `z9hG4bK-${callId}`,
          callId,
        }),
      );
      await peer.signal.until(() => peer.responses(callId).length > 0, waitMs, `the 200 on ${callId}`);
    }
    const ping = setInterval(() => {
      chatty.send('\r\n\r\n');
    }, 40);
    try {
      await quiet.signal.until(() => quiet.isClosed, waitMs, 'the idle connection closed');
    } finally {
      clearInterval(ping);
    }
    expect(discards).toEqual(['SIP_TRANSPORT_IDLE_TIMEOUT']);
    expect(chatty.isClosed).toBe(false);
    expect(chatty.pongBytes).toBeGreaterThan(0);
  });
});
