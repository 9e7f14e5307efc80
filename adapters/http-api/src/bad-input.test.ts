import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let admin: Session;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  admin = await login(testApi.api, tenant, 'admin');
});

afterAll(async () => {
  await testApi.close();
});

function post(url: string, payload: unknown, extraHeaders: Record<string, string> = {}) {
  return testApi.api.app.inject({
    method: 'POST',
    url,
    headers: { ...as(admin), ...extraHeaders },
    payload: payload as Record<string, unknown>,
  });
}

describe('bad input gets problem details that name the field', () => {
  it('malformed JSON', async () => {
    const response = await post('/api/customers', '{"firstName": "Ana",', {
      'content-type': 'application/json',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      code: 'HTTP_MALFORMED_JSON',
      field: 'body',
      status: 400,
      type: 'urn:centralita:error:HTTP_MALFORMED_JSON',
    });
  });

  it('a body that is not JSON', async () => {
    const response = await post('/api/customers', 'firstName=Ana', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'HTTP_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('wrong types, nested fields and unknown fields', async () => {
    const wrongType = await post('/api/customers', { firstName: 5 });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ code: 'HTTP_VALIDATION_FAILED', field: 'firstName' });
    const nested = await post('/api/customers', {
      identities: [
        { kind: 'phone', address: '+34 600 000 001' },
        { kind: 'fax', address: '1' },
      ],
    });
    expect(nested.json()).toMatchObject({ field: 'identities[1].kind' });
    const unknown = await post('/api/customers', { firstName: 'Ana', favouriteColour: 'azul' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      field: 'favouriteColour',
      errors: [{ field: 'favouriteColour', message: 'is not a known field; remove it' }],
    });
  });

  it('values the domain refuses: a phone number that is not one, a sort field that does not exist', async () => {
    const phone = await post('/api/customers', {
      firstName: 'Ana',
      identities: [{ kind: 'phone', address: '12' }],
    });
    expect(phone.statusCode).toBe(400);
    expect(phone.json()).toMatchObject({ code: 'STORE_INVALID_INPUT', field: 'identities[0].address' });
    const sort = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?sort=password',
      headers: as(admin),
    });
    expect(sort.statusCode).toBe(400);
    expect(sort.json()).toMatchObject({ field: 'sort' });
    const badId = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers/not-a-uuid',
      headers: as(admin),
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ field: 'id' });
    const limit = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?limit=100000',
      headers: as(admin),
    });
    expect(limit.json()).toMatchObject({ field: 'limit' });
  });

  it('unknown ids and other tenants’ ids get the same 404', async () => {
    const other = await createTestTenant(testApi.database);
    const otherAdmin = await login(testApi.api, other, 'admin');
    const created = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: as(otherAdmin),
      payload: { firstName: 'Ajeno' },
    });
    const foreignId = created.json<{ id: string }>().id;
    const foreign = await testApi.api.app.inject({
      method: 'GET',
      url: `/api/customers/${foreignId}`,
      headers: as(admin),
    });
    const missing = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers/3f1b1c1e-8d7a-4c55-9a7e-2b4f0d1e6a90',
      headers: as(admin),
    });
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    expect(strip(foreign.json())).toEqual(strip(missing.json()));
    const patchForeign = await testApi.api.app.inject({
      method: 'PATCH',
      url: `/api/customers/${foreignId}`,
      headers: as(admin),
      payload: { firstName: 'Robado' },
    });
    expect(patchForeign.statusCode).toBe(404);
    const still = await testApi.api.app.inject({
      method: 'GET',
      url: `/api/customers/${foreignId}`,
      headers: as(otherAdmin),
    });
    expect(still.json()).toMatchObject({ firstName: 'Ajeno' });
  });

  it('duplicates of unique values get 409 naming the field', async () => {
    const first = await post('/api/users', { email: 'dup@example.test', displayName: 'Uno', role: 'agent' });
    expect(first.statusCode).toBe(201);
    const second = await post('/api/users', { email: 'DUP@example.test', displayName: 'Dos', role: 'agent' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'STORE_CONFLICT', field: 'email' });
    await post('/api/customers', {
      firstName: 'Ana',
      identities: [{ kind: 'phone', address: '+34 600 999 001' }],
    });
    const samePhone = await post('/api/customers', {
      firstName: 'Otra',
      identities: [{ kind: 'phone', address: '0034600999001' }],
    });
    expect(samePhone.statusCode).toBe(409);
    expect(samePhone.json()).toMatchObject({ field: 'identities' });
  });

  it('a failed request writes nothing', async () => {
    const failing = await post('/api/customers', {
      firstName: 'Fantasma',
      identities: [
        { kind: 'email', address: 'fantasma@example.test' },
        { kind: 'phone', address: '+34 600 999 001' },
      ],
    });
    expect(failing.statusCode).toBe(409);
    const search = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?search=Fantasma',
      headers: as(admin),
    });
    expect(search.json()).toMatchObject({ total: 0 });
    const byEmail = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?email=fantasma@example.test',
      headers: as(admin),
    });
    expect(byEmail.json()).toMatchObject({ total: 0 });
  });

  it('references to nothing get 422 naming the field, and the server keeps serving', async () => {
    const ticket = await post('/api/tickets', {
      customerId: '3f1b1c1e-8d7a-4c55-9a7e-2b4f0d1e6a90',
      subject: 'Nada',
    });
    expect(ticket.statusCode).toBe(422);
    expect(ticket.json()).toMatchObject({ code: 'STORE_REFERENCE_NOT_FOUND', field: 'customerId' });
    const health = await testApi.api.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('an unknown route and a body that is too large', async () => {
    const unknown = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/nothing-here',
      headers: as(admin),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'HTTP_NOT_FOUND' });
    const huge = await post('/api/customers', { notes: 'x'.repeat(1_100_000) });
    expect(huge.statusCode).toBe(413);
  });
});
