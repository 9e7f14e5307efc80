import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { IllegalTransition } from './illegal-transition.ts';

/**
 * Presence is what the agent chose (glossary: presence vs activity): logged off, ready for work, or on a
 * break with a tenant-defined reason such as lunch, training, meeting or coaching.
 */
export type Presence =
  | { readonly kind: 'offline' }
  | { readonly kind: 'available' }
  | { readonly kind: 'break'; readonly reason: string };

/** The break reason the engine sets itself after too many unanswered offers. */
export const missedOfferBreakReason = 'missed-offer';

/** The break reason the engine sets itself when a call offered to the agent found no phone of theirs to ring. */
export const noPhoneBreakReason = 'no-phone';

/** The break reasons the engine sets itself: valid whether or not the tenant's list of reasons has them. */
export const systemBreakReasons: readonly string[] = [missedOfferBreakReason, noPhoneBreakReason];

/**
 * What can move presence: the agent's (or a supervisor's) choice, the missed-offer rule, or the no-phone rule
 * (a call was offered and the agent had no registered phone).
 */
export type PresenceTrigger =
  | { readonly type: 'select'; readonly presence: Presence }
  | { readonly type: 'missed-offers' }
  | { readonly type: 'no-phone' };

function describe(presence: Presence): string {
  return presence.kind === 'break' ? `break:${presence.reason}` : presence.kind;
}

/** True when both presences are the same (kind, and reason for breaks). */
export function isSamePresence(a: Presence, b: Presence): boolean {
  return describe(a) === describe(b);
}

/**
 * The presence state machine. Any presence may move to any different one by choice (including a change
 * of break reason); choosing the presence one already has is illegal, so that no empty change is ever
 * recorded. The missed-offer rule only takes an available agent to `break: missed-offer`, and the no-phone
 * rule only to `break: no-phone`.
 */
export function nextAgentPresence(
  presence: Presence,
  trigger: PresenceTrigger,
): Result<Presence, IllegalTransition> {
  const illegal = (): Result<Presence, IllegalTransition> =>
    err({
      kind: 'illegal-transition',
      machine: 'agent-presence',
      from: describe(presence),
      trigger: trigger.type,
    });
  switch (trigger.type) {
    case 'select':
      return isSamePresence(presence, trigger.presence) ? illegal() : ok(trigger.presence);
    case 'missed-offers':
      return presence.kind === 'available'
        ? ok({ kind: 'break', reason: missedOfferBreakReason })
        : illegal();
    case 'no-phone':
      return presence.kind === 'available' ? ok({ kind: 'break', reason: noPhoneBreakReason }) : illegal();
  }
}
