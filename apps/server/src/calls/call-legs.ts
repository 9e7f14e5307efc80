import type { Dialog, SessionDescription, SipRequest, SipResponse } from '@centralita/sip';
import type { ClientTransaction, SendTarget, ServerTransaction } from '@centralita/sip-transport';

/** Which side of the call a leg is. */
export type LegRole = 'customer' | 'agent';

/**
 * One SIP leg of a call at run time: its dialog (once it has one), where its requests go, the media leg
 * of the same id, and the transaction that made it. A leg belongs to exactly one call at a time.
 */
export interface CallLeg {
  readonly legId: string;
  readonly role: LegRole;
  /** The interaction the leg belongs to (set once the interaction row exists). */
  interactionId: string;
  readonly tenantId: string;
  /**
   * Where requests inside the dialog are sent: the source of the customer's INVITE, or the phone's binding
   * (the one that answered, when the INVITE went to several phones of the user).
   */
  target: SendTarget;
  dialog: Dialog | undefined;
  /** The customer's INVITE (we are its UAS). */
  readonly inviteTransaction?: ServerTransaction;
  /**
   * Our INVITE to each phone called for this leg (we are the UAC): one per registration of the user, rung in
   * parallel; the first to answer takes the leg and the others are cancelled.
   */
  branches?: InviteBranch[];
  /** The best failure heard so far from a branch (RFC 3261 §16.7 step 6): reported when every branch failed. */
  bestFailureStatus?: number;
  /** The INVITE as sent to the phone of `earlyResponse`. */
  outgoingInvite?: SipRequest;
  /** The phone's last provisional answer with a To tag (an early dialog): where a remote answer is sent. */
  earlyResponse?: SipResponse;
  /** Where that phone is reached. */
  earlyTarget?: SendTarget;
  /** Our SDP towards the leg (for re-answers and version bumps, RFC 3264 §8). */
  localSdp: SessionDescription | undefined;
  sdpVersion: number;
  /** A media leg exists in the engine. */
  hasMedia: boolean;
  /** BYE sent or received, or the INVITE failed: nothing more is sent on it. */
  isEnded: boolean;
  /** Credentials for a challenge on our INVITE (trunks), and whether they were already used. */
  credentials?: { readonly username: string; readonly password: string } | undefined;
  isAuthenticated?: boolean;
  /** We sent BYE (never twice, whatever retransmissions arrive). */
  isByeSent?: boolean;
  /**
   * The leg of a flow's transfer to an extension or a number (not an ACD offer). Cleared, like `isCompanion`
   * set, when another call takes the leg over (an attended transfer from the phone).
   */
  isTransferTarget?: boolean;
  /** The agent the leg rings (agent legs), or the colleague whose extension a transfer leg calls. */
  agentId?: string;
  /** The leg of a supervisor or a consulted colleague (a call's third party). */
  isCompanion?: boolean;
  /**
   * The contact `agentId` is engaged on for the ACD through this leg (a companion, a colleague called on an
   * extension): busy while it lasts, told once when the leg ends.
   */
  engagedContactId?: string | undefined;
}

/** One phone an agent leg's INVITE went to. */
export interface InviteBranch {
  readonly target: SendTarget;
  /** The INVITE client transaction while it has no final answer. */
  transaction: ClientTransaction | undefined;
  /** A final answer came (or we gave up on it): nothing more is expected of this branch. */
  isDone: boolean;
  /** A provisional answer other than 100 came: the target took the INVITE (no failover from it any more). */
  hasProgressed?: boolean;
  /** Some response (100 Trying included) came from the target: it is alive. */
  hasResponded?: boolean;
  /** The INVITE was sent again with a longer session interval after a 422 (RFC 4028 §7.3): only once. */
  isTimerRaised?: boolean;
  /** Server location's targets of a trunk (RFC 3263 §4.3), this branch's among them; absent for phones. */
  readonly failover?: TrunkFailover;
}

/** The targets a trunk's INVITE may go to in turn, and which of them a branch is trying. */
export interface TrunkFailover {
  /** Every located target, in the order to try. */
  readonly targets: readonly SendTarget[];
  /** The position of the branch's target in `targets`. */
  readonly targetIndex: number;
  /** When the first target was tried (ms since the epoch): failover stops once the budget is spent. */
  readonly firstTriedAtMs: number;
  /** The INVITE as first built (no Via): each target gets it in a new transaction. */
  readonly invite: SipRequest;
  readonly offer: SessionDescription;
}

/**
 * Which of two failures of a forked INVITE to report (RFC 3261 §16.7 step 6, narrowed for agents' phones):
 * a decline (6xx) above all, then busy (486), then other refusals (4xx), then no answer (408), then server
 * errors (5xx).
 */
export function betterFailure(current: number | undefined, candidate: number): number {
  const rank = (status: number): number =>
    status >= 600 ? 0 : status === 486 ? 1 : status === 408 ? 3 : status < 500 ? 2 : 4;
  return current === undefined || rank(candidate) < rank(current) ? candidate : current;
}

/** The dialogs of live legs, by dialog key, and the legs by id. */
export class LegDirectory {
  readonly #byId = new Map<string, CallLeg>();
  readonly #byDialog = new Map<string, CallLeg>();
  /** Each leg's dialog keys, so removing a leg does not scan every live dialog. */
  readonly #dialogKeys = new Map<CallLeg, string[]>();

  add(leg: CallLeg): void {
    this.#byId.set(leg.legId, leg);
  }

  /** Records the dialog key of a leg once its dialog exists. */
  bindDialog(leg: CallLeg, key: string): void {
    this.#byDialog.set(key, leg);
    const keys = this.#dialogKeys.get(leg);
    if (keys === undefined) this.#dialogKeys.set(leg, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  byId(legId: string): CallLeg | undefined {
    return this.#byId.get(legId);
  }

  byDialog(key: string): CallLeg | undefined {
    return this.#byDialog.get(key);
  }

  remove(leg: CallLeg): void {
    this.#byId.delete(leg.legId);
    for (const key of this.#dialogKeys.get(leg) ?? [])
      if (this.#byDialog.get(key) === leg) this.#byDialog.delete(key);
    this.#dialogKeys.delete(leg);
  }

  get size(): number {
    return this.#byId.size;
  }
}
