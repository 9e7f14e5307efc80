import type { QueueId } from '@centralita/kernel';
import type { CostRates, Figures } from './figures.ts';
import { figuresOf } from './figures.ts';
import type { SummaryRow } from './summary-row.ts';
import type { Granularity, TimeZoneCalendar } from './time-zone-calendar.ts';

/** A figure a service-level agreement can set a target on: any ratio, average or time of `Figures`. */
export type SlaMetric = {
  [K in keyof Figures]: null extends Figures[K] ? K : never;
}[keyof Figures];

/**
 * The scale a metric is on, which bounds its targets: a `fraction` 0–1 (0.8 = 80 %: service levels,
 * abandonment, occupancy, utilization, transfer, escalation, FCR, resolution, CSAT), `nps` −100–100, a
 * `score` 0–100 (quality), a `duration` in milliseconds (≥ 0) or `money` in minor units (≥ 0).
 */
export type SlaScale = 'fraction' | 'nps' | 'score' | 'duration' | 'money';

/** Every metric's scale; the type keeps it to exactly the nullable figures. */
const scaleOfMetric: { readonly [M in SlaMetric]: SlaScale } = {
  averageSpeedOfAnswerMs: 'duration',
  averageWaitMs: 'duration',
  averageAbandonWaitMs: 'duration',
  longestWaitMs: 'duration',
  averageHandleTimeMs: 'duration',
  averageTalkMs: 'duration',
  averageHoldMs: 'duration',
  averageWrapUpMs: 'duration',
  serviceLevelOfAnswered: 'fraction',
  serviceLevelOfOffered: 'fraction',
  serviceLevelAbandonsMet: 'fraction',
  serviceLevelAbandonsExcluded: 'fraction',
  abandonmentRate: 'fraction',
  abandonmentRateExcludingShort: 'fraction',
  occupancy: 'fraction',
  utilization: 'fraction',
  transferRate: 'fraction',
  escalationRate: 'fraction',
  firstContactResolution: 'fraction',
  resolutionRate: 'fraction',
  averageTimeToResolveMs: 'duration',
  csat: 'fraction',
  nps: 'nps',
  qualityScore: 'score',
  revenuePerContactMinor: 'money',
  costPerContactMinor: 'money',
};

/** Every metric a target may name (for the edge to validate against), in the order of `Figures`. */
export const slaMetrics = Object.keys(scaleOfMetric) as readonly SlaMetric[];

/** The values a target on `metric` may take, both ends included (`max` is Infinity for times and money). */
export function slaTargetRange(metric: SlaMetric): { readonly min: number; readonly max: number } {
  const scale = scaleOfMetric[metric];
  switch (scale) {
    case 'fraction':
      return { min: 0, max: 1 };
    case 'nps':
      return { min: -100, max: 100 };
    case 'score':
      return { min: 0, max: 100 };
    case 'duration':
    case 'money':
      return { min: 0, max: Number.POSITIVE_INFINITY };
  }
}

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
 * listed. Windows with nothing to measure (no calls on a Sunday) are neither met nor breached. Cost per
 * contact needs the tenant's `rates` and all queues: agent time has no queue, so on a target limited to
 * queues it is never measured (see `costPerContactMinor`).
 */
export function evaluateSla(
  rows: readonly SummaryRow[],
  targets: readonly SlaTarget[],
  period: {
    readonly calendar: TimeZoneCalendar;
    readonly fromMs: number;
    readonly toMs: number;
    readonly rates?: CostRates | undefined;
  },
): SlaResult[] {
  return targets.map((target) => {
    const queues = target.queueIds === undefined ? undefined : new Set<string>(target.queueIds);
    const rates = queues === undefined ? period.rates : undefined;
    const selected = rows.filter(
      (row) =>
        row.key.intervalStartMs >= period.fromMs &&
        row.key.intervalStartMs < period.toMs &&
        (queues === undefined || (row.key.queueId !== null && queues.has(row.key.queueId))),
    );
    const actual = figuresOf(selected, rates)[target.metric];
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
      const windowActual = figuresOf(windowRows, rates)[target.metric];
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
