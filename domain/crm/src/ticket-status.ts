import { domainError, err, ok } from '@centralita/kernel';
import type { DomainError, Result } from '@centralita/kernel';
import type { CrmErrorCode } from './errors.ts';

/** The four built-in ticket statuses; a tenant's custom statuses each belong to one of them. */
export const ticketStatusCategories = ['open', 'resolved', 'closed', 'needs_follow_up'] as const;
export type TicketStatusCategory = (typeof ticketStatusCategories)[number];

/** What a ticket's lifecycle looks like at one moment. */
export interface TicketLifecycle {
  readonly status: string;
  readonly category: TicketStatusCategory;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
}

/**
 * The one transition function for ticket status. Rules:
 * - any open, resolved or needs-follow-up ticket may move to any status;
 * - a closed ticket may only be reopened (to a status in the `open` category): closing is final
 *   for reporting, so it cannot silently turn into "resolved" again;
 * - entering `resolved` stamps resolvedAt, entering `closed` stamps closedAt (and resolvedAt when the
 *   ticket was never resolved), reopening clears both.
 */
export function nextTicketStatus(
  current: TicketLifecycle,
  target: { readonly status: string; readonly category: TicketStatusCategory },
  nowIso: string,
): Result<TicketLifecycle, DomainError<CrmErrorCode>> {
  if (current.status === target.status) return ok(current);
  if (current.category === 'closed' && target.category !== 'open') {
    return err(
      domainError(
        'CRM_TICKET_TRANSITION_ILLEGAL',
        `a closed ticket can only be reopened; "${target.status}" is not an open status`,
        'status',
      ),
    );
  }
  switch (target.category) {
    case 'open':
    case 'needs_follow_up':
      return ok({ status: target.status, category: target.category, resolvedAt: null, closedAt: null });
    case 'resolved':
      return ok({ status: target.status, category: target.category, resolvedAt: nowIso, closedAt: null });
    case 'closed':
      return ok({
        status: target.status,
        category: target.category,
        resolvedAt: current.resolvedAt ?? nowIso,
        closedAt: nowIso,
      });
  }
}
