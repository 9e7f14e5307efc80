import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { WfmError } from './errors.ts';
import { checkServers, checkTraffic } from './queueing-inputs.ts';

/** Offered traffic and the number of trunks (or agents) that carry it, with no waiting room. */
export interface ErlangBInput {
  /** Offered load in Erlangs: arrivals per unit time × mean holding time in the same unit. */
  readonly trafficErlangs: number;
  /** Trunks or agents, a whole number >= 0. */
  readonly servers: number;
}

/**
 * Erlang B by its recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)). Every step is a ratio of
 * positive numbers below 1, so it neither overflows nor loses precision at millions of servers
 * (the textbook A^n/n! form overflows past n ≈ 170). Inputs are trusted: callers check them.
 */
export function erlangBBlocking(trafficErlangs: number, servers: number): number {
  let blocking = 1;
  for (let n = 1; n <= servers; n++) {
    const carried = trafficErlangs * blocking;
    blocking = carried / (n + carried);
  }
  return blocking;
}

/** Erlang B: the probability that a call finds every server busy and is lost (M/M/n/n). */
export function erlangB(input: ErlangBInput): Result<number, WfmError> {
  const bad = checkTraffic(input.trafficErlangs) ?? checkServers(input.servers, 'servers', 0);
  if (bad !== undefined) return err(bad);
  return ok(erlangBBlocking(input.trafficErlangs, input.servers));
}
