import { describe, expect, it } from 'vitest';
import { nextTicketStatus, ticketStatusCategories } from './ticket-status.ts';
import type { TicketLifecycle, TicketStatusCategory } from './ticket-status.ts';

const now = '2026-11-23T10:00:00.000Z';
const ticketIn = (category: TicketStatusCategory): TicketLifecycle => ({
  status: category,
  category,
  resolvedAt: category === 'resolved' || category === 'closed' ? '2026-11-20T09:00:00.000Z' : null,
  closedAt: category === 'closed' ? '2026-11-21T09:00:00.000Z' : null,
});

describe('nextTicketStatus', () => {
  it('allows every move between open, resolved and needs-follow-up and to closed', () => {
    for (const from of ['open', 'resolved', 'needs_follow_up'] as const) {
      for (const to of ticketStatusCategories) {
        const result = nextTicketStatus(ticketIn(from), { status: to, category: to }, now);
        expect(result.ok, `${from} -> ${to}`).toBe(true);
      }
    }
  });

  it('only reopens a closed ticket', () => {
    for (const to of ticketStatusCategories) {
      const result = nextTicketStatus(ticketIn('closed'), { status: to, category: to }, now);
      expect(result.ok, `closed -> ${to}`).toBe(to === 'open' || to === 'closed');
      if (!result.ok) expect(result.error.code).toBe('CRM_TICKET_TRANSITION_ILLEGAL');
    }
  });

  it('stamps and clears the resolution and closing times', () => {
    const resolved = nextTicketStatus(ticketIn('open'), { status: 'resolved', category: 'resolved' }, now);
    expect(resolved.ok && resolved.value.resolvedAt).toBe(now);
    const closedDirectly = nextTicketStatus(ticketIn('open'), { status: 'closed', category: 'closed' }, now);
    expect(closedDirectly.ok && [closedDirectly.value.resolvedAt, closedDirectly.value.closedAt]).toEqual([
      now,
      now,
    ]);
    const reopened = nextTicketStatus(ticketIn('closed'), { status: 'open', category: 'open' }, now);
    expect(reopened.ok && [reopened.value.resolvedAt, reopened.value.closedAt]).toEqual([null, null]);
  });

  it('treats a custom status by its category', () => {
    const waiting = nextTicketStatus(
      ticketIn('closed'),
      { status: 'waiting_for_customer', category: 'needs_follow_up' },
      now,
    );
    expect(waiting.ok).toBe(false);
    const pending = nextTicketStatus(
      ticketIn('open'),
      { status: 'waiting_for_customer', category: 'needs_follow_up' },
      now,
    );
    expect(pending.ok && pending.value.status).toBe('waiting_for_customer');
  });
});
