import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Random } from '@centralita/kernel';
import { nextGlareRetryDelayMs, offerCollision } from './glare.ts';
import type { OfferExchangeInProgress } from './glare.ts';

const fixed = (value: number): Random => ({ next: () => value });
const idle: OfferExchangeInProgress = {
  isOwnInvitePending: false,
  isOwnOfferPending: false,
  isPeerOfferPending: false,
};

describe('glare retry delay (RFC 3261 §14.1)', () => {
  it('waits 2.1 to 4 s as the Call-ID owner and 0 to 2 s otherwise, at both ends of the range', () => {
    expect(nextGlareRetryDelayMs(true, fixed(0))).toBe(2100);
    expect(nextGlareRetryDelayMs(true, fixed(0.999_999))).toBe(4000);
    expect(nextGlareRetryDelayMs(false, fixed(0))).toBe(0);
    expect(nextGlareRetryDelayMs(false, fixed(0.999_999))).toBe(2000);
  });

  it('always draws a multiple of 10 ms inside the range for its side', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (isOwner, x) => {
          const delayMs = nextGlareRetryDelayMs(isOwner, fixed(x));
          expect(delayMs % 10).toBe(0);
          expect(delayMs).toBeGreaterThanOrEqual(isOwner ? 2100 : 0);
          expect(delayMs).toBeLessThanOrEqual(isOwner ? 4000 : 2000);
        },
      ),
    );
  });
});

describe('offer collisions (RFC 3261 §14.2, RFC 3311 §5.2)', () => {
  const reInvite = { method: 'INVITE', hasOffer: true } as const;
  const updateWithOffer = { method: 'UPDATE', hasOffer: true } as const;
  const bareUpdate = { method: 'UPDATE', hasOffer: false } as const;

  it('lets anything through when nothing is in progress', () => {
    for (const request of [reInvite, updateWithOffer, bareUpdate])
      expect(offerCollision(request, idle, fixed(0.5))).toBeUndefined();
  });

  it('answers 491 to a re-INVITE while our INVITE or our offer is pending', () => {
    expect(offerCollision(reInvite, { ...idle, isOwnInvitePending: true }, fixed(0.5))).toEqual({
      statusCode: 491,
    });
    expect(offerCollision(reInvite, { ...idle, isOwnOfferPending: true }, fixed(0.5))).toEqual({
      statusCode: 491,
    });
    expect(
      offerCollision(
        { method: 'INVITE', hasOffer: false },
        { ...idle, isOwnInvitePending: true },
        fixed(0.5),
      ),
    ).toEqual({ statusCode: 491 });
  });

  it('answers 491 to an UPDATE with an offer only while our offer is pending', () => {
    expect(offerCollision(updateWithOffer, { ...idle, isOwnOfferPending: true }, fixed(0.5))).toEqual({
      statusCode: 491,
    });
    // Our INVITE without an offer outstanding (a late offer) does not block an UPDATE's offer.
    expect(
      offerCollision(updateWithOffer, { ...idle, isOwnInvitePending: true }, fixed(0.5)),
    ).toBeUndefined();
  });

  it('answers 500 with a Retry-After of 0 to 10 s while the peer’s own offer has no answer', () => {
    const peerPending = { ...idle, isPeerOfferPending: true };
    expect(offerCollision(reInvite, peerPending, fixed(0))).toEqual({ statusCode: 500, retryAfterS: 0 });
    expect(offerCollision(updateWithOffer, peerPending, fixed(0.999_999))).toEqual({
      statusCode: 500,
      retryAfterS: 10,
    });
  });

  it('never refuses an UPDATE without an offer (a session refresh)', () => {
    const everything = { isOwnInvitePending: true, isOwnOfferPending: true, isPeerOfferPending: true };
    expect(offerCollision(bareUpdate, everything, fixed(0.5))).toBeUndefined();
  });
});
