import type { FramerError, FramerLimits } from '@centralita/sip';
import type { Connection } from './connection.ts';
import type { DiscardCode, MessageSource } from './transport-types.ts';

/** Limits every stream connection obeys (bounded memory and time per peer). */
export interface ConnectionLimits {
  /** A connection must complete each message, and its first one, within this time (slow-drip senders). */
  readonly messageTimeoutMs: number;
  /** A connection with no traffic and no transaction is closed after this time. */
  readonly idleTimeoutMs: number;
  /** Connections held at once (inbound and outbound); more are refused. */
  readonly maxConnections: number;
  /** Bytes queued towards a peer that does not read; beyond it the connection is closed. */
  readonly maxWriteBufferBytes: number;
}

/** Defaults: 10 s per message, 10 min idle, 10 000 connections, 1 MiB unsent per connection. */
export const defaultConnectionLimits: ConnectionLimits = {
  messageTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  maxConnections: 10_000,
  maxWriteBufferBytes: 1024 * 1024,
};

/** What sockets report to the endpoint that owns them. Internal to this package. */
export interface TransportHost {
  readonly framerLimits: FramerLimits;
  readonly connectionLimits: ConnectionLimits;
  /** One complete message (a datagram, a framed stream message, a WebSocket message). */
  receiveMessage(bytes: Uint8Array, source: MessageSource): void;
  /** The stream framer gave up: answer if the header section allows, then close. */
  answerFramingError(connection: Connection, error: FramerError): void;
  /** Counts and reports a discarded message or a closed connection. */
  discard(code: DiscardCode, source: MessageSource | undefined): void;
  /** A socket-level problem worth a log line (never fatal). */
  reportSocketError(protocol: string, error: unknown): void;
}
