import { describe, expect, it } from 'vitest';
import { ticketContributions } from './contributions.ts';
import { figuresOf } from './figures.ts';
import { foldTicket } from './ticket-record.ts';
import { at, customer, eventLog, madrid, ticket } from './test-events.ts';

describe('tickets', () => {
  const t0 = at('2025-02-03T10:00:00+01:00');

  it('count resolved when they reached resolved or closed, from the first time, and not after reopening', () => {
    const log = eventLog();
    const created = (id: string) =>
      log.record({
        type: 'TicketCreated',
        ticketId: ticket(id),
        customerId: customer('ann'),
        status: 'open',
        atMs: t0,
      });
    const updated = (id: string, status: string, hours: number) =>
      log.record({ type: 'TicketUpdated', ticketId: ticket(id), status, atMs: t0 + hours * 3_600_000 });
    created('t1');
    updated('t1', 'resolved', 2);
    updated('t1', 'closed', 5);
    created('t2');
    updated('t2', 'resolved', 1);
    updated('t2', 'open', 3);
    created('t3');
    updated('t3', 'escalado', 1);
    const tickets = ['t1', 't2', 't3'].map((id) =>
      foldTicket(log.events.filter((e) => 'ticketId' in e && e.ticketId === id)),
    );
    expect(tickets.map((t) => t?.resolvedAtMs)).toEqual([t0 + 2 * 3_600_000, undefined, undefined]);
    // A tenant status mapped to the resolved category counts as resolved.
    const mapped = foldTicket(
      log.events.filter((e) => 'ticketId' in e && e.ticketId === 't3'),
      (status) => (status === 'escalado' ? 'resolved' : 'open'),
    );
    expect(mapped?.resolvedAtMs).toBe(t0 + 3_600_000);

    const rows = tickets.flatMap((t) =>
      t === undefined ? [] : ticketContributions(t, { calendar: madrid(), granularity: 'day' }),
    );
    expect(figuresOf(rows)).toMatchObject({ resolutionRate: 1 / 3, averageTimeToResolveMs: 2 * 3_600_000 });
  });
});
