import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let other: TestTenant;
let trainer: Session;
let agent: Session;
let otherAgent: Session;

async function call(session: Session, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return testApi.api.app.inject({
    method,
    url,
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

interface Hit {
  id: string;
  title: string;
  snippet: string;
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  other = await createTestTenant(testApi.database);
  trainer = await login(testApi.api, tenant, 'trainer');
  agent = await login(testApi.api, tenant, 'agent');
  otherAgent = await login(testApi.api, other, 'agent');
  for (const article of [
    {
      title: 'Cómo leer la factura',
      body: 'La factura mensual muestra la cuota y los consumos. Se emite el día 1.',
      language: 'es',
      tags: ['facturación'],
    },
    {
      title: 'El router no enciende',
      body: 'Compruebe el cable de alimentación y pruebe otro enchufe; si sigue apagado, se cambia el router.',
      language: 'es',
    },
    {
      title: 'Reading your bill',
      body: 'The monthly bill shows the fee and the usage outside the plan.',
      language: 'en',
    },
  ]) {
    const created = await call(trainer, 'POST', '/api/kb/articles', article);
    expect(created.statusCode).toBe(201);
  }
});

afterAll(async () => {
  await testApi.close();
});

describe('the knowledge base', () => {
  it('finds an article by another form of its words, in its own language, with the words marked', async () => {
    const response = await call(agent, 'GET', `/api/kb/search?q=${encodeURIComponent('facturas mensuales')}`);
    expect(response.statusCode).toBe(200);
    const hits = response.json<Hit[]>();
    expect(hits[0]?.title).toBe('Cómo leer la factura');
    expect(hits[0]?.snippet).toContain('<mark>');
    const english = await call(agent, 'GET', '/api/kb/search?q=bills&language=en');
    expect(english.json<Hit[]>().map((hit) => hit.title)).toEqual(['Reading your bill']);
  });

  it('ranks a match in the title above one only in the body', async () => {
    await call(trainer, 'POST', '/api/kb/articles', {
      title: 'Cambio de domicilio',
      body: 'Al cambiar de domicilio, el router se lleva a la nueva dirección.',
      language: 'es',
    });
    const hits = (await call(agent, 'GET', '/api/kb/search?q=router')).json<Hit[]>();
    expect(hits.map((hit) => hit.title)).toEqual(['El router no enciende', 'Cambio de domicilio']);
  });

  it('keeps drafts from agents, and articles within their tenant', async () => {
    const draft = await call(trainer, 'POST', '/api/kb/articles', {
      title: 'Tarifa nueva de verano',
      body: 'Borrador de la tarifa de verano.',
      language: 'es',
      isPublished: false,
    });
    const id = draft.json<{ id: string }>().id;
    expect((await call(agent, 'GET', '/api/kb/search?q=verano')).json<Hit[]>()).toEqual([]);
    expect((await call(agent, 'GET', `/api/kb/articles/${id}`)).statusCode).toBe(404);
    expect((await call(trainer, 'GET', '/api/kb/search?q=verano')).json<Hit[]>()).toHaveLength(1);
    const published = await call(trainer, 'PATCH', `/api/kb/articles/${id}`, { isPublished: true });
    expect(published.statusCode).toBe(200);
    expect((await call(agent, 'GET', '/api/kb/search?q=verano')).json<Hit[]>()).toHaveLength(1);
    expect((await call(otherAgent, 'GET', '/api/kb/search?q=factura')).json<Hit[]>()).toEqual([]);
  });

  it('lets agents read but not write, and names the field of a bad article', async () => {
    const denied = await call(agent, 'POST', '/api/kb/articles', { title: 'x', body: 'y', language: 'es' });
    expect(denied.statusCode).toBe(403);
    const bad = await call(trainer, 'POST', '/api/kb/articles', {
      title: 'Sin idioma',
      body: 'Texto',
      language: 'fr',
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('language');
  });
});
