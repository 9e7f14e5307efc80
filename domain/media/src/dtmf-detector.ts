import type { DtmfDigit } from './dtmf-digit.ts';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, dtmfDigitAt } from './dtmf-digit.ts';
import { goertzelCoefficient } from './goertzel.ts';
import { TELEPHONY_SAMPLE_RATE_HZ, amplitudeFromDbm0 } from './signal-level.ts';

/** What the detector reports. Sample positions count from the first sample it was given. */
export type DtmfToneNotice =
  | { readonly kind: 'digit-began'; readonly digit: DtmfDigit; readonly atSample: number }
  | {
      readonly kind: 'digit-ended';
      readonly digit: DtmfDigit;
      readonly atSample: number;
      readonly durationSamples: number;
    };

/** Detector thresholds; the defaults follow the usual ITU-T Q.24 figures. */
export interface DtmfDetectorOptions {
  /** Weakest tone (each of the pair) accepted, in dBm0. */
  readonly minToneLevelDbm0?: number;
  /** How much louder the low (row) tone may be than the high one, in dB ("normal" twist). */
  readonly maxLowOverHighDb?: number;
  /** How much louder the high (column) tone may be than the low one, in dB ("reverse" twist). */
  readonly maxHighOverLowDb?: number;
  /** The strongest row (and column) must beat every other row (column) by this much, in dB. */
  readonly minPeakRatioDb?: number;
  /** The pair must carry at least this share of the block's energy: speech spreads its energy. */
  readonly minToneEnergyShare?: number;
}

/**
 * Samples per analysis block: 102 at 8 kHz (12.75 ms), about one bin (78 Hz) per DTMF spacing, so
 * a tone's neighbours fall near the nulls of its bin. Two agreeing blocks confirm a digit: any tone
 * of 40 ms or more (Q.24's must-accept) holds two whole blocks wherever it starts, and one shorter
 * than 25.5 ms cannot.
 */
export const DTMF_BLOCK_SAMPLES = 102;
const CONFIRM_BLOCKS = 2;
const RELEASE_BLOCKS = 2;

const NONE: readonly DtmfToneNotice[] = [];
const FREQUENCIES_HZ = [...DTMF_ROW_FREQUENCIES_HZ, ...DTMF_COLUMN_FREQUENCIES_HZ];

/**
 * In-band DTMF detection with eight Goertzel filters over 8 kHz linear PCM, the fallback when a
 * peer sends digits as audio instead of RFC 4733. Feed it any number of samples at a time (a 20 ms
 * frame per tick); it reports each press once when confirmed, and its end. A block counts as a
 * digit only if both tones are loud enough, the twist is within limits, each tone clearly beats
 * the others of its group, and the pair holds most of the block's energy; the last test is what
 * keeps speech, music and single tones (dial tone) from triggering it.
 */
export class DtmfDetector {
  private readonly coefficients = Float64Array.from(FREQUENCIES_HZ, (f) =>
    goertzelCoefficient(f, TELEPHONY_SAMPLE_RATE_HZ),
  );
  private readonly s1 = new Float64Array(8);
  private readonly s2 = new Float64Array(8);
  private readonly powers = new Float64Array(8);
  private energy = 0;
  private blockFill = 0;
  /** Stream position of the first sample of the block being filled. */
  private blockStart = 0;

  private candidate: DtmfDigit | undefined;
  private candidateBlocks = 0;
  private candidateStart = 0;
  private pressed: DtmfDigit | undefined;
  private pressedStart = 0;
  private missBlocks = 0;
  private missStart = 0;

  private readonly minTonePower: number;
  private readonly maxLowOverHigh: number;
  private readonly maxHighOverLow: number;
  private readonly minPeakRatio: number;
  private readonly minShare: number;

  constructor(options: DtmfDetectorOptions = {}) {
    const half = DTMF_BLOCK_SAMPLES / 2;
    this.minTonePower = (amplitudeFromDbm0(options.minToneLevelDbm0 ?? -30) * half) ** 2;
    this.maxLowOverHigh = 10 ** ((options.maxLowOverHighDb ?? 8) / 10);
    this.maxHighOverLow = 10 ** ((options.maxHighOverLowDb ?? 4) / 10);
    this.minPeakRatio = 10 ** ((options.minPeakRatioDb ?? 6) / 10);
    this.minShare = options.minToneEnergyShare ?? 0.6;
  }

  /** Analyses `count` samples (default: all of `samples`) and returns what they completed. */
  process(samples: Int16Array, count: number = samples.length): readonly DtmfToneNotice[] {
    let notices: DtmfToneNotice[] | undefined;
    const n = Math.min(count, samples.length);
    let at = 0;
    while (at < n) {
      const take = Math.min(n - at, DTMF_BLOCK_SAMPLES - this.blockFill);
      this.accumulate(samples, at, at + take);
      at += take;
      this.blockFill += take;
      if (this.blockFill === DTMF_BLOCK_SAMPLES) {
        const notice = this.endBlock();
        if (notice !== undefined) (notices ??= []).push(notice);
      }
    }
    return notices ?? NONE;
  }

  /**
   * Runs the eight Goertzel recurrences over `samples[from, to)`. The filter states live in locals
   * for the loop (this is the detector's whole cost: 8 multiply-adds per sample).
   */
  private accumulate(samples: Int16Array, from: number, to: number): void {
    const { coefficients: c, s1, s2 } = this;
    const c0 = c[0] ?? 0,
      c1 = c[1] ?? 0,
      c2 = c[2] ?? 0,
      c3 = c[3] ?? 0;
    const c4 = c[4] ?? 0,
      c5 = c[5] ?? 0,
      c6 = c[6] ?? 0,
      c7 = c[7] ?? 0;
    let a0 = s1[0] ?? 0,
      a1 = s1[1] ?? 0,
      a2 = s1[2] ?? 0,
      a3 = s1[3] ?? 0;
    let a4 = s1[4] ?? 0,
      a5 = s1[5] ?? 0,
      a6 = s1[6] ?? 0,
      a7 = s1[7] ?? 0;
    let b0 = s2[0] ?? 0,
      b1 = s2[1] ?? 0,
      b2 = s2[2] ?? 0,
      b3 = s2[3] ?? 0;
    let b4 = s2[4] ?? 0,
      b5 = s2[5] ?? 0,
      b6 = s2[6] ?? 0,
      b7 = s2[7] ?? 0;
    let energy = this.energy;
    let t: number;
    for (let i = from; i < to; i++) {
      const x = samples[i] ?? 0;
      energy += x * x;
      t = x + c0 * a0 - b0;
      b0 = a0;
      a0 = t;
      t = x + c1 * a1 - b1;
      b1 = a1;
      a1 = t;
      t = x + c2 * a2 - b2;
      b2 = a2;
      a2 = t;
      t = x + c3 * a3 - b3;
      b3 = a3;
      a3 = t;
      t = x + c4 * a4 - b4;
      b4 = a4;
      a4 = t;
      t = x + c5 * a5 - b5;
      b5 = a5;
      a5 = t;
      t = x + c6 * a6 - b6;
      b6 = a6;
      a6 = t;
      t = x + c7 * a7 - b7;
      b7 = a7;
      a7 = t;
    }
    s1[0] = a0;
    s1[1] = a1;
    s1[2] = a2;
    s1[3] = a3;
    s1[4] = a4;
    s1[5] = a5;
    s1[6] = a6;
    s1[7] = a7;
    s2[0] = b0;
    s2[1] = b1;
    s2[2] = b2;
    s2[3] = b3;
    s2[4] = b4;
    s2[5] = b5;
    s2[6] = b6;
    s2[7] = b7;
    this.energy = energy;
  }

  /** The digit the current block holds, or undefined. */
  private classifyBlock(): DtmfDigit | undefined {
    const { powers, coefficients, s1, s2 } = this;
    for (let f = 0; f < 8; f++) {
      const a = s1[f] ?? 0;
      const b = s2[f] ?? 0;
      powers[f] = a * a + b * b - (coefficients[f] ?? 0) * a * b;
    }
    let row = 0;
    let column = 4;
    for (let f = 1; f < 4; f++) if ((powers[f] ?? 0) > (powers[row] ?? 0)) row = f;
    for (let f = 5; f < 8; f++) if ((powers[f] ?? 0) > (powers[column] ?? 0)) column = f;
    const low = powers[row] ?? 0;
    const high = powers[column] ?? 0;
    if (low < this.minTonePower || high < this.minTonePower) return undefined;
    if (low > high * this.maxLowOverHigh || high > low * this.maxHighOverLow) return undefined;
    for (let f = 0; f < 8; f++) {
      if (f === row || f === column) continue;
      const peak = f < 4 ? low : high;
      if ((powers[f] ?? 0) * this.minPeakRatio > peak) return undefined;
    }
    // A pure sine of amplitude A gives power (A·N/2)² and energy A²·N/2: power·2/N is its energy.
    if (((low + high) * 2) / DTMF_BLOCK_SAMPLES < this.minShare * this.energy) return undefined;
    return dtmfDigitAt(row, column - 4);
  }

  private endBlock(): DtmfToneNotice | undefined {
    const digit = this.classifyBlock();
    const blockStart = this.blockStart;
    this.s1.fill(0);
    this.s2.fill(0);
    this.energy = 0;
    this.blockFill = 0;
    this.blockStart += DTMF_BLOCK_SAMPLES;

    if (digit !== undefined && digit === this.candidate) {
      this.candidateBlocks++;
    } else {
      this.candidate = digit;
      this.candidateBlocks = digit === undefined ? 0 : 1;
      this.candidateStart = blockStart;
    }

    if (this.pressed !== undefined) {
      if (digit === this.pressed) {
        this.missBlocks = 0;
        return undefined;
      }
      if (this.missBlocks === 0) this.missStart = blockStart;
      if (++this.missBlocks < RELEASE_BLOCKS) return undefined;
      const ended: DtmfToneNotice = {
        kind: 'digit-ended',
        digit: this.pressed,
        atSample: this.missStart,
        durationSamples: this.missStart - this.pressedStart,
      };
      this.pressed = undefined;
      this.missBlocks = 0;
      return ended;
    }
    if (this.candidate !== undefined && this.candidateBlocks >= CONFIRM_BLOCKS) {
      this.pressed = this.candidate;
      this.pressedStart = this.candidateStart;
      this.missBlocks = 0;
      return { kind: 'digit-began', digit: this.candidate, atSample: this.candidateStart };
    }
    return undefined;
  }
}
