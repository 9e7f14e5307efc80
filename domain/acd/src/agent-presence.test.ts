import { describe, expect, it } from 'vitest';
import type { Presence, PresenceTrigger } from './agent-presence.ts';
import { missedOfferBreakReason, nextAgentPresence, noPhoneBreakReason } from './agent-presence.ts';

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

  it.each(
    presences.flatMap((p) =>
      [
        ['missed-offers', missedOfferBreakReason],
        ['no-phone', noPhoneBreakReason],
      ].map(([type, reason]) => [type, name(p), p, reason] as const),
    ),
  )('%s from %s', (type, fromName, from, reason) => {
    const trigger = { type } as PresenceTrigger;
    const result = nextAgentPresence(from, trigger);
    if (fromName === 'available') {
      expect(result).toEqual({ ok: true, value: { kind: 'break', reason } });
    } else {
      expect(result).toEqual({
        ok: false,
        error: {
          kind: 'illegal-transition',
          machine: 'agent-presence',
          from: fromName,
          trigger: type,
        },
      });
    }
  });
});
