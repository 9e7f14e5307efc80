import { randomUUID } from 'node:crypto';
import type { Tx } from './database.ts';

/** An event that happened before it is stored (an import, the demo's history). */
export interface PastEvent {
  readonly type: string;
  readonly occurredAt: Date;
  readonly data: unknown;
}

/**
 * Appends many events to the tenant's event log in the given order (`seq` follows it), a statement per
 * 5,000. Unlike `tx.recordEvent` they are not announced on the bus when the transaction commits: readers
 * of the log (the report projector) find them when they next read it.
 */
export async function appendPastEvents(tx: Tx, events: readonly PastEvent[]): Promise<void> {
  for (let offset = 0; offset < events.length; offset += 5_000) {
    const batch = events.slice(offset, offset + 5_000);
    await tx.query(
      `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data)
       SELECT e.id, app_current_tenant(), e.type, e.occurred_at, e.data
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::jsonb[]) WITH ORDINALITY
              AS e(id, type, occurred_at, data, n)
        ORDER BY e.n`,
      [
        batch.map(() => randomUUID()),
        batch.map((event) => event.type),
        batch.map((event) => event.occurredAt.toISOString()),
        batch.map((event) => JSON.stringify(event.data)),
      ],
    );
  }
}
