import { TELEPHONY_SAMPLE_RATE_HZ } from './signal-level.ts';

/** One paused stretch of a recording, for the recording's metadata. */
export interface RecordingPauseMarker {
  /** Position in the recording, in samples per channel and in ms, where silence starts. */
  readonly startSample: number;
  readonly startMs: number;
  /** Where audio resumes; undefined while still paused (or if the recording stopped paused). */
  readonly endSample: number | undefined;
  readonly endMs: number | undefined;
  /** Why (for example "card-capture"), as the call layer said. */
  readonly reason: string;
}

/**
 * Pause and resume for a recording: while paused, every frame that passes through `apply` is
 * replaced by silence, so nothing said during the pause reaches the disk (card numbers), the
 * recording keeps real time (both channels stay aligned and timestamps in the metadata remain
 * true), and each pause is marked. A pause or resume takes effect from the next frame: a 20 ms
 * boundary, well before any digit can be spoken.
 */
export class RecordingPauseGate {
  private readonly channels: number;
  private readonly sampleRateHz: number;
  private position = 0;
  private readonly marks: RecordingPauseMarker[] = [];
  private openMark: { startSample: number; reason: string } | undefined;

  constructor(channels = 1, sampleRateHz: number = TELEPHONY_SAMPLE_RATE_HZ) {
    this.channels = channels;
    this.sampleRateHz = sampleRateHz;
  }

  /** True while frames are being silenced. */
  get isPaused(): boolean {
    return this.openMark !== undefined;
  }

  /** Samples per channel that have passed through the gate. */
  get positionSamples(): number {
    return this.position;
  }

  private ms(samples: number): number {
    return (samples * 1000) / this.sampleRateHz;
  }

  /** Starts silencing from the next frame. Returns false if already paused (nothing changes). */
  pause(reason: string): boolean {
    if (this.openMark !== undefined) return false;
    this.openMark = { startSample: this.position, reason };
    return true;
  }

  /** Stops silencing from the next frame. Returns false if not paused. */
  resume(): boolean {
    const open = this.openMark;
    if (open === undefined) return false;
    this.marks.push({
      startSample: open.startSample,
      startMs: this.ms(open.startSample),
      endSample: this.position,
      endMs: this.ms(this.position),
      reason: open.reason,
    });
    this.openMark = undefined;
    return true;
  }

  /**
   * Passes one frame (`count` samples, interleaved if stereo) on its way to the writer: zeroed in
   * place while paused. Advances the recording position either way.
   */
  apply(frame: Int16Array, count: number = frame.length): void {
    const n = Math.min(count, frame.length);
    if (this.openMark !== undefined) frame.fill(0, 0, n);
    this.position += Math.floor(n / this.channels);
  }

  /** Every pause so far, the open one last with no end. */
  markers(): readonly RecordingPauseMarker[] {
    const open = this.openMark;
    if (open === undefined) return [...this.marks];
    return [
      ...this.marks,
      {
        startSample: open.startSample,
        startMs: this.ms(open.startSample),
        endSample: undefined,
        endMs: undefined,
        reason: open.reason,
      },
    ];
  }
}
