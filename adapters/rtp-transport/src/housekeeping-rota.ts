/**
 * Spreads periodic work over the ticks of a period: each member is due once every `period` ticks, always on
 * the same tick of the period, and members are placed where the fewest already are, so every tick does about
 * `members ÷ period` of the work instead of one tick doing it all.
 */
export class HousekeepingRota<T> {
  readonly period: number;
  private readonly slots: Set<T>[];

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError('the period must be a whole number of ticks');
    this.period = period;
    this.slots = Array.from({ length: period }, () => new Set<T>());
  }

  /** Takes a member on, in the slot with the fewest. */
  add(member: T): void {
    let least = this.slots[0] as Set<T>;
    for (const slot of this.slots) if (slot.size < least.size) least = slot;
    least.add(member);
  }

  delete(member: T): void {
    for (const slot of this.slots) slot.delete(member);
  }

  clear(): void {
    for (const slot of this.slots) slot.clear();
  }

  /** The members due at `tick` (live: deleting one while iterating is safe). */
  due(tick: number): ReadonlySet<T> {
    return this.slots[tick % this.period] as Set<T>;
  }
}
