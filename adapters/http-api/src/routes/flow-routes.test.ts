import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directory, flows } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let manager: Session;
let analyst: Session;
let demoMenu: Record<string, unknown>;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  manager = await login(testApi.api, tenant, 'manager');
  analyst = await login(testApi.api, tenant, 'analyst');
  await testApi.database.inTenant(tenant.context, async (tx) => {
    for (const name of ['Ventas', 'Soporte técnico', 'Facturación'])
      await directory.createQueue(tx, { name });
  });
  demoMenu = JSON.parse(
    await readFile(new URL('../../../../domain/ivr/examples/demo-main-menu.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
});

afterAll(async () => {
  await testApi.close();
});

type Method = 'GET' | 'POST' | 'PUT';

function call(session: Session, method: Method, url: string, payload?: Record<string, unknown>) {
  return testApi.api.app.inject({ method, url, headers: as(session), ...(payload ? { payload } : {}) });
}

/** The small flow the YAML tests save: a welcome, then sales. */
const welcomeYaml = `
name: Bienvenida
defaultLanguage: es
languages: [es]
entry: welcome
nodes:
  welcome:
    type: play
    prompt: { es: { text: "Hola." } }
    next: sales
  sales:
    type: queue
    queue: ventas
`;

interface Problem {
  code: string;
  field?: string;
  detail: string;
  errors?: { field: string; message: string; code: string }[];
}

describe('IVR flow API', () => {
  it('creates a flow from YAML, saves drafts and shows the flow with its draft', async () => {
    const created = await call(manager, 'POST', '/api/flows', {
      key: 'welcome',
      name: 'Hola',
      yaml: welcomeYaml,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      key: 'welcome',
      name: 'Bienvenida',
      draftVersion: 1,
      publishedVersion: null,
      draft: { number: 1, status: 'draft', document: { id: 'welcome', version: 1 } },
    });
    const listed = await call(analyst, 'GET', '/api/flows');
    expect(listed.json<{ key: string }[]>().map((flow) => flow.key)).toContain('welcome');
    const duplicate = await call(manager, 'POST', '/api/flows', { key: 'welcome', name: 'Otra' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({ code: 'STORE_CONFLICT', field: 'key' });
  });

  it('refuses a flow with problems: 400 with every problem and its path in the document, nothing saved', async () => {
    const nodes = demoMenu.nodes as Record<string, Record<string, unknown>>;
    const broken = {
      ...demoMenu,
      nodes: {
        ...nodes,
        sales_queue: { ...nodes.sales_queue, queue: 'marketing' },
        stray: { type: 'goto', next: 'nowhere' },
      },
    };
    const created = await call(manager, 'POST', '/api/flows', {
      key: 'demo-main-menu',
      name: 'Menú',
      document: broken,
    });
    expect(created.statusCode).toBe(400);
    const problem = created.json<Problem>();
    expect(problem.code).toBe('HTTP_VALIDATION_FAILED');
    expect(problem.detail).toMatch(/^The flow has 3 problems; the first, at "/);
    expect(problem.errors?.map((e) => [e.code, e.field]).sort()).toEqual([
      ['IVR_DANGLING_REFERENCE', 'nodes.stray.next'],
      ['IVR_UNKNOWN_QUEUE', 'nodes.sales_queue.queue'],
      ['IVR_UNREACHABLE_NODE', 'nodes.stray'],
    ]);
    expect((await call(manager, 'GET', '/api/flows/demo-main-menu')).statusCode).toBe(404);
  });

  it('validates without saving, and explains YAML mistakes with their line', async () => {
    const invalid = await call(analyst, 'POST', '/api/flows/welcome/validate', {
      yaml: welcomeYaml.replace('queue: ventas', 'queue: ventas\n    priority: 11'),
    });
    expect(invalid.statusCode).toBe(200);
    expect(invalid.json()).toEqual({
      isValid: false,
      errors: [
        {
          field: 'nodes.sales.priority',
          message: 'Too big: expected number to be <=10',
          code: 'IVR_FLOW_SCHEMA',
        },
      ],
    });
    const valid = await call(analyst, 'POST', '/api/flows/welcome/validate', { yaml: welcomeYaml });
    expect(valid.json()).toEqual({ isValid: true, errors: [] });
    const badYaml = await call(manager, 'PUT', '/api/flows/welcome/draft', { yaml: 'nodes:\n  a: [1, 2\n' });
    expect(badYaml.statusCode).toBe(400);
    expect(badYaml.json<Problem>()).toMatchObject({ code: 'HTTP_VALIDATION_FAILED', field: 'yaml' });
    expect(badYaml.json<Problem>().detail).toMatch(/line \d+/);
    const both = await call(manager, 'PUT', '/api/flows/welcome/draft', { yaml: welcomeYaml, document: {} });
    expect(both.json<Problem>().detail).toMatch(/not both/);
    const draft = await call(manager, 'GET', '/api/flows/welcome/versions/1');
    expect(draft.json()).toMatchObject({ status: 'draft', document: { name: 'Bienvenida' } });
  });

  it('publishes, keeps history and rolls back to an older version as a new one', async () => {
    const first = await call(manager, 'POST', '/api/flows/welcome/versions/1/publish');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      number: 1,
      status: 'published',
      queueBindings: { ventas: expect.any(String) as string },
      publishedBy: { type: 'user', id: tenant.userIds.manager, name: 'The manager' },
    });
    const changed = await call(manager, 'PUT', '/api/flows/welcome/draft', {
      yaml: welcomeYaml.replace('Hola.', 'Buenos días.'),
    });
    expect(changed.json()).toMatchObject({ number: 2, status: 'draft' });
    expect((await call(manager, 'POST', '/api/flows/welcome/versions/2/publish')).statusCode).toBe(200);
    const archived = await call(manager, 'POST', '/api/flows/welcome/versions/1/publish');
    expect(archived.statusCode).toBe(409);
    expect(archived.json<Problem>().detail).toMatch(/archived; roll back/);
    const rolledBack = await call(manager, 'POST', '/api/flows/welcome/versions/1/rollback');
    expect(rolledBack.json()).toMatchObject({ number: 3, status: 'published', rolledBackFrom: 1 });
    const versions = await call(analyst, 'GET', '/api/flows/welcome/versions');
    expect(
      versions.json<{ number: number; status: string }[]>().map((v) => `${v.number} ${v.status}`),
    ).toEqual(['3 published', '2 archived', '1 archived']);
    const test = await call(analyst, 'POST', '/api/flows/welcome/test', { callerId: '+34600000000' });
    expect(test.json()).toMatchObject({
      version: 3,
      prompts: [{ language: 'es', text: 'Hola.', file: null }],
    });
    expect((await call(manager, 'POST', '/api/flows/nope/versions/1/publish')).statusCode).toBe(404);
  });

  it('runs the demo menu in the flow tester: the path taken and every prompt, on the tenant’s clock', async () => {
    const created = await call(manager, 'POST', '/api/flows', {
      key: 'demo-main-menu',
      name: 'Menú',
      document: demoMenu,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await call(manager, 'POST', '/api/flows/demo-main-menu/versions/1/publish')).statusCode).toBe(
      200,
    );
    const sales = await call(analyst, 'POST', '/api/flows/demo-main-menu/test', {
      callerId: '+34600000000',
      digits: ['1'],
      now: '2025-06-02T10:00:00+02:00',
    });
    expect(sales.statusCode, sales.body).toBe(200);
    const body = sales.json<{
      path: string[];
      end: string;
      transcript: string;
      prompts: { text: string }[];
    }>();
    expect(body).toMatchObject({
      version: 1,
      timeZone: 'Europe/Madrid',
      path: ['opening_check', 'welcome', 'main_menu', 'sales_queue'],
      end: "answered in queue 'ventas'",
    });
    expect(body.prompts[0]?.text).toBe('Bienvenido a FibraSur Telecom.');
    expect(body.transcript).toContain('path: opening_check > welcome > main_menu > sales_queue');
    const christmas = await call(analyst, 'POST', '/api/flows/demo-main-menu/test', {
      now: '2025-12-25T10:00:00+01:00',
    });
    expect(christmas.json<{ path: string[] }>().path).toEqual(['opening_check', 'holiday_message']);
    const evening = await call(analyst, 'POST', '/api/flows/demo-main-menu/test', {
      now: '2025-06-02T10:00:00+02:00',
      timeZone: 'America/Los_Angeles',
      digits: ['5'],
    });
    expect(evening.json<{ path: string[] }>().path.slice(0, 2)).toEqual(['opening_check', 'closed_message']);
  });

  it('tests an unsaved document, falling back to the tenant’s fallback queue on a fault', async () => {
    await testApi.database.inTenant(tenant.context, (tx) =>
      flows.setIvrSettings(tx, {
        fallback: { prompt: { es: { text: 'Le pasamos con un agente.' } }, queue: 'soporte-tecnico' },
      }),
    );
    const faulty = welcomeYaml.replace('"Hola."', '"Hola {{caller.name}}."');
    const run = await call(analyst, 'POST', '/api/flows/welcome/test', { yaml: faulty });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({
      version: null,
      path: ['welcome'],
      end: "answered in queue 'soporte-tecnico'",
      prompts: [{ text: 'Le pasamos con un agente.' }],
    });
    expect(run.json<{ transcript: string }>().transcript).toMatch(/FAULT IVR_VARIABLE_MISSING at welcome/);
    const refused = await call(analyst, 'POST', '/api/flows/welcome/test', {
      yaml: welcomeYaml.replace('ventas', 'marketing'),
    });
    expect(refused.json<Problem>().errors?.map((e) => e.field)).toEqual(['nodes.sales.queue']);
  });
});
