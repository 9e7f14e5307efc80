import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// The trunks, numbers and teams administration in Chromium against the real server: an admin adds a trunk
// (after the server names the one bad address), a number routed to the demo's flow and moved to another, then
// removes them; a team is created and renamed; a team lead can look at telephony but not change it; an agent's
// extension, languages and skill levels are changed, which routing takes at once.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

let harness: BrowserHarness;

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_telephony');
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

describe('the telephony and teams administration', () => {
  it('lets an admin add a trunk and a number, move the number to another flow and remove both', async () => {
    const admin = await harness.apiLogin('admin@fibrasur.example');
    // A second published flow to move the number to.
    const document = {
      id: 'otro',
      name: 'Otro flujo',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'bye',
      nodes: { bye: { type: 'hangup' } },
    };
    expect(
      (
        await fetch(`${harness.server.url}/api/flows`, {
          method: 'POST',
          headers: admin.writeHeaders,
          body: JSON.stringify({ key: 'otro', name: 'Otro flujo', document }),
        })
      ).status,
    ).toBe(201);

    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example');
    await page.locator('nav').getByRole('link', { name: 'Troncales y números' }).click();
    await page.getByRole('heading', { name: 'Troncales SIP y números' }).waitFor();

    const trunkForm = page.getByRole('form', { name: 'Añadir troncal' });
    await trunkForm.getByLabel('Nombre').fill('Operador Norte');
    await trunkForm.getByLabel(/Direcciones de entrada/).fill('192.0.2.10, 300.1.1.1');
    await trunkForm.getByLabel('Servidor de salida').fill('sip.norte.example');
    await trunkForm.getByLabel(/Contraseña/).fill('secreto-del-operador');
    await trunkForm.getByRole('button', { name: 'Añadir troncal' }).click();
    await page.getByTestId('problems').getByText('inboundAddresses[1]').waitFor();
    await trunkForm.getByLabel(/Direcciones de entrada/).fill('192.0.2.10, 198.51.100.0/24');
    await trunkForm.getByRole('button', { name: 'Añadir troncal' }).click();
    const trunkRow = page.getByTestId('trunks').locator('tr[data-trunk="Operador Norte"]');
    // PostgreSQL keeps addresses as networks: a single address reads as a /32.
    await trunkRow.getByText('192.0.2.10/32, 198.51.100.0/24').waitFor();
    // The password is never shown back, only that there is one.
    expect(await trunkRow.textContent()).toContain('con contraseña');
    expect(await page.content()).not.toContain('secreto-del-operador');

    // Editing: a bad address is refused on the edit form, naming it; the port and transport change, and the
    // password left empty is kept.
    await trunkRow.getByRole('button', { name: 'Editar Operador Norte' }).click();
    const editForm = page.getByRole('form', { name: 'Editar Operador Norte' });
    expect(await editForm.getByLabel('Servidor de salida').inputValue()).toBe('sip.norte.example');
    expect(await editForm.getByLabel(/Contraseña/).inputValue()).toBe('');
    await editForm.getByLabel(/Direcciones de entrada/).fill('192.0.2.10, 192.0.2.999');
    await editForm.getByRole('button', { name: 'Guardar' }).click();
    await editForm.getByTestId('problems').getByText('inboundAddresses[1]').waitFor();
    await editForm.getByLabel(/Direcciones de entrada/).fill('192.0.2.10, 198.51.100.0/24');
    await editForm.getByLabel('Puerto').fill('5080');
    await editForm.getByLabel('Transporte').selectOption('tcp');
    await editForm.getByRole('button', { name: 'Guardar' }).click();
    await editForm.waitFor({ state: 'detached' });
    await trunkRow.getByText('sip.norte.example:5080 (tcp)', { exact: false }).waitFor();
    expect(await trunkRow.textContent()).toContain('con contraseña');

    await page.getByLabel('Número', { exact: true }).fill('+34 910 555 123');
    await page.getByRole('button', { name: 'Añadir número' }).click();
    const numberRow = page.getByTestId('numbers').locator('tr[data-number="+34910555123"]');
    await numberRow.waitFor();
    await numberRow.getByLabel('Flujo de +34910555123').selectOption('otro');
    await expect
      .poll(async () => {
        const dids = (await (
          await fetch(`${harness.server.url}/api/dids`, { headers: admin.headers })
        ).json()) as { number: string; flowKey: string }[];
        return dids.find((did) => did.number === '+34910555123')?.flowKey;
      })
      .toBe('otro');
    await harness.screenshot(page, 'admin-telephony');

    await numberRow.getByRole('button', { name: 'Eliminar +34910555123' }).click();
    await numberRow.waitFor({ state: 'detached' });
    await trunkRow.getByRole('button', { name: 'Eliminar Operador Norte' }).click();
    await trunkRow.waitFor({ state: 'detached' });
    await context.close();
  });

  it('lets an admin create and rename a team, and shows a team lead telephony without changes', async () => {
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/teams');
    await page.getByRole('heading', { name: 'Equipos' }).waitFor();
    await page.getByLabel('Nombre del equipo').fill('Retenciones');
    await page.getByRole('button', { name: 'Crear equipo' }).click();
    const row = page.getByTestId('teams').locator('tr[data-team="Retenciones"]');
    await row.waitFor();
    await row.getByLabel('Nuevo nombre para Retenciones').fill('Retención y bajas');
    await row.getByRole('button', { name: 'Renombrar' }).click();
    await page.getByTestId('teams').locator('tr[data-team="Retención y bajas"]').waitFor();
    await harness.screenshot(page, 'admin-teams');
    await context.close();

    const lead = await harness.newPage('en-GB');
    await lead.context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(lead.page, 'teamlead@fibrasur.example', '/admin/telephony');
    await lead.page.getByRole('heading', { name: 'SIP trunks and numbers' }).waitFor();
    await lead.page.getByText('Your role can see telephony but not change it.').waitFor();
    expect(await lead.page.getByRole('button', { name: 'Add trunk' }).count()).toBe(0);
    await lead.context.close();
  });

  it('lets an admin change an agent’s extension, languages and skill levels, which routing takes at once', async () => {
    const admin = await harness.apiLogin('admin@fibrasur.example');
    const users = (await (
      await fetch(`${harness.server.url}/api/users?limit=200`, { headers: admin.headers })
    ).json()) as { items: { id: string; email: string }[] };
    const sofia = users.items.find((user) => user.email === 'sofia.ruiz@fibrasur.example');
    if (sofia === undefined) throw new Error('the demo has no Sofía Ruiz');
    const queues = (await (
      await fetch(`${harness.server.url}/api/queues`, { headers: admin.headers })
    ).json()) as { items: { id: string; name: string }[] };
    const billing = queues.items.find((queue) => queue.name === 'Facturación');
    const queuesOfSofia = async (): Promise<readonly string[]> => {
      const states = (await (
        await fetch(`${harness.server.url}/api/agent-states`, { headers: admin.headers })
      ).json()) as { agentId: string; queueIds: string[] }[];
      return states.find((state) => state.agentId === sofia.id)?.queueIds ?? [];
    };
    // Before: Soporte técnico (8) and Ventas (4), so not in the billing queue.
    expect(await queuesOfSofia()).not.toContain(billing?.id);

    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/users');
    const row = page.getByTestId('users').locator('tr[data-user="sofia.ruiz@fibrasur.example"]');
    await row.getByRole('button', { name: 'Editar' }).click();
    const form = page.getByRole('form', { name: 'Editar a Sofía Ruiz' });
    await form.getByLabel('Facturación').check();
    await form.getByLabel('Nivel de Facturación').fill('8');
    await form.getByLabel('Nivel de Ventas').fill('6');
    await form.getByLabel('English').check();
    // Lucía's extension: the server refuses it and says which field.
    await form.getByLabel('Extensión').fill('1001');
    await form.getByRole('button', { name: 'Guardar' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    await harness.screenshot(page, 'admin-user-edit-refused');
    expect(await refusal.textContent()).toContain('extension');
    await form.getByLabel('Extensión').fill('1013');
    await harness.screenshot(page, 'admin-user-edit');
    await form.getByRole('button', { name: 'Guardar' }).click();
    await form.waitFor({ state: 'detached' });
    await row.getByText('Facturación (8), Soporte técnico (8), Ventas (6)').waitFor();
    expect(await row.locator('td').nth(3).textContent()).toBe('1013');
    const stored = (await (
      await fetch(`${harness.server.url}/api/users/${sofia.id}`, { headers: admin.headers })
    ).json()) as { languages: string[]; extension: string };
    expect(stored).toMatchObject({ languages: ['es', 'en'], extension: '1013' });
    // Routing: her new skill puts her in the billing queue's pool.
    await expect.poll(queuesOfSofia).toContain(billing?.id);
    await context.close();
  });

  it('lets an admin add a contact outcome and retire another, which changes what agents are offered', async () => {
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'admin@fibrasur.example', '/admin/dispositions');
    await page.getByRole('heading', { name: 'Resultados de contacto' }).waitFor();
    const form = page.getByRole('form', { name: 'Añadir resultado' });
    await form.getByLabel('Código').fill('baja_cliente');
    await form.getByLabel('Nombre en español').fill('Baja del cliente');
    await form.getByLabel('Nombre en inglés').fill('Customer cancelled');
    await form.getByLabel('Resuelve el asunto del cliente').check();
    await form.getByRole('button', { name: 'Añadir resultado' }).click();
    await page
      .getByTestId('dispositions')
      .locator('tr[data-code=baja_cliente]')
      .getByText('Baja del cliente')
      .waitFor();
    await page.getByRole('button', { name: 'Retirar reclamacion', exact: true }).click();
    await page
      .getByTestId('dispositions')
      .locator('tr[data-code=reclamacion]')
      .getByText('retirado')
      .waitFor();
    await harness.screenshot(page, 'admin-dispositions');
    await context.close();

    const agent = await harness.apiLogin('lucia.fernandez@fibrasur.example');
    const offered = (await (
      await fetch(`${harness.server.url}/api/dispositions`, { headers: agent.headers })
    ).json()) as { code: string; isResolved: boolean }[];
    expect(offered.find((d) => d.code === 'baja_cliente')?.isResolved).toBe(true);
    expect(offered.map((d) => d.code)).not.toContain('reclamacion');
  });
});
