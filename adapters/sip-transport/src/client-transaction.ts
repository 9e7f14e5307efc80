import type { Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type {
  InviteClientTransaction,
  NonInviteClientTransaction,
  SipHeader,
  SipRequest,
  SipResponse,
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  TransactionTimer,
} from '@centralita/sip';
import {
  headerKey,
  headerValue,
  nextInviteClient,
  nextNonInviteClient,
  parseCSeq,
  serializeMessage,
  startInviteClient,
  startNonInviteClient,
} from '@centralita/sip';
import type { RuntimeTimer, TimerOwner } from './transaction-timers.ts';
import { TransactionTimers } from './transaction-timers.ts';
import type { TransactionRuntime } from './transaction-runtime.ts';
import type { Flow, SendTarget, SipTransportError, TransportFailureListener } from './transport-types.ts';

/** Why a client transaction ended without a final response. */
export type ClientTransactionFailure =
  /** Timer B or F ran out, or an INVITE ignored its CANCEL for 64×T1: treat as 408 (RFC 3261 §8.1.3.1). */
  | 'timeout'
  /** The request could not be sent or the connection broke: treat as 503 (RFC 3261 §8.1.3.1). */
  | 'transport-error';

/**
 * Receives what happens to a request the core sent. One object can serve many transactions. An INVITE's
 * listener also hears the CANCEL sent for it (`cancel`), whose responses and failure are the CANCEL's, not the
 * INVITE's: tell them apart by `transaction.method`.
 */
export interface ClientTransactionListener {
  /** Provisional and final responses, and 2xx retransmissions of an INVITE (the core ACKs each, §13.2.2.4). */
  onResponse(response: SipResponse, transaction: ClientTransaction): void;
  onFailure(failure: ClientTransactionFailure, transaction: ClientTransaction): void;
}

type Machine =
  | { readonly kind: 'invite'; readonly state: InviteClientTransaction }
  | { readonly kind: 'non-invite'; readonly state: NonInviteClientTransaction };

/**
 * A client transaction at run time: the domain machine (`nextInviteClient` / `nextNonInviteClient`),
 * its timers as `setTimeout` handles and the flow it sends on. The ACK for a 300-699 answer to an INVITE
 * is sent here (§17.1.1.3); the ACK for a 2xx is the core's (`SipEndpoint.sendStateless`).
 */
export class ClientTransaction implements TimerOwner, TransportFailureListener {
  /** The transaction id (`transactionKey` of the domain). */
  readonly key: string;
  /** The request as sent, with our Via on top. */
  readonly request: SipRequest;
  readonly target: SendTarget;
  readonly flow: Flow;
  readonly listener: ClientTransactionListener;
  readonly #runtime: TransactionRuntime;
  readonly #timers = new TransactionTimers();
  #machine: Machine;
  #startEffects: readonly TransactionEffect[];
  #cancel: ClientTransaction | undefined;
  #isCancelPending = false;
  #isEnded = false;
  #lastSent: SipRequest | undefined;
  #lastBytes: Uint8Array | undefined;

  constructor(
    runtime: TransactionRuntime,
    parts: {
      readonly key: string;
      readonly request: SipRequest;
      readonly target: SendTarget;
      readonly flow: Flow;
      readonly listener: ClientTransactionListener;
    },
    nowMs: number,
  ) {
    this.#runtime = runtime;
    this.key = parts.key;
    this.request = parts.request;
    this.target = parts.target;
    this.flow = parts.flow;
    this.listener = parts.listener;
    const settings: TransactionSettings = { isReliable: parts.flow.isReliable, timers: runtime.timers };
    if (parts.request.method === 'INVITE') {
      const started = startInviteClient(parts.request, settings, nowMs);
      this.#machine = { kind: 'invite', state: started.state };
      this.#startEffects = started.effects;
    } else {
      const started = startNonInviteClient(parts.request, settings, nowMs);
      this.#machine = { kind: 'non-invite', state: started.state };
      this.#startEffects = started.effects;
    }
  }

  /** The domain state: calling, trying, proceeding, completed, accepted or terminated. */
  get state(): string {
    return this.#machine.state.state;
  }

  /** The request method. */
  get method(): string {
    return this.request.method;
  }

  /** The CANCEL sent for this INVITE, once it is sent. */
  get cancelTransaction(): ClientTransaction | undefined {
    return this.#cancel;
  }

  /** Sends the request and arms Timers A/E and B/F. */
  start(): void {
    const effects = this.#startEffects;
    this.#startEffects = [];
    this.#run(effects, this.#runtime.now());
  }

  /**
   * Cancels an INVITE that has no final response (RFC 3261 §9.1): the CANCEL goes out now if a
   * provisional response arrived, or as soon as one does. Its responses reach the same listener with the
   * CANCEL's transaction. If the INVITE gets no final response within 64×T1, it ends with `timeout`.
   */
  cancel(): Result<void, SipTransportError> {
    const machine = this.#machine;
    const state = machine.state.state;
    if (machine.kind !== 'invite' || (state !== 'calling' && state !== 'proceeding')) {
      return err(
        domainError(
          'SIP_TRANSPORT_CANCEL_NOT_ALLOWED',
          `A ${this.method} client transaction in state ${state} cannot be cancelled.`,
        ),
      );
    }
    if (this.#cancel !== undefined || this.#isCancelPending) return ok(undefined);
    if (state === 'calling') this.#isCancelPending = true;
    else this.#sendCancel();
    return ok(undefined);
  }

  /** A response with this transaction's id arrived. */
  responseReceived(response: SipResponse): void {
    this.#apply({ kind: 'ResponseReceived', response, nowMs: this.#runtime.now() });
  }

  /** The flow could not carry the request, or the connection closed while waiting. */
  onTransportFailure(): void {
    this.#apply({ kind: 'TransportFailed', nowMs: this.#runtime.now() });
  }

  /** Disarms every timer without telling anyone (the endpoint is closing). */
  dispose(): void {
    this.#isEnded = true;
    this.#timers.clear();
  }

  fireTimer(timer: RuntimeTimer): void {
    this.#timers.fired(timer);
    const nowMs = this.#runtime.now();
    if (timer === 'CancelGuard') {
      const state = this.state;
      if (state !== 'calling' && state !== 'proceeding') return;
      // RFC 3261 §9.1: no final response 64×T1 after the CANCEL; the INVITE is considered cancelled.
      // The domain machine has no event for that, so the record ends here.
      const machine = this.#machine;
      if (machine.kind === 'invite')
        this.#machine = { kind: 'invite', state: { ...machine.state, state: 'terminated' } };
      this.#notifyFailure('timeout');
      this.#end();
      return;
    }
    if (timer === 'Retransmit2xx') return;
    this.#apply({ kind: 'TimerFired', timer, nowMs });
  }

  #apply(event: TransactionEvent): boolean {
    const machine = this.#machine;
    if (machine.kind === 'invite') {
      const transition = nextInviteClient(machine.state, event);
      if ('kind' in transition) return false;
      this.#machine = { kind: 'invite', state: transition.state };
      this.#run(transition.effects, event.nowMs);
    } else {
      const transition = nextNonInviteClient(machine.state, event);
      if ('kind' in transition) return false;
      this.#machine = { kind: 'non-invite', state: transition.state };
      this.#run(transition.effects, event.nowMs);
    }
    return true;
  }

  /** Sends and timers first, then the calls up to the listener; a timer due now fires at once. */
  #run(effects: readonly TransactionEffect[], nowMs: number): void {
    let due: TransactionTimer[] | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'SendRequest':
          this.#send(effect.request);
          break;
        case 'StartTimer': {
          const delayMs = effect.at - nowMs;
          if (delayMs <= 0) (due ??= []).push(effect.timer);
          else this.#timers.start(this, effect.timer, delayMs);
          break;
        }
        case 'StopTimer':
          this.#timers.stop(effect.timer);
          break;
        case 'SendResponse':
        case 'PassRequestToCore':
        case 'PassResponseToCore':
        case 'ReportTimeout':
        case 'ReportTransportError':
          break;
      }
    }
    for (const effect of effects) {
      switch (effect.kind) {
        case 'PassResponseToCore':
          this.#onResponse(effect.response);
          break;
        case 'ReportTimeout':
          this.#notifyFailure('timeout');
          break;
        case 'ReportTransportError':
          this.#notifyFailure('transport-error');
          break;
        case 'SendRequest':
        case 'SendResponse':
        case 'StartTimer':
        case 'StopTimer':
        case 'PassRequestToCore':
          break;
      }
    }
    if (this.state === 'terminated') {
      this.#end();
      return;
    }
    if (due !== undefined) {
      for (const timer of due) this.#apply({ kind: 'TimerFired', timer, nowMs });
    }
  }

  #onResponse(response: SipResponse): void {
    if (this.#isCancelPending) {
      if (response.statusCode < 200) {
        this.#isCancelPending = false;
        this.#sendCancel();
      } else {
        this.#isCancelPending = false;
      }
    }
    if (response.statusCode >= 200) this.#timers.stop('CancelGuard');
    try {
      this.listener.onResponse(response, this);
    } catch (error) {
      this.#runtime.reportCallbackError(error, 'onResponse');
    }
  }

  #notifyFailure(failure: ClientTransactionFailure): void {
    try {
      this.listener.onFailure(failure, this);
    } catch (error) {
      this.#runtime.reportCallbackError(error, 'onFailure');
    }
  }

  #send(request: SipRequest): void {
    if (request !== this.#lastSent) {
      this.#lastSent = request;
      this.#lastBytes = serializeMessage(request);
    }
    if (this.#lastBytes !== undefined) this.#runtime.sendRequest(this, this.#lastBytes);
  }

  #sendCancel(): void {
    this.#cancel = this.#runtime.sendCancel(this, buildCancel(this.request));
    this.#timers.start(this, 'CancelGuard', 64 * this.#runtime.timers.t1Ms);
  }

  #end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#timers.clear();
    this.#runtime.clientEnded(this);
  }
}

/**
 * The CANCEL for an INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, To, From and CSeq number, the
 * INVITE's top Via only (so it reaches the same server transaction, branch included) and its Routes.
 */
export function buildCancel(invite: SipRequest): SipRequest {
  const headers: SipHeader[] = [];
  let isViaCopied = false;
  for (const header of invite.headers) {
    const key = headerKey(header.name);
    if (key === 'via') {
      // Our Via is the first field and holds one value (we wrote it).
      if (!isViaCopied) headers.push(header);
      isViaCopied = true;
    } else if (key === 'route' || key === 'from' || key === 'to' || key === 'call-id') {
      headers.push(header);
    }
  }
  const sequence = parseCSeq(headerValue(invite.headers, 'cseq') ?? '')?.sequence ?? 0;
  headers.push({ name: 'CSeq', value: `${sequence} CANCEL` });
  headers.push({ name: 'Max-Forwards', value: '70' });
  return {
    kind: 'request',
    method: 'CANCEL',
    requestUri: invite.requestUri,
    headers,
    body: new Uint8Array(0),
  };
}
