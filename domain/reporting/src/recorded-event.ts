import type { ReportingEvent } from './events.ts';

/** One row of `domain_events` as the store reads it. */
export interface RecordedEventRow {
  readonly seq: number;
  readonly type: string;
  readonly occurredAtMs: number;
  readonly data: unknown;
}

type FieldKind = 'string' | 'number' | 'object' | 'string-or-null' | 'optional-string';

/** The fields each event needs before a fold can trust it; anything else in `data` is ignored. */
const requiredFields: Readonly<Record<ReportingEvent['type'], Readonly<Record<string, FieldKind>>>> = {
  ContactQueued: { contactId: 'string', queueId: 'string' },
  ContactAnswered: { contactId: 'string', queueId: 'string', agentId: 'string', waitMs: 'number' },
  ContactMoved: { contactId: 'string', fromQueueId: 'string', toQueueId: 'string', reason: 'string' },
  EscalationApplied: { contactId: 'string', queueId: 'string' },
  ContactFinished: {
    contactId: 'string',
    queueId: 'string',
    channel: 'string',
    outcome: 'string',
    waitMs: 'number',
    detail: 'optional-string',
  },
  AgentPresenceChanged: { agentId: 'string', from: 'object', to: 'object' },
  AgentActivityChanged: {
    agentId: 'string',
    contactId: 'string',
    from: 'string',
    to: 'string',
    cause: 'object',
  },
  CallReceived: {
    interactionId: 'string',
    direction: 'string',
    channel: 'string',
    customerId: 'string-or-null',
  },
  CallAnswered: { interactionId: 'string', by: 'string', agentId: 'optional-string' },
  CallHeld: { interactionId: 'string', agentId: 'string' },
  CallResumed: { interactionId: 'string', agentId: 'string' },
  CallTransferred: {
    interactionId: 'string',
    fromAgentId: 'string',
    kind: 'string',
    targetKind: 'string',
    targetId: 'string',
  },
  CallEnded: { interactionId: 'string', cause: 'string' },
  InteractionUpdated: { interactionId: 'string', status: 'string', disposition: 'string-or-null' },
  TicketCreated: { ticketId: 'string', customerId: 'string', status: 'string' },
  TicketUpdated: { ticketId: 'string', status: 'string' },
  SurveyAnswered: { interactionId: 'string', agentId: 'string-or-null', kind: 'string', score: 'number' },
  QualityScored: { interactionId: 'string', agentId: 'string', scorePct: 'number' },
};

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'string-or-null':
      return value === null || typeof value === 'string';
    case 'optional-string':
      return value === undefined || typeof value === 'string';
  }
}

function isReportingType(type: string): type is ReportingEvent['type'] {
  return Object.hasOwn(requiredFields, type);
}

/**
 * The event a report reads from one recorded row, or undefined when reports do not read that type or
 * the row lacks a field they need (an older or different shape under the same name is skipped, never
 * guessed at). Values inside known fields (outcomes, reasons) are taken as the writer recorded them.
 */
export function reportingEventOf(row: RecordedEventRow): ReportingEvent | undefined {
  if (!isReportingType(row.type)) return undefined;
  if (typeof row.data !== 'object' || row.data === null) return undefined;
  const data = row.data as Readonly<Record<string, unknown>>;
  for (const [field, kind] of Object.entries(requiredFields[row.type])) {
    if (!hasKind(data[field], kind)) return undefined;
  }
  // Summaries keep durations in whole milliseconds: a writer's fraction of one (arithmetic on a clock with a
  // finer grain) is rounded here rather than refused by the database, which would hold every later event up.
  const durations: Record<string, number> = {};
  for (const [field, value] of Object.entries(data)) {
    if (field.endsWith('Ms') && typeof value === 'number' && !Number.isInteger(value))
      durations[field] = Number.isFinite(value) ? Math.round(value) : 0;
  }
  // The checks above are what the cast relies on: each type's fields are present with the right kinds.
  return {
    ...data,
    ...durations,
    type: row.type,
    atMs: row.occurredAtMs,
    seq: row.seq,
  } as ReportingEvent;
}
