import { describe, expect, it } from 'vitest';
import { sumKummerSeries } from './kummer-series.ts';

/** Σ u^k / (a+1)_k term by term, only safe where nothing overflows. */
function directSum(a: number, u: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 20_000; k++) {
    term *= u / (a + k);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return sum;
}

describe('sumKummerSeries', () => {
  it.each([
    [3, 0.5],
    [3, 30],
    [0.01, 2],
    [120, 140],
    [400, 90],
  ])('matches the direct sum for a = %d, u = %d', (a, u) => {
    expect(sumKummerSeries(a, u, false).logSum).toBeCloseTo(Math.log(directSum(a, u)), 11);
  });

  it('is the geometric series 1 / (1 - ρ) when a and u grow together with u / a = ρ < 1', () => {
    expect(Math.exp(sumKummerSeries(1e12, 0.8e12, false).logSum)).toBeCloseTo(5, 4);
  });

  it('stays finite where the largest term alone would overflow a double', () => {
    const { logSum } = sumKummerSeries(5_000, 1e9, false);
    expect(Number.isFinite(logSum)).toBe(true);
    expect(logSum).toBeGreaterThan(700);
  });
});
