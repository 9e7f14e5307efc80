import type { Socket } from 'node:net';
import { StreamFramer } from '@centralita/sip';
import type { Connection } from './connection.ts';
import { connectionKey, notifyWatchers } from './connection.ts';
import { normalizeAddress } from './ip-address.ts';
import type { TransportHost } from './transport-host.ts';
import type { TransportFailureListener } from './transport-types.ts';
import { reportFailureLater } from './transport-types.ts';

const crlf = Buffer.from('\r\n', 'latin1');
/** How long a connection closed after an error response may take to flush before it is destroyed. */
const closeGraceMs = 2000;

/**
 * A TCP or TLS connection (RFC 3261 §18.3). The domain's `StreamFramer` cuts the byte stream into messages
 * by Content-Length and holds at most one message; CRLFCRLF pings get a CRLF pong (RFC 5626 §3.5.1).
 */
export class SocketConnection implements Connection {
  readonly protocol: 'tcp' | 'tls';
  readonly isReliable = true;
  readonly flow: Connection = this;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly key: string;
  lastActivityMs: number;
  messageStartedMs: number | undefined;
  onClosed: ((connection: Connection) => void) | undefined;
  readonly #host: TransportHost;
  readonly #socket: Socket;
  readonly #framer: StreamFramer;
  readonly #watchers = new Set<TransportFailureListener>();
  #isOpen = true;
  #isClosing = false;

  constructor(
    host: TransportHost,
    socket: Socket,
    protocol: 'tcp' | 'tls',
    remote: { readonly address: string; readonly port: number },
    nowMs: number,
    isInbound: boolean,
  ) {
    this.#host = host;
    this.#socket = socket;
    this.protocol = protocol;
    this.remoteAddress = normalizeAddress(remote.address);
    this.remotePort = remote.port;
    this.key = connectionKey(protocol, this.remoteAddress, this.remotePort);
    this.#framer = new StreamFramer(host.framerLimits);
    this.lastActivityMs = nowMs;
    // An accepted connection must carry its first message within the message timeout too: holding idle
    // new connections open is the cheapest attack there is. Our own connections wait for our requests.
    this.messageStartedMs = isInbound ? nowMs : undefined;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (error) => {
      host.reportSocketError(protocol, error);
    });
    socket.on('close', () => {
      this.#onClose();
    });
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  get localAddress(): string {
    return normalizeAddress(this.#socket.localAddress ?? '');
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  get bufferedBytes(): number {
    return this.#framer.bufferedBytes;
  }

  get hasWatchers(): boolean {
    return this.#watchers.size > 0;
  }

  unwatch(listener: TransportFailureListener): void {
    this.#watchers.delete(listener);
  }

  send(bytes: Uint8Array, _address: string, _port: number, onFailure?: TransportFailureListener): void {
    if (!this.isOpen) {
      if (onFailure !== undefined) reportFailureLater(onFailure);
      return;
    }
    if (onFailure !== undefined) this.#watchers.add(onFailure);
    this.#socket.write(bytes);
    if (this.#socket.writableLength > this.#host.connectionLimits.maxWriteBufferBytes) {
      this.#host.discard('SIP_TRANSPORT_WRITE_BUFFER_FULL', this);
      this.destroy();
    }
  }

  closeAfterFlush(): void {
    if (this.#isClosing || !this.#isOpen) return;
    this.#isClosing = true;
    this.#socket.end();
    // A peer that never closes its side must not hold the socket for ever.
    setTimeout(() => this.#socket.destroy(), closeGraceMs).unref();
    // For SIP the connection is gone now: nothing more is read or sent on it.
    this.#onClose();
  }

  destroy(): void {
    this.#socket.destroy();
    this.#onClose();
  }

  #onData(chunk: Buffer): void {
    if (this.#isClosing) return;
    const nowMs = Date.now();
    this.lastActivityMs = nowMs;
    const output = this.#framer.push(chunk);
    for (let i = 0; i < output.keepAlivePings; i++) this.#socket.write(crlf);
    for (const message of output.messages) {
      // A message before this one may have closed the connection (an error answer).
      if (!this.isOpen) return;
      this.#host.receiveMessage(message, this);
    }
    if (output.error !== undefined) {
      this.#host.answerFramingError(this, output.error);
      return;
    }
    // The message timer runs from a message's first byte to its last (slow-drip senders, RFC 4475 §3.1.2.2).
    if (output.messages.length > 0) {
      this.messageStartedMs = this.#framer.bufferedBytes > 0 ? nowMs : undefined;
    } else if (this.messageStartedMs === undefined && this.#framer.bufferedBytes > 0) {
      this.messageStartedMs = nowMs;
    }
  }

  #onClose(): void {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    notifyWatchers(this.#watchers);
    this.onClosed?.(this);
  }
}
