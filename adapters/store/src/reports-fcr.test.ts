import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import type { Database } from './database.ts';
import { createQueue } from './directory.ts';
import { settleFirstContacts, summaryReport } from './reports.ts';
import {
  createTestTenant,
  openTestDatabase,
  recordEventAt,
  projectThrough as projectThroughSeq,
} from './test-support.ts';
import { createUser } from './users.ts';

// First-contact resolution in the summaries (docs/metrics.md): a contact is repeated when the same customer
// calls again within 7 days, resolved once the 7 days pass without that, pending until then. With
// `settings.reports.fcrSameMatter = 'same-queue'` only a call about the same queue is a repeat.

let database: Database;
let tenant: TenantContext;
let supportQueueId: string;
let billingQueueId: string;
let agentId: string;
const dayMs = 86_400_000;

function record(type: string, atMs: number, data: Record<string, unknown>): Promise<number> {
  return recordEventAt(database, tenant, type, new Date(atMs).toISOString(), data);
}

async function projectThrough(seq: number, nowMs: number): Promise<void> {
  await projectThroughSeq(database, seq, nowMs);
}

/** The call layer's CallReceived of an inbound call of `customerId`; its seq. */
async function received(id: string, customerId: string, atMs: number): Promise<number> {
  return record('CallReceived', atMs, {
    interactionId: id,
    direction: 'inbound',
    channel: 'voice',
    customerId,
  });
}

/**
 * An inbound call of `customerId` queued (in Support unless `queue` is given), answered by the agent and talked
 * for a minute; its last event's seq. `isAnswered: false`: abandoned after 30 s. `receivedId`: the call whose
 * CallReceived is recorded already (the caller spent the time up to `atMs` in the IVR).
 */
async function call(
  customerId: string,
  atMs: number,
  options: { readonly isAnswered?: boolean; readonly queue?: string; readonly receivedId?: string } = {},
): Promise<number> {
  const id = options.receivedId ?? randomUUID();
  if (options.receivedId === undefined) await received(id, customerId, atMs);
  const queueId = options.queue ?? supportQueueId;
  let last = await record('ContactQueued', atMs, { contactId: id, queueId });
  if (options.isAnswered === false)
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
  queue = supportQueueId,
): Promise<{ decided: number; resolved: number; share: number | null }> {
  const report = await database.inTenant(tenant, (tx) =>
    summaryReport(tx, {
      from: new Date(dayStartMs),
      to: new Date(dayStartMs + dayMs),
      granularity: 'day',
      groupBy: [],
      queueId: queue,
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
  supportQueueId = (await database.inTenant(tenant, (tx) => createQueue(tx, { name: 'Soporte' }))).id;
  billingQueueId = (await database.inTenant(tenant, (tx) => createQueue(tx, { name: 'Facturación' }))).id;
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
    let last = await call(marta, day0 + 3 * dayMs, { isAnswered: false });
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

  it('with same-queue, counts as a repeat only a later call about the same queue (issue #9)', async () => {
    await setSameMatter('same-queue');
    const monday = Date.parse('2025-04-07T09:00:00Z');
    const mondayStart = Date.parse('2025-04-07T00:00:00Z');
    const lucia = randomUUID();
    const jorge = randomUUID();
    // Lucía calls Billing on Monday and Support on Tuesday: not the same matter.
    await call(lucia, monday, { queue: billingQueueId });
    await call(lucia, monday + dayMs, { queue: supportQueueId });
    // Jorge calls Billing on Monday, and again on Wednesday: his call is received, then the IVR takes a minute,
    // then he hangs up waiting in Billing.
    await call(jorge, monday + 3_600_000, { queue: billingQueueId });
    const again = randomUUID();
    let last = await received(again, jorge, monday + 2 * dayMs);
    await projectThrough(last, monday + 2 * dayMs + 1_000);
    // Folded before it reached a queue, Wednesday's call repeats nothing yet.
    expect(await matterQueues([lucia, jorge])).toEqual([
      [billingQueueId, 'pending'],
      [supportQueueId, 'pending'],
      [billingQueueId, 'pending'],
      [null, null],
    ]);
    expect(await fcrOn(mondayStart, billingQueueId)).toEqual({ decided: 0, resolved: 0, share: null });
    // In Billing a minute later (and hanging up there, not eligible itself): now it repeats Monday's.
    last = await call(jorge, monday + 2 * dayMs + 60_000, {
      queue: billingQueueId,
      receivedId: again,
      isAnswered: false,
    });
    await projectThrough(last, monday + 2 * dayMs + 120_000);
    expect(await fcrOn(mondayStart, billingQueueId)).toEqual({ decided: 1, resolved: 0, share: 0 });

    // A week and a day on, Lucía's Billing call had no repeat about Billing: resolved.
    await database.asSystem((tx) => settleFirstContacts(tx, monday + 8 * dayMs + 3_600_000));
    expect(await fcrOn(mondayStart, billingQueueId)).toEqual({ decided: 2, resolved: 1, share: 0.5 });

    // Back to any-contact: applies to calls folded from then on, the statuses already given stay.
    await setSameMatter('any-contact');
    const ana = randomUUID();
    const later = monday + 14 * dayMs;
    await call(ana, later, { queue: billingQueueId });
    last = await call(ana, later + dayMs, { queue: supportQueueId });
    await projectThrough(last, later + dayMs + 60_000);
    expect(await fcrOn(mondayStart + 14 * dayMs, billingQueueId)).toEqual({
      decided: 1,
      resolved: 0,
      share: 0,
    });
    expect(await fcrOn(mondayStart, billingQueueId)).toEqual({ decided: 2, resolved: 1, share: 0.5 });
  });

  it('migration 0012 fills in the queue of contacts folded before it as the projector keeps it', async () => {
    const kept = await database.asSystem((tx) =>
      tx.query<{ id: string; queue: string | null }>(
        `SELECT contact_id AS id, matter_queue_id AS queue FROM report_contacts WHERE tenant_id = $1 ORDER BY 1`,
        [tenant.tenantId],
      ),
    );
    expect(kept.rows.filter((row) => row.queue === billingQueueId).length).toBeGreaterThan(2);
    const migration = await readFile(
      new URL('../migrations/0012_report_fcr_matter_queue.sql', import.meta.url),
      'utf8',
    );
    const backfill = /^UPDATE report_contacts[\s\S]*?;$/m.exec(migration)?.[0];
    expect(backfill).toBeDefined();
    const filled = await database.asSystem(async (tx) => {
      await tx.query('UPDATE report_contacts SET matter_queue_id = NULL WHERE tenant_id = $1', [
        tenant.tenantId,
      ]);
      // The migration's statement, for this test's tenant only (other test files project at the same time).
      await tx.query(backfill!.replace(/;$/, ' AND c.tenant_id = $1'), [tenant.tenantId]);
      return tx.query<{ id: string; queue: string | null }>(
        `SELECT contact_id AS id, matter_queue_id AS queue FROM report_contacts WHERE tenant_id = $1 ORDER BY 1`,
        [tenant.tenantId],
      );
    });
    expect(filled.rows).toEqual(kept.rows);
  });
});

async function setSameMatter(sameMatter: string): Promise<void> {
  await database.asSystem((tx) =>
    tx.query(
      `UPDATE tenants SET settings = jsonb_set(settings, '{reports}', coalesce(settings -> 'reports', '{}') || $2::jsonb)
        WHERE id = $1`,
      [tenant.tenantId, JSON.stringify({ fcrSameMatter: sameMatter })],
    ),
  );
}

/** The queue each contact of the customers is about and its FCR status, by customer then arrival. */
async function matterQueues(customerIds: readonly string[]): Promise<[string | null, string | null][]> {
  const rows = await database.asSystem((tx) =>
    tx.query<{ queue: string | null; fcr: string | null }>(
      `SELECT matter_queue_id AS queue, fcr FROM report_contacts
        WHERE tenant_id = $1 AND customer_id = ANY($2::text[]) ORDER BY array_position($2::text[], customer_id), arrived_at`,
      [tenant.tenantId, customerIds],
    ),
  );
  return rows.rows.map((row) => [row.queue, row.fcr]);
}
