import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TenantId } from '@centralita/kernel';
import type { TenantContext } from './actor.ts';
import { Database } from './database.ts';
import { createTenant } from './tenants.ts';
import { projectPending } from './reports-projection.ts';

// The values tools/testkit's global setup provides (declared again here: this package cannot depend on testkit).
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    databaseKind: 'embedded' | 'server';
  }
}

/** The migrated database of this test run (see tools/testkit/src/global-setup.ts). */
export function openTestDatabase(): Database {
  return new Database(inject('databaseUrl'));
}

/** A fresh tenant with a unique slug, and a context acting in it as a system actor. */
export async function createTestTenant(
  database: Database,
  name = 'Test',
): Promise<TenantContext & { slug: string }> {
  const slug = `t-${randomUUID().slice(0, 12)}`;
  const tenant = await database.asSystem((tx) => createTenant(tx, { slug, name }));
  return { tenantId: tenant.id as TenantId, actor: { type: 'system', id: 'test' }, slug };
}

/**
 * Runs the report projector until it has applied `seq`. Other test files record events at the same time, so a
 * hole in the sequence is a transaction still committing: it is waited for, as the projector does.
 */
export async function projectThrough(database: Database, seq: number, nowMs: number): Promise<void> {
  let skipGapsBelow = 0;
  for (let attempt = 0; attempt < 500; attempt++) {
    const result = await database.asSystem((tx) =>
      projectPending(tx, { limit: 5_000, nowMs, skipGapsBelow }),
    );
    if (result.throughSeq >= seq) return;
    if (result.gapAfterSeq !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (attempt > 200) skipGapsBelow = result.lastSeqRead;
    }
  }
  throw new Error(`the projector did not reach seq ${String(seq)}`);
}

/**
 * Records an event as the application does (a `domain_events` row of the tenant) at the instant it happened,
 * however long ago: report tests build their histories with it. Returns its sequence number.
 */
export async function recordEventAt(
  database: Database,
  context: TenantContext,
  type: string,
  at: string,
  data: Record<string, unknown>,
): Promise<number> {
  const row = await database.asSystem((tx) =>
    tx.query<{ seq: number }>(
      `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data) VALUES ($1, $2, $3, $4, $5)
       RETURNING seq::float8 AS seq`,
      [randomUUID(), context.tenantId, type, at, JSON.stringify(data)],
    ),
  );
  const seq = row.rows[0]?.seq;
  if (seq === undefined) throw new Error(`the ${type} event was not recorded`);
  return seq;
}
