import {
  agentTimeContributions,
  builtInTicketCategory,
  contactIdOf,
  contributionChanges,
  contributionsOf,
  foldAgentTimeline,
  foldContact,
  foldTicket,
  isFcrEligible,
  isFcrSameMatter,
  isRepeatOf,
  matterQueueOf,
  reportingEventOf,
  reportingEventTypes,
  summaryFields,
  ticketContributions,
  ticketIdOf,
  timeZoneCalendar,
  timelineAgentIdOf,
} from '@centralita/reporting';
import type {
  Activity,
  AgentState,
  ContributionChange,
  ContributionOptions,
  FcrContact,
  FcrRule,
  FcrStatus,
  PresenceKind,
  ReportingEvent,
  RowKey,
  SummaryField,
  SummaryRow,
  TicketCategoryOf,
  TicketStatusCategory,
  TimeZoneCalendar,
} from '@centralita/reporting';
import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { Tx } from './database.ts';
import type { StoredRow } from './reports-rows.ts';
import { mergeEvents, storedRowsOf, summaryColumns, summaryRowsOf } from './reports-rows.ts';

/** A row of domain_events as the projector reads it; `data` is null for types reports do not read. */
export interface StoredEvent {
  readonly seq: number;
  readonly tenantId: string;
  readonly type: string;
  readonly occurredAtMs: number;
  readonly data: unknown;
}

/** What one batch did. */
export interface ApplyResult {
  /** The checkpoint after the batch. */
  readonly throughSeq: number;
  /** Events reports read among the batch's rows. */
  readonly reportingEvents: number;
  /** Summary rows written (inserted, updated or deleted). */
  readonly summaryRowsChanged: number;
}

/**
 * Events the projector reads per transaction (when that many are waiting: catching up). A contact or an
 * agent's hour with events in several batches is folded and written again in each, so bigger batches
 * catch up faster; 20,000 events are a few seconds of a busy center and a few megabytes of memory.
 */
export const projectorBatchSize = 20_000;

/** The finest interval summary rows are kept in; coarser ones are added up from it. */
const keptGranularity = '15min';
const agentWindowMs = 3_600_000;
/** A contact enters its queues within a day of arriving: where to look for an interval's contacts. */
const contactSpanMs = 86_400_000;
const intervalMs = 15 * 60_000;

/** The last domain_events.seq applied to the summaries. */
export async function readCheckpoint(tx: Tx): Promise<number> {
  const row = (
    await tx.query<{ lastSeq: number }>('SELECT last_seq::float8 AS "lastSeq" FROM report_checkpoint')
  ).rows[0];
  return row?.lastSeq ?? 0;
}

/** Up to `limit` events after `afterSeq`, in recording order, across tenants (system transaction). */
export async function readEventsAfter(tx: Tx, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  const result = await tx.query<StoredEvent>(
    // Ordered by the table's seq, not the float8 column of the same name: that one has no index, and
    // sorting by it sorted every event after the checkpoint, once per batch.
    `SELECT e.seq::float8 AS seq, e.tenant_id::text AS "tenantId", e.type,
            floor(extract(epoch FROM e.occurred_at) * 1000)::float8 AS "occurredAtMs",
            CASE WHEN e.type = ANY($3::text[]) THEN e.data END AS data
       FROM domain_events e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
    [afterSeq, limit, reportingEventTypes],
  );
  return result.rows;
}

/** The newest recorded event's seq (0 for none): how far a catch-up has to go. */
export async function latestSeq(tx: Tx): Promise<number> {
  const row = (await tx.query<{ seq: number | null }>('SELECT max(seq)::float8 AS seq FROM domain_events'))
    .rows[0];
  return row?.seq ?? 0;
}

/** What one step of the projector did. */
export interface ProjectResult extends ApplyResult {
  /** Rows of domain_events read (every type). */
  readonly rows: number;
  /**
   * Set when the step stopped before a missing seq with later events already visible: a transaction
   * that took that seq has not committed yet (or rolled back). The seq after which it is missing.
   */
  readonly gapAfterSeq: number | undefined;
  /** The highest seq read, applied or not (a hole below it was taken by a transaction already running). */
  readonly lastSeqRead: number;
}

/**
 * One step of the projector, in the caller's (system) transaction: reads up to `limit` events after the
 * checkpoint and applies those that follow it without a gap. Sequence numbers are taken when a
 * transaction inserts its events, not when it commits, so a later seq can be visible before an earlier
 * one; applying past the hole would lose that event for good. A hole stays until its transaction
 * commits or until the caller decides it never will (a rollback) and passes `skipGapsBelow` past it.
 */
export async function projectPending(
  tx: Tx,
  options: {
    readonly limit: number;
    readonly nowMs: number;
    readonly skipGapsBelow?: number;
    /** Calendars by time zone, kept by the caller between steps (each caches the zone's offsets). */
    readonly calendars?: Map<string, TimeZoneCalendar>;
  },
): Promise<ProjectResult> {
  const checkpoint = await lockCheckpoint(tx);
  const rows = await readEventsAfter(tx, checkpoint, options.limit);
  let expected = checkpoint + 1;
  let contiguous = 0;
  for (const row of rows) {
    if (row.seq !== expected && row.seq > (options.skipGapsBelow ?? 0)) break;
    expected = row.seq + 1;
    contiguous += 1;
  }
  const batch = rows.slice(0, contiguous);
  const applied = await applyRows(
    tx,
    checkpoint,
    batch,
    options.nowMs,
    options.calendars ?? new Map<string, TimeZoneCalendar>(),
  );
  return {
    ...applied,
    rows: batch.length,
    gapAfterSeq: contiguous < rows.length ? applied.throughSeq : undefined,
    lastSeqRead: rows.at(-1)?.seq ?? checkpoint,
  };
}

/**
 * Moves the checkpoint past the next event when the summaries refuse it every time (a value out of range, a
 * writer's bug): one event left out of the reports instead of every later one held up. It stays in
 * domain_events. Only the event right after the checkpoint is set aside, and only when it is `seq` (the one
 * that failed alone); returns its type and tenant, or undefined when the checkpoint has moved on.
 */
export async function setEventAside(
  tx: Tx,
  seq: number,
): Promise<{ readonly type: string; readonly tenantId: string } | undefined> {
  const checkpoint = await lockCheckpoint(tx);
  const [next] = await readEventsAfter(tx, checkpoint, 1);
  if (next?.seq !== seq) return undefined;
  await tx.query('UPDATE report_checkpoint SET last_seq = $1, updated_at = now()', [seq]);
  return { type: next.type, tenantId: next.tenantId };
}

/**
 * Applies recorded events to the summaries and moves the checkpoint past the last of them, in the
 * caller's (system) transaction: the summaries and the checkpoint commit together or not at all. Every
 * contact, ticket and agent window an event belongs to is folded again from all its events, and the
 * difference between its old and new contribution is applied (docs/metrics.md, "Late and corrected
 * events"). `nowMs` is how far the time of agents still logged in runs. Events at or before the
 * checkpoint are skipped, so a batch applied twice counts once.
 */
export async function applyEvents(
  tx: Tx,
  rows: readonly StoredEvent[],
  options: { readonly nowMs: number },
): Promise<ApplyResult> {
  const checkpoint = await lockCheckpoint(tx);
  return applyRows(tx, checkpoint, rows, options.nowMs, new Map());
}

async function applyRows(
  tx: Tx,
  checkpoint: number,
  rows: readonly StoredEvent[],
  nowMs: number,
  calendars: Map<string, TimeZoneCalendar>,
): Promise<ApplyResult> {
  const fresh = rows.filter((row) => row.seq > checkpoint);
  const byTenant = new Map<string, ReportingEvent[]>();
  let reportingEvents = 0;
  for (const row of fresh) {
    if (row.data === null) continue;
    const event = reportingEventOf({
      seq: row.seq,
      type: row.type,
      occurredAtMs: row.occurredAtMs,
      data: row.data,
    });
    if (event === undefined) continue;
    reportingEvents += 1;
    const list = byTenant.get(row.tenantId) ?? [];
    list.push(event);
    byTenant.set(row.tenantId, list);
  }
  let summaryRowsChanged = 0;
  for (const [tenantId, events] of byTenant) {
    const settings = await tenantReporting(tx, tenantId, calendars);
    const changes: ContributionChange[] = [];
    await projectContacts(tx, tenantId, events, settings, changes);
    await projectTickets(tx, tenantId, events, settings, changes);
    // The last window of a logged-in agent runs to what the projector knows of: the newest event it is
    // applying, never past the clock. Replaying history then does not count agents logged in up to
    // today between two batches; advanceAgentTime runs them to the clock once the projector is idle.
    const horizonMs = Math.min(nowMs, Math.max(...events.map((event) => event.atMs)));
    await projectAgents(tx, tenantId, events, settings, horizonMs, changes);
    summaryRowsChanged += await applyChanges(tx, tenantId, changes, settings.calendar);
  }
  const throughSeq = Math.max(checkpoint, ...fresh.map((row) => row.seq));
  if (throughSeq > checkpoint)
    await tx.query('UPDATE report_checkpoint SET last_seq = $1, updated_at = now()', [throughSeq]);
  return { throughSeq, reportingEvents, summaryRowsChanged };
}

/**
 * Runs the time of agents still logged in at the end of their last window up to `nowMs` (an agent
 * available all afternoon with no event still accrues available time). The projector calls it now and then.
 */
export async function advanceAgentTime(tx: Tx, nowMs: number): Promise<number> {
  await lockCheckpoint(tx);
  const open = await tx.query<AgentWindowRow & { tenantId: string }>(
    `SELECT w.tenant_id::text AS "tenantId", ${agentWindowColumns}
       FROM report_agent_windows w
      WHERE (w.end_state ->> 'isLoggedIn')::boolean AND w.folded_until < $1
        AND NOT EXISTS (SELECT 1 FROM report_agent_windows n
                         WHERE n.tenant_id = w.tenant_id AND n.agent_id = w.agent_id AND n.window_start > w.window_start)`,
    [new Date(nowMs)],
  );
  const byTenant = new Map<string, AgentWindowRow[]>();
  for (const row of open.rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
  let changed = 0;
  for (const [tenantId, windows] of byTenant) {
    const settings = await tenantReporting(tx, tenantId, new Map());
    const changes: ContributionChange[] = [];
    const dirty: AgentWindow[] = [];
    for (const row of windows) {
      const window = agentWindowOf(row);
      if (refoldWindow(window, window.startState, nowMs, settings.calendar, changes)) dirty.push(window);
    }
    await saveAgentWindows(tx, tenantId, dirty);
    changed += await applyChanges(tx, tenantId, changes, settings.calendar);
  }
  return changed;
}

async function lockCheckpoint(tx: Tx): Promise<number> {
  // One projector at a time: a second one waits here, then sees the checkpoint the first one left.
  const row = (
    await tx.query<{ lastSeq: number }>(
      'SELECT last_seq::float8 AS "lastSeq" FROM report_checkpoint FOR UPDATE',
    )
  ).rows[0];
  if (row === undefined) throw new Error('report_checkpoint is empty: migration 0004 did not run');
  return row.lastSeq;
}

/**
 * Rows for `json_to_recordset($n::json) AS r(column type, …)`: a batch written in one statement with one
 * parameter. One JSON document costs far less to send and to read than an array parameter per column,
 * whose every element is quoted and escaped on the way out and parsed again on the way in.
 */
function recordsParam(rows: readonly object[]): string {
  return JSON.stringify(rows);
}

// ---------------------------------------------------------------------------------------------------
// Tenant settings
// ---------------------------------------------------------------------------------------------------

interface TenantReporting {
  readonly calendar: TimeZoneCalendar;
  readonly options: ContributionOptions;
  /** N days of first-contact resolution, in ms (`settings.reports.fcrWindowDays`, 7 by default). */
  readonly fcrWindowMs: number;
  /** The window and what counts as the same matter (`settings.reports.fcrSameMatter`, any-contact by default). */
  readonly fcrRule: FcrRule;
  readonly categoryOf: TicketCategoryOf;
}

/** Report settings a tenant may set in `settings.reports` (docs/metrics.md, "Reports"). */
interface ReportSettings {
  readonly shortAbandonSeconds?: unknown;
  readonly billingIncrementSeconds?: unknown;
  readonly billingMinimumSeconds?: unknown;
  readonly fcrWindowDays?: unknown;
  readonly fcrSameMatter?: unknown;
  readonly dispositionValuesMinor?: unknown;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

async function tenantReporting(
  tx: Tx,
  tenantId: string,
  calendars: Map<string, TimeZoneCalendar>,
): Promise<TenantReporting> {
  const tenant = (
    await tx.query<{ timeZone: string; settings: Record<string, unknown> }>(
      'SELECT time_zone AS "timeZone", settings FROM tenants WHERE id = $1',
      [tenantId],
    )
  ).rows[0];
  const timeZone = tenant?.timeZone ?? 'UTC';
  let calendar = calendars.get(timeZone);
  if (calendar === undefined) {
    // A zone Intl does not know would stop every report of the tenant; its figures fall back to UTC.
    const zoned = timeZoneCalendar(timeZone);
    calendar = zoned.ok
      ? zoned.value
      : (timeZoneCalendar('UTC') as { ok: true; value: TimeZoneCalendar }).value;
    calendars.set(timeZone, calendar);
  }
  const thresholds = new Map(
    (
      await tx.query<{ id: string; thresholdS: number }>(
        'SELECT id::text, service_level_threshold_s AS "thresholdS" FROM queues WHERE tenant_id = $1',
        [tenantId],
      )
    ).rows.map((row) => [row.id, row.thresholdS * 1000]),
  );
  const categories = new Map(
    (
      await tx.query<{ code: string; category: TicketStatusCategory }>(
        'SELECT code, category FROM ticket_statuses WHERE tenant_id = $1',
        [tenantId],
      )
    ).rows.map((row) => [row.code, row.category]),
  );
  const reportSettings = (tenant?.settings['reports'] ?? {}) as ReportSettings;
  const values =
    typeof reportSettings.dispositionValuesMinor === 'object' &&
    reportSettings.dispositionValuesMinor !== null
      ? (reportSettings.dispositionValuesMinor as Record<string, unknown>)
      : {};
  const fcrWindowDays = Math.min(90, Math.max(1, numberOr(reportSettings.fcrWindowDays, 7)));
  return {
    calendar,
    fcrWindowMs: fcrWindowDays * 86_400_000,
    fcrRule: {
      windowDays: fcrWindowDays,
      sameMatter: isFcrSameMatter(reportSettings.fcrSameMatter)
        ? reportSettings.fcrSameMatter
        : 'any-contact',
    },
    categoryOf: (status) => categories.get(status) ?? builtInTicketCategory(status),
    options: {
      calendar,
      granularity: keptGranularity,
      // The queues table's default: a queue deleted since (or the engine's placeholder) is judged by it.
      serviceLevelThresholdMs: (queueId) => thresholds.get(queueId) ?? 20_000,
      shortAbandonMs: numberOr(reportSettings.shortAbandonSeconds, 5) * 1000,
      billingRounding: {
        incrementSeconds: numberOr(reportSettings.billingIncrementSeconds, 1),
        minimumSeconds: numberOr(reportSettings.billingMinimumSeconds, 0),
      },
      dispositionValueMinor: (disposition) => numberOr(values[disposition], 0),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Contacts and tickets: one record each, folded again whenever one of its events arrives
// ---------------------------------------------------------------------------------------------------

function groupBy<K>(events: readonly ReportingEvent[], keyOf: (event: ReportingEvent) => K | undefined) {
  const groups = new Map<K, ReportingEvent[]>();
  for (const event of events) {
    const key = keyOf(event);
    if (key === undefined) continue;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [event]);
    else list.push(event);
  }
  return groups;
}

interface RecordRow {
  readonly id: string;
  readonly events: ReportingEvent[];
  readonly contribution: StoredRow[];
}

interface ContactRow extends RecordRow {
  readonly fcr: FcrStatus | null;
  readonly customerId: string | null;
  readonly matterQueueId: string | null;
}

/** A contact's contribution with its first-contact resolution status (none when not eligible). */
function contactContribution(
  record: NonNullable<ReturnType<typeof foldContact>>,
  status: FcrStatus | null,
  settings: TenantReporting,
): SummaryRow[] {
  return contributionsOf(
    record,
    status === null
      ? settings.options
      : { ...settings.options, firstContactResolution: new Map([[record.contactId, status]]) },
  );
}

async function projectContacts(
  tx: Tx,
  tenantId: string,
  events: readonly ReportingEvent[],
  settings: TenantReporting,
  changes: ContributionChange[],
): Promise<void> {
  const byContact = groupBy(events, contactIdOf);
  if (byContact.size === 0) return;
  const ids = [...byContact.keys()];
  const stored = new Map(
    (
      await tx.query<ContactRow>(
        `SELECT contact_id AS id, events, contribution, fcr, customer_id AS "customerId",
                matter_queue_id AS "matterQueueId"
           FROM report_contacts WHERE tenant_id = $1 AND contact_id = ANY($2::text[])`,
        [tenantId, ids],
      )
    ).rows.map((row) => [row.id, row]),
  );
  const written: {
    id: string;
    arrivedAtMs: number;
    customerId: string | null;
    isInbound: boolean;
    matterQueueId: QueueId | null;
    fcr: FcrStatus | null;
    /** New, for another customer or queue, or newly eligible: its repeats are to be looked for. */
    isChangedForFcr: boolean;
    events: ReportingEvent[];
    contribution: StoredRow[];
  }[] = [];
  for (const [id, added] of byContact) {
    const previous = stored.get(id);
    const merged = mergeEvents(previous?.events ?? [], added);
    if (!merged.isChanged) continue;
    const record = foldContact(merged.events);
    if (record === undefined) continue;
    // A contact that became eligible (an agent answered) starts pending; one already judged keeps its status.
    const status = isFcrEligible(record) ? (previous?.fcr ?? 'pending') : null;
    const matterQueueId = matterQueueOf(record);
    const after = contactContribution(record, status, settings);
    changes.push(...contributionChanges(summaryRowsOf(previous?.contribution ?? []), after));
    written.push({
      id,
      arrivedAtMs: record.arrivedAtMs,
      customerId: record.customerId,
      isInbound: record.direction === 'inbound',
      matterQueueId,
      fcr: status,
      // A contact usually reaches its queue in a later batch than its arrival (after the IVR): judged again then.
      isChangedForFcr:
        previous === undefined ||
        previous.customerId !== record.customerId ||
        previous.matterQueueId !== matterQueueId ||
        (previous.fcr === null && status !== null),
      events: merged.events,
      contribution: storedRowsOf(after),
    });
  }
  if (written.length === 0) return;
  await tx.query(
    `INSERT INTO report_contacts (tenant_id, contact_id, arrived_at, events, contribution, customer_id, is_inbound,
                                  matter_queue_id, fcr)
     SELECT $1::uuid, r.contact_id, r.arrived_at, r.events, r.contribution, r.customer_id, r.is_inbound,
            r.matter_queue_id, r.fcr
       FROM json_to_recordset($2::json) AS r(contact_id text, arrived_at timestamptz, events jsonb, contribution jsonb,
                                              customer_id text, is_inbound boolean, matter_queue_id text, fcr text)
     ON CONFLICT (tenant_id, contact_id) DO UPDATE
       SET arrived_at = excluded.arrived_at, events = excluded.events, contribution = excluded.contribution,
           customer_id = excluded.customer_id, is_inbound = excluded.is_inbound,
           matter_queue_id = excluded.matter_queue_id, fcr = excluded.fcr`,
    [
      tenantId,
      recordsParam(
        written.map((w) => ({
          contact_id: w.id,
          arrived_at: new Date(w.arrivedAtMs).toISOString(),
          events: w.events,
          contribution: w.contribution,
          customer_id: w.customerId,
          is_inbound: w.isInbound,
          matter_queue_id: w.matterQueueId,
          fcr: w.fcr,
        })),
      ),
    ],
  );
  await markRepeats(
    tx,
    tenantId,
    written.filter((contact) => contact.isChangedForFcr),
    settings,
    changes,
  );
}

/**
 * The repeats among newly folded contacts (docs/metrics.md, "First-contact resolution"): an inbound contact of
 * a known customer may repeat that customer's eligible contacts of the N days before it, and an eligible
 * contact folded late is itself `repeated` when a contact of the customer already folded repeats it. The
 * database finds the customer's contacts within the window either side; `isRepeatOf` decides each pair.
 */
async function markRepeats(
  tx: Tx,
  tenantId: string,
  written: readonly {
    readonly id: string;
    readonly arrivedAtMs: number;
    readonly customerId: string | null;
    readonly isInbound: boolean;
    readonly matterQueueId: QueueId | null;
    readonly fcr: FcrStatus | null;
  }[],
  settings: TenantReporting,
  changes: ContributionChange[],
): Promise<void> {
  const inbound = written.filter((contact) => contact.isInbound && contact.customerId !== null);
  if (inbound.length === 0) return;
  // One query for the whole batch: for each inbound contact, the customer's eligible contacts of the N days
  // before it (it may repeat them) and, when it is eligible itself, their inbound contacts of the N days after.
  const candidates = await tx.query<{
    newId: string;
    id: string;
    arrivedAtMs: number;
    isInbound: boolean;
    matterQueueId: QueueId | null;
    /** The stored contact arrived before the folded one (which may repeat it), or after it (may repeat it). */
    isEarlier: boolean;
  }>(
    `SELECT n.id AS "newId", c.contact_id AS id, (extract(epoch FROM c.arrived_at) * 1000)::float8 AS "arrivedAtMs",
            c.is_inbound AS "isInbound", c.matter_queue_id AS "matterQueueId", true AS "isEarlier"
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::boolean[]) AS n(id, customer_id, arrived_at, is_judged)
       JOIN report_contacts c ON c.tenant_id = $1 AND c.customer_id = n.customer_id AND c.contact_id <> n.id
      WHERE c.fcr IN ('pending', 'resolved') AND c.arrived_at < n.arrived_at
        AND c.arrived_at >= n.arrived_at - $6 * interval '1 millisecond'
     UNION ALL
     SELECT n.id, c.contact_id, (extract(epoch FROM c.arrived_at) * 1000)::float8, c.is_inbound, c.matter_queue_id, false
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::boolean[]) AS n(id, customer_id, arrived_at, is_judged)
       JOIN report_contacts c ON c.tenant_id = $1 AND c.customer_id = n.customer_id AND c.contact_id <> n.id
      WHERE n.is_judged AND c.is_inbound AND c.arrived_at > n.arrived_at
        AND c.arrived_at <= n.arrived_at + $6 * interval '1 millisecond'`,
    [
      tenantId,
      inbound.map((contact) => contact.id),
      inbound.map((contact) => contact.customerId),
      inbound.map((contact) => new Date(contact.arrivedAtMs).toISOString()),
      inbound.map((contact) => contact.fcr === 'pending' || contact.fcr === 'resolved'),
      settings.fcrWindowMs,
    ],
  );
  const byId = new Map(inbound.map((contact) => [contact.id, contact]));
  const repeated = new Set<string>();
  for (const candidate of candidates.rows) {
    const folded = byId.get(candidate.newId);
    if (folded === undefined) continue;
    const stored: FcrContact = {
      customerId: folded.customerId,
      isInbound: candidate.isInbound,
      arrivedAtMs: candidate.arrivedAtMs,
      matterQueueId: candidate.matterQueueId,
    };
    if (candidate.isEarlier) {
      if (isRepeatOf(folded, stored, settings.fcrRule)) repeated.add(candidate.id);
    } else if (isRepeatOf(stored, folded, settings.fcrRule)) repeated.add(folded.id);
  }
  if (repeated.size > 0) await judgeContacts(tx, tenantId, [...repeated], 'repeated', settings, changes);
}

/** Gives stored contacts an FCR status and moves their contribution with it. */
async function judgeContacts(
  tx: Tx,
  tenantId: string,
  ids: readonly string[],
  status: FcrStatus,
  settings: TenantReporting,
  changes: ContributionChange[],
): Promise<void> {
  const rows = await tx.query<ContactRow>(
    `SELECT contact_id AS id, events, contribution, fcr FROM report_contacts
      WHERE tenant_id = $1 AND contact_id = ANY($2::text[]) FOR UPDATE`,
    [tenantId, ids],
  );
  const updated: { id: string; contribution: StoredRow[] }[] = [];
  for (const row of rows.rows) {
    const record = foldContact(row.events);
    if (record === undefined || !isFcrEligible(record) || row.fcr === status) continue;
    const after = contactContribution(record, status, settings);
    changes.push(...contributionChanges(summaryRowsOf(row.contribution), after));
    updated.push({ id: row.id, contribution: storedRowsOf(after) });
  }
  if (updated.length === 0) return;
  await tx.query(
    `UPDATE report_contacts c SET fcr = $2, contribution = u.contribution
       FROM json_to_recordset($3::json) AS u(id text, contribution jsonb)
      WHERE c.tenant_id = $1 AND c.contact_id = u.id`,
    [tenantId, status, recordsParam(updated)],
  );
}

/**
 * Settles first-contact resolution with the clock: pending contacts whose window has passed without a repeat
 * become `resolved` (at most `limit` per call; the projector calls it now and then). Returns how many.
 */
export async function settleFirstContacts(tx: Tx, nowMs: number, limit = 5_000): Promise<number> {
  await lockCheckpoint(tx);
  const due = await tx.query<{ tenantId: string; id: string; arrivedAtMs: number }>(
    `SELECT tenant_id::text AS "tenantId", contact_id AS id, (extract(epoch FROM arrived_at) * 1000)::float8 AS "arrivedAtMs"
       FROM report_contacts WHERE fcr = 'pending' AND arrived_at <= $1 ORDER BY arrived_at LIMIT $2`,
    [new Date(nowMs - 86_400_000), limit],
  );
  const byTenant = new Map<string, { id: string; arrivedAtMs: number }[]>();
  for (const row of due.rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
  let settled = 0;
  for (const [tenantId, contacts] of byTenant) {
    const settings = await tenantReporting(tx, tenantId, new Map());
    const ripe = contacts.filter((contact) => contact.arrivedAtMs + settings.fcrWindowMs <= nowMs);
    if (ripe.length === 0) continue;
    const changes: ContributionChange[] = [];
    await judgeContacts(
      tx,
      tenantId,
      ripe.map((contact) => contact.id),
      'resolved',
      settings,
      changes,
    );
    await applyChanges(tx, tenantId, changes, settings.calendar);
    settled += ripe.length;
  }
  return settled;
}

async function projectTickets(
  tx: Tx,
  tenantId: string,
  events: readonly ReportingEvent[],
  settings: TenantReporting,
  changes: ContributionChange[],
): Promise<void> {
  const byTicket = groupBy(events, ticketIdOf);
  if (byTicket.size === 0) return;
  const stored = new Map(
    (
      await tx.query<RecordRow>(
        `SELECT ticket_id AS id, events, contribution FROM report_tickets
          WHERE tenant_id = $1 AND ticket_id = ANY($2::text[])`,
        [tenantId, [...byTicket.keys()]],
      )
    ).rows.map((row) => [row.id, row]),
  );
  const written: {
    id: string;
    createdAtMs: number | null;
    events: ReportingEvent[];
    contribution: StoredRow[];
  }[] = [];
  for (const [id, added] of byTicket) {
    const previous = stored.get(id);
    const merged = mergeEvents(previous?.events ?? [], added);
    if (!merged.isChanged) continue;
    // An update read before its ticket's creation waits in the record until TicketCreated arrives.
    const ticket = foldTicket(merged.events, settings.categoryOf);
    const after = ticket === undefined ? [] : ticketContributions(ticket, settings.options);
    changes.push(...contributionChanges(summaryRowsOf(previous?.contribution ?? []), after));
    written.push({
      id,
      createdAtMs: ticket?.createdAtMs ?? null,
      events: merged.events,
      contribution: storedRowsOf(after),
    });
  }
  if (written.length === 0) return;
  await tx.query(
    `INSERT INTO report_tickets (tenant_id, ticket_id, created_at, events, contribution)
     SELECT $1::uuid, r.ticket_id, r.created_at, r.events, r.contribution
       FROM json_to_recordset($2::json) AS r(ticket_id text, created_at timestamptz, events jsonb, contribution jsonb)
     ON CONFLICT (tenant_id, ticket_id) DO UPDATE
       SET created_at = excluded.created_at, events = excluded.events, contribution = excluded.contribution`,
    [
      tenantId,
      recordsParam(
        written.map((w) => ({
          ticket_id: w.id,
          created_at: w.createdAtMs === null ? null : new Date(w.createdAtMs).toISOString(),
          events: w.events,
          contribution: w.contribution,
        })),
      ),
    ],
  );
}

// ---------------------------------------------------------------------------------------------------
// Agent time: windows of an hour with events, chained by the state at their ends
// ---------------------------------------------------------------------------------------------------

interface StoredAgentState {
  readonly presence: PresenceKind;
  readonly activities: readonly (readonly [string, Activity])[];
  readonly isLoggedIn: boolean;
}

interface AgentWindowRow {
  readonly agentId: string;
  readonly windowStart: Date;
  readonly foldedUntil: Date;
  readonly events: ReportingEvent[];
  readonly startState: StoredAgentState | null;
  readonly endState: StoredAgentState;
  readonly contribution: StoredRow[];
}

const agentWindowColumns = `w.agent_id AS "agentId", w.window_start AS "windowStart", w.folded_until AS "foldedUntil",
  w.events, w.start_state AS "startState", w.end_state AS "endState", w.contribution`;

interface AgentWindow {
  readonly agentId: string;
  readonly startMs: number;
  events: ReportingEvent[];
  startState: AgentState | undefined;
  endState: AgentState;
  foldedUntilMs: number;
  contribution: SummaryRow[];
  /** Stored before this batch (its contribution is in the summaries). */
  readonly isStored: boolean;
  /** Received events in this batch. */
  hasNewEvents: boolean;
}

function agentStateOf(stored: StoredAgentState): AgentState {
  return {
    presence: stored.presence,
    activities: new Map(stored.activities.map(([id, activity]) => [id as InteractionId, activity])),
  };
}

function storedAgentStateOf(state: AgentState): StoredAgentState {
  const activities = [...state.activities.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const isBusy = activities.some(([, activity]) => activity === 'on-contact' || activity === 'wrap-up');
  return { presence: state.presence, activities, isLoggedIn: state.presence !== 'offline' || isBusy };
}

function isSameState(a: AgentState, b: AgentState): boolean {
  return JSON.stringify(storedAgentStateOf(a)) === JSON.stringify(storedAgentStateOf(b));
}

function agentWindowOf(row: AgentWindowRow): AgentWindow {
  return {
    agentId: row.agentId,
    startMs: row.windowStart.getTime(),
    events: row.events,
    startState: row.startState === null ? undefined : agentStateOf(row.startState),
    endState: agentStateOf(row.endState),
    foldedUntilMs: row.foldedUntil.getTime(),
    contribution: summaryRowsOf(row.contribution),
    isStored: true,
    hasNewEvents: false,
  };
}

function isSameStartState(a: AgentState | undefined, b: AgentState | undefined): boolean {
  return a === undefined || b === undefined ? a === b : isSameState(a, b);
}

/**
 * Folds one window from `initial` up to `untilMs` and records the change of its contribution. Returns
 * whether the window is to be saved: new, with new events, or folded into something else than it was
 * stored as (the window before an agent's new events is usually folded again to the same result).
 */
function refoldWindow(
  window: AgentWindow,
  initial: AgentState | undefined,
  untilMs: number,
  calendar: TimeZoneCalendar,
  changes: ContributionChange[],
): boolean {
  // The very first window of an agent starts at its first event: before it, nothing is known.
  const firstAtMs = Math.min(...window.events.map((event) => event.atMs));
  const fromMs = initial === undefined ? firstAtMs : window.startMs;
  const lastAtMs = Math.max(...window.events.map((event) => event.atMs));
  const toMs = Math.max(untilMs, lastAtMs + 1);
  const timeline = foldAgentTimeline(window.agentId as AgentId, window.events, { fromMs, toMs }, initial);
  const after = agentTimeContributions(timeline, { calendar, granularity: keptGranularity });
  const windowChanges = contributionChanges(window.contribution, after);
  changes.push(...windowChanges);
  const isChanged =
    !window.isStored ||
    window.hasNewEvents ||
    windowChanges.length > 0 ||
    window.foldedUntilMs !== toMs ||
    !isSameStartState(window.startState, initial) ||
    !isSameState(window.endState, timeline.endState);
  window.startState = initial;
  window.endState = timeline.endState;
  window.foldedUntilMs = toMs;
  window.contribution = after;
  return isChanged;
}

async function projectAgents(
  tx: Tx,
  tenantId: string,
  events: readonly ReportingEvent[],
  settings: TenantReporting,
  nowMs: number,
  changes: ContributionChange[],
): Promise<void> {
  const byAgent = groupBy(events, timelineAgentIdOf);
  if (byAgent.size === 0) return;
  const spans = [...byAgent.entries()].map(([agentId, list]) => {
    const starts = list.map((event) => Math.floor(event.atMs / agentWindowMs) * agentWindowMs);
    return { agentId, minMs: Math.min(...starts), maxMs: Math.max(...starts) };
  });
  // For each agent: the window before the new events, the windows they fall in, and the one after.
  const loaded = await tx.query<AgentWindowRow>(
    `SELECT ${agentWindowColumns}
       FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS a(agent_id, min_start, max_start)
       CROSS JOIN LATERAL (
         (SELECT * FROM report_agent_windows p WHERE p.tenant_id = $1 AND p.agent_id = a.agent_id
             AND p.window_start < a.min_start ORDER BY p.window_start DESC LIMIT 1)
         UNION ALL
         (SELECT * FROM report_agent_windows m WHERE m.tenant_id = $1 AND m.agent_id = a.agent_id
             AND m.window_start BETWEEN a.min_start AND a.max_start)
         UNION ALL
         (SELECT * FROM report_agent_windows n WHERE n.tenant_id = $1 AND n.agent_id = a.agent_id
             AND n.window_start > a.max_start ORDER BY n.window_start LIMIT 1)
       ) w`,
    [
      tenantId,
      spans.map((s) => s.agentId),
      spans.map((s) => new Date(s.minMs).toISOString()),
      spans.map((s) => new Date(s.maxMs).toISOString()),
    ],
  );
  const windowsByAgent = new Map<string, AgentWindow[]>();
  for (const row of loaded.rows) {
    windowsByAgent.set(row.agentId, [...(windowsByAgent.get(row.agentId) ?? []), agentWindowOf(row)]);
  }
  const dirty: AgentWindow[] = [];
  for (const span of spans) {
    const chain = (windowsByAgent.get(span.agentId) ?? []).sort((a, b) => a.startMs - b.startMs);
    const maxLoadedStored = chain.at(-1);
    const hasStoredAfter = maxLoadedStored !== undefined && maxLoadedStored.startMs > span.maxMs;
    for (const [startMs, added] of groupBy(
      byAgent.get(span.agentId) ?? [],
      (event) => Math.floor(event.atMs / agentWindowMs) * agentWindowMs,
    )) {
      let window = chain.find((w) => w.startMs === startMs);
      if (window === undefined) {
        window = {
          agentId: span.agentId,
          startMs,
          events: [],
          startState: undefined,
          endState: { presence: 'offline', activities: new Map() },
          foldedUntilMs: startMs,
          contribution: [],
          isStored: false,
          hasNewEvents: false,
        };
        chain.push(window);
      }
      const merged = mergeEvents(window.events, added);
      window.events = merged.events;
      window.hasNewEvents ||= merged.isChanged;
    }
    chain.sort((a, b) => a.startMs - b.startMs);
    if (!chain.some((w) => w.hasNewEvents)) continue;
    // Fold the chain in order: each window starts from the previous one's end state and runs to the
    // next one's start; the last one runs to the clock unless it is a stored window after the new events.
    let previousEnd: AgentState | undefined;
    for (const [index, window] of chain.entries()) {
      const next = chain[index + 1];
      const isTrailingStored = next === undefined && hasStoredAfter && !window.hasNewEvents;
      const initial = index === 0 ? window.startState : previousEnd;
      const oldEnd = window.endState;
      // A late event in the agent's last window never takes back time the clock already ran it to.
      const untilMs =
        next !== undefined
          ? next.startMs
          : isTrailingStored
            ? window.foldedUntilMs
            : Math.max(nowMs, window.isStored ? window.foldedUntilMs : nowMs);
      if (refoldWindow(window, initial, untilMs, settings.calendar, changes)) dirty.push(window);
      previousEnd = window.endState;
      // A late event that changed how the trailing window ends changes the windows after it too.
      if (isTrailingStored && !isSameState(oldEnd, window.endState)) {
        await cascade(tx, tenantId, window, settings.calendar, changes, dirty);
      }
    }
  }
  await saveAgentWindows(tx, tenantId, dirty);
}

/** Re-folds the windows after `from` one by one while the state each starts from keeps changing. */
async function cascade(
  tx: Tx,
  tenantId: string,
  from: AgentWindow,
  calendar: TimeZoneCalendar,
  changes: ContributionChange[],
  dirty: AgentWindow[],
): Promise<void> {
  let previous = from;
  for (;;) {
    const row = (
      await tx.query<AgentWindowRow>(
        `SELECT ${agentWindowColumns} FROM report_agent_windows w
          WHERE w.tenant_id = $1 AND w.agent_id = $2 AND w.window_start > $3 ORDER BY w.window_start LIMIT 1`,
        [tenantId, previous.agentId, new Date(previous.startMs)],
      )
    ).rows[0];
    if (row === undefined) return;
    const window = agentWindowOf(row);
    const oldEnd = window.endState;
    if (refoldWindow(window, previous.endState, window.foldedUntilMs, calendar, changes)) dirty.push(window);
    if (isSameState(oldEnd, window.endState)) return;
    previous = window;
  }
}

/**
 * Saves folded windows: whole for those with new events, and without their events (the bulk of a
 * window, unchanged) for those only folded again.
 */
async function saveAgentWindows(tx: Tx, tenantId: string, windows: readonly AgentWindow[]): Promise<void> {
  const refolded = windows.filter((w) => w.isStored && !w.hasNewEvents);
  if (refolded.length > 0) {
    await tx.query(
      `UPDATE report_agent_windows w
          SET folded_until = r.folded_until, start_state = r.start_state, end_state = r.end_state,
              contribution = r.contribution
         FROM json_to_recordset($2::json) AS r(agent_id text, window_start timestamptz, folded_until timestamptz,
                                                start_state jsonb, end_state jsonb, contribution jsonb)
        WHERE w.tenant_id = $1 AND w.agent_id = r.agent_id AND w.window_start = r.window_start`,
      [
        tenantId,
        recordsParam(
          refolded.map((w) => ({
            agent_id: w.agentId,
            window_start: new Date(w.startMs).toISOString(),
            folded_until: new Date(w.foldedUntilMs).toISOString(),
            start_state: w.startState === undefined ? null : storedAgentStateOf(w.startState),
            end_state: storedAgentStateOf(w.endState),
            contribution: storedRowsOf(w.contribution),
          })),
        ),
      ],
    );
  }
  const whole = windows.filter((w) => !w.isStored || w.hasNewEvents);
  if (whole.length === 0) return;
  await tx.query(
    `INSERT INTO report_agent_windows
       (tenant_id, agent_id, window_start, folded_until, events, start_state, end_state, contribution)
     SELECT $1::uuid, r.agent_id, r.window_start, r.folded_until, r.events, r.start_state, r.end_state, r.contribution
       FROM json_to_recordset($2::json) AS r(agent_id text, window_start timestamptz, folded_until timestamptz,
                                              events jsonb, start_state jsonb, end_state jsonb, contribution jsonb)
     ON CONFLICT (tenant_id, agent_id, window_start) DO UPDATE
       SET folded_until = excluded.folded_until, events = excluded.events, start_state = excluded.start_state,
           end_state = excluded.end_state, contribution = excluded.contribution`,
    [
      tenantId,
      recordsParam(
        whole.map((w) => ({
          agent_id: w.agentId,
          window_start: new Date(w.startMs).toISOString(),
          folded_until: new Date(w.foldedUntilMs).toISOString(),
          events: w.events,
          start_state: w.startState === undefined ? null : storedAgentStateOf(w.startState),
          end_state: storedAgentStateOf(w.endState),
          contribution: storedRowsOf(w.contribution),
        })),
      ),
    ],
  );
}

// ---------------------------------------------------------------------------------------------------
// Summary rows: differences added in one statement, empty rows deleted, stale maxima recomputed
// ---------------------------------------------------------------------------------------------------

const sumFields = summaryFields.filter((field) => field !== 'longestWaitMs');

interface KeyDelta {
  readonly key: RowKey;
  /** The differences of the sums (fields left out did not change). */
  readonly delta: Partial<Record<SummaryField, number>>;
  addedMax: number;
  removedMax: number;
}

function keyId(key: RowKey): string {
  return `${key.intervalStartMs}|${key.queueId ?? ''}|${key.agentId ?? ''}|${key.channel ?? ''}|${key.direction ?? ''}`;
}

type KeyColumn = 'interval_start' | 'queue_id' | 'agent_id' | 'channel' | 'direction';

/**
 * The summary tables: rows per agent; the same rows added up over agents (what queue and center
 * reports read: a day of them is a few hundred rows rather than tens of thousands); and added up per
 * agent and UTC hour over queues, channels and directions (what agent reports read, migration 0010).
 */
interface SummaryTable {
  readonly name: 'report_summaries' | 'report_queue_summaries' | 'report_agent_hour_summaries';
  readonly keyColumns: readonly KeyColumn[];
}
const agentTable: SummaryTable = {
  name: 'report_summaries',
  keyColumns: ['interval_start', 'queue_id', 'agent_id', 'channel', 'direction'],
};
const queueTable: SummaryTable = {
  name: 'report_queue_summaries',
  keyColumns: ['interval_start', 'queue_id', 'channel', 'direction'],
};
const agentHourTable: SummaryTable = {
  name: 'report_agent_hour_summaries',
  keyColumns: ['interval_start', 'agent_id'],
};
const hourMs = 3_600_000;

function keyColumnTypes(table: SummaryTable): string {
  return table.keyColumns
    .map((column) => `${column} ${column === 'interval_start' ? 'timestamptz' : 'text'}`)
    .join(', ');
}

/** `json_to_recordset($n::json) AS k(…)`: the keys of `keysParam` as a relation. */
function keyRelation(table: SummaryTable, param: number): string {
  return `json_to_recordset($${String(param)}::json) AS k(${keyColumnTypes(table)})`;
}

function keyMatches(table: SummaryTable): string {
  return [
    's.tenant_id = $1',
    ...table.keyColumns.map((column) =>
      column === 'interval_start'
        ? 's.interval_start = k.interval_start'
        : `s.${column} IS NOT DISTINCT FROM k.${column}`,
    ),
  ].join(' AND ');
}

function keyValue(column: KeyColumn, key: RowKey): string | null {
  switch (column) {
    case 'interval_start':
      return new Date(key.intervalStartMs).toISOString();
    case 'queue_id':
      return key.queueId;
    case 'agent_id':
      return key.agentId;
    case 'channel':
      return key.channel;
    case 'direction':
      return key.direction;
  }
}

/** A key as a row of `keyRelation`. */
function keyRecord(table: SummaryTable, key: RowKey): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of table.keyColumns) record[column] = keyValue(column, key);
  return record;
}

function keysParam(table: SummaryTable, keys: readonly RowKey[]): string {
  return recordsParam(keys.map((key) => keyRecord(table, key)));
}

/** Adds the batch's changes to both summary tables; returns how many rows were written. */
async function applyChanges(
  tx: Tx,
  tenantId: string,
  changes: readonly ContributionChange[],
  calendar: TimeZoneCalendar,
): Promise<number> {
  const { byAgent, byQueue, byAgentHour } = deltasOf(changes);
  const written = await applyDeltas(tx, tenantId, agentTable, byAgent, (key) =>
    recomputeLongestWait(tx, tenantId, key, calendar),
  );
  // The per-agent rows are exact by now: a stale maximum over agents (or over an agent's hour) is the
  // maximum of their rows.
  return (
    written +
    (await applyDeltas(tx, tenantId, queueTable, byQueue, (key) =>
      recomputeQueueLongestWait(tx, tenantId, key),
    )) +
    (await applyDeltas(tx, tenantId, agentHourTable, byAgentHour, (key) =>
      recomputeAgentHourLongestWait(tx, tenantId, key),
    ))
  );
}

function addDelta(
  deltas: Map<string, KeyDelta>,
  key: RowKey,
  differences: readonly (readonly [SummaryField, number])[],
  change: ContributionChange,
): void {
  const id = keyId(key);
  let entry = deltas.get(id);
  if (entry === undefined) {
    entry = { key, delta: {}, addedMax: 0, removedMax: 0 };
    deltas.set(id, entry);
  }
  for (const [field, difference] of differences) entry.delta[field] = (entry.delta[field] ?? 0) + difference;
  entry.addedMax = Math.max(entry.addedMax, change.after.longestWaitMs);
  entry.removedMax = Math.max(entry.removedMax, change.before.longestWaitMs);
}

/** The changes added up per key of each table, in one pass (a change's differences are found once). */
function deltasOf(changes: readonly ContributionChange[]): {
  readonly byAgent: KeyDelta[];
  readonly byQueue: KeyDelta[];
  readonly byAgentHour: KeyDelta[];
} {
  const byAgent = new Map<string, KeyDelta>();
  const byQueue = new Map<string, KeyDelta>();
  const byAgentHour = new Map<string, KeyDelta>();
  for (const change of changes) {
    const differences: [SummaryField, number][] = [];
    for (const field of sumFields) {
      const difference = change.after[field] - change.before[field];
      if (difference !== 0) differences.push([field, difference]);
    }
    addDelta(byAgent, change.key, differences, change);
    addDelta(
      byQueue,
      change.key.agentId === null ? change.key : { ...change.key, agentId: null },
      differences,
      change,
    );
    addDelta(
      byAgentHour,
      {
        intervalStartMs: Math.floor(change.key.intervalStartMs / hourMs) * hourMs,
        queueId: null,
        agentId: change.key.agentId,
        channel: null,
        direction: null,
      },
      differences,
      change,
    );
  }
  return {
    byAgent: [...byAgent.values()],
    byQueue: [...byQueue.values()],
    byAgentHour: [...byAgentHour.values()],
  };
}

const valueColumnTypes = [
  ...sumFields.map((field) => `${summaryColumns[field]} ${field === 'qualityPctSum' ? 'float8' : 'bigint'}`),
  'longest_wait_ms bigint',
].join(', ');

/** A key's differences as a row for the upsert: its key and the figures that changed (the rest are 0). */
function deltaRecord(table: SummaryTable, entry: KeyDelta): Record<string, unknown> {
  const record = keyRecord(table, entry.key);
  for (const field of sumFields) {
    const difference = entry.delta[field];
    if (difference !== undefined && difference !== 0) record[summaryColumns[field]] = difference;
  }
  if (entry.addedMax !== 0) record['longest_wait_ms'] = entry.addedMax;
  return record;
}

async function applyDeltas(
  tx: Tx,
  tenantId: string,
  table: SummaryTable,
  entries: readonly KeyDelta[],
  recompute: (key: RowKey) => Promise<void>,
): Promise<number> {
  if (entries.length === 0) return 0;
  const columns = table.keyColumns;
  const matches = keyMatches(table);
  // A maximum taken out may have been the row's maximum: read those rows before changing them.
  const removing = entries.filter((e) => e.removedMax > 0);
  const storedMax = new Map<string, number>();
  if (removing.length > 0) {
    const rows = await tx.query<{ intervalStart: Date } & Record<string, unknown>>(
      `SELECT s.interval_start AS "intervalStart", ${columns
        .slice(1)
        .map((c) => `s.${c}`)
        .join(', ')},
              s.longest_wait_ms::float8 AS longest
         FROM ${table.name} s JOIN ${keyRelation(table, 2)} ON ${matches}`,
      [
        tenantId,
        keysParam(
          table,
          removing.map((e) => e.key),
        ),
      ],
    );
    for (const row of rows.rows) storedMax.set(keyId(keyOfDatabaseRow(row)), row['longest'] as number);
  }
  const stale = removing.filter((e) => {
    const stored = storedMax.get(keyId(e.key)) ?? 0;
    return e.removedMax >= stored && e.addedMax < stored;
  });

  const valueColumns = [...sumFields.map((field) => summaryColumns[field]), 'longest_wait_ms'];
  const isEmpty = summaryFields.map((f) => `s.${summaryColumns[f]} = 0`).join(' AND ');
  const written = await tx.query<{ rowId: string; isEmpty: boolean }>(
    `INSERT INTO ${table.name} AS s (tenant_id, ${columns.join(', ')}, ${valueColumns.join(', ')})
     SELECT $1::uuid, ${columns.map((c) => `d.${c}`).join(', ')}, ${valueColumns.map((c) => `coalesce(d.${c}, 0)`).join(', ')}
       FROM json_to_recordset($2::json) AS d(${keyColumnTypes(table)}, ${valueColumnTypes})
     ON CONFLICT (tenant_id, ${columns.join(', ')}) DO UPDATE SET
       ${sumFields
         .map((field) => summaryColumns[field])
         .map((c) => `${c} = s.${c} + excluded.${c}`)
         .join(',\n       ')},
       longest_wait_ms = CASE WHEN s.waited + excluded.waited = 0 THEN 0
                              ELSE greatest(s.longest_wait_ms, excluded.longest_wait_ms) END
     RETURNING s.ctid::text AS "rowId", (${isEmpty}) AS "isEmpty"`,
    [tenantId, recordsParam(entries.map((entry) => deltaRecord(table, entry)))],
  );
  // Found by where the upsert left them: nothing else writes these tables while the checkpoint is locked.
  const empty = written.rows.filter((row) => row.isEmpty).map((row) => row.rowId);
  if (empty.length > 0) {
    await tx.query(
      `DELETE FROM ${table.name} s WHERE s.ctid = ANY($2::tid[]) AND s.tenant_id = $1 AND (${isEmpty})`,
      [tenantId, empty],
    );
  }
  for (const entry of stale) await recompute(entry.key);
  return written.rows.length;
}

function keyOfDatabaseRow(row: { intervalStart: Date } & Record<string, unknown>): RowKey {
  return {
    intervalStartMs: row.intervalStart.getTime(),
    queueId: (row['queue_id'] ?? null) as QueueId | null,
    agentId: (row['agent_id'] ?? null) as AgentId | null,
    channel: (row['channel'] ?? null) as RowKey['channel'],
    direction: (row['direction'] ?? null) as RowKey['direction'],
  };
}

/**
 * The longest wait of one row, from the contributions of the contacts that can count in its interval
 * (those that arrived up to a day before it ends), after the part that held it was taken out.
 */
async function recomputeLongestWait(
  tx: Tx,
  tenantId: string,
  key: RowKey,
  calendar: TimeZoneCalendar,
): Promise<void> {
  const endMs = calendar.intervalOf(key.intervalStartMs, keptGranularity).endMs;
  const contributions = await tx.query<{ contribution: StoredRow[] }>(
    `SELECT contribution FROM report_contacts
      WHERE tenant_id = $1 AND arrived_at >= $2 AND arrived_at < $3`,
    [
      tenantId,
      new Date(key.intervalStartMs - contactSpanMs),
      new Date(Math.max(endMs, key.intervalStartMs + intervalMs)),
    ],
  );
  const id = keyId(key);
  let longest = 0;
  for (const row of summaryRowsOf(contributions.rows.flatMap((r) => r.contribution))) {
    if (keyId(row.key) === id) longest = Math.max(longest, row.values.longestWaitMs);
  }
  await tx.query(
    `UPDATE report_summaries s SET longest_wait_ms = $3 FROM ${keyRelation(agentTable, 2)} WHERE ${keyMatches(agentTable)}`,
    [tenantId, keysParam(agentTable, [key]), longest],
  );
}

/** The longest wait of a row over agents: the longest of its agents' rows. */
async function recomputeQueueLongestWait(tx: Tx, tenantId: string, key: RowKey): Promise<void> {
  await tx.query(
    `UPDATE report_queue_summaries s SET longest_wait_ms = coalesce((
        SELECT max(a.longest_wait_ms) FROM report_summaries a
         WHERE a.tenant_id = s.tenant_id AND a.interval_start = s.interval_start
           AND a.queue_id IS NOT DISTINCT FROM s.queue_id AND a.channel IS NOT DISTINCT FROM s.channel
           AND a.direction IS NOT DISTINCT FROM s.direction), 0)
       FROM ${keyRelation(queueTable, 2)} WHERE ${keyMatches(queueTable)}`,
    [tenantId, keysParam(queueTable, [key])],
  );
}

/** The longest wait of an agent's hour: the longest of the agent's rows in it. */
async function recomputeAgentHourLongestWait(tx: Tx, tenantId: string, key: RowKey): Promise<void> {
  await tx.query(
    `UPDATE report_agent_hour_summaries s SET longest_wait_ms = coalesce((
        SELECT max(a.longest_wait_ms) FROM report_summaries a
         WHERE a.tenant_id = s.tenant_id AND a.agent_id IS NOT DISTINCT FROM s.agent_id
           AND a.interval_start >= s.interval_start AND a.interval_start < s.interval_start + interval '1 hour'), 0)
       FROM ${keyRelation(agentHourTable, 2)} WHERE ${keyMatches(agentHourTable)}`,
    [tenantId, keysParam(agentHourTable, [key])],
  );
}
