import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { createOwnDatabase } from '@centralita/testkit';
import type { TenantId } from '@centralita/kernel';
import { Database, tenants } from '@centralita/store';
import type { TenantContext } from '@centralita/store';
import type { DeferredWrite } from './deferred-writes.ts';
import { manualTimers } from '../manual-timers.ts';
import { DeferredWrites } from './deferred-writes.ts';

/** A database that refuses every write while `isDown`; `stored` lists what it took, in order. */
function flakyDatabase() {
  const database = {
    isDown: false,
    attempts: 0,
    stored: [] as string[],
    write(name: string): DeferredWrite {
      return {
        what: `write ${name}`,
        fields: { name },
        run: () => {
          database.attempts++;
          if (database.isDown) return Promise.reject(new Error('connection refused'));
          database.stored.push(name);
          return Promise.resolve();
        },
      };
    },
  };
  return database;
}

function logCollector() {
  const messages: string[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg) },
  );
  return { logger, messages };
}

describe('DeferredWrites', () => {
  it('runs a write at once and says it is stored', async () => {
    const database = flakyDatabase();
    const writes = new DeferredWrites({ logger: logCollector().logger });
    expect(await writes.run(database.write('end'))).toBe(true);
    expect(database.stored).toEqual(['end']);
  });

  it('keeps refused writes, queues later ones behind them, and stores them all in order when the database is back', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger, messages } = logCollector();
    const writes = new DeferredWrites({ logger, schedule: timers.schedule });
    database.isDown = true;
    expect(await writes.run(database.write('end of call'))).toBe(false);
    // Queued behind, without knocking on the database again: a wrap-up never lands before its call's end.
    expect(await writes.run(database.write('end of wrap-up'))).toBe(false);
    expect(database.attempts).toBe(1);
    await timers.runDue();
    expect(timers.delays).toEqual([1_000, 2_000]);
    expect(
      messages.filter((message) => message.startsWith('write end of call could not be stored')),
    ).toHaveLength(1);

    database.isDown = false;
    await timers.runDue();
    expect(database.stored).toEqual(['end of call', 'end of wrap-up']);
    expect(writes.pendingCount).toBe(0);
    expect(messages).toContain('refused writes stored again');
    expect(await writes.run(database.write('next'))).toBe(true);
  });

  it('gives up a write the data itself refuses instead of blocking the writes after it', async () => {
    const stored: string[] = [];
    const { logger, messages } = logCollector();
    const timers = manualTimers();
    const writes = new DeferredWrites({ logger, schedule: timers.schedule });
    const refusedForGood: DeferredWrite = {
      what: 'a broken write',
      fields: {},
      run: () => Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' })),
    };
    expect(await writes.run(refusedForGood)).toBe(false);
    expect(writes.pendingCount).toBe(0);
    expect(timers.delays).toEqual([]);
    expect(messages).toContain('a broken write was refused by the database and is given up: see the error');
    const next: DeferredWrite = {
      what: 'next',
      fields: {},
      run: () => {
        stored.push('next');
        return Promise.resolve();
      },
    };
    expect(await writes.run(next)).toBe(true);
    expect(stored).toEqual(['next']);
  });

  it('gives up the oldest write beyond its limit, and says so', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const { logger, messages } = logCollector();
    const writes = new DeferredWrites({ logger, schedule: timers.schedule, maxPending: 2 });
    database.isDown = true;
    for (const name of ['a', 'b', 'c']) await writes.run(database.write(name));
    expect(writes.pendingCount).toBe(2);
    expect(messages).toContain('a refused write was given up: too many wait for the database');
    database.isDown = false;
    await timers.runDue();
    expect(database.stored).toEqual(['b', 'c']);
  });

  it('stops retrying when closed and answers how many writes were never stored', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const writes = new DeferredWrites({ logger: logCollector().logger, schedule: timers.schedule });
    database.isDown = true;
    await writes.run(database.write('end'));
    // The last attempt at shutdown is refused too.
    expect(await writes.close()).toBe(1);
    expect(database.attempts).toBe(2);
    database.isDown = false;
    await timers.runDue();
    expect(database.stored).toEqual([]);
  });

  it('makes a last attempt at shutdown: writes the database takes again before the next retry are stored', async () => {
    const database = flakyDatabase();
    const timers = manualTimers();
    const writes = new DeferredWrites({ logger: logCollector().logger, schedule: timers.schedule });
    database.isDown = true;
    await writes.run(database.write('end of call'));
    await writes.run(database.write('end of wrap-up'));
    // The database is back, the retry is not due yet, and the server stops.
    database.isDown = false;
    expect(await writes.close()).toBe(0);
    expect(database.stored).toEqual(['end of call', 'end of wrap-up']);
  });

  it('gives up its last attempt at shutdown after its time limit when the database does not answer', async () => {
    const writes = new DeferredWrites({ logger: logCollector().logger, schedule: manualTimers().schedule });
    let calls = 0;
    const hanging: DeferredWrite = {
      what: 'a write to a database that does not answer',
      fields: {},
      run: () => {
        calls++;
        // First refused as while the database restarts, then no answer at all (an unreachable host).
        return calls === 1
          ? Promise.reject(new Error('connection refused'))
          : new Promise<void>(() => undefined);
      },
    };
    await writes.run(hanging);
    expect(await writes.close(50)).toBe(1);
    expect(calls).toBe(2);
  });
});

describe('DeferredWrites with the database', () => {
  it('stores a write once when the answer to its COMMIT was lost: the next attempt finds it stored', async () => {
    // Its own database: the refused second attempt leaves a hole in the event sequence.
    const own = await createOwnDatabase(inject('adminDatabaseUrl'), 'deferred');
    const database = new Database(own.url);
    try {
      const slug = `dw-${randomUUID().slice(0, 8)}`;
      const tenant = await database.asSystem((tx) => tenants.createTenant(tx, { slug, name: 'Deferred' }));
      const context: TenantContext = {
        tenantId: tenant.id as TenantId,
        actor: { type: 'system', id: 'test' },
      };
      const timers = manualTimers();
      const { logger, messages } = logCollector();
      const writes = new DeferredWrites({ logger, schedule: timers.schedule });
      let attempts = 0;
      const endOfCall: DeferredWrite = {
        what: 'the end of a call',
        fields: {},
        run: async (eventIdKey) => {
          attempts++;
          await database.inTenant(
            context,
            (tx) => {
              tx.recordEvent('CallEnded', { interactionId: 'i-1', cause: 'caller-hangup' });
              return Promise.resolve();
            },
            { eventIdKey },
          );
          // The first COMMIT went through, but its answer never came back (the connection dropped).
          if (attempts === 1) throw new Error('Connection terminated unexpectedly');
        },
      };
      expect(await writes.run(endOfCall)).toBe(false);
      await timers.runDue();
      // The retry talks to the database: wait (at most 5 s) until it has settled.
      for (const deadline = Date.now() + 5_000; writes.pendingCount > 0 && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(attempts).toBe(2);
      expect(writes.pendingCount).toBe(0);
      const stored = await database.inTenant(context, (tx) =>
        tx.query<{ type: string }>("SELECT type FROM domain_events WHERE type = 'CallEnded'"),
      );
      expect(stored.rows).toHaveLength(1);
      expect(messages).toContain(
        'the end of a call had been stored by an earlier attempt whose answer was lost',
      );
      expect(messages.some((message) => message.includes('given up'))).toBe(false);
    } finally {
      await database.close();
      await own.drop();
    }
  });
});
