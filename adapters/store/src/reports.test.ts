import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalOf } from '@centralita/reporting';
import type { SummaryValues } from '@centralita/reporting';
import type { TenantContext } from './actor.ts';
import type { Database } from './database.ts';
import { createQueue } from './directory.ts';
import {
  advanceAgentTime,
  contactsBehind,
  readCheckpoint,
  reportCsv,
  startOfLocalDate,
  summaryReport,
  calendarOf,
} from './reports.ts';
import type { SummaryQuery } from './reports.ts';
import {
  createTestTenant,
  openTestDatabase,
  recordEventAt,
  projectThrough as projectThroughSeq,
} from './test-support.ts';
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

/** Runs the projector until it has applied `seq` (see test-support). */
async function projectThrough(seq: number, nowMs = Date.parse('2030-01-01T00:00:00Z')): Promise<void> {
  await projectThroughSeq(database, seq, nowMs);
}

async function report(
  context: TenantContext,
  query: Partial<SummaryQuery> & Pick<SummaryQuery, 'from' | 'to'>,
) {
  return database.inTenant(context, (tx) =>
    summaryReport(tx, { granularity: '15min', groupBy: [], ...query }),
  );
}

/** The figures of report lines added up (as a report's total is). */
function totalOfLines(lines: readonly { readonly values: SummaryValues }[]): SummaryValues {
  const key = { intervalStartMs: 0, queueId: null, agentId: null, channel: null, direction: null };
  return totalOf(lines.map((line) => ({ key, values: line.values })));
}

let acme: TenantContext;
let globex: TenantContext;
let sales: string;
let support: string;
let ana: string;

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
  globex = await createTestTenant(database, 'Globex');
  sales = (await database.inTenant(acme, (tx) => createQueue(tx, { name: 'Ventas' }))).id;
  support = (await database.inTenant(acme, (tx) => createQueue(tx, { name: 'Soporte' }))).id;
  ana = (
    await database.inTenant(acme, (tx) =>
      createUser(tx, { email: 'ana@acme.test', displayName: 'Ana', role: 'agent' }),
    )
  ).id;
});

afterAll(async () => {
  await database.close();
});

/** A voice call queued, answered by Ana after `waitS` seconds, talked for `talkS`, one minute of wrap-up. */
async function answeredCall(
  context: TenantContext,
  queueId: string,
  queuedAt: string,
  waitS: number,
  talkS: number,
) {
  const id = randomUUID();
  const t0 = Date.parse(queuedAt);
  const iso = (offsetS: number) => new Date(t0 + offsetS * 1000).toISOString();
  await record(context, 'CallReceived', iso(0), {
    interactionId: id,
    direction: 'inbound',
    channel: 'voice',
    customerId: null,
    from: '+34600000000',
  });
  await record(context, 'ContactQueued', iso(0), { contactId: id, queueId });
  await record(context, 'AgentActivityChanged', iso(waitS - 2), {
    agentId: ana,
    contactId: id,
    from: 'idle',
    to: 'ringing',
    cause: { by: 'system', reason: 'offer' },
  });
  await record(context, 'ContactAnswered', iso(waitS), {
    contactId: id,
    queueId,
    agentId: ana,
    waitMs: waitS * 1000,
  });
  await record(context, 'AgentActivityChanged', iso(waitS), {
    agentId: ana,
    contactId: id,
    from: 'ringing',
    to: 'on-contact',
    cause: { by: 'system', reason: 'answered' },
  });
  await record(context, 'CallEnded', iso(waitS + talkS), { interactionId: id, cause: 'caller-hangup' });
  await record(context, 'AgentActivityChanged', iso(waitS + talkS), {
    agentId: ana,
    contactId: id,
    from: 'on-contact',
    to: 'wrap-up',
    cause: { by: 'system', reason: 'hangup' },
  });
  const last = await record(context, 'AgentActivityChanged', iso(waitS + talkS + 60), {
    agentId: ana,
    contactId: id,
    from: 'wrap-up',
    to: 'idle',
    cause: { by: 'agent', reason: 'done' },
  });
  return { id, last };
}

describe('summaries kept from recorded events', () => {
  const day = { from: new Date('2025-06-02T08:00:00+02:00'), to: new Date('2025-06-02T12:00:00+02:00') };

  it('counts a call in the interval it entered the queue, with its whole handle time', async () => {
    // Queued at 10:14:50, answered at 10:15:10: offered, answered and handled in the 10:00 quarter.
    const call = await answeredCall(acme, sales, '2025-06-02T10:14:50+02:00', 20, 300);
    await projectThrough(call.last);
    const result = await report(acme, { ...day, groupBy: ['queue'] });
    expect(result.timeZone).toBe('Europe/Madrid');
    const line = result.lines.find((l) => l.queueId === sales && l.label.time === '10:00');
    expect(line?.queueName).toBe('Ventas');
    expect(line?.values).toMatchObject({
      offered: 1,
      answered: 1,
      answeredWithinThreshold: 1,
      handled: 1,
      talkMs: 300_000,
      wrapUpMs: 60_000,
    });
    expect(line?.figures.serviceLevelOfAnswered).toBe(1);
    expect(line?.figures.averageHandleTimeMs).toBe(360_000);
    expect(result.lines.some((l) => l.label.time === '10:15' && l.values.offered > 0)).toBe(false);
  });

  it('fixes an interval long closed when a late event arrives, and drops the rows it empties', async () => {
    const id = randomUUID();
    const queued = await record(acme, 'ContactQueued', '2025-06-02T10:30:00+02:00', {
      contactId: id,
      queueId: support,
    });
    await projectThrough(queued);
    let lines = (await report(acme, { ...day, groupBy: ['queue', 'channel'], queueId: support })).lines;
    // Still waiting, channel unknown until an event names it.
    expect(lines.map((l) => [l.label.time, l.channel, l.values.offered, l.values.abandoned])).toEqual([
      ['10:30', null, 1, 0],
    ]);

    // The routing engine's ContactFinished is recorded an hour later than it happened.
    const finished = await record(acme, 'ContactFinished', '2025-06-02T10:30:30+02:00', {
      contactId: id,
      queueId: support,
      channel: 'voice',
      outcome: 'abandoned',
      waitMs: 30_000,
    });
    await projectThrough(finished);
    lines = (await report(acme, { ...day, groupBy: ['queue', 'channel'], queueId: support })).lines;
    expect(lines.map((l) => [l.label.time, l.channel, l.values.offered, l.values.abandoned])).toEqual([
      ['10:30', 'voice', 1, 1],
    ]);
    expect(lines[0]?.figures.longestWaitMs).toBe(30_000);
    expect(lines[0]?.figures.abandonmentRate).toBe(1);
    const rows = await database.asSystem((tx) =>
      tx.query('SELECT 1 FROM report_summaries WHERE tenant_id = $1 AND queue_id = $2 AND channel IS NULL', [
        acme.tenantId,
        support,
      ]),
    );
    expect(rows.rowCount).toBe(0);
  });

  it('recomputes the longest wait when a late event takes away the wait that held it', async () => {
    const id = randomUUID();
    await record(acme, 'CallReceived', '2025-06-02T10:32:00+02:00', {
      interactionId: id,
      direction: 'inbound',
      channel: 'voice',
      customerId: null,
    });
    await record(acme, 'ContactQueued', '2025-06-02T10:32:00+02:00', { contactId: id, queueId: support });
    const moved = await record(acme, 'ContactMoved', '2025-06-02T10:34:00+02:00', {
      contactId: id,
      fromQueueId: support,
      toQueueId: sales,
      reason: 'transfer',
    });
    await projectThrough(moved);
    const longest = async () =>
      (await report(acme, { ...day, groupBy: ['queue'], queueId: support })).lines.find(
        (l) => l.label.time === '10:30',
      )?.figures.longestWaitMs;
    // Unanswered until 10:34: a two-minute wait, the longest of the quarter.
    expect(await longest()).toBe(120_000);

    // The answer at 10:32:10 is recorded late: the 10:34 move was a transfer after it. The 120 s wait is
    // gone; the abandoned call's 30 s is the longest now, which only the stored contributions can tell.
    const answered = await record(acme, 'ContactAnswered', '2025-06-02T10:32:10+02:00', {
      contactId: id,
      queueId: support,
      agentId: ana,
      waitMs: 10_000,
    });
    await projectThrough(answered);
    expect(await longest()).toBe(30_000);
  });

  it('adds the rows up per agent and hour for agent reports, longest waits recomputed there too', async () => {
    const calendar = calendarOf('Europe/Madrid');
    const wholeDay = {
      from: startOfLocalDate(calendar, '2025-06-02'),
      to: startOfLocalDate(calendar, '2025-06-03'),
    };
    // A line per agent over whole days reads the per-agent hours; per hour it reads the 15-minute rows.
    const byDay = await report(acme, { ...wholeDay, granularity: 'day', groupBy: ['agent'] });
    const byHour = await report(acme, { ...wholeDay, granularity: '60min', groupBy: ['agent'] });
    expect(byDay.lines.map((l) => l.agentId).sort()).toEqual([ana, null].sort());
    for (const line of byDay.lines) {
      expect(line.values).toEqual(totalOfLines(byHour.lines.filter((l) => l.agentId === line.agentId)));
    }
    // The move's 120 s wait was taken out of the contacts no agent took: the abandoned call's 30 s is left.
    const hourRows = await database.asSystem((tx) =>
      tx.query<{ agentId: string | null; longest: number }>(
        `SELECT agent_id AS "agentId", longest_wait_ms::float8 AS longest FROM report_agent_hour_summaries
          WHERE tenant_id = $1 AND interval_start = '2025-06-02T08:00:00Z'`,
        [acme.tenantId],
      ),
    );
    expect(hourRows.rows.find((row) => row.agentId === null)?.longest).toBe(30_000);
    expect(byDay.lines.find((l) => l.agentId === null)?.figures.longestWaitMs).toBe(30_000);
    // Half an hour off UTC: the days are not made of whole UTC hours, and the 15-minute rows are read.
    const kolkata = calendarOf('Asia/Kolkata');
    const kolkataDay = {
      from: startOfLocalDate(kolkata, '2025-06-02'),
      to: startOfLocalDate(kolkata, '2025-06-03'),
      timeZone: 'Asia/Kolkata',
    };
    const kolkataByDay = await report(acme, { ...kolkataDay, granularity: 'day', groupBy: ['agent'] });
    const kolkataQuarters = await report(acme, { ...kolkataDay, groupBy: ['agent'] });
    expect(kolkataByDay.total.values).toEqual(totalOfLines(kolkataQuarters.lines));
  });

  it('opens the contacts behind a figure', async () => {
    const page = await database.inTenant(acme, (tx) =>
      contactsBehind(tx, { ...day, figure: 'abandoned', queueId: support, limit: 10, offset: 0 }),
    );
    expect(page.total).toBe(1);
    expect(page.items[0]?.value).toBe(1);
    const handled = await database.inTenant(acme, (tx) =>
      contactsBehind(tx, { ...day, figure: 'handled', agentId: ana, limit: 10, offset: 0 }),
    );
    expect(handled.total).toBe(1);
    await expect(
      database.inTenant(acme, (tx) =>
        contactsBehind(tx, { ...day, figure: 'loggedInMs', limit: 10, offset: 0 }),
      ),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT', field: 'figure' });
  });

  it('shows a tenant only its own rows', async () => {
    const result = await report(globex, day);
    expect(result.lines).toEqual([]);
    expect(result.total.figures.offered).toBe(0);
    expect(result.total.figures.serviceLevelOfAnswered).toBeNull();
  });

  it('never counts an event twice, whatever the projector re-reads', async () => {
    const before = (await report(acme, day)).total.values;
    const checkpoint = await database.asSystem((tx) => readCheckpoint(tx));
    await database.asSystem((tx) =>
      tx.query('UPDATE report_checkpoint SET last_seq = $1', [Math.max(0, checkpoint - 20)]),
    );
    await projectThrough(checkpoint);
    expect((await report(acme, day)).total.values).toEqual(before);
  });

  it('exports a report as CSV with the wall-clock time of each interval', async () => {
    const csv = reportCsv(await report(acme, { ...day, granularity: '60min', groupBy: ['queue'] }));
    const [header, ...rest] = csv.trimEnd().split('\r\n');
    expect(
      header?.startsWith('interval_start,local_date,local_time,utc_offset_minutes,queue_id,queue,'),
    ).toBe(true);
    expect(rest.some((line) => line.includes(',2025-06-02,10:00,120,') && line.includes('Ventas'))).toBe(
      true,
    );
    expect(rest.at(-1)?.startsWith('total,')).toBe(true);
  });
});

describe('the day the clocks go back in Madrid (25 hours)', () => {
  let madridDay: { from: Date; to: Date };
  let tenant: TenantContext;
  let agent: string;

  beforeAll(async () => {
    tenant = await createTestTenant(database, 'Fall back');
    agent = (
      await database.inTenant(tenant, (tx) =>
        createUser(tx, { email: 'luis@fb.test', displayName: 'Luis', role: 'agent' }),
      )
    ).id;
    const calendar = calendarOf('Europe/Madrid');
    madridDay = {
      from: startOfLocalDate(calendar, '2025-10-26'),
      to: startOfLocalDate(calendar, '2025-10-27'),
    };
  });

  it('is one day of 25 hours, with the repeated hour as two intervals', async () => {
    expect(madridDay.to.getTime() - madridDay.from.getTime()).toBe(25 * 3_600_000);
    const queueId = (await database.inTenant(tenant, (tx) => createQueue(tx, { name: 'Noche' }))).id;
    // Logged in from 01:30 summer time to 03:30 winter time: three hours by the clock on the wall of time.
    await record(tenant, 'AgentPresenceChanged', '2025-10-26T01:30:00+02:00', {
      agentId: agent,
      from: { kind: 'offline' },
      to: { kind: 'available' },
      cause: { by: 'agent', reason: 'login' },
    });
    await record(tenant, 'ContactQueued', '2025-10-26T02:15:00+02:00', { contactId: randomUUID(), queueId });
    await record(tenant, 'ContactQueued', '2025-10-26T02:15:00+01:00', { contactId: randomUUID(), queueId });
    const last = await record(tenant, 'AgentPresenceChanged', '2025-10-26T03:30:00+01:00', {
      agentId: agent,
      from: { kind: 'available' },
      to: { kind: 'offline' },
      cause: { by: 'agent', reason: 'logout' },
    });
    await projectThrough(last);

    const hourly = await database.inTenant(tenant, (tx) =>
      summaryReport(tx, { ...madridDay, granularity: '60min', groupBy: [] }),
    );
    expect(
      hourly.lines.map((l) => [
        l.label.time,
        l.label.utcOffsetMinutes,
        l.values.loggedInMs / 60_000,
        l.values.offered,
      ]),
    ).toEqual([
      ['01:00', 120, 30, 0],
      ['02:00', 120, 60, 1],
      ['02:00', 60, 60, 1],
      ['03:00', 60, 30, 0],
    ]);
    const daily = await database.inTenant(tenant, (tx) =>
      summaryReport(tx, { ...madridDay, granularity: 'day', groupBy: ['agent'] }),
    );
    const luis = daily.lines.find((l) => l.agentId === agent);
    expect(luis?.label).toEqual({ date: '2025-10-26', time: '00:00', utcOffsetMinutes: 120 });
    expect(luis?.agentName).toBe('Luis');
    expect(luis?.values.loggedInMs).toBe(3 * 3_600_000);
    expect(luis?.figures.utilization).toBe(0);
  });

  it('re-folds the agent windows after a late break, wherever it falls', async () => {
    // A break from 02:10 to 02:40 (winter time) recorded late: an hour in the middle of the shift.
    await record(tenant, 'AgentPresenceChanged', '2025-10-26T02:10:00+01:00', {
      agentId: agent,
      from: { kind: 'available' },
      to: { kind: 'break', reason: 'coffee' },
      cause: { by: 'agent', reason: 'coffee' },
    });
    const last = await record(tenant, 'AgentPresenceChanged', '2025-10-26T02:40:00+01:00', {
      agentId: agent,
      from: { kind: 'break' },
      to: { kind: 'available' },
      cause: { by: 'agent', reason: 'back' },
    });
    await projectThrough(last);
    const hourly = await database.inTenant(tenant, (tx) =>
      summaryReport(tx, { ...madridDay, granularity: '60min', groupBy: [] }),
    );
    expect(
      hourly.lines.map((l) => [
        l.label.time,
        l.label.utcOffsetMinutes,
        l.values.loggedInMs / 60_000,
        l.values.breakMs / 60_000,
        l.values.availableMs / 60_000,
      ]),
    ).toEqual([
      ['01:00', 120, 30, 0, 30],
      ['02:00', 120, 60, 0, 60],
      ['02:00', 60, 60, 30, 30],
      ['03:00', 60, 30, 0, 30],
    ]);
  });

  it('keeps counting the time of an agent still logged in', async () => {
    const login = await record(tenant, 'AgentPresenceChanged', '2025-10-27T09:00:00+01:00', {
      agentId: agent,
      from: { kind: 'offline' },
      to: { kind: 'available' },
      cause: { by: 'agent', reason: 'login' },
    });
    await projectThrough(login, Date.parse('2025-10-27T09:10:00+01:00'));
    const calendar = calendarOf('Europe/Madrid');
    const monday = {
      from: startOfLocalDate(calendar, '2025-10-27'),
      to: startOfLocalDate(calendar, '2025-10-28'),
    };
    const loggedIn = async () =>
      (
        await database.inTenant(tenant, (tx) =>
          summaryReport(tx, { ...monday, granularity: 'day', groupBy: [] }),
        )
      ).total.values.loggedInMs;
    // The projector counts up to the newest event it applied; the clock moves the rest forward.
    expect(await loggedIn()).toBeLessThan(1_000);
    await database.asSystem((tx) => advanceAgentTime(tx, Date.parse('2025-10-27T09:10:00+01:00')));
    expect(await loggedIn()).toBe(10 * 60_000);
    await database.asSystem((tx) => advanceAgentTime(tx, Date.parse('2025-10-27T10:00:00+01:00')));
    expect(await loggedIn()).toBe(60 * 60_000);
  });
});

describe("an agent's windows", () => {
  it('are saved again only when their fold changed', async () => {
    const tenant = await createTestTenant(database, 'Windows');
    const agent = (
      await database.inTenant(tenant, (tx) =>
        createUser(tx, { email: 'bea@windows.test', displayName: 'Bea', role: 'agent' }),
      )
    ).id;
    const presence = (at: string, from: string, to: string) =>
      record(tenant, 'AgentPresenceChanged', at, {
        agentId: agent,
        from: { kind: from },
        to: { kind: to },
        cause: { by: 'agent', reason: to },
      });
    await presence('2025-06-03T09:10:00Z', 'offline', 'available');
    await projectThrough(await presence('2025-06-03T10:20:00Z', 'available', 'break'));
    const versions = async () =>
      new Map(
        (
          await database.asSystem((tx) =>
            tx.query<{ start: Date; version: string }>(
              `SELECT window_start AS start, xmin::text AS version FROM report_agent_windows
                WHERE tenant_id = $1 AND agent_id = $2`,
              [tenant.tenantId, agent],
            ),
          )
        ).rows.map((row) => [row.start.toISOString(), row.version]),
      );
    const before = await versions();
    expect([...before.keys()].sort()).toEqual(['2025-06-03T09:00:00.000Z', '2025-06-03T10:00:00.000Z']);

    // Back from the break at 10:40: the 10:00 window changes; the 09:00 one, folded again from its own
    // events up to 10:00, comes out as it was stored and is left alone.
    await projectThrough(await presence('2025-06-03T10:40:00Z', 'break', 'available'));
    const after = await versions();
    expect(after.get('2025-06-03T09:00:00.000Z')).toBe(before.get('2025-06-03T09:00:00.000Z'));
    expect(after.get('2025-06-03T10:00:00.000Z')).not.toBe(before.get('2025-06-03T10:00:00.000Z'));
    const day = { from: new Date('2025-06-03T00:00:00Z'), to: new Date('2025-06-04T00:00:00Z') };
    const bea = (
      await database.inTenant(tenant, (tx) =>
        summaryReport(tx, { ...day, granularity: 'period', groupBy: ['agent'] }),
      )
    ).lines.find((line) => line.agentId === agent);
    expect(bea?.values.breakMs).toBe(20 * 60_000);
  });
});
