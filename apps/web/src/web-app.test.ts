import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, demoPassword, demoTenantSlug, readConfig, startServer } from '@centralita/server';
import type { RunningServer } from '@centralita/server';
import { createDatabase, dropDatabase, withDatabaseName } from '@centralita/store';
import {
  agentPhoneScenario,
  bindPhone,
  customerScenario,
  dtmfPcap,
  freeUdpPort,
  runSippScenario,
  sippPhoneArguments,
  tonePcap,
} from '@centralita/testkit';

// What tools/testkit's global setup provides (declared here: this package does not depend on testkit).
declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const webDir = fileURLToPath(new URL('..', import.meta.url));
const screenshotDir = path.resolve(webDir, '../../test-results/screenshots');
const adminUrl = inject('adminDatabaseUrl');
const databaseName = `centralita_web_${Date.now().toString(36)}`;
/** Every wait for an element or a response fails the test after this long. */
const waitMs = 10_000;
const agentEmail = 'lucia.fernandez@fibrasur.example';
const adminEmail = 'admin@fibrasur.example';

let server: RunningServer;
let browser: Browser;

/** A customer of the demo with a phone number and a history, found through the API. */
let knownCustomer: { id: string; name: string; phone: string; lastSubject: string };

async function apiLogin(email: string): Promise<Record<string, string>> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
  });
  expect(response.status).toBe(200);
  return { cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}

async function findKnownCustomer(): Promise<typeof knownCustomer> {
  const headers = await apiLogin(adminEmail);
  const calls = (await (
    await fetch(`${server.url}/api/interactions?channel=voice&limit=1`, { headers })
  ).json()) as { items: { customerId: string }[] };
  const customerId = calls.items[0]!.customerId;
  const customer = (await (await fetch(`${server.url}/api/customers/${customerId}`, { headers })).json()) as {
    displayName: string;
    identities: { kind: string; address: string }[];
  };
  const history = (await (
    await fetch(`${server.url}/api/interactions?customerId=${customerId}&limit=1`, { headers })
  ).json()) as { items: { subject: string }[] };
  return {
    id: customerId,
    name: customer.displayName,
    phone: customer.identities.find((identity) => identity.kind === 'phone')!.address,
    lastSubject: history.items[0]!.subject,
  };
}

/** "+34612345678" written the way people type it: "+34 612 345 678". */
function withSpaces(e164: string): string {
  const national = e164.slice(3);
  return `${e164.slice(0, 3)} ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
}

async function newPage(locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width: 1366, height: 768 } });
  context.setDefaultTimeout(waitMs);
  return { context, page: await context.newPage() };
}

/** Opens a path of the app and signs in on the login form it shows, submitting with Enter. */
async function signIn(page: Page, email: string, pathname = '/'): Promise<void> {
  await page.goto(`${server.url}${pathname}`);
  await page.locator('input[name=tenant]').fill(demoTenantSlug);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(demoPassword);
  await Promise.all([
    page.waitForResponse((response) => response.url().endsWith('/api/tenant') && response.ok()),
    page.locator('input[name=password]').press('Enter'),
  ]);
  await page.locator('nav').waitFor();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  await mkdir(screenshotDir, { recursive: true });
  await build({
    root: path.join(webDir, 'src'),
    configFile: path.join(webDir, 'vite.config.ts'),
    logLevel: 'error',
  });
  await createDatabase(adminUrl, databaseName);
  server = await startServer(
    readConfig(
      {
        DATABASE_URL: withDatabaseName(adminUrl, databaseName),
        PORT: '0',
        HOST: '127.0.0.1',
        CENTRALITA_PRERENDER_PROMPTS: 'false',
        CENTRALITA_SIP_HOST: '127.0.0.1',
        CENTRALITA_SIP_UDP_PORT: '0',
        CENTRALITA_SIP_TCP_PORT: '0',
        CENTRALITA_RECORDING_DIR: path.join(tmpdir(), `centralita-web-recordings-${databaseName}`),
        CENTRALITA_PROMPT_CACHE_DIR: path.join(tmpdir(), 'centralita-test-prompts'),
        CENTRALITA_DEMO_HISTORY_DAYS: '14',
      },
      process.cwd(),
    ),
    createLogger('silent'),
  );
  knownCustomer = await findKnownCustomer();
  // launch() gives every run a fresh temporary profile (user-data dir) of its own.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser.close();
  await server.stop();
  await dropDatabase(adminUrl, databaseName);
});

describe('the web app in Chromium against the real server', () => {
  it('lets an agent find a customer by a phone number with spaces, see the history, and open a ticket that needs a follow-up', async () => {
    const { context, page } = await newPage('es-ES');
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await screenshot(page, 'login');
    await signIn(page, agentEmail);
    await page.getByRole('heading', { name: 'Buscar clientes' }).waitFor();
    expect(await page.locator('nav').getByRole('link').allTextContents()).toEqual([
      'Clientes',
      'Identificar contacto',
      'Mi día',
      'Base de conocimiento',
    ]);

    await page.locator('input[name=search]').fill(withSpaces(knownCustomer.phone));
    await page.locator('input[name=search]').press('Enter');
    const result = page.getByTestId('customer-results').getByRole('link', { name: knownCustomer.name });
    await result.waitFor();
    await screenshot(page, 'customer-search');
    await result.click();

    const profile = page.getByTestId('customer-profile');
    await profile.getByRole('heading', { name: knownCustomer.name }).waitFor();
    // A Spanish number (the tenant's country) reads the national way: 612 34 56 78.
    const national = knownCustomer.phone.slice(3);
    await profile
      .getByText(
        `${national.slice(0, 3)} ${national.slice(3, 5)} ${national.slice(5, 7)} ${national.slice(7)}`,
      )
      .first()
      .waitFor();
    await page.getByTestId('customer-history').getByText(knownCustomer.lastSubject).first().waitFor();
    // Each contact's outcome reads as the tenant named it, in Spanish, not as its code; unanswered calls say so.
    const adminHeaders = await apiLogin(adminEmail);
    const [history, dispositions] = (await Promise.all([
      fetch(`${server.url}/api/interactions?customerId=${knownCustomer.id}&limit=10`, {
        headers: adminHeaders,
      }).then((response) => response.json()),
      fetch(`${server.url}/api/dispositions?includeInactive=true`, { headers: adminHeaders }).then(
        (response) => response.json(),
      ),
    ])) as [{ items: { disposition: string | null; status: string }[] }, { code: string; labelEs: string }[]];
    const outcomes = history.items.map(({ disposition, status }) =>
      disposition !== null
        ? dispositions.find((candidate) => candidate.code === disposition)?.labelEs
        : (({ abandoned: 'Abandonada', missed: 'No atendida' } as Record<string, string>)[status] ?? ''),
    );
    expect(
      outcomes.filter((outcome) => outcome !== ''),
      'the customer has outcomes to show',
    ).not.toEqual([]);
    const outcomeCells = page.getByTestId('customer-history').locator('tbody tr td:last-child');
    // The labels arrive with the tenant's dispositions, just after the history.
    await expect.poll(() => outcomeCells.allTextContents(), { timeout: waitMs }).toEqual(outcomes);
    await page.goBack();
    await result.waitFor();
    expect(await page.locator('input[name=search]').inputValue()).toBe(withSpaces(knownCustomer.phone));
    await result.click();
    await profile.getByRole('heading', { name: knownCustomer.name }).waitFor();

    // Live: a ticket another agent opens for this customer appears without reloading.
    await page.locator('[data-stream=open]').waitFor();
    const otherAgent = await apiLogin('carlos.gomez@fibrasur.example');
    const me = (await (await fetch(`${server.url}/api/auth/me`, { headers: otherAgent })).json()) as {
      csrfToken: string;
      user: { id: string };
    };
    const created = await fetch(`${server.url}/api/tickets`, {
      method: 'POST',
      headers: { ...otherAgent, 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
      body: JSON.stringify({ customerId: knownCustomer.id, subject: 'Abierta por Carlos' }),
    });
    expect(created.status).toBe(201);
    await page.getByTestId('open-tickets').getByText('Abierta por Carlos').waitFor();
    await screenshot(page, 'agent-desktop');

    await page.locator('input[name=subject]').fill('La fibra se corta por las noches');
    await page.locator('input[name=subject]').press('Enter');
    await page
      .getByRole('heading', { name: /^Incidencia #\d+: La fibra se corta por las noches$/ })
      .waitFor();
    await page.locator('select[name=status]').selectOption('needs_follow_up');
    await page.getByRole('button', { name: 'Cambiar estado' }).click();
    await page.getByTestId('ticket-status').getByText('Requiere seguimiento').waitFor();
    await page.locator('textarea[name=note]').fill('El cliente dice que el corte es a las 23:00.');
    await page.getByRole('button', { name: 'Añadir nota' }).click();
    await page
      .getByTestId('ticket-notes')
      .getByText('El cliente dice que el corte es a las 23:00.')
      .waitFor();
    await page.locator('input[name=followUpDescription]').fill('Llamar para comprobar la línea');
    await page.getByRole('button', { name: 'Añadir seguimiento' }).click();
    await page.getByTestId('ticket-follow-ups').getByText('Llamar para comprobar la línea').waitFor();
    // The details: a clearer subject, a description, urgent, handed to Carlos, to be resolved by a date.
    const details = page.getByTestId('ticket-details');
    await details.getByLabel('Asunto').fill('La fibra se corta todas las noches a las 23:00');
    await details.getByLabel('Descripción').fill('Desde el lunes; el router se reinicia solo.');
    await details.getByLabel('Prioridad').selectOption('urgent');
    await details.getByLabel('Asignada a').selectOption({ label: 'Carlos Gómez' });
    await details.getByLabel('Resolver antes de').fill('2026-12-30T12:00');
    await details.getByRole('button', { name: 'Guardar detalles' }).click();
    await expect
      .poll(() => details.getByRole('button', { name: 'Guardar detalles' }).isDisabled())
      .toBe(true);
    const ticketId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const saved = (await (
      await fetch(`${server.url}/api/tickets/${ticketId}`, { headers: otherAgent })
    ).json()) as {
      subject: string;
      description: string;
      priority: string;
      assigneeId: string;
      dueAt: string;
    };
    expect(saved).toMatchObject({
      subject: 'La fibra se corta todas las noches a las 23:00',
      description: 'Desde el lunes; el router se reinicia solo.',
      priority: 'urgent',
      assigneeId: me.user.id,
    });
    // The heading follows the new subject.
    await page
      .getByRole('heading', { name: /^Incidencia #\d+: La fibra se corta todas las noches a las 23:00$/ })
      .waitFor();
    expect(new Date(saved.dueAt).getTime()).toBe(new Date('2026-12-30T12:00').getTime());
    expect(await details.getByLabel('Asignada a').locator('option:checked').textContent()).toBe(
      'Carlos Gómez',
    );
    await screenshot(page, 'ticket');

    await page.locator('nav').getByRole('link', { name: 'Mi día' }).click();
    await page.getByTestId('my-follow-ups').getByText('Llamar para comprobar la línea').waitFor();
    await screenshot(page, 'my-day');
    await context.close();
  });

  it('identifies an unknown number as a new unverified customer and completes it', async () => {
    const { context, page } = await newPage('es-ES');
    await signIn(page, agentEmail, '/identify');
    await page.locator('input[name=address]').fill('+34 699 000 123');
    await page.locator('input[name=address]').press('Enter');
    await page.getByText('Contacto desconocido: se ha creado un cliente sin verificar.').waitFor();
    const profile = page.getByTestId('customer-profile');
    await profile.getByText('Sin verificar').first().waitFor();
    await page.locator('input[name=firstName]').fill('Rocío');
    await page.locator('input[name=lastName]').fill('Navas Gil');
    await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'PATCH' && response.ok()),
      page.getByRole('button', { name: 'Guardar cliente' }).click(),
    ]);
    await profile.getByRole('heading', { name: 'Rocío Navas Gil' }).waitFor();
    await screenshot(page, 'identify');
    await context.close();
  });

  it('shows an agent who types an admin address that the screen is not allowed', async () => {
    const { context, page } = await newPage('es-ES');
    await page.goto(`${server.url}/admin/users`);
    await page.locator('input[name=tenant]').fill(demoTenantSlug);
    await page.locator('input[name=email]').fill(agentEmail);
    await page.locator('input[name=password]').fill('not-the-password');
    await page.locator('input[name=password]').press('Enter');
    await page.getByRole('alert').getByText('no son correctos').waitFor();
    await signIn(page, agentEmail, '/admin/users');
    await page
      .getByTestId('not-allowed')
      .getByRole('heading', { name: 'No tiene permiso para abrir esta pantalla' })
      .waitFor();
    expect(await page.locator('nav').getByRole('link', { name: 'Usuarios' }).count()).toBe(0);
    await screenshot(page, 'not-allowed');
    await context.close();
  });

  it('shows a manager the administration their role allows, and a reload keeps the session', async () => {
    const { context, page } = await newPage('es-ES');
    await signIn(page, 'manager@fibrasur.example', '/admin/users');
    await page.getByTestId('users').getByText(agentEmail).waitFor();
    expect(await page.locator('nav').getByRole('link').allTextContents()).toEqual([
      'Clientes',
      'Identificar contacto',
      'Mi día',
      'Panel en directo',
      'Base de conocimiento',
      'Informes',
      'Extracto y SLA',
      'Usuarios',
      'Colas',
      'Flujos IVR',
      'Equipos',
      'Resultados de contacto',
      'Horarios y festivos',
      'Guiones de llamada',
      'Troncales y números',
    ]);
    expect(await page.getByText('Nuevo usuario').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Desactivar' }).count()).toBe(0);
    await page.goto(`${server.url}/admin/tenant`);
    await page.getByTestId('not-allowed').waitFor();
    await context.close();
  });

  it('lets an admin create a user, disable them, add a skill, create and edit a queue that needs it, and rename the tenant', async () => {
    const { context, page } = await newPage('es-ES');
    await signIn(page, adminEmail, '/admin/users');
    await page.getByTestId('users').getByText(agentEmail).waitFor();
    await page.getByText('Nuevo usuario').click();
    await page.locator('input[name=displayName]').fill('Nuria Beltrán');
    await page.locator('input[name=email]').fill('nuria.beltran@fibrasur.example');
    await page.locator('select[name=role]').selectOption('agent');
    await page.locator('input[name=extension]').fill('1009');
    await page.getByRole('checkbox', { name: 'Soporte técnico' }).check();
    await page.getByRole('button', { name: 'Crear usuario' }).click();
    const newUser = page
      .getByTestId('users')
      .getByRole('row')
      .filter({ hasText: 'nuria.beltran@fibrasur.example' });
    await newUser.getByText('Soporte técnico (5)').waitFor();
    await screenshot(page, 'admin-users');
    await newUser.getByRole('button', { name: 'Desactivar' }).click();
    await newUser.getByText('Desactivado').waitFor();

    await page.locator('nav').getByRole('link', { name: 'Colas' }).click();
    await page.getByTestId('queues').getByText('Ventas', { exact: true }).waitFor();
    await page.locator('input[name=skillName]').fill('Retenciones');
    await page.locator('input[name=skillName]').press('Enter');
    await page.getByTestId('skills').getByText('Retenciones').waitFor();
    const form = page.getByTestId('queue-form');
    await form.locator('input[name=name]').fill('Bajas y retenciones');
    await form.locator('input[name=description]').fill('Clientes que quieren darse de baja');
    await form.locator('input[name=serviceLevelThresholdS]').fill('30');
    await form.getByRole('checkbox', { name: 'Retenciones' }).check();
    await form.getByRole('spinbutton', { name: 'Nivel mínimo de Retenciones' }).fill('3');
    // Routing: the most skilled agent first, overflow to Ventas when nobody is signed in, and after 2 minutes
    // of waiting any agent of Ventas may take the call.
    await form.getByLabel('Quién recibe la siguiente').selectOption('best-skill');
    await form.getByLabel('Sin agentes').selectOption('overflow');
    await form.getByLabel('Al desbordar').selectOption({ label: 'pasar a la cola Ventas' });
    await form.getByLabel('Espera máxima (s)').fill('600');
    await form.getByLabel('Anunciar la posición y la espera a quien aguarda').check();
    await form.getByRole('button', { name: 'Añadir paso de escalado' }).click();
    await form.getByLabel('Paso 1: tras (s)').fill('120');
    await form.getByLabel('Paso 1: acción').selectOption('add-queue-agents');
    await form.getByLabel('Paso 1: cola').selectOption({ label: 'Ventas' });
    await form.locator('input[name=name]').press('Enter');
    await page.getByTestId('queues').getByText('Bajas y retenciones').waitFor();
    const queues = (await page.evaluate(
      async () => (await fetch('/api/queues?limit=100')).json() as Promise<unknown>,
    )) as {
      items: { id: string; name: string; settings: Record<string, unknown> }[];
    };
    const sales = queues.items.find((queue) => queue.name === 'Ventas');
    expect(queues.items.find((queue) => queue.name === 'Bajas y retenciones')?.settings).toEqual({
      strategy: 'best-skill',
      whenNoAgents: 'overflow',
      overflow: { type: 'queue', queueId: sales?.id },
      maxWaitSeconds: 600,
      announcements: {
        firstAfterSeconds: 30,
        everySeconds: 60,
        includePosition: true,
        includeEstimatedWait: true,
      },
      escalation: [{ afterSeconds: 120, action: { type: 'add-queue-agents', queueId: sales?.id } }],
    });
    await page.getByTestId('queues').getByText('80 % en 30 s').waitFor();
    await page.getByTestId('queues').getByText('Retenciones (≥ 3)').waitFor();
    await screenshot(page, 'admin-queues');
    await page
      .getByTestId('queues')
      .getByRole('row')
      .filter({ hasText: 'Bajas y retenciones' })
      .getByRole('button', { name: 'Editar' })
      .click();
    await form.getByRole('heading', { name: 'Editar la cola Bajas y retenciones' }).waitFor();
    await form.locator('input[name=serviceLevelTargetPct]').fill('90');
    await form.getByRole('button', { name: 'Guardar' }).click();
    await page.getByTestId('queues').getByText('90 % en 30 s').waitFor();
    // Deleting the skill (after confirming) takes it off the queue that required it.
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('Retenciones');
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Borrar la habilidad Retenciones' }).click();
    await page.getByTestId('queues').getByText('Retenciones (≥ 3)').waitFor({ state: 'detached' });
    // The two lists re-render separately: wait for the skill to leave its own list too.
    await page.getByTestId('skills').getByText('Retenciones').first().waitFor({ state: 'detached' });
    expect(await page.getByTestId('skills').getByText('Retenciones').count()).toBe(0);

    await page.locator('nav').getByRole('link', { name: 'Ajustes del tenant' }).click();
    await page.locator('input[name=name]').fill('FibraSur Telecom S.L.');
    await page.getByLabel('Conservar las grabaciones (días)').fill('30');
    await page.getByLabel('Los agentes pueden pausar la grabación (datos de tarjeta)').uncheck();
    await page.getByLabel('Mostrar la clasificación de agentes y equipos').check();
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('.tenant-name', { hasText: 'FibraSur Telecom S.L.' }).waitFor();
    const stored: unknown = await page.evaluate(
      async () => (await fetch('/api/tenant')).json() as Promise<unknown>,
    );
    expect(stored).toMatchObject({
      settings: {
        recording: { policy: 'all', retentionDays: 30, agentCanPause: false },
        languages: ['es', 'en'],
        leaderboard: { enabled: true },
      },
    });
    // The leaderboard appears in the navigation at once; switched off again, it goes (the tests below expect it off).
    await page.locator('nav').getByRole('link', { name: 'Clasificación' }).waitFor();
    await page.getByLabel('Mostrar la clasificación de agentes y equipos').uncheck();
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('nav').getByRole('link', { name: 'Clasificación' }).waitFor({ state: 'detached' });
    await screenshot(page, 'admin-tenant');
    await context.close();
  });

  it('shows an admin every problem of an invalid flow with its path, and runs the flow tester', async () => {
    const { context, page } = await newPage('es-ES');
    await signIn(page, adminEmail, '/admin/flows');
    await page.getByTestId('flows').getByRole('link', { name: 'Menú principal (demo)' }).click();
    const editor = page.locator('textarea[name=document]');
    await page.waitForFunction(() => {
      const area = document.querySelector<HTMLTextAreaElement>('textarea[name=document]');
      return area !== null && area.value.includes('"entry"');
    });
    await page.locator('input[name=callerId]').fill('+34600111222');
    await page.getByRole('button', { name: 'Probar' }).click();
    await page.getByTestId('transcript').getByText('path: opening_check').waitFor();

    await editor.fill(
      JSON.stringify({
        name: 'Roto',
        entry: 'welcome',
        defaultLanguage: 'es',
        languages: ['es'],
        nodes: {
          welcome: { type: 'play', prompt: { es: { text: 'Hola' } }, next: 'nowhere' },
          lost: { type: 'hangup' },
        },
      }),
    );
    await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/draft') && response.status() === 400),
      page.getByRole('button', { name: 'Guardar borrador' }).click(),
    ]);
    const problems = page.getByTestId('problems');
    await problems.locator('code', { hasText: 'nodes.welcome.next' }).waitFor();
    await problems.locator('code', { hasText: 'nodes.lost' }).waitFor();
    // Refused in Spanish, each problem saying what to do, not in the server's English.
    await problems
      .getByText('Un nodo apunta a otro que no existe. Cree ese nodo o cambie el destino.')
      .waitFor();
    await problems
      .getByText('A este nodo no se llega nunca desde el nodo de entrada.', { exact: false })
      .waitFor();
    expect(await problems.getByRole('listitem').count()).toBe(2);
    await screenshot(page, 'admin-flow-editor');

    // The stored document again: saved as a draft, then published.
    await page.reload();
    await page.waitForFunction(() => {
      const area = document.querySelector<HTMLTextAreaElement>('textarea[name=document]');
      return area !== null && area.value.includes('opening_check');
    });
    await page.getByRole('button', { name: 'Validar' }).click();
    await page.getByText('El flujo es válido.').waitFor();
    await page.getByRole('button', { name: 'Guardar borrador' }).click();
    await page.getByText('Borrador guardado como versión 2.').waitFor();
    await page.getByRole('button', { name: 'Publicar la versión 2' }).click();
    await page.getByText('Versión 2 publicada: las llamadas nuevas la usan.').waitFor();
    await context.close();
  });

  it('switches the interface to English, keeps it after a reload, and signs out', async () => {
    const { context, page } = await newPage('es-ES');
    await signIn(page, agentEmail, '/customers');
    await page.getByRole('heading', { name: 'Buscar clientes' }).waitFor();
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await page.getByRole('heading', { name: 'Find customers' }).waitFor();
    expect(await page.locator('nav').getByRole('link').allTextContents()).toEqual([
      'Customers',
      'Identify a contact',
      'My day',
      'Knowledge base',
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'Find customers' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });
  it('lets an agent go available from the top bar, shows her on the team lead wallboard, and shows her a break the team lead forces', async () => {
    const agent = await newPage('es-ES');
    await signIn(agent.page, agentEmail, '/customers');
    const presence = agent.page.getByRole('combobox', { name: 'Mi disponibilidad' });
    expect(await presence.inputValue()).toBe('offline');
    await presence.selectOption('available');
    await agent.page.locator('[data-testid=presence-status][data-status=idle]').getByText('Libre').waitFor();

    const lead = await newPage('es-ES');
    await signIn(lead.page, 'teamlead@fibrasur.example', '/customers');
    await lead.page.locator('nav').getByRole('link', { name: 'Panel en directo' }).click();
    const ventas = lead.page.locator('[data-testid=queue-card][data-queue=Ventas]');
    await ventas.locator('[data-status=idle] strong').getByText('1', { exact: true }).waitFor();
    const lucia = lead.page.locator('[data-testid=agent-states] tr[data-agent="Lucía Fernández"]');
    await lucia.getByTestId('agent-presence').getByText('Disponible', { exact: true }).waitFor();
    // A signed-out agent cannot be forced onto a break or signed out again: no such buttons on their row.
    const carlos = lead.page.locator('[data-testid=agent-states] tr[data-agent="Carlos Gómez"]');
    await carlos.getByTestId('agent-presence').getByText('Desconectado', { exact: true }).waitFor();
    expect(await carlos.getByRole('button', { name: 'Poner en pausa' }).count()).toBe(0);
    expect(await carlos.getByRole('button', { name: 'Desconectar' }).count()).toBe(0);
    expect(await lucia.getByRole('button', { name: 'Desconectar' }).count()).toBe(1);
    await screenshot(lead.page, 'wallboard');
    await lead.page.getByRole('button', { name: 'Pantalla grande' }).click();
    await lead.page.locator('nav').waitFor({ state: 'hidden' });
    await screenshot(lead.page, 'wallboard-large-screen');
    await lead.page.getByRole('button', { name: 'Salir de pantalla grande' }).click();
    await lead.page.locator('nav').waitFor();

    await lucia
      .getByRole('combobox', { name: 'Motivo de la pausa para Lucía Fernández' })
      .selectOption('coaching');
    await lucia.getByRole('button', { name: 'Poner en pausa' }).click();
    await lucia.getByTestId('agent-presence').getByText('Pausa: coaching').waitFor();
    // Lucía's top bar follows without a reload, through the AgentPresenceChanged event.
    await agent.page
      .locator('[data-testid=presence-status][data-status=break]')
      .getByText('En pausa')
      .waitFor();
    expect(await presence.inputValue()).toBe('break:coaching');

    await agent.page.goto(`${server.url}/wallboard`);
    await agent.page.getByTestId('not-allowed').waitFor();
    expect(await agent.page.locator('nav').getByRole('link', { name: 'Panel en directo' }).count()).toBe(0);
    await lead.context.close();
    await agent.context.close();
  });
});

describe('the agent desktop during a call', () => {
  it('puts an available agent whose phone is not registered on a break when a call is offered, and tells her what to do', async () => {
    const adminHeaders = await apiLoginWithCsrf(adminEmail);
    const agentHeaders = await apiLoginWithCsrf(agentEmail);
    const state = (await (
      await fetch(`${server.url}/api/agents/me/state`, { headers: agentHeaders })
    ).json()) as { queueIds: string[] };
    const flow = {
      id: 'web-sin-telefono',
      name: 'Web sin teléfono',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'queue',
      nodes: { queue: { type: 'queue', queue: state.queueIds[0] } },
    };
    await publishFlowOnNumber(adminHeaders, flow, '+34910000056');
    // Lucía has no phone registered (none of this database's tests registered one before this one).
    await server.database.pool.query(
      'DELETE FROM sip_bindings WHERE user_id = (SELECT id FROM users WHERE email = $1)',
      [agentEmail],
    );
    const { context, page } = await newPage('es-ES');
    await signIn(page, agentEmail, '/customers');
    const presence = page.getByRole('combobox', { name: 'Mi disponibilidad' });
    await presence.selectOption('available');
    await page.locator('[data-testid=presence-status][data-status=idle]').waitFor();

    const sip = server.sip;
    if (sip === undefined) throw new Error('the server has no SIP service');
    const customer = runSippScenario(
      customerScenario({
        number: '+34910000056',
        callerId: '+34600111222',
        callerName: 'Cliente sin agente',
        digits: [],
        beforeDigitsMs: 0,
        beforeAudioMs: 0,
        talkMs: 3_000,
      }),
      [
        `127.0.0.1:${String(sip.udpPort)}`,
        ...['-p', '0', '-m', '1', '-s', '34910000056', '-mi', '127.0.0.1', '-mp', '0', '-timeout', '25s'],
      ],
      30_000,
      { 'tone.pcap': tonePcap({ toneHz: 1000, durationMs: 500, law: 'pcma' }) },
    );
    // The call finds no phone of hers: she goes on a break the engine names, and her top bar says why.
    await page.locator('[data-testid=presence-status][data-status=break]').waitFor();
    expect(await presence.inputValue()).toBe('break:no-phone');
    expect(await presence.locator('option:checked').textContent()).toBe('Pausa: sin teléfono registrado');
    expect(await page.getByTestId('presence-hint').textContent()).toContain('Registre su teléfono');
    await screenshot(page, 'presence-no-phone');
    // The caller waited in the queue (no agent was rung) and hung up.
    expect((await customer.done).exitCode).toBe(0);
    // Choosing available again takes the hint away.
    await presence.selectOption('available');
    await page.locator('[data-testid=presence-status][data-status=idle]').waitFor();
    expect(await page.getByTestId('presence-hint').count()).toBe(0);
    await context.close();
  }, 60_000);

  it('pops the caller while the phone rings, then hangs up from the desktop and wraps up with a disposition', async () => {
    // The agent's phone: SIPp answering 4 s after it rings, registered as Lucía's (as a REGISTER would store it).
    const phonePort = await freeUdpPort();
    const phone = runSippScenario(
      agentPhoneScenario(4_000),
      [...sippPhoneArguments({ sipPort: phonePort, mediaPort: 0, timeoutS: 50 }), '-rtp_echo'],
      55_000,
    );
    const lucia =
      (
        await server.database.pool.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
          agentEmail,
        ])
      ).rows[0]?.id ?? '';
    await bindPhone(server.database, {
      tenantSlug: demoTenantSlug,
      userId: lucia,
      extension: '1001',
      port: phonePort,
      userAgent: 'SIPp',
    });
    // A number whose flow queues at once, to one of Lucía's queues.
    const adminHeaders = await apiLoginWithCsrf(adminEmail);
    const agentHeaders = await apiLoginWithCsrf(agentEmail);
    const state = (await (
      await fetch(`${server.url}/api/agents/me/state`, { headers: agentHeaders })
    ).json()) as {
      queueIds: string[];
    };
    const flow = {
      id: 'web-llamadas',
      name: 'Web',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'menu',
      nodes: {
        menu: {
          type: 'menu',
          prompt: { es: { text: 'Pulse uno.' } },
          options: { '1': { next: 'queue' } },
          retries: 1,
          onFailure: 'queue',
        },
        queue: { type: 'queue', queue: state.queueIds[0] },
      },
    };
    await publishFlowOnNumber(adminHeaders, flow, '+34910000055');

    const { context, page } = await newPage('es-ES');
    await signIn(page, agentEmail);
    await fetch(`${server.url}/api/agents/me/presence`, {
      method: 'PUT',
      headers: agentHeaders,
      body: JSON.stringify({ presence: 'available' }),
    });
    const sip = server.sip;
    if (sip === undefined) throw new Error('the server has no SIP service');
    const customer = runSippScenario(
      customerScenario({
        number: '+34910000055',
        callerId: knownCustomer.phone,
        callerName: knownCustomer.name,
        digits: ['1'],
        beforeDigitsMs: 1_500,
        beforeAudioMs: 0,
        talkMs: 40_000,
        isHangingUpFirst: false,
      }),
      [
        `127.0.0.1:${String(sip.udpPort)}`,
        '-p',
        '0',
        '-m',
        '1',
        '-s',
        '34910000055',
        '-mi',
        '127.0.0.1',
        '-mp',
        '0',
        '-timeout',
        '50s',
      ],
      55_000,
      {
        'dtmf-0.pcap': dtmfPcap('1', 0),
        'tone.pcap': tonePcap({ toneHz: 1000, durationMs: 1_000, law: 'pcma' }),
      },
    );

    // While the phone rings: the panel names the caller and shows the customer's profile and history.
    const panel = page.locator('section.call-panel');
    await panel.and(page.locator('[data-phase=ringing]')).waitFor();
    await panel.getByRole('heading', { name: knownCustomer.name }).waitFor();
    await screenshot(page, 'call-ringing-screen-pop');
    await panel.and(page.locator('[data-phase=connected]')).waitFor();
    await screenshot(page, 'call-connected');
    await panel.getByRole('button', { name: 'Colgar' }).click();
    await panel.and(page.locator('[data-phase=wrapUp]')).waitFor();
    await panel.getByLabel('Resultado').selectOption('venta_cerrada');
    await panel.getByLabel('Notas').fill('Contrata la fibra de 1 Gb.');
    await screenshot(page, 'call-wrap-up');
    await panel.getByRole('button', { name: 'Terminar el cierre' }).click();
    await panel.waitFor({ state: 'detached' });
    expect((await customer.done).exitCode).toBe(0);
    expect((await phone.done).exitCode).toBe(0);
    const stored = (
      await server.database.pool.query<{ disposition: string; notes: string; agentId: string }>(
        `SELECT disposition, wrap_up_notes AS notes, agent_id AS "agentId" FROM interactions
         WHERE remote_address = $1 AND direction = 'inbound' AND agent_id IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
        [knownCustomer.phone],
      )
    ).rows[0];
    expect(stored).toEqual({
      disposition: 'venta_cerrada',
      notes: 'Contrata la fibra de 1 Gb.',
      agentId: lucia,
    });
    // My day lists the call by the customer's name, linked to their profile, with its outcome by name.
    await page.locator('nav').getByRole('link', { name: 'Mi día' }).click();
    const contact = page.getByTestId('my-contact').filter({ hasText: knownCustomer.name }).first();
    await contact.waitFor();
    expect(await contact.getByRole('link', { name: knownCustomer.name }).getAttribute('href')).toBe(
      `/customers/${knownCustomer.id}`,
    );
    await contact.getByText('Venta cerrada').waitFor();
    await context.close();
  }, 90_000);
});

/** Publishes `flow` under its id and points `number` at it, as an admin would (each step must succeed). */
async function publishFlowOnNumber(
  adminHeaders: Record<string, string>,
  flow: { readonly id: string; readonly name: string },
  number: string,
): Promise<void> {
  for (const [route, body] of [
    ['/api/flows', { key: flow.id, name: flow.name, document: flow }],
    [`/api/flows/${flow.id}/versions/1/publish`, {}],
    ['/api/dids', { number, flowKey: flow.id }],
  ] as const) {
    const response = await fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify(body),
    });
    expect(response.status, `${route}: ${await response.text()}`).toBeLessThan(300);
  }
}

/** A session for API calls that write (cookie and CSRF token). */
async function apiLoginWithCsrf(email: string): Promise<Record<string, string>> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
  });
  const body = (await response.json()) as { csrfToken: string };
  return {
    cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '',
    'x-csrf-token': body.csrfToken,
    'content-type': 'application/json',
  };
}
