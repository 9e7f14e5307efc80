import type { ToneSpec } from '@centralita/media';
import { TELEPHONY_SAMPLE_RATE_HZ, ToneGenerator } from '@centralita/media';

/** One thing to play, ready for the media loop (files are already 8 kHz linear PCM). */
export type PlaybackSource =
  | { readonly kind: 'pcm'; readonly samples: Int16Array }
  /** A tone; without `durationMs` a repeating tone plays until stopped. */
  | { readonly kind: 'tone'; readonly tone: ToneSpec; readonly durationMs?: number }
  | { readonly kind: 'silence'; readonly durationMs: number };

/** What `fill` produced. */
export type PlaybackFill = 'playing' | 'finished';

function samplesFor(durationMs: number): number {
  return Math.round((durationMs * TELEPHONY_SAMPLE_RATE_HZ) / 1000);
}

/**
 * Plays a list of sources frame by frame, in order, once or in a loop (music on hold). Prompts are
 * shared, read-only sample arrays (converted once and cached); the cursor only keeps positions, so
 * a thousand callers on hold cost one copy of the music.
 */
export class PlaybackCursor {
  private readonly sources: readonly PlaybackSource[];
  private readonly isLooping: boolean;
  private index = 0;
  private position = 0;
  private tone: ToneGenerator | undefined;
  private producedThisPass = 0;
  private isDone: boolean;

  constructor(sources: readonly PlaybackSource[], isLooping: boolean) {
    this.sources = sources;
    this.isLooping = isLooping;
    this.isDone = sources.length === 0;
  }

  /** True once everything was played (never for a loop that produces audio). */
  get isFinished(): boolean {
    return this.isDone;
  }

  /**
   * Writes the next frame into `frame`. The frame that reaches the end is completed with silence and
   * reported as 'finished'; so is every frame after it.
   */
  fill(frame: Int16Array): PlaybackFill {
    let at = 0;
    const n = frame.length;
    while (at < n && !this.isDone) {
      const source = this.sources[this.index];
      if (source === undefined) {
        this.nextSource();
        continue;
      }
      const wanted = n - at;
      let taken = 0;
      switch (source.kind) {
        case 'pcm': {
          taken = Math.min(wanted, source.samples.length - this.position);
          frame.set(source.samples.subarray(this.position, this.position + taken), at);
          break;
        }
        case 'silence': {
          taken = Math.min(wanted, samplesFor(source.durationMs) - this.position);
          frame.fill(0, at, at + taken);
          break;
        }
        case 'tone': {
          this.tone ??= new ToneGenerator(source.tone);
          const limit =
            source.durationMs === undefined ? Infinity : samplesFor(source.durationMs) - this.position;
          if (this.tone.isFinished) {
            taken = 0;
          } else {
            taken = Math.min(wanted, limit);
            this.tone.fill(frame.subarray(at, at + taken));
          }
          break;
        }
      }
      taken = Math.max(0, taken);
      at += taken;
      this.position += taken;
      this.producedThisPass += taken;
      if (taken < wanted) this.nextSource();
    }
    if (at < n) frame.fill(0, at);
    return this.isDone ? 'finished' : 'playing';
  }

  private nextSource(): void {
    this.index++;
    this.position = 0;
    this.tone = undefined;
    if (this.index < this.sources.length) return;
    // A loop that produced nothing in a whole pass would spin forever: end it instead.
    if (this.isLooping && this.producedThisPass > 0) {
      this.index = 0;
      this.producedThisPass = 0;
      return;
    }
    this.isDone = true;
  }
}
