import { summaryFields, valuesOf } from '@centralita/reporting';
import type { AgentId, QueueId } from '@centralita/kernel';
import type { Channel, Direction, ReportingEvent, SummaryField, SummaryRow } from '@centralita/reporting';

/** The column of each summary figure in `report_summaries`: the figure's name in snake case. */
export const summaryColumns: Readonly<Record<SummaryField, string>> = Object.fromEntries(
  summaryFields.map((field) => [field, field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)]),
) as Record<SummaryField, string>;

/**
 * A summary row as a record keeps its contribution (jsonb): the interval start in epoch ms, the
 * dimensions, and only the figures that are not zero, so a contact's rows stay a few hundred bytes.
 */
export interface StoredRow {
  readonly i: number;
  readonly q: string | null;
  readonly a: string | null;
  readonly c: string | null;
  readonly d: string | null;
  readonly v: Partial<Record<SummaryField, number>>;
}

export function storedRowsOf(rows: readonly SummaryRow[]): StoredRow[] {
  return rows.map((row) => {
    const values: Partial<Record<SummaryField, number>> = {};
    for (const field of summaryFields) if (row.values[field] !== 0) values[field] = row.values[field];
    return {
      i: row.key.intervalStartMs,
      q: row.key.queueId,
      a: row.key.agentId,
      c: row.key.channel,
      d: row.key.direction,
      v: values,
    };
  });
}

export function summaryRowsOf(stored: readonly StoredRow[]): SummaryRow[] {
  return stored.map((row) => ({
    key: {
      intervalStartMs: row.i,
      queueId: row.q as QueueId | null,
      agentId: row.a as AgentId | null,
      channel: row.c as Channel | null,
      direction: row.d as Direction | null,
    },
    values: valuesOf(row.v),
  }));
}

/**
 * The fields of each event that reports read. Records keep only these (never a caller's number or
 * anything else an event carries), in the shape `reportingEventOf` gives.
 */
const keptFields: Readonly<Record<ReportingEvent['type'], readonly string[]>> = {
  ContactQueued: ['contactId', 'queueId'],
  ContactAnswered: ['contactId', 'queueId', 'agentId', 'waitMs'],
  ContactMoved: ['contactId', 'fromQueueId', 'toQueueId', 'reason'],
  EscalationApplied: ['contactId', 'queueId'],
  ContactFinished: ['contactId', 'queueId', 'channel', 'outcome', 'detail', 'waitMs'],
  AgentPresenceChanged: ['agentId', 'from', 'to'],
  AgentActivityChanged: ['agentId', 'contactId', 'from', 'to', 'cause'],
  CallReceived: ['interactionId', 'direction', 'channel', 'customerId'],
  CallAnswered: ['interactionId', 'by', 'agentId'],
  CallHeld: ['interactionId', 'agentId'],
  CallResumed: ['interactionId', 'agentId'],
  CallTransferred: ['interactionId', 'fromAgentId', 'kind', 'targetKind', 'targetId'],
  CallEnded: ['interactionId', 'cause'],
  InteractionUpdated: ['interactionId', 'status', 'disposition'],
  TicketCreated: ['ticketId', 'customerId', 'status'],
  TicketUpdated: ['ticketId', 'status'],
  SurveyAnswered: ['interactionId', 'agentId', 'kind', 'score'],
  QualityScored: ['interactionId', 'agentId', 'scorePct'],
};

/** Presence and activity causes: only the reason matters to reports (missed or declined offers). */
function compactValue(field: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (field === 'from' || field === 'to') return { kind: record['kind'] };
  if (field === 'cause') return { reason: record['reason'] };
  return value;
}

/** The event with only what reports read, for a record's `events` column. */
export function compactEvent(event: ReportingEvent): ReportingEvent {
  const source = event as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = { type: event.type, atMs: event.atMs, seq: event.seq };
  for (const field of keptFields[event.type]) {
    if (source[field] !== undefined) kept[field] = compactValue(field, source[field]);
  }
  // Built from a checked event, field by field: the same shape with fewer extras.
  return kept as unknown as ReportingEvent;
}

/** Adds events to a record's list, once each (an event read twice changes nothing). */
export function mergeEvents(
  stored: readonly ReportingEvent[],
  added: readonly ReportingEvent[],
): { readonly events: ReportingEvent[]; readonly isChanged: boolean } {
  const seen = new Set(stored.map((event) => event.seq));
  const events = [...stored];
  for (const event of added) {
    if (seen.has(event.seq)) continue;
    seen.add(event.seq);
    events.push(compactEvent(event));
  }
  return { events, isChanged: events.length !== stored.length };
}
