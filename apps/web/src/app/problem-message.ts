import type { MessageKey, MessageValues } from '../i18n/catalog.ts';
import { ApiError } from './api-client.ts';

/** Error codes with a message of their own in the catalogs; others show the server's detail. */
const codeMessages: Readonly<Record<string, MessageKey>> = {
  HTTP_LOGIN_FAILED: 'error.loginFailed',
  HTTP_FORBIDDEN: 'error.forbidden',
  HTTP_UNAUTHENTICATED: 'error.unauthenticated',
  HTTP_CSRF_FAILED: 'error.csrf',
  HTTP_INTERNAL: 'error.internal',
  STORE_NOT_FOUND: 'error.notFound',
  STORE_CONFLICT: 'error.conflict',
  NETWORK: 'error.network',
};

/** A sentence for the user about what went wrong, in their language. */
export function problemMessage(
  t: (key: MessageKey, values?: MessageValues) => string,
  error: unknown,
): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.code === 'HTTP_LOGIN_THROTTLED')
    return t('error.loginThrottled', { seconds: error.retryAfterS ?? 30 });
  if (error.code === 'HTTP_VALIDATION_FAILED' && error.problems.length > 0)
    return t('error.validation', { count: error.problems.length });
  const key = codeMessages[error.code];
  return key === undefined ? error.message : t(key);
}
