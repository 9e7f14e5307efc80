import { describe, expect, it } from 'vitest';
import { negotiateSessionTimer, parseSessionExpires, sessionTimerDeadlines } from './session-timer.ts';

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
