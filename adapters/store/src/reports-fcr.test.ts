import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import type { Database } from './database.ts';
import { createQueue } from './directory.ts';
import { settleFirstContacts, summaryReport } from './reports.ts';
import { createTestTenant, openTestDatabase, projectThrough as projectThroughSeq } from './test-support.ts';
import { createUser } from './users.ts';

// First-contact resolution in the summaries (docs/metrics.md): a contact is repeated when the same customer
// calls again within 7 days, resolved once the 7 days pass without that, pending until then.

let database: Database;
let tenant: TenantContext;
let queueId: string;
let agentId: string;
const dayMs = 86_400_000;

async function record(type: string, atMs: number, data: Record<string, unknown>): Promise<number> {
  const row = await database.asSystem((tx) =>
    tx.query<{ seq: number }>(
      `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data) VALUES ($1, $2, $3, $4, $5)
       RETURNING seq::float8 AS seq`,
      [randomUUID(), tenant.tenantId, type, new Date(atMs).toISOString(), JSON.stringify(data)],
    ),
  );
  return row.rows[0]!.seq;
}

async function projectThrough(seq: number, nowMs: number): Promise<void> {
  await projectThroughSeq(database, seq, nowMs);
}

/** An inbound call of `customerId` answered by the agent and talked for a minute; its last event's seq. */
async function call(customerId: string, atMs: number, isAnswered = true): Promise<number> {
  const id = randomUUID();
  await record('CallReceived', atMs, {
    interactionId: id,
    direction: 'inbound',
    channel: 'voice',
    customerId,
  });
  let last = await record('ContactQueued', atMs, { contactId: id, queueId });
  if (!isAnswered)
    return record('ContactFinished', atMs + 30_000, {
      contactId: id,
      queueId,
      channel: 'voice',
      outcome: 'abandoned',
      waitMs: 30_000,
    });
  last = await record('ContactAnswered', atMs + 5_000, { contactId: id, queueId, agentId, waitMs: 5_000 });
  await record('AgentActivityChanged', atMs + 5_000, {
    agentId,
    contactId: id,
    from: 'ringing',
    to: 'on-contact',
    cause: { by: 'system', reason: 'answered' },
  });
  await record('CallEnded', atMs + 65_000, { interactionId: id, cause: 'caller-hangup' });
  last = await record('AgentActivityChanged', atMs + 65_000, {
    agentId,
    contactId: id,
    from: 'on-contact',
    to: 'idle',
    cause: { by: 'system', reason: 'hangup' },
  });
  return last;
}

async function fcrOn(
  dayStartMs: number,
): Promise<{ decided: number; resolved: number; share: number | null }> {
  const report = await database.inTenant(tenant, (tx) =>
    summaryReport(tx, {
      from: new Date(dayStartMs),
      to: new Date(dayStartMs + dayMs),
      granularity: 'day',
      groupBy: [],
      queueId,
    }),
  );
  return {
    decided: report.total.values.fcrDecided,
    resolved: report.total.values.fcrResolved,
    share: report.total.figures.firstContactResolution,
  };
}

beforeAll(async () => {
  database = openTestDatabase();
  tenant = await createTestTenant(database, 'FCR');
  queueId = (await database.inTenant(tenant, (tx) => createQueue(tx, { name: 'Soporte' }))).id;
  agentId = (
    await database.inTenant(tenant, (tx) =>
      createUser(tx, { email: 'eva@fcr.test', displayName: 'Eva', role: 'agent' }),
    )
  ).id;
});

afterAll(async () => {
  await database.close();
});

describe('first-contact resolution in the summaries', () => {
  it('marks a contact repeated when the customer calls again within 7 days, resolved when the 7 days pass', async () => {
    const day0 = Date.parse('2025-03-03T09:00:00Z');
    const dayStart = Date.parse('2025-03-03T00:00:00Z');
    const marta = randomUUID();
    const pedro = randomUUID();
    await call(marta, day0);
    await call(pedro, day0 + 3_600_000);
    // Marta calls again 3 days later (unanswered: calling again is the repeat all the same).
    let last = await call(marta, day0 + 3 * dayMs, false);
    await projectThrough(last, day0 + 3 * dayMs + 60_000);
    // Before the window ends: Marta's first call is decided (repeated), Pedro's is still pending.
    expect(await fcrOn(dayStart)).toEqual({ decided: 1, resolved: 0, share: 0 });

    // Eight days on, Pedro's call has had its 7 days without a repeat: resolved.
    await database.asSystem((tx) => settleFirstContacts(tx, day0 + 8 * dayMs));
    expect(await fcrOn(dayStart)).toEqual({ decided: 2, resolved: 1, share: 0.5 });

    // A late event of a call that happened before Marta's first one (day -2) makes that one repeated too.
    last = await call(marta, day0 - 2 * dayMs);
    await projectThrough(last, day0 + 8 * dayMs);
    expect(await fcrOn(dayStart - 2 * dayMs)).toEqual({ decided: 1, resolved: 0, share: 0 });
    // Calls nobody answered are not judged themselves.
    expect(await fcrOn(dayStart + 3 * dayMs)).toMatchObject({ decided: 0, share: null });
  });
});
