import type { MessageKey, MessageValues } from '../i18n/catalog.ts';
import { ApiError } from './api-client.ts';
import type { FieldProblem } from './api-types.ts';
import { errorMessageKey } from './error-messages.ts';

type Translate = (key: MessageKey, values?: MessageValues) => string;

/** A sentence for the user about what went wrong and what to do next, in their language. */
export function problemMessage(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.code === 'NETWORK') return t('error.network');
  if (error.code === 'HTTP_VALIDATION_FAILED' && error.problems.length > 1)
    return t('error.validation', { count: error.problems.length });
  const key = errorMessageKey(error.code);
  // A code docs/errors.md does not list (a proxy's `HTTP_502`): the server's detail is all there is.
  return key === undefined ? error.message : t(key, { seconds: error.retryAfterS ?? 30 });
}

/**
 * Codes the server uses for many situations, its `detail` saying which (a store refusal: "you cannot delete
 * yourself; ask another admin"): the translated message is the same for all, so the detail follows it. The
 * browser bundle cannot import the store's `storeErrorCodes`; problem-message.test.ts fails when one is missing.
 */
const genericCodes: ReadonlySet<string> = new Set([
  'STORE_NOT_FOUND',
  'STORE_CONFLICT',
  'STORE_REFERENCE_NOT_FOUND',
  'STORE_CONSTRAINT_VIOLATED',
  'STORE_INVALID_STATE',
  'STORE_INVALID_INPUT',
  'HTTP_FORBIDDEN',
]);

/** The server's own sentence, when the translated message of a generic code would otherwise hide it. */
export function serverDetail(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || !genericCodes.has(error.code)) return undefined;
  const detail = error.message.trim();
  return detail === '' ? undefined : detail;
}

/**
 * Codes whose message is generic while the server's says which rule failed (the schema's own words, e.g. "an
 * interval ends after it starts"): the server's words follow the translated message rather than being lost.
 */
const codesWithServerReason: ReadonlySet<string> = new Set(['IVR_FLOW_SCHEMA']);

/** What is wrong with one field: the message of its code in the user's language (IVR refusals), else the server's. */
export function fieldProblemMessage(t: Translate, problem: FieldProblem): string {
  const key = problem.code === undefined ? undefined : errorMessageKey(problem.code);
  if (key === undefined) return problem.message;
  return codesWithServerReason.has(problem.code ?? '') ? `${t(key)} (${problem.message})` : t(key);
}
