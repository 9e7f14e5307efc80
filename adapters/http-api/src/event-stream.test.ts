import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

let testApi: TestApi;
let port: number;

beforeAll(async () => {
  testApi = await startTestApi();
  await testApi.api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = testApi.api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  port = address.port;
});

afterAll(async () => {
  await testApi.close();
});

/** Collects messages from the moment the socket opens, so none is missed between awaits. */
function openStream(
  headers: Record<string, string>,
  query = '',
): {
  socket: WebSocket;
  next: (
    predicate: (m: { type: string; data?: Record<string, unknown> }) => boolean,
  ) => Promise<{ type: string; data?: Record<string, unknown> }>;
  received: { type: string }[];
} {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events${query}`, { headers });
  const received: { type: string; data?: Record<string, unknown> }[] = [];
  const waiters: { predicate: (m: { type: string }) => boolean; resolve: (m: { type: string }) => void }[] =
    [];
  socket.on('message', (raw: Buffer) => {
    const message = JSON.parse(raw.toString()) as { type: string };
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  return {
    socket,
    received,
    next: (predicate) => {
      const already = received.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

describe('the event stream', () => {
  it('delivers a tenant’s events live to that tenant only', async () => {
    const acme: TestTenant = await createTestTenant(testApi.database);
    const globex: TestTenant = await createTestTenant(testApi.database);
    const acmeAgent = await login(testApi.api, acme, 'agent');
    const globexAgent = await login(testApi.api, globex, 'agent');
    const acmeStream = openStream({ cookie: acmeAgent.cookie });
    const globexStream = openStream({ cookie: globexAgent.cookie });
    await acmeStream.next((m) => m.type === 'StreamOpened');
    await globexStream.next((m) => m.type === 'StreamOpened');
    const customer = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: as(acmeAgent),
      payload: { firstName: 'Eva' },
    });
    const customerId = customer.json<{ id: string }>().id;
    const ticket = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: as(acmeAgent),
      payload: { customerId, subject: 'Sin línea' },
    });
    const event = await acmeStream.next((m) => m.type === 'TicketCreated');
    expect(event.data).toMatchObject({ ticketId: ticket.json<{ id: string }>().id, customerId });
    // A marker event in the other tenant proves its stream was live, and that it got nothing of Acme's.
    await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: as(globexAgent),
      payload: { firstName: 'Marcador' },
    });
    await globexStream.next((m) => m.type === 'CustomerCreated');
    expect(globexStream.received.map((m) => m.type)).toEqual(['StreamOpened', 'CustomerCreated']);
    acmeStream.socket.close();
    globexStream.socket.close();
  });

  it('filters by event type when asked', async () => {
    const tenant = await createTestTenant(testApi.database);
    const agent = await login(testApi.api, tenant, 'agent');
    const stream = openStream({ cookie: agent.cookie }, '?types=TicketCreated');
    await stream.next((m) => m.type === 'StreamOpened');
    const customer = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: as(agent),
      payload: { firstName: 'Filtro' },
    });
    await testApi.api.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: as(agent),
      payload: { customerId: customer.json<{ id: string }>().id, subject: 'x' },
    });
    await stream.next((m) => m.type === 'TicketCreated');
    expect(stream.received.map((m) => m.type)).toEqual(['StreamOpened', 'TicketCreated']);
    stream.socket.close();
  });

  it('refuses connections without credentials and cookie connections from another site', async () => {
    const anonymous = new WebSocket(`ws://127.0.0.1:${port}/api/events`);
    const [, anonymousResponse] = (await once(anonymous, 'unexpected-response')) as [
      unknown,
      { statusCode: number },
    ];
    expect(anonymousResponse.statusCode).toBe(401);
    const tenant = await createTestTenant(testApi.database);
    const agent = await login(testApi.api, tenant, 'agent');
    const crossSite = new WebSocket(`ws://127.0.0.1:${port}/api/events`, {
      headers: { cookie: agent.cookie },
      origin: 'https://evil.example',
    });
    const [, crossResponse] = (await once(crossSite, 'unexpected-response')) as [
      unknown,
      { statusCode: number },
    ];
    expect(crossResponse.statusCode).toBe(403);
  });

  it('closes the session’s stream at logout', async () => {
    const tenant = await createTestTenant(testApi.database);
    const agent = await login(testApi.api, tenant, 'agent');
    const stream = openStream({ cookie: agent.cookie });
    await stream.next((m) => m.type === 'StreamOpened');
    const closed = once(stream.socket, 'close');
    await testApi.api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: as(agent) });
    const [code] = (await closed) as [number];
    expect(code).toBe(4401);
  });
});
