import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventEnvelope } from '@centralita/kernel';
import type { TenantContext } from './actor.ts';
import { listAuditEntries } from './audit-log.ts';
import { Database } from './database.ts';
import { createQueue, listQueues } from './directory.ts';
import { changeInteraction, getInteraction, insertInteraction, interactionChange } from './interactions.ts';
import { StoreError, isStoredEventConflict } from './store-error.ts';
import { createDatabase, dropDatabase, withDatabaseName } from './database-admin.ts';
import { migrate } from './migrations.ts';
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

describe('a transaction that only writes (one round trip)', () => {
  const newCall = (context: TenantContext) =>
    database.inTenant(context, (tx) =>
      insertInteraction(tx, { channel: 'voice', direction: 'inbound', status: 'in_progress' }),
    );
  // Values that a careless inlining would break: quotes, backslashes, a parameter's name, NUL-free Unicode.
  const changes = {
    status: 'completed' as const,
    // After the calls start (a check wants an end after the start), with milliseconds.
    endedAt: new Date(Math.floor(Date.now() / 1_000) * 1_000 + 60_123),
    metadata: { endCause: "caller's hangup \\ $1 --", ivrPath: ['menú', 'ventas "B"'], mos: 4.25 },
  };

  it('stores the same values as the statement run with parameters, and its events after commit', async () => {
    const [inlined, parameterised] = [await newCall(acme), await newCall(acme)];
    await database.writeInTenant(acme, (tx) => {
      tx.execute(interactionChange(inlined, changes));
      tx.recordEvent('CallEnded', { interactionId: inlined, cause: changes.metadata.endCause });
    });
    expect(committed.at(-1)).toMatchObject([{ type: 'CallEnded', data: { interactionId: inlined } }]);
    await database.inTenant(acme, (tx) => changeInteraction(tx, parameterised, changes));
    const [one, other] = await database.inTenant(acme, async (tx) => [
      await getInteraction(tx, inlined),
      await getInteraction(tx, parameterised),
    ]);
    expect(one).toMatchObject({ status: 'completed', metadata: changes.metadata });
    const endedAt = await database.inTenant(acme, (tx) =>
      tx.query<{ endedAt: Date }>('SELECT ended_at AS "endedAt" FROM interactions WHERE id = $1', [inlined]),
    );
    expect(endedAt.rows[0]?.endedAt.toISOString(), 'to the millisecond').toBe(changes.endedAt.toISOString());
    expect({ ...one, id: undefined, startedAt: undefined }).toEqual({
      ...other,
      id: undefined,
      startedAt: undefined,
    });
    expect((await storedEvents(acme)).at(-1)).toEqual({
      type: 'CallEnded',
      data: { interactionId: inlined, cause: changes.metadata.endCause },
    });
  });

  it("stores nothing when a statement that must change a row changes none, such as another tenant's", async () => {
    const other = await createTestTenant(database, 'Otra');
    const theirs = await newCall(other);
    const ours = await newCall(acme);
    const before = committed.length;
    const attempt = database.writeInTenant(acme, (tx) => {
      tx.execute(interactionChange(ours, { subject: 'changed first' }));
      tx.execute(interactionChange(theirs, { subject: 'not ours' }));
      tx.recordEvent('CallEnded', { interactionId: theirs });
    });
    await expect(attempt).rejects.toEqual(new StoreError('STORE_NOT_FOUND', 'no such interaction'));
    expect(committed).toHaveLength(before);
    const [mine, their] = [
      await database.inTenant(acme, (tx) => getInteraction(tx, ours)),
      await database.inTenant(other, (tx) => getInteraction(tx, theirs)),
    ];
    expect(mine.subject, 'the statement before the failure is undone').toBe('');
    expect(their.subject).toBe('');
    expect(await storedEvents(other)).not.toContainEqual(expect.objectContaining({ type: 'CallEnded' }));
    // The connection went back to the pool usable: the next write works.
    await database.writeInTenant(acme, (tx) => {
      tx.execute(interactionChange(ours, { subject: 'ok' }));
    });
    expect((await database.inTenant(acme, (tx) => getInteraction(tx, ours))).subject).toBe('ok');
  });

  it('sends nothing when it has nothing to write', async () => {
    const before = committed.length;
    await database.writeInTenant(acme, () => undefined);
    expect(committed).toHaveLength(before);
  });
});

describe('statements run often (prepared on their connection, ADR 0010)', () => {
  // One connection, so every transaction below finds what the ones before prepared.
  let single: Database;
  beforeAll(() => {
    single = new Database(inject('databaseUrl'), { maxConnections: 1 });
  });
  afterAll(async () => {
    await single.close();
  });
  const prepared = async (): Promise<string[]> =>
    (
      await single.readAsSystem((tx) =>
        tx.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY name'),
      )
    ).rows.map((row) => row.statement);
  const newCall = () =>
    single.inTenant(acme, (tx) =>
      insertInteraction(tx, { channel: 'voice', direction: 'inbound', status: 'in_progress' }),
    );

  it('store the same values on every run, before and after they are prepared', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 5; run++) {
      const id = await newCall();
      ids.push(id);
      await single.writeInTenant(acme, (tx) => {
        tx.execute(
          interactionChange(id, {
            subject: `run ${String(run)}: it's \\ $1 -- "quoted"`,
            endedAt: new Date(Date.UTC(2030, 0, 1, 10, 0, run, 123)),
            metadata: { run, ivrPath: ['menú', "o'clock"] },
          }),
        );
        tx.recordEvent('CallEnded', { interactionId: id, note: `run ${String(run)}` });
      });
    }
    const statements = await prepared();
    expect(
      statements.some((sql) => sql.includes('UPDATE interactions')),
      'the change is prepared',
    ).toBe(true);
    expect(
      statements.some((sql) => sql.includes('INSERT INTO interactions')),
      'the insert too',
    ).toBe(true);
    expect(
      statements.some((sql) => sql.includes('INSERT INTO domain_events')),
      'and the events',
    ).toBe(true);
    const stored = await single.inTenant(acme, (tx) =>
      tx.query<{ subject: string; endedAt: Date; metadata: unknown }>(
        `SELECT subject, ended_at AS "endedAt", metadata FROM interactions
          WHERE id = ANY($1::uuid[]) ORDER BY ended_at`,
        [ids],
      ),
    );
    expect(stored.rows).toEqual(
      ids.map((_, run) => ({
        subject: `run ${String(run)}: it's \\ $1 -- "quoted"`,
        endedAt: new Date(Date.UTC(2030, 0, 1, 10, 0, run, 123)),
        metadata: { run, ivrPath: ['menú', "o'clock"] },
      })),
    );
    const events = (await storedEvents(acme)).filter(
      (event) =>
        event.type === 'CallEnded' && ids.includes((event.data as { interactionId: string }).interactionId),
    );
    expect(events.map((event) => event.data)).toEqual(
      ids.map((id, run) => ({ interactionId: id, note: `run ${String(run)}` })),
    );
  });

  it('still fail as a whole when a statement must change a row and does not, and the connection stays usable', async () => {
    const other = await createTestTenant(single, 'Ajena');
    const theirs = await single.inTenant(other, (tx) =>
      insertInteraction(tx, { channel: 'voice', direction: 'inbound', status: 'in_progress' }),
    );
    const ours = await newCall();
    for (let run = 0; run < 4; run++) {
      const attempt = single.writeInTenant(acme, (tx) => {
        tx.execute(interactionChange(ours, { subject: `changed ${String(run)}` }));
        tx.execute(interactionChange(theirs, { subject: 'not ours' }));
      });
      await expect(attempt).rejects.toEqual(new StoreError('STORE_NOT_FOUND', 'no such interaction'));
    }
    expect((await prepared()).some((sql) => sql.includes('app_require_change'))).toBe(true);
    expect((await single.inTenant(acme, (tx) => getInteraction(tx, ours))).subject).toBe('');
    await single.writeInTenant(acme, (tx) => {
      tx.execute(interactionChange(ours, { subject: 'ok' }));
    });
    expect((await single.inTenant(acme, (tx) => getInteraction(tx, ours))).subject).toBe('ok');
  });

  it('sent alone (after a transaction opened, or outside one) answer the same once named', async () => {
    const id = await newCall();
    await single.writeInTenant(acme, (tx) => {
      tx.execute(interactionChange(id, { subject: "it's named" }));
    });
    const later = 'SELECT subject FROM interactions WHERE id = $1';
    const alone = 'SELECT count(*)::int AS n FROM interactions WHERE id = $1';
    for (let run = 0; run < 4; run++) {
      const [inTransaction, outside] = [
        await single.inTenant(acme, async (tx) => {
          await tx.query('SELECT 1');
          return (await tx.query<{ subject: string }>(later, [id])).rows;
        }),
        (await single.readAsSystem((tx) => tx.query<{ n: number }>(alone, [id]))).rows,
      ];
      expect(inTransaction).toEqual([{ subject: "it's named" }]);
      expect(outside).toEqual([{ n: 1 }]);
    }
    const statements = await prepared();
    expect(statements).toContain(later);
    expect(statements).toContain(alone);
  });

  it('are not prepared when the database is told not to (behind a transaction pooler)', async () => {
    const unprepared = new Database(inject('databaseUrl'), { maxConnections: 1, preparesStatements: false });
    try {
      const id = await unprepared.inTenant(acme, (tx) =>
        insertInteraction(tx, { channel: 'voice', direction: 'inbound', status: 'in_progress' }),
      );
      for (let run = 0; run < 4; run++) {
        await unprepared.writeInTenant(acme, (tx) => {
          tx.execute(interactionChange(id, { subject: `unprepared ${String(run)}` }));
          tx.recordEvent('CallEnded', { interactionId: id });
        });
      }
      expect((await unprepared.inTenant(acme, (tx) => getInteraction(tx, id))).subject).toBe('unprepared 3');
      const statements = await unprepared.readAsSystem((tx) =>
        tx.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'),
      );
      expect(statements.rows).toEqual([{ n: 0 }]);
    } finally {
      await unprepared.close();
    }
  });

  it('that PostgreSQL will not prepare run inlined, every time', async () => {
    const id = await newCall();
    // `$3 IS NULL` gives PostgreSQL no type for $3, so PREPARE refuses it; inlined, the literal is text.
    const sql = 'UPDATE interactions SET subject = $1 WHERE id = $2 AND ($3 IS NULL OR true)';
    for (let run = 0; run < 4; run++) {
      await single.writeInTenant(acme, (tx) => {
        tx.execute({ sql, params: [`try ${String(run)}`, id, 'x'], notFound: 'no such interaction' });
      });
      expect((await single.inTenant(acme, (tx) => getInteraction(tx, id))).subject).toBe(
        `try ${String(run)}`,
      );
    }
    expect((await prepared()).some((sql) => sql.includes('$3 IS NULL'))).toBe(false);
  });
});

describe('a write run again after an attempt whose outcome was lost (its events keep their ids)', () => {
  // Its own database: a refused or skipped event insert leaves a hole in the event sequence, which the shared
  // database must not hold (the report projector's tests wait on holes).
  const name = `centralita_event_ids_${randomUUID().slice(0, 8)}`;
  const adminUrl = inject('adminDatabaseUrl');
  const published: EventEnvelope[][] = [];
  let own: Database;
  let tenant: TenantContext;

  beforeAll(async () => {
    await createDatabase(adminUrl, name);
    await migrate(withDatabaseName(adminUrl, name));
    own = new Database(withDatabaseName(adminUrl, name), {
      onEventsCommitted: (events) => published.push([...events]),
    });
    tenant = await createTestTenant(own, 'Ids');
  });

  afterAll(async () => {
    await own.close();
    await dropDatabase(adminUrl, name);
  });

  async function storedOfType(type: string): Promise<unknown[]> {
    const result = await own.asSystem((tx) =>
      tx.query<{ data: unknown }>(
        'SELECT data FROM domain_events WHERE tenant_id = $1 AND type = $2 ORDER BY seq',
        [tenant.tenantId, type],
      ),
    );
    return result.rows.map((row) => row.data);
  }

  it('fails as a whole when an earlier attempt was stored, and stores nothing twice', async () => {
    const key = `write-once-${randomUUID()}`;
    const attempt = () =>
      own.inTenant(
        tenant,
        async (tx) => {
          await createQueue(tx, { name: `Una vez ${randomUUID().slice(0, 8)}` });
          tx.recordEvent('TestWrittenOnce', { step: 1 });
          tx.recordEvent('TestWrittenOnce', { step: 2 });
        },
        { eventIdKey: key },
      );
    await attempt();
    await expect(attempt()).rejects.toSatisfy(isStoredEventConflict);
    expect(await storedOfType('TestWrittenOnce')).toEqual([{ step: 1 }, { step: 2 }]);
    const queues = await own.inTenant(tenant, (tx) => listQueues(tx, { limit: 100, offset: 0 }));
    expect(queues.total, 'the second attempt’s other writes are undone').toBe(1);
    // Another key is another write.
    await own.inTenant(
      tenant,
      (tx) => {
        tx.recordEvent('TestWrittenOnce', { step: 3 });
        return Promise.resolve();
      },
      { eventIdKey: `write-once-${randomUUID()}` },
    );
    expect(await storedOfType('TestWrittenOnce')).toHaveLength(3);
  });

  it('skips the events stored already and publishes only the new ones, when asked to', async () => {
    const ids = [randomUUID(), randomUUID()];
    const record = (count: number) =>
      own.inTenant(
        tenant,
        (tx) => {
          for (const [index, id] of ids.slice(0, count).entries())
            tx.recordEvent('TestFactKept', { index }, new Date(1_700_000_000_000 + index), id);
          return Promise.resolve();
        },
        { isSkippingStoredEvents: true },
      );
    await record(1);
    published.length = 0;
    // The first is stored already: only the second is new.
    await record(2);
    expect(await storedOfType('TestFactKept')).toEqual([{ index: 0 }, { index: 1 }]);
    expect(published.flat().map((event) => event.id)).toEqual([ids[1]]);
  });
});
