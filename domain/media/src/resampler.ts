import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';

/** Zero crossings of the sinc on each side of the centre: sets the filter's transition width. */
const ZERO_CROSSINGS = 32;
/** Kaiser window shape: about 75 dB of stopband attenuation. */
const KAISER_BETA = 7.5;
/**
 * Cutoff (the -6 dB point) as a share of the lower Nyquist frequency. For 8 kHz output the
 * response is flat within 0.1 dB up to 3.4 kHz (the top of the telephony band), -6 dB at 3.6 kHz
 * and more than 75 dB down from 3.9 kHz, so nothing above 4 kHz folds back audibly.
 */
const CUTOFF_SHARE = 0.9;

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0, by its power series (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const halfSquared = (x / 2) ** 2;
  for (let k = 1; k < 50; k++) {
    term *= halfSquared / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * A rational-ratio resampler with a Kaiser-windowed sinc low-pass, in polyphase form: the output
 * rate is `L/M` times the input rate, and each of the L phases has its own precomputed taps, so
 * converting is one dot product per output sample. The low-pass runs at the lower of the two
 * Nyquist frequencies, so decimating (44.1 kHz -> 8 kHz) removes what would alias and
 * interpolating removes the images.
 */
export class Resampler {
  /** Output samples per `down` input samples. */
  private readonly up: number;
  private readonly down: number;
  private readonly taps: number;
  /** Offset of the first tap relative to the integer input position. */
  private readonly firstTap: number;
  /** phases * taps coefficients. */
  private readonly coefficients: Float64Array;

  private constructor(fromHz: number, toHz: number) {
    const g = greatestCommonDivisor(fromHz, toHz);
    this.up = toHz / g;
    this.down = fromHz / g;
    // Cutoff in cycles per input sample.
    const cutoff = 0.5 * Math.min(1, this.up / this.down) * CUTOFF_SHARE;
    const halfWidth = ZERO_CROSSINGS / (2 * cutoff);
    this.firstTap = -Math.ceil(halfWidth) + 1;
    this.taps = 2 * Math.ceil(halfWidth);
    this.coefficients = new Float64Array(this.up * this.taps);
    const i0Beta = besselI0(KAISER_BETA);
    for (let phase = 0; phase < this.up; phase++) {
      const fraction = phase / this.up;
      let sum = 0;
      for (let k = 0; k < this.taps; k++) {
        // Distance from the output instant to input sample (position + firstTap + k).
        const t = fraction - (this.firstTap + k);
        const x = 2 * cutoff * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const r = t / halfWidth;
        const window = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
        const value = 2 * cutoff * sinc * window;
        this.coefficients[phase * this.taps + k] = value;
        sum += value;
      }
      // Unity gain at DC for every phase, so a constant stays constant.
      for (let k = 0; k < this.taps; k++) {
        this.coefficients[phase * this.taps + k] = (this.coefficients[phase * this.taps + k] ?? 0) / sum;
      }
    }
  }

  /** A resampler between two integer rates in Hz. */
  static create(fromHz: number, toHz: number): Result<Resampler, MediaError> {
    if (!Number.isInteger(fromHz) || !Number.isInteger(toHz) || fromHz <= 0 || toHz <= 0) {
      return err(mediaError('MEDIA_RESAMPLE_BAD_RATE', 'sample rates must be positive integers'));
    }
    return ok(new Resampler(fromHz, toHz));
  }

  /** The number of output samples `process` gives for `inputLength` input samples. */
  outputLength(inputLength: number): number {
    return Math.floor((inputLength * this.up) / this.down);
  }

  /** Resamples a whole signal (samples outside it count as zero). */
  process(input: Float32Array): Float32Array {
    const output = new Float32Array(this.outputLength(input.length));
    if (this.up === this.down) {
      output.set(input.subarray(0, output.length));
      return output;
    }
    const { taps, firstTap, coefficients, up, down } = this;
    for (let n = 0; n < output.length; n++) {
      const numerator = n * down;
      const position = Math.floor(numerator / up);
      const base = (numerator - position * up) * taps;
      const start = position + firstTap;
      let acc = 0;
      const kFrom = Math.max(0, -start);
      const kTo = Math.min(taps, input.length - start);
      for (let k = kFrom; k < kTo; k++) acc += (coefficients[base + k] ?? 0) * (input[start + k] ?? 0);
      output[n] = acc;
    }
    return output;
  }
}
