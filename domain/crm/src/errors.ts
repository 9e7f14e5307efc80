/** Stable error codes of the CRM package; docs/errors.md lists each one. */
export const crmErrorCodes = [
  'CRM_PHONE_INVALID',
  'CRM_EMAIL_INVALID',
  'CRM_ADDRESS_INVALID',
  'CRM_COUNTRY_INVALID',
  'CRM_TICKET_TRANSITION_ILLEGAL',
] as const;

export type CrmErrorCode = (typeof crmErrorCodes)[number];
