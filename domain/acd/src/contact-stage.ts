import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { IllegalTransition } from './illegal-transition.ts';

/** Every stage of a contact inside the ACD. */
export const contactStages = [
  'queued',
  'offered',
  'connected',
  'callback-queued',
  'callback-reserved',
  'ended',
] as const;

/**
 * Where a contact is in routing: waiting in a queue (with the caller on the line, or as a callback that
 * kept its place), offered to agents, reserved an agent for its callback, connected, or ended.
 */
export type ContactStage = (typeof contactStages)[number];

/** How a contact leaves the ACD. Every contact ends with exactly one. */
export type ContactOutcome = 'answered' | 'abandoned' | 'overflowed' | 'called-back';

/** What moves a contact. */
export type ContactTrigger =
  | { readonly type: 'offer' }
  | { readonly type: 'offers-lapsed' }
  | { readonly type: 'accept' }
  | { readonly type: 'reserve' }
  | { readonly type: 'callback-connected' }
  | { readonly type: 'callback-requested' }
  | { readonly type: 'move' }
  | { readonly type: 'finish'; readonly outcome: ContactOutcome };

/** Every trigger name, for transition tables. */
export const contactTriggerTypes: readonly ContactTrigger['type'][] = [
  'offer',
  'offers-lapsed',
  'accept',
  'reserve',
  'callback-connected',
  'callback-requested',
  'move',
  'finish',
];

/** The stages each outcome may be reached from. */
const finishableFrom: Readonly<Record<ContactOutcome, readonly ContactStage[]>> = {
  answered: ['connected'],
  abandoned: ['queued', 'offered', 'callback-queued'],
  overflowed: ['queued', 'callback-queued'],
  'called-back': ['connected', 'callback-reserved'],
};

/**
 * The contact state machine:
 *   queued -offer-> offered -accept-> connected -finish(answered | called-back)-> ended
 *   offered -offers-lapsed-> queued (declined, timed out, withdrawn: it keeps its place)
 *   queued -callback-requested-> callback-queued -reserve-> callback-reserved -callback-connected-> connected
 *   queued | callback-queued -move-> same stage in another queue; connected -move-> queued (transfer)
 *   queued | offered | callback-queued -finish(abandoned)-> ended; queued | callback-queued -finish(overflowed)-> ended
 *   callback-reserved -finish(called-back)-> ended (customer not reached)
 */
export function nextContactStage(
  stage: ContactStage,
  trigger: ContactTrigger,
): Result<ContactStage, IllegalTransition> {
  const illegal = (): Result<ContactStage, IllegalTransition> =>
    err({ kind: 'illegal-transition', machine: 'contact-stage', from: stage, trigger: trigger.type });
  switch (trigger.type) {
    case 'offer':
      return stage === 'queued' ? ok('offered') : illegal();
    case 'offers-lapsed':
      return stage === 'offered' ? ok('queued') : illegal();
    case 'accept':
      return stage === 'offered' ? ok('connected') : illegal();
    case 'reserve':
      return stage === 'callback-queued' ? ok('callback-reserved') : illegal();
    case 'callback-connected':
      return stage === 'callback-reserved' ? ok('connected') : illegal();
    case 'callback-requested':
      return stage === 'queued' ? ok('callback-queued') : illegal();
    case 'move':
      if (stage === 'queued' || stage === 'callback-queued') return ok(stage);
      return stage === 'connected' ? ok('queued') : illegal();
    case 'finish':
      return finishableFrom[trigger.outcome].includes(stage) ? ok('ended') : illegal();
  }
}
