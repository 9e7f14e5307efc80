import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { ApiSession, BrowserHarness } from '../../testing/browser-harness.ts';

// Business hours and holidays in Chromium against the real server: an admin opens Saturday mornings and adds
// Christmas Eve as a yearly holiday on the demo menu, saves and publishes; the flow tester then takes the
// holiday branch on 24 December and the open branch on a Saturday morning. A backwards interval is refused
// with the validator's message and publishes nothing. Renaming a calendar the flow uses (it cannot be deleted)
// carries the flow's holiday condition along, so Christmas Day still takes the holiday branch.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const flowKey = 'demo-main-menu';
let harness: BrowserHarness;
let admin: ApiSession;

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_hours');
  admin = await harness.apiLogin('admin@fibrasur.example');
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

interface StoredFlow {
  publishedVersion: number | null;
  published: {
    document: {
      schedules: Record<string, Record<string, { from: string; to: string }[]>>;
      holidayCalendars: Record<string, { date: string; name?: string }[]>;
      nodes: Record<string, unknown>;
    };
  } | null;
}

async function stored(): Promise<StoredFlow> {
  const response = await fetch(`${harness.server.url}/api/flows/${flowKey}`, { headers: admin.headers });
  expect(response.status).toBe(200);
  return (await response.json()) as StoredFlow;
}

/** The path the published flow takes for a call at `now` (no keys pressed). */
async function pathAt(now: string): Promise<string> {
  const response = await fetch(`${harness.server.url}/api/flows/${flowKey}/test`, {
    method: 'POST',
    headers: admin.writeHeaders,
    body: JSON.stringify({ version: 'published', now, callerId: '+34600111222', digits: [''] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { transcript: string }).transcript;
}

describe('the business hours and holidays screen', () => {
  it('opens Saturday mornings and adds a yearly holiday, published and followed by the flow', async () => {
    const before = await stored();
    expect(before.published?.document.schedules['office']?.['sat']).toBeUndefined();
    expect(await pathAt('2026-12-05T09:30:00Z')).toContain('closed_message');

    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/hours');
    await page.getByLabel('Flujo').selectOption(flowKey);
    const office = page.getByRole('group', { name: 'Horario office' });
    await office.getByRole('button', { name: 'Añadir tramo el sábado' }).click();
    await office.getByLabel('sábado: desde (1)').fill('10:00');
    await office.getByLabel('sábado: hasta (1)').fill('14:00');
    expect(await office.getByText('El flujo lo usa: no se puede borrar.').count()).toBe(1);

    const spain = page.getByRole('group', { name: 'Calendario spain' });
    const rows = await spain.locator('tbody tr').count();
    await spain.getByRole('button', { name: 'Añadir festivo a spain' }).click();
    const n = rows + 1;
    await spain.getByLabel(`Fecha del festivo ${String(n)}`, { exact: true }).fill('2026-12-24');
    await spain.getByLabel(`El festivo ${String(n)} se repite todos los años`).check();
    await spain.getByLabel(`Nombre del festivo ${String(n)}`, { exact: true }).fill('Nochebuena');
    await page.getByRole('button', { name: 'Guardar y publicar' }).click();
    await page.getByText(/Publicada la versión \d+/).waitFor();
    await harness.screenshot(page, 'admin-hours');

    const after = await stored();
    expect(after.publishedVersion).toBeGreaterThan(before.publishedVersion ?? 0);
    expect(after.published?.document.schedules['office']?.['sat']).toEqual([{ from: '10:00', to: '14:00' }]);
    expect(after.published?.document.holidayCalendars['spain']).toContainEqual({
      date: '--12-24',
      name: 'Nochebuena',
    });
    // Saturday 5 December at 10:30 in Madrid is now open; 24 December (a Thursday, 11:00) is a holiday.
    expect(await pathAt('2026-12-05T09:30:00Z')).not.toContain('closed_message');
    expect(await pathAt('2026-12-24T10:00:00Z')).toContain('holiday_message');

    // A backwards interval: the validator's message is shown and nothing is published.
    await office.getByLabel('sábado: desde (1)').fill('18:00');
    await office.getByLabel('sábado: hasta (1)').fill('09:00');
    await page.getByRole('button', { name: 'Guardar y publicar' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('No se ha guardado nada. Corrija esto:').waitFor();
    expect(await alert.textContent()).toContain(
      'schedules.office.sat.0: El flujo no tiene el formato esperado (falta un campo, un tipo no es el correcto o hay una errata). Corríjalo en la ruta indicada. (an interval ends after it starts',
    );
    expect((await stored()).publishedVersion).toBe(after.publishedVersion);
    await context.close();
  }, 90_000);

  it('renames a calendar the flow uses and points the flow’s holiday condition at the new name', async () => {
    const before = await stored();
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/hours');
    await page.getByLabel('Flujo').selectOption(flowKey);
    const spain = page.getByRole('group', { name: 'Calendario spain' });
    await spain.getByText('El flujo lo usa: no se puede borrar.').waitFor();
    expect(await spain.getByRole('button', { name: 'Borrar el calendario spain' }).count()).toBe(0);
    await spain.getByLabel('Nuevo nombre del calendario spain').fill('nacional');
    await spain.getByRole('button', { name: 'Renombrar' }).click();
    await page.getByRole('group', { name: 'Calendario nacional' }).waitFor();
    await page.getByRole('button', { name: 'Guardar y publicar' }).click();
    await page.getByText(/Publicada la versión \d+/).waitFor();

    const after = await stored();
    expect(after.publishedVersion).toBeGreaterThan(before.publishedVersion ?? 0);
    const document = after.published?.document;
    expect(document?.holidayCalendars['spain']).toBeUndefined();
    expect(document?.holidayCalendars['nacional']).toContainEqual({ date: '--12-25', name: 'Navidad' });
    expect(JSON.stringify(document?.nodes)).toContain('"calendar":"nacional"');
    expect(JSON.stringify(document?.nodes)).not.toContain('"calendar":"spain"');
    // Christmas Day (a Friday, 11:00 in Madrid) still takes the holiday branch.
    expect(await pathAt('2026-12-25T10:00:00Z')).toContain('holiday_message');
    await context.close();
  }, 90_000);
});
