import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let agent: Session;
let customerId: string;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  agent = await login(testApi.api, tenant, 'agent');
  const customer = await testApi.api.app.inject({
    method: 'POST',
    url: '/api/customers',
    headers: as(agent),
    payload: { firstName: 'Lola', lastName: 'Vega' },
  });
  customerId = customer.json<{ id: string }>().id;
});

afterAll(async () => {
  await testApi.close();
});

function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) {
  return testApi.api.app.inject({ method, url, headers: as(agent), ...(payload ? { payload } : {}) });
}

describe('tickets', () => {
  it('numbers tickets per tenant and follows the lifecycle: resolve, close, only reopen', async () => {
    const first = (
      await call('POST', '/api/tickets', { customerId, subject: 'Wifi lento', priority: 'high' })
    ).json<{ id: string; number: number; status: string }>();
    const second = (await call('POST', '/api/tickets', { customerId, subject: 'Cargo duplicado' })).json<{
      number: number;
    }>();
    expect(second.number).toBe(first.number + 1);
    expect(first.status).toBe('open');
    const resolved = await call('PATCH', `/api/tickets/${first.id}`, { status: 'resolved' });
    expect(resolved.json()).toMatchObject({ status: 'resolved', statusCategory: 'resolved' });
    expect(resolved.json<{ resolvedAt: string | null }>().resolvedAt).not.toBeNull();
    const closed = await call('PATCH', `/api/tickets/${first.id}`, { status: 'closed' });
    expect(closed.json<{ closedAt: string | null }>().closedAt).not.toBeNull();
    const backToResolved = await call('PATCH', `/api/tickets/${first.id}`, { status: 'resolved' });
    expect(backToResolved.statusCode).toBe(409);
    expect(backToResolved.json()).toMatchObject({ field: 'status', code: 'STORE_INVALID_STATE' });
    const reopened = await call('PATCH', `/api/tickets/${first.id}`, { status: 'open' });
    expect(reopened.json()).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null });
    const unknownStatus = await call('PATCH', `/api/tickets/${first.id}`, { status: 'archived' });
    expect(unknownStatus.statusCode).toBe(400);
    expect(unknownStatus.json()).toMatchObject({ field: 'status' });
  });

  it('keeps notes, linked interactions and follow-up tasks with the ticket', async () => {
    const ticket = (await call('POST', '/api/tickets', { customerId, subject: 'Técnico a domicilio' })).json<{
      id: string;
    }>();
    const interaction = (
      await call('POST', '/api/interactions', { customerId, channel: 'voice', direction: 'inbound' })
    ).json<{ id: string }>();
    expect(
      (await call('POST', `/api/tickets/${ticket.id}/notes`, { body: 'Cita el martes' })).statusCode,
    ).toBe(201);
    expect(
      (await call('POST', `/api/tickets/${ticket.id}/interactions`, { interactionId: interaction.id }))
        .statusCode,
    ).toBe(204);
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const task = await call('POST', `/api/tickets/${ticket.id}/follow-ups`, {
      description: 'Confirmar la visita',
      dueAt: due,
    });
    expect(task.statusCode).toBe(201);
    expect(task.json()).toMatchObject({ assigneeId: tenant.userIds.agent, status: 'pending' });
    const detail = (await call('GET', `/api/tickets/${ticket.id}`)).json<{
      notes: { body: string; authorName: string }[];
      interactionIds: string[];
      followUps: { description: string }[];
    }>();
    expect(detail.notes).toMatchObject([{ body: 'Cita el martes', authorName: 'The agent' }]);
    expect(detail.interactionIds).toEqual([interaction.id]);
    expect(detail.followUps.map((f) => f.description)).toEqual(['Confirmar la visita']);
    const mine = (await call('GET', '/api/follow-ups?mine=true&status=pending')).json<{
      items: { description: string }[];
    }>();
    expect(mine.items.map((f) => f.description)).toContain('Confirmar la visita');
    const done = await call('PATCH', `/api/follow-ups/${task.json<{ id: string }>().id}`, { status: 'done' });
    expect(done.json<{ completedAt: string | null }>().completedAt).not.toBeNull();
  });

  it('filters by status, assignee, customer and number, and supports the tenant’s own statuses', async () => {
    const admin = await login(testApi.api, tenant, 'admin');
    const status = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/ticket-statuses',
      headers: as(admin),
      payload: {
        code: 'waiting_customer',
        category: 'needs_follow_up',
        labelEs: 'Esperando al cliente',
        labelEn: 'Waiting for customer',
      },
    });
    expect(status.statusCode).toBe(201);
    const ticket = (
      await call('POST', '/api/tickets', {
        customerId,
        subject: 'Portabilidad',
        status: 'waiting_customer',
        assigneeId: tenant.userIds.team_lead,
      })
    ).json<{ id: string; number: number }>();
    const byStatus = (await call('GET', '/api/tickets?status=waiting_customer')).json<{
      items: { id: string }[];
    }>();
    expect(byStatus.items.map((t) => t.id)).toEqual([ticket.id]);
    const byCategory = (await call('GET', '/api/tickets?category=needs_follow_up')).json<{
      items: { id: string; statusCategory: string }[];
    }>();
    expect(byCategory.items.map((t) => t.id)).toEqual([ticket.id]);
    const byAssignee = (await call('GET', `/api/tickets?assigneeId=${tenant.userIds.team_lead}`)).json<{
      total: number;
    }>();
    expect(byAssignee.total).toBe(1);
    const byNumber = (await call('GET', `/api/tickets?search=%23${ticket.number}`)).json<{
      items: { id: string }[];
    }>();
    expect(byNumber.items.map((t) => t.id)).toEqual([ticket.id]);
    const byNumberStatus = await call('GET', `/api/tickets/by-number/${ticket.number}`);
    expect(byNumberStatus.json()).toMatchObject({
      number: ticket.number,
      status: 'waiting_customer',
      statusCategory: 'needs_follow_up',
      subject: 'Portabilidad',
    });
    const unknown = await call('GET', '/api/tickets/by-number/999999');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ field: 'number' });
    const byCustomer = (await call('GET', `/api/tickets?customerId=${customerId}`)).json<{ total: number }>();
    expect(byCustomer.total).toBeGreaterThanOrEqual(4);
  });
});
