import type { InteractionId } from '@centralita/kernel';
import type { ContactRecord } from './contact-record.ts';

/**
 * A contact's first-contact resolution: `resolved` (no repeat within the window), `repeated` (the
 * customer came back about the same matter within it) or `pending` (the window is still open).
 */
export type FcrStatus = 'resolved' | 'repeated' | 'pending';

/** How first-contact resolution is decided (docs/metrics.md, "First-contact resolution"). */
export interface FcrOptions {
  /** N: a repeat contact within N × 24 hours of the first one's arrival makes it unresolved. */
  readonly windowDays: number;
  /** The moment of computing; contacts younger than the window are pending. */
  readonly asOfMs: number;
  /**
   * The matter a contact is about. By default every contact of a customer is about the same matter
   * (the strict reading: any repeat counts); a tenant may key by ticket or disposition instead.
   */
  readonly matterOf?: (record: ContactRecord) => string;
}

const dayMs = 86_400_000;

/** True when a contact can be first-contact resolved: an inbound customer contact an agent handled. */
export function isFcrEligible(record: ContactRecord): boolean {
  return record.direction === 'inbound' && record.customerId !== null && record.isConnected;
}

/**
 * First-contact resolution of every eligible contact among `records`. Repeats are any later inbound
 * contact of the same customer and matter (answered or not: calling again is the repeat), arriving in
 * (arrival, arrival + N days]. Give it every inbound contact of the customers concerned from N days
 * before the earliest contact judged, so a repeat is never missed.
 */
export function firstContactResolution(
  records: readonly ContactRecord[],
  options: FcrOptions,
): Map<InteractionId, FcrStatus> {
  const windowMs = options.windowDays * dayMs;
  const matterOf = options.matterOf ?? ((): string => '');
  const byCustomerMatter = new Map<string, ContactRecord[]>();
  for (const record of records) {
    if (record.direction !== 'inbound' || record.customerId === null) continue;
    const id = `${record.customerId}|${matterOf(record)}`;
    const list = byCustomerMatter.get(id) ?? [];
    list.push(record);
    byCustomerMatter.set(id, list);
  }
  const statuses = new Map<InteractionId, FcrStatus>();
  for (const list of byCustomerMatter.values()) {
    list.sort((a, b) => a.arrivedAtMs - b.arrivedAtMs);
    list.forEach((record, index) => {
      if (!isFcrEligible(record)) return;
      const deadlineMs = record.arrivedAtMs + windowMs;
      const next = list
        .slice(index + 1)
        .find((other) => other.arrivedAtMs > record.arrivedAtMs && other.contactId !== record.contactId);
      if (next !== undefined && next.arrivedAtMs <= deadlineMs) statuses.set(record.contactId, 'repeated');
      else statuses.set(record.contactId, options.asOfMs < deadlineMs ? 'pending' : 'resolved');
    });
  }
  return statuses;
}
