import type { SipRequest, SipResponse } from '../message/sip-message.ts';

/** T1, T2 and T4 of RFC 3261 §17.1.1.1 and Table 4; every other timer derives from them. */
export interface TransactionTimerConfig {
  /** Round-trip time estimate; 500 ms by default. */
  readonly t1Ms: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses; 4 s by default. */
  readonly t2Ms: number;
  /** Longest time a message stays in the network; 5 s by default. */
  readonly t4Ms: number;
}

/** The RFC 3261 Table 4 defaults. */
export const defaultTimerConfig: TransactionTimerConfig = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

/**
 * Transaction timers of RFC 3261 §17 (A to K), RFC 6026 (L, M) and the 200 ms limit for sending
 * 100 Trying (§17.2.1), which this package runs as a timer too.
 */
export type TransactionTimer =
  'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

/** What a transition asks the runtime to do; timers are data that come back as `TimerFired`. */
export type TransactionEffect =
  | { readonly kind: 'SendRequest'; readonly request: SipRequest }
  | { readonly kind: 'SendResponse'; readonly response: SipResponse }
  | { readonly kind: 'PassRequestToCore'; readonly request: SipRequest }
  | { readonly kind: 'PassResponseToCore'; readonly response: SipResponse }
  | { readonly kind: 'StartTimer'; readonly timer: TransactionTimer; readonly at: number }
  | { readonly kind: 'StopTimer'; readonly timer: TransactionTimer }
  /** Timer B, F or H ran out: the core treats it as a 408 (RFC 3261 §8.1.3.1). */
  | { readonly kind: 'ReportTimeout' }
  /** The transport could not send: the core treats it as a 503 (RFC 3261 §8.1.3.1). */
  | { readonly kind: 'ReportTransportError' };

/** What happened to a transaction. Events are facts; `nowMs` comes from the runtime's clock. */
export type TransactionEvent =
  /** Client: a response matching this transaction arrived. */
  | { readonly kind: 'ResponseReceived'; readonly response: SipResponse; readonly nowMs: number }
  /** Server: the request arrived again (a retransmission; an ACK is `AckReceived`). */
  | { readonly kind: 'RequestRetransmitted'; readonly nowMs: number }
  /** Server INVITE: an ACK matching this transaction arrived. */
  | { readonly kind: 'AckReceived'; readonly request: SipRequest; readonly nowMs: number }
  /** Server: the core (TU) chose a response to send. */
  | { readonly kind: 'CoreResponded'; readonly response: SipResponse; readonly nowMs: number }
  | { readonly kind: 'TimerFired'; readonly timer: TransactionTimer; readonly nowMs: number }
  | { readonly kind: 'TransportFailed'; readonly nowMs: number };

/** An event the transaction cannot take in its state (a programming error of the caller, as a value). */
export interface IllegalTransition<State> {
  readonly kind: 'IllegalTransition';
  readonly state: State;
  readonly event: TransactionEvent['kind'];
}

/** The result of a transition. */
export type Transition<State> =
  { readonly state: State; readonly effects: readonly TransactionEffect[] } | IllegalTransition<State>;

/** How reliable the transport is: on TCP, TLS and WS nothing is retransmitted and waits shrink to zero. */
export interface TransactionSettings {
  readonly isReliable: boolean;
  readonly timers: TransactionTimerConfig;
}

/** A timer start at `nowMs + delayMs`. */
export function startTimer(timer: TransactionTimer, nowMs: number, delayMs: number): TransactionEffect {
  return { kind: 'StartTimer', timer, at: nowMs + delayMs };
}

/** Response class helpers (RFC 3261 §7.2). */
export function isProvisional(response: SipResponse): boolean {
  return response.statusCode < 200;
}

/** True for 2xx. */
export function isSuccess(response: SipResponse): boolean {
  return response.statusCode >= 200 && response.statusCode < 300;
}
