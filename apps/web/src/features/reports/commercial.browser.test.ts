import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { ApiSession, BrowserHarness } from '../../testing/browser-harness.ts';
import { formatMoney, formatWindow, previousMonth } from './commercial-data.ts';
import type { BillingStatement, SlaResult, SlaTarget } from './commercial-types.ts';
import { formatDuration, localToday, presetRange } from './report-data.ts';

// The statement and SLA screen against the real server and the demo history, in Chromium: an analyst reads what
// the client is charged for last month in euros and which SLA targets were breached on which days, and downloads
// both as CSV; a tenant without a plan or targets is told where an admin sets them; an agent cannot open it.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const analystEmail = 'analyst@fibrasur.example';

let harness: BrowserHarness;
let admin: ApiSession;
let analyst: ApiSession;
let timeZone: string;

async function apiGet(session: ApiSession, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${harness.server.url}${path}`, { headers: session.headers });
  return { status: response.status, body: await response.json() };
}

async function patchSettings(settings: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${harness.server.url}/api/tenant`, {
    method: 'PATCH',
    headers: admin.writeHeaders,
    body: JSON.stringify({ settings }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** The rows of a downloaded CSV (no quoted line breaks in these), after checking its byte-order mark. */
async function downloadedRows(page: Page, click: () => Promise<void>): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const bytes = await readFile(await download.path());
  // UTF-8 with a byte-order mark, so Excel reads the accents right.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return bytes
    .toString('utf8')
    .slice(1)
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_commercial');
  admin = await harness.apiLogin('admin@fibrasur.example');
  analyst = await harness.apiLogin(analystEmail);
  timeZone = ((await apiGet(admin, '/api/tenant')).body as { timeZone: string }).timeZone;
  // The demo history is folded into the summaries in the background after start: wait until it is.
  await harness.server.reporting.flush();
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

describe('the statement and SLA screen', () => {
  it('tells a tenant without a billing plan or SLA targets that an admin sets them on the tenant settings', async () => {
    const month = previousMonth(localToday(timeZone, new Date()));
    // The demo tenant is billed and has targets: take both away, as an admin would.
    await patchSettings({ billing: null, sla: { targets: [] } });
    expect((await apiGet(analyst, `/api/reports/billing?month=${month}`)).status).toBe(404);

    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, analystEmail, '/reports/commercial');
    await page.getByRole('heading', { name: 'Extracto mensual y SLA', level: 1 }).waitFor();
    await expect
      .poll(async () => page.getByTestId('no-plan').textContent())
      .toContain('Un administrador lo define en la pantalla «Ajustes del tenant»');
    await expect
      .poll(async () => page.getByTestId('no-targets').textContent())
      .toContain('Este tenant no tiene objetivos de SLA');
    // Neither an error nor a table stands in for the explanation.
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByTestId('statement-lines').count()).toBe(0);
    await context.close();
  });

  it('shows last month’s statement in euros and the breached SLA windows, and downloads both as CSV', async () => {
    const queueId = randomUUID();
    const targets: SlaTarget[] = [
      // No demo contact is handled within a second: breached on every day with contacts.
      { id: 'aht-daily', metric: 'averageHandleTimeMs', comparison: 'at-most', target: 1_000, per: 'day' },
      { id: 'abandon-period', metric: 'abandonmentRate', comparison: 'at-most', target: 1, per: 'period' },
      // A queue with no contacts: nothing to judge.
      {
        id: 'sl-empty-queue',
        metric: 'serviceLevelOfAnswered',
        comparison: 'at-least',
        target: 0.8,
        per: 'day',
        queueIds: [queueId],
      },
    ];
    await patchSettings({
      currency: 'EUR',
      billing: { kind: 'per-minute', pricePerMinuteMinor: 45 },
      sla: { targets },
    });
    const month = previousMonth(localToday(timeZone, new Date()));
    const statement = (await apiGet(analyst, `/api/reports/billing?month=${month}`)).body as BillingStatement;
    const minutes = statement.lines.find((line) => line.item === 'minutes');
    expect(minutes?.unitPriceMinor).toBe(45);
    expect(statement.totalMinor).toBeGreaterThan(0);
    const range = presetRange('last7', localToday(timeZone, new Date()));
    const query = new URLSearchParams({ from: range.from, to: range.to }).toString();
    const sla = ((await apiGet(analyst, `/api/reports/sla?${query}`)).body as { results: SlaResult[] })
      .results;
    const aht = sla.find((result) => result.target.id === 'aht-daily');
    expect(aht?.isMet).toBe(false);
    const breaches = aht?.breaches ?? [];
    expect(breaches.length).toBeGreaterThan(0);
    expect(sla.find((result) => result.target.id === 'abandon-period')?.isMet).toBe(true);
    expect(sla.find((result) => result.target.id === 'sl-empty-queue')?.isMet).toBeNull();

    const { page } = await harness.newPage('es-ES');
    await harness.signIn(page, analystEmail);
    await page.locator('nav').getByRole('link', { name: 'Informes', exact: true }).click();
    await page.getByRole('link', { name: 'Extracto mensual y cumplimiento del SLA' }).click();
    await page.getByRole('heading', { name: 'Extracto mensual y SLA', level: 1 }).waitFor();
    expect(await page.locator('nav [aria-current=page]').textContent()).toBe('Extracto y SLA');

    // The statement: last month by default, money as a Spanish reader writes it.
    const statementSection = page.getByTestId('statement');
    expect(await statementSection.getByLabel('Mes').inputValue()).toBe(month);
    const minutesRow = statementSection.locator('tr[data-item=minutes]');
    await expect
      .poll(async () => minutesRow.locator('[data-column=amount]').textContent())
      .toBe(formatMoney(minutes?.amountMinor ?? 0, 'EUR', 'es'));
    expect(await minutesRow.locator('th').textContent()).toBe('Minutos facturados');
    expect(await minutesRow.locator('[data-column=unitPrice]').textContent()).toBe('0,45\u00A0€');
    const total = (await page.getByTestId('statement-total').textContent()) ?? '';
    expect(total).toBe(`Total${formatMoney(statement.totalMinor, 'EUR', 'es')}`);
    expect(total).toMatch(/\d,\d{2}\u00A0€$/);

    // The SLA of the last 7 days: each target in words, with a state that is not colour alone.
    const sl = page.locator('tr[data-target=sl-empty-queue]');
    await expect
      .poll(async () => sl.locator('[data-column=promise]').textContent())
      .toBe('Nivel de servicio (atendidas) ≥ 80 % por día');
    expect(await sl.locator('[data-column=status]').textContent()).toBe('– Sin datos');
    // Its queue is no queue of the tenant (deleted since): said in words, not as a raw id.
    await expect
      .poll(async () => sl.locator('[data-column=queues]').textContent())
      .toBe('una cola eliminada');
    expect(await page.locator('tr[data-target=abandon-period] [data-column=status]').textContent()).toBe(
      '✓ Cumplido',
    );
    const ahtRow = page.locator('tr[data-target=aht-daily]');
    expect(await ahtRow.locator('[data-column=promise]').textContent()).toBe(
      'Tiempo medio de gestión ≤ 0:01 por día',
    );
    expect(await ahtRow.locator('[data-column=status]').textContent()).toBe('✗ Incumplido');
    expect(await ahtRow.locator('[data-column=actual]').textContent()).toBe(
      formatDuration(aht?.actual ?? null),
    );
    const summary = ahtRow.locator('summary');
    expect(await summary.textContent()).toBe(
      `${String(breaches.length)} de ${String(aht?.windowsMeasured)} intervalos incumplidos`,
    );
    // A long list starts folded; the reader opens it.
    if (!(await ahtRow.locator('details').evaluate((element: HTMLDetailsElement) => element.open)))
      await summary.click();
    const windows = ahtRow.locator('.sla-breaches li');
    await expect.poll(async () => windows.count()).toBe(breaches.length);
    const first = breaches[0];
    if (first === undefined) throw new Error('no breach');
    expect(await windows.first().textContent()).toBe(
      `${formatWindow(first, 'day', timeZone, 'es')}: ${formatDuration(first.actual)}`,
    );
    await harness.screenshot(page, 'reports-commercial');
    // Printed, the page is the statement and the SLA without the app around them or the controls.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Imprimir' }).isVisible()).toBe(false);
    expect(await page.getByTestId('statement-lines').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    // Both downloads, built in the browser from what is shown.
    const statementRows = await downloadedRows(page, () =>
      statementSection.getByRole('button', { name: 'Descargar CSV' }).click(),
    );
    expect(statementRows[0]).toEqual([
      'month',
      'item',
      'quantity',
      'unit_price_minor',
      'amount_minor',
      'unit_price',
      'amount',
      'currency',
    ]);
    expect(statementRows[1]?.slice(0, 2)).toEqual([month, 'minutes']);
    expect(statementRows[1]?.slice(3)).toEqual([
      '45',
      String(minutes?.amountMinor),
      '0.45',
      ((minutes?.amountMinor ?? 0) / 100).toFixed(2),
      'EUR',
    ]);
    expect(statementRows.at(-1)).toEqual([
      month,
      'total',
      '',
      '',
      String(statement.totalMinor),
      '',
      (statement.totalMinor / 100).toFixed(2),
      'EUR',
    ]);

    const slaRows = await downloadedRows(page, () =>
      page.getByTestId('sla').getByRole('button', { name: 'Descargar CSV' }).click(),
    );
    expect(slaRows[0]?.slice(0, 3)).toEqual(['row', 'target_id', 'metric']);
    const ahtTargetRow = slaRows.find((row) => row[0] === 'target' && row[1] === 'aht-daily');
    expect(ahtTargetRow?.slice(2, 6)).toEqual(['averageHandleTimeMs', 'at-most', '1000', 'day']);
    expect(ahtTargetRow?.[8]).toBe('breached');
    const breachRows = slaRows.filter((row) => row[0] === 'breach' && row[1] === 'aht-daily');
    // Figures keep six decimals, as the reports' CSV writes them.
    expect(breachRows.map((row) => Number(row[12]))).toEqual(
      breaches.map((breach) => Number(breach.actual.toFixed(6))),
    );
    expect(slaRows.find((row) => row[1] === 'abandon-period')?.[8]).toBe('met');
    expect(slaRows.find((row) => row[1] === 'sl-empty-queue')?.[8]).toBe('no-data');
    await page.context().close();
  }, 60_000);

  it('speaks English when chosen, shows a team lead the SLA without the statement, and is closed to agents', async () => {
    const english = await harness.newPage('en-GB');
    await english.context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(english.page, analystEmail, '/reports/commercial');
    await english.page.getByRole('heading', { name: 'Monthly statement and SLA', level: 1 }).waitFor();
    await english.page.getByRole('heading', { name: 'Monthly statement', level: 2 }).waitFor();
    await expect
      .poll(async () => english.page.locator('tr[data-target=aht-daily] [data-column=status]').textContent())
      .toBe('✗ Breached');
    expect(await english.page.locator('tr[data-item=minutes] [data-column=unitPrice]').textContent()).toBe(
      '€0.45',
    );
    await english.context.close();

    const teamLead = await harness.newPage('es-ES');
    await harness.signIn(teamLead.page, 'teamlead@fibrasur.example');
    await teamLead.page.locator('nav').getByRole('link', { name: 'Extracto y SLA' }).click();
    await teamLead.page.locator('tr[data-target=aht-daily]').waitFor();
    expect(await teamLead.page.getByTestId('statement').count()).toBe(0);
    await teamLead.context.close();

    const agent = await harness.newPage('es-ES');
    await harness.signIn(agent.page, 'lucia.fernandez@fibrasur.example', '/reports/commercial');
    await agent.page.getByRole('heading', { name: 'No tiene permiso para abrir esta pantalla' }).waitFor();
    expect(await agent.page.locator('nav').getByRole('link', { name: 'Extracto y SLA' }).count()).toBe(0);
    await agent.context.close();
  }, 60_000);
});
