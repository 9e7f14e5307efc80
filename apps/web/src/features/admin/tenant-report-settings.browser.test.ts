import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { ApiSession, BrowserHarness } from '../../testing/browser-harness.ts';

// Report counting, money, billing and SLA targets on the tenant screen (issue #9), in Chromium against the
// real server: an admin types amounts the Spanish way, sets a monthly-fee plan and two SLA targets, saves
// and sees them back after a reload; the API holds minor units, fractions and milliseconds, and a report
// setting the screen does not show survives every save.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

interface StoredSettings {
  readonly currency?: string;
  readonly reports?: Record<string, unknown>;
  readonly billing?: unknown;
  readonly sla?: {
    readonly targets: readonly { readonly id: string; readonly [key: string]: unknown }[];
  };
}

let harness: BrowserHarness;
let admin: ApiSession;

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_tenant_report_settings');
  admin = await harness.apiLogin('admin@fibrasur.example');
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

async function storedSettings(): Promise<StoredSettings> {
  const response = await fetch(`${harness.server.url}/api/tenant`, { headers: admin.headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { settings: StoredSettings }).settings;
}

async function firstQueue(): Promise<{ id: string; name: string }> {
  const response = await fetch(`${harness.server.url}/api/queues?limit=1&sort=name`, {
    headers: admin.headers,
  });
  expect(response.status).toBe(200);
  const queue = ((await response.json()) as { items: { id: string; name: string }[] }).items[0];
  if (queue === undefined) throw new Error('the demo tenant has no queue');
  return queue;
}

async function disposition(code: string): Promise<{ labelEs: string; labelEn: string }> {
  const response = await fetch(`${harness.server.url}/api/dispositions`, { headers: admin.headers });
  expect(response.status).toBe(200);
  const found = ((await response.json()) as { code: string; labelEs: string; labelEn: string }[]).find(
    (item) => item.code === code,
  );
  if (found === undefined) throw new Error(`the demo tenant has no disposition ${code}`);
  return found;
}

async function save(page: Page, savedText: string): Promise<void> {
  await page.getByRole('button', { name: /^(Guardar|Save)$/ }).click();
  await page.getByRole('status').getByText(savedText).waitFor();
}

describe('the report, billing and SLA settings on the tenant screen', () => {
  it('stores what a Spanish admin types, shows it back after a reload and keeps the other report settings', async () => {
    // Set through the API before the screen opens: neither may be lost when the screen saves.
    const patched = await fetch(`${harness.server.url}/api/tenant`, {
      method: 'PATCH',
      headers: admin.writeHeaders,
      body: JSON.stringify({ settings: { reports: { shortAbandonSeconds: 12, someFutureKey: 'keep me' } } }),
    });
    expect(patched.status).toBe(200);
    const queue = await firstQueue();
    const refund = await disposition('abono_realizado');
    // The demo tenant comes with SLA targets of its own: the new ones follow them.
    const seededSettings = await storedSettings();
    const seeded = seededSettings.sla?.targets ?? [];
    const seededValues = seededSettings.reports?.['dispositionValuesMinor'] as
      Record<string, number> | undefined;
    const firstName = `Objetivo ${String(seeded.length + 1)}`;
    const secondName = `Objetivo ${String(seeded.length + 2)}`;

    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/tenant');
    const counting = page.getByRole('group', { name: 'Informes: cómo se cuentan los contactos' });
    expect(await counting.getByLabel('Abandono corto: colgó antes de (segundos)').inputValue()).toBe('12');
    await counting.getByLabel('Redondeo del tiempo facturable').selectOption({ label: 'Cada 6 segundos' });
    await counting.getByLabel('Mínimo facturable por contacto (segundos)').fill('30');

    const money = page.getByRole('group', { name: 'Moneda y costes' });
    expect(await money.getByLabel('Moneda').inputValue()).toBe('EUR');
    await money.getByLabel('Coste de una hora de agente (EUR)').fill('18,50');
    await money.getByLabel('Coste de telefonía por minuto (EUR)').fill('0,02');
    await money.getByLabel(`Valor de «${refund.labelEs}» (EUR)`).fill('25');

    const billing = page.getByRole('group', { name: 'Facturación al cliente' });
    await billing.getByLabel('Plan de facturación').selectOption({ label: 'Cuota mensual' });
    await billing.getByLabel('Cuota mensual (EUR)').fill('1.500,00');
    await billing.getByLabel('Contactos incluidos en la cuota').fill('1000');
    await billing.getByLabel('Precio por contacto adicional (EUR)').fill('0,90');

    const sla = page.getByRole('group', { name: 'Acuerdo de nivel de servicio (SLA)' });
    await expect.poll(() => sla.getByRole('group', { name: /^Objetivo \d+$/ }).count()).toBe(seeded.length);
    await sla.getByRole('button', { name: 'Añadir un objetivo' }).click();
    const first = sla.getByRole('group', { name: firstName, exact: true });
    await first.getByLabel('Indicador').selectOption({ label: 'Nivel de servicio de las ofrecidas' });
    await first.getByLabel('Comparación').selectOption({ label: 'Al menos' });
    await first.getByLabel('Objetivo (%)').fill('80');
    await first.getByLabel('Se juzga').selectOption({ label: 'Cada día' });
    await sla.getByRole('button', { name: 'Añadir un objetivo' }).click();
    const second = sla.getByRole('group', { name: secondName, exact: true });
    await second.getByLabel('Indicador').selectOption({ label: 'Tiempo medio de gestión' });
    await second.getByLabel('Comparación').selectOption({ label: 'Como mucho' });
    await second.getByLabel('Objetivo (segundos)').fill('300');
    await second.getByLabel('Se juzga').selectOption({ label: 'Sobre todo el periodo' });
    await second.getByLabel('Colas (ninguna marcada: todas)').selectOption([{ label: queue.name }]);
    await save(page, 'Cambios guardados.');
    await harness.screenshot(page, 'admin-tenant-billing-sla');

    const settings = await storedSettings();
    expect(settings.currency).toBe('EUR');
    expect(settings.reports).toEqual(
      expect.objectContaining({
        someFutureKey: 'keep me',
        shortAbandonSeconds: 12,
        billingIncrementSeconds: 6,
        billingMinimumSeconds: 30,
        costRates: { agentHourMinor: 1850, telephonyMinuteMinor: 2 },
        dispositionValuesMinor: { ...seededValues, abono_realizado: 2500 },
      }),
    );
    expect(settings.billing).toEqual({
      kind: 'flat',
      monthlyFeeMinor: 150_000,
      includedContacts: 1000,
      overagePerContactMinor: 90,
    });
    const targets = settings.sla?.targets ?? [];
    expect(targets).toEqual([
      ...seeded,
      {
        id: expect.any(String) as unknown,
        metric: 'serviceLevelOfOffered',
        comparison: 'at-least',
        target: 0.8,
        per: 'day',
      },
      {
        id: expect.any(String) as unknown,
        metric: 'averageHandleTimeMs',
        comparison: 'at-most',
        target: 300_000,
        per: 'period',
        queueIds: [queue.id],
      },
    ]);
    expect(new Set(targets.map((target) => target.id)).size).toBe(seeded.length + 2);

    await page.reload();
    const again = page.getByRole('group', { name: 'Moneda y costes' });
    expect(await again.getByLabel('Coste de una hora de agente (EUR)').inputValue()).toBe('18,50');
    expect(await again.getByLabel('Coste de telefonía por minuto (EUR)').inputValue()).toBe('0,02');
    expect(await again.getByLabel(`Valor de «${refund.labelEs}» (EUR)`).inputValue()).toBe('25,00');
    const countingAgain = page.getByRole('group', { name: 'Informes: cómo se cuentan los contactos' });
    expect(await countingAgain.getByLabel('Redondeo del tiempo facturable').inputValue()).toBe('6');
    const billingAgain = page.getByRole('group', { name: 'Facturación al cliente' });
    expect(await billingAgain.getByLabel('Plan de facturación').inputValue()).toBe('flat');
    expect(await billingAgain.getByLabel('Cuota mensual (EUR)').inputValue()).toBe('1500,00');
    expect(await billingAgain.getByLabel('Precio por contacto adicional (EUR)').inputValue()).toBe('0,90');
    const slaAgain = page.getByRole('group', { name: 'Acuerdo de nivel de servicio (SLA)' });
    const firstAgain = slaAgain.getByRole('group', { name: firstName, exact: true });
    expect(await firstAgain.getByLabel('Indicador').inputValue()).toBe('serviceLevelOfOffered');
    expect(await firstAgain.getByLabel('Objetivo (%)').inputValue()).toBe('80');
    const secondAgain = slaAgain.getByRole('group', { name: secondName, exact: true });
    expect(await secondAgain.getByLabel('Objetivo (segundos)').inputValue()).toBe('300');
    expect(
      await secondAgain
        .getByLabel('Colas (ninguna marcada: todas)')
        .evaluate((select: HTMLSelectElement) =>
          Array.from(select.selectedOptions, (option) => option.value),
        ),
    ).toEqual([queue.id]);
    await context.close();
  });

  it('removes an SLA target and the billing plan, keeping the other target’s id', async () => {
    const before = (await storedSettings()).sla?.targets ?? [];
    expect(before.length).toBeGreaterThan(1);
    const { context, page } = await harness.newPage('en-GB');
    await context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/tenant');
    const sla = page.getByRole('group', { name: 'Service-level agreement (SLA)' });
    await sla.getByRole('button', { name: 'Remove target 1', exact: true }).click();
    const nowFirst = sla.getByRole('group', { name: 'Target 1', exact: true });
    expect(await nowFirst.getByLabel('Metric').inputValue()).toBe(before[1]?.['metric']);
    await page
      .getByRole('group', { name: 'Billing the client' })
      .getByLabel('Billing plan')
      .selectOption({ label: 'Not billed' });
    await save(page, 'Changes saved.');

    const settings = await storedSettings();
    expect(settings.billing).toBeNull();
    expect(settings.sla?.targets).toEqual(before.slice(1));
    expect(settings.reports).toEqual(
      expect.objectContaining({ someFutureKey: 'keep me', shortAbandonSeconds: 12 }),
    );

    await page.reload();
    const billing = page.getByRole('group', { name: 'Billing the client' });
    expect(await billing.getByLabel('Billing plan').inputValue()).toBe('none');
    const slaAgain = page.getByRole('group', { name: 'Service-level agreement (SLA)' });
    expect(await slaAgain.getByRole('group', { name: /^Target \d+$/ }).count()).toBe(before.length - 1);
    await context.close();
  });

  it('names the field of an amount it cannot read and sends nothing', async () => {
    const before = await storedSettings();
    const { context, page } = await harness.newPage('en-GB');
    await context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/tenant');
    await page.getByLabel('Cost of an agent hour (EUR)').fill('eighteen');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Not a valid amount in this currency (e.g. 18.50).').waitFor();
    expect(await alert.getByText('settings.reports.costRates.agentHourMinor').count()).toBe(1);
    expect(await storedSettings()).toEqual(before);
    await context.close();
  });
});
