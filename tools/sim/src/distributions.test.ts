import { SeededRandom } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { nextArrivalMs, sampleDuration } from './distributions.ts';

function stats(draws: readonly number[]): { mean: number; sd: number } {
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
  const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / (draws.length - 1));
  return { mean, sd };
}

describe('distributions', () => {
  it('draws exponentials with the requested mean (and equal spread)', () => {
    const random = new SeededRandom(1);
    const { mean, sd } = stats(
      Array.from({ length: 100_000 }, () =>
        sampleDuration({ distribution: 'exponential', meanMs: 180_000 }, random),
      ),
    );
    expect(mean / 180_000).toBeCloseTo(1, 1);
    expect(sd / 180_000).toBeCloseTo(1, 1);
  });

  it('draws lognormals with the requested mean and standard deviation', () => {
    const random = new SeededRandom(2);
    const draws = Array.from({ length: 100_000 }, () =>
      sampleDuration({ distribution: 'lognormal', meanMs: 240_000, stdDevMs: 120_000 }, random),
    );
    const { mean, sd } = stats(draws);
    expect(mean / 240_000).toBeCloseTo(1, 1);
    expect(sd / 120_000).toBeCloseTo(1, 1);
    expect(Math.min(...draws)).toBeGreaterThan(0);
  });

  it('generates interval-rate arrivals at each interval’s own rate, and none after the last', () => {
    const random = new SeededRandom(3);
    const spec = { kind: 'intervals' as const, intervalMs: 3_600_000, perHour: [600, 0, 3_000] };
    const counts = [0, 0, 0];
    for (let t = nextArrivalMs(spec, 0, random); Number.isFinite(t); t = nextArrivalMs(spec, t, random)) {
      const hour = Math.floor(t / 3_600_000);
      counts[hour] = (counts[hour] ?? 0) + 1;
    }
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! - 600)).toBeLessThan(80);
    expect(Math.abs(counts[2]! - 3_000)).toBeLessThan(180);
  });
});
