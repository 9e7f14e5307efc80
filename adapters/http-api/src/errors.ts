/** Stable error codes of the HTTP edge; docs/errors.md lists each one with its status. */
export const httpErrorCodes = [
  'HTTP_VALIDATION_FAILED',
  'HTTP_MALFORMED_JSON',
  'HTTP_UNSUPPORTED_MEDIA_TYPE',
  'HTTP_BODY_TOO_LARGE',
  'HTTP_NOT_FOUND',
  'HTTP_METHOD_NOT_ALLOWED',
  'HTTP_UNAUTHENTICATED',
  'HTTP_FORBIDDEN',
  'HTTP_CSRF_FAILED',
  'HTTP_LOGIN_FAILED',
  'HTTP_LOGIN_THROTTLED',
  'HTTP_ROUTING_UNAVAILABLE',
  'HTTP_CALLS_UNAVAILABLE',
  'HTTP_INTERNAL',
] as const;
export type HttpErrorCode = (typeof httpErrorCodes)[number];
