import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

// Agents transfer callers to IVR flows from the call panel without reading the tenant's IVR configuration:
// `GET /api/transfer-targets/flows` names the published flows and nothing else.

let testApi: TestApi;
let tenant: TestTenant;
let manager: Session;
let agent: Session;
let trainer: Session;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  manager = await login(testApi.api, tenant, 'manager');
  agent = await login(testApi.api, tenant, 'agent');
  trainer = await login(testApi.api, tenant, 'trainer');
});

afterAll(async () => {
  await testApi.close();
});

function call(session: Session, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  return testApi.api.app.inject({ method, url, headers: as(session), ...(payload ? { payload } : {}) });
}

/** A flow that thanks the caller and hangs up. */
function goodbyeFlow(key: string, name: string): Record<string, unknown> {
  return {
    key,
    name,
    document: {
      id: key,
      name,
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'bye',
      nodes: { bye: { type: 'hangup', prompt: { es: { text: 'Gracias por su llamada.' } } } },
    },
  };
}

describe('GET /api/transfer-targets/flows', () => {
  it('lists the key and name of published flows only, for those who control calls', async () => {
    expect((await call(manager, 'POST', '/api/flows', goodbyeFlow('encuesta', 'Encuesta'))).statusCode).toBe(
      201,
    );
    expect((await call(manager, 'POST', '/api/flows/encuesta/versions/1/publish')).statusCode).toBe(200);
    expect((await call(manager, 'POST', '/api/flows', goodbyeFlow('borrador', 'Borrador'))).statusCode).toBe(
      201,
    );

    const listed = await call(agent, 'GET', '/api/transfer-targets/flows');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([{ key: 'encuesta', name: 'Encuesta' }]);
    // The flows themselves stay configuration agents do not read.
    expect((await call(agent, 'GET', '/api/flows')).statusCode).toBe(403);
    expect((await call(trainer, 'GET', '/api/transfer-targets/flows')).statusCode).toBe(403);
  });
});
