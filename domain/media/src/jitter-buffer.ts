import type { G711Law } from './g711.ts';
import { decodeG711 } from './g711.ts';
import { FRAME_SAMPLES, TELEPHONY_SAMPLE_RATE_HZ } from './signal-level.ts';

/** Fixed: always this much delay. Adaptive: delay follows measured jitter between the bounds. */
export type JitterBufferDepth =
  | { readonly kind: 'fixed'; readonly depthMs: number }
  | { readonly kind: 'adaptive'; readonly minDepthMs: number; readonly maxDepthMs: number };

/** What fills a frame whose audio did not arrive. */
export type ConcealmentMode = 'repeat-fade' | 'silence';

/** Jitter buffer options. */
export interface JitterBufferOptions {
  readonly depth: JitterBufferDepth;
  readonly concealment?: ConcealmentMode;
  /** Samples per output frame (160 = 20 ms at 8 kHz). */
  readonly frameSamples?: number;
  /** RTP clock rate of the stream (8000 for G.711). */
  readonly clockRateHz?: number;
  /** Frames over which a repeated frame fades to silence. */
  readonly fadeFrames?: number;
}

/** What happened to a packet given to `push`. */
export type JitterPushOutcome = 'stored' | 'late' | 'duplicate' | 'resynced';

/** What `pop` put in the frame. */
export type JitterPopOutcome =
  /** Every sample arrived. */
  | 'audio'
  /** Some samples arrived, the rest were concealed. */
  | 'partial'
  /** Nothing arrived; the last audio was repeated, fading. */
  | 'concealed'
  /** Nothing arrived and there is nothing to repeat (or the fade is over): silence. */
  | 'silence'
  /** No packet yet: the stream has not started. */
  | 'empty';

/** Counters for quality figures and tests. */
export interface JitterBufferStatistics {
  readonly packetsStored: number;
  readonly packetsLate: number;
  readonly packetsDuplicate: number;
  readonly resyncs: number;
  readonly framesAudio: number;
  readonly framesPartial: number;
  readonly framesConcealed: number;
  readonly framesSilent: number;
  /** Frames dropped to shrink the delay (adaptive). */
  readonly framesDropped: number;
  /** Ticks on which playout waited to grow the delay (adaptive). */
  readonly framesStalled: number;
  readonly targetDepthMs: number;
  /** Interarrival jitter (RFC 3550 A.8) in ms, as the adaptive mode measures it. */
  readonly jitterMs: number;
}

/** Backward steps of more than this many consecutive late packets mean the sender's clock jumped. */
const LATE_RUN_RESYNC = 10;
/** Ring size: about one second at 8 kHz, enough for any sane depth plus one large packet. A power of two. */
const RING_SAMPLES = 8192;
const RING_MASK = RING_SAMPLES - 1;
/** A frame whose energy is under that of a constant frame of this level (16-bit units: -44 dBm0) is near silence. */
const QUIET_SAMPLE = 100;

/** The 32-bit timestamp nearest to `reference` (an extended timestamp) that is congruent to `timestamp`. */
function extendTimestamp(timestamp: number, reference: number): number {
  return reference + ((timestamp - reference) | 0);
}

/**
 * A jitter buffer for the mixing and recording paths (plain relaying needs none). Packets go in
 * by RTP timestamp, in any order; the media clock takes out one frame per tick. Audio is placed
 * sample by sample in a ring indexed by timestamp, so any packet size (10, 20, 30 ms...) feeds
 * 20 ms frames, a duplicate is a sample already present, and a late packet is one whose start
 * was already played. Playout starts `depth` behind the first packet.
 *
 * Adaptive depth follows 3x the RFC 3550 A.8 jitter: it grows by holding playout back one frame
 * on an underrun, and shrinks by dropping one missing or quiet frame while the buffer is too deep.
 * In both modes a packet that finds the buffer empty re-anchors playout one target depth behind
 * it when it starts a talkspurt (marker bit) or lands beyond the target: after silence
 * suppression the gap is not played out, and a change of delay there cannot be heard.
 */
export class JitterBuffer {
  private readonly ring = new Int16Array(RING_SAMPLES);
  private readonly present = new Uint8Array(RING_SAMPLES);
  private readonly lastAudio: Int16Array;
  private hasLastAudio = false;
  private readonly frameSamples: number;
  private readonly clockRateHz: number;
  private readonly depth: JitterBufferDepth;
  private readonly concealment: ConcealmentMode;
  private readonly fadeFrames: number;

  private hasAnchor = false;
  /** Extended timestamp of the next sample to play. */
  private playout = 0;
  /** Extended timestamp just past the newest sample stored. */
  private highestEnd = 0;
  private concealedRun = 0;
  private lateRun = 0;
  private transit = 0;
  private hasTransit = false;
  private jitterUnits = 0;
  private targetSamples: number;
  /** The adaptive depth's bounds in samples (whole frames), worked out once: the target moves with every packet. */
  private readonly minTargetSamples: number;
  private readonly maxTargetSamples: number;
  /** Where the packet being stored goes in the ring, and its extended timestamp (set by `place`). */
  private placedAt = 0;
  private placedExt = 0;

  private packetsStored = 0;
  private packetsLate = 0;
  private packetsDuplicate = 0;
  private resyncs = 0;
  private framesAudio = 0;
  private framesPartial = 0;
  private framesConcealed = 0;
  private framesSilent = 0;
  private framesDropped = 0;
  private framesStalled = 0;

  constructor(options: JitterBufferOptions) {
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    this.clockRateHz = options.clockRateHz ?? TELEPHONY_SAMPLE_RATE_HZ;
    this.depth = options.depth;
    this.concealment = options.concealment ?? 'repeat-fade';
    this.fadeFrames = options.fadeFrames ?? 4;
    this.lastAudio = new Int16Array(this.frameSamples);
    const depth = this.depth;
    const [minMs, maxMs] =
      depth.kind === 'adaptive' ? [depth.minDepthMs, depth.maxDepthMs] : [depth.depthMs, depth.depthMs];
    this.minTargetSamples = this.msToFrameSamples(minMs);
    this.maxTargetSamples = Math.min(this.msToFrameSamples(maxMs), RING_SAMPLES / 2);
    this.targetSamples = this.boundedTarget(0);
  }

  private msToFrameSamples(ms: number): number {
    return Math.max(1, Math.ceil((ms * this.clockRateHz) / 1000 / this.frameSamples)) * this.frameSamples;
  }

  /**
   * The target depth for a jitter estimate, rounded up to whole frames and kept within bounds (a fixed depth
   * is its own bounds). Runs for every packet of an adaptive buffer, so the bounds are worked out once.
   */
  private boundedTarget(jitterUnits: number): number {
    if (this.depth.kind === 'fixed') return this.minTargetSamples;
    const wanted = Math.ceil((3 * jitterUnits) / this.frameSamples) * this.frameSamples;
    return Math.max(this.minTargetSamples, Math.min(this.maxTargetSamples, wanted));
  }

  /**
   * The ring index of an extended timestamp. Extended timestamps are whole numbers well inside ±2^53, and
   * a bitwise AND sees them modulo 2^32, of which the ring size is a divisor: the mask is exact.
   */
  private index(extended: number): number {
    return extended & RING_MASK;
  }

  private resync(extended: number): void {
    this.present.fill(0);
    this.playout = extended - this.targetSamples;
    this.highestEnd = extended;
    this.lateRun = 0;
    // Transit times across a jump say nothing about jitter.
    this.hasTransit = false;
  }

  /**
   * Stores one packet's decoded samples (the first `count` of `samples`, all by default, so a caller can
   * decode into one reused buffer). `arrivalMs` (media clock) feeds the jitter estimate;
   * `isMarker` (start of a talkspurt) lets the buffer re-anchor when it is empty.
   */
  push(
    timestamp: number,
    samples: Int16Array,
    arrivalMs: number,
    isMarker = false,
    count = samples.length,
  ): JitterPushOutcome {
    const length = Math.min(count, samples.length, RING_SAMPLES / 2);
    const outcome = this.place(timestamp, length, arrivalMs, isMarker);
    if (outcome !== 'stored' && outcome !== 'resynced') return outcome;
    const at = this.placedAt;
    const ring = this.ring;
    // Up to the ring's end, then (rarely) the rest from its start.
    const first = Math.min(length, RING_SAMPLES - at);
    for (let i = 0; i < first; i++) ring[at + i] = samples[i] ?? 0;
    for (let i = first; i < length; i++) ring[i - first] = samples[i] ?? 0;
    this.markPlaced(length);
    return outcome;
  }

  /**
   * Like `push`, for a G.711 payload: `count` bytes of `bytes` from `offset` (an RTP packet as received) are
   * decoded straight into the ring, with no copy in between.
   */
  pushG711(
    timestamp: number,
    law: G711Law,
    bytes: Uint8Array,
    offset: number,
    count: number,
    arrivalMs: number,
    isMarker = false,
  ): JitterPushOutcome {
    const length = Math.max(0, Math.min(count, bytes.length - offset, RING_SAMPLES / 2));
    const outcome = this.place(timestamp, length, arrivalMs, isMarker);
    if (outcome !== 'stored' && outcome !== 'resynced') return outcome;
    const at = this.placedAt;
    const first = Math.min(length, RING_SAMPLES - at);
    decodeG711(law, bytes, this.ring, first, offset, at);
    if (first < length) decodeG711(law, bytes, this.ring, length - first, offset + first, 0);
    this.markPlaced(length);
    return outcome;
  }

  /**
   * Decides where a packet of `length` samples goes (`placedAt`), re-anchoring or refusing it as its
   * timestamp says; the caller then writes the samples and calls `markPlaced`.
   */
  private place(timestamp: number, length: number, arrivalMs: number, isMarker: boolean): JitterPushOutcome {
    let outcome: JitterPushOutcome = 'stored';
    let ext: number;
    if (!this.hasAnchor) {
      ext = timestamp >>> 0;
      this.hasAnchor = true;
      this.resync(ext);
    } else {
      ext = extendTimestamp(timestamp >>> 0, this.playout);
      if (ext + length - this.playout > RING_SAMPLES) {
        // Far ahead of playout: the stream jumped (new talkspurt after a long pause, restart).
        this.resync(ext);
        this.resyncs++;
        outcome = 'resynced';
      } else if (ext < this.playout) {
        if (++this.lateRun < LATE_RUN_RESYNC) {
          this.updateJitter(ext, arrivalMs);
          this.packetsLate++;
          return 'late';
        }
        // A run of "late" packets is a timestamp jump backwards, not lateness.
        this.resync(ext);
        this.resyncs++;
        outcome = 'resynced';
      } else if (this.highestEnd <= this.playout && (isMarker || ext - this.playout > this.targetSamples)) {
        // Nothing buffered (silence suppression, or a stall): start the new talkspurt one target
        // depth from now instead of playing out the gap.
        this.resync(ext);
      }
    }
    this.updateJitter(ext, arrivalMs);
    this.lateRun = 0;
    const at = this.index(ext);
    if (this.present[at] === 1) {
      this.packetsDuplicate++;
      return 'duplicate';
    }
    this.placedAt = at;
    this.placedExt = ext;
    return outcome;
  }

  /** Marks the samples just written at `placedAt` present. */
  private markPlaced(length: number): void {
    const at = this.placedAt;
    const first = Math.min(length, RING_SAMPLES - at);
    this.present.fill(1, at, at + first);
    if (first < length) this.present.fill(1, 0, length - first);
    const end = this.placedExt + length;
    if (end > this.highestEnd) this.highestEnd = end;
    this.packetsStored++;
  }

  private updateJitter(ext: number, arrivalMs: number): void {
    const transit = (arrivalMs * this.clockRateHz) / 1000 - ext;
    if (this.hasTransit) this.jitterUnits += (Math.abs(transit - this.transit) - this.jitterUnits) / 16;
    this.transit = transit;
    this.hasTransit = true;
    if (this.depth.kind === 'adaptive') this.targetSamples = this.boundedTarget(this.jitterUnits);
  }

  /**
   * Whether the frame at playout can be dropped unheard: part of it is missing, or it is near silence (its
   * sum of squares under that of a constant ±100 frame). A too-deep buffer asks at every tick until such a
   * frame comes, and while someone keeps talking that is every tick, so a loud frame answers after a few
   * samples and the presence of the rest is one native scan.
   */
  private isDroppable(): boolean {
    const n = this.frameSamples;
    const from = this.index(this.playout);
    // A frame that wraps around the ring's end (rare) goes on at its start.
    const firstEnd = Math.min(from + n, RING_SAMPLES);
    const wrappedEnd = from + n - firstEnd;
    if (this.hasGap(from, firstEnd) || this.hasGap(0, wrappedEnd)) return true;
    const quiet = n * QUIET_SAMPLE * QUIET_SAMPLE;
    return this.energyUpTo(0, wrappedEnd, this.energyUpTo(from, firstEnd, 0, quiet), quiet) < quiet;
  }

  /** Whether a sample of ring positions `from` to `to` (excluded) is missing. */
  private hasGap(from: number, to: number): boolean {
    if (from >= to) return false;
    const missing = this.present.indexOf(0, from);
    return missing !== -1 && missing < to;
  }

  /** `energy` plus the sum of squares of ring positions `from` to `to`, stopping once it reaches `limit`. */
  private energyUpTo(from: number, to: number, energy: number, limit: number): number {
    const ring = this.ring;
    let sum = energy;
    for (let at = from; at < to && sum < limit; at++) {
      const x = ring[at] ?? 0;
      sum += x * x;
    }
    return sum;
  }

  private discardFrame(): void {
    let at = this.index(this.playout);
    for (let i = 0; i < this.frameSamples; i++) {
      this.present[at] = 0;
      if (++at === RING_SAMPLES) at = 0;
    }
    this.playout += this.frameSamples;
  }

  /** Writes the next frame into `target` (frameSamples long) for this tick and says what it holds. */
  pop(target: Int16Array): JitterPopOutcome {
    const n = this.frameSamples;
    if (!this.hasAnchor) {
      target.fill(0, 0, n);
      return 'empty';
    }
    let shouldAdvance = true;
    if (this.depth.kind === 'adaptive') {
      const buffered = this.highestEnd - this.playout;
      if (buffered <= 0) {
        // Underrun: hold playout so the late audio still finds its place; the delay grows by a frame.
        shouldAdvance = false;
        this.framesStalled++;
      } else if (buffered > this.targetSamples + n) {
        // Too deep: drop a frame nobody will miss (missing anyway, or near silence).
        if (this.isDroppable()) {
          this.discardFrame();
          this.framesDropped++;
        }
      }
    }
    let at = this.index(this.playout);
    let found = 0;
    const fadeFrom = Math.max(0, 1 - this.concealedRun / this.fadeFrames);
    const fadeTo = Math.max(0, 1 - (this.concealedRun + 1) / this.fadeFrames);
    const canRepeat = this.concealment === 'repeat-fade' && this.hasLastAudio && fadeFrom > 0;
    // The usual case: the whole frame arrived and does not wrap: copied while its presence is checked, in one pass.
    let copied = 0;
    if (shouldAdvance && at + n <= RING_SAMPLES) {
      const ring = this.ring;
      const present = this.present;
      while (copied < n && present[at + copied] === 1) {
        target[copied] = ring[at + copied] ?? 0;
        copied++;
      }
    }
    if (copied === n) {
      this.present.fill(0, at, at + n);
      found = n;
    } else {
      for (let i = 0; i < n; i++) {
        if (shouldAdvance && this.present[at] === 1) {
          target[i] = this.ring[at] ?? 0;
          this.present[at] = 0;
          found++;
        } else if (canRepeat) {
          const gain = fadeFrom + ((fadeTo - fadeFrom) * i) / n;
          target[i] = Math.round((this.lastAudio[i] ?? 0) * gain);
        } else {
          target[i] = 0;
        }
        if (++at === RING_SAMPLES) at = 0;
      }
    }
    if (shouldAdvance) this.playout += n;

    if (found > 0) {
      this.concealedRun = 0;
      // The whole target (the usual frame-sized one) is copied without a view object.
      this.lastAudio.set(target.length === n ? target : target.subarray(0, n));
      this.hasLastAudio = true;
      if (found === n) {
        this.framesAudio++;
        return 'audio';
      }
      this.framesPartial++;
      return 'partial';
    }
    this.concealedRun++;
    if (canRepeat) {
      this.framesConcealed++;
      return 'concealed';
    }
    this.framesSilent++;
    return 'silence';
  }

  /** Current counters and depth. */
  statistics(): JitterBufferStatistics {
    return {
      packetsStored: this.packetsStored,
      packetsLate: this.packetsLate,
      packetsDuplicate: this.packetsDuplicate,
      resyncs: this.resyncs,
      framesAudio: this.framesAudio,
      framesPartial: this.framesPartial,
      framesConcealed: this.framesConcealed,
      framesSilent: this.framesSilent,
      framesDropped: this.framesDropped,
      framesStalled: this.framesStalled,
      targetDepthMs: (this.targetSamples * 1000) / this.clockRateHz,
      jitterMs: (this.jitterUnits * 1000) / this.clockRateHz,
    };
  }
}
