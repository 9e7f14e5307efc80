import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, directory, interactions } from '@centralita/store';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let other: TestTenant;
let admin: Session;
let trainer: Session;
let agent: Session;
let otherAdmin: Session;
let salesId: string;
let supportId: string;

async function call(session: Session, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return testApi.api.app.inject({
    method,
    url,
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

interface RenderedScript {
  name: string;
  language: string;
  segments: ({ kind: 'text'; text: string } | { kind: 'field'; field: string; value: string | null })[];
}

function textOf(script: RenderedScript): string {
  return script.segments
    .map((segment) => (segment.kind === 'text' ? segment.text : (segment.value ?? `[${segment.field}]`)))
    .join('');
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  other = await createTestTenant(testApi.database);
  admin = await login(testApi.api, tenant, 'admin');
  trainer = await login(testApi.api, tenant, 'trainer');
  agent = await login(testApi.api, tenant, 'agent');
  otherAdmin = await login(testApi.api, other, 'admin');
  [salesId, supportId] = await testApi.database.inTenant(tenant.context, async (tx) => [
    (await directory.createQueue(tx, { name: 'Ventas' })).id,
    (await directory.createQueue(tx, { name: 'Soporte' })).id,
  ]);
});

afterAll(async () => {
  await testApi.close();
});

describe('call scripts', () => {
  it('are written by trainers for queues, and the agent reads their contact’s script filled in, in their language', async () => {
    expect((await call(agent, 'POST', '/api/call-scripts', { name: 'x', bodyEs: 'Hola' })).statusCode).toBe(
      403,
    );
    const created = await call(trainer, 'POST', '/api/call-scripts', {
      name: 'Venta de fibra',
      bodyEs:
        'Buenos días, {{customer.firstName}}. Le llama {{agent.firstName}} de {{tenant.name}}. ¿Sigue en {{customer.custom.municipio}}? Tiene {{customer.openTickets}} incidencias abiertas. Correo: {{customer.email}}.',
      bodyEn: 'Good morning {{customer.displayName}}, this is {{agent.name}} from the {{queue.name}} team.',
      queueIds: [salesId],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Venta de fibra', queueIds: [salesId], isActive: true });

    const contact = await testApi.database.inTenant(tenant.context, async (tx) => {
      const customer = await customers.createCustomer(tx, {
        firstName: 'Marta',
        lastName: 'Ibáñez',
        customFields: { municipio: 'Dos Hermanas' },
        identities: [{ kind: 'phone', address: '+34600123123' }],
      });
      return interactions.createInteraction(tx, {
        customerId: customer.id,
        channel: 'voice',
        direction: 'inbound',
        status: 'in_progress',
        agentId: tenant.userIds.agent,
        queueId: salesId,
        remoteAddress: '+34600123123',
      });
    });
    const spanish = await call(agent, 'GET', `/api/interactions/${contact.id}/script?language=es`);
    expect(spanish.statusCode).toBe(200);
    const script = spanish.json<RenderedScript>();
    expect(script.language).toBe('es');
    expect(textOf(script)).toMatch(
      /^Buenos días, Marta\. Le llama \S+ de .+\. ¿Sigue en Dos Hermanas\? Tiene 0 incidencias abiertas\. Correo: \[customer\.email\]\.$/,
    );
    const english = (
      await call(agent, 'GET', `/api/interactions/${contact.id}/script?language=en`)
    ).json<RenderedScript>();
    expect(textOf(english)).toMatch(/^Good morning Marta Ibáñez, this is .+ from the Ventas team\.$/);

    // Another queue's contact has no script; another tenant does not see this one.
    const support = await testApi.database.inTenant(tenant.context, (tx) =>
      interactions.createInteraction(tx, {
        customerId: null,
        channel: 'voice',
        direction: 'inbound',
        status: 'in_progress',
        agentId: tenant.userIds.agent,
        queueId: supportId,
        remoteAddress: '+34600123124',
      }),
    );
    expect((await call(agent, 'GET', `/api/interactions/${support.id}/script`)).statusCode).toBe(404);
    expect((await call(otherAdmin, 'GET', '/api/call-scripts')).json()).toEqual([]);
  });

  it('move a queue from one script to another, and a retired script is no longer shown', async () => {
    const first = (
      await call(admin, 'POST', '/api/call-scripts', {
        name: 'Soporte A',
        bodyEs: 'Guion A',
        queueIds: [supportId],
      })
    ).json<{ id: string }>();
    const second = (
      await call(admin, 'POST', '/api/call-scripts', {
        name: 'Soporte B',
        bodyEs: 'Guion B',
        queueIds: [supportId],
      })
    ).json<{ id: string }>();
    const list = (await call(admin, 'GET', '/api/call-scripts')).json<{ id: string; queueIds: string[] }[]>();
    expect(list.find((script) => script.id === first.id)?.queueIds).toEqual([]);
    expect(list.find((script) => script.id === second.id)?.queueIds).toEqual([supportId]);

    expect(
      (await call(admin, 'PATCH', `/api/call-scripts/${second.id}`, { isActive: false })).statusCode,
    ).toBe(200);
    expect(
      (await call(admin, 'GET', '/api/call-scripts')).json<{ id: string }[]>().map((s) => s.id),
    ).not.toContain(second.id);
    const all = (await call(admin, 'GET', '/api/call-scripts?includeInactive=true')).json<{ id: string }[]>();
    expect(all.map((s) => s.id)).toContain(second.id);
  });

  it('refuse an unknown placeholder, an empty script, an unknown queue and a duplicate name, naming the field', async () => {
    const refusals: [object, number, string][] = [
      [{ name: 'Typo', bodyEs: 'Hola {{customer.nombre}}' }, 400, 'bodyEs'],
      [{ name: 'Typo EN', bodyEs: 'Hola', bodyEn: 'Hi {{customer.firstName' }, 400, 'bodyEn'],
      [{ name: 'Vacío', bodyEs: '  ' }, 400, 'bodyEs'],
      [
        { name: 'Cola', bodyEs: 'Hola', queueIds: ['00000000-0000-4000-8000-000000000000'] },
        400,
        'queueIds[0]',
      ],
      [{ name: 'venta de fibra', bodyEs: 'Hola' }, 409, ''],
    ];
    for (const [payload, status, field] of refusals) {
      const refused = await call(admin, 'POST', '/api/call-scripts', payload);
      expect(refused.statusCode, JSON.stringify(payload)).toBe(status);
      if (field !== '') expect(refused.json<{ field?: string }>().field, JSON.stringify(payload)).toBe(field);
    }
    const refused = await call(admin, 'POST', '/api/call-scripts', {
      name: 'Typo',
      bodyEs: 'Hola {{customer.nombre}}',
    });
    expect(refused.json<{ detail: string }>().detail).toContain('{{customer.firstName}}');
  });
});
