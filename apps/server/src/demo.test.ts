import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { createDatabase, dropDatabase, withDatabaseName } from '@centralita/store';
import { readConfig } from './config.ts';
import { demoLogins, demoPassword, demoTenantSlug } from './demo-seed.ts';
import { createLogger, startServer } from './wiring.ts';
import type { RunningServer } from './wiring.ts';

const adminUrl = inject('adminDatabaseUrl');
const databaseName = `centralita_demo_${Date.now().toString(36)}`;
let server: RunningServer;
/** Customers the seed created (read by the first test), and those the tests created on top. */
let seededCustomers = 0;
let createdCustomers = 0;

beforeAll(async () => {
  await createDatabase(adminUrl, databaseName);
  const config = readConfig(
    {
      DATABASE_URL: withDatabaseName(adminUrl, databaseName),
      PORT: '0',
      HOST: '127.0.0.1',
      CENTRALITA_PRERENDER_PROMPTS: 'false',
      CENTRALITA_SIP_HOST: '127.0.0.1',
      CENTRALITA_SIP_UDP_PORT: '0',
      CENTRALITA_SIP_TCP_PORT: '0',
    },
    process.cwd(),
  );
  server = await startServer(config, createLogger('silent'));
}, 120_000);

afterAll(async () => {
  await server.stop();
  await dropDatabase(adminUrl, databaseName);
});

async function loginAs(email: string): Promise<{
  headers: Record<string, string>;
  body: { user: { role: string; displayName: string }; permissions: string[] };
}> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
  });
  expect(response.status, email).toBe(200);
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const body = (await response.json()) as {
    user: { role: string; displayName: string };
    permissions: string[];
    csrfToken: string;
  };
  return { headers: { cookie, 'x-csrf-token': body.csrfToken }, body };
}

describe('the demo installation', () => {
  it('lets every demo login in, and each sees what its role allows', async () => {
    expect(demoLogins.map((l) => l.role).sort()).toEqual([
      'admin',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'analyst',
      'manager',
      'team_lead',
      'trainer',
    ]);
    {
      const { headers } = await loginAs('admin@fibrasur.example');
      const customers = await fetch(`${server.url}/api/customers?limit=1`, { headers });
      seededCustomers = ((await customers.json()) as { total: number }).total;
      // The 200 people of the README's examples, and some twenty new callers per business day of history.
      expect(seededCustomers).toBeGreaterThan(1_000);
    }
    for (const demo of demoLogins) {
      const { headers, body } = await loginAs(demo.email);
      expect(body.user).toMatchObject({ role: demo.role, displayName: demo.displayName });
      const customers = await fetch(`${server.url}/api/customers?limit=1`, { headers });
      expect(customers.status).toBe(200);
      expect(((await customers.json()) as { total: number }).total).toBe(seededCustomers + createdCustomers);
      const staff = await fetch(`${server.url}/api/users?limit=50`, { headers });
      expect(staff.status, `${demo.role} reading staff`).toBe(demo.role === 'agent' ? 403 : 200);
      const audit = await fetch(`${server.url}/api/audit-log?limit=1`, { headers });
      expect(audit.status, `${demo.role} reading the audit log`).toBe(
        ['admin', 'manager'].includes(demo.role) ? 200 : 403,
      );
      const newCustomer = await fetch(`${server.url}/api/customers`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: `Prueba ${demo.role}` }),
      });
      expect(newCustomer.status, `${demo.role} creating a customer`).toBe(
        ['trainer', 'analyst'].includes(demo.role) ? 403 : 201,
      );
      if (newCustomer.status === 201) createdCustomers++;
    }
  });

  it('has the three Spanish queues, agents with skills and languages, and a customer history', async () => {
    const { headers } = await loginAs('admin@fibrasur.example');
    const queues = (await (await fetch(`${server.url}/api/queues`, { headers })).json()) as {
      items: { name: string; skills: { name: string }[] }[];
    };
    expect(queues.items.map((q) => q.name).sort()).toEqual(['Facturación', 'Soporte técnico', 'Ventas']);
    const agents = (await (
      await fetch(`${server.url}/api/users?role=agent&limit=50`, { headers })
    ).json()) as { items: { languages: string[]; skills: { level: number }[] }[] };
    expect(agents.items).toHaveLength(8);
    for (const agent of agents.items) expect(agent.skills.length).toBeGreaterThan(0);
    expect(agents.items.filter((a) => a.languages.includes('en')).length).toBeGreaterThanOrEqual(2);
    const history = (await (await fetch(`${server.url}/api/interactions?limit=1`, { headers })).json()) as {
      total: number;
    };
    // Some 140 calls a business day over the last 90 days.
    expect(history.total).toBeGreaterThan(5_000);
    const open = (await (
      await fetch(`${server.url}/api/tickets?category=open&limit=1`, { headers })
    ).json()) as { total: number };
    const followUp = (await (
      await fetch(`${server.url}/api/tickets?status=needs_follow_up&limit=1`, { headers })
    ).json()) as { total: number };
    expect(open.total).toBeGreaterThan(0);
    expect(followUp.total).toBeGreaterThan(0);
    const tenant = (await (await fetch(`${server.url}/api/tenant`, { headers })).json()) as {
      name: string;
      defaultLanguage: string;
      timeZone: string;
    };
    expect(tenant).toMatchObject({ defaultLanguage: 'es', timeZone: 'Europe/Madrid' });
  });

  it('gives tickets and follow-ups due times in office hours on business days, as people set them', async () => {
    const { rows } = await server.database.pool.query<{ kind: string; local: string }>(
      `SELECT 'ticket' AS kind, to_char(due_at AT TIME ZONE 'Europe/Madrid', 'ID HH24:MI') AS local
       FROM tickets WHERE due_at IS NOT NULL
       UNION ALL
       SELECT 'follow-up', to_char(due_at AT TIME ZONE 'Europe/Madrid', 'ID HH24:MI') FROM follow_up_tasks`,
    );
    expect(rows.filter((row) => row.kind === 'follow-up').length).toBeGreaterThan(0);
    // ISO weekday 1-5, 09:00 to 18:45 on Madrid's wall clock.
    const outside = rows.filter(({ local }) => !/^[1-5] (09|1[0-8]):(00|15|30|45)$/.test(local));
    expect(outside, 'due times outside office hours').toEqual([]);
  });

  it('has report figures for the past weeks from the demo history, per queue and per agent', async () => {
    const { headers } = await loginAs('analyst@fibrasur.example');
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    type Figures = {
      offered: number;
      answered: number;
      averageHandleTimeMs: number | null;
      occupancy: number | null;
      serviceLevelOfAnswered: number | null;
      abandonmentRate: number | null;
      firstContactResolution: number | null;
      handled: number;
    };
    type Report = {
      total: { figures: Figures };
      lines: { agentName: string | null; queueName: string | null; figures: Figures }[];
    };
    // The projector folds the seeded events in the background after start: wait until it has.
    await server.reporting.flush();
    const response = await fetch(
      `${server.url}/api/reports/summary?from=${monthAgo}&to=${today}&granularity=month&groupBy=agent`,
      { headers },
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as Report;
    const total = report.total.figures;
    // About 140 calls a business day, 21 or 22 business days in 30.
    expect(total.offered).toBeGreaterThan(2_000);
    expect(total.answered / total.offered).toBeGreaterThan(0.8);
    // Handle time is talk plus after-call work: four to five minutes on average.
    expect(total.averageHandleTimeMs).toBeGreaterThan(120_000);
    expect(total.averageHandleTimeMs).toBeLessThan(600_000);
    // Agents sign in for their shifts and take breaks: busy part of their signed-in time, never all of it.
    expect(total.occupancy).toBeGreaterThan(0.3);
    expect(total.occupancy).toBeLessThan(0.9);
    expect(total.abandonmentRate).toBeGreaterThan(0.01);
    expect(total.abandonmentRate).toBeLessThan(0.2);
    expect(total.firstContactResolution).toBeGreaterThan(0.5);
    expect(total.firstContactResolution).toBeLessThan(1);
    // Lines per agent and calendar month (the 30 days span two): all nine agents with skills took calls.
    const agents = report.lines.filter((line) => line.agentName !== null && line.figures.handled > 0);
    expect(new Set(agents.map((line) => line.agentName)).size).toBe(9);
    for (const agent of agents) {
      expect(agent.figures.occupancy, agent.agentName ?? '').toBeGreaterThan(0.1);
      expect(agent.figures.occupancy, agent.agentName ?? '').toBeLessThan(1);
    }
  });

  it("answers the analyst's question: the last business day's service level on Soporte técnico, by agent", async () => {
    const { headers } = await loginAs('analyst@fibrasur.example');
    await server.reporting.flush();
    // The demo center is open Monday to Friday: the last business day before today, in Madrid.
    const madridDate = (ms: number): string =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date(ms));
    let back = 1;
    while ([0, 6].includes(new Date(`${madridDate(Date.now() - back * 86_400_000)}T12:00:00Z`).getUTCDay()))
      back++;
    const day = madridDate(Date.now() - back * 86_400_000);
    const next = madridDate(Date.now() - (back - 1) * 86_400_000);
    type Line = {
      queueName: string | null;
      agentName: string | null;
      figures: {
        answered: number;
        serviceLevelOfAnswered: number | null;
        averageHandleTimeMs: number | null;
      };
    };
    const byQueue = (await (
      await fetch(`${server.url}/api/reports/summary?from=${day}&to=${next}&granularity=day&groupBy=queue`, {
        headers,
      })
    ).json()) as { lines: Line[] };
    const support = byQueue.lines.find((line) => line.queueName === 'Soporte técnico');
    expect(support?.figures.answered, `Soporte técnico on ${day}`).toBeGreaterThan(10);
    expect(support?.figures.serviceLevelOfAnswered).toBeGreaterThan(0.4);
    expect(support?.figures.serviceLevelOfAnswered).toBeLessThanOrEqual(1);
    const byAgent = (await (
      await fetch(`${server.url}/api/reports/summary?from=${day}&to=${next}&granularity=day&groupBy=agent`, {
        headers,
      })
    ).json()) as { lines: Line[] };
    // The agents who worked that day (seven shifts), each with their own handle time.
    const worked = byAgent.lines.filter((line) => line.agentName !== null && line.figures.answered > 0);
    expect(worked.length).toBeGreaterThanOrEqual(5);
    const handleTimes = new Set(worked.map((line) => line.figures.averageHandleTimeMs));
    expect(handleTimes.size).toBe(worked.length);
  });

  it('has the commercial side configured: cost and revenue per contact, a monthly statement, two SLA targets', async () => {
    const { headers } = await loginAs('analyst@fibrasur.example');
    await server.reporting.flush();
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const summary = (await (
      await fetch(`${server.url}/api/reports/summary?from=${monthAgo}&to=${today}&granularity=period`, {
        headers,
      })
    ).json()) as {
      total: { figures: { costPerContactMinor: number | null; revenuePerContactMinor: number | null } };
    };
    // Closed sales are worth 45.00 each; connected minutes cost 0.02 at least.
    expect(summary.total.figures.revenuePerContactMinor).toBeGreaterThan(0);
    expect(summary.total.figures.costPerContactMinor).toBeGreaterThan(0);
    const statement = await fetch(`${server.url}/api/reports/billing?month=${monthAgo.slice(0, 7)}`, {
      headers,
    });
    expect(statement.status).toBe(200);
    const { lines, billedSeconds, totalMinor } = (await statement.json()) as {
      lines: { item: string; unitPriceMinor: number }[];
      billedSeconds: number;
      totalMinor: number;
    };
    expect(lines).toMatchObject([{ item: 'minutes', unitPriceMinor: 45 }]);
    expect(billedSeconds).toBeGreaterThan(0);
    expect(totalMinor).toBe(Math.round((billedSeconds * 45) / 60));
    const sla = (await (
      await fetch(`${server.url}/api/reports/sla?from=${monthAgo}&to=${today}`, { headers })
    ).json()) as { results: { target: { id: string }; windowsMeasured: number }[] };
    expect(sla.results.map((result) => result.target.id)).toEqual(['nivel-servicio-diario', 'asa-soporte']);
    for (const result of sla.results) expect(result.windowsMeasured, result.target.id).toBeGreaterThan(0);
  });

  it('does not seed twice when restarted on the same database', async () => {
    const config = readConfig(
      {
        DATABASE_URL: withDatabaseName(adminUrl, databaseName),
        PORT: '0',
        HOST: '127.0.0.1',
        CENTRALITA_PRERENDER_PROMPTS: 'false',
        CENTRALITA_SIP_HOST: '127.0.0.1',
        CENTRALITA_SIP_UDP_PORT: '0',
        CENTRALITA_SIP_TCP_PORT: '0',
      },
      process.cwd(),
    );
    const second = await startServer(config, createLogger('silent'));
    try {
      expect(createdCustomers).toBe(11);
      const { headers } = await loginAs('admin@fibrasur.example');
      const response = await fetch(`${second.url}/api/customers?limit=1&search=Prueba`, { headers });
      expect(((await response.json()) as { total: number }).total).toBe(createdCustomers);
      const all = await fetch(`${second.url}/api/customers?limit=1`, { headers });
      expect(((await all.json()) as { total: number }).total).toBe(seededCustomers + createdCustomers);
    } finally {
      await second.stop();
    }
  });
});
