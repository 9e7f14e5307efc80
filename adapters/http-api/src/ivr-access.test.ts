import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

// The IVR's http nodes call the platform's own API with the server's secret: read-only, one tenant.

const ivrToken = 'ivr-secret-for-this-test-0123456789';
let testApi: TestApi;
let tenant: TestTenant;
let agent: Session;
let ticketNumber: number;

beforeAll(async () => {
  testApi = await startTestApi({ ivrToken });
  tenant = await createTestTenant(testApi.database);
  agent = await login(testApi.api, tenant, 'agent');
  const customer = await testApi.api.app.inject({
    method: 'POST',
    url: '/api/customers',
    headers: as(agent),
    payload: { firstName: 'Rosa', lastName: 'Gil' },
  });
  const ticket = await testApi.api.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: as(agent),
    payload: { customerId: customer.json<{ id: string }>().id, subject: 'Sin conexión' },
  });
  ticketNumber = ticket.json<{ number: number }>().number;
});

afterAll(async () => {
  await testApi.close();
});

function ivrRequest(method: 'GET' | 'POST', url: string, headers: Record<string, string>) {
  return testApi.api.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: {} } : {}) });
}

describe('the IVR credential', () => {
  it('reads a ticket of the tenant it names, as a read-only role', async () => {
    const response = await ivrRequest('GET', `/api/tickets/by-number/${String(ticketNumber)}`, {
      'x-centralita-ivr-token': ivrToken,
      'x-centralita-tenant': tenant.tenantId,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ status: string }>().status).toBe('open');
  });

  it('cannot write', async () => {
    const response = await ivrRequest('POST', '/api/customers', {
      'x-centralita-ivr-token': ivrToken,
      'x-centralita-tenant': tenant.tenantId,
    });
    expect(response.statusCode).toBe(403);
  });

  it('is refused with a wrong secret or without a tenant', async () => {
    const url = `/api/tickets/by-number/${String(ticketNumber)}`;
    expect(
      (
        await ivrRequest('GET', url, {
          'x-centralita-ivr-token': 'guess',
          'x-centralita-tenant': tenant.tenantId,
        })
      ).statusCode,
    ).toBe(401);
    expect((await ivrRequest('GET', url, { 'x-centralita-ivr-token': ivrToken })).statusCode).toBe(401);
  });
});
