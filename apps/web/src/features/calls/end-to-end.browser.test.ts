import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiSession, SoftPhone } from '@centralita/traffic';
import type { PhoneCall } from '@centralita/traffic';
import { demoPassword, demoTenantSlug } from '@centralita/server';
import { customerScenario, runSippScenario, tonePcap } from '@centralita/testkit';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// The web app's whole story in Chromium against the real server, as issue #8 tells it: an admin creates a
// queue on the Colas screen and it takes calls; a SIPp customer calls while nobody is available and the team
// lead's wallboard shows the call waiting; the agent goes available, her phone rings and the screen pop shows
// the customer's name and history before she answers; she hangs up from the desktop, opens a ticket at
// wrap-up and ends it; the wallboard shows the call handled.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const sipDomain = 'pbx.test';
const agentEmail = 'lucia.fernandez@fibrasur.example';
const number = '+34910000077';

let harness: BrowserHarness;
const phones: SoftPhone[] = [];
const ringing: PhoneCall[] = [];

async function session(email: string): Promise<ApiSession> {
  return ApiSession.login(harness.server.url, { tenant: demoTenantSlug, email, password: demoPassword });
}

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_end_to_end', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
  });
  const phone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: harness.server.sip?.udpPort ?? 0 },
    account: { username: '1001', password: demoPassword, domain: `demo.${sipDomain}` },
    voice: { pitchHz: 200, seed: 5 },
    onIncomingCall: (call) => {
      ringing.push(call);
    },
  });
  await phone.register(600);
  phones.push(phone);
}, 120_000);

afterAll(async () => {
  for (const phone of phones) await phone.close();
  await harness.stop();
});

describe('the contact center in the browser, end to end', () => {
  it('takes a SIPp call into a queue an admin created, pops the customer, and shows the wallboard waiting then handled', async () => {
    const admin = await session('admin@fibrasur.example');
    const lucia = await session(agentEmail);

    // The admin creates the queue on the Colas screen, with a skill of its own.
    const adminPage = (await harness.newPage('es-ES')).page;
    await harness.signIn(adminPage, 'admin@fibrasur.example', '/admin/queues');
    await adminPage.locator('input[name=skillName]').fill('Fidelización');
    await adminPage.locator('input[name=skillName]').press('Enter');
    const form = adminPage.getByTestId('queue-form');
    await form.getByRole('checkbox', { name: 'Fidelización' }).check();
    await form.locator('input[name=name]').fill('Fidelización');
    await form.locator('input[name=serviceLevelThresholdS]').fill('30');
    await form.getByLabel('Segundos de cierre tras la llamada').fill('120');
    await form.getByRole('button', { name: 'Crear cola' }).click();
    await adminPage.getByTestId('queues').getByRole('cell', { name: 'Fidelización', exact: true }).waitFor();
    const queues = await admin.expect<{ items: { id: string; name: string }[] }>(
      'queues',
      'GET',
      '/api/queues?limit=100',
    );
    const queueId = queues.items.find((queue) => queue.name === 'Fidelización')?.id ?? '';
    const skills = await admin.expect<{ id: string; name: string }[]>('skills', 'GET', '/api/skills');
    const skillId = skills.find((skill) => skill.name === 'Fidelización')?.id ?? '';
    // Lucía gets the skill; a number of the tenant queues its calls there at once.
    const user = await admin.expect<{ skills: { skillId: string; level: number }[] }>(
      'Lucía',
      'GET',
      `/api/users/${lucia.user.id}`,
    );
    await admin.expect('skill', 'PATCH', `/api/users/${lucia.user.id}`, {
      skills: [
        ...user.skills.map(({ skillId: id, level }) => ({ skillId: id, level })),
        { skillId, level: 5 },
      ],
    });
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'fidelizacion',
      name: 'Fidelización',
      document: {
        id: 'fidelizacion',
        name: 'Fidelización',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'queue',
        nodes: { queue: { type: 'queue', queue: queueId } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/fidelizacion/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number, flowKey: 'fidelizacion' });

    // A demo customer with a phone number and past contacts calls while nobody is available.
    const customers = await admin.expect<{
      items: { id: string; displayName: string; identities: { kind: string; address: string }[] }[];
    }>('customers', 'GET', '/api/customers?limit=50');
    const known = customers.items.find(
      (customer) => customer.displayName.trim() !== '' && customer.identities.some((i) => i.kind === 'phone'),
    );
    const callerId = known?.identities.find((identity) => identity.kind === 'phone')?.address ?? '';
    const state = await lucia.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
    if (state.presence.kind !== 'offline')
      await lucia.expect('offline', 'PUT', '/api/agents/me/presence', { presence: 'offline' });

    const board = (await harness.newPage('es-ES')).page;
    await harness.signIn(board, 'teamlead@fibrasur.example', '/wallboard');
    const card = board.locator('[data-testid=queue-card][data-queue="Fidelización"]');
    await card.waitFor();
    const sip = harness.server.sip;
    if (sip === undefined) throw new Error('the server has no SIP service');
    const customer = runSippScenario(
      customerScenario({
        number,
        callerId,
        callerName: known?.displayName ?? 'Cliente',
        digits: [],
        beforeDigitsMs: 0,
        beforeAudioMs: 0,
        talkMs: 60_000,
        isHangingUpFirst: false,
      }),
      [
        `127.0.0.1:${String(sip.udpPort)}`,
        '-p',
        '0',
        '-m',
        '1',
        '-s',
        number.slice(1),
        '-mi',
        '127.0.0.1',
        '-mp',
        '0',
        '-timeout',
        '70s',
      ],
      75_000,
      { 'tone.pcap': tonePcap({ toneHz: 1000, durationMs: 1_000, law: 'pcma' }) },
    );
    await card.getByTestId('waiting').getByText('1', { exact: true }).waitFor({ timeout: 20_000 });
    await harness.screenshot(board, 'wallboard-waiting');

    // Lucía goes available from the top bar: her phone rings and the screen pop comes before she answers.
    const desk = (await harness.newPage('es-ES')).page;
    await harness.signIn(desk, agentEmail);
    await desk.locator('[data-stream=open]').waitFor();
    await desk.getByLabel('Mi disponibilidad').selectOption('available');
    const panel = desk.locator('section.call-panel');
    await panel.and(desk.locator('[data-phase=ringing]')).waitFor();
    await panel.getByRole('heading', { name: known?.displayName ?? '' }).waitFor();
    await panel.getByText(/Últimos contactos \(\d+ en total\)/).waitFor();
    expect(ringing).toHaveLength(1);
    expect(ringing[0]?.state).toBe('ringing');
    ringing[0]?.answer();
    await panel.and(desk.locator('[data-phase=connected]')).waitFor();
    await card.getByTestId('waiting').getByText('0', { exact: true }).waitFor();

    // She hangs up from the desktop, opens a ticket at wrap-up and ends it.
    await panel.getByRole('button', { name: 'Colgar' }).click();
    await panel.and(desk.locator('[data-phase=wrapUp]')).waitFor();
    // The queue's two minutes of after-call work count down in the top bar.
    await desk
      .getByTestId('presence-status')
      .getByText(/· quedan (2:00|1:[0-5]\d)$/)
      .waitFor();
    await panel.getByLabel('Resultado').selectOption('requiere_seguimiento');
    await panel.getByLabel('Abrir una incidencia nueva').check();
    await panel.getByLabel('Asunto de la incidencia').fill('Quiere mejorar su tarifa');
    await panel.getByRole('button', { name: 'Terminar el cierre' }).click();
    await panel.waitFor({ state: 'detached' });
    expect((await customer.done).exitCode).toBe(0);

    // The wallboard counts the call as answered; the ticket is the customer's.
    await card.getByText('1 atendidas de 1').waitFor();
    await harness.screenshot(board, 'wallboard-handled');
    const tickets = await admin.expect<{ items: { subject: string; status: string }[] }>(
      'tickets',
      'GET',
      `/api/tickets?customerId=${known?.id ?? ''}`,
    );
    expect(tickets.items.map((ticket) => ticket.subject)).toContain('Quiere mejorar su tarifa');
  }, 120_000);
});
