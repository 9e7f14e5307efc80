import type { Random } from '@centralita/kernel';
import type { ArrivalSpec, DurationSpec } from './scenario.ts';

/** A standard normal draw (Box–Muller, one of the pair), from two uniforms. */
function standardNormal(random: Random): number {
  const u1 = 1 - random.next(); // (0, 1]: keeps the logarithm finite
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** An exponential draw with the given mean, by inversion. */
export function exponential(random: Random, meanMs: number): number {
  return -meanMs * Math.log(1 - random.next());
}

/**
 * Draws a duration in ms. A lognormal is parameterised by its own mean m and standard deviation s:
 * σ² = ln(1 + s²/m²), μ = ln m - σ²/2, so that the draws have exactly that mean and spread.
 */
export function sampleDuration(spec: DurationSpec, random: Random): number {
  switch (spec.distribution) {
    case 'exponential':
      return exponential(random, spec.meanMs);
    case 'lognormal': {
      const variance = Math.log(1 + (spec.stdDevMs * spec.stdDevMs) / (spec.meanMs * spec.meanMs));
      const mu = Math.log(spec.meanMs) - variance / 2;
      return Math.exp(mu + Math.sqrt(variance) * standardNormal(random));
    }
    case 'fixed':
      return spec.ms;
  }
}

/**
 * The next arrival after `fromMs` (ms since the queue opened), or Infinity when no more come. Within an
 * interval the arrivals are Poisson at that interval's rate; because the exponential is memoryless, a
 * draw that crosses into the next interval is simply restarted there at the new rate.
 */
export function nextArrivalMs(spec: ArrivalSpec, fromMs: number, random: Random): number {
  if (spec.kind === 'poisson') {
    return spec.perHour > 0
      ? fromMs + exponential(random, 3_600_000 / spec.perHour)
      : Number.POSITIVE_INFINITY;
  }
  let t = fromMs;
  for (;;) {
    const index = Math.floor(t / spec.intervalMs);
    const rate = spec.perHour[index];
    if (rate === undefined) return Number.POSITIVE_INFINITY;
    const intervalEndMs = (index + 1) * spec.intervalMs;
    if (rate > 0) {
      const candidate = t + exponential(random, 3_600_000 / rate);
      if (candidate < intervalEndMs) return candidate;
    }
    t = intervalEndMs;
  }
}
