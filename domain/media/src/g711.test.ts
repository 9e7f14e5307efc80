import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALAW_TO_MULAW_TABLE,
  MULAW_TO_ALAW_TABLE,
  alawToLinear,
  decodeG711,
  encodeG711,
  g711SilenceByte,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
  transcodeG711,
} from './g711.ts';

/** G.711 Table 5: the µ-law digital milliwatt (1 kHz, 0 dBm0), one period of eight samples. */
const MULAW_DIGITAL_MILLIWATT = [0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e];
/** G.711 Table 6: the A-law digital milliwatt. */
const ALAW_DIGITAL_MILLIWATT = [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4];

const sample16 = fc.integer({ min: -32_768, max: 32_767 });

describe('G.711 µ-law', () => {
  it('encodes known code points', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(32_767)).toBe(0x80);
    expect(linearToMulaw(-32_768)).toBe(0x00);
    expect(linearToMulaw(8)).toBe(0xfe);
    expect(linearToMulaw(-8)).toBe(0x7e);
  });

  it('decodes known code points, symmetric around zero', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32_124);
    expect(mulawToLinear(0x00)).toBe(-32_124);
    for (let code = 0; code < 128; code++) expect(mulawToLinear(code) + mulawToLinear(code | 0x80)).toBe(0);
  });

  it('decodes the digital milliwatt as a 1 kHz sine at about 0 dBm0', () => {
    const decoded = MULAW_DIGITAL_MILLIWATT.map(mulawToLinear);
    expect(decoded).toEqual([-8828, -20860, -20860, -8828, 8828, 20860, 20860, 8828]);
    // A 1 kHz sine sampled at 8 kHz with a 22.5° phase: the two magnitudes stand in ratio sin 22.5°/sin 67.5°.
    expect(8828 / 20860).toBeCloseTo(Math.sin(Math.PI / 8) / Math.sin((3 * Math.PI) / 8), 1);
  });

  it('keeps decoding monotonic over the 128 positive codes', () => {
    let previous = -1;
    for (let code = 0xff; code >= 0x80; code--) {
      const value = mulawToLinear(code);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
  });

  it('round-trips every sample within half a quantization step (plus clipping at the top)', () => {
    fc.assert(
      fc.property(sample16, (sample) => {
        const magnitude = Math.min(Math.abs(sample), 32_635);
        const error = Math.abs(mulawToLinear(linearToMulaw(sample)) - Math.sign(sample) * magnitude);
        // The step in a segment is 1/16 of the segment's biased floor, so half a step is at most (|x|+132)/16.
        expect(error).toBeLessThanOrEqual((magnitude + 132) / 16);
      }),
      { seed: 711, numRuns: 5_000 },
    );
  });

  it('is idempotent after one pass: decoding then encoding a code gives the same code', () => {
    for (let code = 0; code < 256; code++) {
      if (code === 0x7f) continue; // negative zero decodes to 0, which encodes as positive zero
      expect(linearToMulaw(mulawToLinear(code))).toBe(code);
    }
  });
});

describe('G.711 A-law', () => {
  it('encodes known code points', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32_767)).toBe(0xaa);
    expect(linearToAlaw(-32_768)).toBe(0x2a);
  });

  it('decodes known code points', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32_256);
    expect(alawToLinear(0x2a)).toBe(-32_256);
  });

  it('decodes the digital milliwatt', () => {
    expect(ALAW_DIGITAL_MILLIWATT.map(alawToLinear)).toEqual([
      -8960, -20992, -20992, -8960, 8960, 20992, 20992, 8960,
    ]);
  });

  it('round-trips every sample within half a quantization step', () => {
    fc.assert(
      fc.property(sample16, (sample) => {
        const error = Math.abs(alawToLinear(linearToAlaw(sample)) - sample);
        const magnitude = Math.abs(sample);
        // Segment 0 and 1 steps are 16 (half: 8); above that the step is 1/16 of the segment floor.
        const bound = Math.max(8, magnitude / 16) + (magnitude > 32_256 ? magnitude - 32_256 : 0);
        expect(error).toBeLessThanOrEqual(bound);
      }),
      { seed: 8, numRuns: 5_000 },
    );
  });

  it('is idempotent after one pass for every code', () => {
    for (let code = 0; code < 256; code++) expect(linearToAlaw(alawToLinear(code))).toBe(code);
  });
});

describe('µ-law <-> A-law transcoding', () => {
  it('keeps every converted code within one step of the source level', () => {
    for (let code = 0; code < 256; code++) {
      const source = mulawToLinear(code);
      const converted = alawToLinear(MULAW_TO_ALAW_TABLE[code]!);
      expect(Math.abs(converted - source)).toBeLessThanOrEqual(Math.max(16, Math.abs(source) / 16));
      const sourceA = alawToLinear(code);
      const convertedU = mulawToLinear(ALAW_TO_MULAW_TABLE[code]!);
      expect(Math.abs(convertedU - sourceA)).toBeLessThanOrEqual(Math.max(8, Math.abs(sourceA) / 16));
    }
  });

  it('maps silence to silence and the milliwatt to the other law’s milliwatt', () => {
    expect(MULAW_TO_ALAW_TABLE[0xff]).toBe(0xd5);
    expect(MULAW_DIGITAL_MILLIWATT.map((c) => MULAW_TO_ALAW_TABLE[c])).toEqual(ALAW_DIGITAL_MILLIWATT);
    expect(ALAW_DIGITAL_MILLIWATT.map((c) => ALAW_TO_MULAW_TABLE[c])).toEqual(MULAW_DIGITAL_MILLIWATT);
  });

  it('transcodes a buffer in place', () => {
    const bytes = Uint8Array.from(MULAW_DIGITAL_MILLIWATT);
    expect(transcodeG711('pcmu', bytes, bytes)).toBe(8);
    expect([...bytes]).toEqual(ALAW_DIGITAL_MILLIWATT);
    transcodeG711('pcma', bytes, bytes);
    expect([...bytes]).toEqual(MULAW_DIGITAL_MILLIWATT);
  });
});

describe('buffer encode/decode', () => {
  it('encodes and decodes a 20 ms frame into caller-owned buffers', () => {
    const frame = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(10_000 * Math.sin((2 * Math.PI * i) / 8)),
    );
    for (const law of ['pcmu', 'pcma'] as const) {
      const bytes = new Uint8Array(160);
      const back = new Int16Array(160);
      expect(encodeG711(law, frame, bytes)).toBe(160);
      expect(decodeG711(law, bytes, back)).toBe(160);
      for (let i = 0; i < 160; i++) expect(Math.abs(back[i]! - frame[i]!)).toBeLessThanOrEqual(400);
    }
  });

  it('decodes a payload in place from an offset of a packet, and never past its end', () => {
    const packet = new Uint8Array(12 + 160);
    packet.fill(0x00, 0, 12);
    for (let i = 0; i < 160; i++) packet[12 + i] = linearToMulaw(i * 100);
    const samples = new Int16Array(640);
    expect(decodeG711('pcmu', packet, samples, 160, 12)).toBe(160);
    expect(samples[0]).toBe(mulawToLinear(linearToMulaw(0)));
    expect(samples[159]).toBe(mulawToLinear(linearToMulaw(15_900)));
    // A payload length that overruns the packet is cut at its end.
    expect(decodeG711('pcmu', packet, samples, 200, 12)).toBe(160);
    expect(decodeG711('pcmu', packet, samples, 10, 200)).toBe(0);
    // Into the target from an offset (a jitter buffer's ring), never past the target's end.
    samples.fill(7);
    expect(decodeG711('pcmu', packet, samples, 160, 12, 600)).toBe(40);
    expect(samples[599]).toBe(7);
    expect(samples[600]).toBe(mulawToLinear(linearToMulaw(0)));
    expect(samples[639]).toBe(mulawToLinear(linearToMulaw(3_900)));
  });

  it('stops at the shorter buffer instead of writing past it', () => {
    const bytes = new Uint8Array(4);
    expect(encodeG711('pcmu', new Int16Array(10), bytes)).toBe(4);
    expect(g711SilenceByte('pcmu')).toBe(bytes[0]);
    expect(g711SilenceByte('pcma')).toBe(linearToAlaw(0));
  });
});
