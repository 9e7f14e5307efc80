import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import { wfmError } from './errors.ts';
import type { WfmError } from './errors.ts';
import { erlangAMetricsFromBlocking } from './erlang-a.ts';
import type { ErlangAMetrics } from './erlang-a.ts';
import { erlangBBlocking } from './erlang-b.ts';
import { erlangCMetricsFromBlocking } from './erlang-c.ts';
import type { ErlangCMetrics } from './erlang-c.ts';
import { checkDuration, checkTarget, checkTraffic, maxServers } from './queueing-inputs.ts';

/** A staffing question: how many agents answer this traffic at this service level? */
export interface StaffingTarget {
  /** Offered load in Erlangs. */
  readonly trafficErlangs: number;
  /** Average handle time (talk + wrap-up), ms. */
  readonly averageHandleTimeMs: number;
  /** "Answered within this many ms". */
  readonly serviceLevelThresholdMs: number;
  /** Fraction to reach, strictly between 0 and 1 (0.8 for "80 % within 20 s"). */
  readonly targetServiceLevel: number;
  /** Optional ceiling on occupancy (for example 0.85) so that agents are not run at 99 %. */
  readonly maxOccupancy?: number;
}

/** The smallest staffing that meets a target, with what Erlang C predicts for it. */
export interface ErlangCStaffing {
  readonly agents: number;
  readonly metrics: ErlangCMetrics;
}

/** The smallest staffing that meets a target with abandonment, with what Erlang A predicts for it. */
export interface ErlangAStaffing {
  readonly agents: number;
  readonly metrics: ErlangAMetrics;
}

function checkStaffingTarget(target: StaffingTarget): WfmError | undefined {
  return (
    checkTraffic(target.trafficErlangs) ??
    checkDuration(target.averageHandleTimeMs, 'averageHandleTimeMs', false) ??
    checkDuration(target.serviceLevelThresholdMs, 'serviceLevelThresholdMs', true) ??
    checkTarget(target.targetServiceLevel, 'targetServiceLevel') ??
    (target.maxOccupancy === undefined ? undefined : checkTarget(target.maxOccupancy, 'maxOccupancy'))
  );
}

/** How far above the load the search goes before declaring a target unreachable. */
function searchCeiling(trafficErlangs: number, maxOccupancy: number | undefined): number {
  const byOccupancy = maxOccupancy === undefined ? 0 : Math.ceil(trafficErlangs / maxOccupancy) + 1;
  const bySpread = Math.ceil(trafficErlangs + 40 * Math.sqrt(trafficErlangs) + 100);
  return Math.min(maxServers, Math.max(byOccupancy, bySpread));
}

/**
 * The fewest agents for which Erlang C meets the service-level target (and the occupancy ceiling).
 * Erlang B is carried up one agent at a time with its recursion, so the whole search is linear in the
 * answer: about 5,000 steps for 5,000 Erlangs.
 */
export function agentsForServiceLevel(target: StaffingTarget): Result<ErlangCStaffing, WfmError> {
  const bad = checkStaffingTarget(target);
  if (bad !== undefined) return err(bad);
  const load = target.trafficErlangs;
  const first = Math.max(1, Math.floor(load) + 1);
  const ceiling = searchCeiling(load, target.maxOccupancy);
  let blocking = erlangBBlocking(load, first);
  for (let agents = first; agents <= ceiling; agents++) {
    if (agents > first) blocking = (load * blocking) / (agents + load * blocking);
    const metrics = erlangCMetricsFromBlocking(
      load,
      agents,
      blocking,
      target.averageHandleTimeMs,
      target.serviceLevelThresholdMs,
    );
    const isOccupancyMet = target.maxOccupancy === undefined || metrics.occupancy <= target.maxOccupancy;
    if (metrics.serviceLevel >= target.targetServiceLevel && isOccupancyMet) return ok({ agents, metrics });
  }
  return err(
    wfmError(
      'WFM_TARGET_UNREACHABLE',
      `no staffing up to ${ceiling} agents meets the target`,
      'targetServiceLevel',
    ),
  );
}

/**
 * The fewest agents for which Erlang A (callers abandon after `averagePatienceMs` on average) meets the
 * target. Abandons count against the service level, so the target bounds the answer below by
 * target × load: the search starts there.
 */
export function agentsForServiceLevelWithAbandonment(
  target: StaffingTarget & { readonly averagePatienceMs: number },
): Result<ErlangAStaffing, WfmError> {
  const bad =
    checkStaffingTarget(target) ?? checkDuration(target.averagePatienceMs, 'averagePatienceMs', false);
  if (bad !== undefined) return err(bad);
  const load = target.trafficErlangs;
  const first = Math.max(1, Math.floor(load * target.targetServiceLevel));
  const ceiling = searchCeiling(load, target.maxOccupancy);
  let blocking = erlangBBlocking(load, first);
  for (let agents = first; agents <= ceiling; agents++) {
    if (agents > first) blocking = (load * blocking) / (agents + load * blocking);
    const metrics = erlangAMetricsFromBlocking({ ...target, agents }, blocking);
    const isOccupancyMet = target.maxOccupancy === undefined || metrics.occupancy <= target.maxOccupancy;
    if (metrics.serviceLevel >= target.targetServiceLevel && isOccupancyMet) return ok({ agents, metrics });
  }
  return err(
    wfmError(
      'WFM_TARGET_UNREACHABLE',
      `no staffing up to ${ceiling} agents meets the target`,
      'targetServiceLevel',
    ),
  );
}

/** Offered load in Erlangs from an arrival rate per hour and an average handle time in ms. */
export function offeredTrafficErlangs(arrivalsPerHour: number, averageHandleTimeMs: number): number {
  return (arrivalsPerHour * averageHandleTimeMs) / 3_600_000;
}
