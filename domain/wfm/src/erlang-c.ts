import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { WfmError } from './errors.ts';
import { erlangBBlocking } from './erlang-b.ts';
import { checkDuration, checkServers, checkTraffic } from './queueing-inputs.ts';

/** A queue with patient callers (M/M/n): Poisson arrivals, exponential handle times, FIFO. */
export interface ErlangCInput {
  /** Offered load in Erlangs: arrivals per unit time × average handle time in the same unit. */
  readonly trafficErlangs: number;
  /** Agents answering, a whole number >= 1. */
  readonly agents: number;
  /** Average handle time (talk + wrap-up) in milliseconds. */
  readonly averageHandleTimeMs: number;
  /** The service-level threshold: "answered within this many ms". */
  readonly serviceLevelThresholdMs: number;
}

/** What Erlang C predicts for a queue. Probabilities are fractions in [0, 1]. */
export interface ErlangCMetrics {
  /** Probability that a call waits at all (Erlang's delay formula, C(n, A)). */
  readonly probabilityOfWaiting: number;
  /** Probability that a call is answered within the threshold: 1 - C·e^{-(n - A)·t / AHT}. */
  readonly serviceLevel: number;
  /** Average speed of answer over all calls, ms: C·AHT / (n - A); Infinity when unstable. */
  readonly averageSpeedOfAnswerMs: number;
  /** Fraction of agent time spent handling calls: A / n, capped at 1. */
  readonly occupancy: number;
  /** False when traffic >= agents: the queue grows without bound and nobody is served in time. */
  readonly isStable: boolean;
}

/**
 * Erlang C from Erlang B: C = n·B / (n - A·(1 - B)), which keeps the stable recursion's precision.
 * Inputs are trusted: callers check them.
 */
export function erlangCMetricsFromBlocking(
  trafficErlangs: number,
  agents: number,
  blocking: number,
  averageHandleTimeMs: number,
  serviceLevelThresholdMs: number,
): ErlangCMetrics {
  if (trafficErlangs >= agents) {
    return {
      probabilityOfWaiting: 1,
      serviceLevel: 0,
      averageSpeedOfAnswerMs: Number.POSITIVE_INFINITY,
      occupancy: 1,
      isStable: false,
    };
  }
  const spare = agents - trafficErlangs;
  const probabilityOfWaiting = (agents * blocking) / (spare + trafficErlangs * blocking);
  const serviceLevel =
    1 - probabilityOfWaiting * Math.exp((-spare * serviceLevelThresholdMs) / averageHandleTimeMs);
  return {
    probabilityOfWaiting,
    serviceLevel,
    averageSpeedOfAnswerMs: (probabilityOfWaiting * averageHandleTimeMs) / spare,
    occupancy: trafficErlangs / agents,
    isStable: true,
  };
}

/** Erlang C: waiting probability, service level, ASA and occupancy of a queue with patient callers. */
export function erlangC(input: ErlangCInput): Result<ErlangCMetrics, WfmError> {
  const bad =
    checkTraffic(input.trafficErlangs) ??
    checkServers(input.agents, 'agents', 1) ??
    checkDuration(input.averageHandleTimeMs, 'averageHandleTimeMs', false) ??
    checkDuration(input.serviceLevelThresholdMs, 'serviceLevelThresholdMs', true);
  if (bad !== undefined) return err(bad);
  const blocking = erlangBBlocking(input.trafficErlangs, input.agents);
  return ok(
    erlangCMetricsFromBlocking(
      input.trafficErlangs,
      input.agents,
      blocking,
      input.averageHandleTimeMs,
      input.serviceLevelThresholdMs,
    ),
  );
}
