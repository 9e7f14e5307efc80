import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { Tx } from '@centralita/store';
import { planDemoAgentTime, recordDemoAgentTime, recordDemoContactEvents } from './demo-report-history.ts';
import type { DemoAgentTimeOptions, DemoContact } from './demo-report-history.ts';

interface RecordedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly occurredAt: Date;
}

/** A transaction that only keeps the events recorded in it. */
function recordingTx(): { tx: Tx; events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  const tx = {
    tenantId: 'demo',
    query: () => Promise.reject(new Error('no database in this test')),
    recordEvent: (type: string, data: unknown, occurredAt?: Date) => {
      events.push({ type, data: data as Record<string, unknown>, occurredAt: occurredAt ?? new Date(0) });
    },
  } as unknown as Tx;
  return { tx, events };
}

const now = new Date('2026-12-06T03:00:00Z');
const dayMs = 86_400_000;
const agents: DemoAgentTimeOptions['agents'] = ['ana', 'blas', 'carla', 'dario'].map((agentId, index) => ({
  agentId,
  queues: [{ queueId: index < 2 ? 'ventas' : 'soporte', dispositions: ['venta_cerrada', 'resuelto'] }],
}));
const options: DemoAgentTimeOptions = {
  now,
  days: 28,
  seed: 7,
  agents,
  breakReasons: ['lunch', 'coffee', 'training', 'meeting', 'coaching'],
};

/** Contacts as the demo seed makes them: any agent, any moment of 08:00–18:00 UTC on a weekday. */
function seedLikeContacts(count: number): DemoContact[] {
  const random = new SeededRandom(42);
  const contacts: DemoContact[] = [];
  for (let index = 0; index < count; index++) {
    let dayStartMs = Math.floor(now.getTime() / dayMs) * dayMs - (1 + Math.floor(random.next() * 27)) * dayMs;
    while ([0, 6].includes(new Date(dayStartMs).getUTCDay())) dayStartMs -= dayMs;
    const startedMs = dayStartMs + 8 * 3_600_000 + Math.floor(random.next() * 10 * 3_600_000);
    const answeredMs = startedMs + (5 + Math.floor(random.next() * 60)) * 1000;
    const endedMs = answeredMs + (60 + Math.floor(random.next() * 540)) * 1000;
    contacts.push({
      interactionId: `given-${index}`,
      customerId: `customer-${index % 10}`,
      queueId: 'ventas',
      agentId: agents[Math.floor(random.next() * agents.length)]?.agentId ?? null,
      channel: 'voice',
      direction: 'inbound',
      startedAt: new Date(startedMs),
      answeredAt: new Date(answeredMs),
      endedAt: new Date(endedMs),
      wrapUpEndedAt: new Date(endedMs + 30_000),
      disposition: 'resuelto',
    });
  }
  return contacts;
}

interface PresenceSpan {
  readonly startMs: number;
  readonly endMs: number;
  readonly kind: string;
}

/** Each agent's presence over time, from their `AgentPresenceChanged` events. */
function presenceSpans(events: readonly RecordedEvent[]): Map<string, PresenceSpan[]> {
  const byAgent = new Map<string, RecordedEvent[]>();
  for (const event of events.filter((e) => e.type === 'AgentPresenceChanged')) {
    const agentId = String(event.data.agentId);
    byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), event]);
  }
  const spans = new Map<string, PresenceSpan[]>();
  for (const [agentId, changes] of byAgent) {
    changes.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const list: PresenceSpan[] = [];
    let previous = 'offline';
    for (const [index, change] of changes.entries()) {
      const from = (change.data.from as { kind: string }).kind;
      const to = (change.data.to as { kind: string }).kind;
      // Each change starts from where the previous one left the agent.
      expect(from, `${agentId} at ${change.occurredAt.toISOString()}`).toBe(previous);
      const endMs = changes[index + 1]?.occurredAt.getTime() ?? Infinity;
      list.push({ startMs: change.occurredAt.getTime(), endMs, kind: to });
      previous = to;
    }
    expect(previous, `${agentId} logs out at the end`).toBe('offline');
    spans.set(agentId, list);
  }
  return spans;
}

function presenceAt(spans: readonly PresenceSpan[] | undefined, atMs: number): string {
  return spans?.find((span) => span.startMs <= atMs && atMs < span.endMs)?.kind ?? 'offline';
}

describe('the demo agents’ time', () => {
  const given = seedLikeContacts(120);
  const plan = planDemoAgentTime(given, options);
  const { tx, events } = recordingTx();
  for (const contact of given) recordDemoContactEvents(tx, contact);
  recordDemoAgentTime(tx, plan);

  it('has every agent available whenever an offer rings, is answered or is worked on', () => {
    const spans = presenceSpans(events);
    const work = events.filter(
      (e) => e.type === 'ContactAnswered' || (e.type === 'AgentActivityChanged' && e.data.to !== 'idle'),
    );
    expect(work.length).toBeGreaterThan(1000);
    for (const event of work) {
      const agentId = String(event.data.agentId);
      const atMs = event.occurredAt.getTime();
      expect(
        presenceAt(spans.get(agentId), atMs),
        `${event.type} of ${agentId} at ${event.occurredAt.toISOString()}`,
      ).toBe('available');
    }
    // Wrap-up ends before the agent goes on a break or logs out.
    for (const event of events.filter((e) => e.type === 'AgentActivityChanged' && e.data.to === 'idle')) {
      const atMs = event.occurredAt.getTime();
      expect(presenceAt(spans.get(String(event.data.agentId)), atMs - 1)).toBe('available');
    }
  });

  it('works weekday shifts of about eight hours with one or two breaks of the tenant’s reasons', () => {
    expect(plan.shifts.length).toBeGreaterThan(60);
    for (const shift of plan.shifts) {
      const at = new Date(shift.startMs);
      expect([0, 6]).not.toContain(at.getUTCDay());
      expect(shift.endMs).toBeLessThan(Math.floor(now.getTime() / dayMs) * dayMs);
      expect(shift.endMs - shift.startMs).toBeGreaterThanOrEqual(8 * 3_600_000);
      expect(shift.endMs - shift.startMs).toBeLessThan(11 * 3_600_000);
      expect(shift.breaks.length).toBeGreaterThanOrEqual(1);
      expect(shift.breaks.length).toBeLessThanOrEqual(2);
      for (const pause of shift.breaks) {
        expect(options.breakReasons).toContain(pause.reason);
        expect(pause.startMs).toBeGreaterThan(shift.startMs);
        expect(pause.endMs).toBeLessThan(shift.endMs);
      }
    }
    // Early and late shifts: some agents log in before 09:00 Madrid, others towards noon.
    const startHours = new Set(plan.shifts.map((shift) => new Date(shift.startMs).getUTCHours()));
    expect(startHours).toContain(7);
    expect(startHours).toContain(10);
  });

  it('keeps agents busy 60–90 % of their available time, with breaks counting against utilization', () => {
    let busyMs = 0;
    let availableMs = 0;
    let loggedInMs = 0;
    for (const shift of plan.shifts) {
      const breakMs = shift.breaks.reduce((sum, pause) => sum + pause.endMs - pause.startMs, 0);
      loggedInMs += shift.endMs - shift.startMs;
      availableMs += shift.endMs - shift.startMs - breakMs;
    }
    for (const contact of [...given, ...plan.contacts]) {
      if (contact.agentId === null || contact.answeredAt === null || contact.wrapUpEndedAt === null) continue;
      busyMs += contact.wrapUpEndedAt.getTime() - contact.answeredAt.getTime();
    }
    const occupancy = busyMs / availableMs;
    const utilization = busyMs / loggedInMs;
    expect(occupancy).toBeGreaterThan(0.6);
    expect(occupancy).toBeLessThan(0.9);
    expect(utilization).toBeLessThan(occupancy);
    expect(utilization).toBeGreaterThan(0.5);
  });

  it('gives the further contacts the agents’ own queues and dispositions, and the same plan for the same seed', () => {
    for (const contact of plan.contacts) {
      if (contact.agentId === null) continue;
      const agent = agents.find((a) => a.agentId === contact.agentId);
      expect(agent?.queues.map((queue) => queue.queueId)).toContain(contact.queueId);
      expect(['venta_cerrada', 'resuelto']).toContain(contact.disposition);
    }
    expect(new Set(plan.contacts.map((contact) => contact.interactionId)).size).toBe(plan.contacts.length);
    expect(plan.contacts.some((contact) => contact.answeredAt === null)).toBe(true);
    expect(planDemoAgentTime(given, options)).toEqual(plan);
  });
});
