import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OverloadLimits } from './overload-guard.ts';
import { admitNewInvite, startOverloadGuard } from './overload-guard.ts';

describe('the overload guard', () => {
  it('admits a burst of one second worth, then refuses until tokens come back', () => {
    const limits: OverloadLimits = { maxNewInvitesPerSecond: 3 };
    let state = startOverloadGuard(limits, 0);
    const verdicts: string[] = [];
    for (const nowMs of [0, 1, 2, 3, 300, 340, 700]) {
      const decision = admitNewInvite(limits, state, nowMs, 0);
      state = decision.state;
      verdicts.push(decision.verdict);
    }
    // 3 at once; the 4th waits for a token (one every 333 ms): at 340 ms there is one, at 700 ms another.
    expect(verdicts).toEqual(['admit', 'admit', 'admit', 'rate-exceeded', 'rate-exceeded', 'admit', 'admit']);
  });

  it('refuses above the concurrent-call limit whatever the rate', () => {
    const limits: OverloadLimits = { maxConcurrentCalls: 10, maxNewInvitesPerSecond: 100 };
    const state = startOverloadGuard(limits, 0);
    expect(admitNewInvite(limits, state, 0, 10).verdict).toBe('concurrency-exceeded');
    expect(admitNewInvite(limits, state, 0, 9).verdict).toBe('admit');
  });

  it('admits everything without limits', () => {
    const state = startOverloadGuard({}, 0);
    expect(admitNewInvite({}, state, 0, 1_000_000).verdict).toBe('admit');
  });

  it('never admits more than rate × seconds + one burst, whatever the arrival times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }),
        (rate, gapsMs) => {
          const limits: OverloadLimits = { maxNewInvitesPerSecond: rate };
          let state = startOverloadGuard(limits, 0);
          let nowMs = 0;
          let admitted = 0;
          for (const gap of gapsMs) {
            nowMs += gap;
            const decision = admitNewInvite(limits, state, nowMs, 0);
            state = decision.state;
            if (decision.verdict === 'admit') admitted++;
          }
          expect(admitted).toBeLessThanOrEqual(Math.floor(rate + (rate * nowMs) / 1000) + 1e-9);
        },
      ),
      { seed: 3261 },
    );
  });
});
