import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { DtmfToneNotice } from './dtmf-detector.ts';
import { DtmfDetector } from './dtmf-detector.ts';
import type { DtmfDigit } from './dtmf-digit.ts';
import { DTMF_DIGITS, dtmfFrequencies } from './dtmf-digit.ts';
import { amplitudeFromDbm0 } from './signal-level.ts';
import { SPANISH_CALL_PROGRESS_TONES, ToneGenerator, dtmfToneSpec } from './tone-generator.ts';

const RATE = 8000;

/** Synthesises a sum of sines (frequency, level dBm0) for `ms`, starting at a given phase. */
function tones(components: readonly (readonly [number, number])[], ms: number, phase = 0): Float64Array {
  const n = Math.round((ms * RATE) / 1000);
  const out = new Float64Array(n);
  for (const [hz, dbm0] of components) {
    const amplitude = amplitudeFromDbm0(dbm0);
    for (let i = 0; i < n; i++) out[i]! += amplitude * Math.sin((2 * Math.PI * hz * i) / RATE + phase);
  }
  return out;
}

function silence(ms: number): Float64Array {
  return new Float64Array(Math.round((ms * RATE) / 1000));
}

function concat(...parts: Float64Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++)
      out[at + i] = Math.max(-32_768, Math.min(32_767, Math.round(part[i]!)));
    at += part.length;
  }
  return out;
}

function withNoise(signal: Int16Array, noiseDbm0: number, seed: number): Int16Array {
  const random = new SeededRandom(seed);
  // Uniform noise with the RMS of a sine at that level: a sine's RMS is A/√2, uniform's is w/√3.
  const width = (amplitudeFromDbm0(noiseDbm0) / Math.SQRT2) * Math.sqrt(3);
  return signal.map((x) =>
    Math.max(-32_768, Math.min(32_767, Math.round(x + (random.next() * 2 - 1) * width))),
  );
}

/** Runs the detector over a signal in 20 ms frames, as the media loop would. */
function detect(signal: Int16Array, detector = new DtmfDetector()): DtmfToneNotice[] {
  const notices: DtmfToneNotice[] = [];
  for (let at = 0; at < signal.length; at += 160)
    notices.push(...detector.process(signal.subarray(at, at + 160)));
  return notices;
}

function digitsOf(notices: readonly DtmfToneNotice[]): string {
  return notices
    .filter((n) => n.kind === 'digit-began')
    .map((n) => n.digit)
    .join('');
}

function dtmf(digit: DtmfDigit, ms: number, lowDbm0 = -7, highDbm0 = -7): Float64Array {
  const { lowHz, highHz } = dtmfFrequencies(digit);
  return tones(
    [
      [lowHz, lowDbm0],
      [highHz, highDbm0],
    ],
    ms,
  );
}

describe('DtmfDetector', () => {
  it('detects all sixteen digits, each once, with start and end positions', () => {
    const parts = DTMF_DIGITS.flatMap((d) => [dtmf(d, 80), silence(60)]);
    const notices = detect(concat(silence(30), ...parts));
    expect(digitsOf(notices)).toBe(DTMF_DIGITS.join(''));
    expect(notices.filter((n) => n.kind === 'digit-ended').map((n) => n.digit)).toEqual(DTMF_DIGITS);
    // The first digit starts at 30 ms (240 samples): the position is that of a 102-sample block.
    const first = notices[0]!;
    expect(Math.abs(first.atSample - 240)).toBeLessThan(102);
    const firstEnd = notices[1]!;
    expect(firstEnd.kind === 'digit-ended' && firstEnd.durationSamples).toBeGreaterThan(640 - 2 * 102);
  });

  it('accepts a 40 ms digit wherever it falls against the blocks, and rejects a 15 ms blip', () => {
    for (let offset = 0; offset < 102; offset += 17) {
      expect(digitsOf(detect(concat(silence(offset / 8), dtmf('5', 40), silence(100))))).toBe('5');
    }
    expect(digitsOf(detect(concat(silence(20), dtmf('5', 15), silence(100))))).toBe('');
  });

  it('reports a long press once', () => {
    expect(digitsOf(detect(concat(dtmf('#', 2000), silence(100))))).toBe('#');
  });

  it('tells apart the same digit pressed twice with a 40 ms gap', () => {
    expect(digitsOf(detect(concat(dtmf('8', 60), silence(40), dtmf('8', 60), silence(60))))).toBe('88');
  });

  it('detects digits in noise 15 dB below the tones', () => {
    const parts = DTMF_DIGITS.flatMap((d) => [dtmf(d, 60), silence(60)]);
    expect(digitsOf(detect(withNoise(concat(...parts), -22, 1)))).toBe(DTMF_DIGITS.join(''));
  });

  it('enforces twist limits and the minimum level', () => {
    // Low tone 6 dB above the high tone: normal twist, accepted. 12 dB: rejected.
    expect(digitsOf(detect(concat(dtmf('1', 80, -4, -10), silence(60))))).toBe('1');
    expect(digitsOf(detect(concat(dtmf('1', 80, -4, -16), silence(60))))).toBe('');
    // High tone 6 dB above the low: beyond the 4 dB reverse twist.
    expect(digitsOf(detect(concat(dtmf('1', 80, -13, -7), silence(60))))).toBe('');
    // Too quiet: -40 dBm0 per tone.
    expect(digitsOf(detect(concat(dtmf('1', 80, -40, -40), silence(60))))).toBe('');
  });

  it('ignores noise alone', () => {
    expect(digitsOf(detect(withNoise(concat(silence(3000)), -10, 2)))).toBe('');
  });

  it('ignores single tones, including a single DTMF frequency', () => {
    for (const hz of [697, 941, 1209, 1633, 1000]) {
      expect(digitsOf(detect(concat(tones([[hz, -5]], 500))))).toBe('');
    }
  });

  it('ignores chords of non-DTMF frequencies', () => {
    const chords: [number, number][] = [
      [500, 1100],
      [600, 1800],
      [350, 440],
      [440, 480],
      [480, 620],
    ];
    for (const [a, b] of chords) {
      expect(
        digitsOf(
          detect(
            concat(
              tones(
                [
                  [a, -7],
                  [b, -7],
                ],
                500,
              ),
            ),
          ),
        ),
      ).toBe('');
    }
  });

  it('ignores European and North American call-progress tones', () => {
    for (const spec of Object.values(SPANISH_CALL_PROGRESS_TONES)) {
      const generator = new ToneGenerator(spec);
      const frames = new Int16Array(8000 * 3);
      generator.fill(frames);
      expect(digitsOf(detect(frames))).toBe('');
    }
  });

  it('ignores speech-like signals: voiced vowels with formants and pitch movement', () => {
    const random = new SeededRandom(42);
    const vowels: [number, number, number][] = [
      [700, 1220, 2600], // /a/
      [300, 2300, 3000], // /i/
      [500, 1900, 2500], // /e/
      [450, 800, 2830], // /o/
      [325, 700, 2530], // /u/
    ];
    const n = RATE * 4;
    const signal = new Float64Array(n);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const [f1, f2, f3] = vowels[Math.floor(i / 3200) % vowels.length]!;
      const f0 = 110 + 30 * Math.sin((2 * Math.PI * i) / 6000) + 5 * random.next();
      phase += (2 * Math.PI * f0) / RATE;
      let value = 0;
      for (let h = 1; h * f0 < 3600; h++) {
        const f = h * f0;
        // Formant resonances as simple bell curves over the harmonic comb, with a -6 dB/octave tilt.
        const gain =
          (1 / h) *
          (1 +
            8 * Math.exp(-(((f - f1) / 90) ** 2)) +
            6 * Math.exp(-(((f - f2) / 110) ** 2)) +
            3 * Math.exp(-(((f - f3) / 150) ** 2)));
        value += gain * Math.sin(h * phase);
      }
      // Syllables: a 4 Hz amplitude envelope.
      signal[i] = 2500 * value * (0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / RATE));
    }
    expect(digitsOf(detect(concat(signal)))).toBe('');
  });

  it('hears digits produced by the DTMF tone generator', () => {
    const generator = new ToneGenerator(dtmfToneSpec('0', 100, 100));
    const audio = new Int16Array(1600);
    generator.fill(audio);
    expect(generator.isFinished).toBe(true);
    expect(digitsOf(detect(audio))).toBe('0');
  });
});
