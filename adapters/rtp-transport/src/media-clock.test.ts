import { describe, expect, it } from 'vitest';
import type { ClockTimers } from './media-clock.ts';
import { MediaClock } from './media-clock.ts';

/**
 * Fake timers: `now` moves only when the test says, and a timer fires `lateByMs()` after its due
 * time, as a busy event loop would.
 */
class FakeTimers implements ClockTimers {
  nowMs = 1000;
  private timer: { readonly dueMs: number; readonly callback: () => void } | undefined;
  lateByMs: () => number = () => 0;

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    this.timer = { dueMs: this.nowMs + delayMs, callback };
    return this.timer;
  }

  clearTimeout(): void {
    this.timer = undefined;
  }

  /** Runs timers until `untilMs`. */
  advance(untilMs: number): void {
    for (;;) {
      const timer = this.timer;
      if (timer === undefined) break;
      const fireAt = timer.dueMs + this.lateByMs();
      if (fireAt > untilMs) break;
      this.timer = undefined;
      this.nowMs = fireAt;
      timer.callback();
    }
    this.nowMs = untilMs;
  }
}

describe('MediaClock', () => {
  it('ticks every 20 ms from a fixed base, so timer lateness never accumulates', () => {
    const timers = new FakeTimers();
    const ticks: number[] = [];
    // Every wake-up comes 1.7 ms late: chained setTimeout(20) calls would drift 1.7 ms per tick.
    timers.lateByMs = () => 1.7;
    const clock = new MediaClock((tick, nowMs) => ticks.push(nowMs - 1000 - tick * 20), { timers });
    clock.start();
    timers.advance(1000 + 10_000);
    expect(ticks).toHaveLength(500);
    // Each tick ran 1.7 ms after its own due time, the 500th as well as the 1st.
    for (const lateness of ticks.slice(1)) expect(lateness).toBeCloseTo(1.7, 6);
    const stats = clock.statistics();
    expect(stats.maxLatenessMs).toBeCloseTo(1.7, 6);
    expect(stats.p99LatenessMs).toBeCloseTo(1.8, 6);
    expect(stats.skippedTicks).toBe(0);
  });

  it('runs overdue ticks at once after a short stall, and skips them after a long one', () => {
    const timers = new FakeTimers();
    const ran: number[] = [];
    const clock = new MediaClock((tick) => ran.push(tick), { timers, maxCatchUpTicks: 5 });
    clock.start();
    timers.advance(1000 + 40);
    expect(ran).toEqual([0, 1, 2]);
    // A 90 ms stall: ticks 3..7 are due and run together.
    timers.lateByMs = () => 90;
    timers.advance(1000 + 150);
    timers.lateByMs = () => 0;
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // A one-second stall: the clock gives up the missed ticks and counts them.
    timers.lateByMs = () => 1000;
    timers.advance(1000 + 1200);
    timers.lateByMs = () => 0;
    const stats = clock.statistics();
    expect(stats.skippedTicks).toBeGreaterThan(40);
    expect(stats.ticks + stats.skippedTicks).toBe(clock.currentTick);
    expect(stats.maxLatenessMs).toBeLessThanOrEqual(6 * 20 + 1000);
  });

  it("leaves out of a tick's duration the time it says went to other work on the way", () => {
    const timers = new FakeTimers();
    // Each tick runs 3 ms, 2.2 of them reading and relaying datagrams in the middle.
    const clock = new MediaClock(
      () => {
        timers.nowMs += 3;
        return 2.2;
      },
      { timers },
    );
    clock.start();
    timers.advance(1000 + 200);
    const stats = clock.statistics();
    expect(stats.ticks).toBe(11);
    expect(stats.maxDurationMs).toBeCloseTo(0.8, 6);
    expect(stats.p99DurationMs).toBeLessThanOrEqual(0.9); // 3.1 if the reading counted
  });

  it('measures how long the work of each tick takes, the time a datagram arriving meanwhile waits', () => {
    const timers = new FakeTimers();
    // Every tenth tick works for 2.5 ms (say, a second's recording written), the others for 0.2 ms.
    const clock = new MediaClock(
      (tick) => {
        timers.nowMs += tick % 10 === 0 ? 2.5 : 0.2;
      },
      { timers },
    );
    clock.start();
    timers.advance(1000 + 2000);
    const stats = clock.statistics();
    expect(stats.ticks).toBe(101);
    expect(stats.maxDurationMs).toBeCloseTo(2.5, 6);
    // One tick in ten is long, so the 99th percentile is a long one (the upper bound of its 0.1 ms bucket).
    expect(stats.p99DurationMs).toBeCloseTo(2.6, 6);
    // The work does not make the next ticks late: each is due on the fixed base.
    expect(stats.maxLatenessMs).toBeLessThan(0.001);
  });

  it('stops ticking when stopped', () => {
    const timers = new FakeTimers();
    let count = 0;
    const clock = new MediaClock(() => count++, { timers });
    clock.start();
    timers.advance(1000 + 100);
    clock.stop();
    timers.advance(1000 + 1000);
    expect(count).toBe(6);
  });
});
