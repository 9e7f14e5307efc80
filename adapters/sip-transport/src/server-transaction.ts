import type { Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type {
  InviteServerTransaction,
  NonInviteServerTransaction,
  SipHeader,
  SipRequest,
  SipResponse,
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  TransactionTimer,
} from '@centralita/sip';
import {
  createResponse,
  nextInviteServer,
  nextNonInviteServer,
  serializeMessage,
  startInviteServer,
  startNonInviteServer,
} from '@centralita/sip';
import type { RuntimeTimer, TimerOwner } from './transaction-timers.ts';
import { TransactionTimers } from './transaction-timers.ts';
import type { TransactionRuntime } from './transaction-runtime.ts';
import type { Flow, MessageSource, SipTransportError, TransportFailureListener } from './transport-types.ts';

/** Why a server transaction ended without the outcome the core hoped for. */
export type ServerTransactionFailure =
  /** Timer H: no ACK came for a 300-699 response (RFC 3261 §17.2.1). */
  | 'timeout'
  /** No ACK came for a 2xx within 64×T1: the core should send BYE (RFC 3261 §13.3.1.4). */
  | 'ack-timeout'
  /** The response could not be sent (connection gone, RFC 3261 §17.2.4). */
  | 'transport-error';

/** Options of `ServerTransaction.reply`. */
export interface ReplyOptions {
  /** The To tag; by default the transaction's `localTag`. */
  readonly toTag?: string;
  readonly extraHeaders?: readonly SipHeader[];
  readonly body?: Uint8Array;
}

/** Where responses go (RFC 3261 §18.2.2, RFC 3581 §4): the flow, and the address for UDP or a reconnect. */
export interface ResponseRoute {
  readonly flow: Flow;
  readonly address: string;
  readonly port: number;
}

type Machine =
  | { readonly kind: 'invite'; readonly state: InviteServerTransaction }
  | { readonly kind: 'non-invite'; readonly state: NonInviteServerTransaction };

function isSuccess(response: SipResponse): boolean {
  return response.statusCode >= 200 && response.statusCode < 300;
}

/**
 * A server transaction at run time: the domain machine (`nextInviteServer` / `nextNonInviteServer`),
 * its timers as `setTimeout` handles, and the route its responses take. The transaction user answers
 * through `respond` or `reply`. For an INVITE answered 2xx it also retransmits the 2xx from T1 doubling
 * to T2 until the ACK comes (the UAS core's duty, RFC 3261 §13.3.1.4; the domain's Accepted state of
 * RFC 6026 only forwards them), and reports `ack-timeout` when Timer L ends the wait without one.
 */
export class ServerTransaction implements TimerOwner, TransportFailureListener {
  /** The transaction id (`transactionKey` of the domain). */
  readonly key: string;
  /** The request, its top Via stamped with `received` and `rport` (RFC 3581). */
  readonly request: SipRequest;
  readonly source: MessageSource;
  readonly route: ResponseRoute;
  readonly isInvite: boolean;
  /** From tag, Call-ID and CSeq of a request without To tag, for merged-request detection (§8.2.2.2). */
  readonly mergeKey: string | undefined;
  /** Call-ID and CSeq number, which the ACK for a 2xx carries (§13.2.2.4). */
  readonly ackKey: string;
  readonly #runtime: TransactionRuntime;
  readonly #timers = new TransactionTimers();
  readonly #requestToTag: string | undefined;
  #machine: Machine;
  #startEffects: readonly TransactionEffect[];
  #isRejected = false;
  #localTag: string | undefined;
  #success: SipResponse | undefined;
  #successIntervalMs = 0;
  #isAcked = false;
  #hasReportedFailure = false;
  #isEnded = false;
  #lastSent: SipResponse | undefined;
  #lastBytes: Uint8Array | undefined;

  constructor(
    runtime: TransactionRuntime,
    parts: {
      readonly key: string;
      readonly request: SipRequest;
      readonly source: MessageSource;
      readonly route: ResponseRoute;
      readonly requestToTag: string | undefined;
      readonly mergeKey: string | undefined;
      readonly ackKey: string;
    },
    nowMs: number,
  ) {
    this.#runtime = runtime;
    this.key = parts.key;
    this.request = parts.request;
    this.source = parts.source;
    this.route = parts.route;
    this.#requestToTag = parts.requestToTag;
    this.mergeKey = parts.mergeKey;
    this.ackKey = parts.ackKey;
    const settings: TransactionSettings = {
      isReliable: parts.source.flow.isReliable,
      timers: runtime.timers,
    };
    this.isInvite = parts.request.method === 'INVITE';
    if (this.isInvite) {
      const started = startInviteServer(parts.request, settings, nowMs);
      this.#machine = { kind: 'invite', state: started.state };
      this.#startEffects = started.effects;
    } else {
      const started = startNonInviteServer(parts.request, settings);
      this.#machine = { kind: 'non-invite', state: started.state };
      this.#startEffects = started.effects;
    }
  }

  /** The domain state: proceeding, trying, completed, confirmed, accepted or terminated. */
  get state(): string {
    return this.#machine.state.state;
  }

  /** The request method. */
  get method(): string {
    return this.request.method;
  }

  /** True once a 200-699 response was sent. */
  get hasFinalResponse(): boolean {
    return (this.#machine.state.lastResponse?.statusCode ?? 0) >= 200;
  }

  /** The ACK for our 2xx arrived (a dialog's UAS may send BYE only from then on, RFC 3261 §15). */
  get isAcknowledged(): boolean {
    return this.#isAcked;
  }

  /** True once the domain machine reached Terminated. */
  get isTerminated(): boolean {
    return this.#machine.state.state === 'terminated';
  }

  /**
   * The To tag of our responses: the request's own when it has one (in-dialog), otherwise one random tag
   * per transaction, so provisional and final responses (and the 200 to a CANCEL, §9.2) agree.
   */
  get localTag(): string {
    if (this.#requestToTag !== undefined) return this.#requestToTag;
    this.#localTag ??= this.#runtime.tokens.next();
    return this.#localTag;
  }

  /**
   * Runs the start effects. With `shouldTellCore` false the request is answered by the endpoint itself
   * (400-class verdicts, 482, 503, CANCEL), so the transaction user never sees it.
   */
  start(shouldTellCore: boolean): void {
    this.#isRejected = !shouldTellCore;
    const effects = this.#startEffects;
    this.#startEffects = [];
    this.#run(effects, this.#runtime.now());
  }

  /** Sends a response built by the caller. Fails when the state does not allow it (a final was sent). */
  respond(response: SipResponse): Result<void, SipTransportError> {
    const nowMs = this.#runtime.now();
    const isFirstSuccess =
      this.#machine.kind === 'invite' && this.#machine.state.state === 'proceeding' && isSuccess(response);
    if (!this.#apply({ kind: 'CoreResponded', response, nowMs })) {
      return err(
        domainError(
          'SIP_TRANSPORT_RESPONSE_NOT_ALLOWED',
          `A ${response.statusCode} cannot be sent by a transaction in state ${this.state}.`,
        ),
      );
    }
    if (isFirstSuccess && !this.isTerminated) {
      this.#success = response;
      this.#successIntervalMs = this.#runtime.timers.t1Ms;
      this.#timers.start(this, 'Retransmit2xx', this.#successIntervalMs);
      this.#runtime.awaitAck(this, true);
    }
    return ok(undefined);
  }

  /** Builds a response to the request (RFC 3261 §8.2.6) with `localTag` as To tag, and sends it. */
  reply(
    statusCode: number,
    reasonPhrase: string,
    options: ReplyOptions = {},
  ): Result<SipResponse, SipTransportError> {
    const response = createResponse(this.request, statusCode, reasonPhrase, {
      ...(statusCode === 100 ? {} : { toTag: options.toTag ?? this.localTag }),
      ...(options.extraHeaders === undefined ? {} : { extraHeaders: options.extraHeaders }),
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const sent = this.respond(response);
    return sent.ok ? ok(response) : sent;
  }

  /** The request arrived again (same transaction id). */
  retransmitted(): void {
    this.#apply({ kind: 'RequestRetransmitted', nowMs: this.#runtime.now() });
  }

  /** An ACK with this transaction's id arrived: for a 300-699 response, or an RFC 2543 ACK for a 2xx. */
  ackReceived(ack: SipRequest): void {
    this.#apply({ kind: 'AckReceived', request: ack, nowMs: this.#runtime.now() });
  }

  /** The ACK for our 2xx arrived (matched by Call-ID and CSeq): stop retransmitting it. */
  acknowledged(): void {
    if (this.#success === undefined || this.#isAcked) return;
    this.#isAcked = true;
    this.#timers.stop('Retransmit2xx');
    this.#runtime.awaitAck(this, false);
  }

  /** The flow could not carry a response. */
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
    if (timer === 'Retransmit2xx') {
      const success = this.#success;
      if (success === undefined || this.#isAcked || this.state !== 'accepted') return;
      // The Accepted state sends a 2xx the core passes again (RFC 6026 §7.1).
      this.#apply({ kind: 'CoreResponded', response: success, nowMs });
      this.#successIntervalMs = Math.min(this.#successIntervalMs * 2, this.#runtime.timers.t2Ms);
      if (!this.isTerminated) this.#timers.start(this, 'Retransmit2xx', this.#successIntervalMs);
      return;
    }
    if (timer === 'CancelGuard') return;
    this.#apply({ kind: 'TimerFired', timer, nowMs });
  }

  #apply(event: TransactionEvent): boolean {
    const machine = this.#machine;
    if (machine.kind === 'invite') {
      const transition = nextInviteServer(machine.state, event);
      if ('kind' in transition) return false;
      this.#machine = { kind: 'invite', state: transition.state };
      this.#run(transition.effects, event.nowMs);
    } else {
      const transition = nextNonInviteServer(machine.state, event);
      if ('kind' in transition) return false;
      this.#machine = { kind: 'non-invite', state: transition.state };
      this.#run(transition.effects, event.nowMs);
    }
    return true;
  }

  /**
   * Carries out effects in two passes: sends and timers first, then the calls up to the transaction
   * user, so that a user answering synchronously finds the timers already armed (and stops them).
   * A timer due now (0 ms on reliable transports) fires at once.
   */
  #run(effects: readonly TransactionEffect[], nowMs: number): void {
    let due: TransactionTimer[] | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'SendResponse':
          this.#send(effect.response);
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
        case 'SendRequest':
        case 'PassRequestToCore':
        case 'PassResponseToCore':
        case 'ReportTimeout':
        case 'ReportTransportError':
          break;
      }
    }
    for (const effect of effects) {
      switch (effect.kind) {
        case 'PassRequestToCore':
          if (effect.request.method === 'ACK') {
            this.acknowledged();
            this.#runtime.deliverAck(effect.request, this);
          } else if (!this.#isRejected) {
            this.#runtime.deliverRequest(this);
          }
          break;
        case 'ReportTimeout':
          this.#fail('timeout');
          break;
        case 'ReportTransportError':
          this.#fail('transport-error');
          break;
        case 'SendResponse':
        case 'StartTimer':
        case 'StopTimer':
        case 'SendRequest':
        case 'PassResponseToCore':
          break;
      }
    }
    if (this.isTerminated) {
      this.#end();
      return;
    }
    if (due !== undefined) {
      for (const timer of due) this.#apply({ kind: 'TimerFired', timer, nowMs });
    }
  }

  #send(response: SipResponse): void {
    // Retransmissions resend the same object: serialize it once.
    if (response !== this.#lastSent) {
      this.#lastSent = response;
      this.#lastBytes = serializeMessage(response);
    }
    if (this.#lastBytes !== undefined) this.#runtime.sendResponse(this, this.#lastBytes);
  }

  #fail(failure: ServerTransactionFailure): void {
    if (this.#hasReportedFailure) return;
    this.#hasReportedFailure = true;
    this.#runtime.serverFailed(this, failure);
  }

  #end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#timers.clear();
    if (this.#success !== undefined && !this.#isAcked) {
      this.#runtime.awaitAck(this, false);
      this.#fail('ack-timeout');
    }
    this.#runtime.serverEnded(this);
  }
}
