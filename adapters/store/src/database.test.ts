import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventEnvelope } from '@centralita/kernel';
import type { TenantContext } from './actor.ts';
import { listAuditEntries } from './audit-log.ts';
import { Database } from './database.ts';
import { createQueue, listQueues } from './directory.ts';
import { StoreError, isStoredEventConflict } from './store-error.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';

let database: Database;
let acme: TenantContext;
const committed: EventEnvelope[][] = [];

async function storedEvents(tenant: TenantContext): Promise<{ type: string; data: unknown }[]> {
  return (
    await database.asSystem((tx) =>
      tx.query<{ type: string; data: unknown }>(
        'SELECT type, data FROM domain_events WHERE tenant_id = $1 ORDER BY seq',
        [tenant.tenantId],
      ),
    )
  ).rows;
}

beforeAll(async () => {
  const setup = openTestDatabase();
  acme = await createTestTenant(setup, 'Acme');
  await setup.close();
  database = new Database(inject('databaseUrl'), {
    onEventsCommitted: (events) => committed.push([...events]),
  });
});

afterAll(async () => {
  await database.close();
});

describe('a tenant transaction', () => {
  it('that only records events stores them in order, as its tenant, and publishes them once committed', async () => {
    await database.inTenant(acme, (tx) => {
      tx.recordEvent('CallReceived', { interactionId: 'a', note: "it's \\ quoted" });
      tx.recordEvent('CallAnswered', { interactionId: 'a' });
      return Promise.resolve();
    });
    expect(await storedEvents(acme)).toEqual([
      { type: 'CallReceived', data: { interactionId: 'a', note: "it's \\ quoted" } },
      { type: 'CallAnswered', data: { interactionId: 'a' } },
    ]);
    expect(committed.at(-1)?.map((event) => event.type)).toEqual(['CallReceived', 'CallAnswered']);
  });

  it('keeps none of its writes when its events cannot be stored, and says why', async () => {
    const before = committed.length;
    // PostgreSQL's jsonb refuses the NUL character: the events fail after the work's own write.
    const attempt = database.inTenant(acme, async (tx) => {
      await createQueue(tx, { name: 'Nunca guardada' });
      tx.recordEvent('QueueCreated', { name: 'bad\u0000name' });
    });
    await expect(attempt).rejects.toThrow(/unicode|\\u0000/i);
    const queues = await database.inTenant(acme, (tx) => listQueues(tx, { limit: 100, offset: 0 }));
    expect(queues.items.map((queue) => queue.name)).not.toContain('Nunca guardada');
    expect((await storedEvents(acme)).map((event) => event.type)).not.toContain('QueueCreated');
    expect(committed.length).toBe(before);
    // The connection went back to the pool usable: the next transaction works.
    const kept = await database.inTenant(acme, (tx) => createQueue(tx, { name: 'Guardada' }));
    expect(kept.name).toBe('Guardada');
  });

  it('acts as its actor from the first statement: the audit log names who wrote', async () => {
    const asAna: TenantContext = {
      ...acme,
      actor: { type: 'user', id: '00000000-0000-4000-8000-00000000a0a0', role: 'manager' },
    };
    const queue = await database.inTenant(asAna, (tx) => createQueue(tx, { name: 'Auditada' }));
    const entries = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { tableName: 'queues', limit: 20, offset: 0 }),
    );
    const entry = entries.items.find((item) => item.rowId === queue.id);
    expect(entry).toMatchObject({ actorType: 'user', actorId: asAna.actor.id });
  });

  it('that reads nothing and records nothing still returns its result, and a failed work undoes its writes', async () => {
    expect(await database.inTenant(acme, () => Promise.resolve(42))).toBe(42);
    const failing = database.inTenant(acme, async (tx) => {
      await createQueue(tx, { name: 'A medias' });
      throw new StoreError('STORE_NOT_FOUND', 'something else was missing');
    });
    await expect(failing).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    const queues = await database.inTenant(acme, (tx) => listQueues(tx, { limit: 100, offset: 0 }));
    expect(queues.items.map((queue) => queue.name)).not.toContain('A medias');
  });
});

describe('a write run again after an attempt whose outcome was lost (its events keep their ids)', () => {
  it('fails as a whole when an earlier attempt was stored, and stores nothing twice', async () => {
    const key = `write-once-${randomUUID()}`;
    const attempt = () =>
      database.inTenant(
        acme,
        async (tx) => {
          await createQueue(tx, { name: `Una vez ${String(Date.now())}` });
          tx.recordEvent('TestWrittenOnce', { step: 1 });
          tx.recordEvent('TestWrittenOnce', { step: 2 });
        },
        { eventIdKey: key },
      );
    const queuesBefore = (await database.inTenant(acme, (tx) => listQueues(tx, { limit: 100, offset: 0 })))
      .total;
    await attempt();
    const again = attempt();
    await expect(again).rejects.toSatisfy(isStoredEventConflict);
    const written = (await storedEvents(acme)).filter((event) => event.type === 'TestWrittenOnce');
    expect(written.map((event) => event.data)).toEqual([{ step: 1 }, { step: 2 }]);
    const queuesAfter = (await database.inTenant(acme, (tx) => listQueues(tx, { limit: 100, offset: 0 })))
      .total;
    expect(queuesAfter, 'the second attempt’s other writes are undone').toBe(queuesBefore + 1);
    // Another key is another write.
    await database.inTenant(
      acme,
      (tx) => {
        tx.recordEvent('TestWrittenOnce', { step: 3 });
        return Promise.resolve();
      },
      { eventIdKey: `write-once-${randomUUID()}` },
    );
    expect((await storedEvents(acme)).filter((event) => event.type === 'TestWrittenOnce')).toHaveLength(3);
  });

  it('skips the events stored already and publishes only the new ones, when asked to', async () => {
    const ids = [randomUUID(), randomUUID()];
    const record = (count: number) =>
      database.inTenant(
        acme,
        (tx) => {
          for (const [index, id] of ids.slice(0, count).entries())
            tx.recordEvent('TestFactKept', { index }, new Date(1_800_000_000_000 + index), id);
          return Promise.resolve();
        },
        { isSkippingStoredEvents: true },
      );
    await record(1);
    committed.length = 0;
    // The first is stored already: only the second is new.
    await record(2);
    expect(
      (await storedEvents(acme)).filter((event) => event.type === 'TestFactKept').map((e) => e.data),
    ).toEqual([{ index: 0 }, { index: 1 }]);
    expect(committed.flat().map((event) => event.id)).toEqual([ids[1]]);
  });
});
