import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ApiSession,
  EventFeed,
  SoftPhone,
  demoTrafficNumber,
  ensureDemoTrafficFlow,
} from '@centralita/traffic';
import type { FeedEvent, PhoneCall } from '@centralita/traffic';
import type { Page } from 'playwright-core';
import { demoPassword, demoTenantSlug } from '@centralita/server';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// Two things agents do from the call panel during a real call, in Chromium against the real server: Lucía
// asks for help, the team lead sees it on the wallboard and marks it attended, and Lucía's panel says so;
// and Lucía hands a caller to an IVR menu. Her soft phone answers when the desktop asks it to.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const sipDomain = 'pbx.test';
const lucia = 'lucia.fernandez@fibrasur.example';
const teamLead = 'teamlead@fibrasur.example';

let harness: BrowserHarness;
let admin: ApiSession;
const phones: SoftPhone[] = [];
const ringing: PhoneCall[] = [];

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_help_flow_transfer', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
  });
  admin = await ApiSession.login(harness.server.url, {
    tenant: demoTenantSlug,
    email: 'admin@fibrasur.example',
    password: demoPassword,
  });
  await ensureDemoTrafficFlow(admin);
  const desk = await SoftPhone.open({
    server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
    account: { username: '1001', password: demoPassword, domain: `demo.${sipDomain}` },
    voice: { pitchHz: 180, seed: 11 },
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

/**
 * Lucía, available with her desktop open, answers a customer's call to the sales queue from the panel;
 * returns the customer's call and Lucía's leg of it.
 */
async function answeredCall(
  page: Page,
  callerId: string,
  seed: number,
): Promise<{ customer: PhoneCall; atDesk: PhoneCall; agent: ApiSession }> {
  const agent = await ApiSession.login(harness.server.url, {
    tenant: demoTenantSlug,
    email: lucia,
    password: demoPassword,
  });
  const state = await agent.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
  if (state.presence.kind !== 'available')
    await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
  await harness.signIn(page, lucia);
  await page.locator('[data-stream=open]').waitFor();
  const customerPhone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
    voice: { pitchHz: 300, seed },
  });
  phones.push(customerPhone);
  const before = ringing.length;
  const customer = await customerPhone.call({ number: demoTrafficNumber, callerId });
  expect(await customer.connected).toBe(true);
  // The menu may still be speaking when the key comes: press 1 (sales) until the offer reaches the panel.
  const rings = page.locator('.call-panel[data-phase=ringing]');
  for (let attempt = 0; attempt < 10 && ringing.length === before; attempt++) {
    customer.sendDigit('1');
    await rings.waitFor({ timeout: 2_000 }).catch(() => undefined);
  }
  await rings.waitFor();
  await page.getByRole('button', { name: 'Contestar', exact: true }).click();
  await page.locator('.call-panel[data-phase=connected]').waitFor();
  const atDesk = ringing[before];
  if (atDesk === undefined) throw new Error('Lucía’s phone never rang');
  expect(await atDesk.connected).toBe(true);
  return { customer, atDesk, agent };
}

describe('the call panel during a real call', () => {
  it('asks a supervisor for help: the team lead sees it on the wallboard and marks it attended', async () => {
    const page = (await harness.newPage('es-ES')).page;
    const { customer } = await answeredCall(page, '+34600900961', 12);
    const lead = (await harness.newPage('es-ES')).page;
    await harness.signIn(lead, teamLead, '/wallboard');
    const row = lead.locator('tr[data-agent="Lucía Fernández"]');
    await row.waitFor();
    const marker = row.getByTestId('help-marker');

    // Asked and withdrawn: the marker comes and goes live.
    const help = page.getByTestId('help-request');
    await help.getByRole('button', { name: 'Pedir ayuda' }).click();
    await help.getByText('Ayuda pedida: esperando a un supervisor').waitFor();
    await marker.getByText('Pide ayuda').waitFor();
    await help.getByRole('button', { name: 'Retirar la petición' }).click();
    await help.getByRole('button', { name: 'Pedir ayuda' }).waitFor();
    await marker.waitFor({ state: 'detached' });

    // Asked with a note: the wallboard shows it with the time since, also after a reload.
    await help.getByLabel('Nota para el supervisor (opcional)').fill('Quiere la baja; pide un responsable');
    await help.getByRole('button', { name: 'Pedir ayuda' }).click();
    await help.getByText('Quiere la baja; pide un responsable').waitFor();
    await marker.getByText('Quiere la baja; pide un responsable').waitFor();
    expect(await marker.textContent()).toMatch(/Pide ayuda\s*hace \d+:\d\d/);
    expect(await row.getByTestId('monitor-controls').getByRole('button', { name: 'Escuchar' }).count()).toBe(
      1,
    );
    await harness.screenshot(lead, 'wallboard-help-request');
    await lead.reload();
    await marker.getByText('Quiere la baja; pide un responsable').waitFor();

    await marker
      .getByRole('button', { name: 'Marcar atendida la petición de ayuda de Lucía Fernández' })
      .click();
    await marker.waitFor({ state: 'detached' });
    await help.getByText('Atendida por Marta Sánchez').waitFor();
    await harness.screenshot(page, 'agent-desktop-help-attended');

    customer.hangUp();
    await page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    // The demo's queues have no after-call work in routing: with the call over there is nothing to ask about.
    await help.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Terminar el cierre' }).click();
    await page.locator('.call-panel').waitFor({ state: 'detached' });
  }, 90_000);

  it('transfers the caller to an IVR menu: the panel moves to wrap-up and the transfer names the flow', async () => {
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'encuesta-final',
      name: 'Encuesta de satisfacción',
      document: {
        id: 'encuesta-final',
        name: 'Encuesta de satisfacción',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'bye',
        nodes: { bye: { type: 'hangup', prompt: { es: { text: 'Gracias por su llamada.' } } } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/encuesta-final/versions/1/publish', {});

    const page = (await harness.newPage('es-ES')).page;
    const { customer, atDesk, agent } = await answeredCall(page, '+34600900962', 13);
    const interactionId = atDesk.interactionId ?? '';
    let onTransferred: (event: FeedEvent) => void = () => undefined;
    const transferred = new Promise<FeedEvent>((resolve) => {
      onTransferred = resolve;
    });
    const feed = await EventFeed.open(agent, ['CallTransferred'], (event) => {
      if (event.data['interactionId'] === interactionId) onTransferred(event);
    });

    await page.getByLabel('A un menú (IVR)').selectOption({ label: 'Encuesta de satisfacción' });
    await page.getByRole('button', { name: 'Transferir al menú' }).click();
    await page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    expect((await atDesk.ended).reason).toBe('remote-hangup');
    expect((await transferred).data).toMatchObject({
      interactionId,
      fromAgentId: agent.user.id,
      kind: 'blind',
      targetKind: 'flow',
      targetId: 'encuesta-final',
    });
    feed.close();
    // The menu thanks the caller and hangs up.
    expect((await customer.ended).reason).toBe('remote-hangup');
    await page.getByRole('button', { name: 'Terminar el cierre' }).click();
    await page.locator('.call-panel').waitFor({ state: 'detached' });
  }, 90_000);
});
