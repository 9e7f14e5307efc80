import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failoverAfter } from './server-failover.ts';
import type { TargetAttempt, TargetOutcome } from './server-failover.ts';

const firstOfTwo: TargetAttempt = {
  targetIndex: 0,
  targetCount: 2,
  hasProgressed: false,
  elapsedMs: 1_000,
  budgetMs: 60_000,
};

describe('failoverAfter (RFC 3263 §4.3)', () => {
  it.each<[string, TargetOutcome]>([
    ['a transport error', { kind: 'transport-error' }],
    ['a timeout', { kind: 'timeout' }],
    ['silence (not even 100 Trying) past the limit', { kind: 'silent' }],
    ['503 Service Unavailable', { kind: 'final-response', statusCode: 503 }],
  ])('moves on to the next target after %s', (_, outcome) => {
    expect(failoverAfter(outcome, firstOfTwo)).toEqual({ kind: 'try-next', targetIndex: 1 });
  });

  it.each([200, 302, 404, 408, 480, 486, 488, 500, 502, 504, 600, 603])(
    'takes a final %i as the answer',
    (statusCode) => {
      expect(failoverAfter({ kind: 'final-response', statusCode }, firstOfTwo)).toEqual({
        kind: 'give-up',
        reason: 'answered',
      });
    },
  );

  it('lets a silent last target keep its chance: only its own timeout ends the request', () => {
    expect(failoverAfter({ kind: 'silent' }, { ...firstOfTwo, targetIndex: 1 })).toEqual({
      kind: 'give-up',
      reason: 'no-more-targets',
    });
  });

  it('does not fail over from a target that already sent 180 or 183', () => {
    const progressed = { ...firstOfTwo, hasProgressed: true };
    expect(failoverAfter({ kind: 'final-response', statusCode: 503 }, progressed)).toEqual({
      kind: 'give-up',
      reason: 'target-progressed',
    });
    expect(failoverAfter({ kind: 'transport-error' }, progressed)).toEqual({
      kind: 'give-up',
      reason: 'target-progressed',
    });
  });

  it('gives up after the last target', () => {
    expect(failoverAfter({ kind: 'timeout' }, { ...firstOfTwo, targetIndex: 1 })).toEqual({
      kind: 'give-up',
      reason: 'no-more-targets',
    });
    expect(failoverAfter({ kind: 'timeout' }, { ...firstOfTwo, targetCount: 1 })).toEqual({
      kind: 'give-up',
      reason: 'no-more-targets',
    });
  });

  it('tries no new target once the budget is spent', () => {
    expect(failoverAfter({ kind: 'timeout' }, { ...firstOfTwo, elapsedMs: 60_000 })).toEqual({
      kind: 'give-up',
      reason: 'budget-spent',
    });
    expect(failoverAfter({ kind: 'timeout' }, { ...firstOfTwo, elapsedMs: 59_999 })).toEqual({
      kind: 'try-next',
      targetIndex: 1,
    });
  });

  it('only ever moves one target forward, and never past the list', () => {
    const outcome = fc.oneof(
      fc.constant<TargetOutcome>({ kind: 'transport-error' }),
      fc.constant<TargetOutcome>({ kind: 'timeout' }),
      fc
        .integer({ min: 200, max: 699 })
        .map((statusCode): TargetOutcome => ({ kind: 'final-response', statusCode })),
    );
    const attempt = fc
      .record({
        targetCount: fc.integer({ min: 1, max: 8 }),
        hasProgressed: fc.boolean(),
        elapsedMs: fc.integer({ min: 0, max: 120_000 }),
        budgetMs: fc.integer({ min: 0, max: 120_000 }),
        index: fc.nat(),
      })
      .map(({ index, ...rest }): TargetAttempt => ({ ...rest, targetIndex: index % rest.targetCount }));
    fc.assert(
      fc.property(outcome, attempt, (o, a) => {
        const decision = failoverAfter(o, a);
        if (decision.kind === 'try-next') {
          expect(decision.targetIndex).toBe(a.targetIndex + 1);
          expect(decision.targetIndex).toBeLessThan(a.targetCount);
          expect(a.hasProgressed).toBe(false);
          expect(a.elapsedMs).toBeLessThan(a.budgetMs);
          expect(o.kind !== 'final-response' || o.statusCode === 503).toBe(true);
        }
      }),
    );
  });
});
