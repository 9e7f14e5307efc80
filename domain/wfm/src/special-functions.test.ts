import { describe, expect, it } from 'vitest';
import { harmonicSpan, logGamma, logRisingFactorial } from './special-functions.ts';

describe('special functions', () => {
  it('gives ln Γ at known points', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    let logFactorial = 0;
    for (let k = 2; k <= 1_000; k++) logFactorial += Math.log(k);
    expect(logGamma(1_001) / logFactorial).toBeCloseTo(1, 13);
  });

  it('agrees between the direct and the Γ-based rising factorial', () => {
    let direct = 0;
    for (let i = 0; i < 500; i++) direct += Math.log(37.25 + i);
    expect(logRisingFactorial(37.25, 500) / direct).toBeCloseTo(1, 12);
  });

  it('agrees between the direct and the digamma-based harmonic span', () => {
    let direct = 0;
    for (let j = 1; j <= 250_000; j++) direct += 1 / (3.5 + j);
    expect(harmonicSpan(3.5, 250_000)).toBeCloseTo(direct, 11);
  });
});
