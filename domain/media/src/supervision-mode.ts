import type { Result } from '@centralita/kernel';
import { ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import type { Mixer } from './mixer.ts';

/** How a supervisor joins an agent's call. */
export type SupervisionMode = 'listen' | 'whisper' | 'barge' | 'takeover';

/** The three parties of a supervised call. */
export type SupervisionRole = 'customer' | 'agent' | 'supervisor';

/** The mixer ids of the three parties. */
export type SupervisionParties = Readonly<Record<SupervisionRole, string>>;

/** Who hears whom: HEARING[mode][listener][speaker]. The diagonal (hearing oneself) is always false. */
export type SupervisionMatrix = Readonly<Record<SupervisionRole, Readonly<Record<SupervisionRole, boolean>>>>;

const ROLES: readonly SupervisionRole[] = ['customer', 'agent', 'supervisor'];

/**
 * The hear/speak matrix of each mode, as data (docs/media.md prints it):
 * - listen: the supervisor hears both and nobody hears the supervisor;
 * - whisper: the agent also hears the supervisor, the customer does not;
 * - barge: everyone hears everyone;
 * - takeover: the agent is out; customer and supervisor talk.
 */
export function supervisionMatrix(mode: SupervisionMode): SupervisionMatrix {
  switch (mode) {
    case 'listen':
      return {
        customer: { customer: false, agent: true, supervisor: false },
        agent: { customer: true, agent: false, supervisor: false },
        supervisor: { customer: true, agent: true, supervisor: false },
      };
    case 'whisper':
      return {
        customer: { customer: false, agent: true, supervisor: false },
        agent: { customer: true, agent: false, supervisor: true },
        supervisor: { customer: true, agent: true, supervisor: false },
      };
    case 'barge':
      return {
        customer: { customer: false, agent: true, supervisor: true },
        agent: { customer: true, agent: false, supervisor: true },
        supervisor: { customer: true, agent: true, supervisor: false },
      };
    case 'takeover':
      return {
        customer: { customer: false, agent: false, supervisor: true },
        agent: { customer: false, agent: false, supervisor: false },
        supervisor: { customer: true, agent: false, supervisor: false },
      };
  }
}

/**
 * Sets the mixer's pair matrix for the three parties to a mode; switching modes mid-call is one
 * call. In takeover the agent is also removed from the mixer (the call layer drops its leg). The
 * parties must already be in the mixer (the agent need not be, for takeover).
 */
export function applySupervisionMode(
  mixer: Mixer,
  parties: SupervisionParties,
  mode: SupervisionMode,
): Result<void, MediaError> {
  const matrix = supervisionMatrix(mode);
  for (const listener of ROLES) {
    if (mode === 'takeover' && listener === 'agent') continue;
    for (const speaker of ROLES) {
      if (listener === speaker || (mode === 'takeover' && speaker === 'agent')) continue;
      const set = mixer.setPairHearing(parties[listener], parties[speaker], matrix[listener][speaker]);
      if (!set.ok) return set;
    }
  }
  if (mode === 'takeover' && mixer.has(parties.agent)) return mixer.remove(parties.agent);
  return ok(undefined);
}
