import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InProcessBus } from '@centralita/bus';
import type { TenantId } from '@centralita/kernel';
import {
  createDatabase,
  Database,
  directory,
  dropDatabase,
  migrate,
  reports,
  tenants,
  withDatabaseName,
} from '@centralita/store';
import type { TenantContext } from '@centralita/store';
import type {} from '@centralita/testkit';
import { ReportingProjector } from './reporting-projector.ts';

let database: Database;
let bus: InProcessBus;
let tenant: TenantContext;
let queueId: string;
const logger = pino({ level: 'silent' });
const day = { from: new Date('2025-06-02T00:00:00+02:00'), to: new Date('2025-06-03T00:00:00+02:00') };

beforeAll(async () => {
  bus = new InProcessBus();
  database = new Database(inject('databaseUrl'), {
    onEventsCommitted: (events) => {
      bus.publish(events);
    },
  });
  const created = await database.asSystem((tx) =>
    tenants.createTenant(tx, { slug: `t-${randomUUID().slice(0, 12)}`, name: 'Projector' }),
  );
  tenant = { tenantId: created.id as TenantId, actor: { type: 'system', id: 'test' } };
  queueId = (await database.inTenant(tenant, (tx) => directory.createQueue(tx, { name: 'Ventas' }))).id;
});

afterAll(async () => {
  await database.close();
});

/** A contact queued the way the routing runtime records it: inTenant, published on the bus after commit. */
async function queueContact(at: string): Promise<void> {
  await database.inTenant(tenant, (tx) => {
    tx.recordEvent('ContactQueued', { contactId: randomUUID(), queueId }, new Date(at));
    return Promise.resolve();
  });
}

async function offered(): Promise<number> {
  const report = await database.inTenant(tenant, (tx) =>
    reports.summaryReport(tx, { ...day, granularity: 'day', groupBy: [] }),
  );
  return report.total.values.offered;
}

/** Resolves when the bus has delivered `count` more events to a subscriber registered after the projector's. */
function delivered(count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = bus.subscribe(tenant.tenantId, () => {
      if (++seen === count) {
        stop();
        resolve();
      }
    });
  });
}

describe('the reporting projector', () => {
  it('catches up at start with what was recorded while it was not running, then follows the bus', async () => {
    await queueContact('2025-06-02T09:00:00+02:00');
    await queueContact('2025-06-02T09:05:00+02:00');
    const projector = ReportingProjector.start({ database, bus, logger, batchDelayMs: 0 });
    try {
      await projector.caughtUp;
      expect(await offered()).toBe(2);
      const announced = delivered(1);
      await queueContact('2025-06-02T09:10:00+02:00');
      await announced;
      // The bus woke the projector; flush waits for the batch it started.
      await projector.flush();
      expect(await offered()).toBe(3);
    } finally {
      await projector.stop();
    }
  });

  it('never passes an event whose transaction has not committed yet', async () => {
    const projector = ReportingProjector.start({ database, bus, logger, gapTimeoutMs: 60_000 });
    const slow = new pg.Client({ connectionString: inject('databaseUrl') });
    await slow.connect();
    try {
      await projector.caughtUp;
      const before = await offered();
      // A transaction takes the next seq and is still open when a later one commits.
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data) VALUES ($1, $2, 'ContactQueued', $3, $4)`,
        [
          randomUUID(),
          tenant.tenantId,
          '2025-06-02T10:00:00+02:00',
          JSON.stringify({ contactId: randomUUID(), queueId }),
        ],
      );
      await queueContact('2025-06-02T10:01:00+02:00');
      await projector.flush();
      expect(await offered()).toBe(before);
      await slow.query('COMMIT');
      await projector.flush();
      expect(await offered()).toBe(before + 2);
    } finally {
      await slow.end();
      await projector.stop();
    }
  });

  it('sets aside an event the summaries refuse, says which in the log, and applies the events after it', async () => {
    // Its own database: the refused event stays in the log, where it would trip other tests' projections.
    const adminUrl = inject('adminDatabaseUrl');
    const name = `centralita_refused_${Date.now().toString(36)}`;
    await createDatabase(adminUrl, name);
    await migrate(withDatabaseName(adminUrl, name));
    const own = new Database(withDatabaseName(adminUrl, name));
    const lines: { msg: string; seq?: number; type?: string }[] = [];
    const watching = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    const projector = ReportingProjector.start({ database: own, bus, logger: watching, batchDelayMs: 0 });
    try {
      const created = await own.asSystem((tx) =>
        tenants.createTenant(tx, { slug: 'refused', name: 'Refused' }),
      );
      const context: TenantContext = {
        tenantId: created.id as TenantId,
        actor: { type: 'system', id: 'test' },
      };
      const queue = (await own.inTenant(context, (tx) => directory.createQueue(tx, { name: 'Ventas' }))).id;
      const broken = randomUUID();
      await own.inTenant(context, (tx) => {
        tx.recordEvent(
          'ContactQueued',
          { contactId: randomUUID(), queueId: queue },
          new Date('2025-06-02T11:00:00+02:00'),
        );
        tx.recordEvent(
          'ContactQueued',
          { contactId: broken, queueId: queue },
          new Date('2025-06-02T11:01:00+02:00'),
        );
        // A writer's bug: a wait no summary column can hold. PostgreSQL refuses it every time.
        tx.recordEvent(
          'ContactFinished',
          { contactId: broken, queueId: queue, channel: 'voice', outcome: 'abandoned', waitMs: 1e30 },
          new Date('2025-06-02T11:02:00+02:00'),
        );
        tx.recordEvent(
          'ContactQueued',
          { contactId: randomUUID(), queueId: queue },
          new Date('2025-06-02T11:05:00+02:00'),
        );
        return Promise.resolve();
      });
      const refusedSeq = Number(
        (
          await own.pool.query<{ seq: string }>(
            "SELECT seq FROM domain_events WHERE type = 'ContactFinished' AND data->>'contactId' = $1",
            [broken],
          )
        ).rows[0]?.seq,
      );
      await projector.flush();
      // The three contacts queued count; the one refused event (an abandonment) is left out.
      const report = await own.inTenant(context, (tx) =>
        reports.summaryReport(tx, { ...day, granularity: 'day', groupBy: [] }),
      );
      expect(report.total.values.offered).toBe(3);
      expect(report.total.values.abandoned).toBe(0);
      const setAside = lines.find((line) => line.msg.includes('left out of the reports'));
      expect(setAside).toMatchObject({ seq: refusedSeq, type: 'ContactFinished' });
      const checkpoint = await own.asSystem((tx) => reports.readCheckpoint(tx));
      const latest = await own.asSystem((tx) => reports.latestSeq(tx));
      expect(checkpoint).toBe(latest);
      // It stays in the event log.
      const kept = await own.pool.query('SELECT 1 FROM domain_events WHERE seq = $1', [refusedSeq]);
      expect(kept.rowCount).toBe(1);
    } finally {
      await projector.stop();
      await own.close();
      await dropDatabase(adminUrl, name);
    }
  });
});
