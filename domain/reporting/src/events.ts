import type { AgentId, CustomerId, InteractionId, QueueId, TicketId } from '@centralita/kernel';

/**
 * The recorded events reports read: a structural subset of what the routing engine, the call layer and
 * the CRM write to `domain_events`, so reporting depends on none of them. Each carries the event's time
 * (`occurred_at`) as `atMs` and its recording order (`domain_events.seq`) as `seq`.
 */
export type ReportingEvent =
  | ContactQueued
  | ContactAnswered
  | ContactMoved
  | EscalationApplied
  | ContactFinished
  | AgentPresenceChanged
  | AgentActivityChanged
  | CallReceived
  | CallAnswered
  | CallHeld
  | CallResumed
  | CallTransferred
  | CallEnded
  | InteractionUpdated
  | TicketCreated
  | TicketUpdated
  | SurveyAnswered
  | QualityScored;

/** Every event type reports read; others are skipped. */
export const reportingEventTypes: readonly ReportingEvent['type'][] = [
  'ContactQueued',
  'ContactAnswered',
  'ContactMoved',
  'EscalationApplied',
  'ContactFinished',
  'AgentPresenceChanged',
  'AgentActivityChanged',
  'CallReceived',
  'CallAnswered',
  'CallHeld',
  'CallResumed',
  'CallTransferred',
  'CallEnded',
  'InteractionUpdated',
  'TicketCreated',
  'TicketUpdated',
  'SurveyAnswered',
  'QualityScored',
];

/** The channel of a contact. */
export type Channel = 'voice' | 'chat' | 'email' | 'sms' | 'whatsapp';

/** Who started a contact; `internal` (agent to agent) is never a customer contact. */
export type Direction = 'inbound' | 'outbound' | 'internal';

/** Fields every recorded event has. */
interface Recorded {
  /** When it happened (the event's occurred_at), epoch ms. */
  readonly atMs: number;
  /** Recording order (domain_events.seq): breaks ties between events of the same millisecond. */
  readonly seq: number;
}

/** A contact joined a queue (routing engine). */
export interface ContactQueued extends Recorded {
  readonly type: 'ContactQueued';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
}

/** An agent took a contact from a queue, or its callback connected (routing engine). */
export interface ContactAnswered extends Recorded {
  readonly type: 'ContactAnswered';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly agentId: AgentId;
  readonly waitMs: number;
}

/** Why a contact left one queue for another. */
export type MoveReason =
  'max-wait' | 'queue-full' | 'no-agents' | 'escalation' | 'voicemail-chosen' | 'queue-deleted' | 'transfer';

/** A contact left one queue for another: overflow, escalation or transfer (routing engine). */
export interface ContactMoved extends Recorded {
  readonly type: 'ContactMoved';
  readonly contactId: InteractionId;
  readonly fromQueueId: QueueId;
  readonly toQueueId: QueueId;
  readonly reason: MoveReason;
}

/** An escalation step was applied to a waiting contact (routing engine). */
export interface EscalationApplied extends Recorded {
  readonly type: 'EscalationApplied';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
}

/** How a contact left the routing engine. */
export type ContactOutcome = 'answered' | 'abandoned' | 'overflowed' | 'called-back';

/** A contact left the routing engine for good, with its outcome. */
export interface ContactFinished extends Recorded {
  readonly type: 'ContactFinished';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly outcome: ContactOutcome;
  readonly detail?: string;
  /** Time in the last queue before being answered or leaving. */
  readonly waitMs: number;
}

/** An agent's chosen presence. */
export type PresenceKind = 'offline' | 'available' | 'break';

/** An agent's chosen presence changed. */
export interface AgentPresenceChanged extends Recorded {
  readonly type: 'AgentPresenceChanged';
  readonly agentId: AgentId;
  readonly from: { readonly kind: PresenceKind };
  readonly to: { readonly kind: PresenceKind };
}

/** What the system has an agent doing for one contact. */
export type Activity = 'idle' | 'reserved' | 'ringing' | 'on-contact' | 'wrap-up';

/** An agent's activity for one contact changed. */
export interface AgentActivityChanged extends Recorded {
  readonly type: 'AgentActivityChanged';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
  readonly from: Activity;
  readonly to: Activity;
  /** `reason` tells a missed offer (`offer-timeout`) from a declined one (`declined`). */
  readonly cause: { readonly reason: string };
}

/** The call layer received or placed a call. */
export interface CallReceived extends Recorded {
  readonly type: 'CallReceived';
  readonly interactionId: InteractionId;
  readonly direction: Direction;
  readonly channel: Channel;
  readonly customerId: CustomerId | null;
}

/** Someone answered the call: the IVR, an agent, or the customer of an outbound call. */
export interface CallAnswered extends Recorded {
  readonly type: 'CallAnswered';
  readonly interactionId: InteractionId;
  readonly by: 'ivr' | 'agent' | 'customer';
  readonly agentId?: AgentId;
}

/** An agent put the customer on hold. */
export interface CallHeld extends Recorded {
  readonly type: 'CallHeld';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
}

/** An agent took the customer off hold. */
export interface CallResumed extends Recorded {
  readonly type: 'CallResumed';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
}

/** An agent passed the call on. */
export interface CallTransferred extends Recorded {
  readonly type: 'CallTransferred';
  readonly interactionId: InteractionId;
  readonly fromAgentId: AgentId;
  readonly kind: 'blind' | 'attended';
  readonly targetKind: 'agent' | 'queue' | 'number' | 'flow';
  readonly targetId: string;
}

/** Why a call ended. */
export type CallEndCause =
  'caller-hangup' | 'agent-hangup' | 'system-hangup' | 'failed' | 'session-expired' | 'cancelled';

/** The call ended. */
export interface CallEnded extends Recorded {
  readonly type: 'CallEnded';
  readonly interactionId: InteractionId;
  readonly cause: CallEndCause;
}

/** An interaction was wrapped up or changed (status, disposition). */
export interface InteractionUpdated extends Recorded {
  readonly type: 'InteractionUpdated';
  readonly interactionId: InteractionId;
  readonly status: string;
  readonly disposition: string | null;
}

/** A ticket was opened. */
export interface TicketCreated extends Recorded {
  readonly type: 'TicketCreated';
  readonly ticketId: TicketId;
  readonly customerId: CustomerId;
  readonly status: string;
}

/** A ticket's status changed. */
export interface TicketUpdated extends Recorded {
  readonly type: 'TicketUpdated';
  readonly ticketId: TicketId;
  readonly status: string;
}

/** A customer's answer to a post-contact survey: CSAT on 1-5, NPS on 0-10. */
export interface SurveyAnswered extends Recorded {
  readonly type: 'SurveyAnswered';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId | null;
  readonly kind: 'csat' | 'nps';
  readonly score: number;
}

/** A quality evaluation of one contact, as a percentage of the scorecard's points. */
export interface QualityScored extends Recorded {
  readonly type: 'QualityScored';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
  readonly scorePct: number;
}

/** The contact an event belongs to (its interaction), if any: a change re-folds that contact. */
export function contactIdOf(event: ReportingEvent): InteractionId | undefined {
  switch (event.type) {
    case 'ContactQueued':
    case 'ContactAnswered':
    case 'ContactMoved':
    case 'EscalationApplied':
    case 'ContactFinished':
    case 'AgentActivityChanged':
      return event.contactId;
    case 'CallReceived':
    case 'CallAnswered':
    case 'CallHeld':
    case 'CallResumed':
    case 'CallTransferred':
    case 'CallEnded':
    case 'InteractionUpdated':
    case 'SurveyAnswered':
    case 'QualityScored':
      return event.interactionId;
    case 'AgentPresenceChanged':
    case 'TicketCreated':
    case 'TicketUpdated':
      return undefined;
  }
}

/** The agent whose timeline an event changes (presence or activity), if any. */
export function timelineAgentIdOf(event: ReportingEvent): AgentId | undefined {
  return event.type === 'AgentPresenceChanged' || event.type === 'AgentActivityChanged'
    ? event.agentId
    : undefined;
}

/** The ticket an event belongs to, if any. */
export function ticketIdOf(event: ReportingEvent): TicketId | undefined {
  return event.type === 'TicketCreated' || event.type === 'TicketUpdated' ? event.ticketId : undefined;
}

/**
 * Event order for folding: by time, then by recording order. Folds sort first, so the order events
 * arrive in (late, replayed, corrected) never changes a result.
 */
export function compareEvents(a: ReportingEvent, b: ReportingEvent): number {
  return a.atMs - b.atMs || a.seq - b.seq;
}
