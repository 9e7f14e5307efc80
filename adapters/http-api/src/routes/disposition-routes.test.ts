import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactions } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let other: TestTenant;
let admin: Session;
let agent: Session;
let otherAdmin: Session;

async function call(session: Session, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return testApi.api.app.inject({
    method,
    url,
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  other = await createTestTenant(testApi.database);
  admin = await login(testApi.api, tenant, 'admin');
  agent = await login(testApi.api, tenant, 'agent');
  otherAdmin = await login(testApi.api, other, 'admin');
});

afterAll(async () => {
  await testApi.close();
});

describe('dispositions', () => {
  it('start with six outcomes in order, in Spanish and English, for every tenant', async () => {
    const response = await call(agent, 'GET', '/api/dispositions');
    expect(response.statusCode).toBe(200);
    const list = response.json<{ code: string; labelEs: string; labelEn: string; isResolved: boolean }[]>();
    expect(list.map((d) => d.code)).toEqual([
      'resuelto_primer_contacto',
      'requiere_seguimiento',
      'informacion_enviada',
      'venta_cerrada',
      'reclamacion',
      'otro',
    ]);
    expect(list[0]).toMatchObject({
      labelEs: 'Resuelto al primer contacto',
      labelEn: 'Resolved at first contact',
    });
  });

  it('are added and retired by admins, never by agents, and stay within the tenant', async () => {
    const denied = await call(agent, 'POST', '/api/dispositions', {
      code: 'baja_cliente',
      labelEs: 'Baja',
      labelEn: 'Cancellation',
    });
    expect(denied.statusCode).toBe(403);
    const created = await call(admin, 'POST', '/api/dispositions', {
      code: 'baja_cliente',
      labelEs: 'Baja del cliente',
      labelEn: 'Customer cancelled',
      sortOrder: 5,
    });
    expect(created.statusCode).toBe(201);
    expect((await call(agent, 'GET', '/api/dispositions')).json<{ code: string }[]>()[0]?.code).toBe(
      'baja_cliente',
    );
    const elsewhere = await call(otherAdmin, 'GET', '/api/dispositions');
    expect(elsewhere.json<{ code: string }[]>().map((d) => d.code)).not.toContain('baja_cliente');

    const retired = await call(admin, 'PATCH', '/api/dispositions/baja_cliente', { isActive: false });
    expect(retired.statusCode).toBe(200);
    expect(
      (await call(agent, 'GET', '/api/dispositions')).json<{ code: string }[]>().map((d) => d.code),
    ).not.toContain('baja_cliente');
    const all = await call(admin, 'GET', '/api/dispositions?includeInactive=true');
    expect(
      all.json<{ code: string; isActive: boolean }[]>().find((d) => d.code === 'baja_cliente')?.isActive,
    ).toBe(false);
  });

  it('name the field of a bad one: a malformed code, a duplicate, an unknown one', async () => {
    const malformed = await call(admin, 'POST', '/api/dispositions', {
      code: 'Baja!',
      labelEs: 'x',
      labelEn: 'x',
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.stringify(malformed.json())).toContain('code');
    const duplicate = await call(admin, 'POST', '/api/dispositions', {
      code: 'otro',
      labelEs: 'Otro',
      labelEn: 'Other',
    });
    expect(duplicate.statusCode).toBe(409);
    const unknown = await call(admin, 'PATCH', '/api/dispositions/no_existe', { labelEs: 'x' });
    expect(unknown.statusCode).toBe(404);
  });

  it('are the only outcomes a wrap-up accepts: an unknown or retired one is refused naming the field', async () => {
    const interaction = await testApi.database.inTenant(tenant.context, (tx) =>
      interactions.createInteraction(tx, {
        customerId: null,
        channel: 'voice',
        direction: 'inbound',
        status: 'wrap_up',
        agentId: tenant.userIds.agent,
        remoteAddress: '+34600000001',
      }),
    );
    for (const disposition of ['inventado', 'baja_cliente']) {
      const refused = await call(agent, 'POST', `/api/interactions/${interaction.id}/wrap-up`, {
        disposition,
      });
      expect(refused.statusCode, disposition).toBe(400);
      expect(refused.json()).toMatchObject({ field: 'disposition' });
    }
    const accepted = await call(agent, 'POST', `/api/interactions/${interaction.id}/wrap-up`, {
      disposition: 'venta_cerrada',
      wrapUpNotes: 'Contrata fibra 1 Gb',
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ disposition: 'venta_cerrada' });
  });
});
