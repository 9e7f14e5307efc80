/** Stable error codes of the reporting package; docs/errors.md lists each one. */
export const reportingErrorCodes = ['REPORTING_TIME_ZONE_UNKNOWN'] as const;

export type ReportingErrorCode = (typeof reportingErrorCodes)[number];
