import type { Random } from '@centralita/kernel';

/**
 * How long a UAC waits before retrying a re-INVITE or UPDATE that got 491 Request Pending (RFC 3261 §14.1,
 * RFC 3311 §5.1): 2.1 to 4 s when it owns the dialog's Call-ID (it sent the initial INVITE), 0 to 2 s
 * otherwise, in units of 10 ms. The ranges do not overlap, so two UAs that collided do not collide again.
 */
export function nextGlareRetryDelayMs(isCallIdOwner: boolean, random: Random): number {
  const [fromMs, toMs] = isCallIdOwner ? [2100, 4000] : [0, 2000];
  const steps = (toMs - fromMs) / 10;
  return fromMs + 10 * Math.min(steps, Math.floor(random.next() * (steps + 1)));
}

/** A re-INVITE or UPDATE that arrived in a dialog, as far as offer/answer goes. */
export interface IncomingOfferRequest {
  readonly method: 'INVITE' | 'UPDATE';
  /** It carries an SDP offer (a re-INVITE without one is a late offer, still an INVITE transaction). */
  readonly hasOffer: boolean;
}

/** What is in progress on the dialog when the request arrives. */
export interface OfferExchangeInProgress {
  /** Our re-INVITE has no final response yet. */
  readonly isOwnInvitePending: boolean;
  /** Our offer (in a re-INVITE or an UPDATE) has no answer yet. */
  readonly isOwnOfferPending: boolean;
  /** The peer's earlier re-INVITE or offer has no final response or answer from us yet. */
  readonly isPeerOfferPending: boolean;
}

/** How a colliding request is refused. */
export type OfferCollision =
  { readonly statusCode: 491 } | { readonly statusCode: 500; readonly retryAfterS: number };

/**
 * Whether a re-INVITE or UPDATE collides with an exchange in progress, and the refusal (undefined: go ahead):
 * - a re-INVITE while our INVITE is pending, or while our offer waits for its answer: 491 (RFC 3261 §14.2,
 *   RFC 6337 §3.3); an UPDATE with an offer while our offer waits: 491 (RFC 3311 §5.2);
 * - a re-INVITE while the peer's earlier one has no final response, or an UPDATE with an offer while the
 *   peer's offer has no answer: 500 with a Retry-After of 0 to 10 s (RFC 3261 §14.2, RFC 3311 §5.2).
 * An UPDATE without an offer (a session refresh, RFC 4028) collides with nothing.
 */
export function offerCollision(
  request: IncomingOfferRequest,
  inProgress: OfferExchangeInProgress,
  random: Random,
): OfferCollision | undefined {
  if (request.method === 'UPDATE' && !request.hasOffer) return undefined;
  const isOursPending =
    inProgress.isOwnOfferPending || (request.method === 'INVITE' && inProgress.isOwnInvitePending);
  if (isOursPending) return { statusCode: 491 };
  if (inProgress.isPeerOfferPending)
    return { statusCode: 500, retryAfterS: Math.min(10, Math.floor(random.next() * 11)) };
  return undefined;
}
