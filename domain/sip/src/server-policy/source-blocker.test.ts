import { describe, expect, it } from 'vitest';
import { SourceBlocker } from './source-blocker.ts';

describe('SourceBlocker', () => {
  const policy = { maxFailures: 3, windowMs: 10_000, blockMs: 60_000 };

  it('blocks after the failures fall within the window, and only until the block ends', () => {
    const blocker = new SourceBlocker(policy);
    expect([0, 1000, 2000].map((atMs) => blocker.recordFailure('192.0.2.1', atMs))).toEqual([
      false,
      false,
      true,
    ]);
    expect(blocker.isBlocked('192.0.2.1', 61_999)).toBe(true);
    expect(blocker.isBlocked('192.0.2.2', 3000)).toBe(false);
    expect(blocker.isBlocked('192.0.2.1', 62_001)).toBe(false);
  });

  it('does not block failures spread wider than the window', () => {
    const blocker = new SourceBlocker(policy);
    expect([0, 6000, 12_000, 18_000].map((atMs) => blocker.recordFailure('192.0.2.1', atMs))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(blocker.isBlocked('192.0.2.1', 18_001)).toBe(false);
  });
});
