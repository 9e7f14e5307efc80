import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { ApiSession, BrowserHarness } from '../../testing/browser-harness.ts';

// First-contact resolution by queue (issue #9) in Chromium against the real server: an admin sets on the
// tenant screen that only a contact to the same queue is a repeat, within 10 days, and saves; the tenant's
// report settings hold both, and the Spanish screen shows them back.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

let harness: BrowserHarness;
let admin: ApiSession;

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_report_settings');
  admin = await harness.apiLogin('admin@fibrasur.example');
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

async function reportSettings(): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${harness.server.url}/api/tenant`, { headers: admin.headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { settings: { reports?: Record<string, unknown> } }).settings.reports;
}

describe('the report settings on the tenant screen', () => {
  it('sets first-contact resolution to the same queue within 10 days', async () => {
    expect((await reportSettings())?.['fcrSameMatter']).toBeUndefined();
    const { context, page } = await harness.newPage('en-GB');
    await context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/tenant');
    const fcr = page.getByRole('group', { name: 'Reports: first-contact resolution' });
    const sameMatter = fcr.getByLabel('What counts as the same matter');
    expect(await sameMatter.inputValue()).toBe('any-contact');
    await sameMatter.selectOption({ label: 'Only a contact to the same queue' });
    await fcr.getByLabel('Days within which contacting again counts as a repeat').fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Changes saved.').waitFor();
    await harness.screenshot(page, 'admin-tenant-report-settings');
    await context.close();
    expect(await reportSettings()).toMatchObject({ fcrWindowDays: 10, fcrSameMatter: 'same-queue' });

    const spanish = await harness.newPage('es-ES');
    await harness.signIn(spanish.page, 'admin@fibrasur.example', '/admin/tenant');
    const informes = spanish.page.getByRole('group', { name: 'Informes: resolución en el primer contacto' });
    expect(await informes.getByLabel('Qué cuenta como el mismo asunto').inputValue()).toBe('same-queue');
    expect(
      await informes.getByLabel('Días en los que volver a contactar cuenta como repetición').inputValue(),
    ).toBe('10');
    await spanish.context.close();
  });
});
