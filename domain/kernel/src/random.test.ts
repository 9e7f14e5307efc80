import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.ts';
import { VirtualClock } from './clock.ts';

describe('SeededRandom', () => {
  it('replays the same sequence for the same seed and a different one for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const r = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const bucket = Math.floor(x * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('VirtualClock', () => {
  it('only moves forward when told', () => {
    const clock = new VirtualClock(1_000);
    clock.advanceBy(500);
    expect(clock.now()).toBe(1_500);
    expect(() => {
      clock.advanceTo(1_000);
    }).toThrow(RangeError);
    expect(() => {
      clock.advanceBy(-1);
    }).toThrow(RangeError);
  });
});
