/** Stable codes for what the call deciders refuse. */
export type CallErrorCode = 'CALL_UNEXPECTED_EVENT';

/** What each code means, for docs/errors.md and for a newcomer reading a log line. */
export const callErrorCatalog: Readonly<Record<CallErrorCode, string>> = {
  CALL_UNEXPECTED_EVENT:
    'An event that does not fit the call’s phase (a connection for a call nobody was offered, hold outside a conversation): nothing changes, and the call layer logs it at debug level.',
};
