/**
 * What the web app reads from `/api/reports/billing` and `/api/reports/sla`: the shapes of
 * domain/reporting's `BillingStatement` and `SlaResult` as JSON (the browser bundle cannot import the domain).
 */

/** One line of a monthly statement; `item` is a code the screen words in the reader's language. */
export interface StatementLine {
  readonly item: 'contacts' | 'minutes' | 'monthly-fee' | 'contacts-over-included';
  readonly quantity: number;
  /** Minor units of the tenant's currency (cents). */
  readonly unitPriceMinor: number;
  readonly amountMinor: number;
}

/** The tenant's statement for a calendar month in its time zone. */
export interface BillingStatement {
  readonly periodStartMs: number;
  /** The first instant after the period. */
  readonly periodEndMs: number;
  readonly billableContacts: number;
  readonly billedSeconds: number;
  readonly lines: readonly StatementLine[];
  readonly totalMinor: number;
}

/** Every figure an SLA target can be set on (the ratios, averages and times of the reports). */
export const slaMetrics = [
  'averageSpeedOfAnswerMs',
  'averageWaitMs',
  'averageAbandonWaitMs',
  'longestWaitMs',
  'averageHandleTimeMs',
  'averageTalkMs',
  'averageHoldMs',
  'averageWrapUpMs',
  'serviceLevelOfAnswered',
  'serviceLevelOfOffered',
  'serviceLevelAbandonsMet',
  'serviceLevelAbandonsExcluded',
  'abandonmentRate',
  'abandonmentRateExcludingShort',
  'occupancy',
  'utilization',
  'transferRate',
  'escalationRate',
  'firstContactResolution',
  'resolutionRate',
  'averageTimeToResolveMs',
  'csat',
  'nps',
  'qualityScore',
  'revenuePerContactMinor',
] as const;

/** A figure an SLA target is set on. */
export type SlaMetric = (typeof slaMetrics)[number];

/** How long each judged window is, or `period` for once over the whole range. */
export type SlaWindow = '15min' | '30min' | '60min' | 'day' | 'week' | 'month' | 'period';

/** One promise to the client, from `settings.sla.targets`. */
export interface SlaTarget {
  readonly id: string;
  readonly metric: SlaMetric;
  readonly comparison: 'at-least' | 'at-most';
  readonly target: number;
  readonly per: SlaWindow;
  /** Only these queues; every queue when absent. */
  readonly queueIds?: readonly string[];
}

/** A window in which the actual missed the target. */
export interface SlaBreach {
  readonly startMs: number;
  readonly endMs: number;
  readonly actual: number;
}

/** A target against its actuals over the range. */
export interface SlaResult {
  readonly target: SlaTarget;
  /** The figure over the whole range; null when there was nothing to measure. */
  readonly actual: number | null;
  /** Every window met the target; null when nothing was measured. */
  readonly isMet: boolean | null;
  readonly windowsMeasured: number;
  readonly breaches: readonly SlaBreach[];
}
