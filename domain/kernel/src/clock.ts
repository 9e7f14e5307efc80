/** The only source of "now" domain code may use. Milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** A clock that moves only when told to: for simulations and deterministic tests. */
export class VirtualClock implements Clock {
  private nowMs: number;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** Moves time forward; time never goes backwards. */
  advanceBy(ms: number): void {
    if (ms < 0 || !Number.isFinite(ms)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    this.nowMs += ms;
  }

  advanceTo(ms: number): void {
    if (ms < this.nowMs) throw new RangeError(`cannot move a clock back from ${this.nowMs} to ${ms}`);
    this.nowMs = ms;
  }
}
