import { describe, expect, it } from 'vitest';
import type { Presence, PresenceTrigger } from './agent-presence.ts';
import { missedOfferBreakReason, nextAgentPresence } from './agent-presence.ts';

const presences: Presence[] = [
  { kind: 'offline' },
  { kind: 'available' },
  { kind: 'break', reason: 'lunch' },
  { kind: 'break', reason: 'training' },
];
const name = (p: Presence): string => (p.kind === 'break' ? `break:${p.reason}` : p.kind);

describe('nextAgentPresence', () => {
  const choices = presences.flatMap((from) =>
    presences.map((to) => [name(from), name(to), from, to] as const),
  );

  it.each(choices)('%s -> %s by choice', (fromName, toName, from, to) => {
    const result = nextAgentPresence(from, { type: 'select', presence: to });
    if (fromName === toName) {
      // Choosing the presence one already has records nothing: refused.
      expect(result.ok).toBe(false);
    } else {
      expect(result).toEqual({ ok: true, value: to });
    }
  });

  it.each(presences.map((p) => [name(p), p] as const))('missed offers from %s', (fromName, from) => {
    const trigger: PresenceTrigger = { type: 'missed-offers' };
    const result = nextAgentPresence(from, trigger);
    if (fromName === 'available') {
      expect(result).toEqual({ ok: true, value: { kind: 'break', reason: missedOfferBreakReason } });
    } else {
      expect(result).toEqual({
        ok: false,
        error: {
          kind: 'illegal-transition',
          machine: 'agent-presence',
          from: fromName,
          trigger: 'missed-offers',
        },
      });
    }
  });
});
