import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangB } from './erlang-b.ts';
import { erlangC } from './erlang-c.ts';
import type { ErlangCMetrics } from './erlang-c.ts';

const handleMs = 180_000;

function metrics(trafficErlangs: number, agents: number, serviceLevelThresholdMs = 20_000): ErlangCMetrics {
  const result = erlangC({ trafficErlangs, agents, averageHandleTimeMs: handleMs, serviceLevelThresholdMs });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('erlangC', () => {
  it('reduces to the closed forms for one and two agents', () => {
    // M/M/1: P(wait) = ρ; M/M/2: P(wait) = 2ρ² / (1 + ρ).
    expect(metrics(0.7, 1).probabilityOfWaiting).toBeCloseTo(0.7, 12);
    const rho = 0.6;
    expect(metrics(2 * rho, 2).probabilityOfWaiting).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
  });

  it('matches the published table for 10 Erlangs (100 calls per half hour, 3 minute handle time)', () => {
    expect(metrics(10, 11).probabilityOfWaiting).toBeCloseTo(0.6821, 4);
    expect(metrics(10, 12).probabilityOfWaiting).toBeCloseTo(0.4494, 4);
    expect(metrics(10, 14).probabilityOfWaiting).toBeCloseTo(0.1741, 4);
    const fourteen = metrics(10, 14);
    // SL(20 s) = 1 - 0.1741 · e^{-(14 - 10)·20/180} = 0.8883; ASA = 0.1741 · 180 s / 4 = 7.8 s.
    expect(fourteen.serviceLevel).toBeCloseTo(0.8884, 3);
    expect(fourteen.averageSpeedOfAnswerMs / 1000).toBeCloseTo(7.84, 2);
    expect(fourteen.occupancy).toBeCloseTo(10 / 14, 12);
  });

  it('reports an overloaded queue as unstable instead of a negative probability', () => {
    const overloaded = metrics(12, 10);
    expect(overloaded).toMatchObject({
      isStable: false,
      probabilityOfWaiting: 1,
      serviceLevel: 0,
      occupancy: 1,
    });
    expect(overloaded.averageSpeedOfAnswerMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('makes callers wait at least as often as Erlang B blocks them, less with more agents', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 2_000, noNaN: true }),
        fc.integer({ min: 1, max: 400 }),
        (a, extra) => {
          const agents = Math.floor(a) + extra;
          const b = erlangB({ trafficErlangs: a, servers: agents });
          const c = metrics(a, agents);
          expect(b.ok && c.probabilityOfWaiting >= b.value).toBe(true);
          // Strictly smaller, unless both have underflowed to 0 (true values below 1e-308).
          if (c.probabilityOfWaiting > 0) {
            expect(metrics(a, agents + 1).probabilityOfWaiting).toBeLessThan(c.probabilityOfWaiting);
          }
          expect(metrics(a, agents + 1).serviceLevel).toBeGreaterThanOrEqual(c.serviceLevel);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('serves more calls in time when the threshold is longer', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (a, extra, thresholdMs, moreMs) => {
          const agents = Math.floor(a) + extra;
          expect(metrics(a, agents, thresholdMs + moreMs).serviceLevel).toBeGreaterThanOrEqual(
            metrics(a, agents, thresholdMs).serviceLevel,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays finite and sane at 5,000 agents', () => {
    const big = metrics(4_900, 5_000);
    expect(big.isStable).toBe(true);
    expect(big.probabilityOfWaiting).toBeGreaterThan(0);
    expect(big.probabilityOfWaiting).toBeLessThan(1);
    expect(big.serviceLevel).toBeGreaterThan(0.99);
    expect(Number.isFinite(big.averageSpeedOfAnswerMs)).toBe(true);
    // Square-root staffing: at 4,990 Erlangs on 5,000 agents (β ≈ 0.14) most callers wait.
    expect(metrics(4_990, 5_000).probabilityOfWaiting).toBeGreaterThan(0.8);
  });

  it('refuses zero agents and a negative threshold with coded errors', () => {
    const none = erlangC({
      trafficErlangs: 1,
      agents: 0,
      averageHandleTimeMs: 1,
      serviceLevelThresholdMs: 0,
    });
    expect(none.ok ? undefined : none.error.code).toBe('WFM_AGENTS_INVALID');
    const negative = erlangC({
      trafficErlangs: 1,
      agents: 2,
      averageHandleTimeMs: 1,
      serviceLevelThresholdMs: -5,
    });
    expect(negative.ok ? undefined : negative.error).toMatchObject({
      code: 'WFM_DURATION_INVALID',
      field: 'serviceLevelThresholdMs',
    });
  });
});
