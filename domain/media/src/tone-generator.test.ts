import { describe, expect, it } from 'vitest';
import { toneAmplitude } from './goertzel.ts';
import { amplitudeFromDbm0, dbm0FromAmplitude } from './signal-level.ts';
import { SPANISH_CALL_PROGRESS_TONES, ToneGenerator, dtmfToneSpec } from './tone-generator.ts';

/** Renders `ms` of a generator in 20 ms frames into one buffer, as the media clock would. */
function render(generator: ToneGenerator, ms: number): Int16Array {
  const out = new Int16Array((ms * 8000) / 1000);
  const frame = new Int16Array(160);
  for (let at = 0; at < out.length; at += 160) {
    generator.fill(frame);
    out.set(frame.subarray(0, Math.min(160, out.length - at)), at);
  }
  return out;
}

/** Which 50 ms windows hold the tone: a string of '#' (on) and '.' (off). */
function cadence(audio: Int16Array, hz: number): string {
  let pattern = '';
  for (let at = 0; at + 400 <= audio.length; at += 400)
    pattern += toneAmplitude(audio, hz, 8000, at, 400) > 1000 ? '#' : '.';
  return pattern;
}

describe('ToneGenerator', () => {
  it('plays Spanish dial tone as a steady 425 Hz at the stated level', () => {
    const audio = render(new ToneGenerator(SPANISH_CALL_PROGRESS_TONES.dial), 1000);
    expect(dbm0FromAmplitude(toneAmplitude(audio, 425, 8000))).toBeCloseTo(-10, 0);
    expect(toneAmplitude(audio, 350, 8000)).toBeLessThan(100);
    expect(cadence(audio, 425)).toBe('#'.repeat(20));
  });

  it('plays ringback as 1.5 s on, 3 s off, repeating', () => {
    const audio = render(new ToneGenerator(SPANISH_CALL_PROGRESS_TONES.ringback), 9000);
    expect(cadence(audio, 425)).toBe(('#'.repeat(30) + '.'.repeat(60)).repeat(2));
  });

  it('plays busy as 0.2 s on, 0.2 s off', () => {
    const audio = render(new ToneGenerator(SPANISH_CALL_PROGRESS_TONES.busy), 1600);
    expect(cadence(audio, 425)).toBe('####....'.repeat(4));
  });

  it('plays congestion as three short bursts and a longer pause', () => {
    const audio = render(new ToneGenerator(SPANISH_CALL_PROGRESS_TONES.congestion), 1600);
    expect(cadence(audio, 425)).toBe('####....####....####............');
  });

  it('plays a DTMF digit once, both tones at the stated level, then silence', () => {
    const generator = new ToneGenerator(dtmfToneSpec('9', 100, 0, -7));
    const audio = render(generator, 300);
    const tone = audio.subarray(0, 800);
    expect(toneAmplitude(tone, 852, 8000)).toBeCloseTo(amplitudeFromDbm0(-7), -2);
    expect(toneAmplitude(tone, 1477, 8000)).toBeCloseTo(amplitudeFromDbm0(-7), -2);
    expect(audio.subarray(800).every((x) => x === 0)).toBe(true);
    expect(generator.isFinished).toBe(true);
  });

  it('saturates instead of wrapping when components add past full scale', () => {
    const loud = new ToneGenerator({
      frequenciesHz: [500, 500],
      levelDbm0: 3,
      cadenceMs: [],
      isRepeating: true,
    });
    const audio = render(loud, 100);
    expect(Math.max(...audio)).toBe(32_767);
    expect(Math.min(...audio)).toBe(-32_768);
  });

  it('gives the exact sine samples of each burst, from phase zero, whatever the frame size', () => {
    // Two partials, a cadence whose segments do not line up with frames: each sample is checked against the
    // sine formula (a burst restarts at phase zero), so the cheap recurrence cannot drift or lose a burst's start.
    const spec = {
      frequenciesHz: [261.63, 392.4],
      levelDbm0: -12,
      cadenceMs: [37, 11, 90, 23],
      isRepeating: true,
    };
    const amplitude = amplitudeFromDbm0(spec.levelDbm0);
    const on = [
      [0, 296],
      [384, 1104],
    ] as const;
    const cycle = 1288;
    const expected = (position: number): number => {
      const offset = position % cycle;
      const burst = on.find(([start, end]) => offset >= start && offset < end);
      if (burst === undefined) return 0;
      const t = offset - burst[0];
      const value = spec.frequenciesHz.reduce(
        (sum, hz) => sum + Math.sin(((2 * Math.PI * hz) / 8000) * t),
        0,
      );
      return Math.max(-32_768, Math.min(32_767, Math.round(amplitude * value)));
    };
    for (const frameSize of [160, 37, 1]) {
      const generator = new ToneGenerator(spec);
      const frame = new Int16Array(frameSize);
      let worst = 0;
      for (let position = 0; position < 8000; position += frameSize) {
        generator.fill(frame);
        frame.forEach((sample, i) => {
          worst = Math.max(worst, Math.abs(sample - expected(position + i)));
        });
      }
      expect(worst, `frames of ${String(frameSize)}`).toBeLessThanOrEqual(1);
    }
  });
});
