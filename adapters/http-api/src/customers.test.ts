import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let agent: Session;
let anaId: string;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  agent = await login(testApi.api, tenant, 'agent');
  const create = (payload: Record<string, unknown>) =>
    testApi.api.app.inject({ method: 'POST', url: '/api/customers', headers: as(agent), payload });
  const ana = await create({
    firstName: 'Ana',
    lastName: 'Muñoz Peña',
    company: 'Panadería La Espiga',
    tags: ['vip', 'empresa'],
    customFields: { contrato: 'FS-2024-00123' },
    identities: [
      { kind: 'phone', address: '+34 912 345 678', label: 'fijo' },
      { kind: 'email', address: 'Ana.Munoz@Example.ES' },
    ],
  });
  anaId = ana.json<{ id: string }>().id;
  await create({
    firstName: 'Bruno',
    lastName: 'Díaz',
    identities: [{ kind: 'phone', address: '600 111 222' }],
  });
  await create({
    firstName: 'Carla',
    lastName: 'Ruiz',
    identities: [{ kind: 'phone', address: '+1 415 555 2671' }],
  });
});

afterAll(async () => {
  await testApi.close();
});

async function search(query: string): Promise<string[]> {
  const response = await testApi.api.app.inject({
    method: 'GET',
    url: `/api/customers?${query}`,
    headers: as(agent),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { firstName: string }[] }>().items.map((c) => c.firstName);
}

describe('customer search', () => {
  it('finds a customer by phone number written any way', async () => {
    for (const phone of ['+34 912 345 678', '0034912345678', '912345678', '912 34 56 78']) {
      expect(await search(`phone=${encodeURIComponent(phone)}`), phone).toEqual(['Ana']);
    }
    expect(await search(`search=${encodeURIComponent('0034 912 345 678')}`)).toEqual(['Ana']);
    expect(await search('search=345678')).toEqual(['Ana']);
  });

  it('finds by name without accents or case, by company and by e-mail', async () => {
    expect(await search('search=munoz')).toEqual(['Ana']);
    expect(await search('search=PENA')).toEqual(['Ana']);
    expect(await search(`search=${encodeURIComponent('la espiga')}`)).toEqual(['Ana']);
    expect(await search('email=ana.munoz@example.es')).toEqual(['Ana']);
    expect(await search('search=ana.munoz@')).toEqual(['Ana']);
    expect(await search('search=diaz')).toEqual(['Bruno']);
    expect(await search('tag=vip')).toEqual(['Ana']);
  });

  it('pages and sorts without overlaps', async () => {
    const firstPage = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?limit=2&sort=firstName',
      headers: as(agent),
    });
    const secondPage = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers?limit=2&offset=2&sort=firstName',
      headers: as(agent),
    });
    const page1 = firstPage.json<{ items: { firstName: string }[]; total: number }>();
    const page2 = secondPage.json<{ items: { firstName: string }[] }>();
    expect(page1.total).toBe(3);
    expect([...page1.items, ...page2.items].map((c) => c.firstName)).toEqual(['Ana', 'Bruno', 'Carla']);
    expect(await search('sort=-firstName')).toEqual(['Carla', 'Bruno', 'Ana']);
  });
});

describe('caller identification', () => {
  it('recognises a known customer whatever the formatting and pops their history and open tickets', async () => {
    await testApi.api.app.inject({
      method: 'POST',
      url: '/api/interactions',
      headers: as(agent),
      payload: { customerId: anaId, channel: 'voice', direction: 'inbound', subject: 'Sin conexión' },
    });
    await testApi.api.app.inject({
      method: 'POST',
      url: '/api/interactions',
      headers: as(agent),
      payload: { customerId: anaId, channel: 'email', direction: 'inbound', subject: 'Factura' },
    });
    await testApi.api.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: as(agent),
      payload: { customerId: anaId, subject: 'Router con luz roja' },
    });
    const closed = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: as(agent),
      payload: { customerId: anaId, subject: 'Viejo', status: 'closed' },
    });
    expect(closed.statusCode).toBe(201);
    for (const address of ['0034912345678', '912 345 678', '+34 (912) 34-56-78']) {
      const response = await testApi.api.app.inject({
        method: 'POST',
        url: '/api/identify',
        headers: as(agent),
        payload: { channel: 'phone', address },
      });
      expect(response.statusCode).toBe(200);
      const pop = response.json<{
        isNewCustomer: boolean;
        customer: { id: string; firstName: string };
        recentInteractions: { channel: string }[];
        openTickets: { subject: string }[];
      }>();
      expect(pop.isNewCustomer).toBe(false);
      expect(pop.customer).toMatchObject({ id: anaId, firstName: 'Ana' });
      expect(pop.recentInteractions.map((i) => i.channel).sort()).toEqual(['email', 'voice']);
      expect(pop.openTickets.map((t) => t.subject)).toEqual(['Router con luz roja']);
    }
  });

  it('creates one unverified customer for an unknown caller, even when two contacts arrive at once', async () => {
    const identify = () =>
      testApi.api.app.inject({
        method: 'POST',
        url: '/api/identify',
        headers: as(agent),
        payload: { channel: 'phone', address: '655 44 33 22' },
      });
    const [first, second] = await Promise.all([identify(), identify()]);
    const pops = [first, second].map((r) =>
      r.json<{
        isNewCustomer: boolean;
        customer: { id: string; isVerified: boolean; identities: { address: string }[] };
      }>(),
    );
    expect(pops.map((p) => p.isNewCustomer).sort()).toEqual([false, true]);
    expect(pops[0]?.customer.id).toBe(pops[1]?.customer.id);
    expect(pops[0]?.customer).toMatchObject({ isVerified: false, identities: [{ address: '+34655443322' }] });
    expect(await search(`phone=655443322`)).toHaveLength(1);
  });

  it('refuses an address that is not one', async () => {
    const response = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/identify',
      headers: as(agent),
      payload: { channel: 'email', address: 'not-an-email' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ field: 'address' });
  });
});
