import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseMessage } from '@centralita/sip';
import { TestCertificateAuthority } from '@centralita/testkit';
import type { SipMessage } from '@centralita/sip';
import { SipEndpoint } from './sip-endpoint.ts';
import { RecordingListener, Signal, TestCore, testPolicy } from './test-core.ts';
import { StreamPeer, newRequest, sipRequest } from './test-peers.ts';
import { selfSignedCertificate } from './test-tools.ts';

const waitMs = 3000;
const certificate = selfSignedCertificate();
const tls = { certPath: certificate.certPath, keyPath: certificate.keyPath };
const closers: { close(): unknown }[] = [];

afterAll(async () => {
  for (const closer of closers.reverse()) await closer.close();
});

function endpoint(options: Partial<ConstructorParameters<typeof SipEndpoint>[0]> = {}): SipEndpoint {
  const created = new SipEndpoint({ transactionUser: new TestCore(), policy: testPolicy, ...options });
  closers.push(created);
  return created;
}

/** A WebSocket client that records the SIP messages it receives (RFC 7118: one per WebSocket message). */
class WebSocketPeer {
  readonly signal = new Signal();
  readonly messages: SipMessage[] = [];
  isClosed = false;
  readonly socket: WebSocket;

  constructor(url: string, protocols: string[], options: { readonly ca?: Buffer } = {}) {
    this.socket = new WebSocket(url, protocols, options.ca === undefined ? {} : { ca: options.ca });
    this.socket.on('message', (data: Buffer) => {
      const parsed = parseMessage(data);
      if (parsed.ok) this.messages.push(parsed.value);
      this.signal.notify();
    });
    this.socket.on('close', () => {
      this.isClosed = true;
      this.signal.notify();
    });
    this.socket.on('error', () => {
      this.isClosed = true;
      this.signal.notify();
    });
    closers.push({
      close: () => {
        this.socket.terminate();
      },
    });
  }

  async opened(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => {
        resolve();
      });
      this.socket.once('error', reject);
    });
  }

  /** Status of the response with this Call-ID, once it came. */
  status(callId: string): number | undefined {
    const found = this.messages.find(
      (message) =>
        message.kind === 'response' &&
        message.headers.some((h) => /^(call-id|i)$/i.test(h.name) && h.value === callId),
    );
    return found?.kind === 'response' ? found.statusCode : undefined;
  }
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  });
  const address = server.address();
  return address !== null && typeof address === 'object' ? address.port : 0;
}

describe('SIP over TLS (RFC 3261 §26.2)', () => {
  it('answers OPTIONS from a TLS client that trusts our certificate, on IPv4 and IPv6', async () => {
    const server = endpoint();
    for (const host of ['127.0.0.1', '::1']) {
      const listener = await server.listen({ protocol: 'tls', host, port: 0, tls });
      const peer = await StreamPeer.connect(listener.port, host, { ca: certificate.cert });
      closers.push(peer);
      peer.send(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TLS',
          host,
          port: 5061,
          branch: `z9hG4bK-tls-${host}`,
          callId: `tls-${host}`,
        }),
      );
      await peer.signal.until(() => peer.responses(`tls-${host}`).length > 0, waitMs, 'the 200 over TLS');
      expect(peer.responses(`tls-${host}`)[0]?.statusCode).toBe(200);
    }
  });

  it('sends requests over TLS to another endpoint, verifying its certificate', async () => {
    const callee = endpoint();
    const calleeListener = await callee.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls });
    const caller = endpoint({ tlsClient: { caPath: certificate.certPath } });
    await caller.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls });
    const recorder = new RecordingListener();
    const target = { protocol: 'tls', address: '127.0.0.1', port: calleeListener.port } as const;
    caller.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:callee@127.0.0.1', callId: 'over-tls' }),
      target,
      recorder,
    );
    await recorder.signal.until(() => recorder.statuses('OPTIONS').length > 0, waitMs, 'the 200');
    expect(recorder.statuses('OPTIONS')).toEqual([200]);
    // A second request reuses the connection.
    caller.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:callee@127.0.0.1', callId: 'over-tls-2' }),
      target,
      recorder,
    );
    await recorder.signal.until(() => recorder.statuses('OPTIONS').length === 2, waitMs, 'the second 200');
    expect(caller.stats().connections).toBe(1);
  });

  it('fails the transaction when the peer certificate is not trusted', async () => {
    const callee = endpoint();
    const calleeListener = await callee.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls });
    const caller = endpoint();
    await caller.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls });
    const recorder = new RecordingListener();
    caller.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:callee@127.0.0.1', callId: 'untrusted' }),
      { protocol: 'tls', address: '127.0.0.1', port: calleeListener.port },
      recorder,
    );
    await recorder.signal.until(() => recorder.failures.length > 0, waitMs, 'the transport error');
    expect(recorder.failures.map((f) => f.failure)).toEqual(['transport-error']);
    expect(caller.stats().socketErrors).toBeGreaterThan(0);
  });
});

/**
 * Connects over TLS to `port` with the client certificate given (if any), sends OPTIONS and tells whether
 * it was answered or the connection was refused (at the handshake, or by an alert right after it: with
 * TLS 1.3 the server checks the client's certificate once the client considers the handshake done).
 */
async function optionsOverTls(
  port: number,
  client: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer },
  callId: string,
): Promise<'answered' | 'refused'> {
  const socket = connectTls({ port, host: '127.0.0.1', ...client });
  closers.push({
    close: () => {
      socket.destroy();
    },
  });
  return new Promise((resolve) => {
    socket.on('error', () => {
      resolve('refused');
    });
    socket.on('close', () => {
      resolve('refused');
    });
    socket.on('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').startsWith('SIP/2.0 200')) resolve('answered');
    });
    socket.once('secureConnect', () => {
      socket.write(
        sipRequest({
          method: 'OPTIONS',
          transport: 'TLS',
          host: '127.0.0.1',
          port: 5061,
          branch: `z9hG4bK-${callId}`,
          callId,
        }),
      );
    });
  });
}

describe('mutual TLS (client certificates)', () => {
  const authority = TestCertificateAuthority.create();
  const server = authority.issue('pbx.test', { dnsNames: ['pbx.test'], ipAddresses: ['127.0.0.1'] });
  const phone = authority.issue('phone-1001');
  const stranger = TestCertificateAuthority.create('Another CA').issue('phone-1001');
  const serverTls = (clientCertificates: 'off' | 'request' | 'require') => ({
    certPath: server.certPath,
    keyPath: server.keyPath,
    caPath: authority.certificate.certPath,
    clientCertificates,
  });

  it("requiring a certificate, accepts a peer whose certificate the CA signed and refuses one without, or with another CA's", async () => {
    const listener = await endpoint().listen({
      protocol: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: serverTls('require'),
    });
    const ca = authority.certificate.cert;
    expect(await optionsOverTls(listener.port, { ca, cert: phone.cert, key: phone.key }, 'mtls-signed')).toBe(
      'answered',
    );
    expect(await optionsOverTls(listener.port, { ca }, 'mtls-none')).toBe('refused');
    expect(
      await optionsOverTls(listener.port, { ca, cert: stranger.cert, key: stranger.key }, 'mtls-stranger'),
    ).toBe('refused');
  });

  it('requesting a certificate, still accepts a peer without one; off, asks for none', async () => {
    const ca = authority.certificate.cert;
    for (const mode of ['request', 'off'] as const) {
      const listener = await endpoint().listen({
        protocol: 'tls',
        host: '127.0.0.1',
        port: 0,
        tls: serverTls(mode),
      });
      expect(await optionsOverTls(listener.port, { ca }, `mtls-${mode}-none`)).toBe('answered');
      expect(
        await optionsOverTls(listener.port, { ca, cert: phone.cert, key: phone.key }, `mtls-${mode}-signed`),
      ).toBe('answered');
    }
  });

  it('presents our certificate on outgoing connections, so a server that requires one accepts us', async () => {
    const carrier = authority.issue('sbc.carrier.test', { dnsNames: ['sbc.carrier.test'] });
    const callee = endpoint();
    const calleeListener = await callee.listen({
      protocol: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: {
        certPath: carrier.certPath,
        keyPath: carrier.keyPath,
        caPath: authority.certificate.certPath,
        clientCertificates: 'require',
      },
    });
    const target = {
      protocol: 'tls',
      address: '127.0.0.1',
      port: calleeListener.port,
      serverName: 'sbc.carrier.test',
    } as const;

    const withCertificate = endpoint({
      tlsClient: {
        caPath: authority.certificate.certPath,
        certPath: server.certPath,
        keyPath: server.keyPath,
      },
    });
    await withCertificate.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls: serverTls('off') });
    const accepted = new RecordingListener();
    withCertificate.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:carrier@sbc.carrier.test', callId: 'mtls-out' }),
      target,
      accepted,
    );
    await accepted.signal.until(() => accepted.statuses('OPTIONS').length > 0, waitMs, 'the 200');
    expect(accepted.statuses('OPTIONS')).toEqual([200]);

    // The same without a certificate of ours: refused by the carrier.
    const without = endpoint({ tlsClient: { caPath: authority.certificate.certPath } });
    await without.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls: serverTls('off') });
    const refused = new RecordingListener();
    without.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:carrier@sbc.carrier.test', callId: 'mtls-out-none' }),
      target,
      refused,
    );
    await refused.signal.until(() => refused.failures.length > 0, waitMs, 'the transport error');
    expect(refused.failures.map((f) => f.failure)).toEqual(['transport-error']);
  });

  it('checks the server certificate against the name it was located by, not its address', async () => {
    const carrier = authority.issue('sbc.carrier.test', { dnsNames: ['sbc.carrier.test'] });
    const callee = endpoint();
    const calleeListener = await callee.listen({
      protocol: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: { certPath: carrier.certPath, keyPath: carrier.keyPath },
    });
    const caller = endpoint({ tlsClient: { caPath: authority.certificate.certPath } });
    await caller.listen({ protocol: 'tls', host: '127.0.0.1', port: 0, tls: serverTls('off') });
    const outcome = async (serverName: string | undefined, callId: string) => {
      const recorder = new RecordingListener();
      caller.sendRequest(
        newRequest({ method: 'OPTIONS', uri: 'sip:carrier@sbc.carrier.test', callId }),
        {
          protocol: 'tls',
          address: '127.0.0.1',
          port: calleeListener.port,
          ...(serverName === undefined ? {} : { serverName }),
        },
        recorder,
      );
      await recorder.signal.until(
        () => recorder.responses.length + recorder.failures.length > 0,
        waitMs,
        'an outcome',
      );
      return recorder.failures.length > 0 ? 'transport-error' : recorder.statuses('OPTIONS')[0];
    };
    // The certificate names sbc.carrier.test only: the address alone does not match it, nor another name.
    expect(await outcome(undefined, 'name-none')).toBe('transport-error');
    expect(await outcome('other.carrier.test', 'name-other')).toBe('transport-error');
    expect(await outcome('sbc.carrier.test', 'name-right')).toBe(200);
  });
});

describe('SIP over WebSocket (RFC 7118)', () => {
  let server: SipEndpoint;
  let wsPort: number;
  const core = new TestCore();

  beforeAll(async () => {
    server = endpoint({ transactionUser: core });
    wsPort = (await server.listen({ protocol: 'ws', host: '127.0.0.1', port: 0, path: '/sip' })).port;
  });

  it('answers OPTIONS from a client that asks for the "sip" sub-protocol', async () => {
    const peer = new WebSocketPeer(`ws://127.0.0.1:${wsPort}/sip`, ['sip']);
    await peer.opened();
    expect(peer.socket.protocol).toBe('sip');
    // Browsers write a .invalid sent-by (RFC 7118 §5.2): the answer goes back over the connection.
    peer.socket.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'WS',
        host: 'df7jal23ls0d.invalid',
        port: 5060,
        branch: 'z9hG4bK-ws',
        callId: 'ws',
      }).toString('utf8'),
    );
    await peer.signal.until(() => peer.status('ws') !== undefined, waitMs, 'the 200 over WebSocket');
    expect(peer.status('ws')).toBe(200);
  });

  it('refuses a WebSocket client that does not offer the "sip" sub-protocol', async () => {
    const peer = new WebSocketPeer(`ws://127.0.0.1:${wsPort}/sip`, ['chat']);
    let status: number | undefined;
    peer.socket.on('unexpected-response', (_request, response) => {
      status = response.statusCode;
      peer.socket.terminate();
    });
    await peer.signal.until(() => peer.isClosed, waitMs, 'the refusal');
    expect(status).toBe(400);
    expect(server.stats().discarded.SIP_TRANSPORT_WEBSOCKET_PROTOCOL_REQUIRED).toBe(1);
  });

  it('sends requests to a WebSocket client over its open connection', async () => {
    const peer = new WebSocketPeer(`ws://127.0.0.1:${wsPort}/sip`, ['sip']);
    await peer.opened();
    peer.socket.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'WS',
        host: 'client.invalid',
        port: 5060,
        branch: 'z9hG4bK-hello',
        callId: 'hello',
      }).toString('utf8'),
    );
    await peer.signal.until(() => peer.status('hello') !== undefined, waitMs, 'the 200');
    // The flow the client's request came on is the only way back to it (a registrar keeps it).
    const flow = core.sources.at(-1);
    if (flow === undefined) throw new Error('the core saw no request');
    const recorder = new RecordingListener();
    const target = { protocol: flow.protocol, address: flow.remoteAddress, port: flow.remotePort };
    const sent = server.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:agent@client.invalid', callId: 'to-browser' }),
      target,
      recorder,
    );
    expect(sent.ok).toBe(true);
    await peer.signal.until(
      () => peer.messages.some((m) => m.kind === 'request'),
      waitMs,
      'the OPTIONS at the client',
    );
    const request = peer.messages.find((m) => m.kind === 'request');
    expect(request?.kind === 'request' && request.method).toBe('OPTIONS');
    expect(request?.headers.find((h) => h.name === 'Via')?.value).toMatch(
      /^SIP\/2.0\/WS 127.0.0.1:\d+;branch=z9hG4bK/,
    );
  });

  it('opens a WebSocket to a SIP server itself, as a browser phone does, and says why when the server is not one', async () => {
    const client = endpoint();
    const connected = await client.connectWebSocket(`ws://127.0.0.1:${wsPort}/sip`);
    if (!connected.ok) throw new Error(connected.error.message);
    expect(connected.value.target).toEqual({ protocol: 'ws', address: '127.0.0.1', port: wsPort });
    const recorder = new RecordingListener();
    const sent = client.sendRequest(
      newRequest({ method: 'OPTIONS', uri: 'sip:server@127.0.0.1', callId: 'from-browser' }),
      connected.value.target,
      recorder,
    );
    expect(sent.ok).toBe(true);
    await recorder.signal.until(() => recorder.statuses('OPTIONS').length > 0, waitMs, 'the 200');
    expect(recorder.statuses('OPTIONS')).toEqual([200]);
    // Our Via names the connection's own end: the client has no listener.
    const received = core.sources.at(-1);
    expect(received?.remotePort).toBe(connected.value.localPort);

    const http = createHttpServer((_request, response) => {
      response.end('not SIP');
    });
    const port = await listening(http);
    const refused = await client.connectWebSocket(`ws://127.0.0.1:${port}/sip`);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('SIP_TRANSPORT_NO_ROUTE');
      expect(refused.error.message).toContain(`ws://127.0.0.1:${port}/sip`);
    }
    await client.close();
    http.close();
  });

  it('serves on a path of an HTTP server the application owns, leaving other paths alone', async () => {
    const http = createHttpServer((_request, response) => {
      response.end('not SIP');
    });
    const port = await listening(http);
    const attached = endpoint();
    attached.attachWebSocket(http, { path: '/sip' });
    const peer = new WebSocketPeer(`ws://127.0.0.1:${port}/sip`, ['sip']);
    await peer.opened();
    peer.socket.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'WS',
        host: 'c.invalid',
        port: 5060,
        branch: 'z9hG4bK-app',
        callId: 'app',
      }).toString('utf8'),
    );
    await peer.signal.until(() => peer.status('app') !== undefined, waitMs, 'the 200');
    expect(peer.status('app')).toBe(200);
    const response = await fetch(`http://127.0.0.1:${port}/other`);
    expect(await response.text()).toBe('not SIP');
  });

  it('serves WSS on an HTTPS server', async () => {
    const https = createHttpsServer({
      cert: certificate.cert,
      key: (await import('node:fs')).readFileSync(certificate.keyPath),
    });
    const port = await listening(https);
    const attached = endpoint();
    const listener = attached.attachWebSocket(https, { path: '/ws' });
    expect(listener.protocol).toBe('wss');
    const peer = new WebSocketPeer(`wss://127.0.0.1:${port}/ws`, ['sip'], { ca: certificate.cert });
    await peer.opened();
    peer.socket.send(
      sipRequest({
        method: 'OPTIONS',
        transport: 'WSS',
        host: 'c.invalid',
        port: 5061,
        branch: 'z9hG4bK-wss',
        callId: 'wss',
      }).toString('utf8'),
    );
    await peer.signal.until(() => peer.status('wss') !== undefined, waitMs, 'the 200 over WSS');
    expect(peer.status('wss')).toBe(200);
  });
});
