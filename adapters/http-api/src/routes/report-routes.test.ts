import { inflateSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directory, reports } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let queueId: string;
let agentSession: Session;
let analystSession: Session;
let trainerSession: Session;

async function record(type: string, at: string, data: Record<string, unknown>): Promise<number> {
  const result = await testApi.database.asSystem((tx) =>
    tx.query<{ seq: number }>(
      `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data) VALUES ($1, $2, $3, $4, $5)
       RETURNING seq::float8 AS seq`,
      [randomUUID(), tenant.tenantId, type, at, JSON.stringify(data)],
    ),
  );
  return result.rows[0]!.seq;
}

/** What the server's reporting projector does, step by step, until `seq` is in the summaries. */
async function projectThrough(seq: number): Promise<void> {
  let skipGapsBelow = 0;
  for (let attempt = 0; attempt < 500; attempt++) {
    const result = await testApi.database.asSystem((tx) =>
      reports.projectPending(tx, { limit: 5_000, nowMs: Date.parse('2030-01-01T00:00:00Z'), skipGapsBelow }),
    );
    if (result.throughSeq >= seq) return;
    if (result.gapAfterSeq !== undefined) {
      // Another test file's transaction is committing the event in the hole.
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (attempt > 200) skipGapsBelow = result.lastSeqRead;
    }
  }
  throw new Error(`the projector did not reach seq ${seq}`);
}

/** One inbound call to the queue, handled by `agentId` for `talkS` seconds. */
async function handledCall(agentId: string, at: string, talkS: number): Promise<number> {
  const id = randomUUID();
  const t0 = Date.parse(at);
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  await record('CallReceived', iso(0), {
    interactionId: id,
    direction: 'inbound',
    channel: 'voice',
    customerId: null,
  });
  await record('ContactQueued', iso(0), { contactId: id, queueId });
  await record('ContactAnswered', iso(5), { contactId: id, queueId, agentId, waitMs: 5_000 });
  await record('AgentActivityChanged', iso(5), {
    agentId,
    contactId: id,
    from: 'ringing',
    to: 'on-contact',
    cause: { reason: 'answered' },
  });
  return record('AgentActivityChanged', iso(5 + talkS), {
    agentId,
    contactId: id,
    from: 'on-contact',
    to: 'idle',
    cause: { reason: 'hangup' },
  });
}

const range = 'from=2025-06-02&to=2025-06-03';

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  queueId = (
    await testApi.database.inTenant(tenant.context, (tx) => directory.createQueue(tx, { name: 'Ventas' }))
  ).id;
  await handledCall(tenant.userIds.agent, '2025-06-02T10:00:00+02:00', 100);
  await handledCall(tenant.userIds.agent, '2025-06-02T11:00:00+02:00', 200);
  const last = await handledCall(tenant.userIds.team_lead, '2025-06-02T11:30:00+02:00', 400);
  await projectThrough(last);
  agentSession = await login(testApi.api, tenant, 'agent');
  analystSession = await login(testApi.api, tenant, 'analyst');
  trainerSession = await login(testApi.api, tenant, 'trainer');
});

afterAll(async () => {
  await testApi.close();
});

interface Line {
  readonly agentId: string | null;
  readonly agentName: string | null;
  readonly label: { readonly date: string; readonly time: string };
  readonly figures: { readonly handled: number; readonly averageHandleTimeMs: number | null };
}

describe('GET /api/reports/summary', () => {
  it('gives analysts the tenant’s figures per group, in the tenant’s time zone', async () => {
    const response = await testApi.api.app.inject({
      url: `/api/reports/summary?${range}&granularity=day&groupBy=agent`,
      headers: as(analystSession),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ timeZone: string; lines: Line[]; total: { figures: Line['figures'] } }>();
    expect(body.timeZone).toBe('Europe/Madrid');
    const byAgent = body.lines
      .filter((l) => l.figures.handled > 0)
      .map((l) => [l.agentName, l.figures.handled, l.figures.averageHandleTimeMs])
      .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    expect(byAgent).toEqual([
      ['The agent', 2, 150_000],
      ['The team_lead', 1, 400_000],
    ]);
    expect(body.total.figures).toMatchObject({ handled: 3, averageHandleTimeMs: 700_000 / 3 });
  });

  it('gives one line per agent over the whole range with granularity=period', async () => {
    const response = await testApi.api.app.inject({
      url: `/api/reports/summary?${range}&granularity=period&groupBy=agent`,
      headers: as(analystSession),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ lines: Line[]; total: { figures: Line['figures'] } }>();
    const handling = body.lines.filter((l) => l.figures.handled > 0);
    expect(handling.map((l) => l.agentName).sort()).toEqual(['The agent', 'The team_lead']);
    expect(new Set(body.lines.map((l) => l.agentName)).size).toBe(body.lines.length);
    expect(handling.find((l) => l.agentName === 'The agent')?.figures).toMatchObject({
      handled: 2,
      averageHandleTimeMs: 150_000,
    });
    expect(body.total.figures).toMatchObject({ handled: 3, averageHandleTimeMs: 700_000 / 3 });
  });

  it('refuses agents the whole tenant’s figures', async () => {
    const response = await testApi.api.app.inject({
      url: `/api/reports/summary?${range}`,
      headers: as(agentSession),
    });
    expect(response.statusCode).toBe(403);
  });

  it('answers CSV for format=csv or Accept: text/csv', async () => {
    for (const request of [
      { url: `/api/reports/summary?${range}&granularity=60min&format=csv`, headers: as(trainerSession) },
      {
        url: `/api/reports/summary?${range}&granularity=60min`,
        headers: { ...as(trainerSession), accept: 'text/csv' },
      },
    ]) {
      const response = await testApi.api.app.inject(request);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/csv');
      expect(response.headers['content-disposition']).toContain('report-');
      const lines = response.body.trimEnd().split('\r\n');
      expect(lines[0]?.split(',').slice(0, 3)).toEqual(['interval_start', 'local_date', 'local_time']);
      expect(lines.filter((l) => l.includes(',2025-06-02,1')).map((l) => l.split(',')[2])).toEqual([
        '10:00',
        '11:00',
      ]);
      expect(lines.at(-1)?.startsWith('total,')).toBe(true);
    }
  });

  it('answers a PDF in the asked language with the period, the filters and the total figures', async () => {
    const json = await testApi.api.app.inject({
      url: `/api/reports/summary?${range}&granularity=day&groupBy=agent`,
      headers: as(analystSession),
    });
    const total = json.json<{ total: { figures: { offered: number; answered: number } } }>().total.figures;
    for (const [language, words] of [
      [
        'es',
        [
          'Informe de contactos',
          'Periodo: 2025-06-02 a 2025-06-02',
          `Atendidas: ${String(total.answered)}`,
          'groupBy=agent',
        ],
      ],
      ['en', ['Contact report', `Offered: ${String(total.offered)}`, 'Average handle time']],
    ] as const) {
      const response = await testApi.api.app.inject({
        url: `/api/reports/summary?${range}&granularity=day&groupBy=agent&format=pdf&language=${language}`,
        headers: as(analystSession),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toContain('.pdf');
      expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(response.rawPayload);
      for (const word of words) expect(text, `${language}: ${word}`).toContain(word);
    }
  });

  it('shows cost per contact in the PDF in the tenant’s currency, when rates are set and agent time is in', async () => {
    const settings = async (patch: object) =>
      testApi.database.inTenant(tenant.context, (tx) =>
        tx.query('UPDATE tenants SET settings = settings || $1::jsonb RETURNING settings', [
          JSON.stringify(patch),
        ]),
      );
    const before = (await settings({})).rows[0] as { settings: Record<string, unknown> };
    await settings({
      currency: 'USD',
      reports: { costRates: { agentHourMinor: 1800, telephonyMinuteMinor: 2 } },
    });
    try {
      const json = await testApi.api.app.inject({
        url: `/api/reports/summary?${range}&granularity=day&groupBy=agent`,
        headers: as(analystSession),
      });
      const report = json.json<{
        currency: string;
        total: { figures: { costPerContactMinor: number | null } };
      }>();
      expect(report.currency).toBe('USD');
      const cost = report.total.figures.costPerContactMinor;
      expect(cost).not.toBeNull();
      const pdf = async (query: string, language: string) =>
        pdfText(
          (
            await testApi.api.app.inject({
              url: `/api/reports/summary?${range}&${query}&format=pdf&language=${language}`,
              headers: as(analystSession),
            })
          ).rawPayload,
        );
      expect(await pdf('granularity=day&groupBy=agent', 'en')).toContain(
        `Cost per contact: US$${((cost ?? 0) / 100).toFixed(2)}`,
      );
      // One queue's rows hold no agent time: no cost rather than the telephony half.
      expect(await pdf(`granularity=day&queueId=${queueId}`, 'es')).not.toContain('Coste por contacto');
      // An agent's own figures never show the center's cost (it reveals the cost of an agent hour).
      const own = await testApi.api.app.inject({
        url: `/api/reports/me/summary?${range}&granularity=day&groupBy=agent`,
        headers: as(agentSession),
      });
      const ownReport = own.json<{
        lines: { figures: { costPerContactMinor: number | null; handled: number } }[];
        total: { figures: { costPerContactMinor: number | null } };
      }>();
      expect(ownReport.lines.some((line) => line.figures.handled > 0)).toBe(true);
      expect(ownReport.total.figures.costPerContactMinor).toBeNull();
      expect(ownReport.lines.every((line) => line.figures.costPerContactMinor === null)).toBe(true);
    } finally {
      await testApi.database.inTenant(tenant.context, (tx) =>
        tx.query('UPDATE tenants SET settings = $1::jsonb', [JSON.stringify(before.settings)]),
      );
    }
  });

  it('names the field of a bad request', async () => {
    const cases: [string, string][] = [
      ['from=2025-06-03&to=2025-06-02', 'to'],
      [`${range}&granularity=hour`, 'granularity'],
      [`${range}&groupBy=queue,skill`, 'groupBy[1]'],
      ['from=yesterday&to=2025-06-02', 'from'],
      [`${range}&timeZone=Mars/Olympus`, 'timeZone'],
    ];
    for (const [query, field] of cases) {
      const response = await testApi.api.app.inject({
        url: `/api/reports/summary?${query}`,
        headers: as(analystSession),
      });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ field: string }>().field, query).toBe(field);
    }
  });
});

describe('an agent’s own reports', () => {
  it('shows an agent only their own figures', async () => {
    const response = await testApi.api.app.inject({
      url: `/api/reports/me/summary?${range}&groupBy=agent`,
      headers: as(agentSession),
    });
    expect(response.statusCode).toBe(200);
    const lines = response.json<{ lines: Line[] }>().lines;
    expect(lines.map((l) => l.agentId)).toEqual([tenant.userIds.agent]);
    expect(lines[0]?.figures.handled).toBe(2);
    // The agent filter is the caller, whatever the query says.
    const sneaky = await testApi.api.app.inject({
      url: `/api/reports/me/summary?${range}&agentId=${tenant.userIds.team_lead}`,
      headers: as(agentSession),
    });
    expect(sneaky.statusCode).toBe(400);
  });

  it('opens the contacts behind an agent’s own figure', async () => {
    const mine = await testApi.api.app.inject({
      url: `/api/reports/me/contacts?${range}&figure=handled`,
      headers: as(agentSession),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ total: number }>().total).toBe(2);
    const all = await testApi.api.app.inject({
      url: `/api/reports/contacts?${range}&figure=handled&queueId=${queueId}`,
      headers: as(analystSession),
    });
    expect(all.json<{ total: number; items: { value: number }[] }>()).toMatchObject({ total: 3 });
    const notContacts = await testApi.api.app.inject({
      url: `/api/reports/contacts?${range}&figure=loggedInMs`,
      headers: as(analystSession),
    });
    expect(notContacts.statusCode).toBe(400);
    expect(notContacts.json<{ field: string }>().field).toBe('figure');
  });
});

/**
 * The text drawn in a PDF made with the standard fonts: every content stream inflated, the hex strings of its
 * text operators decoded from WinAnsi (as pdfkit writes them), in order.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let text = '';
  // Each stream is cut by its /Length: the compressed bytes may end in a CR or LF of their own, which a
  // search for "endstream" would take for the line end (the PDF's date changes the bytes from run to run).
  for (const match of raw.matchAll(/\/Length (\d+)[^>]*>>\s*stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const data = raw.slice(start, start + Number(match[1]));
    let content: string;
    try {
      content = inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
    } catch {
      content = data;
    }
    for (const line of content.split('\n'))
      if (line.endsWith('TJ') || line.endsWith('Tj'))
        text += `${[...line.matchAll(/<([0-9a-fA-F]+)>/g)].map((hex) => Buffer.from(hex[1] ?? '', 'hex').toString('latin1')).join('')}\n`;
  }
  return text;
}

describe('GET /api/leaderboard', () => {
  interface Board {
    agents: {
      rank: number;
      name: string;
      teamName: string | null;
      handled: number;
      resolution: number | null;
      csat: number | null;
    }[];
    teams: { rank: number; name: string; handled: number; resolution: number | null }[];
  }

  it('is refused until the tenant switches it on, then ranks agents and teams for everyone', async () => {
    const url = `/api/leaderboard?${range}`;
    const off = await testApi.api.app.inject({ url, headers: as(agentSession) });
    expect(off.statusCode).toBe(403);
    expect(off.json<{ detail: string }>().detail).toContain('tenant settings');

    await testApi.database.inTenant(tenant.context, async (tx) => {
      await tx.query(`UPDATE tenants SET settings = settings || '{"leaderboard": {"enabled": true}}'::jsonb`);
      const team = await directory.createTeam(tx, 'Equipo Sur');
      await tx.query('UPDATE users SET team_id = $1 WHERE id = ANY($2::uuid[])', [
        team.id,
        [tenant.userIds.agent, tenant.userIds.team_lead],
      ]);
      // Two wrap-ups of the agent that day: one resolving the matter, one a complaint (not resolving).
      for (const disposition of ['resuelto_primer_contacto', 'reclamacion'])
        await tx.query(
          `INSERT INTO interactions (tenant_id, channel, direction, status, agent_id, remote_address, started_at, disposition)
           VALUES (app_current_tenant(), 'voice', 'inbound', 'completed', $1, '+34600000001', '2025-06-02T09:00:00Z', $2)`,
          [tenant.userIds.agent, disposition],
        );
    });
    const surveyed = await record('SurveyAnswered', '2025-06-02T12:00:00+02:00', {
      interactionId: randomUUID(),
      agentId: tenant.userIds.team_lead,
      kind: 'csat',
      score: 5,
    });
    await projectThrough(surveyed);

    const byHandled = await testApi.api.app.inject({ url, headers: as(agentSession) });
    expect(byHandled.statusCode).toBe(200);
    const board = byHandled.json<Board>();
    expect(board.agents.map((line) => [line.rank, line.name, line.handled, line.resolution])).toEqual([
      [1, 'The agent', 2, 0.5],
      [2, 'The team_lead', 1, null],
    ]);
    expect(board.agents[0]?.teamName).toBe('Equipo Sur');
    expect(board.teams).toEqual([
      expect.objectContaining({ rank: 1, name: 'Equipo Sur', handled: 3, resolution: 0.5 }),
    ]);

    const byCsat = (
      await testApi.api.app.inject({ url: `${url}&orderBy=csat`, headers: as(agentSession) })
    ).json<Board>();
    expect(byCsat.agents.map((line) => [line.name, line.csat])).toEqual([
      ['The team_lead', 1],
      ['The agent', null],
    ]);
    const bad = await testApi.api.app.inject({ url: `${url}&orderBy=salary`, headers: as(agentSession) });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('orderBy');
  });
});
