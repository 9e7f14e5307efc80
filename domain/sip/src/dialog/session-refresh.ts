import type { Random } from '@centralita/kernel';
import type { SipResponse } from '../message/sip-message.ts';
import { headerValue } from '../message/sip-message.ts';
import { nextGlareRetryDelayMs } from './glare.ts';

/** How our session refresh (RFC 4028 §7.4) failed. */
export type SessionRefreshFailure =
  /** A final non-2xx response; `retryAfterS` from its Retry-After, if any. */
  | { readonly kind: 'response'; readonly statusCode: number; readonly retryAfterS?: number | undefined }
  /** No response at all: the transaction timed out (Timer B or F). */
  | { readonly kind: 'timeout' }
  /** The request could not be sent or its connection broke (RFC 3261 §8.1.3.1: as a 503). */
  | { readonly kind: 'transport-error' };

/** A final non-2xx response to a refresh as a failure, with the seconds of its Retry-After (RFC 3261 §20.33). */
export function refreshFailureOf(response: SipResponse): SessionRefreshFailure {
  const retryAfter = /^\s*(\d{1,9})/.exec(headerValue(response.headers, 'retry-after') ?? '')?.[1];
  return {
    kind: 'response',
    statusCode: response.statusCode,
    ...(retryAfter === undefined ? {} : { retryAfterS: Number(retryAfter) }),
  };
}

/** What the refresher does after a failed refresh. */
export type AfterSessionRefreshFailure =
  /** The session is gone (RFC 4028 §10: 408, 481, or no response): BYE. */
  | { readonly kind: 'end-session' }
  /** Try again after `afterMs` with `method`. */
  | { readonly kind: 'retry'; readonly method: 'UPDATE' | 'INVITE'; readonly afterMs: number }
  /** No retry fits before the session expires: it ends then, unless the peer refreshes it first. */
  | { readonly kind: 'await-expiry' }
  /** The peer takes neither UPDATE nor re-INVITE refreshes: stop refreshing, keep the call. */
  | { readonly kind: 'stop-refreshing' };

/** A retry closer than this to the last attempt is not worth it: the session is left to expire. */
export const minSessionRefreshRetryMs = 500;

/**
 * The refresher's decision after a refresh failed (pure). RFC 4028 §10: only a 408, a 481 or no response
 * means the session is gone; any other failure leaves it up until it expires, so we try again while that
 * can still help: after a 491 when the glare delay of RFC 3261 §14.1 fits before expiry, after a
 * Retry-After that fits, else halfway to expiry (while that is at least `minSessionRefreshRetryMs` away).
 * A 405 or 501 to an UPDATE turns to a re-INVITE at once when we have an offer to send.
 */
export function afterSessionRefreshFailure(
  failure: SessionRefreshFailure,
  context: {
    readonly method: 'UPDATE' | 'INVITE';
    /** We have an SDP to offer, so a re-INVITE can refresh. */
    readonly canReInvite: boolean;
    /** We sent the dialog's initial INVITE (RFC 3261 §14.1). */
    readonly isCallIdOwner: boolean;
    /** Time left until the session expires if nothing refreshes it. */
    readonly msUntilExpiry: number;
    readonly random: Random;
  },
): AfterSessionRefreshFailure {
  if (failure.kind === 'timeout') return { kind: 'end-session' };
  const statusCode = failure.kind === 'response' ? failure.statusCode : 503;
  if (statusCode === 408 || statusCode === 481) return { kind: 'end-session' };
  if (statusCode === 405 || statusCode === 501)
    return context.method === 'UPDATE' && context.canReInvite
      ? { kind: 'retry', method: 'INVITE', afterMs: 0 }
      : { kind: 'stop-refreshing' };
  const retryAfterS = failure.kind === 'response' ? failure.retryAfterS : undefined;
  const afterMs =
    statusCode === 491
      ? nextGlareRetryDelayMs(context.isCallIdOwner, context.random)
      : retryAfterS !== undefined
        ? retryAfterS * 1000
        : Math.floor(context.msUntilExpiry / 2);
  const isWorthIt = statusCode === 491 || retryAfterS !== undefined || afterMs >= minSessionRefreshRetryMs;
  return isWorthIt && afterMs < context.msUntilExpiry
    ? { kind: 'retry', method: context.method, afterMs }
    : { kind: 'await-expiry' };
}
