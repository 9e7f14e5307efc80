import type { Random } from '@centralita/kernel';

/** A uniform draw in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + random.next() * (max - min);
}

/**
 * An exponential draw with the given mean: the gap between arrivals of a Poisson process, and a
 * customer's patience (how long they wait before hanging up).
 */
export function exponential(random: Random, mean: number): number {
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -Math.log(1 - random.next()) * mean;
}

/** One item, each with the same chance; undefined for an empty list. */
export function pick<T>(random: Random, items: readonly T[]): T | undefined {
  return items[Math.floor(random.next() * items.length)];
}

/** A draw from a [min, max] range of milliseconds. */
export interface RangeMs {
  readonly minMs: number;
  readonly maxMs: number;
}

/** A uniform draw from a range, in whole milliseconds. */
export function drawMs(random: Random, range: RangeMs): number {
  return Math.round(uniform(random, range.minMs, range.maxMs));
}
