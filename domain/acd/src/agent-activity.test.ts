import { describe, expect, it } from 'vitest';
import type { ActivityTrigger, AgentActivity } from './agent-activity.ts';
import { agentActivities, nextAgentActivity } from './agent-activity.ts';

const triggers: ActivityTrigger[] = [
  { type: 'reserve' },
  { type: 'offer' },
  { type: 'accept' },
  { type: 'decline' },
  { type: 'offer-timeout' },
  { type: 'withdraw' },
  { type: 'callback-connected' },
  { type: 'contact-ended', isWrapUpRequired: true },
  { type: 'contact-ended', isWrapUpRequired: false },
  { type: 'wrap-up-ended' },
];

function label(trigger: ActivityTrigger): string {
  return trigger.type === 'contact-ended'
    ? `contact-ended(wrap-up: ${trigger.isWrapUpRequired})`
    : trigger.type;
}

/** Every legal transition; any pair not listed must be refused. */
const legal: Record<AgentActivity, Record<string, AgentActivity>> = {
  idle: { reserve: 'reserved', offer: 'ringing' },
  reserved: { 'callback-connected': 'on-contact', withdraw: 'idle' },
  ringing: { accept: 'on-contact', decline: 'idle', 'offer-timeout': 'idle', withdraw: 'idle' },
  'on-contact': { 'contact-ended(wrap-up: true)': 'wrap-up', 'contact-ended(wrap-up: false)': 'idle' },
  'wrap-up': { 'wrap-up-ended': 'idle' },
};

describe('nextAgentActivity', () => {
  const pairs = agentActivities.flatMap((from) => triggers.map((trigger) => ({ from, trigger })));

  it('covers every activity × trigger pair', () => {
    expect(pairs).toHaveLength(agentActivities.length * triggers.length);
  });

  it.each(pairs.map((p) => [p.from, label(p.trigger), p] as const))(
    '%s on %s',
    (_from, name, { from, trigger }) => {
      const expected = legal[from][name];
      const result = nextAgentActivity(from, trigger);
      if (expected === undefined) {
        expect(result).toEqual({
          ok: false,
          error: { kind: 'illegal-transition', machine: 'agent-activity', from, trigger: trigger.type },
        });
      } else {
        expect(result).toEqual({ ok: true, value: expected });
      }
    },
  );
});
