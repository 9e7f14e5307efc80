import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from '@centralita/kernel';
import type {
  Dialog,
  NegotiatedAudio,
  Replaces,
  SessionDescription,
  SessionTimerPolicy,
  SessionTimerState,
  SipHeader,
  SipRequest,
  SipResponse,
  Uri,
} from '@centralita/sip';
import {
  ackFor2xx,
  acceptAnswer,
  afterSessionRefreshFailure,
  answerOffer,
  answerSessionRefresh,
  minSeAfterTooSmall,
  parseSessionExpires,
  sessionRefreshHeaders,
  sessionTimerOfAnswer,
  sessionTimerRequestHeaders,
  createOffer,
  dialogAsUac,
  dialogAsUas,
  defaultSessionTimerPolicy,
  dialogKey,
  localContact,
  referToReplaces,
  requiresSipsContact,
  headerValue,
  headerValues,
  inDialogRequest,
  answerChallenge,
  negotiateSessionTimer,
  offerCollision,
  refreshFailureOf,
  parseNameAddress,
  sessionTimerDeadlines,
  mediaDirection,
  parseCSeq,
  parseDigestChallenge,
  parseSdp,
  serializeDigestCredentials,
  serializeUri,
  receiveInDialog,
  receivedRequestDialogKey,
  serializeSdp,
  failoverAfter,
  withHeader,
} from '@centralita/sip';
import type { AfterSessionRefreshFailure, SessionRefreshFailure, TargetOutcome } from '@centralita/sip';
import type {
  ClientTransaction,
  ClientTransactionFailure,
  SendTarget,
  ServerTransaction,
  SipEndpoint,
  SipLogger,
} from '@centralita/sip-transport';
import type { CallLeg, InviteBranch } from './call-legs.ts';
import { LegDirectory, betterFailure } from './call-legs.ts';

const sdpType = 'application/sdp';
const encoder = new TextEncoder();

/**
 * No new trunk target is tried once this long has passed since the first (RFC 3263 §4.3 failover): with
 * the default T1 a target that never answers takes 32 s (Timer B), so a second one still gets its turn.
 */
export const defaultFailoverBudgetMs = 60_000;

/**
 * How long a trunk's target may stay silent (not even 100 Trying) before the INVITE moves on to the next
 * located target, instead of waiting for Timer B's 32 s: a live server sends 100 within 200 ms.
 */
export const defaultFailoverSilenceMs = 4_000;

/**
 * Time for `SipLegs`: "now" and one-shot timers (session refresh and expiry, the failover silence limit).
 * `realLegTimers` by default; tests pass a virtual one to drive them without waiting.
 */
export interface LegTimers {
  now(): number;
  /** Calls `callback` once after `ms`; the returned function cancels it. Never keeps the process alive. */
  after(ms: number, callback: () => void): () => void;
}

/** Wall-clock time and Node's timers (unref'd). */
export const realLegTimers: LegTimers = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return () => {
      clearTimeout(handle);
    };
  },
};

/** What happens on a leg, as the call layer hears it. */
export type LegSignal =
  | { readonly type: 'ringing'; readonly leg: CallLeg }
  | { readonly type: 'answered'; readonly leg: CallLeg; readonly audio: NegotiatedAudio }
  | { readonly type: 'failed'; readonly leg: CallLeg; readonly statusCode: number }
  | { readonly type: 'hungUp'; readonly leg: CallLeg }
  /** A re-INVITE or UPDATE changed the direction: `isHeld` when the peer sends `sendonly`/`inactive`. */
  | {
      readonly type: 'directionChanged';
      readonly leg: CallLeg;
      readonly isHeld: boolean;
      readonly audio: NegotiatedAudio;
    }
  /** A key sent with SIP INFO (application/dtmf-relay or application/dtmf). */
  | { readonly type: 'infoDigit'; readonly leg: CallLeg; readonly digit: string }
  /**
   * The phone asked to transfer the call (REFER, RFC 3515): answered 202; `notifyRefer` reports back. With
   * `replaces`, an attended transfer (RFC 5589 §7): the dialog it names is the phone's call with the target.
   */
  | {
      readonly type: 'referred';
      readonly leg: CallLeg;
      readonly target: Uri;
      readonly replaces: Replaces | undefined;
    }
  /** Nobody refreshed the session in time (RFC 4028 §10): the leg is gone, BYE already sent. */
  | { readonly type: 'sessionExpired'; readonly leg: CallLeg };

/** Our side of the media, for SDP. */
export interface LocalMedia {
  readonly address: string;
  readonly rtpPort: number;
}

/** Tags, Call-IDs and branch-free random tokens. */
function token(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

function targetOfSdp(
  local: LocalMedia,
  sessionId: string,
  version: number,
  direction?: 'sendrecv' | 'sendonly' | 'inactive',
) {
  return {
    codecs: ['PCMU', 'PCMA'] as const,
    isTelephoneEventSupported: true,
    telephoneEventPayloadType: 101,
    addressType: local.address.includes(':') ? ('IP6' as const) : ('IP4' as const),
    address: local.address,
    rtpPort: local.rtpPort,
    packetTimeMs: 20,
    ...(direction === undefined ? {} : { direction }),
    origin: { username: 'centralita', sessionId, sessionVersion: String(version) },
  };
}

/** Reads a key from a SIP INFO body: `Signal=5` (application/dtmf-relay) or `5` (application/dtmf). */
export function infoDigit(request: SipRequest): string | undefined {
  const type = (headerValue(request.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  const text = new TextDecoder().decode(request.body);
  const value =
    type === 'application/dtmf-relay'
      ? /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text)?.[1]
      : type === 'application/dtmf'
        ? text.trim()
        : undefined;
  if (value === undefined) return undefined;
  const key = value === '10' ? '*' : value === '11' ? '#' : value.toUpperCase();
  return /^[0-9*#A-D]$/.test(key) ? key : undefined;
}

/**
 * The SIP side of the B2BUA: answers the customer's INVITE, calls agents' phones, sends BYE and CANCEL,
 * answers requests inside dialogs, and reports what happens on each leg. It keeps no call logic: the
 * call layer decides, this carries it out over the endpoint's transactions (RFC 3261 §12-§15).
 */
export class SipLegs {
  readonly legs = new LegDirectory();
  readonly #endpoint: SipEndpoint;
  readonly #logger: SipLogger;
  readonly #onSignal: (signal: LegSignal) => void;
  readonly #failoverBudgetMs: number;
  readonly #failoverSilenceMs: number;
  readonly #sessionIds = new Map<string, string>();
  readonly #sessionTimerPolicy: SessionTimerPolicy;
  /**
   * Session timers of legs (RFC 4028), on calls we answered and calls we placed alike: the interval, whether
   * we refresh, our next refresh (or its retry), when the session expires unless refreshed, and whether our
   * refreshes go as UPDATE (the peer allows it) or as re-INVITE.
   */
  readonly #sessionTimers = new Map<
    string,
    {
      intervalS: number;
      isOurs: boolean;
      cancelRefresh: (() => void) | undefined;
      cancelExpiry: (() => void) | undefined;
      expiresAtMs: number;
      isUpdateAllowed: boolean;
    }
  >();
  /** Legs with a re-INVITE of ours still without a final response: a crossing offer gets 491 (RFC 3261 §14). */
  readonly #reInvitesPending = new Set<string>();
  /** Draws glare retry delays (RFC 3261 §14.1) and Retry-After values. */
  readonly #random: Random;
  readonly #timers: LegTimers;

  constructor(options: {
    readonly endpoint: SipEndpoint;
    readonly logger: SipLogger;
    /** Min-SE and the interval we offer (RFC 4028); its defaults unless a test shortens them. */
    readonly sessionTimer?: SessionTimerPolicy;
    readonly onSignal: (signal: LegSignal) => void;
    /** How long failing over between a trunk's targets may go on; `defaultFailoverBudgetMs` by default. */
    readonly failoverBudgetMs?: number;
    /** How long a trunk's target may stay silent before the next one is tried; `defaultFailoverSilenceMs`. */
    readonly failoverSilenceMs?: number;
    /** Randomness for glare retries; `Math.random` unless a test seeds it. */
    readonly random?: Random;
    /** Now and timers; `realLegTimers` unless a test drives them. */
    readonly timers?: LegTimers;
  }) {
    this.#endpoint = options.endpoint;
    this.#failoverBudgetMs = options.failoverBudgetMs ?? defaultFailoverBudgetMs;
    this.#failoverSilenceMs = options.failoverSilenceMs ?? defaultFailoverSilenceMs;
    this.#logger = options.logger;
    this.#sessionTimerPolicy = options.sessionTimer ?? defaultSessionTimerPolicy;
    this.#onSignal = options.onSignal;
    this.#random = options.random ?? { next: () => Math.random() };
    this.#timers = options.timers ?? realLegTimers;
  }

  #sessionId(leg: CallLeg): string {
    let id = this.#sessionIds.get(leg.legId);
    if (id === undefined) {
      id = String(Number.parseInt(token(4), 16));
      this.#sessionIds.set(leg.legId, id);
    }
    return id;
  }

  /** Negotiates the customer's offer (RFC 3264); 488 is the caller's to send when it fails. */
  static negotiate(offerBody: Uint8Array, local: LocalMedia): ReturnType<typeof answerOffer> | undefined {
    const offer = parseSdp(offerBody);
    if (!offer.ok) return undefined;
    return answerOffer(offer.value, targetOfSdp(local, '0', 0));
  }

  /**
   * Answers the customer's INVITE with 200 and our SDP, and makes the leg's dialog (UAS). False when the
   * INVITE already has a final answer (a CANCEL won the race) or cannot make a dialog.
   */
  answerCustomer(leg: CallLeg, transaction: ServerTransaction, answer: SessionDescription): boolean {
    if (transaction.hasFinalResponse) return false;
    // Our 200 goes back over the transport the INVITE came on, and so must the caller's BYE (RFC 3261 §12.1.1).
    const contact = this.#contactFor(
      { protocol: transaction.source.protocol, address: transaction.source.remoteAddress },
      requiresSipsContact(transaction.request, 'uas'),
    );
    const dialog = dialogAsUas(transaction.request, transaction.localTag, contact, randomInt(1, 10_000));
    if (!dialog.ok) {
      transaction.reply(400, `Bad Request - Cannot Make a Dialog (${dialog.error})`);
      return false;
    }
    const timer = negotiateSessionTimer(transaction.request.headers, this.#sessionTimerPolicy);
    if (timer.kind === 'too-small') {
      transaction.reply(422, 'Session Interval Too Small', {
        extraHeaders: [{ name: 'Min-SE', value: String(timer.minSeS) }],
      });
      return false;
    }
    leg.localSdp = answer;
    leg.dialog = dialog.value;
    this.legs.add(leg);
    this.legs.bindDialog(leg, dialogKey(dialog.value.callId, dialog.value.localTag, dialog.value.remoteTag));
    transaction.reply(200, 'OK', {
      extraHeaders: [
        { name: 'Contact', value: contact },
        { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY' },
        { name: 'Supported', value: 'timer' },
        ...(timer.kind === 'timer' ? timer.responseHeaders : []),
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(answer)),
    });
    if (timer.kind === 'timer')
      this.#startSessionTimer(
        leg,
        { intervalS: timer.intervalS, isOurs: timer.refresher === 'uas' },
        transaction.request.headers,
      );
    return true;
  }

  /**
   * Starts a leg's session timer once the session is set up: `peerHeaders` (the INVITE we answered, or the
   * 2xx to ours) tell whether our refreshes may go as UPDATE: only to a peer that lists it in Allow; others
   * get a re-INVITE (RFC 4028 §7.4).
   */
  #startSessionTimer(leg: CallLeg, state: SessionTimerState, peerHeaders: readonly SipHeader[]): void {
    this.#sessionTimers.set(leg.legId, {
      intervalS: state.intervalS,
      isOurs: state.isOurs,
      cancelRefresh: undefined,
      cancelExpiry: undefined,
      expiresAtMs: 0,
      isUpdateAllowed: headerValues(peerHeaders, 'allow')
        .flatMap((value) => value.split(','))
        .some((method) => method.trim().toUpperCase() === 'UPDATE'),
    });
    this.#armSessionTimer(leg);
  }

  /**
   * (Re)starts a leg's session timer (RFC 4028) after the session was set up or refreshed: as refresher we
   * refresh at half the interval; whoever refreshes, the session ends (BYE) when no refresh succeeded
   * before the interval, less a third of it (at most 32 s), runs out (§10).
   */
  #armSessionTimer(leg: CallLeg): void {
    const session = this.#sessionTimers.get(leg.legId);
    if (session === undefined) return;
    session.cancelRefresh?.();
    session.cancelExpiry?.();
    session.cancelRefresh = undefined;
    const { refreshAfterMs, expireAfterMs } = sessionTimerDeadlines(session.intervalS);
    session.expiresAtMs = this.#timers.now() + expireAfterMs;
    session.cancelExpiry = this.#timers.after(expireAfterMs, () => {
      session.cancelExpiry = undefined;
      if (leg.isEnded || leg.dialog === undefined) return;
      this.#logger.info(
        { legId: leg.legId, intervalS: session.intervalS },
        'session not refreshed: ending the leg',
      );
      this.bye(leg);
      this.#onSignal({ type: 'sessionExpired', leg });
    });
    if (session.isOurs)
      this.#scheduleRefresh(leg, session.isUpdateAllowed ? 'UPDATE' : 'INVITE', refreshAfterMs);
  }

  #scheduleRefresh(leg: CallLeg, method: 'UPDATE' | 'INVITE', afterMs: number): void {
    const session = this.#sessionTimers.get(leg.legId);
    if (session === undefined) return;
    session.cancelRefresh?.();
    session.cancelRefresh = this.#timers.after(afterMs, () => {
      session.cancelRefresh = undefined;
      if (leg.isEnded || leg.dialog === undefined) return;
      this.#refreshSession(leg, method);
    });
  }

  /**
   * Our session refresh (RFC 4028 §7.4): an UPDATE without a body when the peer allows UPDATE, else a
   * re-INVITE offering our last SDP unchanged (same version, RFC 3264 §8), its 2xx acknowledged. A failure
   * goes to `afterSessionRefreshFailure`: only 408, 481 or no response end the leg (§10); a 491 is retried
   * after the glare delay (RFC 3261 §14.1); other failures leave the session to expire unless a retry
   * succeeds first.
   */
  #refreshSession(leg: CallLeg, method: 'UPDATE' | 'INVITE'): void {
    const session = this.#sessionTimers.get(leg.legId);
    if (leg.dialog === undefined || session === undefined) return;
    const offer = method === 'INVITE' ? leg.localSdp : undefined;
    if (method === 'INVITE' && offer === undefined) return;
    const { request, dialog } = inDialogRequest(leg.dialog, method, {
      extraHeaders: sessionRefreshHeaders(session.intervalS),
      ...(offer === undefined ? {} : { contentType: sdpType, body: encoder.encode(serializeSdp(offer)) }),
    });
    leg.dialog = dialog;
    const cseq = dialog.localCSeq;
    let isAnswered = false;
    const failed = (failure: SessionRefreshFailure) => {
      if (isAnswered) return;
      isAnswered = true;
      this.#reInvitesPending.delete(leg.legId);
      if (leg.isEnded || this.#sessionTimers.get(leg.legId) !== session) return;
      this.#afterRefreshFailed(
        leg,
        method,
        failure,
        afterSessionRefreshFailure(failure, {
          method,
          canReInvite: leg.localSdp !== undefined,
          // We sent the dialog's INVITE unless we answered it (RFC 3261 §14.1).
          isCallIdOwner: leg.inviteTransaction === undefined,
          msUntilExpiry: session.expiresAtMs - this.#timers.now(),
          random: this.#random,
        }),
      );
    };
    if (method === 'INVITE') this.#reInvitesPending.add(leg.legId);
    const sent = this.#endpoint.sendRequest(request, leg.target, {
      onResponse: (response) => {
        if (response.statusCode < 200) return;
        if (response.statusCode >= 300) {
          failed(refreshFailureOf(response));
          return;
        }
        // Every 2xx to a re-INVITE is acknowledged, retransmissions included (RFC 3261 §13.2.2.4).
        if (method === 'INVITE' && leg.dialog !== undefined)
          this.#endpoint.sendStateless(ackFor2xx(leg.dialog, cseq), leg.target);
        if (isAnswered) return;
        isAnswered = true;
        this.#reInvitesPending.delete(leg.legId);
        // The 2xx may change the interval or hand the refreshing over (§7.2); one that says nothing about
        // timers (a peer without timer support) leaves us refreshing as before.
        const answered = sessionTimerOfAnswer(response.headers);
        if (answered !== undefined && this.#sessionTimers.get(leg.legId) === session) {
          session.intervalS = answered.intervalS;
          session.isOurs = answered.isOurs;
        }
        if (!leg.isEnded) this.#armSessionTimer(leg);
      },
      onFailure: (failure) => {
        failed({ kind: failure });
      },
    });
    if (!sent.ok) {
      this.#logger.info({ legId: leg.legId, reason: sent.error.message }, 'session refresh not sent');
      failed({ kind: 'transport-error' });
    }
  }

  /** Carries out the decision on a failed refresh of ours. */
  #afterRefreshFailed(
    leg: CallLeg,
    method: 'UPDATE' | 'INVITE',
    failure: SessionRefreshFailure,
    decision: AfterSessionRefreshFailure,
  ): void {
    const status = failure.kind === 'response' ? failure.statusCode : failure.kind;
    this.#logger.info(
      { legId: leg.legId, method, status, decision: decision.kind },
      'session refresh failed',
    );
    switch (decision.kind) {
      case 'end-session':
        this.bye(leg);
        this.#onSignal({ type: 'sessionExpired', leg });
        return;
      case 'retry': {
        const session = this.#sessionTimers.get(leg.legId);
        // A 405/501 to an UPDATE: the peer takes re-INVITEs only, from now on.
        if (session !== undefined && method === 'UPDATE' && decision.method === 'INVITE')
          session.isUpdateAllowed = false;
        this.#scheduleRefresh(leg, decision.method, decision.afterMs);
        return;
      }
      case 'await-expiry':
        // The session stays up until its expiry timer, unless the peer refreshes it first (§10).
        return;
      case 'stop-refreshing':
        this.#stopSessionTimer(leg);
        return;
    }
  }

  #stopSessionTimer(leg: CallLeg): void {
    const session = this.#sessionTimers.get(leg.legId);
    session?.cancelRefresh?.();
    session?.cancelExpiry?.();
    this.#sessionTimers.delete(leg.legId);
  }

  /**
   * A refresh the peer sent (a re-INVITE or UPDATE, RFC 4028 §9): the headers of our 2xx, after taking its
   * interval and refresher and restarting the timer; 'too-small' (answered 422 with our Min-SE here) when it
   * asks for less than our Min-SE.
   */
  #sessionRefreshed(leg: CallLeg, transaction: ServerTransaction): readonly SipHeader[] | 'too-small' {
    const session = this.#sessionTimers.get(leg.legId);
    if (session === undefined) return [];
    const answer = answerSessionRefresh(transaction.request.headers, session, this.#sessionTimerPolicy);
    if (answer.kind === 'too-small') {
      transaction.reply(422, 'Session Interval Too Small', {
        extraHeaders: [{ name: 'Min-SE', value: String(answer.minSeS) }],
      });
      return 'too-small';
    }
    session.intervalS = answer.state.intervalS;
    session.isOurs = answer.state.isOurs;
    this.#armSessionTimer(leg);
    return answer.responseHeaders;
  }

  /**
   * Calls a phone: INVITE with our offer to `requestUri`, sent to `target` (the phone's registration
   * source, so phones behind NAT are reached). `from` and `to` are full header values; `extraHeaders`
   * carry the interaction id and the customer's name. `alsoTo` are the user's other registered phones: the
   * same INVITE (Call-ID, From tag, offer) rings them in parallel, as a forking proxy would (RFC 3261
   * §16.7); the first to answer takes the leg and the others get CANCEL. `failoverTo` are the next targets
   * server location gave for a trunk (RFC 3263 §4.3): when `leg.target` fails (a transport error, no
   * response, 503) before it rings, the INVITE goes to the next one, unseen by the call layer. A branch of
   * `alsoTo` may have its own `failoverTo`: the other flows of the same phone (RFC 5626 §5.3), so a dead
   * flow moves on to the phone's next one instead of ringing the phone twice.
   */
  invite(
    leg: CallLeg,
    request: {
      readonly requestUri: Uri;
      readonly from: string;
      readonly to: string;
      readonly extraHeaders: readonly SipHeader[];
      /** Answers a 401/407 challenge once (a carrier's trunk); absent: a challenge is a failure. */
      readonly credentials?: { readonly username: string; readonly password: string } | undefined;
      /** Where to send the INVITE next, in turn, when `leg.target` fails (a trunk's other located targets). */
      readonly failoverTo?: readonly SendTarget[] | undefined;
      /** Route values of the INVITE: the Path of a phone registered through other proxies (RFC 3327 §5.4). */
      readonly route?: readonly string[] | undefined;
    },
    local: LocalMedia,
    alsoTo: readonly {
      readonly requestUri: Uri;
      readonly target: SendTarget;
      readonly failoverTo?: readonly SendTarget[] | undefined;
      readonly route?: readonly string[] | undefined;
    }[] = [],
  ): void {
    const offer = createOffer(targetOfSdp(local, this.#sessionId(leg), 1));
    leg.localSdp = offer;
    leg.sdpVersion = 1;
    const invite: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      requestUri: request.requestUri,
      headers: [
        { name: 'From', value: `${request.from};tag=${token()}` },
        { name: 'To', value: request.to },
        { name: 'Call-ID', value: `${token(12)}@centralita` },
        { name: 'CSeq', value: '1 INVITE' },
        { name: 'Max-Forwards', value: '70' },
        // Each branch and failover target gets the Contact of its own transport (`#sendInvite`).
        { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE' },
        // Session timers (RFC 4028 §7.1): the answerer chooses who refreshes.
        ...sessionTimerRequestHeaders(this.#sessionTimerPolicy),
        ...request.extraHeaders,
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(offer)),
    };
    this.legs.add(leg);
    leg.credentials = request.credentials;
    const firstTriedAtMs = this.#timers.now();
    const forks = [
      {
        requestUri: request.requestUri,
        target: leg.target,
        failoverTo: request.failoverTo,
        route: request.route,
      },
      ...alsoTo,
    ];
    const branches = forks.map((fork) => {
      // Each phone's own Route (its Path); CANCEL and the ACK of a failure copy it (RFC 3261 §9.1, §17.1.1.3).
      const routes = (fork.route ?? []).map((value) => ({ name: 'Route', value }));
      const forkInvite = {
        ...invite,
        requestUri: fork.requestUri,
        headers: routes.length === 0 ? invite.headers : [...routes, ...invite.headers],
      };
      const failoverTo = fork.failoverTo ?? [];
      const branch: InviteBranch = {
        target: fork.target,
        transaction: undefined,
        isDone: false,
        ...(failoverTo.length === 0
          ? {}
          : {
              failover: {
                targets: [fork.target, ...failoverTo],
                targetIndex: 0,
                firstTriedAtMs,
                invite: forkInvite,
                offer,
              },
            }),
      };
      return { branch, invite: forkInvite };
    });
    leg.branches = branches.map((fork) => fork.branch);
    for (const fork of branches) this.#sendInvite(leg, offer, fork.invite, fork.branch);
  }

  #sendInvite(leg: CallLeg, offer: SessionDescription, request: SipRequest, branch: InviteBranch): void {
    // A user's phones and a trunk's targets may each be on another transport: the Contact names the one
    // this INVITE leaves on, so the dialog's requests come back over it (RFC 3261 §8.1.1.8).
    const contact = this.#contactFor(branch.target, requiresSipsContact(request, 'uac'));
    const invite = { ...request, headers: withHeader(request.headers, 'Contact', contact) };
    // The listener also hears the CANCEL's transaction (`cancel`): its 200 says nothing of the INVITE, whose own
    // answer (487, or a 2xx that crossed the CANCEL) follows, nor does its failure (Timer B still runs).
    const sent = this.#endpoint.sendRequest(invite, branch.target, {
      onResponse: (response, transaction) => {
        if (transaction.method !== 'INVITE') return;
        this.#onInviteResponse(leg, offer, response, transaction, branch);
      },
      onFailure: (failure: ClientTransactionFailure, transaction) => {
        if (transaction.method !== 'INVITE') return;
        this.#branchFailed(leg, branch, failure === 'timeout' ? 408 : 503, { kind: failure });
      },
    });
    if (!sent.ok) {
      this.#logger.warn(
        { legId: leg.legId, reason: sent.error.message },
        'INVITE to a phone could not be sent',
      );
      queueMicrotask(() => {
        this.#branchFailed(leg, branch, 503, { kind: 'transport-error' });
      });
      return;
    }
    branch.transaction = sent.value;
    if (leg.outgoingInvite === undefined) leg.outgoingInvite = sent.value.request;
    const failover = branch.failover;
    if (failover !== undefined && failover.targetIndex + 1 < failover.targets.length)
      this.#timers.after(this.#failoverSilenceMs, () => {
        this.#whenSilent(leg, branch);
      });
  }

  /**
   * A trunk's target said nothing at all (not even 100 Trying) within the silence limit: the INVITE moves on to
   * the next target when `failoverAfter` says so, and this target's transaction is left to run out (should it
   * answer after all, its 2xx is acknowledged and hung up, or taken if nobody else answered).
   */
  #whenSilent(leg: CallLeg, branch: InviteBranch): void {
    if (branch.hasResponded === true || branch.isDone || leg.dialog !== undefined || leg.isEnded) return;
    if (!this.#failOver(leg, branch, { kind: 'silent' })) return;
    branch.isDone = true;
    branch.transaction = undefined;
  }

  /**
   * One phone of the leg said no (or never answered): the leg fails once every phone has. A trunk's target
   * that failed hands the INVITE on to the next one first, when there is one (`#failOver`).
   */
  #branchFailed(leg: CallLeg, branch: InviteBranch, statusCode: number, outcome: TargetOutcome): void {
    if (branch.isDone) return;
    branch.isDone = true;
    branch.transaction = undefined;
    leg.bestFailureStatus = betterFailure(leg.bestFailureStatus, statusCode);
    if (leg.dialog !== undefined || leg.isEnded) return;
    if (this.#failOver(leg, branch, outcome)) return;
    // A decline on one phone is the user's answer: the others stop ringing (RFC 3261 §16.7 step 5).
    if (statusCode >= 600) this.#cancelBranches(leg);
    else if (leg.branches?.some((other) => !other.isDone) === true) return;
    leg.isEnded = true;
    this.#onSignal({ type: 'failed', leg, statusCode: leg.bestFailureStatus });
  }

  /**
   * RFC 3263 §4.3: the INVITE goes to the trunk's next located target in a new transaction (a new branch
   * replaces the failed one), as long as `failoverAfter` says so. False when the failure is the leg's.
   */
  #failOver(leg: CallLeg, branch: InviteBranch, outcome: TargetOutcome): boolean {
    const failover = branch.failover;
    if (failover === undefined) return false;
    const decision = failoverAfter(outcome, {
      targetIndex: failover.targetIndex,
      targetCount: failover.targets.length,
      hasProgressed: branch.hasProgressed === true,
      elapsedMs: this.#timers.now() - failover.firstTriedAtMs,
      budgetMs: this.#failoverBudgetMs,
    });
    const target = decision.kind === 'try-next' ? failover.targets[decision.targetIndex] : undefined;
    this.#logger.info(
      {
        legId: leg.legId,
        outcome: outcome.kind === 'final-response' ? outcome.statusCode : outcome.kind,
        failed: `${branch.target.protocol}:${branch.target.address}:${String(branch.target.port)}`,
        next:
          target === undefined
            ? decision.kind === 'give-up'
              ? decision.reason
              : undefined
            : `${target.protocol}:${target.address}:${String(target.port)}`,
      },
      'INVITE target failed (a trunk target or a phone flow)',
    );
    if (decision.kind !== 'try-next' || target === undefined) return false;
    const next: InviteBranch = {
      target,
      transaction: undefined,
      isDone: false,
      failover: { ...failover, targetIndex: decision.targetIndex },
    };
    leg.branches = (leg.branches ?? []).map((other) => (other === branch ? next : other));
    // Another server: its challenge is answered afresh.
    leg.isAuthenticated = false;
    this.#sendInvite(leg, failover.offer, failover.invite, next);
    return true;
  }

  #onInviteResponse(
    leg: CallLeg,
    offer: SessionDescription,
    response: SipResponse,
    transaction: ClientTransaction,
    branch: InviteBranch,
  ): void {
    const status = response.statusCode;
    branch.hasResponded = true;
    if (status < 200) {
      if (branch.isDone || leg.dialog !== undefined) return;
      if (status > 100 && /;\s*tag=/i.test(headerValue(response.headers, 'to') ?? '')) {
        leg.earlyResponse = response;
        leg.earlyTarget = branch.target;
        leg.outgoingInvite = transaction.request;
      }
      if (status > 100) branch.hasProgressed = true;
      if (status > 100 && !leg.isEnded) this.#onSignal({ type: 'ringing', leg });
      return;
    }
    if (
      (status === 401 || status === 407) &&
      leg.credentials !== undefined &&
      !leg.isEnded &&
      !leg.isAuthenticated
    ) {
      const retry = this.#authenticatedInvite(transaction.request, response, leg.credentials);
      if (retry !== undefined) {
        leg.isAuthenticated = true;
        this.#sendInvite(leg, offer, retry, branch);
        return;
      }
    }
    if (status === 422 && !leg.isEnded && branch.isTimerRaised !== true) {
      // Our interval is below the answerer's Min-SE: asked once more with its Min-SE (RFC 4028 §7.3).
      const retry = this.#withRaisedInterval(transaction.request, response);
      if (retry !== undefined) {
        branch.isTimerRaised = true;
        this.#sendInvite(leg, offer, retry, branch);
        return;
      }
    }
    if (status >= 300) {
      this.#branchFailed(leg, branch, status, { kind: 'final-response', statusCode: status });
      return;
    }
    // 2xx: every one is acknowledged, retransmissions included (RFC 3261 §13.2.2.4).
    const dialog = dialogAsUac(
      transaction.request,
      response,
      headerValue(transaction.request.headers, 'contact') ??
        this.#contactFor(branch.target, requiresSipsContact(transaction.request, 'uac')),
    );
    if (!dialog.ok) {
      this.#logger.warn({ legId: leg.legId, problem: dialog.error }, 'a phone answered with an unusable 2xx');
      return;
    }
    const cseq = parseCSeq(headerValue(transaction.request.headers, 'cseq') ?? '')?.sequence ?? 1;
    if (leg.dialog !== undefined && leg.dialog.remoteTag !== dialog.value.remoteTag) {
      // Another of the user's phones answered too (its 200 crossed our CANCEL): that one is hung up at once.
      this.#endpoint.sendStateless(ackFor2xx(dialog.value, cseq), branch.target);
      const { request: bye } = inDialogRequest(dialog.value, 'BYE');
      this.#endpoint.sendRequest(bye, branch.target, {
        onResponse: () => undefined,
        onFailure: () => undefined,
      });
      return;
    }
    if (leg.dialog === undefined) {
      leg.dialog = dialog.value;
      leg.target = branch.target;
      branch.isDone = true;
      branch.transaction = undefined;
      this.legs.bindDialog(
        leg,
        dialogKey(dialog.value.callId, dialog.value.localTag, dialog.value.remoteTag),
      );
      // The user's other phones stop ringing (RFC 3261 §16.7 step 10); when we gave up they already did.
      this.#cancelBranches(leg);
    }
    this.#endpoint.sendStateless(ackFor2xx(leg.dialog, cseq), leg.target);
    if (leg.isEnded) {
      // Answered after we gave up (our CANCEL crossed its 200): end it at once.
      this.bye(leg, true);
      return;
    }
    const sdp = parseSdp(response.body);
    const audio = sdp.ok ? acceptAnswer(offer, sdp.value) : undefined;
    if (audio === undefined || !audio.ok) {
      this.#logger.warn({ legId: leg.legId }, 'a phone answered without a usable SDP answer');
      leg.isEnded = true;
      this.bye(leg, true);
      this.#onSignal({ type: 'failed', leg, statusCode: 488 });
      return;
    }
    // Only the first 2xx starts the conversation; retransmissions were acknowledged above.
    if (leg.sdpVersion === 1) {
      leg.sdpVersion = 2;
      const timer = sessionTimerOfAnswer(response.headers);
      if (timer !== undefined) this.#startSessionTimer(leg, timer, response.headers);
      this.#onSignal({ type: 'answered', leg, audio: audio.value });
    }
  }

  /**
   * The INVITE again after a 422 (RFC 4028 §7.3): the same Call-ID and From tag, the next CSeq, no Via, and
   * Session-Expires and Min-SE raised to the 422's Min-SE; undefined when the 422 gives none above ours.
   */
  #withRaisedInterval(previous: SipRequest, tooSmall: SipResponse): SipRequest | undefined {
    const asked = parseSessionExpires(headerValue(previous.headers, 'session-expires') ?? '');
    const minSeS = minSeAfterTooSmall(tooSmall.headers, asked?.intervalS ?? 0);
    const cseq = parseCSeq(headerValue(previous.headers, 'cseq') ?? '');
    if (minSeS === undefined || cseq === undefined) return undefined;
    const raised = sessionTimerRequestHeaders(this.#sessionTimerPolicy, minSeS);
    const replaced = new Set(['via', 'cseq', ...raised.map((header) => header.name.toLowerCase())]);
    const headers = previous.headers
      .filter((header) => !replaced.has(header.name.toLowerCase()))
      .concat([{ name: 'CSeq', value: `${String(cseq.sequence + 1)} INVITE` }, ...raised]);
    return { ...previous, headers };
  }

  /**
   * The INVITE again with credentials for the challenge in a 401/407 (RFC 3261 §22.2): same Call-ID and
   * From tag, the next CSeq, no Via (the endpoint adds a fresh one).
   */
  #authenticatedInvite(
    previous: SipRequest,
    challengeResponse: SipResponse,
    credentials: { readonly username: string; readonly password: string },
  ): SipRequest | undefined {
    const isProxy = challengeResponse.statusCode === 407;
    const header = headerValue(
      challengeResponse.headers,
      isProxy ? 'proxy-authenticate' : 'www-authenticate',
    );
    const challenge = header === undefined ? undefined : parseDigestChallenge(header);
    const cseq = parseCSeq(headerValue(previous.headers, 'cseq') ?? '');
    if (challenge === undefined || !challenge.ok || cseq === undefined) return undefined;
    const answer = answerChallenge(challenge.value, {
      username: credentials.username,
      password: credentials.password,
      method: 'INVITE',
      uri: serializeUri(previous.requestUri),
      cnonce: token(),
      nonceCount: 1,
    });
    const headers = previous.headers
      .filter((h) => !['via', 'cseq', 'authorization', 'proxy-authorization'].includes(h.name.toLowerCase()))
      .concat([
        { name: 'CSeq', value: `${String(cseq.sequence + 1)} INVITE` },
        {
          name: isProxy ? 'Proxy-Authorization' : 'Authorization',
          value: serializeDigestCredentials(answer),
        },
      ]);
    return { ...previous, headers };
  }

  /**
   * Gives up on an agent's INVITE: CANCEL to every phone still without a final answer, BYE when one already
   * answered.
   */
  cancel(leg: CallLeg): void {
    if (leg.dialog !== undefined) {
      this.bye(leg);
      return;
    }
    leg.isEnded = true;
    this.#cancelBranches(leg);
  }

  /**
   * CANCEL to every phone of the leg still without a final answer; nothing more is awaited from them (a 2xx
   * that crosses the CANCEL is still acknowledged and hung up, or taken when nobody else answered).
   */
  #cancelBranches(leg: CallLeg): void {
    for (const branch of leg.branches ?? []) {
      const transaction = branch.transaction;
      if (branch.isDone || transaction === undefined) continue;
      branch.isDone = true;
      branch.transaction = undefined;
      const cancelled = transaction.cancel();
      if (!cancelled.ok)
        this.#logger.info({ legId: leg.legId, reason: cancelled.error.message }, 'CANCEL not sent');
    }
  }

  /** Ends a leg's dialog with BYE (RFC 3261 §15.1.1); `isForced` sends it even for a leg already ended. */
  bye(leg: CallLeg, isForced = false): void {
    this.#stopSessionTimer(leg);
    if (leg.dialog === undefined) {
      leg.isEnded = true;
      return;
    }
    if ((leg.isEnded && !isForced) || leg.isByeSent) return;
    leg.isEnded = true;
    leg.isByeSent = true;
    const { request, dialog } = inDialogRequest(leg.dialog, 'BYE');
    leg.dialog = dialog;
    const sent = this.#endpoint.sendRequest(request, leg.target, {
      onResponse: () => undefined,
      onFailure: () => undefined,
    });
    if (!sent.ok) this.#logger.info({ legId: leg.legId, reason: sent.error.message }, 'BYE not sent');
  }

  /**
   * Reports a REFER's outcome in the implicit subscription (RFC 3515 §2.4.4): a NOTIFY with a
   * `message/sipfrag` status line; final ones end the subscription.
   */
  notifyRefer(leg: CallLeg, statusCode: number, reasonPhrase: string): void {
    if (leg.dialog === undefined || leg.isEnded) return;
    const isFinal = statusCode >= 200;
    const { request, dialog } = inDialogRequest(leg.dialog, 'NOTIFY', {
      contentType: 'message/sipfrag;version=2.0',
      extraHeaders: [
        { name: 'Event', value: 'refer' },
        {
          name: 'Subscription-State',
          value: isFinal ? 'terminated;reason=noresource' : 'active;expires=60',
        },
      ],
    });
    leg.dialog = dialog;
    const sent = this.#endpoint.sendRequest(
      { ...request, body: encoder.encode(`SIP/2.0 ${String(statusCode)} ${reasonPhrase}\r\n`) },
      leg.target,
      { onResponse: () => undefined, onFailure: () => undefined },
    );
    if (!sent.ok) this.#logger.info({ legId: leg.legId, reason: sent.error.message }, 'NOTIFY not sent');
  }

  /**
   * Asks a ringing phone to pick up: a NOTIFY with `Event: talk` in the early dialog of its 180 (the remote
   * answer many desk phones accept, often after a setting is switched on). Resolves with the phone's status
   * code (2xx: it answers, and its 200 to the INVITE follows), 0 when the phone is not ringing in an early
   * dialog, 408 without an answer.
   */
  remoteAnswer(leg: CallLeg): Promise<number> {
    const provisional = leg.earlyResponse;
    const invite = leg.outgoingInvite;
    if (provisional === undefined || invite === undefined || leg.dialog !== undefined || leg.isEnded)
      return Promise.resolve(0);
    const contact = parseNameAddress(headerValue(provisional.headers, 'contact') ?? '');
    const sequence = (parseCSeq(headerValue(invite.headers, 'cseq') ?? '')?.sequence ?? 1) + 1;
    const target = leg.earlyTarget ?? leg.target;
    const requestUri = contact?.uri.kind === 'sip' ? contact.uri : invite.requestUri;
    const notify: SipRequest = {
      kind: 'request',
      method: 'NOTIFY',
      requestUri,
      headers: [
        { name: 'From', value: headerValue(invite.headers, 'from') ?? '' },
        { name: 'To', value: headerValue(provisional.headers, 'to') ?? '' },
        { name: 'Call-ID', value: headerValue(invite.headers, 'call-id') ?? '' },
        { name: 'CSeq', value: `${String(sequence)} NOTIFY` },
        { name: 'Max-Forwards', value: '70' },
        {
          name: 'Contact',
          value: this.#contactFor(target, requestUri.kind === 'sip' && requestUri.scheme === 'sips'),
        },
        { name: 'Event', value: 'talk' },
        { name: 'Subscription-State', value: 'terminated;reason=noresource' },
      ],
      body: new Uint8Array(0),
    };
    return new Promise((resolve) => {
      const sent = this.#endpoint.sendRequest(notify, target, {
        onResponse: (response) => {
          if (response.statusCode >= 200) resolve(response.statusCode);
        },
        onFailure: () => {
          resolve(408);
        },
      });
      if (!sent.ok) resolve(503);
    });
  }

  /** A customer's CANCEL reached an INVITE without final answer: 487, and the leg is over. */
  cancelled(transaction: ServerTransaction): void {
    if (!transaction.hasFinalResponse) transaction.reply(487, 'Request Terminated');
  }

  /** BYE, INFO, UPDATE, REFER, NOTIFY inside a dialog (RFC 3261 §12.2.2, RFC 6086, RFC 3311, RFC 3515). */
  onInDialogRequest(transaction: ServerTransaction, local: (leg: CallLeg) => LocalMedia | undefined): void {
    const leg = this.#legOf(transaction);
    if (leg === undefined) return;
    const request = transaction.request;
    switch (request.method) {
      case 'BYE': {
        transaction.reply(200, 'OK');
        this.#stopSessionTimer(leg);
        if (leg.isEnded) return;
        leg.isEnded = true;
        this.#onSignal({ type: 'hungUp', leg });
        return;
      }
      case 'INFO': {
        const digit = infoDigit(request);
        if (digit === undefined) {
          // RFC 6086 §4.2.2: an Info Package we do not know is 469, but legacy phones send no Info-Package.
          transaction.reply(
            request.body.length === 0 ? 200 : 415,
            request.body.length === 0 ? 'OK' : 'Unsupported Media Type',
          );
          return;
        }
        transaction.reply(200, 'OK');
        this.#onSignal({ type: 'infoDigit', leg, digit });
        return;
      }
      case 'UPDATE':
      case 'INVITE': {
        // Glare (RFC 3261 §14.2, RFC 3311 §5.2): an offer crossing our pending re-INVITE gets 491, and the
        // peer retries after its delay. A peer's earlier offer is never pending here: each is answered at once.
        const isOursPending = this.#reInvitesPending.has(leg.legId);
        const collision = offerCollision(
          { method: request.method === 'INVITE' ? 'INVITE' : 'UPDATE', hasOffer: request.body.length > 0 },
          { isOwnInvitePending: isOursPending, isOwnOfferPending: isOursPending, isPeerOfferPending: false },
          this.#random,
        );
        if (collision !== undefined) {
          if (collision.statusCode === 491) transaction.reply(491, 'Request Pending');
          else
            transaction.reply(500, 'Server Internal Error', {
              extraHeaders: [{ name: 'Retry-After', value: String(collision.retryAfterS) }],
            });
          return;
        }
        this.#answerOffer(transaction, leg, local(leg));
        return;
      }
      case 'REFER': {
        const referTo = parseNameAddress(headerValue(request.headers, 'refer-to') ?? '');
        if (referTo === undefined) {
          transaction.reply(400, 'Bad Request - Missing or Malformed Refer-To');
          return;
        }
        if (referTo.uri.kind !== 'sip') {
          transaction.reply(501, 'Not Implemented - Refer-To Must Be a SIP URI');
          return;
        }
        const replaces = referToReplaces(referTo.uri);
        if (replaces === 'malformed') {
          transaction.reply(400, 'Bad Request - Malformed Replaces in Refer-To');
          return;
        }
        transaction.reply(202, 'Accepted', {
          extraHeaders: [{ name: 'Contact', value: this.#dialogContact(leg, transaction) }],
        });
        this.#onSignal({
          type: 'referred',
          leg,
          target: referTo.uri,
          replaces: replaces === 'absent' ? undefined : replaces,
        });
        return;
      }
      case 'NOTIFY':
        // Nothing we subscribe to; a phone's stray NOTIFY is accepted and ignored.
        transaction.reply(200, 'OK');
        return;
      default:
        transaction.reply(405, 'Method Not Allowed');
    }
  }

  /** A re-INVITE or an UPDATE with an offer: answered from our media, with the peer's direction mirrored. */
  #answerOffer(transaction: ServerTransaction, leg: CallLeg, local: LocalMedia | undefined): void {
    const request = transaction.request;
    if (request.body.length === 0 || local === undefined) {
      // A session refresh without an offer (RFC 4028): an UPDATE gets a bare 200 (RFC 3311 §5.2: no offer,
      // no answer); a re-INVITE without an offer (a late offer) gets our last SDP as the offer.
      const sdp = request.method === 'INVITE' ? leg.localSdp : undefined;
      const refreshed = this.#sessionRefreshed(leg, transaction);
      if (refreshed === 'too-small') return;
      transaction.reply(200, 'OK', {
        extraHeaders: [
          { name: 'Contact', value: this.#dialogContact(leg, transaction) },
          ...refreshed,
          ...(sdp === undefined ? [] : [{ name: 'Content-Type', value: sdpType }]),
        ],
        ...(sdp === undefined ? {} : { body: encoder.encode(serializeSdp(sdp)) }),
      });
      return;
    }
    const offer = parseSdp(request.body);
    if (!offer.ok) {
      transaction.reply(400, 'Bad Request - Malformed SDP');
      return;
    }
    const answered = answerOffer(offer.value, targetOfSdp(local, this.#sessionId(leg), leg.sdpVersion + 1));
    if (!answered.ok) {
      transaction.reply(488, 'Not Acceptable Here');
      return;
    }
    const refreshed = this.#sessionRefreshed(leg, transaction);
    if (refreshed === 'too-small') return;
    leg.sdpVersion += 1;
    leg.localSdp = answered.value.answer;
    transaction.reply(200, 'OK', {
      extraHeaders: [
        { name: 'Contact', value: this.#dialogContact(leg, transaction) },
        ...refreshed,
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(answered.value.answer)),
    });
    const media = offer.value.media[answered.value.audio.mediaIndex];
    const direction = media === undefined ? 'sendrecv' : mediaDirection(offer.value, media);
    const isHeld =
      direction === 'sendonly' ||
      direction === 'inactive' ||
      answered.value.audio.remoteAddress === '0.0.0.0';
    this.#onSignal({ type: 'directionChanged', leg, isHeld, audio: answered.value.audio });
  }

  /**
   * Our Contact for a message to `peer` over its transport: the listener of that transport, whose sent-by
   * the Via names too (`localContact`).
   */
  #contactFor(
    peer: { readonly protocol: SendTarget['protocol']; readonly address: string },
    isSips: boolean,
  ) {
    return localContact({
      user: 'centralita',
      transport: peer.protocol,
      hostPort: this.#endpoint.sentByFor(peer.protocol, peer.address),
      isSips,
    });
  }

  /** Our Contact in a response inside a leg's dialog: the dialog's own, which its target refreshes keep. */
  #dialogContact(leg: CallLeg, transaction: ServerTransaction): string {
    return (
      leg.dialog?.localContact ??
      this.#contactFor(
        { protocol: transaction.source.protocol, address: transaction.source.remoteAddress },
        requiresSipsContact(transaction.request, 'uas'),
      )
    );
  }

  /**
   * The live leg whose dialog a `Replaces` names. Its tags are read as RFC 3891 §3 defines them (`to-tag` is
   * ours), and the other way round too: phones differ on whose point of view they write them from.
   */
  legReplaced(replaces: Replaces): CallLeg | undefined {
    const leg =
      this.legs.byDialog(dialogKey(replaces.callId, replaces.toTag, replaces.fromTag)) ??
      this.legs.byDialog(dialogKey(replaces.callId, replaces.fromTag, replaces.toTag));
    return leg === undefined || leg.isEnded ? undefined : leg;
  }

  /** The leg of a request inside a dialog after the CSeq check; answers 481 or 500 itself when there is none. */
  #legOf(transaction: ServerTransaction): CallLeg | undefined {
    const key = receivedRequestDialogKey(transaction.request);
    const leg = key === undefined ? undefined : this.legs.byDialog(key);
    if (leg?.dialog === undefined) {
      transaction.reply(481, 'Call/Transaction Does Not Exist');
      return undefined;
    }
    const accepted = receiveInDialog(leg.dialog, transaction.request);
    if (!accepted.ok) {
      transaction.reply(500, 'Server Internal Error - CSeq Out of Order');
      return undefined;
    }
    leg.dialog = accepted.value;
    return leg;
  }

  /** A re-INVITE (To tag present) for a leg we know; false when it is not in one of our dialogs. */
  isInDialog(request: SipRequest): boolean {
    const key = receivedRequestDialogKey(request);
    return key !== undefined && this.legs.byDialog(key) !== undefined;
  }

  /** Forgets a leg that is over. */
  forget(leg: CallLeg): void {
    this.legs.remove(leg);
    this.#sessionIds.delete(leg.legId);
    this.#reInvitesPending.delete(leg.legId);
    this.#stopSessionTimer(leg);
  }

  /** The dialog of a leg (for tests and logs). */
  static dialogOf(leg: CallLeg): Dialog | undefined {
    return leg.dialog;
  }

  /** The SendTarget for a Via transport name. */
  static target(protocol: string, address: string, port: number): SendTarget {
    const lower = protocol.toLowerCase();
    const transport = lower === 'tcp' || lower === 'tls' || lower === 'ws' || lower === 'wss' ? lower : 'udp';
    return { protocol: transport, address, port };
  }
}
