import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import type { Database } from './database.ts';
import { createQueue } from './directory.ts';
import { monthlyStatement, reportCsv, slaResults, summaryReport } from './reports.ts';
import type { SummaryQuery } from './reports.ts';
import { updateCurrentTenant } from './tenants.ts';
import { createTestTenant, openTestDatabase, recordEventAt, projectThrough } from './test-support.ts';
import { createUser } from './users.ts';

let database: Database;

/** Records an event the way the application does (domain_events), at the instant it happened. */
function record(
  context: TenantContext,
  type: string,
  at: string,
  data: Record<string, unknown>,
): Promise<number> {
  return recordEventAt(database, context, type, at, data);
}

async function settle(context: TenantContext, settings: Record<string, unknown>): Promise<void> {
  await database.inTenant(context, (tx) => updateCurrentTenant(tx, { settings }));
}

/**
 * Agent `agentId` logs in at 09:00 (Madrid), answers one call of `queueId` at 10:00 after 10 s and talks
 * for five minutes, and logs out at 11:00: two agent hours, five connected minutes, one connected contact.
 */
async function morningOfOneCall(context: TenantContext, queueId: string, agentId: string): Promise<number> {
  const presence = (at: string, from: string, to: string) =>
    record(context, 'AgentPresenceChanged', at, {
      agentId,
      from: { kind: from },
      to: { kind: to },
      cause: { by: 'agent', reason: to },
    });
  const activity = (at: string, contactId: string, from: string, to: string) =>
    record(context, 'AgentActivityChanged', at, {
      agentId,
      contactId,
      from,
      to,
      cause: { by: 'system', reason: to },
    });
  const id = randomUUID();
  await presence('2025-06-02T09:00:00+02:00', 'offline', 'available');
  await record(context, 'CallReceived', '2025-06-02T10:00:00+02:00', {
    interactionId: id,
    direction: 'inbound',
    channel: 'voice',
    customerId: null,
    from: '+34600000000',
  });
  await record(context, 'ContactQueued', '2025-06-02T10:00:00+02:00', { contactId: id, queueId });
  await activity('2025-06-02T10:00:08+02:00', id, 'idle', 'ringing');
  await record(context, 'ContactAnswered', '2025-06-02T10:00:10+02:00', {
    contactId: id,
    queueId,
    agentId,
    waitMs: 10_000,
  });
  await activity('2025-06-02T10:00:10+02:00', id, 'ringing', 'on-contact');
  await record(context, 'CallEnded', '2025-06-02T10:05:10+02:00', {
    interactionId: id,
    cause: 'caller-hangup',
  });
  await activity('2025-06-02T10:05:10+02:00', id, 'on-contact', 'idle');
  return presence('2025-06-02T11:00:00+02:00', 'available', 'offline');
}

let priced: TenantContext;
let unpriced: TenantContext;
let pricedQueue: string;
let pricedAgent: string;
const rates = { agentHourMinor: 1800, telephonyMinuteMinor: 2 };
// Two agent hours at 18.00 and five connected minutes at 0.02, for one connected contact.
const fullCostMinor = 2 * 1800 + 5 * 2;
const day = { from: new Date('2025-06-02T00:00:00+02:00'), to: new Date('2025-06-03T00:00:00+02:00') };

beforeAll(async () => {
  database = openTestDatabase();
  priced = await createTestTenant(database, 'Priced');
  unpriced = await createTestTenant(database, 'Unpriced');
  let last = 0;
  for (const context of [priced, unpriced]) {
    const queueId = (await database.inTenant(context, (tx) => createQueue(tx, { name: 'Soporte' }))).id;
    const agentId = (
      await database.inTenant(context, (tx) =>
        createUser(tx, {
          email: `eva@${context.tenantId.slice(0, 8)}.test`,
          displayName: 'Eva',
          role: 'agent',
        }),
      )
    ).id;
    if (context === priced) {
      pricedQueue = queueId;
      pricedAgent = agentId;
    }
    last = await morningOfOneCall(context, queueId, agentId);
  }
  await settle(priced, { reports: { costRates: rates } });
  await projectThrough(database, last, Date.parse('2030-01-01T00:00:00Z'));
});

afterAll(async () => {
  await database.close();
});

async function report(context: TenantContext, query: Partial<SummaryQuery>) {
  return database.inTenant(context, (tx) =>
    summaryReport(tx, { ...day, granularity: 'period', groupBy: [], ...query }),
  );
}

describe('cost per contact', () => {
  it('prices agent hours and connected minutes over connected contacts when the tenant has rates', async () => {
    const result = await report(priced, {});
    // No currency set: amounts are euro cents.
    expect(result.currency).toBe('EUR');
    expect(result.total.values).toMatchObject({ contactsConnected: 1, loggedInMs: 2 * 3_600_000 });
    expect(result.total.figures.costPerContactMinor).toBe(fullCostMinor);
    // Per agent and per interval the agent time stays beside the contacts.
    const byAgent = await report(priced, { groupBy: ['agent'] });
    expect(byAgent.lines.find((line) => line.agentId === pricedAgent)?.figures.costPerContactMinor).toBe(
      fullCostMinor,
    );
    const byDay = await report(priced, { granularity: 'day' });
    expect(byDay.lines.map((line) => line.figures.costPerContactMinor)).toEqual([fullCostMinor]);
  });

  it('is empty where agent time cannot be told apart: queue lines, and the total of one queue', async () => {
    // Agent time has no queue: a queue's line would show the telephony half only and look cheap.
    const byQueue = await report(priced, { groupBy: ['queue'] });
    expect(byQueue.lines.find((line) => line.queueId === pricedQueue)?.values.contactsConnected).toBe(1);
    expect(byQueue.lines.map((line) => line.figures.costPerContactMinor)).toEqual(
      byQueue.lines.map(() => null),
    );
    // Over every queue the total still holds all of it.
    expect(byQueue.total.figures.costPerContactMinor).toBe(fullCostMinor);
    expect((await report(priced, { queueId: pricedQueue })).total.figures.costPerContactMinor).toBeNull();
    expect((await report(priced, { channel: 'voice' })).total.figures.costPerContactMinor).toBeNull();
  });

  it('is empty without rates, and exported as a CSV column', async () => {
    const result = await report(unpriced, {});
    expect(result.total.values.contactsConnected).toBe(1);
    expect(result.total.figures.costPerContactMinor).toBeNull();
    const column = (csv: string) => {
      const [header, ...lines] = csv.trimEnd().split('\r\n');
      const index = header!.split(',').indexOf('costPerContactMinor');
      expect(index).toBeGreaterThan(0);
      return lines.map((line) => line.split(',')[index]);
    };
    expect(column(reportCsv(await report(priced, {})))).toEqual([
      String(fullCostMinor),
      String(fullCostMinor),
    ]);
    expect(column(reportCsv(result))).toEqual(['', '']);
  });
});

describe('billing and SLA from the tenant settings', () => {
  it('states a month per minute, and states nothing once the plan is removed (null)', async () => {
    await settle(priced, { billing: { kind: 'per-minute', pricePerMinuteMinor: 45 } });
    const statement = await database.inTenant(priced, (tx) => monthlyStatement(tx, '2025-06'));
    expect(statement?.billableContacts).toBe(1);
    expect(statement?.lines).toEqual([
      { item: 'minutes', quantity: 5, unitPriceMinor: 45, amountMinor: 225 },
    ]);
    expect(statement?.totalMinor).toBe(225);
    await settle(priced, { billing: null });
    expect(await database.inTenant(priced, (tx) => monthlyStatement(tx, '2025-06'))).toBeUndefined();
  });

  it('judges a cost target with the rates, on all queues', async () => {
    await settle(priced, {
      sla: {
        targets: [
          { id: 'cost', metric: 'costPerContactMinor', comparison: 'at-most', target: 3000, per: 'day' },
          {
            id: 'asa',
            metric: 'averageSpeedOfAnswerMs',
            comparison: 'at-most',
            target: 30_000,
            per: 'period',
          },
        ],
      },
    });
    const results = await database.inTenant(priced, (tx) => slaResults(tx, day.from, day.to));
    expect(results.map((result) => [result.target.id, result.actual, result.isMet])).toEqual([
      ['cost', fullCostMinor, false],
      ['asa', 10_000, true],
    ]);
    expect(results[0]?.breaches).toEqual([
      { startMs: day.from.getTime(), endMs: day.to.getTime(), actual: fullCostMinor },
    ]);
  });
});
