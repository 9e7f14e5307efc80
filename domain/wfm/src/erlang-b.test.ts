import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangB } from './erlang-b.ts';

function blocking(trafficErlangs: number, servers: number): number {
  const result = erlangB({ trafficErlangs, servers });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** The textbook formula (A^n / n!) / Σ_{k<=n} A^k / k!, usable only for small n. */
function textbookErlangB(trafficErlangs: number, servers: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= servers; k++) {
    term *= trafficErlangs / k;
    sum += term;
  }
  return term / sum;
}

describe('erlangB', () => {
  it('matches published values', () => {
    // 10 Erlangs on 10 trunks loses 21.46 % of calls (standard Erlang B tables).
    expect(blocking(10, 10)).toBeCloseTo(0.2146, 4);
    expect(blocking(1, 1)).toBeCloseTo(0.5, 12);
    expect(blocking(2, 2)).toBeCloseTo(0.4, 12);
    expect(blocking(5, 0)).toBe(1);
    expect(blocking(0, 3)).toBe(0);
  });

  it('agrees with the textbook formula where that formula still works', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 60, noNaN: true }),
        fc.integer({ min: 0, max: 120 }),
        (a, n) => {
          expect(blocking(a, n)).toBeCloseTo(textbookErlangB(a, n), 10);
        },
      ),
    );
  });

  it('falls as servers are added and rises with traffic', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 3_000, noNaN: true }),
        fc.integer({ min: 0, max: 3_000 }),
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        (a, n, extraTraffic) => {
          const before = blocking(a, n);
          // Strictly smaller, unless both have underflowed to 0 (true values below 1e-308).
          if (before > 0) expect(blocking(a, n + 1)).toBeLessThan(before);
          else expect(blocking(a, n + 1)).toBe(0);
          expect(blocking(a + extraTraffic, n)).toBeGreaterThanOrEqual(blocking(a, n));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays finite and close to the large-group approximation at 5,000 trunks', () => {
    // For A = N large, B ≈ sqrt(2 / (π N)) (the Halfin–Whitt limit at β = 0).
    const value = blocking(5_000, 5_000);
    expect(Number.isFinite(value)).toBe(true);
    expect(value / Math.sqrt(2 / (Math.PI * 5_000))).toBeCloseTo(1, 1);
    expect(blocking(1_000, 5_000)).toBe(0);
    expect(blocking(50_000, 5_000)).toBeCloseTo(0.9, 2);
  });

  it('refuses negative traffic and fractional trunks with a coded error', () => {
    const negative = erlangB({ trafficErlangs: -1, servers: 3 });
    expect(negative.ok ? undefined : negative.error).toMatchObject({
      code: 'WFM_TRAFFIC_INVALID',
      field: 'trafficErlangs',
    });
    const fractional = erlangB({ trafficErlangs: 1, servers: 2.5 });
    expect(fractional.ok ? undefined : fractional.error).toMatchObject({
      code: 'WFM_AGENTS_INVALID',
      field: 'servers',
    });
  });
});
