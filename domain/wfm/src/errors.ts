import { domainError } from '@centralita/kernel';
import type { DomainError } from '@centralita/kernel';

/** Stable codes for every expected failure of the workforce maths. */
export type WfmErrorCode =
  | 'WFM_TRAFFIC_INVALID'
  | 'WFM_AGENTS_INVALID'
  | 'WFM_DURATION_INVALID'
  | 'WFM_TARGET_INVALID'
  | 'WFM_TARGET_UNREACHABLE';

/** A workforce-maths failure: bad input, or a staffing target no number of agents can meet. */
export type WfmError = DomainError<WfmErrorCode>;

/** What each code means, for docs/errors.md and for a newcomer reading a failure. */
export const wfmErrorCatalog: Readonly<Record<WfmErrorCode, string>> = {
  WFM_TRAFFIC_INVALID: 'Offered traffic must be a finite number of Erlangs, zero or more.',
  WFM_AGENTS_INVALID: 'The number of agents (or servers) must be a whole number in range.',
  WFM_DURATION_INVALID: 'A duration (handle time, threshold, patience) must be finite and in range.',
  WFM_TARGET_INVALID: 'A service-level target must lie strictly between 0 and 1.',
  WFM_TARGET_UNREACHABLE: 'No number of agents within the search bound meets the target.',
};

/** Builds a WfmError naming the offending input field. */
export function wfmError(code: WfmErrorCode, message: string, field?: string): WfmError {
  return domainError(code, message, field);
}
