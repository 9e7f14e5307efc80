import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deinterleaveStereo, interleaveStereo, mixToMono } from './recording-channels.ts';

describe('recording channels', () => {
  it('puts the customer on the left and the agent on the right', () => {
    const target = new Int16Array(6);
    expect(interleaveStereo(Int16Array.from([1, 2, 3]), Int16Array.from([-1, -2, -3]), target)).toBe(6);
    expect([...target]).toEqual([1, -1, 2, -2, 3, -3]);
  });

  it('round-trips interleave and deinterleave (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32_768, max: 32_767 }), { minLength: 1, maxLength: 320 }),
        (values) => {
          const left = Int16Array.from(values);
          const right = Int16Array.from(values, (v) => -v - 1);
          const stereo = new Int16Array(2 * values.length);
          interleaveStereo(left, right, stereo);
          const l = new Int16Array(values.length);
          const r = new Int16Array(values.length);
          expect(deinterleaveStereo(stereo, l, r)).toBe(values.length);
          expect([...l]).toEqual([...left]);
          expect([...r]).toEqual([...right]);
        },
      ),
      { seed: 2, numRuns: 100 },
    );
  });

  it('never writes past a short target', () => {
    const target = new Int16Array(3);
    expect(interleaveStereo(new Int16Array(4), new Int16Array(4), target)).toBe(2);
  });

  it('mixes to mono by summing, saturating at full scale', () => {
    const target = new Int16Array(3);
    mixToMono(Int16Array.from([100, 30_000, -30_000]), Int16Array.from([-50, 30_000, -30_000]), target);
    expect([...target]).toEqual([50, 32_767, -32_768]);
  });
});
