import type { SummaryRow } from './summary-row.ts';
import { totalOf } from './summary-row.ts';
import type { Interval } from './time-zone-calendar.ts';

/**
 * How an outsourcing provider charges a client tenant. Prices are minor units (cents). The per-contact
 * rounding of billable time is part of the contribution options (`billingRounding`), applied as each
 * contact is counted.
 */
export type BillingPlan =
  | { readonly kind: 'per-contact'; readonly pricePerContactMinor: number }
  | { readonly kind: 'per-minute'; readonly pricePerMinuteMinor: number }
  | {
      readonly kind: 'flat';
      readonly monthlyFeeMinor: number;
      /** Billable contacts the fee covers; more are charged at `overagePerContactMinor`. */
      readonly includedContacts?: number;
      readonly overagePerContactMinor?: number;
    };

/** One line of a statement; `item` is a code the web app words in the reader's language. */
export interface StatementLine {
  readonly item: 'contacts' | 'minutes' | 'monthly-fee' | 'contacts-over-included';
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly amountMinor: number;
}

/** A client's statement for a period (normally a calendar month in the client's time zone). */
export interface BillingStatement {
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  readonly billableContacts: number;
  readonly billedSeconds: number;
  readonly lines: readonly StatementLine[];
  readonly totalMinor: number;
}

/**
 * The statement for the rows of one client tenant whose interval starts within `period` (e.g.
 * `calendar.intervalOf(instant, 'month')`). Amounts are rounded to the minor unit once per line, half up.
 */
export function billingStatement(
  rows: Iterable<SummaryRow>,
  plan: BillingPlan,
  period: Interval,
): BillingStatement {
  const within: SummaryRow[] = [];
  for (const row of rows) {
    if (row.key.intervalStartMs >= period.startMs && row.key.intervalStartMs < period.endMs) within.push(row);
  }
  const total = totalOf(within);
  const contacts = total.billableContacts;
  const minutes = total.billedSeconds / 60;
  const lines: StatementLine[] = [];
  switch (plan.kind) {
    case 'per-contact':
      lines.push({
        item: 'contacts',
        quantity: contacts,
        unitPriceMinor: plan.pricePerContactMinor,
        amountMinor: Math.round(contacts * plan.pricePerContactMinor),
      });
      break;
    case 'per-minute':
      lines.push({
        item: 'minutes',
        quantity: minutes,
        unitPriceMinor: plan.pricePerMinuteMinor,
        amountMinor: Math.round((total.billedSeconds * plan.pricePerMinuteMinor) / 60),
      });
      break;
    case 'flat': {
      lines.push({
        item: 'monthly-fee',
        quantity: 1,
        unitPriceMinor: plan.monthlyFeeMinor,
        amountMinor: plan.monthlyFeeMinor,
      });
      const over = plan.includedContacts === undefined ? 0 : Math.max(0, contacts - plan.includedContacts);
      if (over > 0 && plan.overagePerContactMinor !== undefined) {
        lines.push({
          item: 'contacts-over-included',
          quantity: over,
          unitPriceMinor: plan.overagePerContactMinor,
          amountMinor: Math.round(over * plan.overagePerContactMinor),
        });
      }
      break;
    }
  }
  return {
    periodStartMs: period.startMs,
    periodEndMs: period.endMs,
    billableContacts: contacts,
    billedSeconds: total.billedSeconds,
    lines,
    totalMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0),
  };
}
