import type { AgentId, CustomerId, InteractionId, QueueId, TicketId } from '@centralita/kernel';
import type { Activity, Direction, ReportingEvent } from './events.ts';
import type { TimeZoneCalendar } from './time-zone-calendar.ts';
import { timeZoneCalendar } from './time-zone-calendar.ts';

/** Builders for hand-built event sequences in tests: each event gets the next recording sequence number. */

/** Epoch ms of an ISO 8601 instant with its offset, e.g. `2025-10-26T02:30:00+01:00`. */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${iso}`);
  return ms;
}

/** The Madrid calendar every scenario uses. */
export function madrid(): TimeZoneCalendar {
  const calendar = timeZoneCalendar('Europe/Madrid');
  if (!calendar.ok) throw new Error('Europe/Madrid unknown');
  return calendar.value;
}

export const contact = (id: string): InteractionId => id as InteractionId;
export const queue = (id: string): QueueId => id as QueueId;
export const agent = (id: string): AgentId => id as AgentId;
export const customer = (id: string): CustomerId => id as CustomerId;
export const ticket = (id: string): TicketId => id as TicketId;

/** An event before the log numbers it. */
export type Unsequenced = ReportingEvent extends infer E
  ? E extends ReportingEvent
    ? Omit<E, 'seq'>
    : never
  : never;

/** A recorder that numbers events in the order they are built (as domain_events.seq would). */
export function eventLog(): {
  readonly events: ReportingEvent[];
  record(event: Unsequenced): ReportingEvent;
} {
  const events: ReportingEvent[] = [];
  return {
    events,
    record(event: Unsequenced): ReportingEvent {
      const recorded = { ...event, seq: events.length + 1 } as ReportingEvent;
      events.push(recorded);
      return recorded;
    },
  };
}

/** The routing engine's and call layer's facts for one voice contact, built in time order. */
export class ContactScript {
  readonly log: ReturnType<typeof eventLog>;
  readonly id: InteractionId;

  constructor(log: ReturnType<typeof eventLog>, id: string) {
    this.log = log;
    this.id = contact(id);
  }

  received(atMs: number, direction: Direction = 'inbound', customerId: string | null = 'cust-1'): this {
    this.log.record({
      type: 'CallReceived',
      interactionId: this.id,
      direction,
      channel: 'voice',
      customerId: customerId === null ? null : customer(customerId),
      atMs,
    });
    return this;
  }

  queued(atMs: number, queueId: string): this {
    this.log.record({ type: 'ContactQueued', contactId: this.id, queueId: queue(queueId), atMs });
    return this;
  }

  activity(atMs: number, agentId: string, from: Activity, to: Activity, reason = 'test'): this {
    this.log.record({
      type: 'AgentActivityChanged',
      agentId: agent(agentId),
      contactId: this.id,
      from,
      to,
      cause: { reason },
      atMs,
    });
    return this;
  }

  /** Rings the agent and the agent accepts: activity ringing then on-contact, and ContactAnswered. */
  answered(offeredAtMs: number, atMs: number, queueId: string, agentId: string, waitMs: number): this {
    this.activity(offeredAtMs, agentId, 'idle', 'ringing');
    this.activity(atMs, agentId, 'ringing', 'on-contact', 'accepted');
    this.log.record({
      type: 'ContactAnswered',
      contactId: this.id,
      queueId: queue(queueId),
      agentId: agent(agentId),
      waitMs,
      atMs,
    });
    return this;
  }

  held(atMs: number, agentId: string): this {
    this.log.record({ type: 'CallHeld', interactionId: this.id, agentId: agent(agentId), atMs });
    return this;
  }

  resumed(atMs: number, agentId: string): this {
    this.log.record({ type: 'CallResumed', interactionId: this.id, agentId: agent(agentId), atMs });
    return this;
  }

  moved(atMs: number, from: string, to: string, reason: 'transfer' | 'max-wait' | 'queue-full'): this {
    this.log.record({
      type: 'ContactMoved',
      contactId: this.id,
      fromQueueId: queue(from),
      toQueueId: queue(to),
      reason,
      atMs,
    });
    return this;
  }

  finished(
    atMs: number,
    queueId: string,
    outcome: 'answered' | 'abandoned' | 'overflowed' | 'called-back',
    waitMs: number,
  ): this {
    this.log.record({
      type: 'ContactFinished',
      contactId: this.id,
      queueId: queue(queueId),
      channel: 'voice',
      outcome,
      waitMs,
      atMs,
    });
    return this;
  }

  ended(atMs: number): this {
    this.log.record({ type: 'CallEnded', interactionId: this.id, cause: 'caller-hangup', atMs });
    return this;
  }

  /** A whole answered call: queued, rung, talked, wrap-up, in one queue. */
  handled(options: {
    queuedAtMs: number;
    queueId: string;
    agentId: string;
    waitMs: number;
    talkMs: number;
    wrapUpMs: number;
  }): this {
    const answeredAtMs = options.queuedAtMs + options.waitMs;
    const hangUpMs = answeredAtMs + options.talkMs;
    return this.received(options.queuedAtMs)
      .queued(options.queuedAtMs, options.queueId)
      .answered(answeredAtMs, answeredAtMs, options.queueId, options.agentId, options.waitMs)
      .activity(hangUpMs, options.agentId, 'on-contact', 'wrap-up', 'contact-ended')
      .finished(hangUpMs, options.queueId, 'answered', options.waitMs)
      .ended(hangUpMs)
      .activity(hangUpMs + options.wrapUpMs, options.agentId, 'wrap-up', 'idle', 'wrap-up-timer');
  }

  /** A caller who gives up after `waitMs`. */
  abandoned(queuedAtMs: number, queueId: string, waitMs: number): this {
    return this.received(queuedAtMs)
      .queued(queuedAtMs, queueId)
      .finished(queuedAtMs + waitMs, queueId, 'abandoned', waitMs)
      .ended(queuedAtMs + waitMs);
  }
}
