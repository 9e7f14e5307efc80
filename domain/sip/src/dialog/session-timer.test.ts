import { describe, expect, it } from 'vitest';
import {
  answerSessionRefresh,
  minSeAfterTooSmall,
  negotiateSessionTimer,
  parseSessionExpires,
  sessionRefreshHeaders,
  sessionTimerDeadlines,
  sessionTimerOfAnswer,
  sessionTimerRequestHeaders,
} from './session-timer.ts';

const h = (name: string, value: string) => ({ name, value });

describe('session timers (RFC 4028) as the UAS', () => {
  it('keeps the interval and refresher the caller asked for, and requires timer in the answer', () => {
    expect(
      negotiateSessionTimer([h('Supported', 'timer, 100rel'), h('Session-Expires', '600;refresher=uas')]),
    ).toEqual({
      kind: 'timer',
      intervalS: 600,
      refresher: 'uas',
      responseHeaders: [h('Session-Expires', '600;refresher=uas'), h('Require', 'timer')],
    });
  });

  it('makes a caller that supports timers the refresher when it did not choose, with our interval if it asked none', () => {
    expect(negotiateSessionTimer([h('Supported', 'timer')])).toMatchObject({
      intervalS: 1800,
      refresher: 'uac',
    });
    // Compact header names (k: Supported, x: Session-Expires) mean the same.
    expect(negotiateSessionTimer([h('k', 'timer'), h('x', '300')])).toMatchObject({
      intervalS: 300,
      refresher: 'uac',
    });
  });

  it('refreshes itself when a proxy asked for a timer the caller does not support (no Require in the answer)', () => {
    expect(negotiateSessionTimer([h('Session-Expires', '900')])).toEqual({
      kind: 'timer',
      intervalS: 900,
      refresher: 'uas',
      responseHeaders: [h('Session-Expires', '900;refresher=uas')],
    });
  });

  it('answers 422 with our Min-SE below 90 s, and honours a larger Min-SE of the caller', () => {
    expect(negotiateSessionTimer([h('Supported', 'timer'), h('Session-Expires', '60')])).toEqual({
      kind: 'too-small',
      minSeS: 90,
    });
    expect(
      negotiateSessionTimer([h('Supported', 'timer'), h('Session-Expires', '120'), h('Min-SE', '300')]),
    ).toMatchObject({ intervalS: 300 });
  });

  it('uses no timer when nobody asks, and ignores a malformed Session-Expires', () => {
    expect(negotiateSessionTimer([])).toEqual({ kind: 'none' });
    expect(parseSessionExpires('soon')).toBeUndefined();
    expect(parseSessionExpires('1800 ; refresher = UAC')).toEqual({ intervalS: 1800, refresher: 'uac' });
  });

  it('refreshes at half the interval and gives up a third of it (at most 32 s) before the end', () => {
    expect(sessionTimerDeadlines(1800)).toEqual({ refreshAfterMs: 900_000, expireAfterMs: 1_768_000 });
    expect(sessionTimerDeadlines(90)).toEqual({ refreshAfterMs: 45_000, expireAfterMs: 60_000 });
  });
});

describe('session timers (RFC 4028) on calls we place', () => {
  it('asks for our interval and Min-SE without naming the refresher, and raises both after a 422', () => {
    expect(sessionTimerRequestHeaders({ minSeS: 90, defaultIntervalS: 1800 })).toEqual([
      h('Supported', 'timer'),
      h('Session-Expires', '1800'),
      h('Min-SE', '90'),
    ]);
    const refused = [h('Min-SE', '3600')];
    const raised = minSeAfterTooSmall(refused, 1800);
    expect(raised).toBe(3600);
    expect(sessionTimerRequestHeaders({ minSeS: 90, defaultIntervalS: 1800 }, raised)).toEqual([
      h('Supported', 'timer'),
      h('Session-Expires', '3600'),
      h('Min-SE', '3600'),
    ]);
    // A 422 whose Min-SE is not above what we asked, or has none, cannot be satisfied: the call fails.
    expect(minSeAfterTooSmall([h('Min-SE', '1800')], 1800)).toBeUndefined();
    expect(minSeAfterTooSmall([h('Min-SE', 'soon')], 1800)).toBeUndefined();
    expect(minSeAfterTooSmall([], 1800)).toBeUndefined();
  });

  it('reads who refreshes from the 2xx: uac is us, uas the answerer, and we refresh for an answerer without timer support', () => {
    expect(sessionTimerOfAnswer([h('Require', 'timer'), h('Session-Expires', '900;refresher=uac')])).toEqual({
      intervalS: 900,
      isOurs: true,
    });
    expect(sessionTimerOfAnswer([h('Require', 'timer'), h('Session-Expires', '900;refresher=uas')])).toEqual({
      intervalS: 900,
      isOurs: false,
    });
    // A proxy asked for the timer: the answerer does not require it, so it will not refresh (§7.2).
    expect(sessionTimerOfAnswer([h('Session-Expires', '900;refresher=uas')])).toEqual({
      intervalS: 900,
      isOurs: true,
    });
    expect(sessionTimerOfAnswer([h('Require', 'timer'), h('Session-Expires', '900')])).toEqual({
      intervalS: 900,
      isOurs: true,
    });
    expect(sessionTimerOfAnswer([])).toBeUndefined();
    expect(sessionTimerOfAnswer([h('Session-Expires', 'never')])).toBeUndefined();
  });
});

describe('session refreshes (RFC 4028 §7.4, §9)', () => {
  it('names itself uac in its own refresh, so it stays the refresher', () => {
    expect(sessionRefreshHeaders(600)).toEqual([
      h('Session-Expires', '600;refresher=uac'),
      h('Supported', 'timer'),
    ]);
  });

  it('answers a refresh relative to that request: uac in it is the sender, uas is us', () => {
    const weRefresh = { intervalS: 600, isOurs: true };
    // The other side refreshes and keeps refreshing.
    expect(
      answerSessionRefresh([h('Supported', 'timer'), h('Session-Expires', '600;refresher=uac')], {
        intervalS: 600,
        isOurs: false,
      }),
    ).toEqual({
      kind: 'timer',
      state: { intervalS: 600, isOurs: false },
      responseHeaders: [h('Session-Expires', '600;refresher=uac'), h('Require', 'timer')],
    });
    // A refresh from the side that was not refreshing takes the role over, with its longer interval.
    expect(
      answerSessionRefresh([h('Supported', 'timer'), h('Session-Expires', '1200;refresher=uac')], weRefresh),
    ).toMatchObject({ state: { intervalS: 1200, isOurs: false } });
    // It hands the role to us.
    expect(
      answerSessionRefresh([h('Supported', 'timer'), h('Session-Expires', '600;refresher=uas')], {
        intervalS: 600,
        isOurs: false,
      }),
    ).toMatchObject({ state: { intervalS: 600, isOurs: true } });
  });

  it('keeps the arrangement for a re-INVITE that says nothing about timers (a phone putting us on hold)', () => {
    expect(answerSessionRefresh([], { intervalS: 600, isOurs: true })).toEqual({
      kind: 'timer',
      state: { intervalS: 600, isOurs: true },
      responseHeaders: [h('Session-Expires', '600;refresher=uas')],
    });
  });

  it('refuses a refresh below our Min-SE with 422', () => {
    expect(
      answerSessionRefresh(
        [h('Session-Expires', '30')],
        { intervalS: 600, isOurs: true },
        {
          minSeS: 90,
          defaultIntervalS: 1800,
        },
      ),
    ).toEqual({ kind: 'too-small', minSeS: 90 });
  });
});
