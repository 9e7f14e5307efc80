import { describe, expect, it } from 'vitest';
import type { ContactOutcome, ContactStage, ContactTrigger } from './contact-stage.ts';
import { contactStages, nextContactStage } from './contact-stage.ts';

const outcomes: ContactOutcome[] = ['answered', 'abandoned', 'overflowed', 'called-back'];
const triggers: ContactTrigger[] = [
  { type: 'offer' },
  { type: 'offers-lapsed' },
  { type: 'accept' },
  { type: 'reserve' },
  { type: 'callback-connected' },
  { type: 'callback-requested' },
  { type: 'move' },
  ...outcomes.map((outcome) => ({ type: 'finish', outcome }) as const),
];
const label = (t: ContactTrigger): string => (t.type === 'finish' ? `finish(${t.outcome})` : t.type);

/** Every legal transition; any pair not listed must be refused. */
const legal: Record<ContactStage, Record<string, ContactStage>> = {
  queued: {
    offer: 'offered',
    'callback-requested': 'callback-queued',
    move: 'queued',
    'finish(abandoned)': 'ended',
    'finish(overflowed)': 'ended',
  },
  offered: { accept: 'connected', 'offers-lapsed': 'queued', 'finish(abandoned)': 'ended' },
  connected: { move: 'queued', 'finish(answered)': 'ended', 'finish(called-back)': 'ended' },
  'callback-queued': {
    reserve: 'callback-reserved',
    move: 'callback-queued',
    'finish(abandoned)': 'ended',
    'finish(overflowed)': 'ended',
  },
  'callback-reserved': { 'callback-connected': 'connected', 'finish(called-back)': 'ended' },
  ended: {},
};

describe('nextContactStage', () => {
  const pairs = contactStages.flatMap((from) =>
    triggers.map((trigger) => [from, label(trigger), trigger] as const),
  );

  it.each(pairs)('%s on %s', (from, name, trigger) => {
    const expected = legal[from][name];
    const result = nextContactStage(from, trigger);
    if (expected === undefined) {
      expect(result).toEqual({
        ok: false,
        error: { kind: 'illegal-transition', machine: 'contact-stage', from, trigger: trigger.type },
      });
    } else {
      expect(result).toEqual({ ok: true, value: expected });
    }
  });
});
