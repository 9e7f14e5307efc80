import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { WfmError } from './errors.ts';
import { erlangBBlocking } from './erlang-b.ts';
import type { ErlangCInput } from './erlang-c.ts';
import { sumKummerSeries } from './kummer-series.ts';
import { checkDuration, checkServers, checkTraffic } from './queueing-inputs.ts';

/** A queue whose callers hang up when they run out of patience (M/M/n+M, Palm's Erlang A). */
export interface ErlangAInput extends ErlangCInput {
  /** Mean caller patience in ms; patience is exponential, so this is 1 / abandonment rate. */
  readonly averagePatienceMs: number;
}

/** What Erlang A predicts. Probabilities are fractions of all arrivals, in [0, 1]. */
export interface ErlangAMetrics {
  /** Probability that an arrival finds every agent busy and has to wait. */
  readonly probabilityOfWaiting: number;
  /** Probability that an arrival hangs up before an agent answers. */
  readonly probabilityOfAbandonment: number;
  /** Answered within the threshold, as a fraction of all arrivals (abandons count against it). */
  readonly serviceLevel: number;
  /** Mean wait of answered calls (including those answered at once), ms. */
  readonly averageSpeedOfAnswerMs: number;
  /** Mean time in queue of every arrival, answered or abandoned, ms (Little's law: P(ab) × patience). */
  readonly averageWaitMs: number;
  /** Fraction of agent time spent handling calls: carried load A·(1 - P(ab)) / n. */
  readonly occupancy: number;
}

/**
 * Erlang A metrics, exact for the M/M/n+M birth–death model.
 *
 * Time is measured in handle times (μ = 1), θ = AHT / patience, x = n/θ, y = A/θ. With B the Erlang B
 * blocking of n agents and K = M(1, x + 1, y) the Kummer series (Σ_{m>=0} Π_{j<=m} y/(x + j), the
 * stationary weight of "n + m in system" relative to "n in system"):
 *   P(wait)            = K·B / (1 + (K - 1)·B)
 *   P(ab | wait)       = 1 + (1/K - 1)/ρ,   ρ = A/n                 (Mandelbaum & Zeltyn, Erlang A)
 * The offered wait V of an arrival finding m callers ahead is a sum of exponentials with rates n + jθ,
 * j = 0..m; exp(-θV) is then Beta(x, m + 1) distributed, which turns the mixture over m into incomplete
 * gamma functions:
 *   P(answered, V > t) = P(answered, wait) · γ(x + 1, y·e^{-θt}) / γ(x + 1, y)
 * where γ(a, u) = u^a e^{-u} M(1, a + 1, u) / a, so only Kummer series are summed (see kummer-series.ts),
 * in log space, from their largest term: stable from one agent to millions, and for patience from
 * seconds to "never abandons" (where the results tend to Erlang C).
 */
export function erlangA(input: ErlangAInput): Result<ErlangAMetrics, WfmError> {
  const bad =
    checkTraffic(input.trafficErlangs) ??
    checkServers(input.agents, 'agents', 1) ??
    checkDuration(input.averageHandleTimeMs, 'averageHandleTimeMs', false) ??
    checkDuration(input.serviceLevelThresholdMs, 'serviceLevelThresholdMs', true) ??
    checkDuration(input.averagePatienceMs, 'averagePatienceMs', false);
  if (bad !== undefined) return err(bad);
  return ok(erlangAMetricsFromBlocking(input, erlangBBlocking(input.trafficErlangs, input.agents)));
}

/** Erlang A given the Erlang B blocking of the same traffic and agents. Inputs are trusted. */
export function erlangAMetricsFromBlocking(input: ErlangAInput, blocking: number): ErlangAMetrics {
  const {
    trafficErlangs: load,
    agents,
    averageHandleTimeMs: handleMs,
    averagePatienceMs: patienceMs,
  } = input;
  if (load === 0) {
    return {
      probabilityOfWaiting: 0,
      probabilityOfAbandonment: 0,
      serviceLevel: 1,
      averageSpeedOfAnswerMs: 0,
      averageWaitMs: 0,
      occupancy: 0,
    };
  }
  const theta = handleMs / patienceMs;
  const x = agents / theta;
  const y = load / theta;
  const rho = load / agents;

  const queue = sumKummerSeries(x, y, true);
  // P(wait) = 1 / (1 + (1 - B) / (K·B)), in logs so that a huge K or a tiny B cannot overflow.
  const logOdds = Math.log1p(-blocking) - queue.logSum - Math.log(blocking);
  const probabilityOfWaiting = blocking === 0 ? 0 : 1 / (1 + Math.exp(logOdds));
  const abandonGivenWait = Math.min(1, Math.max(0, 1 + Math.expm1(-queue.logSum) / rho));
  const probabilityOfAbandonment = probabilityOfWaiting * abandonGivenWait;
  const answeredAfterWaiting = probabilityOfWaiting - probabilityOfAbandonment;

  const t = input.serviceLevelThresholdMs / handleMs;
  let answeredLate = answeredAfterWaiting;
  if (t > 0) {
    // ln γ(x+1, y·z) - ln γ(x+1, y) with z = e^{-θt}: (x+1)·ln z + y·(1 - z) + ln M(yz) - ln M(y).
    const z = Math.exp(-theta * t);
    const logRatio =
      -(x + 1) * theta * t -
      y * Math.expm1(-theta * t) +
      sumKummerSeries(x + 1, y * z, false).logSum -
      sumKummerSeries(x + 1, y, false).logSum;
    answeredLate = answeredAfterWaiting * Math.min(1, Math.exp(logRatio));
  }
  const serviceLevel = Math.min(
    1,
    Math.max(0, 1 - probabilityOfWaiting + answeredAfterWaiting - answeredLate),
  );

  // E[V·1{answered}] = P(wait)/K · Σ T_m w_m / θ (in handle times); divide by P(answered) for the ASA.
  const answered = 1 - probabilityOfAbandonment;
  const waitOfAnsweredInHandleTimes = (probabilityOfWaiting * queue.meanWaitWeight) / theta;
  return {
    probabilityOfWaiting,
    probabilityOfAbandonment,
    serviceLevel,
    averageSpeedOfAnswerMs: answered > 0 ? (waitOfAnsweredInHandleTimes / answered) * handleMs : 0,
    averageWaitMs: probabilityOfAbandonment * patienceMs,
    occupancy: Math.min(1, (load * answered) / agents),
  };
}
