import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { ApiSession, BrowserHarness } from '../../testing/browser-harness.ts';
import { formatDuration, formatShare, localToday, presetRange } from './report-data.ts';

// The reports screen against the real server and its demo history, in Chromium: an analyst answers "what was
// the service level on Soporte técnico, and which agents had the longest handle times" with a few clicks, opens
// the contacts behind a figure and downloads the CSV; the figures on screen are the API's.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const analystEmail = 'analyst@fibrasur.example';

interface Figures {
  offered: number;
  firstContactResolution: number | null;
  abandoned: number;
  serviceLevelOfOffered: number | null;
  averageHandleTimeMs: number | null;
}

let harness: BrowserHarness;
let analyst: ApiSession;

async function report(query: Record<string, string>): Promise<{
  total: { figures: Figures };
  lines: { agentName: string | null; figures: Figures & { handled: number } }[];
}> {
  const response = await fetch(
    `${harness.server.url}/api/reports/summary?${new URLSearchParams(query).toString()}`,
    {
      headers: analyst.headers,
    },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Awaited<ReturnType<typeof report>>;
}

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_reports');
  analyst = await harness.apiLogin(analystEmail);
  // The demo history is folded into the summaries in the background after start: wait until it is.
  await harness.server.reporting.flush();
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

describe('the reports screen', () => {
  it('answers the service level of a queue and the agents with the longest handle times, with drill-down and CSV', async () => {
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, analystEmail);
    await page.locator('nav').getByRole('link', { name: 'Informes' }).click();
    await page.getByRole('heading', { name: 'Informes', level: 1 }).waitFor();

    await page.getByLabel('Periodo').selectOption('last30');
    await page.getByLabel('Cola').selectOption({ label: 'Soporte técnico' });
    const queues = (await (
      await fetch(`${harness.server.url}/api/queues?limit=100`, { headers: analyst.headers })
    ).json()) as { items: { id: string; name: string }[] };
    const queueId = queues.items.find((queue) => queue.name === 'Soporte técnico')?.id ?? '';
    const range = presetRange('last30', localToday('Europe/Madrid', new Date()));
    const expected = await report({ ...range, queueId, granularity: 'day' });
    expect(expected.total.figures.offered).toBeGreaterThan(0);
    // The demo's customers called more than once over the month: first-contact resolution is judged.
    const fcr = expected.total.figures.firstContactResolution;
    expect(fcr).not.toBeNull();
    expect(fcr).toBeGreaterThan(0);
    expect(fcr).toBeLessThan(1);
    await expect.poll(async () => page.locator('[data-kpi=fcr] dd').textContent()).toBe(formatShare(fcr));

    const serviceLevel = page.locator('[data-kpi=serviceLevel] dd');
    await expect
      .poll(async () => serviceLevel.textContent())
      .toBe(formatShare(expected.total.figures.serviceLevelOfOffered));
    await expect
      .poll(async () => page.locator('[data-kpi=offered] dd').textContent())
      .toBe(String(expected.total.figures.offered));

    // Agents, longest handle time first (the default order), as the API ranks them over the period.
    const byAgent = await report({ ...range, queueId, granularity: 'period', groupBy: 'agent' });
    const ranked = byAgent.lines
      .filter((line) => line.agentName !== null && line.figures.handled > 0)
      .sort((a, b) => (b.figures.averageHandleTimeMs ?? 0) - (a.figures.averageHandleTimeMs ?? 0));
    const firstRow = page.getByTestId('report-agents').locator('tbody tr').first();
    await expect.poll(async () => firstRow.locator('td').first().textContent()).toBe(ranked[0]?.agentName);
    expect(await firstRow.locator('[data-column=averageHandleTimeMs]').textContent()).toBe(
      formatDuration(ranked[0]?.figures.averageHandleTimeMs ?? null),
    );
    // Sorting the other way puts the shortest first.
    await page.getByRole('button', { name: 'Ordenar por Tiempo medio de gestión' }).click();
    await expect
      .poll(async () => firstRow.locator('td').first().textContent())
      .toBe(ranked.at(-1)?.agentName);
    await page.getByTestId('heatmap').waitFor();
    // The chart says what its bars and its line are, and the line's scale.
    expect(await page.getByTestId('volume-chart-legend').locator('li').allTextContents()).toEqual([
      'Ofrecidas',
      'Atendidas',
      'Nivel de servicio (escala de la derecha, 0–100 %)',
    ]);
    await page.locator('.report-chart svg').getByText('100 %', { exact: true }).waitFor();
    await harness.screenshot(page, 'reports');

    // The contacts behind the abandoned figure.
    if (expected.total.figures.abandoned > 0) {
      await page.getByRole('button', { name: 'Ver los contactos: Abandonadas' }).click();
      const rows = page.getByTestId('drill-down').locator('tbody tr');
      await expect.poll(async () => rows.count()).toBe(Math.min(50, expected.total.figures.abandoned));
    }

    // The CSV of what is shown downloads with the session.
    const href = await page.getByRole('link', { name: 'Descargar CSV', exact: true }).getAttribute('href');
    const csv = await context.request.get(`${harness.server.url}${href ?? ''}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).split('\n').length).toBeGreaterThan(1);
    const pdfHref = await page.getByRole('link', { name: 'Descargar PDF' }).getAttribute('href');
    expect(pdfHref).toContain('language=es');
    const pdf = await context.request.get(`${harness.server.url}${pdfHref ?? ''}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await context.close();
  });

  it('speaks English when the user chose it, and is not open to agents', async () => {
    const english = await harness.newPage('en-GB');
    await english.context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(english.page, analystEmail, '/reports');
    await english.page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await english.page.getByText('Contacts offered by weekday and hour').waitFor();
    await english.context.close();

    const agent = await harness.newPage('es-ES');
    await harness.signIn(agent.page, 'lucia.fernandez@fibrasur.example', '/reports');
    await agent.page.getByRole('heading', { name: 'No tiene permiso para abrir esta pantalla' }).waitFor();
    expect(await agent.page.locator('nav').getByRole('link', { name: 'Informes' }).count()).toBe(0);
    // Her own figures are on My day, as the API gives them to her.
    const lucia = await harness.apiLogin('lucia.fernandez@fibrasur.example');
    const range = presetRange('last7', localToday('Europe/Madrid', new Date()));
    const own = (await (
      await fetch(
        `${harness.server.url}/api/reports/me/summary?${new URLSearchParams({ ...range, granularity: 'period' }).toString()}`,
        { headers: lucia.headers },
      )
    ).json()) as { total: { figures: { handled: number } } };
    await agent.page.locator('nav').getByRole('link', { name: 'Mi día' }).click();
    await expect
      .poll(async () => agent.page.getByTestId('my-figures').locator('[data-kpi=handled] dd').textContent())
      .toBe(String(own.total.figures.handled));
    await agent.context.close();
  });

  it('shows the leaderboard only once the tenant switches it on, with the agent’s own row marked', async () => {
    const agentEmail = 'lucia.fernandez@fibrasur.example';
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, agentEmail);
    await page.locator('nav').getByRole('link', { name: 'Mi día' }).waitFor();
    expect(await page.locator('nav').getByRole('link', { name: 'Clasificación' }).count()).toBe(0);

    const admin = await harness.apiLogin('admin@fibrasur.example');
    const switched = await fetch(`${harness.server.url}/api/tenant`, {
      method: 'PATCH',
      headers: admin.writeHeaders,
      body: JSON.stringify({ settings: { leaderboard: { enabled: true } } }),
    });
    expect(switched.status).toBe(200);
    await page.reload();
    await page.locator('nav').getByRole('link', { name: 'Clasificación' }).click();
    await page.getByRole('heading', { name: 'Clasificación', level: 1 }).waitFor();
    await page.getByLabel('Periodo').selectOption('thisMonth');
    await page.getByLabel('Ordenar por').selectOption('resolution');
    const agents = page.getByTestId('leaderboard-agents');
    const mine = agents.locator('tr.is-me');
    await mine.getByText('Lucía Fernández').waitFor();

    // The screen shows what the API says for the same period and order.
    const range = presetRange('thisMonth', localToday('Europe/Madrid', new Date()));
    const lucia = await harness.apiLogin(agentEmail);
    const response = await fetch(
      `${harness.server.url}/api/leaderboard?from=${range.from}&to=${range.to}&orderBy=resolution`,
      { headers: lucia.headers },
    );
    expect(response.status).toBe(200);
    const board = (await response.json()) as {
      agents: { rank: number; name: string; handled: number; resolution: number | null }[];
      teams: { name: string }[];
    };
    const own = board.agents.find((line) => line.name === 'Lucía Fernández');
    expect(own).toBeDefined();
    const cells = await mine.locator('td').allTextContents();
    expect(cells[0]).toBe(String(own?.rank));
    expect(cells).toContain(String(own?.handled));
    expect(cells).toContain(formatShare(own?.resolution ?? null));
    const names = await agents.locator('tbody th').allTextContents();
    expect(names.map((name) => name.replace(' (usted)', '').trim())).toEqual(
      board.agents.map((line) => line.name),
    );
    if (board.teams.length > 0) await page.getByTestId('leaderboard-teams').waitFor();
    await harness.screenshot(page, 'leaderboard');
    await context.close();
  }, 60_000);
});
