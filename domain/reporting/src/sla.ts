import type { QueueId } from '@centralita/kernel';
import type { Figures } from './figures.ts';
import { figuresOf } from './figures.ts';
import type { SummaryRow } from './summary-row.ts';
import type { Granularity, TimeZoneCalendar } from './time-zone-calendar.ts';

/** A figure a service-level agreement can set a target on: any ratio, average or time of `Figures`. */
export type SlaMetric = {
  [K in keyof Figures]: null extends Figures[K] ? K : never;
}[keyof Figures];

/** One promise to a client: e.g. service level of answered at least 0.8, judged per day, on two queues. */
export interface SlaTarget {
  readonly id: string;
  readonly metric: SlaMetric;
  readonly comparison: 'at-least' | 'at-most';
  readonly target: number;
  /** Judged per interval of this length, or once over the whole period. */
  readonly per: Granularity | 'period';
  /** Only these queues' rows; every row when absent. */
  readonly queueIds?: readonly QueueId[];
}

/** A window in which the actual missed the target. */
export interface SlaBreach {
  readonly startMs: number;
  readonly endMs: number;
  readonly actual: number;
}

/** A target against its actuals over a period. */
export interface SlaResult {
  readonly target: SlaTarget;
  /** The figure over the whole period; null when there was nothing to measure. */
  readonly actual: number | null;
  /** Every window met the target (and so did the period, for `per: period`); null when nothing was measured. */
  readonly isMet: boolean | null;
  /** Windows with something to measure. */
  readonly windowsMeasured: number;
  readonly breaches: readonly SlaBreach[];
}

function meets(target: SlaTarget, actual: number): boolean {
  return target.comparison === 'at-least' ? actual >= target.target : actual <= target.target;
}

/**
 * Each target against the rows whose interval starts in [fromMs, toMs), with every breached window
 * listed. Windows with nothing to measure (no calls on a Sunday) are neither met nor breached.
 */
export function evaluateSla(
  rows: readonly SummaryRow[],
  targets: readonly SlaTarget[],
  period: { readonly calendar: TimeZoneCalendar; readonly fromMs: number; readonly toMs: number },
): SlaResult[] {
  return targets.map((target) => {
    const queues = target.queueIds === undefined ? undefined : new Set<string>(target.queueIds);
    const selected = rows.filter(
      (row) =>
        row.key.intervalStartMs >= period.fromMs &&
        row.key.intervalStartMs < period.toMs &&
        (queues === undefined || (row.key.queueId !== null && queues.has(row.key.queueId))),
    );
    const actual = figuresOf(selected)[target.metric];
    const windows = new Map<number, SummaryRow[]>();
    if (target.per === 'period') {
      windows.set(period.fromMs, selected);
    } else {
      for (const row of selected) {
        const startMs = period.calendar.intervalStartOf(row.key.intervalStartMs, target.per);
        const list = windows.get(startMs) ?? [];
        list.push(row);
        windows.set(startMs, list);
      }
    }
    const breaches: SlaBreach[] = [];
    let windowsMeasured = 0;
    for (const [startMs, windowRows] of [...windows.entries()].sort(([a], [b]) => a - b)) {
      const windowActual = figuresOf(windowRows)[target.metric];
      if (windowActual === null) continue;
      windowsMeasured += 1;
      if (meets(target, windowActual)) continue;
      const endMs =
        target.per === 'period' ? period.toMs : period.calendar.intervalOf(startMs, target.per).endMs;
      breaches.push({ startMs, endMs, actual: windowActual });
    }
    return {
      target,
      actual,
      isMet: windowsMeasured === 0 ? null : breaches.length === 0,
      windowsMeasured,
      breaches,
    };
  });
}
