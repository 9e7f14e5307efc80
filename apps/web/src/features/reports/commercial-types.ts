import type { SlaTarget } from '../../app/api-types.ts';

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

export type { SlaMetric, SlaTarget } from '../../app/api-types.ts';

/** How long each judged window is, or `period` for once over the whole range. */
export type SlaWindow = SlaTarget['per'];

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
