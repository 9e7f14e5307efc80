import { describe, expect, it } from 'vitest';
import { batchMeansInterval } from './confidence-interval.ts';

describe('batchMeansInterval', () => {
  it('uses the overall ratio as the estimate and Student’s t on the batch spread', () => {
    // Batch ratios 0.7, 0.8, 0.9: mean 0.8, sample sd 0.1, t(2 df) = 4.303.
    const interval = batchMeansInterval([7, 8, 9], [10, 10, 10]);
    expect(interval?.estimate).toBeCloseTo(0.8, 12);
    expect(interval?.halfWidth).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 12);
  });

  it('skips empty batches and needs at least two', () => {
    expect(batchMeansInterval([5, 0], [10, 0])).toBeUndefined();
    expect(batchMeansInterval([5, 0, 6], [10, 0, 10])?.estimate).toBeCloseTo(0.55, 12);
  });
});
