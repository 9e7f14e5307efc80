import { isUuid } from '@centralita/kernel';
import type { AgentId, QueueId } from '@centralita/kernel';
import {
  billingStatement,
  evaluateSla,
  figuresOf,
  regroup,
  summaryFields,
  timeZoneCalendar,
  totalOf,
} from '@centralita/reporting';
import type {
  BillingPlan,
  BillingStatement,
  Channel,
  CostRates,
  Dimensions,
  Direction,
  Figures,
  Granularity,
  LocalLabel,
  SlaResult,
  SlaTarget,
  SummaryField,
  SummaryRow,
  SummaryValues,
  TimeZoneCalendar,
} from '@centralita/reporting';
import type { Tx } from './database.ts';
import type { Page } from './paging.ts';
import { summaryColumns } from './reports-rows.ts';
import { StoreError } from './store-error.ts';
import { currentTenant } from './tenants.ts';
import type { Tenant } from './tenants.ts';

/** How a report cuts time: the calendar's intervals, or `period` for one line per group over the whole range. */
export type ReportGranularity = Granularity | 'period';

/** The dimensions a report can be broken down by. */
export const reportDimensions = ['queue', 'agent', 'channel', 'direction'] as const;
export type ReportDimension = (typeof reportDimensions)[number];

/** Which rows a report adds up. */
export interface ReportFilters {
  readonly queueId?: string | undefined;
  readonly agentId?: string | undefined;
  /** The team's members' rows (as agents). */
  readonly teamId?: string | undefined;
  readonly channel?: Channel | undefined;
  readonly direction?: Exclude<Direction, 'internal'> | undefined;
}

export interface SummaryQuery extends ReportFilters {
  /** Intervals that start in [from, to). */
  readonly from: Date;
  readonly to: Date;
  readonly granularity: ReportGranularity;
  readonly groupBy: readonly ReportDimension[];
  /** An IANA zone to compute in; the tenant's when absent. */
  readonly timeZone?: string | undefined;
}

/** One line of a report: a group's figures in one interval. */
export interface ReportLine {
  readonly intervalStart: Date;
  /** How the interval's start reads on the report's wall clock. */
  readonly label: LocalLabel;
  readonly queueId: string | null;
  readonly queueName: string | null;
  readonly agentId: string | null;
  readonly agentName: string | null;
  readonly channel: Channel | null;
  readonly direction: Direction | null;
  readonly figures: Figures;
  readonly values: SummaryValues;
}

export interface SummaryReport {
  readonly timeZone: string;
  /** The tenant's currency (ISO 4217): money figures are minor units of it. */
  readonly currency: string;
  readonly from: Date;
  readonly to: Date;
  readonly granularity: ReportGranularity;
  readonly groupBy: readonly ReportDimension[];
  readonly lines: readonly ReportLine[];
  /** The whole selection: figures over every line (never an average of averages). */
  readonly total: { readonly figures: Figures; readonly values: SummaryValues };
}

/** The calendar of a zone, or a 400 naming `field` for a zone nobody knows. */
export function calendarOf(timeZone: string, field = 'timeZone'): TimeZoneCalendar {
  const calendar = timeZoneCalendar(timeZone);
  if (!calendar.ok) throw new StoreError('STORE_INVALID_INPUT', calendar.error.message, field);
  return calendar.value;
}

/** The instant a local date (`YYYY-MM-DD`) starts in a zone: its first instant on the wall clock. */
export function startOfLocalDate(calendar: TimeZoneCalendar, date: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  // Noon UTC reads as the same date in every zone from UTC-12 to UTC+11; step a day for the others.
  let guess = Date.UTC(year, month - 1, day, 12);
  for (let attempt = 0; attempt < 2 && calendar.label(guess).date !== date; attempt++) {
    guess += calendar.label(guess).date < date ? 43_200_000 : -43_200_000;
  }
  return new Date(calendar.intervalStartOf(guess, 'day'));
}

/**
 * The time zone a report is computed in: the one asked for, or the tenant's (`tenant` when the caller has
 * already read it, so it is not read again).
 */
export async function reportTimeZone(
  tx: Tx,
  requested: string | undefined,
  tenant?: Pick<Tenant, 'timeZone'>,
): Promise<TimeZoneCalendar> {
  return calendarOf(requested ?? (tenant ?? (await currentTenant(tx))).timeZone);
}

interface FilterSql {
  readonly where: string;
  readonly params: unknown[];
}

/** WHERE conditions for the filters; parameters start after `offset` others. */
function filterSql(filters: ReportFilters, offset: number): FilterSql {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    parts.push(sql.replaceAll('$?', `$${String(offset + params.length)}`));
  };
  if (filters.queueId !== undefined) add('s.queue_id = $?', filters.queueId);
  if (filters.agentId !== undefined) add('s.agent_id = $?', filters.agentId);
  if (filters.teamId !== undefined)
    add('s.agent_id IN (SELECT u.id::text FROM users u WHERE u.team_id = $?::uuid)', filters.teamId);
  if (filters.channel !== undefined) add('s.channel = $?', filters.channel);
  if (filters.direction !== undefined) add('s.direction = $?', filters.direction);
  return { where: parts.map((part) => ` AND ${part}`).join(''), params };
}

function checkRange(from: Date, to: Date): void {
  if (to.getTime() <= from.getTime())
    throw new StoreError('STORE_INVALID_INPUT', '"to" must be after "from"', 'to');
  // Summary rows make long ranges cheap, but 15-minute lines over years are no report anyone reads.
  if (to.getTime() - from.getTime() > 400 * 86_400_000)
    throw new StoreError('STORE_INVALID_INPUT', 'a report covers at most 400 days', 'to');
}

const hourMs = 3_600_000;

/**
 * True when the range and every local day in it start on a whole UTC hour, so that the rows kept per
 * agent and UTC hour (migration 0010) make up its days exactly: always in zones whose offset is a whole
 * number of hours, never in those a half or a quarter off (India, Newfoundland, Nepal…).
 */
function isMadeOfWholeHours(calendar: TimeZoneCalendar, fromMs: number, toMs: number): boolean {
  if (fromMs % hourMs !== 0 || toMs % hourMs !== 0) return false;
  for (
    let dayStartMs = calendar.intervalStartOf(fromMs, 'day');
    dayStartMs < toMs;
    dayStartMs = calendar.intervalOf(dayStartMs, 'day').endMs
  ) {
    if (dayStartMs % hourMs !== 0) return false;
  }
  return true;
}

/**
 * Summary rows of the current tenant between two instants, added up per interval of `granularity` and
 * per group, in the tenant's time zone (or the one asked for). The database adds up the 15-minute rows
 * per 15 minutes (or per local date, for days and longer) and group; `regroup` then puts them in the
 * report's intervals, so daylight-saving days come out as docs/metrics.md says.
 */
export async function summaryRows(
  tx: Tx,
  query: SummaryQuery,
  tenant?: Pick<Tenant, 'timeZone'>,
): Promise<{ readonly calendar: TimeZoneCalendar; readonly rows: SummaryRow[] }> {
  checkRange(query.from, query.to);
  const calendar = await reportTimeZone(tx, query.timeZone, tenant);
  const keep = new Set(query.groupBy);
  const dimensions: [ReportDimension, string][] = [
    ['queue', 's.queue_id'],
    ['agent', 's.agent_id'],
    ['channel', 's.channel'],
    ['direction', 's.direction'],
  ];
  const kept = dimensions.filter(([dimension]) => keep.has(dimension));
  const isPeriod = query.granularity === 'period';
  const isSubDay =
    query.granularity === '15min' || query.granularity === '30min' || query.granularity === '60min';
  // A period report needs no time bucket (and so no time zone parameter): one row per group.
  const noZoneParam = isSubDay || isPeriod;
  const bucket = isSubDay ? 's.interval_start' : '(s.interval_start AT TIME ZONE $3)::date';
  const filters = filterSql(query, noZoneParam ? 2 : 3);
  const grouping = [...(isPeriod ? [] : [bucket]), ...kept.map(([, column]) => column)];
  const sums = summaryFields
    .map((field) =>
      field === 'longestWaitMs'
        ? `max(s.longest_wait_ms)::float8 AS "${field}"`
        : `sum(s.${summaryColumns[field]}::float8) AS "${field}"`,
    )
    .join(', ');
  // Without an agent in the grouping or the filters, the rows added up over agents give the same sums.
  const isByAgent = keep.has('agent') || query.agentId !== undefined || query.teamId !== undefined;
  // Agents over whole days with nothing but agents to tell apart: the rows added up per agent and hour.
  const isPerAgentOnly =
    isByAgent &&
    !isSubDay &&
    kept.every(([dimension]) => dimension === 'agent') &&
    query.queueId === undefined &&
    query.channel === undefined &&
    query.direction === undefined &&
    isMadeOfWholeHours(calendar, query.from.getTime(), query.to.getTime());
  const table = isPerAgentOnly
    ? 'report_agent_hour_summaries'
    : isByAgent
      ? 'report_summaries'
      : 'report_queue_summaries';
  const result = await tx.query<Record<string, unknown> & { start: Date | null }>(
    `SELECT min(s.interval_start) AS start, ${kept.map(([d, column]) => `${column} AS "${d}"`).join(', ')}${kept.length > 0 ? ',' : ''} ${sums}
       FROM ${table} s
      WHERE s.interval_start >= $1 AND s.interval_start < $2${filters.where}
      ${grouping.length === 0 ? '' : `GROUP BY ${grouping.join(', ')}`}`,
    [query.from, query.to, ...(noZoneParam ? [] : [calendar.timeZone]), ...filters.params],
  );
  // A period report over a range with no rows still returns its one (empty) aggregate row: drop it.
  const found = result.rows.flatMap((row) =>
    row.start === null ? [] : [row as Record<string, unknown> & { start: Date }],
  );
  const rows: SummaryRow[] = found.map((row) => ({
    key: {
      intervalStartMs: isPeriod ? query.from.getTime() : row.start.getTime(),
      queueId: (row['queue'] ?? null) as QueueId | null,
      agentId: (row['agent'] ?? null) as AgentId | null,
      channel: (row['channel'] ?? null) as Channel | null,
      direction: (row['direction'] ?? null) as Direction | null,
    },
    values: Object.fromEntries(summaryFields.map((field) => [field, row[field] as number])) as SummaryValues,
  }));
  const dimensionsKept: Dimensions = {
    queue: keep.has('queue'),
    agent: keep.has('agent'),
    channel: keep.has('channel'),
    direction: keep.has('direction'),
  };
  return {
    calendar,
    rows: isPeriod ? rows : regroup(rows, dimensionsKept, { calendar, granularity: query.granularity }),
  };
}

/** The tenant's `settings.currency`; EUR when it has none. */
export function currencyOf(settings: Readonly<Record<string, unknown>>): string {
  const currency = settings['currency'];
  return typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'EUR';
}

function isMinorAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** The tenant's `settings.reports.costRates`, when both rates are there (PATCH /api/tenant checks them). */
export function costRatesOf(settings: Readonly<Record<string, unknown>>): CostRates | undefined {
  const reportSettings = settings['reports'];
  if (typeof reportSettings !== 'object' || reportSettings === null) return undefined;
  const rates = (reportSettings as { costRates?: unknown }).costRates;
  if (typeof rates !== 'object' || rates === null) return undefined;
  const { agentHourMinor, telephonyMinuteMinor } = rates as Record<string, unknown>;
  return isMinorAmount(agentHourMinor) && isMinorAmount(telephonyMinuteMinor)
    ? { agentHourMinor, telephonyMinuteMinor }
    : undefined;
}

/**
 * A report: figures per interval and group, with names, and the total of the selection. Cost per contact
 * (with the tenant's rates) needs the agents' logged-in time beside their contacts, and agent time has no
 * queue, channel or direction: lines of a report grouped by any of those have none, and neither has the
 * total of a report filtered by one (docs/metrics.md, "Commercial").
 */
export async function summaryReport(tx: Tx, query: SummaryQuery): Promise<SummaryReport> {
  const tenant = await currentTenant(tx);
  const { calendar, rows } = await summaryRows(tx, query, tenant);
  const rates = costRatesOf(tenant.settings);
  const isNarrowed =
    query.queueId !== undefined || query.channel !== undefined || query.direction !== undefined;
  const isSplitFromAgentTime =
    isNarrowed ||
    query.groupBy.includes('queue') ||
    query.groupBy.includes('channel') ||
    query.groupBy.includes('direction');
  const lineRates = isSplitFromAgentTime ? undefined : rates;
  const totalRates = isNarrowed ? undefined : rates;
  const names = await namesOf(tx, rows);
  const lines = rows.map((row) => ({
    intervalStart: new Date(row.key.intervalStartMs),
    label: calendar.label(row.key.intervalStartMs),
    queueId: row.key.queueId,
    queueName: row.key.queueId === null ? null : (names.queues.get(row.key.queueId) ?? null),
    agentId: row.key.agentId,
    agentName: row.key.agentId === null ? null : (names.agents.get(row.key.agentId) ?? null),
    channel: row.key.channel,
    direction: row.key.direction,
    figures: figuresOf(row.values, lineRates),
    values: row.values,
  }));
  const total = totalOf(rows);
  return {
    timeZone: calendar.timeZone,
    currency: currencyOf(tenant.settings),
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    groupBy: query.groupBy,
    lines,
    total: { figures: figuresOf(total, totalRates), values: total },
  };
}

async function namesOf(
  tx: Tx,
  rows: readonly SummaryRow[],
): Promise<{ readonly queues: Map<string, string>; readonly agents: Map<string, string> }> {
  const queueIds = [...new Set(rows.map((r) => r.key.queueId).filter((id) => id !== null && isUuid(id)))];
  const agentIds = [...new Set(rows.map((r) => r.key.agentId).filter((id) => id !== null && isUuid(id)))];
  const queues =
    queueIds.length === 0
      ? []
      : (
          await tx.query<{ id: string; name: string }>(
            'SELECT id::text, name FROM queues WHERE id = ANY($1::uuid[])',
            [queueIds],
          )
        ).rows;
  const agents =
    agentIds.length === 0
      ? []
      : (
          await tx.query<{ id: string; name: string }>(
            'SELECT id::text, display_name AS name FROM users WHERE id = ANY($1::uuid[])',
            [agentIds],
          )
        ).rows;
  return {
    queues: new Map(queues.map((q) => [q.id, q.name])),
    agents: new Map(agents.map((a) => [a.id, a.name])),
  };
}

// ---------------------------------------------------------------------------------------------------
// Drill-down: the contacts behind a figure
// ---------------------------------------------------------------------------------------------------

/** Figures made of contacts (agent time and tickets are not): the ones a drill-down can open. */
export const contactFigures: readonly SummaryField[] = summaryFields.filter(
  (field) =>
    !['loggedInMs', 'availableMs', 'breakMs', 'busyMs', 'availableIdleMs'].includes(field) &&
    !field.startsWith('ticket'),
);

export interface DrillDownQuery extends ReportFilters {
  readonly from: Date;
  readonly to: Date;
  readonly figure: SummaryField;
  readonly limit: number;
  readonly offset: number;
}

/** One contact behind a figure, with what it adds to it. */
export interface ContactBehind {
  readonly contactId: string;
  readonly arrivedAt: Date;
  /** What this contact adds to the figure over the selection (1 for counts, milliseconds for times). */
  readonly value: number;
  /** The interaction's record, when the contact has one (calls the API recorded, or the call layer's). */
  readonly interaction: {
    readonly customerId: string | null;
    readonly channel: string;
    readonly direction: string;
    readonly status: string;
    readonly queueId: string | null;
    readonly agentId: string | null;
    readonly disposition: string | null;
  } | null;
}

/**
 * The contacts whose contribution makes up a figure in [from, to) for the filters: the stored
 * contribution of every contact that arrived up to a day before `to` (contacts enter their queues
 * within a day of arriving), read row by row.
 */
export async function contactsBehind(tx: Tx, query: DrillDownQuery): Promise<Page<ContactBehind>> {
  checkRange(query.from, query.to);
  if (!contactFigures.includes(query.figure))
    throw new StoreError(
      'STORE_INVALID_INPUT',
      `"${query.figure}" is not made of contacts; drill down into one of: ${contactFigures.join(', ')}`,
      'figure',
    );
  const conditions: string[] = [];
  const params: unknown[] = [
    new Date(query.from.getTime() - 86_400_000),
    query.to,
    query.from.getTime(),
    query.to.getTime(),
    query.figure,
  ];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    conditions.push(sql.replaceAll('$?', `$${String(params.length)}`));
  };
  if (query.queueId !== undefined) add(`r ->> 'q' = $?`, query.queueId);
  if (query.agentId !== undefined) add(`r ->> 'a' = $?`, query.agentId);
  if (query.teamId !== undefined)
    add(`r ->> 'a' IN (SELECT u.id::text FROM users u WHERE u.team_id = $?::uuid)`, query.teamId);
  if (query.channel !== undefined) add(`r ->> 'c' = $?`, query.channel);
  if (query.direction !== undefined) add(`r ->> 'd' = $?`, query.direction);
  const limit = `$${String(params.push(query.limit))}`;
  const offset = `$${String(params.push(query.offset))}`;
  const result = await tx.query<{ contactId: string; arrivedAt: Date; value: number; total: number }>(
    `SELECT c.contact_id AS "contactId", c.arrived_at AS "arrivedAt",
            sum((r -> 'v' ->> $5)::float8)::float8 AS value, (count(*) OVER ())::int AS total
       FROM report_contacts c CROSS JOIN LATERAL jsonb_array_elements(c.contribution) AS r
      WHERE c.arrived_at >= $1 AND c.arrived_at < $2
        AND (r ->> 'i')::bigint >= $3 AND (r ->> 'i')::bigint < $4 AND (r -> 'v' ->> $5)::float8 <> 0
        ${conditions.map((c) => `AND ${c}`).join(' ')}
      GROUP BY c.contact_id, c.arrived_at
      ORDER BY c.arrived_at, c.contact_id
      LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const ids = result.rows.map((row) => row.contactId).filter(isUuid);
  const interactions = new Map(
    ids.length === 0
      ? []
      : (
          await tx.query<NonNullable<ContactBehind['interaction']> & { id: string }>(
            `SELECT id::text, customer_id AS "customerId", channel, direction, status, queue_id AS "queueId",
                    agent_id AS "agentId", disposition
               FROM interactions WHERE id = ANY($1::uuid[])`,
            [ids],
          )
        ).rows.map(({ id, ...interaction }) => [id, interaction]),
  );
  return {
    items: result.rows.map((row) => ({
      contactId: row.contactId,
      arrivedAt: row.arrivedAt,
      value: row.value,
      interaction: interactions.get(row.contactId) ?? null,
    })),
    // The window total comes with every row; a page past the end has none to carry it.
    total: result.rows[0]?.total ?? 0,
    limit: query.limit,
    offset: query.offset,
  };
}

// ---------------------------------------------------------------------------------------------------
// Billing and SLA from the tenant's settings
// ---------------------------------------------------------------------------------------------------

/**
 * The tenant's statement for a calendar month (`YYYY-MM`) in its time zone, under the plan in
 * `settings.billing`; undefined when the tenant has no plan.
 */
export async function monthlyStatement(tx: Tx, month: string): Promise<BillingStatement | undefined> {
  const tenant = await currentTenant(tx);
  // `null` is how PATCH /api/tenant removes a plan.
  const plan = tenant.settings['billing'] as BillingPlan | null | undefined;
  if (
    plan === undefined ||
    plan === null ||
    typeof plan !== 'object' ||
    !['per-contact', 'per-minute', 'flat'].includes(plan.kind)
  )
    return undefined;
  const calendar = calendarOf(tenant.timeZone);
  const period = calendar.intervalOf(startOfLocalDate(calendar, `${month}-01`).getTime(), 'month');
  const { rows } = await summaryRows(
    tx,
    { from: new Date(period.startMs), to: new Date(period.endMs), granularity: 'month', groupBy: [] },
    tenant,
  );
  return billingStatement(rows, plan, period);
}

/**
 * The tenant's SLA targets (`settings.sla.targets`) judged over [from, to), cost targets with its
 * `settings.reports.costRates`; empty without targets.
 */
export async function slaResults(tx: Tx, from: Date, to: Date): Promise<SlaResult[]> {
  const tenant = await currentTenant(tx);
  const sla = tenant.settings['sla'] as { targets?: unknown } | undefined;
  const targets = Array.isArray(sla?.targets) ? (sla.targets as SlaTarget[]) : [];
  if (targets.length === 0) return [];
  // Targets name queues and windows as short as 15 minutes: keep both.
  const { calendar, rows } = await summaryRows(
    tx,
    { from, to, granularity: '15min', groupBy: ['queue'] },
    tenant,
  );
  return evaluateSla(rows, targets, {
    calendar,
    fromMs: from.getTime(),
    toMs: to.getTime(),
    rates: costRatesOf(tenant.settings),
  });
}
