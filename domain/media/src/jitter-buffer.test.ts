import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { JitterBufferOptions, JitterPopOutcome } from './jitter-buffer.ts';
import { decodeG711 } from './g711.ts';
import { JitterBuffer } from './jitter-buffer.ts';

/** A recognisable frame: every sample of packet k holds k * 10 + 1 (never 0, so silence shows). */
function packet(k: number, samples = 160): Int16Array {
  return new Int16Array(samples).fill(k * 10 + 1);
}

interface Arrival {
  readonly timestamp: number;
  readonly samples: Int16Array;
  readonly arrivalMs: number;
  readonly isMarker?: boolean;
}

/**
 * Simulates the media loop: packets arrive at their times, and every 20 ms tick pops one frame.
 * Returns the first sample of each frame and the outcome.
 */
function run(options: JitterBufferOptions, arrivals: readonly Arrival[], ticks: number) {
  const buffer = new JitterBuffer(options);
  const sorted = [...arrivals].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const frame = new Int16Array(160);
  const values: number[] = [];
  const outcomes: JitterPopOutcome[] = [];
  const pushes: string[] = [];
  let next = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const nowMs = tick * 20;
    while (next < sorted.length && sorted[next]!.arrivalMs <= nowMs) {
      const a = sorted[next++]!;
      pushes.push(buffer.push(a.timestamp, a.samples, a.arrivalMs, a.isMarker));
    }
    outcomes.push(buffer.pop(frame));
    values.push(frame[0]!);
  }
  return { buffer, values, outcomes, pushes };
}

const fixed60: JitterBufferOptions = { depth: { kind: 'fixed', depthMs: 60 } };

function steadyStream(count: number, firstTimestamp = 1000, delay = (_k: number) => 0): Arrival[] {
  return Array.from({ length: count }, (_, k) => ({
    timestamp: (firstTimestamp + k * 160) % 2 ** 32,
    samples: packet(k),
    arrivalMs: k * 20 + delay(k),
  }));
}

describe('JitterBuffer', () => {
  it('plays a steady stream in order, one depth behind, with no concealment', () => {
    const { values, outcomes } = run(fixed60, steadyStream(20), 25);
    // 60 ms depth: three ticks of silence before packet 0 plays... the first frame plays at tick 3.
    expect(outcomes.slice(0, 3)).toEqual(['silence', 'silence', 'silence']);
    expect(values.slice(3, 23)).toEqual(Array.from({ length: 20 }, (_, k) => k * 10 + 1));
    expect(outcomes.slice(3, 23).every((o) => o === 'audio')).toBe(true);
  });

  it('takes only the first count samples of a larger decode buffer', () => {
    const buffer = new JitterBuffer(fixed60);
    const decoded = new Int16Array(640).fill(9);
    decoded.fill(5, 0, 160);
    expect(buffer.push(1000, decoded, 0, true, 160)).toBe('stored');
    expect(buffer.push(1160, decoded, 20, false, 160)).toBe('stored');
    expect(buffer.statistics().packetsStored).toBe(2);
    const frame = new Int16Array(160);
    const played: number[][] = [];
    for (let tick = 0; tick < 8; tick++) {
      if (buffer.pop(frame) === 'audio') played.push([...new Set(frame)]);
    }
    // The two 20 ms packets play as two frames of 5: the 9s beyond `count` never reach the ring.
    expect(played).toEqual([[5], [5]]);
  });

  it('says empty before the first packet', () => {
    const buffer = new JitterBuffer(fixed60);
    expect(buffer.pop(new Int16Array(160))).toBe('empty');
  });

  it('puts reordered packets back in order', () => {
    const arrivals = steadyStream(10);
    // Packets 3 and 4 swap, 6 arrives 30 ms late: all within the 60 ms depth.
    const delayed = arrivals.map((a, k) => ({
      ...a,
      arrivalMs: k === 3 ? a.arrivalMs + 21 : k === 6 ? a.arrivalMs + 30 : a.arrivalMs,
    }));
    const { values, buffer } = run(fixed60, delayed, 13);
    expect(values.slice(3, 13)).toEqual(Array.from({ length: 10 }, (_, k) => k * 10 + 1));
    expect(buffer.statistics().framesConcealed).toBe(0);
  });

  it('conceals a lost packet by repeating the last frame, fading', () => {
    const arrivals = steadyStream(12).filter((_, k) => k !== 5 && k !== 6 && k !== 7 && k !== 8 && k !== 9);
    const { values, outcomes, buffer } = run(fixed60, arrivals, 15);
    expect(outcomes.slice(8, 13)).toEqual(['concealed', 'concealed', 'concealed', 'concealed', 'silence']);
    // The first concealed frame starts at full level (41) and each fades further.
    expect(values[8]).toBe(41);
    expect(values[9]!).toBeLessThan(41);
    expect(values[12]).toBe(0);
    expect(values[13]).toBe(101);
    expect(buffer.statistics()).toMatchObject({ framesConcealed: 4, framesSilent: 4 });
  });

  it('fills gaps with silence when told to', () => {
    const arrivals = steadyStream(8).filter((_, k) => k !== 4);
    const { values, outcomes } = run({ ...fixed60, concealment: 'silence' }, arrivals, 10);
    expect(outcomes[7]).toBe('silence');
    expect(values[7]).toBe(0);
  });

  it('drops and counts late and duplicate packets', () => {
    const arrivals = steadyStream(10);
    const late = arrivals.map((a, k) => (k === 4 ? { ...a, arrivalMs: a.arrivalMs + 150 } : a));
    const duplicated = [...late, { ...arrivals[2]!, arrivalMs: arrivals[2]!.arrivalMs + 5 }];
    const { buffer, pushes } = run(fixed60, duplicated, 14);
    expect(pushes.filter((p) => p === 'late')).toHaveLength(1);
    expect(pushes.filter((p) => p === 'duplicate')).toHaveLength(1);
    expect(buffer.statistics()).toMatchObject({ packetsLate: 1, packetsDuplicate: 1, packetsStored: 9 });
  });

  it('turns 30 ms packets into 20 ms frames sample by sample', () => {
    const arrivals = Array.from({ length: 10 }, (_, k) => ({
      timestamp: k * 240,
      samples: Int16Array.from({ length: 240 }, (_, i) => k * 240 + i + 1),
      arrivalMs: k * 30,
    }));
    const buffer = new JitterBuffer(fixed60);
    const frame = new Int16Array(160);
    const out: number[] = [];
    let next = 0;
    for (let tick = 0; tick < 16; tick++) {
      while (next < arrivals.length && arrivals[next]!.arrivalMs <= tick * 20) {
        const a = arrivals[next++]!;
        buffer.push(a.timestamp, a.samples, a.arrivalMs);
      }
      if (buffer.pop(frame) === 'audio') out.push(...frame);
    }
    expect(out.length).toBeGreaterThanOrEqual(160 * 12);
    out.forEach((value, i) => {
      expect(value).toBe(out[0]! + i);
    });
  });

  it('plays across the 32-bit timestamp wrap', () => {
    const { values, outcomes } = run(fixed60, steadyStream(20, 2 ** 32 - 160 * 10), 23);
    expect(values.slice(3, 23)).toEqual(Array.from({ length: 20 }, (_, k) => k * 10 + 1));
    expect(outcomes.slice(3, 23).every((o) => o === 'audio')).toBe(true);
  });

  it('resynchronises when the timestamps jump', () => {
    const first = steadyStream(10, 0);
    const second = steadyStream(10, 5_000_000).map((a, k) => ({
      ...a,
      samples: packet(50 + k),
      arrivalMs: 200 + k * 20,
    }));
    const { values, buffer } = run(fixed60, [...first, ...second], 26);
    expect(buffer.statistics().resyncs).toBe(1);
    expect(values.slice(13, 23)).toEqual(Array.from({ length: 10 }, (_, k) => (50 + k) * 10 + 1));
  });

  it('re-anchors at a talkspurt after silence suppression', () => {
    const adaptive: JitterBufferOptions = { depth: { kind: 'adaptive', minDepthMs: 40, maxDepthMs: 200 } };
    const first = steadyStream(5, 0);
    // 500 ms of silence suppression, then a talkspurt with the marker set; it arrives 7 ms late.
    const second = Array.from({ length: 5 }, (_, k) => ({
      timestamp: (30 + k) * 160,
      samples: packet(10 + k),
      arrivalMs: (30 + k) * 20 + 7,
      isMarker: k === 0,
    }));
    const { values, outcomes } = run(adaptive, [...first, ...second], 40);
    const audio = values.filter((_, tick) => outcomes[tick] === 'audio');
    expect(audio).toEqual([1, 11, 21, 31, 41, 101, 111, 121, 131, 141]);
    // The talkspurt's first packet is processed on tick 31 and plays one depth (two ticks) later.
    expect(values.indexOf(101)).toBe(33);
  });

  it('adapts its depth to the jitter: fewer concealed frames than a shallow fixed buffer', () => {
    const random = new SeededRandom(99);
    const delays = Array.from({ length: 500 }, () => random.next() * 80);
    const arrivals = steadyStream(500, 0, (k) => delays[k]!);
    const shallow = run({ depth: { kind: 'fixed', depthMs: 20 } }, arrivals, 520).buffer.statistics();
    const adaptive = run(
      { depth: { kind: 'adaptive', minDepthMs: 20, maxDepthMs: 300 } },
      arrivals,
      520,
    ).buffer.statistics();
    expect(adaptive.targetDepthMs).toBeGreaterThan(40);
    expect(adaptive.packetsLate + adaptive.framesConcealed).toBeLessThan(
      (shallow.packetsLate + shallow.framesConcealed) / 3,
    );
    // And with no jitter it stays at its minimum.
    const calm = run(
      { depth: { kind: 'adaptive', minDepthMs: 40, maxDepthMs: 300 } },
      steadyStream(200),
      202,
    ).buffer.statistics();
    expect(calm.targetDepthMs).toBe(40);
    expect(calm.framesConcealed).toBe(0);
  });

  describe('shrinking a too-deep adaptive buffer', () => {
    /**
     * Brings an adaptive buffer (40 ms target) one frame too deep with the frame at playout made of `parts`
     * (offset and samples within the frame starting at `first`), and pops once: returns that pop's first
     * sample and whether a frame was dropped. The frame after it (packet 1) holds 11.
     */
    function popTooDeep(first: number, parts: readonly (readonly [number, Int16Array])[]) {
      const buffer = new JitterBuffer({ depth: { kind: 'adaptive', minDepthMs: 40, maxDepthMs: 160 } });
      const frame = new Int16Array(160);
      buffer.push(first + 160, packet(1), 0);
      for (const [offset, samples] of parts) buffer.push(first + offset, samples, 0);
      expect(buffer.pop(frame)).toBe('silence'); // the frame before the first packet
      for (const k of [2, 3, 4]) buffer.push(first + k * 160, packet(k), 20);
      buffer.pop(frame);
      const { framesDropped, targetDepthMs } = buffer.statistics();
      expect(targetDepthMs).toBe(40);
      return { value: frame[0], framesDropped };
    }
    const loud = (samples = 160) => new Int16Array(samples).fill(1000);

    // 1000: a frame that does not wrap; 3 * 8192 - 80: one that wraps around the ring's end.
    it.each([1000, 3 * 8192 - 80])(
      'keeps a loud frame and drops a near-silent one (first sample %i)',
      (first) => {
        expect(popTooDeep(first, [[0, loud()]])).toEqual({ value: 1000, framesDropped: 0 });
        expect(popTooDeep(first, [[0, new Int16Array(160).fill(-99)]])).toEqual({
          value: 11,
          framesDropped: 1,
        });
        // At the threshold (the energy of a constant ±100 frame) it is not silence any more.
        expect(popTooDeep(first, [[0, new Int16Array(160).fill(100)]])).toEqual({
          value: 100,
          framesDropped: 0,
        });
      },
    );

    it.each([1000, 3 * 8192 - 80])('drops a loud frame that is partly missing (first sample %i)', (first) => {
      expect(popTooDeep(first, [[0, loud(80)]])).toEqual({ value: 11, framesDropped: 1 });
      expect(popTooDeep(first, [[80, loud(80)]])).toEqual({ value: 11, framesDropped: 1 });
      expect(popTooDeep(first, [[0, loud(159)]])).toEqual({ value: 11, framesDropped: 1 });
    });
  });

  it('outputs exactly what came in, delayed, for any packet size without loss (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(80, 160, 240, 320),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (size, first) => {
          const buffer = new JitterBuffer({ depth: { kind: 'fixed', depthMs: 80 } });
          const total = 160 * 30;
          const input = Int16Array.from({ length: total }, (_, i) => (i % 30_000) + 1);
          const out: number[] = [];
          const frame = new Int16Array(160);
          let sent = 0;
          for (let tick = 0; out.length < total - 160 * 4 && tick < 100; tick++) {
            // Send everything due by the end of this tick.
            while (sent < total && sent < (tick + 1) * 160) {
              buffer.push((first + sent) % 2 ** 32, input.subarray(sent, sent + size), tick * 20);
              sent += size;
            }
            if (buffer.pop(frame) === 'audio') out.push(...frame);
          }
          expect(out).toEqual([...input.subarray(0, out.length)]);
        },
      ),
      { seed: 20, numRuns: 40 },
    );
  });

  it('stores a G.711 payload decoded straight into the ring as push stores the decoded samples (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pcmu' as const, 'pcma' as const),
        fc.constantFrom(80, 160, 240),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.uint8Array({ minLength: 160 * 20, maxLength: 160 * 20 }),
        (law, size, first, payloads) => {
          const direct = new JitterBuffer({ depth: { kind: 'fixed', depthMs: 60 } });
          const decoded = new JitterBuffer({ depth: { kind: 'fixed', depthMs: 60 } });
          // An RTP packet as received: a 12-byte header, then the payload.
          const datagram = new Uint8Array(12 + size);
          const samples = new Int16Array(size);
          const frames = { direct: new Int16Array(160), decoded: new Int16Array(160) };
          let sent = 0;
          for (let tick = 0; tick < 24; tick++) {
            while (sent + size <= payloads.length && sent < (tick + 1) * 160) {
              datagram.set(payloads.subarray(sent, sent + size), 12);
              const timestamp = (first + sent) % 2 ** 32;
              direct.pushG711(timestamp, law, datagram, 12, size, tick * 20);
              decodeG711(law, datagram, samples, size, 12);
              decoded.push(timestamp, samples, tick * 20);
              sent += size;
            }
            expect(direct.pop(frames.direct)).toBe(decoded.pop(frames.decoded));
            expect([...frames.direct]).toEqual([...frames.decoded]);
          }
          expect(direct.statistics().framesAudio).toBeGreaterThan(15);
        },
      ),
      { seed: 21, numRuns: 30 },
    );
  });
});
