import type { Socket as DatagramSocket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { SipMessage, SipRequest, SipResponse } from '@centralita/sip';
import { StreamFramer, headerValue, parseMessage, parseUri } from '@centralita/sip';
import { Signal } from './test-core.ts';

/** Test support (not exported): a message a peer received, and when. */
export interface Received {
  readonly bytes: Uint8Array;
  readonly atMs: number;
  /**
   * The message, read leniently when it does not parse: an answer to a malformed request copies its
   * malformed headers (RFC 3261 §8.2.6.2), so the strict parser would refuse it.
   */
  readonly message: SipMessage | undefined;
}

/** Reads a response whose headers the strict parser refuses: status line and raw header lines. */
function readLeniently(bytes: Uint8Array): SipMessage | undefined {
  const text = Buffer.from(bytes).toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end < 0 ? text.length : end).split('\r\n');
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (status === null) return undefined;
  const headers = lines.slice(1).flatMap((line) => {
    const colon = line.indexOf(':');
    return colon < 0 ? [] : [{ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }];
  });
  return {
    kind: 'response',
    statusCode: Number(status[1]),
    reasonPhrase: status[2] ?? '',
    headers,
    body: new Uint8Array(0),
  };
}

function readMessage(bytes: Uint8Array, framing: 'datagram' | 'stream'): SipMessage | undefined {
  const parsed = parseMessage(bytes, { framing });
  return parsed.ok ? parsed.value : readLeniently(bytes);
}

/** The Call-ID of a message, or '' when it has none. */
export function callIdOf(message: SipMessage | undefined): string {
  return message === undefined ? '' : (headerValue(message.headers, 'call-id') ?? '');
}

/** The message as a response, or undefined. */
export function asResponse(received: Received): SipResponse | undefined {
  return received.message?.kind === 'response' ? received.message : undefined;
}

/** Options of `sipRequest`: enough to write the requests the tests send. */
export interface RequestSpec {
  readonly method: string;
  readonly uri?: string;
  readonly transport: string;
  readonly host: string;
  readonly port: number;
  readonly branch: string;
  readonly callId: string;
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly isRportRequested?: boolean;
  readonly extraHeaders?: readonly string[];
  readonly body?: string;
}

/** Writes a request with CRLF line ends and a true Content-Length. */
export function sipRequest(spec: RequestSpec): Buffer {
  const hostPart = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  const body = spec.body ?? '';
  const lines = [
    `${spec.method} ${spec.uri ?? 'sip:core@example.com'} SIP/2.0`,
    `Via: SIP/2.0/${spec.transport} ${hostPart}:${spec.port};branch=${spec.branch}${spec.isRportRequested === true ? ';rport' : ''}`,
    'Max-Forwards: 70',
    `From: <sip:tester@example.com>;tag=${spec.fromTag ?? 'tester-tag'}`,
    `To: <sip:core@example.com>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? spec.method}`,
    ...(spec.extraHeaders ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** An SDP offer like the one SIPp's built-in UAC sends. */
export function sdpOffer(address: string, port: number): string {
  return [
    'v=0',
    `o=tester 1 1 IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');
}

/** A UDP socket on loopback that records what arrives. */
export class UdpPeer {
  readonly signal = new Signal();
  readonly received: Received[] = [];
  readonly #socket: DatagramSocket;

  private constructor(socket: DatagramSocket) {
    this.#socket = socket;
    socket.on('message', (bytes: Buffer) => {
      this.received.push({ bytes, atMs: Date.now(), message: readMessage(bytes, 'datagram') });
      this.signal.notify();
    });
  }

  static async bind(host = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(bytes: Uint8Array, port: number, host = '127.0.0.1'): void {
    this.#socket.send(bytes, port, host);
  }

  /** Responses with this Call-ID. */
  responses(callId: string): SipResponse[] {
    return this.received.flatMap((r) =>
      r.message?.kind === 'response' && callIdOf(r.message) === callId ? [r.message] : [],
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#socket.close(() => {
        resolve();
      });
    });
  }
}

/** A TCP or TLS client connection that frames what arrives like the endpoint does. */
export class StreamPeer {
  readonly signal = new Signal();
  readonly received: Received[] = [];
  /** Bytes outside messages (CRLF pongs). */
  pongBytes = 0;
  isClosed = false;
  readonly socket: Socket;
  readonly #framer = new StreamFramer();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (chunk.toString('latin1') === '\r\n'.repeat(chunk.length / 2)) this.pongBytes += chunk.length;
      const output = this.#framer.push(chunk);
      for (const bytes of output.messages) {
        this.received.push({ bytes, atMs: Date.now(), message: readMessage(bytes, 'stream') });
      }
      this.signal.notify();
    });
    socket.on('error', () => {
      // A reset from the server is what some tests provoke; 'close' follows.
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.signal.notify();
    });
  }

  static async connect(port: number, host = '127.0.0.1', tls?: { readonly ca: Buffer }): Promise<StreamPeer> {
    const socket = tls === undefined ? connectTcp({ port, host }) : connectTls({ port, host, ca: tls.ca });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new StreamPeer(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  send(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  responses(callId: string): SipResponse[] {
    return this.received.flatMap((r) =>
      r.message?.kind === 'response' && callIdOf(r.message) === callId ? [r.message] : [],
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A request as a core would hand it to `sendRequest`: no Via (the endpoint adds ours). */
export function newRequest(spec: {
  readonly method: string;
  readonly uri: string;
  readonly callId: string;
  readonly cseq?: number;
  readonly toTag?: string;
  readonly body?: string;
}): SipRequest {
  const requestUri = parseUri(spec.uri);
  if (requestUri === undefined) throw new Error(`bad test URI ${spec.uri}`);
  const headers = [
    { name: 'From', value: '<sip:caller@example.com>;tag=caller-tag' },
    { name: 'To', value: `<${spec.uri}>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}` },
    { name: 'Call-ID', value: spec.callId },
    { name: 'CSeq', value: `${spec.cseq ?? 1} ${spec.method}` },
    { name: 'Contact', value: '<sip:caller@127.0.0.1>' },
    ...(spec.body === undefined ? [] : [{ name: 'Content-Type', value: 'application/sdp' }]),
  ];
  return {
    kind: 'request',
    method: spec.method,
    requestUri,
    headers,
    body: Buffer.from(spec.body ?? '', 'utf8'),
  };
}
