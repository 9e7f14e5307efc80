import { ok, err } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import type { IllegalTransition } from './illegal-transition.ts';

/** Every activity, in the order a contact takes an agent through them. */
export const agentActivities = ['idle', 'reserved', 'ringing', 'on-contact', 'wrap-up'] as const;

/**
 * Activity is what the system has the agent doing for one contact (glossary: presence vs activity).
 * An agent with capacity for three chats has one activity per chat; `idle` is a free slot.
 */
export type AgentActivity = (typeof agentActivities)[number];

/** What moves an activity. */
export type ActivityTrigger =
  | { readonly type: 'reserve' }
  | { readonly type: 'offer' }
  | { readonly type: 'accept' }
  | { readonly type: 'decline' }
  | { readonly type: 'offer-timeout' }
  | { readonly type: 'withdraw' }
  | { readonly type: 'callback-connected' }
  | { readonly type: 'contact-ended'; readonly isWrapUpRequired: boolean }
  | { readonly type: 'wrap-up-ended' };

/** Every trigger name, for transition tables. */
export const activityTriggerTypes: readonly ActivityTrigger['type'][] = [
  'reserve',
  'offer',
  'accept',
  'decline',
  'offer-timeout',
  'withdraw',
  'callback-connected',
  'contact-ended',
  'wrap-up-ended',
];

/**
 * The activity state machine, one slot of an agent's capacity:
 *   idle -offer-> ringing -accept-> on-contact -contact-ended-> wrap-up -wrap-up-ended-> idle
 *   ringing -decline | offer-timeout | withdraw-> idle
 *   idle -reserve-> reserved -callback-connected-> on-contact;  reserved -withdraw-> idle
 *   on-contact -contact-ended (no wrap-up configured)-> idle
 * Every other pair is illegal.
 */
export function nextAgentActivity(
  activity: AgentActivity,
  trigger: ActivityTrigger,
): Result<AgentActivity, IllegalTransition> {
  const illegal = (): Result<AgentActivity, IllegalTransition> =>
    err({ kind: 'illegal-transition', machine: 'agent-activity', from: activity, trigger: trigger.type });
  switch (activity) {
    case 'idle':
      if (trigger.type === 'offer') return ok('ringing');
      if (trigger.type === 'reserve') return ok('reserved');
      return illegal();
    case 'reserved':
      if (trigger.type === 'callback-connected') return ok('on-contact');
      if (trigger.type === 'withdraw') return ok('idle');
      return illegal();
    case 'ringing':
      if (trigger.type === 'accept') return ok('on-contact');
      if (trigger.type === 'decline' || trigger.type === 'offer-timeout' || trigger.type === 'withdraw') {
        return ok('idle');
      }
      return illegal();
    case 'on-contact':
      if (trigger.type === 'contact-ended') return ok(trigger.isWrapUpRequired ? 'wrap-up' : 'idle');
      return illegal();
    case 'wrap-up':
      if (trigger.type === 'wrap-up-ended') return ok('idle');
      return illegal();
  }
}
