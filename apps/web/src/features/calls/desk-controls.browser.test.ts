import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession, SoftPhone, demoTrafficNumber, ensureDemoTrafficFlow } from '@centralita/traffic';
import type { PhoneCall } from '@centralita/traffic';
import { demoPassword, demoTenantSlug } from '@centralita/server';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// The call panel's own controls in Chromium against the real server: Lucía answers from the desktop (her
// soft phone accepts remote answer), pauses and resumes the recording, sends keys to the customer, and at
// wrap-up opens a ticket that needs follow-up with a follow-up task, all from the panel.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const sipDomain = 'pbx.test';
const lucia = 'lucia.fernandez@fibrasur.example';

let harness: BrowserHarness;
const phones: SoftPhone[] = [];
const ringing: PhoneCall[] = [];

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_desk_controls', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
  });
  const admin = await ApiSession.login(harness.server.url, {
    tenant: demoTenantSlug,
    email: 'admin@fibrasur.example',
    password: demoPassword,
  });
  await ensureDemoTrafficFlow(admin);
  const desk = await SoftPhone.open({
    server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
    account: { username: '1001', password: demoPassword, domain: `demo.${sipDomain}` },
    voice: { pitchHz: 180, seed: 3 },
    answersRemotely: true,
    onIncomingCall: (call) => {
      ringing.push(call);
    },
  });
  await desk.register(600);
  phones.push(desk);
}, 120_000);

afterAll(async () => {
  for (const opened of phones) await opened.close();
  await harness.stop();
});

describe('the call panel', () => {
  it('answers, pauses the recording, sends keys, and wraps up with a ticket and a follow-up', async () => {
    const agent = await ApiSession.login(harness.server.url, {
      tenant: demoTenantSlug,
      email: lucia,
      password: demoPassword,
    });
    await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const page = (await harness.newPage('es-ES')).page;
    await harness.signIn(page, lucia);
    await page.locator('[data-stream=open]').waitFor();

    const customerPhone = await SoftPhone.open({
      server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
      voice: { pitchHz: 300, seed: 4 },
    });
    phones.push(customerPhone);
    const customer = await customerPhone.call({ number: demoTrafficNumber, callerId: '+34600900951' });
    expect(await customer.connected).toBe(true);
    const rings = page.locator('.call-panel[data-phase=ringing]');
    for (let attempt = 0; attempt < 10 && ringing.length === 0; attempt++) {
      customer.sendDigit('1');
      await rings.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await rings.waitFor();
    const atDesk = ringing[0];
    expect(atDesk?.state).toBe('ringing');
    // The sales queue's script, filled in while the phone rings: the caller's number is known, the email not.
    const script = page.getByTestId('call-script');
    // The number grouped as the agent will read it out (a Spanish number, the tenant's country).
    await script.getByText('600 90 09 51', { exact: true }).waitFor();
    expect(await page.getByText('Guion: Ventas: alta de fibra').count()).toBe(1);
    expect(await script.locator('.script-missing', { hasText: '[correo del cliente]' }).count()).toBe(1);
    expect(await script.textContent()).toContain('del equipo de Ventas de FibraSur Telecom');

    await page.getByRole('button', { name: 'Contestar', exact: true }).click();
    await page.locator('.call-panel[data-phase=connected]').waitFor();
    expect(await atDesk?.connected).toBe(true);
    const interactionId = atDesk?.interactionId ?? '';

    await page.getByText('Grabando', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Pausar la grabación' }).click();
    await page.getByText('Grabación en pausa').waitFor();
    expect((await agent.request('GET', `/api/interactions/${interactionId}/call`)).body).toMatchObject({
      recording: 'paused',
    });
    await page.getByRole('button', { name: 'Reanudar la grabación' }).click();
    await page.getByText('Grabando', { exact: true }).waitFor();

    await page.getByText('Teclado', { exact: true }).click();
    const keys = page.getByRole('group', { name: 'Teclado' });
    await keys.getByRole('button', { name: '5', exact: true }).click();
    await page.getByText('Enviado: 5').waitFor();
    await keys.getByRole('button', { name: '#', exact: true }).click();
    await page.getByText('Enviado: 5#').waitFor();
    await expect.poll(() => customer.keysReceived).toBe('5#');
    await harness.screenshot(page, 'agent-desktop-call-controls');

    customer.hangUp();
    await page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    await page.getByLabel('Resultado').selectOption('requiere_seguimiento');
    await page.getByLabel('Notas', { exact: true }).fill('Pide revisar la instalación');
    await page.getByLabel('Abrir una incidencia nueva').check();
    await page.getByLabel('Asunto de la incidencia').fill('Revisión de la instalación');
    await page.getByLabel('Estado de la incidencia').selectOption('needs_follow_up');
    await page.getByLabel('Programar un seguimiento').check();
    await page.getByLabel('Qué hay que hacer').fill('Confirmar la visita del técnico');
    await harness.screenshot(page, 'agent-desktop-wrap-up-ticket');
    await page.getByRole('button', { name: 'Terminar el cierre' }).click();
    await page.locator('.call-panel').waitFor({ state: 'detached' });

    const interaction = await agent.expect<{ customerId: string; disposition: string }>(
      'interaction',
      'GET',
      `/api/interactions/${interactionId}`,
    );
    expect(interaction.disposition).toBe('requiere_seguimiento');
    const tickets = await agent.expect<{ items: { id: string; subject: string; status: string }[] }>(
      'tickets',
      'GET',
      `/api/tickets?customerId=${interaction.customerId}`,
    );
    const ticket = tickets.items.find((item) => item.subject === 'Revisión de la instalación');
    expect(ticket?.status).toBe('needs_follow_up');
    const detail = await agent.expect<{
      interactionIds: string[];
      followUps: { description: string; assigneeId: string | null }[];
    }>('ticket', 'GET', `/api/tickets/${ticket?.id ?? ''}`);
    expect(detail.interactionIds).toEqual([interactionId]);
    expect(detail.followUps).toEqual([
      expect.objectContaining({ description: 'Confirmar la visita del técnico', assigneeId: agent.user.id }),
    ]);
  }, 90_000);

  it('lets a trainer write a script for a queue; a typo in a placeholder is shown and nothing is saved', async () => {
    const page = (await harness.newPage('es-ES')).page;
    await harness.signIn(page, 'trainer@fibrasur.example', '/admin/scripts');
    await page
      .getByTestId('call-scripts')
      .getByRole('cell', { name: 'Ventas: alta de fibra', exact: true })
      .waitFor();
    await page.getByRole('button', { name: 'Nuevo guion' }).click();
    const form = page.getByRole('form', { name: 'Nuevo guion' });
    await form.getByLabel('Nombre').fill('Facturación: dudas de factura');
    await form.getByLabel('Guion en español').fill('Hola {{customer.nombre}}, soy {{agent.firstName}}.');
    await form.getByRole('checkbox', { name: 'Facturación' }).check();
    await form.getByRole('button', { name: 'Guardar guion' }).click();
    await form.getByText('{{customer.nombre}}', { exact: false }).first().waitFor();
    await form.locator('[role=alert]').waitFor();
    await form.getByLabel('Guion en español').fill('Hola {{customer.firstName}}, soy {{agent.firstName}}.');
    await form.getByRole('button', { name: 'Guardar guion' }).click();
    await page.getByText('Guion guardado.').waitFor();
    const row = page
      .getByTestId('call-scripts')
      .getByRole('row')
      .filter({ hasText: 'Facturación: dudas de factura' });
    await row.getByText('Facturación', { exact: true }).waitFor();
    await harness.screenshot(page, 'admin-call-scripts');
    const trainer = await ApiSession.login(harness.server.url, {
      tenant: demoTenantSlug,
      email: 'trainer@fibrasur.example',
      password: demoPassword,
    });
    const scripts = await trainer.expect<{ name: string; bodyEs: string; queueIds: string[] }[]>(
      'scripts',
      'GET',
      '/api/call-scripts',
    );
    const saved = scripts.filter((script) => script.name.startsWith('Facturación'));
    expect(saved).toHaveLength(1);
    expect(saved[0]?.bodyEs).toBe('Hola {{customer.firstName}}, soy {{agent.firstName}}.');
    expect(saved[0]?.queueIds).toHaveLength(1);
  }, 60_000);

  it('transfers the customer to an outside number through the trunk, and the agent goes to wrap-up', async () => {
    const admin = await ApiSession.login(harness.server.url, {
      tenant: demoTenantSlug,
      email: 'admin@fibrasur.example',
      password: demoPassword,
    });
    const atCarrier: PhoneCall[] = [];
    const carrier = await SoftPhone.open({
      server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
      voice: { pitchHz: 330, seed: 9 },
      onIncomingCall: (call) => {
        atCarrier.push(call);
        call.answer();
      },
    });
    phones.push(carrier);
    const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
      outbound: { host: '127.0.0.1', port: carrier.port, transport: 'udp' },
    });
    const agent = await ApiSession.login(harness.server.url, {
      tenant: demoTenantSlug,
      email: lucia,
      password: demoPassword,
    });
    const state = await agent.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
    if (state.presence.kind !== 'available')
      await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const page = (await harness.newPage('es-ES')).page;
    await harness.signIn(page, lucia);
    await page.locator('[data-stream=open]').waitFor();

    const customerPhone = await SoftPhone.open({
      server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
      voice: { pitchHz: 300, seed: 6 },
    });
    phones.push(customerPhone);
    const before = ringing.length;
    const customer = await customerPhone.call({ number: demoTrafficNumber, callerId: '+34600900952' });
    expect(await customer.connected).toBe(true);
    const rings = page.locator('.call-panel[data-phase=ringing]');
    for (let attempt = 0; attempt < 10 && ringing.length === before; attempt++) {
      customer.sendDigit('1');
      await rings.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await page.getByRole('button', { name: 'Contestar', exact: true }).click();
    await page.locator('.call-panel[data-phase=connected]').waitFor();

    await page.getByLabel('Número externo').fill('+34 955 123 456');
    await page.getByRole('button', { name: 'Transferir al número' }).click();
    await page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    await expect.poll(() => atCarrier.length).toBe(1);
    expect(await atCarrier[0]?.connected).toBe(true);
    expect(customer.state).toBe('connected');
    customer.hangUp();
    expect((await atCarrier[0]?.ended)?.reason).toBe('remote-hangup');
    await page.getByRole('button', { name: 'Terminar el cierre' }).click();
    await page.locator('.call-panel').waitFor({ state: 'detached' });
  }, 90_000);
});
