import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession, SoftPhone, demoTrafficNumber, ensureDemoTrafficFlow } from '@centralita/traffic';
import type { PhoneCall } from '@centralita/traffic';
import { demoPassword, demoTenantSlug } from '@centralita/server';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// The call's third party in the browser: the team lead monitors Lucía's call from the wallboard (listen,
// whisper, leave), then Lucía consults Carlos from her desktop, brings him into a three-way conference and
// hands the customer to him. Real server, real Chromium, and soft phones of our own SIP stack (the
// customer through the demo trunk; Lucía 1001, Carlos 1002 and Marta 1902 answering by themselves).

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const sipDomain = 'pbx.test';
const lucia = 'lucia.fernandez@fibrasur.example';
const teamLead = 'teamlead@fibrasur.example';

let harness: BrowserHarness;
const phones: SoftPhone[] = [];
const answered = new Map<string, PhoneCall[]>();

async function phone(extension: string | undefined, pitchHz: number): Promise<SoftPhone> {
  const key = extension ?? 'customer';
  answered.set(key, []);
  const opened = await SoftPhone.open({
    server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
    ...(extension === undefined
      ? {}
      : { account: { username: extension, password: demoPassword, domain: `demo.${sipDomain}` } }),
    voice: { pitchHz, seed: 3 },
    onIncomingCall: (call) => {
      answered.get(key)?.push(call);
      call.answer();
    },
  });
  if (extension !== undefined) await opened.register(600);
  phones.push(opened);
  return opened;
}

async function signedIn(email: string): Promise<ApiSession> {
  return ApiSession.login(harness.server.url, { tenant: demoTenantSlug, email, password: demoPassword });
}

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_companions', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
  });
  await ensureDemoTrafficFlow(await signedIn('admin@fibrasur.example'));
  await phone('1001', 180);
  await phone('1002', 210);
  await phone('1902', 240);
}, 120_000);

afterAll(async () => {
  for (const opened of phones) await opened.close();
  await harness.stop();
});

describe('click-to-call from a customer’s profile', () => {
  it('rings the agent’s phone first, then calls the customer’s number through the trunk', async () => {
    const admin = await signedIn('admin@fibrasur.example');
    const atCarrier: PhoneCall[] = [];
    // The carrier is a soft phone answering whatever the trunk sends it.
    const carrierPhone = await SoftPhone.open({
      server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
      voice: { pitchHz: 330, seed: 9 },
      onIncomingCall: (call) => {
        atCarrier.push(call);
        call.answer();
      },
    });
    phones.push(carrierPhone);
    const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
      outbound: { host: '127.0.0.1', port: carrierPhone.port, transport: 'udp' },
    });
    const customers = await admin.expect<{
      items: { id: string; displayName: string; identities: { kind: string; address: string }[] }[];
    }>('customers', 'GET', '/api/customers?limit=20');
    const customer = customers.items.find((item) =>
      item.identities.some((identity) => identity.kind === 'phone'),
    );
    const number = customer?.identities.find((identity) => identity.kind === 'phone')?.address ?? '';

    const desk = await harness.newPage('es-ES');
    await harness.signIn(desk.page, lucia, `/customers/${customer?.id ?? ''}`);
    const before = answered.get('1001')?.length ?? 0;
    await desk.page.getByRole('button', { name: `Llamar al ${number}: suena primero su teléfono` }).click();
    await desk.page.getByText('Llamando… conteste su teléfono').waitFor();
    await expect.poll(() => answered.get('1001')?.length ?? 0).toBe(before + 1);
    await expect.poll(() => atCarrier.length).toBe(1);
    const atCustomer = atCarrier[0];
    expect(await atCustomer?.connected).toBe(true);
    // The call panel follows the call it placed: connected, it holds and resumes like any other call.
    const panel = desk.page.locator('.call-panel');
    await desk.page.locator('.call-panel[data-phase=connected]').waitFor();
    await panel.getByRole('button', { name: 'Poner en espera' }).click();
    await panel.getByRole('button', { name: 'Recuperar' }).click();
    await panel.getByRole('button', { name: 'Poner en espera' }).waitFor();
    atCustomer?.hangUp();
    expect((await answered.get('1001')?.[before]?.ended)?.reason).toBe('remote-hangup');
    // Then its wrap-up, as for a call that came in.
    await desk.page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    await harness.screenshot(desk.page, 'click-to-call-wrap-up');
    await desk.context.close();
  }, 60_000);
});

describe('monitoring, consultation and conference in the browser', () => {
  it('lets the team lead listen and whisper from the wallboard, and Lucía consult Carlos, conference and transfer to him', async () => {
    const agent = await signedIn(lucia);
    await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const desk = await harness.newPage('es-ES');
    await harness.signIn(desk.page, lucia);
    await desk.page.locator('[data-stream=open]').waitFor();

    // A customer calls the demo number and presses 1 (sales) until Lucía's phone rings and answers.
    const customerPhone = await phone(undefined, 300);
    const customer = await customerPhone.call({ number: demoTrafficNumber, callerId: '+34600900901' });
    expect(await customer.connected).toBe(true);
    const panel = desk.page.locator('.call-panel[data-phase=connected]');
    const callsBefore = answered.get('1001')?.length ?? 0;
    for (let attempt = 0; attempt < 10 && (answered.get('1001')?.length ?? 0) === callsBefore; attempt++) {
      customer.sendDigit('1');
      await panel.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await panel.waitFor();
    const interactionId = answered.get('1001')?.[callsBefore]?.interactionId ?? '';
    expect(interactionId).not.toBe('');
    // A desktop reloaded mid-call picks the call up again from Lucía's live state, caller and all.
    await desk.page.reload();
    await panel.waitFor();
    // The caller's number as people read a Spanish number (the tenant's country): 600 90 09 01.
    await panel.getByText('En llamada con 600 90 09 01', { exact: true }).waitFor();

    // The team lead monitors from the wallboard: her phone rings and joins, listening, then whispering.
    const board = await harness.newPage('es-ES');
    await harness.signIn(board.page, teamLead, '/wallboard');
    const controls = board.page.getByRole('group', { name: 'Supervisar la llamada de Lucía Fernández' });
    await controls.getByRole('button', { name: 'Escuchar' }).click();
    await controls
      .getByText('Su teléfono está en la llamada (escucha)')
      .or(controls.getByText('Sonando su teléfono…'))
      .first()
      .waitFor();
    await expect
      .poll(async () => (await agent.request('GET', `/api/interactions/${interactionId}/call`)).body)
      .toMatchObject({
        companion: { kind: 'supervisor', mode: 'listen', isAnswered: true },
      });
    await controls.getByRole('button', { name: 'Susurrar' }).click();
    await controls.getByText('Su teléfono está en la llamada (susurro)').waitFor();
    expect(await controls.getByRole('button', { name: 'Susurrar' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await harness.screenshot(board.page, 'wallboard-monitoring');
    await controls.getByRole('button', { name: 'Dejar la llamada' }).click();
    await expect
      .poll(async () => (await agent.request('GET', `/api/interactions/${interactionId}/call`)).body)
      .toMatchObject({
        companion: null,
      });

    // Lucía consults Carlos from the directory, brings him in, then hands the customer to him.
    await desk.page.getByText('Consultar o transferir a un compañero').click();
    await desk.page.getByLabel('Buscar compañero').fill('Carlos');
    await desk.page.getByRole('button', { name: 'Consultar a Carlos Gómez' }).click();
    await desk.page.getByText('Consultando con Carlos Gómez: el cliente está en espera').waitFor();
    await desk.page.getByRole('button', { name: 'Conferencia a tres' }).click();
    await desk.page.getByText('Conferencia a tres con Carlos Gómez').waitFor();
    await harness.screenshot(desk.page, 'agent-desktop-conference');
    await desk.page.getByRole('button', { name: 'Transferir a Carlos Gómez' }).click();
    await desk.page.locator('.call-panel[data-phase=wrapUp]').waitFor();
    const carlos = await signedIn('carlos.gomez@fibrasur.example');
    expect((await agent.request('GET', `/api/interactions/${interactionId}/call`)).body).toMatchObject({
      agentId: carlos.user.id,
      companion: null,
    });

    customer.hangUp();
    await desk.page.getByRole('button', { name: 'Terminar el cierre' }).click();
    await desk.page.locator('.call-panel').waitFor({ state: 'detached' });
    await desk.context.close();
    await board.context.close();
  }, 90_000);
});
