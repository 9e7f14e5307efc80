import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpSequenceTracker, extendSequenceNumber } from './rtp-sequence.ts';

function feed(tracker: RtpSequenceTracker, sequence: readonly number[]): string[] {
  return sequence.map((seq) => tracker.update(seq));
}

describe('RtpSequenceTracker (RFC 3550 A.1)', () => {
  it('keeps a new source on probation until two packets arrive in sequence', () => {
    const tracker = new RtpSequenceTracker();
    expect(feed(tracker, [100])).toEqual(['probation']);
    expect(tracker.isValidated).toBe(false);
    expect(feed(tracker, [101, 102])).toEqual(['in-order', 'in-order']);
    expect(tracker.isValidated).toBe(true);
    expect(tracker.received).toBe(2);
    expect(tracker.expected).toBe(2);
  });

  it('restarts probation when the first packets are not sequential', () => {
    const tracker = new RtpSequenceTracker();
    expect(feed(tracker, [10, 500, 501, 502])).toEqual(['probation', 'probation', 'in-order', 'in-order']);
  });

  it('accepts a known source at once with MIN_SEQUENTIAL 0', () => {
    const tracker = new RtpSequenceTracker(0);
    expect(feed(tracker, [7, 8])).toEqual(['in-order', 'in-order']);
    expect(tracker.received).toBe(2);
  });

  it('counts a 16-bit wrap as a new cycle of the extended sequence number', () => {
    const tracker = new RtpSequenceTracker(0);
    feed(tracker, [65_533, 65_534, 65_535, 0, 1]);
    expect(tracker.extendedHighest).toBe(65_537);
    expect(tracker.expected).toBe(5);
    expect(tracker.received).toBe(5);
  });

  it('treats a gap under MAX_DROPOUT as loss, and a late packet as reordered', () => {
    const tracker = new RtpSequenceTracker(0);
    expect(feed(tracker, [1, 2, 5, 3])).toEqual(['in-order', 'in-order', 'in-order', 'reordered']);
    expect(tracker.extendedHighest).toBe(5);
    expect(tracker.expected - tracker.received).toBe(1); // 4 is still missing
  });

  it('drops a single large jump but resynchronises when the sender really restarted', () => {
    const tracker = new RtpSequenceTracker(0);
    feed(tracker, [1000, 1001]);
    expect(tracker.update(40_000)).toBe('jumped');
    expect(tracker.update(1002)).toBe('in-order'); // the jump was a stray packet
    expect(tracker.update(40_000)).toBe('jumped');
    expect(tracker.update(40_001)).toBe('restarted');
    expect(tracker.extendedHighest).toBe(40_001);
    expect(tracker.received).toBe(1);
  });

  it('counts every packet exactly once under any reordering within MAX_MISORDER', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 50, maxLength: 50 }),
        (start, jitter) => {
          // Each packet i arrives at slot i + jitter[i]: local reordering of up to 5 places.
          const order = jitter
            .map((j, i) => ({ seq: (start + i) & 0xffff, at: i + j }))
            .sort((a, b) => a.at - b.at);
          const tracker = new RtpSequenceTracker(0);
          tracker.update(start); // the source starts with packet 0 so probation plays no part
          for (const { seq } of order) if (seq !== start) tracker.update(seq);
          expect(tracker.received).toBe(50);
          expect(tracker.extendedHighest).toBe(start + 49);
        },
      ),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe('extendSequenceNumber', () => {
  it('places a sequence number nearest to the reference across a wrap', () => {
    expect(extendSequenceNumber(65_535, 65_537)).toBe(65_535);
    expect(extendSequenceNumber(2, 65_535)).toBe(65_538);
    expect(extendSequenceNumber(100, 100)).toBe(100);
    expect(extendSequenceNumber(0, 3 * 65_536 + 10)).toBe(3 * 65_536);
  });
});
