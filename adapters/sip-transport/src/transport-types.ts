import type { DomainError } from '@centralita/kernel';
import type { SipErrorCode } from '@centralita/sip';
import type { SipTransportErrorCode } from './errors.ts';

/** The transports SIP runs over here: RFC 3261 §18 (UDP, TCP, TLS) and RFC 7118 (WS, WSS). */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** True for the transports that frame nothing themselves and retransmit nothing (RFC 3261 §17.1.1.2). */
export function isReliableProtocol(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

/** The transport token written in a Via (RFC 3261 §20.42, RFC 7118 §5.2). */
export function viaTransportName(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

/** Default ports when a Via or URI gives none (RFC 3261 §19.1.2; 5061 for TLS). */
export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' || protocol === 'wss' ? 5061 : 5060;
}

/** Where a request goes: an IP address literal, a port and a transport. Names are located first (RFC 3263, `DnsLocator`). */
export interface SendTarget {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  /**
   * TLS: the name the server's certificate must carry, also sent as SNI (RFC 5922 §4.1: the domain of the
   * URI that was located, such as a trunk's host); the address is checked when absent.
   */
  readonly serverName?: string;
  /**
   * RFC 5626 §5.3: the target is a flow a phone opened (it registered over it with outbound): send only over
   * that open connection, never open a new one to the address (the phone is behind NAT and will register
   * again); `SIP_TRANSPORT_NO_ROUTE` when it is closed.
   */
  readonly isFlowOnly?: boolean;
}

/** Told when a message a transaction sent could not be delivered. */
export interface TransportFailureListener {
  onTransportFailure(): void;
}

/**
 * A path messages travel: one bound UDP socket, or one connection (TCP, TLS, WebSocket). Responses go back
 * over the flow their request came on (RFC 3261 §18.2.2, RFC 5923's connection reuse).
 */
export interface Flow {
  readonly protocol: TransportProtocol;
  readonly isReliable: boolean;
  /** The address and port of our end, as the peer sees them when no advertised address was configured. */
  readonly localAddress: string;
  readonly localPort: number;
  /** False once a connection is closed; always true for a bound UDP socket until the endpoint closes. */
  readonly isOpen: boolean;
  /** Sends bytes; a datagram flow uses `address` and `port`, a connection ignores them. Failures are reported later. */
  send(bytes: Uint8Array, address: string, port: number, onFailure?: TransportFailureListener): void;
  /** Stops telling `listener` about failures (a connection watches the transactions that use it). */
  unwatch(listener: TransportFailureListener): void;
}

/**
 * Where a received message came from: the flow, and the peer's address and port (IPv4-mapped IPv6
 * addresses are written as plain IPv4). A connection is its own source.
 */
export interface MessageSource {
  readonly protocol: TransportProtocol;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly flow: Flow;
}

/** An error value of this adapter. */
export type SipTransportError = DomainError<SipTransportErrorCode>;

/** Why a message was discarded or a connection closed: a code of this adapter or of `@centralita/sip`. */
export type DiscardCode = SipTransportErrorCode | SipErrorCode;

/** Tells `listener` that a send failed, outside the current call stack (never re-entering a transition). */
export function reportFailureLater(listener: TransportFailureListener): void {
  queueMicrotask(() => {
    listener.onTransportFailure();
  });
}
