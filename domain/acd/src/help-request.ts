import { ok, err } from '@centralita/kernel';
import type { Result, UserId } from '@centralita/kernel';
import type { IllegalTransition } from './illegal-transition.ts';

/**
 * An agent's request for a supervisor's help with one contact (glossary: help request). It lives on the
 * agent's work item for that contact, so it ends with the after-call work.
 */
export type HelpRequest =
  | {
      readonly kind: 'open';
      readonly note: string | undefined;
      readonly requestedAtMs: number;
    }
  | {
      readonly kind: 'attended';
      readonly note: string | undefined;
      readonly requestedAtMs: number;
      readonly supervisorId: UserId;
      readonly attendedAtMs: number;
    };

/** The request's state for transition tables: none yet (or withdrawn), open, attended. */
export type HelpRequestState = 'none' | HelpRequest['kind'];

/** What moves a help request. */
export type HelpTrigger =
  | { readonly type: 'ask'; readonly note: string | undefined; readonly atMs: number }
  | { readonly type: 'withdraw' }
  | { readonly type: 'attend'; readonly supervisorId: UserId; readonly atMs: number };

/** Every trigger name, for transition tables. */
export const helpTriggerTypes: readonly HelpTrigger['type'][] = ['ask', 'withdraw', 'attend'];

/** The state name of a request (undefined: none). */
export function helpRequestState(request: HelpRequest | undefined): HelpRequestState {
  return request?.kind ?? 'none';
}

/**
 * The help request state machine:
 *   none -ask-> open -withdraw-> none;  open -attend-> attended -ask-> open (a new request)
 * Asking twice while one is open, withdrawing or attending one that is not open are illegal.
 */
export function nextHelpRequest(
  current: HelpRequest | undefined,
  trigger: HelpTrigger,
): Result<HelpRequest | undefined, IllegalTransition> {
  const illegal = (): Result<HelpRequest | undefined, IllegalTransition> =>
    err({
      kind: 'illegal-transition',
      machine: 'help-request',
      from: helpRequestState(current),
      trigger: trigger.type,
    });
  switch (current?.kind) {
    case undefined:
    case 'attended':
      if (trigger.type === 'ask')
        return ok({ kind: 'open', note: trigger.note, requestedAtMs: trigger.atMs });
      return illegal();
    case 'open':
      if (trigger.type === 'withdraw') return ok(undefined);
      if (trigger.type === 'attend')
        return ok({
          kind: 'attended',
          note: current.note,
          requestedAtMs: current.requestedAtMs,
          supervisorId: trigger.supervisorId,
          attendedAtMs: trigger.atMs,
        });
      return illegal();
  }
}
