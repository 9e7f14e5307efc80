import { isUtf8 } from 'node:buffer';
import type { RawData, WebSocket } from 'ws';
import type { Connection } from './connection.ts';
import { connectionKey, notifyWatchers } from './connection.ts';
import { normalizeAddress } from './ip-address.ts';
import type { TransportHost } from './transport-host.ts';
import type { TransportFailureListener } from './transport-types.ts';
import { reportFailureLater } from './transport-types.ts';

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * A WebSocket connection carrying SIP (RFC 7118): each WebSocket message is one SIP message, so no stream
 * framer is needed and Content-Length is optional (§5.2). The `ws` library bounds a message by
 * `maxPayload` (the framer's `maxMessageBytes`).
 */
export class WebSocketConnection implements Connection {
  readonly protocol: 'ws' | 'wss';
  readonly isReliable = true;
  readonly flow: Connection = this;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly key: string;
  readonly bufferedBytes = 0;
  readonly messageStartedMs = undefined;
  lastActivityMs: number;
  onClosed: ((connection: Connection) => void) | undefined;
  readonly #host: TransportHost;
  readonly #socket: WebSocket;
  readonly #watchers = new Set<TransportFailureListener>();
  #isOpen = true;

  constructor(
    host: TransportHost,
    socket: WebSocket,
    protocol: 'ws' | 'wss',
    ends: { remoteAddress: string; remotePort: number; localAddress: string; localPort: number },
    nowMs: number,
  ) {
    this.#host = host;
    this.#socket = socket;
    this.protocol = protocol;
    this.remoteAddress = normalizeAddress(ends.remoteAddress);
    this.remotePort = ends.remotePort;
    this.localAddress = normalizeAddress(ends.localAddress);
    this.localPort = ends.localPort;
    this.key = connectionKey(protocol, this.remoteAddress, this.remotePort);
    this.lastActivityMs = nowMs;
    socket.on('message', (data: RawData) => {
      this.lastActivityMs = Date.now();
      host.receiveMessage(bytesOf(data), this);
    });
    socket.on('error', (error) => {
      host.reportSocketError(protocol, error);
    });
    socket.on('close', () => {
      this.#onClose();
    });
  }

  get isOpen(): boolean {
    return this.#isOpen && this.#socket.readyState === this.#socket.OPEN;
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
    // RFC 7118 §5.1 allows text or binary frames; text when the message is UTF-8 (what browsers expect),
    // binary when a body holds other bytes.
    this.#socket.send(bytes, { binary: !isUtf8(bytes) });
    if (this.#socket.bufferedAmount > this.#host.connectionLimits.maxWriteBufferBytes) {
      this.#host.discard('SIP_TRANSPORT_WRITE_BUFFER_FULL', this);
      this.destroy();
    }
  }

  closeAfterFlush(): void {
    this.#socket.close(1000);
    this.#onClose();
  }

  destroy(): void {
    this.#socket.terminate();
    this.#onClose();
  }

  #onClose(): void {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    notifyWatchers(this.#watchers);
    this.onClosed?.(this);
  }
}
