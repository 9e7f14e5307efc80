import { FRAME_MS } from '@centralita/media';

/** The timer functions the clock needs: the real ones by default, fakes in tests. */
export interface ClockTimers {
  /** A monotonic time in ms (performance.now()). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Tick lateness figures: how long after its due time each tick actually ran. */
export interface MediaClockStatistics {
  readonly ticks: number;
  /** Ticks not run because the thread was blocked longer than the catch-up allowance. */
  readonly skippedTicks: number;
  readonly meanLatenessMs: number;
  readonly p50LatenessMs: number;
  readonly p99LatenessMs: number;
  readonly maxLatenessMs: number;
  /**
   * How long a tick's own work took (a datagram that arrives meanwhile waits for it, or for the tick's next stop
   * to read datagrams): what `onTick` says it spent on other work on the way is left out.
   */
  readonly p99DurationMs: number;
  readonly maxDurationMs: number;
}

/**
 * Runs one tick. It may return how many ms of its run went to other work done on the way (the datagrams a long
 * tick stops to read and relay), which its duration then leaves out.
 */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- most ticks do no other work and return nothing
export type TickHandler = (tick: number, nowMs: number) => number | void;

/** Options of the clock. */
export interface MediaClockOptions {
  readonly periodMs?: number;
  /**
   * After a stall, ticks overdue by up to this many periods are run at once (so every stream keeps
   * its frames); beyond that the clock gives up the missed ticks and counts them as skipped.
   */
  readonly maxCatchUpTicks?: number;
  readonly timers?: ClockTimers;
}

const realTimers: ClockTimers = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Histogram resolution and range for lateness percentiles: 0.1 ms buckets up to 100 ms. */
const BUCKET_MS = 0.1;
const BUCKETS = 1000;
/** A tick due within this much is run now rather than re-arming a timer for a fraction of a ms. */
const EARLY_TOLERANCE_MS = 1;

/** Counts of times in 0.1 ms buckets, for upper-bound percentiles. */
class MillisecondHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  sumMs = 0;
  maxMs = 0;

  add(ms: number): void {
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    const bucket = Math.min(BUCKETS, Math.floor(ms / BUCKET_MS));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
  }

  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(fraction * this.count);
    let seen = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      seen += this.counts[b] ?? 0;
      if (seen >= rank) return b >= BUCKETS ? this.maxMs : (b + 1) * BUCKET_MS;
    }
    return this.maxMs;
  }
}

/**
 * The media clock of one worker: a tick every 20 ms, scheduled from a fixed monotonic base
 * (tick k is due at base + k x period), so timer error never accumulates the way chained
 * setInterval calls do; each wake-up re-arms for the next due time. Late ticks are run as soon as
 * possible and their lateness is measured; a stall longer than `maxCatchUpTicks` periods skips the
 * missed ticks instead of bursting them all out.
 */
export class MediaClock {
  private readonly periodMs: number;
  private readonly maxCatchUpTicks: number;
  private readonly timers: ClockTimers;
  private readonly onTick: TickHandler;
  private baseMs = 0;
  private nextTick = 0;
  private handle: unknown;
  private isRunning = false;
  private readonly lateness = new MillisecondHistogram();
  private readonly durations = new MillisecondHistogram();
  private skippedTicks = 0;

  constructor(onTick: TickHandler, options: MediaClockOptions = {}) {
    this.onTick = onTick;
    this.periodMs = options.periodMs ?? FRAME_MS;
    this.maxCatchUpTicks = options.maxCatchUpTicks ?? 5;
    this.timers = options.timers ?? realTimers;
  }

  /** The index of the next tick to run (ticks so far, skipped ones included). */
  get currentTick(): number {
    return this.nextTick;
  }

  /** Starts ticking: tick 0 is due now. */
  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.baseMs = this.timers.now();
    this.nextTick = 0;
    this.arm();
  }

  /** Stops the clock; no tick runs after this returns. */
  stop(): void {
    this.isRunning = false;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(): void {
    const dueMs = this.baseMs + this.nextTick * this.periodMs;
    const delayMs = Math.max(0, dueMs - this.timers.now());
    this.handle = this.timers.setTimeout(() => {
      this.wake();
    }, delayMs);
  }

  private wake(): void {
    this.handle = undefined;
    if (!this.isRunning) return;
    let nowMs = this.timers.now();
    let dueMs = this.baseMs + this.nextTick * this.periodMs;
    const overdueTicks = Math.floor((nowMs - dueMs) / this.periodMs);
    if (overdueTicks > this.maxCatchUpTicks) {
      const skipped = overdueTicks - this.maxCatchUpTicks;
      this.skippedTicks += skipped;
      this.nextTick += skipped;
      dueMs = this.baseMs + this.nextTick * this.periodMs;
    }
    // isActive(), not the field: onTick may stop the clock, which narrowing cannot see.
    while (this.isActive() && dueMs <= nowMs + EARLY_TOLERANCE_MS) {
      this.lateness.add(Math.max(0, nowMs - dueMs));
      const tick = this.nextTick++;
      const startedMs = nowMs;
      const otherWork = this.onTick(tick, nowMs);
      const otherWorkMs = typeof otherWork === 'number' ? otherWork : 0;
      nowMs = this.timers.now();
      this.durations.add(Math.max(0, nowMs - startedMs - otherWorkMs));
      dueMs = this.baseMs + this.nextTick * this.periodMs;
    }
    if (this.isActive()) this.arm();
  }

  private isActive(): boolean {
    return this.isRunning;
  }

  /** Lateness and duration so far (percentiles are upper bounds at 0.1 ms resolution). */
  statistics(): MediaClockStatistics {
    const { lateness, durations } = this;
    return {
      ticks: lateness.count,
      skippedTicks: this.skippedTicks,
      meanLatenessMs: lateness.count === 0 ? 0 : lateness.sumMs / lateness.count,
      p50LatenessMs: lateness.percentile(0.5),
      p99LatenessMs: lateness.percentile(0.99),
      maxLatenessMs: lateness.maxMs,
      p99DurationMs: durations.percentile(0.99),
      maxDurationMs: durations.maxMs,
    };
  }
}
