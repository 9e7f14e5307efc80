import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '@centralita/acd';
import type { RoutingConfig } from '@centralita/acd';
import { timeZoneCalendar } from '@centralita/reporting';
import type { TimeZoneCalendar } from '@centralita/reporting';
import { simulateDemoHistory } from './demo-history.ts';
import type { DemoHistory } from './demo-history.ts';

function routing(): RoutingConfig {
  const agents = Array.from({ length: 9 }, (_, i) => ({
    id: `agent-${i}`,
    skills: { ventas: i % 3 === 0 ? 8 : 3, soporte: i % 3 === 1 ? 9 : 4, facturacion: 5 },
  }));
  const queue = (id: string, skill: string, thresholdMs: number) => ({
    id,
    requiredSkills: [{ skill, minLevel: 1 }],
    serviceLevel: { thresholdMs, target: 0.8 },
  });
  const parsed = parseRoutingConfig({
    breakReasons: ['lunch', 'coffee'],
    queues: [
      queue('ventas', 'ventas', 15_000),
      queue('soporte', 'soporte', 20_000),
      queue('facturacion', 'facturacion', 20_000),
    ],
    agents,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

function madrid(): TimeZoneCalendar {
  const calendar = timeZoneCalendar('Europe/Madrid');
  if (!calendar.ok) throw new Error(calendar.error.message);
  return calendar.value;
}

/** Sunday 6 December 2026, 23:00 in Madrid. */
const nowMs = Date.UTC(2026, 11, 6, 22, 0);

function history(days: number, seed = 20_261_123): DemoHistory {
  return simulateDemoHistory({ routing: routing(), calendar: madrid(), nowMs, days, seed });
}

/** The wall-clock reading in Madrid: date, weekday (0 = Sunday) and minutes since midnight. */
function local(atMs: number): { date: string; weekday: number; minutes: number } {
  const { date, time } = madrid().label(atMs);
  const [hours, minutes] = time.split(':').map(Number);
  return {
    date,
    weekday: new Date(`${date}T12:00:00Z`).getUTCDay(),
    minutes: (hours ?? 0) * 60 + (minutes ?? 0),
  };
}

describe('simulateDemoHistory', () => {
  const twoWeeks = history(14);

  it('covers the business days before today, Monday to Friday, with calls only in opening hours', () => {
    // 23 November to 4 December 2026: two working weeks (today, Sunday the 6th, and the weekends left out).
    expect(twoWeeks.days).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ]);
    for (const contact of twoWeeks.contacts) {
      const start = local(contact.startedAtMs);
      expect(start.weekday).toBeGreaterThanOrEqual(1);
      expect(start.weekday).toBeLessThanOrEqual(5);
      expect(start.minutes).toBeGreaterThanOrEqual(9 * 60);
      expect(start.minutes).toBeLessThan(19 * 60);
    }
    const perDay = twoWeeks.contacts.length / twoWeeks.days.length;
    expect(perDay).toBeGreaterThan(180);
    expect(perDay).toBeLessThan(350);
  });

  it('keeps every agent to one call at a time, answered while signed in, and signs everyone out', () => {
    const signedIn = new Map<string, { fromMs: number; toMs: number }[]>();
    const open = new Map<string, number>();
    for (const { fact } of twoWeeks.facts) {
      if (fact.type !== 'AgentPresenceChanged') continue;
      if (fact.from.kind === 'offline') open.set(fact.agentId, fact.atMs);
      if (fact.to.kind === 'offline') {
        const fromMs = open.get(fact.agentId);
        expect(fromMs, `${fact.agentId} signs out after signing in`).toBeDefined();
        signedIn.set(fact.agentId, [
          ...(signedIn.get(fact.agentId) ?? []),
          { fromMs: fromMs ?? 0, toMs: fact.atMs },
        ]);
        open.delete(fact.agentId);
      }
    }
    // Nobody stays signed in overnight: every sign-in of the two weeks has its sign-out.
    expect([...open.keys()]).toEqual([]);
    const byAgent = new Map<string, { startMs: number; endMs: number }[]>();
    for (const contact of twoWeeks.contacts) {
      if (contact.answered === null) continue;
      const { agentId, atMs, wrapUpEndedAtMs } = contact.answered;
      expect(wrapUpEndedAtMs).toBeGreaterThanOrEqual(contact.answered.endedAtMs);
      expect(contact.answered.endedAtMs).toBeGreaterThan(atMs);
      const sessions = signedIn.get(agentId) ?? [];
      // Answered while signed in (an agent whose shift ends during a call signs out and finishes it, which
      // reports count as logged-in time until it ends).
      expect(sessions.some((s) => s.fromMs <= atMs && atMs < s.toMs)).toBe(true);
      byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), { startMs: atMs, endMs: wrapUpEndedAtMs }]);
    }
    for (const [agentId, calls] of byAgent) {
      const sorted = calls.sort((a, b) => a.startMs - b.startMs);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]!.startMs, agentId).toBeGreaterThanOrEqual(sorted[i - 1]!.endMs);
    }
  });

  it('gives a working center’s figures: most calls answered quickly, some abandoned, agents busy part of the time', () => {
    const answered = twoWeeks.contacts.filter((contact) => contact.answered !== null);
    const abandonment = 1 - answered.length / twoWeeks.contacts.length;
    expect(abandonment).toBeGreaterThan(0.01);
    expect(abandonment).toBeLessThan(0.15);
    const withinTwentySeconds = answered.filter(
      (contact) => (contact.answered?.atMs ?? 0) - contact.startedAtMs <= 20_000,
    );
    expect(withinTwentySeconds.length / answered.length).toBeGreaterThan(0.6);
    const busyMs = answered.reduce(
      (sum, contact) => sum + (contact.answered?.wrapUpEndedAtMs ?? 0) - (contact.answered?.atMs ?? 0),
      0,
    );
    let signedInMs = 0;
    const since = new Map<string, number>();
    for (const { fact } of twoWeeks.facts) {
      if (fact.type !== 'AgentPresenceChanged') continue;
      if (fact.from.kind === 'offline') since.set(fact.agentId, fact.atMs);
      if (fact.to.kind === 'offline') signedInMs += fact.atMs - (since.get(fact.agentId) ?? fact.atMs);
    }
    expect(busyMs / signedInMs).toBeGreaterThan(0.25);
    expect(busyMs / signedInMs).toBeLessThan(0.85);
  });

  it('keys facts to contacts and states times in whole milliseconds, in order within each day', () => {
    const keys = new Set(twoWeeks.contacts.map((contact) => contact.key));
    expect(keys.size).toBe(twoWeeks.contacts.length);
    for (const { fact, contactKey } of twoWeeks.facts) {
      expect(Number.isInteger(fact.atMs)).toBe(true);
      if ('waitMs' in fact) expect(Number.isInteger(fact.waitMs)).toBe(true);
      if (contactKey !== undefined) expect(keys.has(contactKey)).toBe(true);
    }
  });

  it('is the same history for the same seed, and another for another seed', () => {
    expect(history(7)).toEqual(history(7));
    expect(history(7, 1).contacts.length).not.toBe(history(7).contacts.length);
  });
});
