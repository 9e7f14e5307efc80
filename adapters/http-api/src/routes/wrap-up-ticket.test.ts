import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, interactions } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let agent: Session;
let customerId: string;
let otherCustomerId: string;

async function call(session: Session, method: 'GET' | 'POST', url: string, payload?: object) {
  return testApi.api.app.inject({
    method,
    url,
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

/** A contact of the test agent in after-call work, about `customer`. */
async function contactInWrapUp(customer: string | null): Promise<string> {
  const interaction = await testApi.database.inTenant(tenant.context, (tx) =>
    interactions.createInteraction(tx, {
      customerId: customer,
      channel: 'voice',
      direction: 'inbound',
      status: 'wrap_up',
      agentId: tenant.userIds.agent,
      remoteAddress: '+34600000077',
    }),
  );
  return interaction.id;
}

interface TicketView {
  readonly id: string;
  readonly number: number;
  readonly subject: string;
  readonly status: string;
  readonly customerId: string;
  readonly assigneeId: string | null;
  readonly interactionIds: readonly string[];
  readonly notes: readonly { readonly body: string }[];
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  agent = await login(testApi.api, tenant, 'agent');
  [customerId, otherCustomerId] = await testApi.database.inTenant(tenant.context, async (tx) => [
    (await customers.createCustomer(tx, { firstName: 'Marta', lastName: 'Ibáñez' })).id,
    (await customers.createCustomer(tx, { firstName: 'Pablo', lastName: 'Ruiz' })).id,
  ]);
});

afterAll(async () => {
  await testApi.close();
});

describe('the wrap-up form', () => {
  it('opens a ticket about the contact, assigned to the agent, with a follow-up task due when asked', async () => {
    const contact = await contactInWrapUp(customerId);
    const dueAt = '2026-12-09T09:00:00.000Z';
    const response = await call(agent, 'POST', `/api/interactions/${contact}/wrap-up`, {
      disposition: 'requiere_seguimiento',
      wrapUpNotes: 'El router pierde la conexión cada noche',
      ticket: { action: 'create', subject: 'Cortes nocturnos de fibra', status: 'needs_follow_up' },
      followUp: { description: 'Llamar para comprobar el cambio de router', dueAt },
    });
    expect(response.statusCode).toBe(200);
    const ticketId = response.json<{ ticketId: string }>().ticketId;

    const ticket = (await call(agent, 'GET', `/api/tickets/${ticketId}`)).json<TicketView>();
    expect(ticket).toMatchObject({
      subject: 'Cortes nocturnos de fibra',
      status: 'needs_follow_up',
      customerId,
      assigneeId: tenant.userIds.agent,
    });
    expect(ticket.interactionIds).toEqual([contact]);

    const followUps = (await call(agent, 'GET', `/api/follow-ups?assigneeId=${tenant.userIds.agent}`)).json<{
      items: { ticketId: string; description: string; dueAt: string }[];
    }>();
    expect(followUps.items).toContainEqual(
      expect.objectContaining({
        ticketId,
        description: 'Llamar para comprobar el cambio de router',
        dueAt,
      }),
    );
  });

  it('updates one of the customer’s tickets: new status, a note, and the contact linked to it', async () => {
    const first = await contactInWrapUp(customerId);
    const opened = await call(agent, 'POST', `/api/interactions/${first}/wrap-up`, {
      ticket: { action: 'create', subject: 'Factura duplicada' },
    });
    const ticketId = opened.json<{ ticketId: string }>().ticketId;

    const second = await contactInWrapUp(customerId);
    const response = await call(agent, 'POST', `/api/interactions/${second}/wrap-up`, {
      disposition: 'resuelto_primer_contacto',
      ticket: {
        action: 'update',
        ticketId,
        status: 'resolved',
        note: 'Abono emitido por el importe duplicado',
      },
    });
    expect(response.statusCode).toBe(200);
    const ticket = (await call(agent, 'GET', `/api/tickets/${ticketId}`)).json<TicketView>();
    expect(ticket.status).toBe('resolved');
    expect(ticket.notes.map((note) => note.body)).toEqual(['Abono emitido por el importe duplicado']);
    expect([...ticket.interactionIds].sort()).toEqual([first, second].sort());
  });

  it('refuses, naming the field and changing nothing: another customer’s ticket, an unknown status, a follow-up without a ticket', async () => {
    const foreign = await call(
      agent,
      'POST',
      `/api/interactions/${await contactInWrapUp(otherCustomerId)}/wrap-up`,
      {
        ticket: { action: 'create', subject: 'Alta de línea' },
      },
    );
    const foreignTicket = foreign.json<{ ticketId: string }>().ticketId;

    const contact = await contactInWrapUp(customerId);
    const refusals: [object, string][] = [
      [
        { disposition: 'otro', ticket: { action: 'update', ticketId: foreignTicket, status: 'closed' } },
        'ticket.ticketId',
      ],
      [
        { disposition: 'otro', ticket: { action: 'create', subject: 'x', status: 'no_such_status' } },
        'status',
      ],
      [
        { disposition: 'otro', followUp: { description: 'Llamar', dueAt: '2026-12-09T09:00:00Z' } },
        'followUp',
      ],
    ];
    for (const [body, field] of refusals) {
      const refused = await call(agent, 'POST', `/api/interactions/${contact}/wrap-up`, body);
      expect(refused.statusCode, field).toBe(400);
      expect(JSON.stringify(refused.json()), field).toContain(field);
    }
    // Nothing of the refused forms was kept: the contact has no disposition, the other ticket is untouched.
    const stored = (await call(agent, 'GET', `/api/interactions/${contact}`)).json<{
      disposition: string | null;
    }>();
    expect(stored.disposition).toBeNull();
    expect((await call(agent, 'GET', `/api/tickets/${foreignTicket}`)).json<TicketView>().status).toBe(
      'open',
    );
  });

  it('cannot open a ticket for a contact without a customer', async () => {
    const contact = await contactInWrapUp(null);
    const refused = await call(agent, 'POST', `/api/interactions/${contact}/wrap-up`, {
      ticket: { action: 'create', subject: 'Sin cliente' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ field: 'ticket' });
  });

  it('lets the agent who transferred the contact still finish their own wrap-up', async () => {
    const contact = await contactInWrapUp(customerId);
    // The contact passes to the team lead (an attended transfer): the agent remains one who handled it.
    await testApi.database.inTenant(tenant.context, (tx) =>
      tx.query('UPDATE interactions SET agent_id = $2 WHERE id = $1', [contact, tenant.userIds.team_lead]),
    );
    const response = await call(agent, 'POST', `/api/interactions/${contact}/wrap-up`, {
      disposition: 'otro',
      wrapUpNotes: 'Pasada a la coordinadora',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ agentId: string; metadata: { previousAgentIds?: string[] } }>()).toMatchObject({
      agentId: tenant.userIds.team_lead,
      metadata: { previousAgentIds: [tenant.userIds.agent] },
    });
  });
});
