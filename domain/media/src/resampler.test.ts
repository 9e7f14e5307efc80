import { describe, expect, it } from 'vitest';
import { toneAmplitude } from './goertzel.ts';
import { Resampler } from './resampler.ts';

function sine(hz: number, rateHz: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rateHz * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz),
  );
}

function resampler(from: number, to: number): Resampler {
  const created = Resampler.create(from, to);
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

/** Level in dB of `hz` in the middle of a resampled 8 kHz signal, relative to amplitude 0.5. */
function levelDb(signal: Float32Array, hz: number): number {
  const start = 800;
  return 20 * Math.log10(toneAmplitude(signal, hz, 8000, start, signal.length - 2 * start) / 0.5);
}

describe('Resampler', () => {
  it('passes tones in the telephony band at unchanged level from the common rates', () => {
    for (const rate of [11_025, 16_000, 22_050, 44_100, 48_000]) {
      const r = resampler(rate, 8000);
      for (const hz of [300, 1000, 3000, 3400]) {
        const out = r.process(sine(hz, rate, 0.5));
        expect(out.length).toBe(4000);
        expect(Math.abs(levelDb(out, hz)), `${hz} Hz from ${rate} Hz`).toBeLessThan(0.2);
      }
    }
  });

  it('removes what would alias instead of folding it into the band', () => {
    // 6 kHz at 48 kHz would fold to 2 kHz, 4.5 kHz to 3.5 kHz, 5 kHz at 44.1 kHz to 3 kHz.
    const cases: [number, number, number][] = [
      [48_000, 6000, 2000],
      [48_000, 4500, 3500],
      [44_100, 5000, 3000],
      [16_000, 7000, 1000],
    ];
    for (const [rate, hz, alias] of cases) {
      const out = resampler(rate, 8000).process(sine(hz, rate, 0.5));
      expect(levelDb(out, alias), `${hz} Hz from ${rate} Hz`).toBeLessThan(-60);
    }
  });

  it('keeps a constant constant, and copies when the rates match', () => {
    const out = resampler(44_100, 8000).process(new Float32Array(44_100).fill(0.25));
    expect(out[4000]).toBeCloseTo(0.25, 5);
    const same = resampler(8000, 8000).process(Float32Array.from([1, 2, 3]));
    expect([...same]).toEqual([1, 2, 3]);
  });

  it('also interpolates upwards', () => {
    const out = resampler(6000, 8000).process(sine(1000, 6000, 0.5));
    expect(out.length).toBe(4000);
    expect(Math.abs(levelDb(out, 1000))).toBeLessThan(0.2);
  });

  it('refuses rates that are not positive integers', () => {
    for (const [from, to] of [
      [0, 8000],
      [44_100.5, 8000],
      [8000, -1],
    ] as const) {
      const created = Resampler.create(from, to);
      expect(!created.ok && created.error.code).toBe('MEDIA_RESAMPLE_BAD_RATE');
    }
  });
});
