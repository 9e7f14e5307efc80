import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { createOwnDatabase } from '@centralita/testkit';
import type { RoutingFact } from '@centralita/acd';
import { Database, tenants } from '@centralita/store';
import { routingFactWrites } from './routing-runtime.ts';
import { manualTimers } from './manual-timers.ts';
import { RoutingFactWriter } from './routing-fact-writer.ts';

function fact(n: number): RoutingFact {
  return {
    type: 'AgentPresenceChanged',
    agentId: `agent-${n}`,
    from: { kind: 'offline' },
    to: { kind: 'available' },
    cause: { by: 'agent', reason: 'test' },
    atMs: 1_000 + n,
  } as unknown as RoutingFact;
}

/** A database whose writes fail while `isDown`; it keeps what it stored, per tenant, in order. */
function flakyDatabase() {
  const stored = new Map<string, number[]>();
  const database = {
    isDown: false,
    attempts: 0,
    stored,
    write: (tenantId: string, facts: readonly RoutingFact[]): Promise<void> => {
      database.attempts++;
      if (database.isDown) return Promise.reject(new Error('connection refused'));
      const list = stored.get(tenantId) ?? [];
      list.push(...facts.map((f) => f.atMs - 1_000));
      stored.set(tenantId, list);
      return Promise.resolve();
    },
  };
  return database;
}

function logCollector() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as (typeof lines)[number]);
      },
    },
  );
  return { logger, lines };
}

describe('RoutingFactWriter', () => {
  it('stores facts in order and resolves once they are stored', async () => {
    const database = flakyDatabase();
    const { logger } = logCollector();
    const writer = new RoutingFactWriter({ write: database.write, logger });
    await writer.store('t1', [fact(1), fact(2)]);
    await writer.store('t1', [fact(3)]);
    expect(database.stored.get('t1')).toEqual([1, 2, 3]);
    expect(writer.pendingCount).toBe(0);
  });

  it('keeps the facts a refusing database did not take, retries with a growing delay, and stores them in order when it is back', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger, lines } = logCollector();
    const writer = new RoutingFactWriter({ write: database.write, logger, schedule: timers.schedule });
    database.isDown = true;
    // Neither rejects: routing has already carried out what the facts record.
    await writer.store('t1', [fact(1)]);
    await writer.store('t1', [fact(2), fact(3)]);
    expect(writer.pendingCount).toBe(3);
    expect(database.attempts).toBe(1); // later facts wait for the retry instead of knocking again
    const retried = timers.runDue();
    await writer.store('t1', [fact(4)]);
    await retried;
    expect(timers.delays).toEqual([1_000, 2_000]);
    expect(
      lines.filter((line) => line.level === 50 && line.msg.startsWith('routing events cannot be stored')),
    ).toHaveLength(1);

    database.isDown = false;
    await timers.runDue();
    expect(database.stored.get('t1')).toEqual([1, 2, 3, 4]);
    expect(writer.pendingCount).toBe(0);
    expect(lines.find((line) => line.msg === 'routing events stored again')).toMatchObject({
      stored: 4,
      dropped: 0,
    });
    // Back to normal: the next facts are written at once.
    await writer.store('t1', [fact(5)]);
    expect(database.stored.get('t1')).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps one tenant going while another tenant’s facts wait', async () => {
    const stored: string[] = [];
    const timers = manualTimers();
    const { logger } = logCollector();
    const writer = new RoutingFactWriter({
      logger,
      schedule: timers.schedule,
      write: (tenantId, facts) => {
        if (tenantId === 'refused') return Promise.reject(new Error('connection refused'));
        stored.push(...facts.map((f) => `${tenantId}:${String(f.atMs - 1_000)}`));
        return Promise.resolve();
      },
    });
    await writer.store('refused', [fact(1)]);
    await writer.store('fine', [fact(2)]);
    expect(stored).toEqual(['fine:2']);
    expect(writer.pendingCount).toBe(1);
  });

  it('gives up facts the data itself refuses instead of blocking the tenant’s later facts', async () => {
    const stored: number[] = [];
    const timers = manualTimers();
    const { logger, lines } = logCollector();
    const writer = new RoutingFactWriter({
      logger,
      schedule: timers.schedule,
      write: (_tenantId, facts) => {
        if (facts.some((f) => f.atMs === 1_001)) return Promise.reject(new TypeError('a bug in the write'));
        stored.push(...facts.map((f) => f.atMs - 1_000));
        return Promise.resolve();
      },
    });
    await writer.store('t1', [fact(1)]);
    await writer.store('t1', [fact(2)]);
    expect(stored).toEqual([2]);
    expect(writer.pendingCount).toBe(0);
    expect(timers.delays).toEqual([]);
    expect(
      lines.filter((line) => line.msg.startsWith('routing events were refused by the database')),
    ).toHaveLength(1);
  });

  it('bounds what it keeps during a long outage, dropping the oldest and saying so once', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger, lines } = logCollector();
    const writer = new RoutingFactWriter({
      write: database.write,
      logger,
      schedule: timers.schedule,
      maxPending: 3,
    });
    database.isDown = true;
    for (let n = 1; n <= 6; n++) await writer.store('t1', [fact(n)]);
    expect(writer.pendingCount).toBe(3);
    expect(lines.filter((line) => line.msg.startsWith('routing events are being dropped'))).toHaveLength(1);
    database.isDown = false;
    await timers.runDue();
    expect(database.stored.get('t1')).toEqual([4, 5, 6]);
    expect(lines.find((line) => line.msg === 'routing events stored again')).toMatchObject({ dropped: 3 });
  });

  it('stops retrying when closed and says how many facts were never stored', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger } = logCollector();
    const writer = new RoutingFactWriter({ write: database.write, logger, schedule: timers.schedule });
    database.isDown = true;
    await writer.store('t1', [fact(1), fact(2)]);
    // The last attempt at shutdown is refused too, and not scheduled again.
    expect(await writer.close()).toBe(2);
    expect(database.attempts).toBe(2);
    database.isDown = false;
    await timers.runDue();
    expect(database.attempts).toBe(2);
  });

  it('makes a last attempt at shutdown: facts the database takes again before the next retry are stored', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger } = logCollector();
    const writer = new RoutingFactWriter({ write: database.write, logger, schedule: timers.schedule });
    database.isDown = true;
    await writer.store('t1', [fact(1)]);
    await writer.store('t2', [fact(2), fact(3)]);
    // The database is back, the retry is not due yet, and the server stops.
    database.isDown = false;
    expect(await writer.close()).toBe(0);
    expect(database.stored.get('t1')).toEqual([1]);
    expect(database.stored.get('t2')).toEqual([2, 3]);
  });
});

describe('routing facts written to the database', () => {
  it('are stored once each when a batch whose answer was lost is written again with more facts', async () => {
    // Its own database: the skipped event leaves a hole in the event sequence.
    const own = await createOwnDatabase(inject('adminDatabaseUrl'), 'facts');
    const database = new Database(own.url);
    try {
      const slug = `rf-${randomUUID().slice(0, 8)}`;
      const tenant = await database.asSystem((tx) => tenants.createTenant(tx, { slug, name: 'Facts' }));
      const write = routingFactWrites(database);
      const [first, second] = [fact(1), fact(2)];
      await write(tenant.id, [first]);
      // The first batch was stored but its answer lost: the writer merges it with the next fact and writes again.
      await write(tenant.id, [first, second]);
      const stored = await database.asSystem((tx) =>
        tx.query<{ agentId: string }>(
          `SELECT data ->> 'agentId' AS "agentId" FROM domain_events WHERE tenant_id = $1 ORDER BY seq`,
          [tenant.id],
        ),
      );
      expect(stored.rows.map((row) => row.agentId)).toEqual(['agent-1', 'agent-2']);
    } finally {
      await database.close();
      await own.drop();
    }
  });
});
