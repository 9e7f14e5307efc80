import type { Flow, MessageSource, TransportFailureListener } from './transport-types.ts';

/**
 * A TCP, TLS or WebSocket connection: a flow, the source of what arrives on it, and the bookkeeping the
 * endpoint's sweep needs to bound time and memory per peer.
 */
export interface Connection extends Flow, MessageSource {
  /** `protocol address port` of the peer: the key connections are reused by (RFC 5923-style reuse by address). */
  readonly key: string;
  /** Bytes held for a message not yet complete. */
  readonly bufferedBytes: number;
  /** When bytes last arrived. */
  readonly lastActivityMs: number;
  /** When the message in progress (or, on a new connection, the first message) started; undefined when none. */
  readonly messageStartedMs: number | undefined;
  /**
   * True while a transaction waits on this connection (it is then never closed as idle). A transaction
   * that sends on a connection watches it until `unwatch`, and hears of its closing as a transport failure.
   */
  readonly hasWatchers: boolean;
  /** Sends what is queued, then closes (after an error response that ends the stream). */
  closeAfterFlush(): void;
  /** Closes at once. */
  destroy(): void;
  /** Runs once when the connection is gone, whoever closed it. */
  onClosed: ((connection: Connection) => void) | undefined;
}

/** The key of a connection to `address` and `port` over `protocol`. */
export function connectionKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${address} ${port}`;
}

/** Tells every watcher that the connection is gone, outside the current call stack. */
export function notifyWatchers(watchers: Set<TransportFailureListener>): void {
  if (watchers.size === 0) return;
  const gone = [...watchers];
  watchers.clear();
  queueMicrotask(() => {
    for (const listener of gone) listener.onTransportFailure();
  });
}
