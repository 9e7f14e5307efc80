import type { Tx } from '@centralita/store';
import { SeededRandom } from '@centralita/kernel';

/** One past contact of the demo, as the seed made its interaction. */
export interface DemoContact {
  readonly interactionId: string;
  readonly customerId: string;
  readonly queueId: string;
  readonly agentId: string | null;
  readonly channel: 'voice' | 'email' | 'chat' | 'whatsapp';
  readonly direction: 'inbound' | 'outbound';
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date;
  readonly wrapUpEndedAt: Date | null;
  /** The outcome the agent chose at wrap-up (a sale is worth `settings.reports.dispositionValuesMinor`). */
  readonly disposition: string | null;
}

const routed = { by: 'system', reason: 'routed' } as const;

/**
 * The events a demo contact would have recorded had it gone through the ACD and the call layer (queued,
 * offered, answered, talked, wrapped up with its disposition; or abandoned), at its own past times: the report projector folds
 * them like live ones, so the demo's reports (yesterday's service level, handle times by agent) have figures
 * from the first start.
 */
export function recordDemoContactEvents(tx: Tx, contact: DemoContact): void {
  const { interactionId: contactId, queueId, agentId, channel } = contact;
  const startMs = contact.startedAt.getTime();
  const at = (ms: number): Date => new Date(ms);
  const isVoice = channel === 'voice';
  if (isVoice)
    tx.recordEvent(
      'CallReceived',
      {
        interactionId: contactId,
        direction: contact.direction,
        channel,
        customerId: contact.customerId,
        from: null,
        to: null,
        trunkId: null,
      },
      contact.startedAt,
    );
  tx.recordEvent(
    'ContactQueued',
    { contactId, queueId, position: 1, estimatedWaitMs: null, atMs: startMs },
    at(startMs),
  );
  const answeredAt = contact.answeredAt;
  if (answeredAt === null || agentId === null) {
    const waitMs = contact.endedAt.getTime() - startMs;
    tx.recordEvent(
      'ContactFinished',
      { contactId, queueId, channel, outcome: 'abandoned', waitMs, atMs: contact.endedAt.getTime() },
      contact.endedAt,
    );
    if (isVoice)
      tx.recordEvent('CallEnded', { interactionId: contactId, cause: 'caller-hangup' }, contact.endedAt);
    return;
  }
  const answeredMs = answeredAt.getTime();
  const endedMs = contact.endedAt.getTime();
  const waitMs = answeredMs - startMs;
  const ringFromMs = Math.max(startMs, answeredMs - 4_000);
  const activity = (from: string, to: string, atMs: number, reason = 'routed') => {
    tx.recordEvent(
      'AgentActivityChanged',
      { agentId, contactId, from, to, cause: reason === 'routed' ? routed : { by: 'agent', reason }, atMs },
      at(atMs),
    );
  };
  activity('idle', 'ringing', ringFromMs);
  tx.recordEvent('ContactAnswered', { contactId, queueId, agentId, waitMs, atMs: answeredMs }, answeredAt);
  activity('ringing', 'on-contact', answeredMs, 'answered');
  if (isVoice) tx.recordEvent('CallAnswered', { interactionId: contactId, by: 'agent', agentId }, answeredAt);
  activity('on-contact', 'wrap-up', endedMs, 'contact-ended');
  tx.recordEvent(
    'ContactFinished',
    { contactId, queueId, channel, outcome: 'answered', waitMs, talkMs: endedMs - answeredMs, atMs: endedMs },
    contact.endedAt,
  );
  if (isVoice)
    tx.recordEvent(
      'CallEnded',
      { interactionId: contactId, cause: 'agent-hangup', agentId },
      contact.endedAt,
    );
  const wrapUpEndMs = contact.wrapUpEndedAt?.getTime() ?? endedMs;
  activity('wrap-up', 'idle', wrapUpEndMs, 'wrap-up-ended');
  // Wrapping up records the interaction's disposition, as PATCH /api/interactions/:id does.
  tx.recordEvent(
    'InteractionUpdated',
    { interactionId: contactId, status: 'completed', disposition: contact.disposition },
    at(wrapUpEndMs),
  );
}

/** A stretch of time, in milliseconds since the epoch. */
interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** A break an agent took during a demo shift, with one of the tenant's break reasons. */
export interface DemoBreak extends Span {
  readonly reason: string;
}

/** One agent's working day in the demo history: logged in over the span, available except on breaks. */
export interface DemoShift extends Span {
  readonly agentId: string;
  readonly breaks: readonly DemoBreak[];
}

/** A demo agent and the queues (with their dispositions) they take contacts from. */
export interface DemoAgent {
  readonly agentId: string;
  readonly queues: readonly { readonly queueId: string; readonly dispositions: readonly string[] }[];
}

export interface DemoAgentTimeOptions {
  readonly now: Date;
  /** Weekdays of the last `days` days get shifts (besides any day with a contact handled). */
  readonly days: number;
  readonly seed: number;
  readonly agents: readonly DemoAgent[];
  /** The tenant's break reasons (`settings.breakReasons`, or the defaults the routing engine uses). */
  readonly breakReasons: readonly string[];
}

/** The agents' shifts over the demo history and the further contacts they handled during them. */
export interface DemoAgentTime {
  readonly shifts: readonly DemoShift[];
  readonly contacts: readonly DemoContact[];
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
/** How long an offer rings before the agent answers (as recordDemoContactEvents has it). */
const ringMs = 4_000;
const madridClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Madrid',
  hourCycle: 'h23',
  hour: '2-digit',
  minute: '2-digit',
});

/** The instant a Madrid wall clock reads `minutes` after midnight on the UTC calendar day `dayStartMs`. */
function madridTime(dayStartMs: number, minutes: number): number {
  const noon = dayStartMs + 12 * hourMs;
  const [hour = '12', minute = '00'] = madridClock
    .formatToParts(noon)
    .filter((part) => part.type === 'hour' || part.type === 'minute')
    .map((part) => part.value);
  const offsetMs = (Number(hour) * 60 + Number(minute)) * minuteMs - 12 * hourMs;
  return dayStartMs + minutes * minuteMs - offsetMs;
}

/** The agent's time taken by a handled contact: from the offer ringing to the end of wrap-up. */
function contactWorkSpan(contact: DemoContact): Span {
  const answeredMs = contact.answeredAt?.getTime() ?? contact.startedAt.getTime();
  return {
    startMs: Math.max(contact.startedAt.getTime(), answeredMs - ringMs),
    endMs: (contact.wrapUpEndedAt ?? contact.endedAt).getTime(),
  };
}

function overlaps(a: Span, b: Span, marginMs: number): boolean {
  return a.startMs < b.endMs + marginMs && b.startMs < a.endMs + marginMs;
}

function choose<T>(random: SeededRandom, items: readonly T[]): T {
  const item = items[Math.floor(random.next() * items.length)];
  if (item === undefined) throw new Error('cannot choose from an empty list');
  return item;
}

/** A version 4 UUID drawn from the seeded generator, so the same seed gives the same contact ids. */
function seededUuid(random: SeededRandom): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random.next() * 16).toString(16);
  const variant = (8 + Math.floor(random.next() * 4)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * Places a break of `lengthMs` at `desiredMs` or, when the agent is handling a contact then, right after
 * it (a minute later); null when it no longer fits before the last half hour of the shift.
 */
function placeBreak(desiredMs: number, lengthMs: number, shift: Span, taken: readonly Span[]): Span | null {
  let startMs = desiredMs;
  for (;;) {
    const candidate = { startMs, endMs: startMs + lengthMs };
    const blocker = taken.find((span) => overlaps(span, candidate, minuteMs));
    if (blocker === undefined) break;
    startMs = blocker.endMs + minuteMs;
  }
  return startMs + lengthMs <= shift.endMs - 30 * minuteMs ? { startMs, endMs: startMs + lengthMs } : null;
}

/**
 * Plans the demo agents' working days: each weekday of the history every agent (but for the odd day off)
 * logs in for an eight-hour shift, early (08:45 or 09:00 Madrid) or late (11:00 or 11:15), alternating
 * weekly, takes a coffee break and usually a second one (lunch, training…), and logs out. A shift always
 * covers the contacts `handled` gives the agent that day (it starts earlier or ends later if need be) and
 * no break falls on one. Between them the agent handles further contacts of their queues, back to back
 * with a short idle wait, so that busy time is 68–86 % of the available time, as in a staffed center.
 * Deterministic: the same contacts and options give the same plan.
 */
export function planDemoAgentTime(
  handled: readonly DemoContact[],
  options: DemoAgentTimeOptions,
): DemoAgentTime {
  const random = new SeededRandom(options.seed);
  const todayMs = Math.floor(options.now.getTime() / dayMs) * dayMs;
  const workByAgentDay = new Map<string, Span[]>();
  const dayStarts = new Set<number>();
  for (let daysAgo = options.days; daysAgo >= 1; daysAgo--) dayStarts.add(todayMs - daysAgo * dayMs);
  for (const contact of handled) {
    if (contact.agentId === null || contact.answeredAt === null) continue;
    const span = contactWorkSpan(contact);
    const dayStartMs = Math.floor(span.startMs / dayMs) * dayMs;
    dayStarts.add(dayStartMs);
    const key = `${contact.agentId} ${dayStartMs}`;
    workByAgentDay.set(key, [...(workByAgentDay.get(key) ?? []), span]);
  }
  const customerIds = [...new Set(handled.map((contact) => contact.customerId))].sort();
  const coffee = options.breakReasons.includes('coffee') ? 'coffee' : (options.breakReasons[0] ?? 'coffee');
  const otherReasons = options.breakReasons.filter((reason) => reason !== coffee);
  const shifts: DemoShift[] = [];
  const contacts: DemoContact[] = [];
  for (const dayStartMs of [...dayStarts].sort((a, b) => a - b)) {
    if (dayStartMs >= todayMs) continue;
    const weekday = new Date(dayStartMs).getUTCDay();
    const week = Math.floor((dayStartMs / dayMs + 3) / 7);
    for (const [index, agent] of options.agents.entries()) {
      const work = (workByAgentDay.get(`${agent.agentId} ${dayStartMs}`) ?? []).sort(
        (a, b) => a.startMs - b.startMs,
      );
      const isDayOff = random.next() < 0.06;
      if (work.length === 0 && (isDayOff || weekday === 0 || weekday === 6)) continue;
      const isEarly = (index + week) % 2 === 0;
      const plannedStartMs = madridTime(dayStartMs, (isEarly ? 8 * 60 + 45 : 11 * 60) + 15 * (index % 2));
      const first = work[0];
      const last = work.at(-1);
      const shift: Span = {
        startMs: Math.min(
          plannedStartMs,
          (first?.startMs ?? Infinity) - (2 + Math.floor(random.next() * 8)) * minuteMs,
        ),
        endMs: Math.max(
          plannedStartMs + 8 * hourMs,
          (last?.endMs ?? -Infinity) + (1 + Math.floor(random.next() * 4)) * minuteMs,
        ),
      };
      const breaks: DemoBreak[] = [];
      const wanted: [number, number, string][] = [
        [2 * hourMs + random.next() * hourMs, 15 * minuteMs, coffee],
      ];
      if (otherReasons.length > 0 && random.next() < 0.75) {
        const reason =
          random.next() < 0.6 && otherReasons.includes('lunch') ? 'lunch' : choose(random, otherReasons);
        wanted.push([
          4.5 * hourMs + random.next() * hourMs,
          (reason === 'lunch' ? 30 : 20) * minuteMs,
          reason,
        ]);
      }
      for (const [afterMs, lengthMs, reason] of wanted) {
        const placed = placeBreak(shift.startMs + afterMs, lengthMs, shift, [...work, ...breaks]);
        if (placed !== null) breaks.push({ ...placed, reason });
      }
      breaks.sort((a, b) => a.startMs - b.startMs);
      shifts.push({ agentId: agent.agentId, ...shift, breaks });
      // Fill the available time between the contacts given with further ones.
      const occupancy = 0.68 + random.next() * 0.18;
      const meanIdleMs = 370_000 * (1 / occupancy - 1);
      const available: Span[] = [];
      let fromMs = shift.startMs;
      for (const pause of breaks) {
        available.push({ startMs: fromMs, endMs: pause.startMs });
        fromMs = pause.endMs;
      }
      available.push({ startMs: fromMs, endMs: shift.endMs });
      for (const span of agent.queues.length === 0 ? [] : available) {
        let cursorMs = span.startMs;
        for (;;) {
          const ringFromMs = cursorMs + Math.round(meanIdleMs * (0.3 + 1.4 * random.next()));
          const answeredMs = ringFromMs + ringMs;
          const endedMs = answeredMs + (60 + Math.floor(random.next() * 540)) * 1000;
          const wrapUpEndMs = endedMs + (10 + Math.floor(random.next() * 50)) * 1000;
          if (wrapUpEndMs > span.endMs - minuteMs) break;
          const candidate = { startMs: ringFromMs, endMs: wrapUpEndMs };
          const blocker = work.find((given) => overlaps(given, candidate, 30_000));
          if (blocker !== undefined) {
            cursorMs = Math.max(cursorMs, blocker.endMs + 30_000);
            continue;
          }
          const queue = choose(random, agent.queues);
          const channel = choose(random, ['voice', 'voice', 'voice', 'email', 'chat', 'whatsapp'] as const);
          const waitMs = Math.round((3 + 45 * random.next() ** 3) * 1000);
          const startedMs = Math.min(ringFromMs, answeredMs - waitMs);
          const customerId = choose(random, customerIds);
          contacts.push({
            interactionId: seededUuid(random),
            customerId,
            queueId: queue.queueId,
            agentId: agent.agentId,
            channel,
            direction: random.next() < 0.85 ? 'inbound' : 'outbound',
            startedAt: new Date(startedMs),
            answeredAt: new Date(answeredMs),
            endedAt: new Date(endedMs),
            wrapUpEndedAt: new Date(wrapUpEndMs),
            disposition: choose(random, queue.dispositions),
          });
          // Now and then a caller of the same queue hangs up before anyone answers.
          if (channel === 'voice' && random.next() < 0.06) {
            const arrivedMs = ringFromMs - Math.floor(random.next() * 60_000);
            contacts.push({
              interactionId: seededUuid(random),
              customerId: choose(random, customerIds),
              queueId: queue.queueId,
              agentId: null,
              channel: 'voice',
              direction: 'inbound',
              startedAt: new Date(arrivedMs),
              answeredAt: null,
              endedAt: new Date(arrivedMs + (5 + Math.floor(random.next() * 90)) * 1000),
              wrapUpEndedAt: null,
              disposition: null,
            });
          }
          cursorMs = wrapUpEndMs;
        }
      }
    }
  }
  return { shifts, contacts };
}

/**
 * Records the planned shifts as the routing engine records an agent's chosen presence (log in, breaks with
 * their reasons, log out: `AgentPresenceChanged`, selected by the agent) and the further contacts as
 * `recordDemoContactEvents` does, so the reports have logged-in, available, break and busy time.
 */
export function recordDemoAgentTime(tx: Tx, plan: DemoAgentTime): void {
  const selected = { by: 'agent', reason: 'selected' } as const;
  for (const shift of plan.shifts) {
    const presence = (from: object, to: object, atMs: number): void => {
      tx.recordEvent(
        'AgentPresenceChanged',
        { agentId: shift.agentId, from, to, cause: selected, atMs },
        new Date(atMs),
      );
    };
    const available = { kind: 'available' };
    presence({ kind: 'offline' }, available, shift.startMs);
    for (const pause of shift.breaks) {
      const onBreak = { kind: 'break', reason: pause.reason };
      presence(available, onBreak, pause.startMs);
      presence(onBreak, available, pause.endMs);
    }
    presence(available, { kind: 'offline' }, shift.endMs);
  }
  for (const contact of plan.contacts) recordDemoContactEvents(tx, contact);
}
