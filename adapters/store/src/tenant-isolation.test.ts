import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import { callLayerActor } from './actor.ts';
import { createCustomer, getCustomer, listCustomers } from './customers.ts';
import type { Database } from './database.ts';
import { listAuditEntries } from './audit-log.ts';
import { StoreError } from './store-error.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';
import { createTicket } from './tickets.ts';
import { createUser } from './users.ts';
import { insertInteraction } from './interactions.ts';

let database: Database;
let acme: TenantContext;
let globex: TenantContext;
let globexCustomerId: string;

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
  globex = await createTestTenant(database, 'Globex');
  await database.inTenant(acme, (tx) =>
    createCustomer(tx, {
      firstName: 'Ana',
      lastName: 'García',
      identities: [{ kind: 'phone', address: '+34 600 111 222' }],
    }),
  );
  const globexCustomer = await database.inTenant(globex, (tx) =>
    createCustomer(tx, {
      firstName: 'Bruno',
      lastName: 'Díaz',
      identities: [{ kind: 'phone', address: '+34 600 333 444' }],
    }),
  );
  globexCustomerId = globexCustomer.id;
  await database.inTenant(globex, (tx) =>
    createTicket(
      tx,
      { customerId: globexCustomerId, subject: 'Factura duplicada', createdBy: null },
      new Date(),
    ),
  );
  await database.inTenant(globex, (tx) =>
    createUser(tx, { email: 'eve@globex.test', displayName: 'Eve', role: 'agent' }),
  );
});

afterAll(async () => {
  await database.close();
});

const tenantTables = [
  'customers',
  'customer_identities',
  'tickets',
  'users',
  'interactions',
  'ticket_statuses',
  'tenant_counters',
  'audit_log',
  'tenants',
];

describe('tenant isolation (row-level security)', () => {
  it('shows a tenant none of another tenant’s rows, even to a query without a WHERE clause', async () => {
    for (const table of tenantTables) {
      const column = table === 'tenants' ? 'id' : 'tenant_id';
      const foreign = await database.inTenant(acme, (tx) =>
        tx.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table} WHERE ${column} <> $1`, [
          acme.tenantId,
        ]),
      );
      expect(foreign.rows[0]?.count, table).toBe(0);
    }
    const names = await database.inTenant(acme, (tx) =>
      tx.query<{ first_name: string }>('SELECT first_name FROM customers'),
    );
    expect(names.rows.map((r) => r.first_name)).toEqual(['Ana']);
  });

  it('answers "not found" for another tenant’s id, exactly as for an id that does not exist', async () => {
    const foreign = database.inTenant(acme, (tx) => getCustomer(tx, globexCustomerId));
    await expect(foreign).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    const missing = database.inTenant(acme, (tx) => getCustomer(tx, '00000000-0000-4000-8000-000000000000'));
    await expect(missing).rejects.toMatchObject({ code: 'STORE_NOT_FOUND', message: 'no such customer' });
  });

  it('cannot write rows into another tenant, nor change or delete its rows', async () => {
    const smuggle = database.inTenant(acme, (tx) =>
      tx.query(`INSERT INTO customers (tenant_id, first_name) VALUES ($1, 'Mallory')`, [globex.tenantId]),
    );
    await expect(smuggle).rejects.toThrow(/row-level security/);
    const updated = await database.inTenant(acme, (tx) =>
      tx.query(`UPDATE customers SET first_name = 'Hacked' WHERE id = $1`, [globexCustomerId]),
    );
    expect(updated.rowCount).toBe(0);
    const deleted = await database.inTenant(acme, (tx) =>
      tx.query('DELETE FROM customers WHERE id = $1', [globexCustomerId]),
    );
    expect(deleted.rowCount).toBe(0);
    const still = await database.inTenant(globex, (tx) => getCustomer(tx, globexCustomerId));
    expect(still.firstName).toBe('Bruno');
  });

  it('does not let a reference point into another tenant', async () => {
    const ticket = database.inTenant(acme, (tx) =>
      createTicket(tx, { customerId: globexCustomerId, subject: 'x', createdBy: null }, new Date()),
    );
    await expect(ticket).rejects.toMatchObject({ code: 'STORE_REFERENCE_NOT_FOUND', field: 'customerId' });
  });

  it('sees nothing at all when no tenant is set on a restricted connection', async () => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE centralita_app');
      const rows = await client.query('SELECT count(*)::int AS count FROM customers');
      expect(rows.rows[0]).toEqual({ count: 0 });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('finds a tenant’s own customers by phone in any format but never another tenant’s', async () => {
    const own = await database.inTenant(acme, (tx) =>
      listCustomers(tx, { limit: 10, offset: 0, phone: '0034600111222' }),
    );
    expect(own.items.map((c) => c.firstName)).toEqual(['Ana']);
    const foreign = await database.inTenant(acme, (tx) =>
      listCustomers(tx, { limit: 10, offset: 0, phone: '600 333 444' }),
    );
    expect(foreign.total).toBe(0);
  });
});

describe('audit log', () => {
  it('records who changed what, with the row before and after, and hides secrets', async () => {
    const actor = {
      type: 'user' as const,
      id: '11111111-1111-4111-8111-111111111111',
      role: 'admin' as const,
    };
    const context = { ...acme, actor, requestId: 'req-42' };
    const customer = await database.inTenant(context, (tx) =>
      createCustomer(tx, { firstName: 'Carla', lastName: 'Ruiz' }),
    );
    await database.inTenant(context, (tx) =>
      tx.query(`UPDATE customers SET last_name = 'Ruiz Soto' WHERE id = $1`, [customer.id]),
    );
    await database.inTenant(context, (tx) =>
      createUser(tx, {
        email: 'pw@acme.test',
        displayName: 'Pw',
        role: 'agent',
        passwordHash: 'secret-hash',
      }),
    );
    const entries = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { limit: 50, offset: 0, rowId: customer.id }),
    );
    const update = entries.items.find((e) => e.action === 'UPDATE');
    expect(update).toMatchObject({
      actorType: 'user',
      actorId: actor.id,
      tableName: 'customers',
      requestId: 'req-42',
    });
    expect(update?.before).toMatchObject({ last_name: 'Ruiz' });
    expect(update?.after).toMatchObject({ last_name: 'Ruiz Soto' });
    const userInsert = await database.inTenant(acme, (tx) =>
      listAuditEntries(tx, { limit: 50, offset: 0, tableName: 'users' }),
    );
    expect(JSON.stringify(userInsert.items)).not.toContain('secret-hash');
  });

  it("leaves out the call layer's own progress of an interaction, and keeps everyone else's changes and every delete", async () => {
    const calls = { ...acme, actor: callLayerActor };
    const interactionId = await database.inTenant(calls, (tx) =>
      insertInteraction(tx, { channel: 'voice', direction: 'inbound', status: 'in_progress' }),
    );
    await database.inTenant(calls, (tx) =>
      tx.query(`UPDATE interactions SET status = 'completed', ended_at = now() WHERE id = $1`, [
        interactionId,
      ]),
    );
    const entries = () =>
      database.inTenant(acme, async (tx) =>
        (await listAuditEntries(tx, { limit: 50, offset: 0, rowId: interactionId })).items.map((entry) => [
          entry.action,
          entry.actorType,
          entry.actorId,
        ]),
      );
    expect(await entries()).toEqual([]);
    const manager = {
      type: 'user' as const,
      id: '22222222-2222-4222-8222-222222222222',
      role: 'manager' as const,
    };
    await database.inTenant({ ...acme, actor: manager }, (tx) =>
      tx.query(`UPDATE interactions SET subject = 'Reclamación' WHERE id = $1`, [interactionId]),
    );
    const retention = { type: 'system' as const, id: 'recording-retention' };
    await database.inTenant({ ...acme, actor: retention }, (tx) =>
      tx.query(`UPDATE interactions SET recording_ref = NULL, subject = 'Sin grabación' WHERE id = $1`, [
        interactionId,
      ]),
    );
    await database.inTenant(calls, (tx) =>
      tx.query('DELETE FROM interactions WHERE id = $1', [interactionId]),
    );
    expect((await entries()).toSorted()).toEqual(
      [
        ['UPDATE', 'user', manager.id],
        ['UPDATE', 'system', 'recording-retention'],
        ['DELETE', 'system', 'calls'],
      ].toSorted(),
    );
  });

  it('cannot be changed or erased by the application, nor by the owner', async () => {
    const appAttempt = database.inTenant(acme, (tx) => tx.query('DELETE FROM audit_log'));
    await expect(appAttempt).rejects.toThrow(/permission denied/);
    const ownerAttempt = database.asSystem((tx) => tx.query(`UPDATE audit_log SET action = 'NOTHING'`));
    await expect(ownerAttempt).rejects.toThrow(/append-only/);
    const insertAttempt = database.inTenant(acme, (tx) =>
      tx.query(
        `INSERT INTO audit_log (tenant_id, actor_type, action, table_name) VALUES ($1, 'system', 'FAKE', 'x')`,
        [acme.tenantId],
      ),
    );
    await expect(insertAttempt).rejects.toThrow(/permission denied/);
  });

  it('writes nothing, audit included, when the unit of work fails', async () => {
    const before = await database.inTenant(acme, (tx) => listAuditEntries(tx, { limit: 1, offset: 0 }));
    const failing = database.inTenant(acme, async (tx) => {
      await createCustomer(tx, { firstName: 'Temporal' });
      throw new StoreError('STORE_INVALID_INPUT', 'later step failed');
    });
    await expect(failing).rejects.toThrow('later step failed');
    const after = await database.inTenant(acme, (tx) => listAuditEntries(tx, { limit: 1, offset: 0 }));
    expect(after.total).toBe(before.total);
    const found = await database.inTenant(acme, (tx) =>
      listCustomers(tx, { limit: 10, offset: 0, search: 'Temporal' }),
    );
    expect(found.total).toBe(0);
  });
});
