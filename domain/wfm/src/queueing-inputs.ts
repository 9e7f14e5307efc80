import { wfmError } from './errors.ts';
import type { WfmError } from './errors.ts';

/**
 * Input checks shared by the Erlang formulas. Each returns the error for the first bad field, or
 * `undefined` when the field is usable, so callers can chain them and return a Result.
 */

/** Largest number of agents or servers accepted: the recursions are linear in it. */
export const maxServers = 10_000_000;

/** Offered traffic in Erlangs: finite and not negative. */
export function checkTraffic(trafficErlangs: number, field = 'trafficErlangs'): WfmError | undefined {
  if (!Number.isFinite(trafficErlangs) || trafficErlangs < 0) {
    return wfmError(
      'WFM_TRAFFIC_INVALID',
      `${field} must be a finite number >= 0, got ${trafficErlangs}`,
      field,
    );
  }
  return undefined;
}

/** A whole number of agents (or trunks) between `min` and {@link maxServers}. */
export function checkServers(count: number, field: string, min: number): WfmError | undefined {
  if (!Number.isInteger(count) || count < min || count > maxServers) {
    return wfmError(
      'WFM_AGENTS_INVALID',
      `${field} must be a whole number from ${min} to ${maxServers}, got ${count}`,
      field,
    );
  }
  return undefined;
}

/** A duration in milliseconds: finite, and strictly positive when `isZeroAllowed` is false. */
export function checkDuration(ms: number, field: string, isZeroAllowed: boolean): WfmError | undefined {
  const isInRange = Number.isFinite(ms) && (isZeroAllowed ? ms >= 0 : ms > 0);
  if (!isInRange) {
    const bound = isZeroAllowed ? '>= 0' : '> 0';
    return wfmError('WFM_DURATION_INVALID', `${field} must be a finite number ${bound}, got ${ms}`, field);
  }
  return undefined;
}

/** A probability target strictly between 0 and 1 (a target of 100 % is never met by a queue). */
export function checkTarget(target: number, field: string): WfmError | undefined {
  if (!Number.isFinite(target) || target <= 0 || target >= 1) {
    return wfmError('WFM_TARGET_INVALID', `${field} must lie strictly between 0 and 1, got ${target}`, field);
  }
  return undefined;
}
