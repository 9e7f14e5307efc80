import type { CustomerId, TicketId } from '@centralita/kernel';
import type { ReportingEvent } from './events.ts';
import { compareEvents } from './events.ts';

/** The built-in ticket status categories; a tenant's own statuses each belong to one of them. */
export type TicketStatusCategory = 'open' | 'resolved' | 'closed' | 'needs_follow_up';

/** Maps a status code to its category; the built-in codes are their own category. */
export type TicketCategoryOf = (status: string) => TicketStatusCategory;

/** What reports need about one ticket. */
export interface TicketRecord {
  readonly ticketId: TicketId;
  readonly customerId: CustomerId | null;
  readonly createdAtMs: number;
  readonly status: string;
  /** When the ticket last became resolved or closed; undefined while it is not (reopening clears it). */
  readonly resolvedAtMs: number | undefined;
}

const builtInCategories: ReadonlySet<string> = new Set(['open', 'resolved', 'closed', 'needs_follow_up']);

/** The category of a built-in status; any other code counts as open unless a mapping says otherwise. */
export const builtInTicketCategory: TicketCategoryOf = (status) =>
  builtInCategories.has(status) ? (status as TicketStatusCategory) : 'open';

function isDone(category: TicketStatusCategory): boolean {
  return category === 'resolved' || category === 'closed';
}

/** Folds one ticket's events (any order) into its record; undefined without a TicketCreated. */
export function foldTicket(
  events: readonly ReportingEvent[],
  categoryOf: TicketCategoryOf = builtInTicketCategory,
): TicketRecord | undefined {
  const sorted = events
    .filter(
      (e): e is Extract<ReportingEvent, { type: 'TicketCreated' | 'TicketUpdated' }> =>
        e.type === 'TicketCreated' || e.type === 'TicketUpdated',
    )
    .sort(compareEvents);
  const created = sorted.find((e) => e.type === 'TicketCreated');
  if (created === undefined) return undefined;
  let status = created.status;
  let resolvedAtMs = isDone(categoryOf(status)) ? created.atMs : undefined;
  for (const event of sorted) {
    if (event.type !== 'TicketUpdated' || event.status === status) continue;
    status = event.status;
    // Resolved then closed keeps the first time it was done; reopening starts over.
    if (!isDone(categoryOf(status))) resolvedAtMs = undefined;
    else resolvedAtMs ??= event.atMs;
  }
  return {
    ticketId: created.ticketId,
    customerId: created.customerId,
    createdAtMs: created.atMs,
    status,
    resolvedAtMs,
  };
}
