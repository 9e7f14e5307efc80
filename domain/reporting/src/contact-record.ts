import type { AgentId, CustomerId, InteractionId, QueueId } from '@centralita/kernel';
import type { CallEndCause, Channel, Direction, MoveReason, ReportingEvent } from './events.ts';
import { compareEvents, contactIdOf } from './events.ts';

/**
 * How a contact's stay in one queue ended. `waiting` is a stay still in progress; `answered` holds from
 * the moment an agent took it, whatever happens after (a transfer opens a new stay in the next queue).
 */
export type VisitExit =
  'waiting' | 'answered' | 'abandoned' | 'moved' | 'overflowed' | 'callback-reached' | 'callback-not-reached';

/** One stay of a contact in one queue: the unit every queue count is made of. */
export interface QueueVisit {
  readonly queueId: QueueId;
  readonly enteredAtMs: number;
  readonly exit: VisitExit;
  /** Time waiting in this queue until answered or gone; undefined while waiting. */
  readonly waitMs: number | undefined;
  readonly answeredAtMs: number | undefined;
  readonly answeredBy: AgentId | undefined;
  /** The caller asked to be called back: the wait is no longer on the line. */
  readonly isCallback: boolean;
  readonly moveReason: MoveReason | undefined;
  /** Escalation steps applied while waiting here. */
  readonly escalations: number;
  /** Agents whose offer rang out (ring, no answer). */
  readonly missedOffers: readonly AgentId[];
  /** Agents who declined an offer. */
  readonly declinedOffers: readonly AgentId[];
}

/** One agent's work on a contact: connected, maybe on hold, then wrap-up. */
export interface Handling {
  readonly agentId: AgentId;
  /** The queue the agent took it from; null for contacts that never queued (outbound, direct). */
  readonly queueId: QueueId | null;
  /** Index in `visits` of that queue stay, or -1. */
  readonly visitIndex: number;
  readonly connectedAtMs: number;
  readonly disconnectedAtMs: number | undefined;
  /** Time on hold within the connection. */
  readonly holdMs: number;
  readonly holds: number;
  readonly wrapUpStartedAtMs: number | undefined;
  readonly wrapUpEndedAtMs: number | undefined;
  /** The agent passed the contact on (to a queue, an agent, a number or a flow). */
  readonly isTransferredOut: boolean;
  /** Connection and wrap-up are over: only complete handlings count towards handle time. */
  readonly isComplete: boolean;
}

/** A survey answer or a quality score about a contact. */
export interface ContactScore {
  readonly kind: 'csat' | 'nps' | 'quality';
  readonly agentId: AgentId | null;
  /** 1-5 for CSAT, 0-10 for NPS, 0-100 for quality. */
  readonly score: number;
}

/** Everything reports need about one contact, folded from its events. */
export interface ContactRecord {
  readonly contactId: InteractionId;
  readonly direction: Direction;
  /** Undefined until an event names it (the call layer, or the routing engine's ContactFinished). */
  readonly channel: Channel | undefined;
  readonly customerId: CustomerId | null;
  /** When the contact arrived (call received, or first queued): the instant its volume counts in. */
  readonly arrivedAtMs: number;
  readonly endedAtMs: number | undefined;
  readonly endCause: CallEndCause | undefined;
  /** Reached a person: an agent took it, or the customer answered an outbound call. */
  readonly isConnected: boolean;
  readonly visits: readonly QueueVisit[];
  readonly handlings: readonly Handling[];
  readonly disposition: string | null;
  readonly status: string | null;
  readonly scores: readonly ContactScore[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type VisitDraft = Mutable<QueueVisit> & { missedOffers: AgentId[]; declinedOffers: AgentId[] };
type HandlingDraft = Mutable<Handling>;

interface Span {
  readonly agentId: AgentId;
  readonly startMs: number;
  readonly endMs: number | undefined;
}

function newVisit(queueId: QueueId, enteredAtMs: number): VisitDraft {
  return {
    queueId,
    enteredAtMs,
    exit: 'waiting',
    waitMs: undefined,
    answeredAtMs: undefined,
    answeredBy: undefined,
    isCallback: false,
    moveReason: undefined,
    escalations: 0,
    missedOffers: [],
    declinedOffers: [],
  };
}

function overlapMs(span: Span, handling: HandlingDraft): number {
  const end = Math.min(span.endMs ?? Infinity, handling.disconnectedAtMs ?? Infinity);
  const start = Math.max(span.startMs, handling.connectedAtMs);
  return Number.isFinite(end) && end > start ? end - start : 0;
}

/**
 * Folds the events of one contact into its record. Events are sorted first (time, then recording
 * order), so any arrival order gives the same record. Undefined when no event belongs to a contact.
 */
export function foldContact(events: readonly ReportingEvent[]): ContactRecord | undefined {
  const sorted = events.filter((e) => contactIdOf(e) !== undefined).sort(compareEvents);
  const first = sorted[0];
  if (first === undefined) return undefined;
  const contactId = contactIdOf(first) as InteractionId;

  let direction: Direction = 'inbound';
  let channel: Channel | undefined;
  let customerId: CustomerId | null = null;
  let receivedAtMs: number | undefined;
  let endedAtMs: number | undefined;
  let endCause: CallEndCause | undefined;
  let isAnsweredByCustomer = false;
  let disposition: string | null = null;
  let status: string | null = null;
  const visits: VisitDraft[] = [];
  const handlings: HandlingDraft[] = [];
  const scores: ContactScore[] = [];
  const holds: Span[] = [];
  const openHolds = new Map<AgentId, number>();
  const callAnswers: { agentId: AgentId; atMs: number }[] = [];
  const transfers: { agentId: AgentId; atMs: number }[] = [];

  const lastVisit = (): VisitDraft | undefined => visits[visits.length - 1];
  /** The current stay in `queueId`, opening one that entered `enteredAtMs` when events skipped it. */
  const visitIn = (queueId: QueueId, enteredAtMs: number): VisitDraft => {
    const last = lastVisit();
    if (last?.queueId === queueId) return last;
    const visit = newVisit(queueId, enteredAtMs);
    visits.push(visit);
    return visit;
  };
  const openHandlingOf = (agentId: AgentId): HandlingDraft | undefined =>
    handlings.findLast((h) => h.agentId === agentId && h.disconnectedAtMs === undefined);

  for (const event of sorted) {
    switch (event.type) {
      case 'CallReceived':
        direction = event.direction;
        channel = event.channel;
        customerId = event.customerId;
        receivedAtMs = event.atMs;
        break;
      case 'ContactQueued': {
        const last = lastVisit();
        // A move opens the next stay itself; its ContactQueued (same queue, same instant) confirms it.
        const isOpenedByMove = last?.queueId === event.queueId && last.exit === 'waiting';
        if (!isOpenedByMove) visits.push(newVisit(event.queueId, event.atMs));
        break;
      }
      case 'ContactMoved': {
        const from = visitIn(event.fromQueueId, event.atMs);
        if (from.exit === 'waiting') {
          from.exit = 'moved';
          from.waitMs = event.atMs - from.enteredAtMs;
          from.moveReason = event.reason;
        } else if (from.exit === 'answered' && event.reason === 'transfer' && from.answeredBy !== undefined) {
          transfers.push({ agentId: from.answeredBy, atMs: event.atMs });
        }
        visits.push(newVisit(event.toQueueId, event.atMs));
        break;
      }
      case 'ContactAnswered': {
        const visit = visitIn(event.queueId, event.atMs - event.waitMs);
        visit.exit = 'answered';
        visit.waitMs = event.waitMs;
        visit.answeredAtMs = event.atMs;
        visit.answeredBy = event.agentId;
        break;
      }
      case 'EscalationApplied':
        visitIn(event.queueId, event.atMs).escalations += 1;
        break;
      case 'ContactFinished': {
        channel ??= event.channel;
        const visit = visitIn(event.queueId, event.atMs - event.waitMs);
        switch (event.outcome) {
          case 'answered':
            visit.exit = 'answered';
            break;
          case 'abandoned':
            visit.exit = 'abandoned';
            break;
          case 'overflowed':
            visit.exit = 'overflowed';
            break;
          case 'called-back':
            visit.isCallback = true;
            visit.exit = visit.answeredAtMs === undefined ? 'callback-not-reached' : 'callback-reached';
            break;
        }
        // The engine measures the wait up to the answer for answered contacts, up to leaving otherwise.
        visit.waitMs = event.waitMs;
        break;
      }
      case 'AgentActivityChanged': {
        const visit = lastVisit();
        if (event.from === 'reserved' && visit !== undefined) visit.isCallback = true;
        if (event.from === 'ringing' && event.to === 'idle' && visit !== undefined) {
          if (event.cause.reason === 'offer-timeout') visit.missedOffers.push(event.agentId);
          if (event.cause.reason === 'declined') visit.declinedOffers.push(event.agentId);
        }
        if (event.to === 'on-contact') {
          handlings.push({
            agentId: event.agentId,
            queueId: visit?.queueId ?? null,
            visitIndex: visits.length - 1,
            connectedAtMs: event.atMs,
            disconnectedAtMs: undefined,
            holdMs: 0,
            holds: 0,
            wrapUpStartedAtMs: undefined,
            wrapUpEndedAtMs: undefined,
            isTransferredOut: false,
            isComplete: false,
          });
        }
        if (event.from === 'on-contact') {
          const handling = openHandlingOf(event.agentId);
          if (handling !== undefined) {
            handling.disconnectedAtMs = event.atMs;
            if (event.to === 'wrap-up') handling.wrapUpStartedAtMs = event.atMs;
            else handling.isComplete = true;
          }
        }
        if (event.from === 'wrap-up') {
          const handling = handlings.findLast(
            (h) => h.agentId === event.agentId && h.wrapUpStartedAtMs !== undefined,
          );
          if (handling !== undefined && handling.wrapUpEndedAtMs === undefined) {
            handling.wrapUpEndedAtMs = event.atMs;
            handling.isComplete = true;
          }
        }
        break;
      }
      case 'CallAnswered':
        if (event.by === 'customer') isAnsweredByCustomer = true;
        if (event.by !== 'ivr' && event.agentId !== undefined) {
          callAnswers.push({ agentId: event.agentId, atMs: event.atMs });
        }
        break;
      case 'CallHeld':
        if (!openHolds.has(event.agentId)) openHolds.set(event.agentId, event.atMs);
        break;
      case 'CallResumed': {
        const startMs = openHolds.get(event.agentId);
        if (startMs !== undefined) {
          holds.push({ agentId: event.agentId, startMs, endMs: event.atMs });
          openHolds.delete(event.agentId);
        }
        break;
      }
      case 'CallTransferred':
        transfers.push({ agentId: event.fromAgentId, atMs: event.atMs });
        break;
      case 'CallEnded':
        endedAtMs = event.atMs;
        endCause = event.cause;
        break;
      case 'InteractionUpdated':
        status = event.status;
        disposition = event.disposition;
        break;
      case 'SurveyAnswered':
        scores.push({ kind: event.kind, agentId: event.agentId, score: event.score });
        break;
      case 'QualityScored':
        scores.push({ kind: 'quality', agentId: event.agentId, score: event.scorePct });
        break;
      case 'AgentPresenceChanged':
      case 'TicketCreated':
      case 'TicketUpdated':
        break;
    }
  }

  // Calls the routing engine never saw (outbound, direct to an agent): the call layer's answer and
  // hang-up are the whole connection, with no wrap-up.
  if (handlings.length === 0) {
    for (const answer of callAnswers) {
      handlings.push({
        agentId: answer.agentId,
        queueId: null,
        visitIndex: -1,
        connectedAtMs: answer.atMs,
        disconnectedAtMs: endedAtMs,
        holdMs: 0,
        holds: 0,
        wrapUpStartedAtMs: undefined,
        wrapUpEndedAtMs: undefined,
        isTransferredOut: false,
        isComplete: endedAtMs !== undefined,
      });
    }
  }
  for (const [agentId, startMs] of openHolds) holds.push({ agentId, startMs, endMs: undefined });
  for (const hold of holds) {
    const handling = handlings.find((h) => h.agentId === hold.agentId && overlapMs(hold, h) > 0);
    if (handling === undefined) continue;
    handling.holdMs += overlapMs(hold, handling);
    handling.holds += 1;
  }
  // One flag per handling: a blind transfer to a queue is both a CallTransferred and a ContactMoved.
  for (const transfer of transfers) {
    const handling = handlings.find(
      (h) =>
        h.agentId === transfer.agentId &&
        h.connectedAtMs <= transfer.atMs &&
        (h.disconnectedAtMs ?? Infinity) >= transfer.atMs,
    );
    if (handling !== undefined) handling.isTransferredOut = true;
  }

  const firstVisit = visits[0];
  return {
    contactId,
    direction,
    channel,
    customerId,
    arrivedAtMs: receivedAtMs ?? firstVisit?.enteredAtMs ?? first.atMs,
    endedAtMs,
    endCause,
    isConnected: handlings.length > 0 || (direction === 'outbound' && isAnsweredByCustomer),
    visits,
    handlings,
    disposition,
    status,
    scores,
  };
}

/** Folds many contacts' events at once: one record per contact, in order of arrival. */
export function foldContacts(events: readonly ReportingEvent[]): ContactRecord[] {
  const byContact = new Map<InteractionId, ReportingEvent[]>();
  for (const event of events) {
    const contactId = contactIdOf(event);
    if (contactId === undefined) continue;
    let list = byContact.get(contactId);
    if (list === undefined) {
      list = [];
      byContact.set(contactId, list);
    }
    list.push(event);
  }
  const records: ContactRecord[] = [];
  for (const list of byContact.values()) {
    const record = foldContact(list);
    if (record !== undefined) records.push(record);
  }
  return records.sort(
    (a, b) =>
      a.arrivedAtMs - b.arrivedAtMs || (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0),
  );
}
