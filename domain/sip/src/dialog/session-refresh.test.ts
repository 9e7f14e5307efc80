import { describe, expect, it } from 'vitest';
import type { Random } from '@centralita/kernel';
import { afterSessionRefreshFailure, minSessionRefreshRetryMs, refreshFailureOf } from './session-refresh.ts';

const fixed = (value: number): Random => ({ next: () => value });
const context = {
  method: 'INVITE' as const,
  canReInvite: true,
  isCallIdOwner: false,
  msUntilExpiry: 10_000,
  random: fixed(0.5),
};
const status = (statusCode: number, retryAfterS?: number) =>
  ({ kind: 'response', statusCode, ...(retryAfterS === undefined ? {} : { retryAfterS }) }) as const;

describe('a failed session refresh (RFC 4028 §10)', () => {
  it('ends the session only on 408, 481 or no response', () => {
    expect(afterSessionRefreshFailure(status(408), context)).toEqual({ kind: 'end-session' });
    expect(afterSessionRefreshFailure(status(481), context)).toEqual({ kind: 'end-session' });
    expect(afterSessionRefreshFailure({ kind: 'timeout' }, context)).toEqual({ kind: 'end-session' });
  });

  it('retries a 491 after the glare delay of its side, with the same method', () => {
    expect(afterSessionRefreshFailure(status(491), context)).toEqual({
      kind: 'retry',
      method: 'INVITE',
      afterMs: 1000,
    });
    expect(
      afterSessionRefreshFailure(status(491), { ...context, method: 'UPDATE', isCallIdOwner: true }),
    ).toEqual({ kind: 'retry', method: 'UPDATE', afterMs: 3050 });
  });

  it('leaves the session to expire when the glare delay does not fit before expiry', () => {
    expect(afterSessionRefreshFailure(status(491), { ...context, msUntilExpiry: 900 })).toEqual({
      kind: 'await-expiry',
    });
  });

  it('keeps the session after other failures and tries again halfway to expiry', () => {
    for (const code of [500, 488, 403, 603])
      expect(afterSessionRefreshFailure(status(code), context)).toEqual({
        kind: 'retry',
        method: 'INVITE',
        afterMs: 5000,
      });
    // A transport error counts as a 503 (RFC 3261 §8.1.3.1), not as the session's end.
    expect(afterSessionRefreshFailure({ kind: 'transport-error' }, context)).toEqual({
      kind: 'retry',
      method: 'INVITE',
      afterMs: 5000,
    });
  });

  it('follows a Retry-After that fits before expiry, and awaits expiry otherwise', () => {
    expect(afterSessionRefreshFailure(status(500, 3), context)).toEqual({
      kind: 'retry',
      method: 'INVITE',
      afterMs: 3000,
    });
    expect(afterSessionRefreshFailure(status(503, 30), context)).toEqual({ kind: 'await-expiry' });
  });

  it('stops retrying once halfway to expiry is too close', () => {
    expect(
      afterSessionRefreshFailure(status(500), {
        ...context,
        msUntilExpiry: 2 * minSessionRefreshRetryMs - 2,
      }),
    ).toEqual({ kind: 'await-expiry' });
    expect(afterSessionRefreshFailure(status(500), { ...context, msUntilExpiry: 0 })).toEqual({
      kind: 'await-expiry',
    });
  });

  it('turns a refused UPDATE into a re-INVITE, and stops refreshing when re-INVITE is refused too', () => {
    expect(afterSessionRefreshFailure(status(501), { ...context, method: 'UPDATE' })).toEqual({
      kind: 'retry',
      method: 'INVITE',
      afterMs: 0,
    });
    expect(
      afterSessionRefreshFailure(status(405), { ...context, method: 'UPDATE', canReInvite: false }),
    ).toEqual({ kind: 'stop-refreshing' });
    expect(afterSessionRefreshFailure(status(405), context)).toEqual({ kind: 'stop-refreshing' });
  });

  it('reads the seconds of a Retry-After, comment and parameters aside', () => {
    const response = (headers: { name: string; value: string }[]) => ({
      kind: 'response' as const,
      statusCode: 500,
      reasonPhrase: 'Server Internal Error',
      headers,
      body: new Uint8Array(0),
    });
    expect(refreshFailureOf(response([{ name: 'Retry-After', value: '7 (busy);duration=60' }]))).toEqual(
      status(500, 7),
    );
    expect(refreshFailureOf(response([]))).toEqual(status(500));
  });
});
