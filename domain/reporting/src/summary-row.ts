import type { AgentId, QueueId } from '@centralita/kernel';
import type { Channel, Direction } from './events.ts';
import type { Granularity, TimeZoneCalendar } from './time-zone-calendar.ts';

/**
 * Every figure a summary row keeps. All are sums or counts except `longestWaitMs`, a maximum; docs/metrics.md
 * says what feeds each one. Times are milliseconds, money minor units (cents), unless the name says otherwise.
 */
export const summaryFields = [
  // Volume
  'contacts',
  'contactsConnected',
  'offered',
  'answered',
  'answeredWithinThreshold',
  'abandoned',
  'abandonedWithinThreshold',
  'shortAbandoned',
  'movedOut',
  'overflowed',
  'callbacksReached',
  'callbacksNotReached',
  'escalated',
  'missedOffers',
  'declinedOffers',
  // Waiting
  'waited',
  'waitMs',
  'answeredWaitMs',
  'abandonedWaitMs',
  'longestWaitMs',
  // Handling
  'handled',
  'talkMs',
  'holdMs',
  'holds',
  'wrapUpMs',
  'transferredOut',
  // Agent time
  'loggedInMs',
  'availableMs',
  'breakMs',
  'busyMs',
  'availableIdleMs',
  // Outcome
  'fcrDecided',
  'fcrResolved',
  'ticketsCreated',
  'ticketsResolved',
  'ticketResolveMs',
  'csatResponses',
  'csatSatisfied',
  'npsResponses',
  'npsPromoters',
  'npsDetractors',
  'qualityScored',
  'qualityPctSum',
  // Commercial
  'billableContacts',
  'billableMs',
  'billedSeconds',
  'revenueMinor',
] as const;

/** One figure of a summary row. */
export type SummaryField = (typeof summaryFields)[number];

/** The figures of a summary row. */
export type SummaryValues = Readonly<Record<SummaryField, number>>;

/** Figures merged by maximum rather than by sum, each with the count of what it is the maximum of. */
const maximumFields: ReadonlyMap<SummaryField, SummaryField> = new Map([['longestWaitMs', 'waited']]);
const summaryFieldsWithMaximum: readonly SummaryField[] = [...maximumFields.keys()];
const additiveFields: readonly SummaryField[] = summaryFields.filter((field) => !maximumFields.has(field));

/**
 * What a summary row is about. A dimension that does not apply is null: agent-time rows have no queue,
 * channel or direction; ticket rows have none but the interval.
 */
export interface RowKey {
  /** Start of the interval (the tenant's local time), epoch ms. */
  readonly intervalStartMs: number;
  readonly queueId: QueueId | null;
  readonly agentId: AgentId | null;
  readonly channel: Channel | null;
  readonly direction: Direction | null;
}

/** Additive figures for one key: rows with the same key merge by adding (and taking the maximum). */
export interface SummaryRow {
  readonly key: RowKey;
  readonly values: SummaryValues;
}

/** All figures zero. */
export const emptyValues: SummaryValues = Object.freeze(
  Object.fromEntries(summaryFields.map((field) => [field, 0])) as Record<SummaryField, number>,
);

/** Figures with some fields set and the rest zero. */
export function valuesOf(partial: Partial<Record<SummaryField, number>>): SummaryValues {
  return { ...emptyValues, ...partial };
}

/** True when every figure is zero: a row a table may delete. */
export function isEmptyValues(values: SummaryValues): boolean {
  return summaryFields.every((field) => values[field] === 0);
}

/** A stable string for a key, for maps and table primary keys. */
export function rowKeyId(key: RowKey): string {
  return `${key.intervalStartMs}|${key.queueId ?? ''}|${key.agentId ?? ''}|${key.channel ?? ''}|${key.direction ?? ''}`;
}

/** a + b, figure by figure (maxima by maximum). */
export function addValues(a: SummaryValues, b: SummaryValues): SummaryValues {
  const sum: Record<SummaryField, number> = { ...a };
  addInto(sum, b);
  return sum;
}

/** Adds `b` into `total` in place (maxima by maximum). */
function addInto(total: Record<SummaryField, number>, b: SummaryValues): void {
  for (const field of additiveFields) total[field] += b[field];
  for (const field of summaryFieldsWithMaximum) total[field] = Math.max(total[field], b[field]);
}

/** The result of taking a contribution back out of a total. */
export interface Subtraction {
  readonly values: SummaryValues;
  /**
   * A maximum cannot be taken back: true when the part held the total's maximum, which then may be too
   * high. Recompute that key's row from its contact records, or accept an upper bound.
   */
  readonly isMaximumStale: boolean;
}

/** total - part, figure by figure; maxima stay as they were (see `isMaximumStale`). */
export function subtractValues(total: SummaryValues, part: SummaryValues): Subtraction {
  const difference: Record<SummaryField, number> = { ...total };
  let isMaximumStale = false;
  for (const field of summaryFields) {
    if (!maximumFields.has(field)) difference[field] = total[field] - part[field];
  }
  for (const [field, countField] of maximumFields) {
    // With nothing left to be the maximum of, it is known again: zero.
    if (difference[countField] === 0) difference[field] = 0;
    else if (part[field] > 0 && part[field] >= total[field]) isMaximumStale = true;
  }
  return { values: difference, isMaximumStale };
}

/** Merges rows with the same key; the result is ordered by key. */
export function mergeRows(rows: Iterable<SummaryRow>): SummaryRow[] {
  // A key met once keeps its row as it is; a key met again gets one total of its own, added into in place.
  const merged = new Map<string, { row: SummaryRow; total: Record<SummaryField, number> | undefined }>();
  for (const row of rows) {
    const id = rowKeyId(row.key);
    const existing = merged.get(id);
    if (existing === undefined) {
      merged.set(id, { row, total: undefined });
      continue;
    }
    existing.total ??= { ...existing.row.values };
    addInto(existing.total, row.values);
    existing.row = { key: row.key, values: existing.total };
  }
  return [...merged.entries()].sort(([a], [b]) => compareKeyIds(a, b)).map(([, entry]) => entry.row);
}

/** Adds every row's figures into one total, whatever their keys. */
export function totalOf(rows: Iterable<SummaryRow>): SummaryValues {
  let total = emptyValues;
  for (const row of rows) total = addValues(total, row.values);
  return total;
}

/** The dimensions to keep when regrouping rows; the others become null and their rows merge. */
export interface Dimensions {
  readonly queue?: boolean;
  readonly agent?: boolean;
  readonly channel?: boolean;
  readonly direction?: boolean;
}

/**
 * Rows re-keyed to a coarser interval (15-minute rows into hours, days, weeks or months: they nest, see
 * docs/metrics.md) and to fewer dimensions, then merged.
 */
export function regroup(
  rows: Iterable<SummaryRow>,
  keep: Dimensions,
  to?: { readonly calendar: TimeZoneCalendar; readonly granularity: Granularity },
): SummaryRow[] {
  const rekeyed: SummaryRow[] = [];
  for (const row of rows) {
    const key = row.key;
    rekeyed.push({
      key: {
        intervalStartMs:
          to === undefined
            ? key.intervalStartMs
            : to.calendar.intervalStartOf(key.intervalStartMs, to.granularity),
        queueId: keep.queue === true ? key.queueId : null,
        agentId: keep.agent === true ? key.agentId : null,
        channel: keep.channel === true ? key.channel : null,
        direction: keep.direction === true ? key.direction : null,
      },
      values: row.values,
    });
  }
  return mergeRows(rekeyed);
}

/** One key's change after re-folding a record: what to take out and what to put in. */
export interface ContributionChange {
  readonly key: RowKey;
  readonly before: SummaryValues;
  readonly after: SummaryValues;
}

/**
 * Pairs a record's contribution before and after a late or corrected event by key. Keys only in one of
 * them pair with zero figures; keys whose figures did not change are left out.
 */
export function contributionChanges(
  before: readonly SummaryRow[],
  after: readonly SummaryRow[],
): ContributionChange[] {
  const changes = new Map<string, { key: RowKey; before: SummaryValues; after: SummaryValues }>();
  for (const row of mergeRows(before))
    changes.set(rowKeyId(row.key), { key: row.key, before: row.values, after: emptyValues });
  for (const row of mergeRows(after)) {
    const id = rowKeyId(row.key);
    const existing = changes.get(id);
    changes.set(id, { key: row.key, before: existing?.before ?? emptyValues, after: row.values });
  }
  return [...changes.entries()]
    .filter(([, change]) => summaryFields.some((field) => change.before[field] !== change.after[field]))
    .sort(([a], [b]) => compareKeyIds(a, b))
    .map(([, change]) => change);
}

/** The result of applying one key's change to the stored row. */
export interface AppliedChange {
  readonly values: SummaryValues;
  /** The maximum may be too high now: recompute the row from the key's records (see `subtractValues`). */
  readonly isMaximumStale: boolean;
}

/** stored - before + after: how a summary table takes a re-folded record's new contribution. */
export function applyChange(stored: SummaryValues, change: ContributionChange): AppliedChange {
  const without = subtractValues(stored, change.before);
  const values = addValues(without.values, change.after);
  // The new contribution may hold the maximum itself again, which makes it exact.
  const isMaximumStale =
    without.isMaximumStale && summaryFieldsWithMaximum.some((f) => change.after[f] < stored[f]);
  return { values, isMaximumStale };
}

function compareKeyIds(a: string, b: string): number {
  const aStart = Number(a.slice(0, a.indexOf('|')));
  const bStart = Number(b.slice(0, b.indexOf('|')));
  return aStart - bStart || (a < b ? -1 : a > b ? 1 : 0);
}
