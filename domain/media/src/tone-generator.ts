import type { DtmfDigit } from './dtmf-digit.ts';
import { dtmfFrequencies } from './dtmf-digit.ts';
import { TELEPHONY_SAMPLE_RATE_HZ, amplitudeFromDbm0 } from './signal-level.ts';

/** A tone: one or more frequencies summed, switched on and off by a cadence. */
export interface ToneSpec {
  readonly frequenciesHz: readonly number[];
  /** Level of each frequency component, in dBm0. */
  readonly levelDbm0: number;
  /**
   * On/off durations in ms, starting with "on": [on, off, on, off, ...]. Empty means a steady tone.
   */
  readonly cadenceMs: readonly number[];
  /** Whether the cadence starts over when it ends (ringback does; a DTMF digit does not). */
  readonly isRepeating: boolean;
}

/**
 * Spanish call-progress tones (ITU-T E.180 Supplement 2 lists them for Spain; most of Europe uses
 * the same 425 Hz cadences).
 */
export const SPANISH_CALL_PROGRESS_TONES = {
  /** Dial tone: 425 Hz continuous. */
  dial: { frequenciesHz: [425], levelDbm0: -10, cadenceMs: [], isRepeating: true },
  /** Ringback: 425 Hz, 1.5 s on, 3 s off. */
  ringback: { frequenciesHz: [425], levelDbm0: -10, cadenceMs: [1500, 3000], isRepeating: true },
  /** Busy: 425 Hz, 0.2 s on, 0.2 s off. */
  busy: { frequenciesHz: [425], levelDbm0: -10, cadenceMs: [200, 200], isRepeating: true },
  /** Congestion: 425 Hz, three 0.2 s bursts 0.2 s apart, then 0.6 s off. */
  congestion: {
    frequenciesHz: [425],
    levelDbm0: -10,
    cadenceMs: [200, 200, 200, 200, 200, 600],
    isRepeating: true,
  },
  /** Call waiting: 425 Hz, 0.175 s on, 0.175 s off, 0.175 s on, 3.5 s off. */
  callWaiting: { frequenciesHz: [425], levelDbm0: -13, cadenceMs: [175, 175, 175, 3500], isRepeating: true },
} as const satisfies Record<string, ToneSpec>;

/** One DTMF digit as audio: both tones for `durationMs`, then `pauseMs` of silence. */
export function dtmfToneSpec(digit: DtmfDigit, durationMs = 100, pauseMs = 0, levelDbm0 = -7): ToneSpec {
  const { lowHz, highHz } = dtmfFrequencies(digit);
  return {
    frequenciesHz: [lowHz, highHz],
    levelDbm0,
    cadenceMs: pauseMs > 0 ? [durationMs, pauseMs] : [durationMs],
    isRepeating: false,
  };
}

/**
 * Renders a tone into caller-owned frames, one `fill` per media tick, with no allocation after
 * construction. Each burst starts at phase zero, so every burst sounds the same.
 *
 * Cheap enough for every caller on hold: the cadence is handled a run of samples at a time (not sample by
 * sample), and each partial is a two-term recurrence (sin(w(t+1)) = 2cos(w)·sin(wt) − sin(w(t−1))), one
 * multiply-add per sample, seeded with two exact sines at the start of each run so rounding never builds up.
 */
export class ToneGenerator {
  private readonly phaseSteps: Float64Array;
  /** 2cos(w) per partial: the recurrence's coefficient. */
  private readonly coefficients: Float64Array;
  /** The recurrence's state per partial while rendering: sin(w(t−1)) and sin(wt). */
  private readonly previous: Float64Array;
  private readonly current: Float64Array;
  private readonly amplitude: number;
  /** Cadence boundaries in samples, cumulative: [end of on 1, end of off 1, ...]. */
  private readonly boundaries: Float64Array;
  private readonly cycleSamples: number;
  private readonly isRepeating: boolean;
  /** Samples produced since the start. */
  private position = 0;
  private burstStart = 0;

  constructor(spec: ToneSpec, sampleRateHz: number = TELEPHONY_SAMPLE_RATE_HZ) {
    this.phaseSteps = Float64Array.from(spec.frequenciesHz, (f) => (2 * Math.PI * f) / sampleRateHz);
    this.coefficients = this.phaseSteps.map((step) => 2 * Math.cos(step));
    this.previous = new Float64Array(this.phaseSteps.length);
    this.current = new Float64Array(this.phaseSteps.length);
    this.amplitude = amplitudeFromDbm0(spec.levelDbm0);
    let total = 0;
    this.boundaries = Float64Array.from(
      spec.cadenceMs,
      (ms) => (total += Math.round((ms * sampleRateHz) / 1000)),
    );
    this.cycleSamples = total;
    this.isRepeating = spec.isRepeating;
  }

  /** True once a non-repeating tone has played all of its cadence. */
  get isFinished(): boolean {
    return !this.isRepeating && this.cycleSamples > 0 && this.position >= this.cycleSamples;
  }

  /** The cadence segment holding position `offset` (within one cycle): even ones are "on". */
  private segmentAt(offset: number): number {
    let segment = 0;
    while (segment < this.boundaries.length && offset >= (this.boundaries[segment] ?? 0)) segment++;
    return segment;
  }

  /** Writes the next `count` samples into `target` from index 0 and returns `count`. */
  fill(target: Int16Array, count: number = target.length): number {
    const n = Math.min(count, target.length);
    let at = 0;
    while (at < n) {
      // The samples from here to the end of the frame or of the cadence segment, whichever comes first.
      let run = n - at;
      let isOn = true;
      if (this.cycleSamples > 0) {
        if (!this.isRepeating && this.position >= this.cycleSamples) {
          isOn = false;
        } else {
          const offset = this.position % this.cycleSamples;
          const segment = this.segmentAt(offset);
          const segmentStart = segment === 0 ? 0 : (this.boundaries[segment - 1] ?? 0);
          isOn = segment % 2 === 0;
          if (isOn && offset === segmentStart) this.burstStart = this.position;
          run = Math.min(run, (this.boundaries[segment] ?? this.cycleSamples) - offset);
        }
      }
      if (isOn) this.render(target, at, run);
      else target.fill(0, at, at + run);
      at += run;
      this.position += run;
    }
    return n;
  }

  /** `count` samples of the burst from the current position into `target` at `from`. */
  private render(target: Int16Array, from: number, count: number): void {
    const steps = this.phaseSteps;
    const t = this.position - this.burstStart;
    if (steps.length === 1) {
      // The common case (call-progress tones): one partial, kept in locals.
      const step = steps[0] ?? 0;
      const coefficient = this.coefficients[0] ?? 0;
      let previous = Math.sin(step * (t - 1));
      let current = Math.sin(step * t);
      for (let i = from, end = from + count; i < end; i++) {
        target[i] = clampSample(this.amplitude * current);
        const next = coefficient * current - previous;
        previous = current;
        current = next;
      }
      return;
    }
    const { previous, current } = this;
    for (let k = 0; k < steps.length; k++) {
      previous[k] = Math.sin((steps[k] ?? 0) * (t - 1));
      current[k] = Math.sin((steps[k] ?? 0) * t);
    }
    for (let i = from, end = from + count; i < end; i++) {
      let value = 0;
      for (let k = 0; k < steps.length; k++) {
        const now = current[k] ?? 0;
        value += now;
        const next = (this.coefficients[k] ?? 0) * now - (previous[k] ?? 0);
        previous[k] = now;
        current[k] = next;
      }
      target[i] = clampSample(this.amplitude * value);
    }
  }
}

function clampSample(value: number): number {
  return Math.max(-32_768, Math.min(32_767, Math.round(value)));
}
