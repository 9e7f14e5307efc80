import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { demoPassword, startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// An agent hands the caller to an IVR flow (here a one-question satisfaction survey) from the desktop's
// API: her phone is hung up, the caller hears the flow, answers with a key and is thanked and hung up,
// and the answer is stored with the contact. Real server, soft phones over loopback.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const number = '+34910000066';
const callerId = '+34600730066';
const surveyNumber = '+34910000067';

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let luciaPhone: SoftPhone;
let customerPhone: SoftPhone;
let queueId: string;
/** Calls that reached Lucía's phone, in order (each answered at once). */
const atLucia: PhoneCall[] = [];
const phones: SoftPhone[] = [];

async function eventsOf(interactionId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const result = await testServer.server.database.pool.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 OR data ->> 'contactId' = $1
      ORDER BY seq`,
    [interactionId],
  );
  return result.rows;
}

function directFlow(key: string, nodes: Record<string, unknown>, entry: string): Record<string, unknown> {
  return {
    key,
    name: key,
    document: { id: key, name: key, version: 1, defaultLanguage: 'es', languages: ['es'], entry, nodes },
  };
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'transfer_flow', { CENTRALITA_SIP_DOMAIN: sipDomain });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  luciaPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoPassword, domain: `demo.${sipDomain}` },
    voice: { pitchHz: 250, seed: 6 },
    onIncomingCall: (incoming) => {
      atLucia.push(incoming);
      incoming.answer();
    },
  });
  phones.push(luciaPhone);
  await luciaPhone.register(600);
  customerPhone = await SoftPhone.open({ server, voice: { pitchHz: 300, seed: 7 } });
  phones.push(customerPhone);

  const queues = await admin.expect<{ items: { id: string; name: string }[] }>(
    'queues',
    'GET',
    '/api/queues?limit=100',
  );
  queueId = queues.items.find((queue) => queue.name === 'Ventas')?.id ?? '';
  await admin.expect(
    'queue flow',
    'POST',
    '/api/flows',
    directFlow('ventas-directo', { queue: { type: 'queue', queue: queueId } }, 'queue'),
  );
  await admin.expect('publish', 'POST', '/api/flows/ventas-directo/versions/1/publish', {});
  await admin.expect('number', 'POST', '/api/dids', { number, flowKey: 'ventas-directo' });
  await admin.expect(
    'survey flow',
    'POST',
    '/api/flows',
    directFlow(
      'encuesta',
      {
        survey: {
          type: 'survey',
          survey: 'satisfaccion',
          questions: [
            {
              id: 'csat',
              prompt: { es: { text: 'Del 1 al 5, ¿cómo le hemos atendido?' } },
              minAnswer: 1,
              maxAnswer: 5,
            },
          ],
          timeoutMs: 15_000,
          next: 'bye',
        },
        bye: { type: 'hangup', prompt: { es: { text: 'Gracias.' } } },
      },
      'survey',
    ),
  );
  await admin.expect('publish', 'POST', '/api/flows/encuesta/versions/1/publish', {});

  lucia = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: 'lucia.fernandez@fibrasur.example',
    password: demoAccounts.password,
  });
}, 120_000);

afterAll(async () => {
  for (const phone of phones) await phone.close();
  await testServer.stop();
});

describe('transfer to a flow', () => {
  it('releases the agent and runs the flow for the caller: a survey answered with a key', async () => {
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const call = await customerPhone.call({ number, callerId });
    expect(await call.connected).toBe(true);
    const atAgent = await waitFor('Lucía’s phone to ring', () => atLucia[0], 20_000);
    expect(await atAgent.connected).toBe(true);
    const interactionId = atAgent.interactionId ?? '';
    await waitFor('the call to be connected', async () => {
      const view = await lucia.request('GET', `/api/interactions/${interactionId}/call`);
      return (view.body as { phase?: string }).phase === 'connected' ? true : undefined;
    });

    const unknown = await lucia.request('POST', `/api/interactions/${interactionId}/transfer`, {
      flowKey: 'no-existe',
    });
    expect(unknown.status).toBe(404);
    expect((unknown.body as { field?: string }).field).toBe('flowKey');
    const both = await lucia.request('POST', `/api/interactions/${interactionId}/transfer`, {
      flowKey: 'encuesta',
      queueId,
    });
    expect(both.status).toBe(400);

    call.listen();
    await lucia.expect('transfer', 'POST', `/api/interactions/${interactionId}/transfer`, {
      flowKey: 'encuesta',
    });
    expect((await atAgent.ended).reason).toBe('remote-hangup');
    const heardAtTransfer = call.heard().length;
    await waitFor('the survey question to be heard', () =>
      call.heard().length > heardAtTransfer + 8_000 ? true : undefined,
    );
    call.sendDigit('4');
    expect((await call.ended).reason).toBe('remote-hangup');

    const events = await waitFor('the call to be filed', async () => {
      const all = await eventsOf(interactionId);
      return all.some((event) => event.type === 'CallEnded') ? all : undefined;
    });
    expect(events.find((event) => event.type === 'CallTransferred')?.data).toMatchObject({
      fromAgentId: lucia.user.id,
      targetKind: 'flow',
      targetId: 'encuesta',
    });
    expect(events.find((event) => event.type === 'SurveyQuestionAnswered')?.data).toMatchObject({
      surveyId: 'satisfaccion',
      questionId: 'csat',
      answer: 4,
    });
    const row = await waitFor('the interaction to end', async () => {
      const result = await testServer.server.database.pool.query<{
        status: string;
        answered_at: Date | null;
        ended_at: Date | null;
        metadata: Record<string, unknown>;
      }>('SELECT status, answered_at, ended_at, metadata FROM interactions WHERE id = $1', [interactionId]);
      return result.rows[0]?.ended_at === null ? undefined : result.rows[0];
    });
    // Lucía talked to the caller: the contact is answered and waits for (or has had) her wrap-up.
    expect(row.answered_at).not.toBeNull();
    expect(['wrap_up', 'completed']).toContain(row.status);
    expect(row.metadata['ivrPath']).toEqual(expect.arrayContaining(['queue', 'survey', 'bye']));
  }, 90_000);

  it('sends the caller to the flow of one of the tenant’s own numbers, from the phone’s transfer key or the desktop', async () => {
    await admin.expect('survey number', 'POST', '/api/dids', { number: surveyNumber, flowKey: 'encuesta' });
    const reachLucia = async (from: string): Promise<{ call: PhoneCall; atAgent: PhoneCall }> => {
      const state = await lucia.expect<{ presence: { kind: string } }>(
        'state',
        'GET',
        '/api/agents/me/state',
      );
      if (state.presence.kind !== 'available')
        await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
      const before = atLucia.length;
      const call = await customerPhone.call({ number, callerId: from });
      expect(await call.connected).toBe(true);
      const atAgent = await waitFor('Lucía’s phone to ring', () => atLucia[before], 20_000);
      expect(await atAgent.connected).toBe(true);
      await waitFor('the call to be connected', async () => {
        const view = await lucia.request('GET', `/api/interactions/${atAgent.interactionId ?? ''}/call`);
        return (view.body as { phase?: string }).phase === 'connected' ? true : undefined;
      });
      return { call, atAgent };
    };
    const surveyAnswered = async (call: PhoneCall, interactionId: string, key: '2' | '5'): Promise<void> => {
      const heardAtTransfer = call.heard().length;
      await waitFor('the survey question to be heard', () =>
        call.heard().length > heardAtTransfer + 8_000 ? true : undefined,
      );
      call.sendDigit(key);
      expect((await call.ended).reason).toBe('remote-hangup');
      const events = await waitFor('the call to be filed', async () => {
        const all = await eventsOf(interactionId);
        return all.some((event) => event.type === 'CallEnded') ? all : undefined;
      });
      expect(events.find((event) => event.type === 'CallTransferred')?.data).toMatchObject({
        targetKind: 'flow',
        targetId: 'encuesta',
      });
      expect(events.find((event) => event.type === 'SurveyQuestionAnswered')?.data).toMatchObject({
        answer: Number(key),
      });
      await lucia.request('POST', `/api/interactions/${interactionId}/wrap-up`, {});
    };

    // The transfer key with the survey line's number (as dialled locally): no call goes out through the trunk.
    const byPhone = await reachLucia('+34600730067');
    byPhone.call.listen();
    byPhone.atAgent.refer(surveyNumber.replace('+34', ''));
    await waitFor('the transfer to be taken on', () =>
      byPhone.atAgent.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
    );
    expect((await byPhone.atAgent.ended).reason).toBe('remote-hangup');
    await surveyAnswered(byPhone.call, byPhone.atAgent.interactionId ?? '', '5');

    // The desktop's transfer to a number does the same when the number is the tenant's own.
    const byDesktop = await reachLucia('+34600730068');
    byDesktop.call.listen();
    await lucia.expect(
      'transfer',
      'POST',
      `/api/interactions/${byDesktop.atAgent.interactionId ?? ''}/transfer`,
      { number: surveyNumber },
    );
    expect((await byDesktop.atAgent.ended).reason).toBe('remote-hangup');
    await surveyAnswered(byDesktop.call, byDesktop.atAgent.interactionId ?? '', '2');
  }, 120_000);
});
