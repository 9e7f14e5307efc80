import type { Presence, RoutingConfig, RoutingFact } from '@centralita/acd';
import type { AgentId, QueueId, Random } from '@centralita/kernel';
import { SeededRandom } from '@centralita/kernel';
import type { TimeZoneCalendar } from '@centralita/reporting';
import { runSimulation } from '@centralita/sim';
import type { AgentGroup, QueueTraffic, Scenario } from '@centralita/sim';

/** One past contact of the demo history, as the simulated routing engine handled it. */
export interface HistoryContact {
  /** The key of the contact's facts (`HistoryFact.contactKey`), unique over the whole history. */
  readonly key: string;
  readonly queueId: string;
  readonly startedAtMs: number;
  /** Null when the caller hung up before an agent answered. */
  readonly answered: {
    readonly agentId: string;
    readonly atMs: number;
    readonly endedAtMs: number;
    readonly wrapUpEndedAtMs: number;
  } | null;
  /** When an abandoned caller hung up, or when an answered call ended. */
  readonly endedAtMs: number;
}

/** A routing fact at its real time, with the key of the contact it concerns (facts about agents only have none). */
export interface HistoryFact {
  readonly fact: RoutingFact;
  readonly contactKey: string | undefined;
}

/** The demo's past days as the routing engine lived them. */
export interface DemoHistory {
  /** Oldest first. */
  readonly contacts: readonly HistoryContact[];
  /** In the order the engine stated them, day after day. */
  readonly facts: readonly HistoryFact[];
  /** The business days simulated (`YYYY-MM-DD` in the tenant's zone), oldest first. */
  readonly days: readonly string[];
}

export interface DemoHistoryInput {
  /** The tenant's live routing configuration: its queues, skills and agents. */
  readonly routing: RoutingConfig;
  readonly calendar: TimeZoneCalendar;
  readonly nowMs: number;
  /** Days before today to cover; weekends are closed. */
  readonly days: number;
  /**
   * Each queue's share of the calls and its average talk time (seconds). Queues left out share what is left
   * equally and talk four minutes on average.
   */
  readonly queueLoads?: ReadonlyMap<string, { readonly share: number; readonly meanTalkS: number }>;
  readonly seed: number;
  /** Called after each simulated day. */
  readonly onDay?: (done: number, total: number) => void;
}

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;
/** Opening hours, as the demo's IVR announces them: Monday to Friday, 09:00 to 19:00. */
const opensAtMs = 9 * hourMs;
const openMs = 10 * hourMs;
/**
 * The day's shifts (eight hours with a coffee break and half an hour for lunch, local time): three from
 * opening, one from ten and three late, who stay a quarter of an hour past closing to answer those still
 * waiting.
 */
const shiftPlan: readonly { readonly startMs: number; readonly endMs: number }[] = [
  { startMs: 9 * hourMs - 5 * minuteMs, endMs: 17 * hourMs },
  { startMs: 9 * hourMs - 5 * minuteMs, endMs: 17 * hourMs },
  { startMs: 9 * hourMs - 5 * minuteMs, endMs: 17 * hourMs },
  { startMs: 10 * hourMs, endMs: 18.25 * hourMs },
  { startMs: 11.25 * hourMs, endMs: 19.25 * hourMs },
  { startMs: 11.25 * hourMs, endMs: 19.25 * hourMs },
  { startMs: 11.25 * hourMs, endMs: 19.25 * hourMs },
];
/** Calls per hour offered to the whole center, per half hour from 09:00: a morning and an afternoon peak. */
const centerPerHour: readonly number[] = [
  14, 20, 25, 29, 32, 35, 35, 32, 28, 25, 28, 31, 32, 31, 28, 24, 20, 17, 13, 10,
];
/** Busier on Mondays, quieter on Fridays (index: day of the week, Monday = 1). */
const weekdayFactor: readonly number[] = [0, 1.2, 1.05, 1, 0.95, 0.85];

/** The day of the week of a `YYYY-MM-DD` date, 0 for Sunday to 6 for Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

/** Monday to Friday: the demo's contact center works those days. */
export function isBusinessWeekday(weekday: number): boolean {
  return weekday >= 1 && weekday <= 5;
}

/**
 * The demo's history: every business day of the last `days` run through the real routing engine (the
 * simulator of `tools/sim`) with the tenant's own queues and agents. Agents work eight-hour shifts in
 * rotation, sign in a few minutes early or late, take a coffee break and a lunch break and end their
 * after-call work by hand; callers arrive with a morning and an afternoon peak, talk for a lognormal time and hang up when
 * the wait runs past their patience. So waits, abandonment, service level, handle times and occupancy
 * all follow from staffing and load, as they would have live. Pure and deterministic for a seed: times
 * and randomness are inputs.
 */
export function simulateDemoHistory(input: DemoHistoryInput): DemoHistory {
  const { routing, calendar } = input;
  const random = new SeededRandom(input.seed);
  const agents = routing.agents.map((agent) => agent.id);
  const queues = routing.queues.map((queue) => queue.id);
  // Each agent's own habits: how fast they pick up, how long their after-call work takes.
  const habits = new Map(
    agents.map((id) => [
      id,
      { answerDelayMs: 2_000 + random.next() * 3_000, wrapUpMs: 20_000 + random.next() * 40_000 },
    ]),
  );
  const habitOf = (id: AgentId) => habits.get(id) ?? { answerDelayMs: 3_000, wrapUpMs: 30_000 };
  const given = input.queueLoads ?? new Map<string, { share: number; meanTalkS: number }>();
  const loads = new Map([...given].filter(([id]) => queues.includes(id as QueueId)));
  const unnamed = queues.length - loads.size;
  const givenShare = [...loads.values()].reduce((sum, load) => sum + load.share, 0);
  const fallbackLoad = { share: unnamed === 0 ? 0 : Math.max(0, 1 - givenShare) / unnamed, meanTalkS: 240 };
  const contacts: HistoryContact[] = [];
  const facts: HistoryFact[] = [];
  const days: string[] = [];
  const businessDays: { readonly midnightMs: number; readonly date: string; readonly weekday: number }[] = [];
  for (let back = input.days; back >= 1; back--) {
    const midnightMs = calendar.intervalStartOf(input.nowMs - back * dayMs, 'day');
    const { date } = calendar.label(midnightMs);
    const weekday = weekdayOf(date);
    if (isBusinessWeekday(weekday)) businessDays.push({ midnightMs, date, weekday });
  }
  for (const [dayIndex, day] of businessDays.entries()) {
    const onShift = dayShifts(routing, dayIndex, random);
    const onDuty = new Set(onShift.map((shift) => shift.agentId));
    const groups: AgentGroup[] = onShift.map((shift) => {
      const habit = habitOf(shift.agentId);
      return {
        name: shift.agentId,
        agentIds: [shift.agentId],
        shifts: [{ startMs: shift.startMs, endMs: shift.endMs }],
        // A coffee break two hours into the shift and half an hour for lunch at one o'clock or later, taken
        // in turn by those who started together.
        breaks: [
          {
            atMs: shift.startMs + 2 * hourMs + shift.turn * 20 * minuteMs,
            durationMs: 15 * minuteMs,
            reason: 'coffee',
          },
          {
            atMs: Math.max(13 * hourMs, shift.startMs + 4 * hourMs) + shift.turn * 30 * minuteMs,
            durationMs: 30 * minuteMs,
            reason: 'lunch',
          },
        ],
        answerDelayMs: habit.answerDelayMs,
        missProbability: 0.01,
        manualWrapUpMs: habit.wrapUpMs,
      };
    });
    const factor = (weekdayFactor[day.weekday] ?? 1) * (0.9 + random.next() * 0.2);
    const scenario: Scenario = {
      name: `demo history ${day.date}`,
      seed: (input.seed + dayIndex * 7_919) >>> 0,
      opensAtMs,
      durationMs: openMs,
      warmUpMs: 0,
      routing: {
        ...routing,
        // Agents end their after-call work by hand, as they do on the agent desk after choosing a disposition.
        queues: routing.queues.map((queue) => ({ ...queue, wrapUpMs: null })),
        agents: routing.agents.filter((agent) => onDuty.has(agent.id)),
      },
      agentGroups: groups,
      traffic: queues.map((queueId) => queueTraffic(queueId, loads.get(queueId) ?? fallbackLoad, factor)),
    };
    const dayFacts: RoutingFact[] = [];
    const result = runSimulation(scenario, { onFact: (fact) => dayFacts.push(fact) });
    if (!result.ok) throw new Error(`the demo history could not be simulated: ${result.error.join('; ')}`);
    signOutAtShiftEnd(dayFacts, onShift);
    collectDay(dayFacts, day.midnightMs, `${day.date}/`, contacts, facts);
    days.push(day.date);
    input.onDay?.(dayIndex + 1, businessDays.length);
  }
  return { contacts, facts, days };
}

interface Shift {
  readonly agentId: AgentId;
  /** How many agents started the same shift before this one (their coffee breaks come in turn). */
  readonly turn: number;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Who works when on one business day. The day's shifts go to agents in rotation (with nine agents, each works
 * about four days a week), as a supervisor would plan them: each shift goes to the next agent in turn who
 * serves a queue that no one else on that shift serves yet, so every shift can answer every queue when the
 * team's skills allow. Agents sign in up to ten minutes late and out up to five minutes early.
 */
function dayShifts(routing: RoutingConfig, dayIndex: number, random: Random): Shift[] {
  const agents = routing.agents;
  if (agents.length === 0) return [];
  const serves = new Map(
    agents.map((agent) => [
      agent.id,
      routing.queues
        .filter((queue) =>
          queue.requiredSkills.every((need) => (agent.skills[need.skill] ?? 0) >= need.minLevel),
        )
        .map((queue) => queue.id),
    ]),
  );
  const shifts: Shift[] = [];
  const taken = new Set<AgentId>();
  const coveredBy = new Map<number, Set<string>>();
  let next = (dayIndex * shiftPlan.length) % agents.length;
  for (const [planIndex, plan] of shiftPlan.entries()) {
    const covered = coveredBy.get(plan.startMs) ?? new Set<string>();
    coveredBy.set(plan.startMs, covered);
    let chosen: AgentId | undefined;
    let fallback: AgentId | undefined;
    for (let step = 0; step < agents.length && chosen === undefined; step++) {
      const candidate = agents[(next + step) % agents.length]?.id;
      if (candidate === undefined || taken.has(candidate)) continue;
      fallback ??= candidate;
      if ((serves.get(candidate) ?? []).some((queueId) => !covered.has(queueId))) chosen = candidate;
    }
    const agentId = chosen ?? fallback;
    if (agentId === undefined) break;
    taken.add(agentId);
    for (const queueId of serves.get(agentId) ?? []) covered.add(queueId);
    next = (agents.findIndex((agent) => agent.id === agentId) + 1) % agents.length;
    shifts.push({
      agentId,
      turn: shiftPlan.slice(0, planIndex).filter((other) => other.startMs === plan.startMs).length,
      startMs: plan.startMs + Math.floor(random.next() * 10) * minuteMs,
      endMs: plan.endMs - Math.floor(random.next() * 5) * minuteMs,
    });
  }
  return shifts;
}

/**
 * The simulator stops once the last caller is served, which can be before the late shift's end: agents
 * still signed in then sign out at their shift's end (or when their last work ends, if later), as they
 * would have, instead of staying available overnight.
 */
function signOutAtShiftEnd(dayFacts: RoutingFact[], shifts: readonly Shift[]): void {
  const last = new Map<string, { presence: Presence; atMs: number }>();
  for (const fact of dayFacts) {
    if (fact.type === 'AgentPresenceChanged') last.set(fact.agentId, { presence: fact.to, atMs: fact.atMs });
    else if (fact.type === 'AgentActivityChanged') {
      const seen = last.get(fact.agentId);
      if (seen !== undefined) seen.atMs = fact.atMs;
    }
  }
  for (const shift of shifts) {
    const seen = last.get(shift.agentId);
    if (seen === undefined || seen.presence.kind === 'offline') continue;
    dayFacts.push({
      type: 'AgentPresenceChanged',
      agentId: shift.agentId,
      from: seen.presence,
      to: { kind: 'offline' },
      cause: { by: 'agent', reason: 'selected' },
      atMs: Math.max(shift.endMs, seen.atMs),
    });
  }
}

/** The calls offered to one queue: its share of the center's calls, its talk times and its callers' patience. */
function queueTraffic(
  queueId: QueueId,
  load: { readonly share: number; readonly meanTalkS: number },
  factor: number,
): QueueTraffic {
  return {
    queueId,
    channel: 'voice',
    arrivals: {
      kind: 'intervals',
      intervalMs: 30 * minuteMs,
      perHour: centerPerHour.map((rate) => rate * load.share * factor),
    },
    handleTime: { distribution: 'lognormal', meanMs: load.meanTalkS * 1_000, stdDevMs: 160_000 },
    patience: { distribution: 'lognormal', meanMs: 300_000, stdDevMs: 200_000 },
    vipShare: 0.05,
    vipPriority: 10,
    callbackAcceptance: 0,
    voicemailAcceptance: 0,
    callbackReachRate: 0,
    callbackDialMs: 0,
  };
}

/**
 * The fact at `atMs`, its durations (`waitMs`, `talkMs`) in whole milliseconds as the live engine states
 * them: the simulator's clock is fractional, the event log's times are not.
 */
function inWholeMs(fact: RoutingFact, atMs: number): RoutingFact {
  const rounded = Object.fromEntries(
    Object.entries(fact).map(([key, value]) => [
      key,
      typeof value === 'number' && key.endsWith('Ms') ? Math.round(value) : value,
    ]),
  );
  return { ...rounded, atMs } as unknown as RoutingFact;
}

function contactKeyOf(fact: RoutingFact): string | undefined {
  return 'contactId' in fact ? fact.contactId : undefined;
}

/**
 * Moves a day's facts to real time and keys them by day; keeps the contacts that finished (a caller still
 * waiting when the last agent left is left out, with every fact about them).
 */
function collectDay(
  dayFacts: readonly RoutingFact[],
  midnightMs: number,
  prefix: string,
  contacts: HistoryContact[],
  facts: HistoryFact[],
): void {
  const finished = new Set<string>();
  for (const fact of dayFacts) if (fact.type === 'ContactFinished') finished.add(fact.contactId);
  const building = new Map<
    string,
    {
      queueId: string;
      startedAtMs: number;
      agentId?: string;
      answeredAtMs?: number;
      endedAtMs?: number;
      wrapUpEndedAtMs?: number;
      finishedAtMs?: number;
    }
  >();
  for (const fact of dayFacts) {
    const id = contactKeyOf(fact);
    if (id !== undefined && !finished.has(id)) continue;
    const atMs = Math.round(midnightMs + fact.atMs);
    facts.push({ fact: inWholeMs(fact, atMs), contactKey: id === undefined ? undefined : prefix + id });
    if (id === undefined) continue;
    const contact = building.get(id);
    switch (fact.type) {
      case 'ContactQueued':
        if (contact === undefined) building.set(id, { queueId: fact.queueId, startedAtMs: atMs });
        else contact.queueId = fact.queueId;
        break;
      case 'ContactAnswered':
        if (contact !== undefined) {
          contact.agentId = fact.agentId;
          contact.answeredAtMs = atMs;
        }
        break;
      case 'AgentActivityChanged':
        if (contact?.agentId !== fact.agentId) break;
        if (fact.to === 'wrap-up') contact.endedAtMs = atMs;
        else if (fact.from === 'wrap-up') contact.wrapUpEndedAtMs = atMs;
        break;
      case 'ContactFinished':
        if (contact === undefined) break;
        contact.finishedAtMs = atMs;
        if (fact.outcome !== 'answered') {
          delete contact.agentId;
          delete contact.answeredAtMs;
        }
        break;
      case 'AgentPresenceChanged':
      case 'AgentEngagementChanged':
      case 'ContactMoved':
      case 'EscalationApplied':
      case 'HelpRequested':
      case 'HelpWithdrawn':
      case 'HelpAttended':
        break;
    }
  }
  for (const [id, contact] of building) {
    const key = prefix + id;
    const { queueId, startedAtMs, agentId, answeredAtMs, finishedAtMs } = contact;
    if (finishedAtMs === undefined) continue;
    if (agentId === undefined || answeredAtMs === undefined) {
      contacts.push({ key, queueId, startedAtMs, answered: null, endedAtMs: finishedAtMs });
      continue;
    }
    const endedAtMs = contact.endedAtMs ?? finishedAtMs;
    contacts.push({
      key,
      queueId,
      startedAtMs,
      answered: {
        agentId,
        atMs: answeredAtMs,
        endedAtMs,
        wrapUpEndedAtMs: contact.wrapUpEndedAtMs ?? endedAtMs,
      },
      endedAtMs,
    });
  }
}
