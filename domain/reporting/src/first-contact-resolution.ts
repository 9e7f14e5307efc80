import type { InteractionId, QueueId } from '@centralita/kernel';
import type { ContactRecord } from './contact-record.ts';

/**
 * A contact's first-contact resolution: `resolved` (no repeat within the window), `repeated` (the
 * customer came back about the same matter within it) or `pending` (the window is still open).
 */
export type FcrStatus = 'resolved' | 'repeated' | 'pending';

/**
 * What "the same matter" means (`settings.reports.fcrSameMatter`, docs/metrics.md, "First-contact
 * resolution"): `any-contact`, every later inbound contact of the customer is a repeat (the strict
 * reading, the default); `same-queue`, only one about the same queue (the first queue each contact entered).
 */
export type FcrSameMatter = 'any-contact' | 'same-queue';

/** Every value of `FcrSameMatter`, the default first (for the edge to validate against). */
export const fcrSameMatterValues = ['any-contact', 'same-queue'] as const satisfies readonly FcrSameMatter[];

/** True for a value `settings.reports.fcrSameMatter` may hold. */
export function isFcrSameMatter(value: unknown): value is FcrSameMatter {
  return (fcrSameMatterValues as readonly unknown[]).includes(value);
}

/** How a tenant decides first-contact resolution. */
export interface FcrRule {
  /** N: a repeat contact within N × 24 hours of the first one's arrival makes it unresolved. */
  readonly windowDays: number;
  /** What counts as the same matter; `any-contact` when not given. */
  readonly sameMatter?: FcrSameMatter;
}

/** How first-contact resolution is decided (docs/metrics.md, "First-contact resolution"). */
export interface FcrOptions extends FcrRule {
  /** The moment of computing; contacts younger than the window are pending. */
  readonly asOfMs: number;
}

/** What deciding a repeat needs to know of a contact (the projector keeps it in report_contacts). */
export interface FcrContact {
  readonly customerId: string | null;
  readonly isInbound: boolean;
  readonly arrivedAtMs: number;
  /** The queue the contact is about (`matterQueueOf`); null when it never reached one. */
  readonly matterQueueId: QueueId | null;
}

const dayMs = 86_400_000;

/**
 * The queue a contact is about: the first queue it entered (the one the customer's choice in the IVR, or
 * the number dialled, sent it to). Transfers, overflows and escalations to other queues do not change it:
 * they are the center's handling of the matter, not a new one. Null for a contact that never reached a
 * queue (a direct call to an agent, or one that ended in the IVR).
 */
export function matterQueueOf(record: ContactRecord): QueueId | null {
  return record.visits[0]?.queueId ?? null;
}

/** A contact as the repeat decision reads it. */
export function fcrContactOf(record: ContactRecord): FcrContact {
  return {
    customerId: record.customerId,
    isInbound: record.direction === 'inbound',
    arrivedAtMs: record.arrivedAtMs,
    matterQueueId: matterQueueOf(record),
  };
}

/** True when a contact can be first-contact resolved: an inbound customer contact an agent handled. */
export function isFcrEligible(record: ContactRecord): boolean {
  return record.direction === 'inbound' && record.customerId !== null && record.isConnected;
}

/**
 * True when `later` repeats `earlier` under `rule`: an inbound contact of the same known customer arriving
 * in (earlier's arrival, + N days], answered or not (calling again is the repeat), about the same matter.
 * Under `same-queue` the matter is the queue each is about: a later contact that has not reached a queue
 * repeats no contact that did (nothing says it is the same matter; if it reaches one later it is judged
 * again by that one), while an earlier contact that never reached a queue has no known matter and is
 * repeated by any later contact, as under `any-contact`.
 */
export function isRepeatOf(later: FcrContact, earlier: FcrContact, rule: FcrRule): boolean {
  if (!later.isInbound || later.customerId === null || later.customerId !== earlier.customerId) return false;
  if (
    later.arrivedAtMs <= earlier.arrivedAtMs ||
    later.arrivedAtMs > earlier.arrivedAtMs + rule.windowDays * dayMs
  )
    return false;
  const sameMatter = rule.sameMatter ?? 'any-contact';
  switch (sameMatter) {
    case 'any-contact':
      return true;
    case 'same-queue':
      return earlier.matterQueueId === null || later.matterQueueId === earlier.matterQueueId;
  }
}

/**
 * First-contact resolution of every eligible contact among `records`. A contact is repeated when a later
 * one repeats it (`isRepeatOf`). Give it every inbound contact of the customers concerned from N days
 * before the earliest contact judged, so a repeat is never missed.
 */
export function firstContactResolution(
  records: readonly ContactRecord[],
  options: FcrOptions,
): Map<InteractionId, FcrStatus> {
  const windowMs = options.windowDays * dayMs;
  const byCustomer = new Map<string, ContactRecord[]>();
  for (const record of records) {
    if (record.direction !== 'inbound' || record.customerId === null) continue;
    const list = byCustomer.get(record.customerId) ?? [];
    list.push(record);
    byCustomer.set(record.customerId, list);
  }
  const statuses = new Map<InteractionId, FcrStatus>();
  for (const list of byCustomer.values()) {
    list.sort((a, b) => a.arrivedAtMs - b.arrivedAtMs);
    list.forEach((record, index) => {
      if (!isFcrEligible(record)) return;
      const earlier = fcrContactOf(record);
      const isRepeated = list
        .slice(index + 1)
        .some(
          (other) =>
            other.contactId !== record.contactId && isRepeatOf(fcrContactOf(other), earlier, options),
        );
      if (isRepeated) statuses.set(record.contactId, 'repeated');
      else
        statuses.set(
          record.contactId,
          options.asOfMs < record.arrivedAtMs + windowMs ? 'pending' : 'resolved',
        );
    });
  }
  return statuses;
}
