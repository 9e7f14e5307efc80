import { domainError } from '@centralita/kernel';
import type { DomainError } from '@centralita/kernel';

/** Stable codes for every expected failure of the routing engine. */
export type AcdErrorCode =
  | 'ACD_CONFIG_INVALID'
  | 'ACD_CLOCK_WENT_BACKWARDS'
  | 'ACD_QUEUE_NOT_FOUND'
  | 'ACD_AGENT_NOT_FOUND'
  | 'ACD_CONTACT_NOT_FOUND'
  | 'ACD_CONTACT_ALREADY_EXISTS'
  | 'ACD_CHANNEL_NOT_SERVED'
  | 'ACD_OFFER_NOT_FOUND'
  | 'ACD_WORK_NOT_FOUND'
  | 'ACD_BREAK_REASON_UNKNOWN'
  | 'ACD_ILLEGAL_TRANSITION';

/** A routing failure: a bad configuration, or an event that does not fit the current state. */
export type AcdError = DomainError<AcdErrorCode>;

/** What each code means, for docs/errors.md and for whoever reads a rejected event. */
export const acdErrorCatalog: Readonly<Record<AcdErrorCode, string>> = {
  ACD_CONFIG_INVALID: 'The routing configuration is invalid; `field` names the offending path.',
  ACD_CLOCK_WENT_BACKWARDS: 'An event carried a time earlier than the previous event.',
  ACD_QUEUE_NOT_FOUND: 'The event names a queue that is not configured.',
  ACD_AGENT_NOT_FOUND: 'The event names an agent that is not configured.',
  ACD_CONTACT_NOT_FOUND: 'The event names a contact the engine is not routing (unknown or already finished).',
  ACD_CONTACT_ALREADY_EXISTS: 'A contact with this id is already being routed.',
  ACD_CHANNEL_NOT_SERVED: 'The queue does not serve the contact’s channel.',
  ACD_OFFER_NOT_FOUND: 'The agent has no pending offer for this contact (it timed out or was withdrawn).',
  ACD_WORK_NOT_FOUND:
    'The agent is not in wrap-up for this contact (for help: neither on it nor in wrap-up).',
  ACD_BREAK_REASON_UNKNOWN: 'The break reason is not one of the configured reasons.',
  ACD_ILLEGAL_TRANSITION:
    'The event would move an agent or a contact along a transition that does not exist.',
};

/** Builds an AcdError, naming the offending field when there is one. */
export function acdError(code: AcdErrorCode, message: string, field?: string): AcdError {
  return domainError(code, message, field);
}
