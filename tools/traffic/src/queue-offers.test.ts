import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { readWav, toneAmplitude } from '@centralita/media';
import { demoPassword, startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor, waitForVoicemailBeep } from './test-support.ts';

// A queue's `offer-voicemail` step: the waiting caller presses 2, leaves a message after the beep, and it is
// filed as a ticket of the queue.
//
// A queue's `offer-callback` escalation step carried out end to end over loopback: the caller waits in
// Ventas with nobody available, hears the offer, presses 1, hears the confirmation and is hung up; the
// contact keeps its place as a callback. When Lucía becomes available her phone rings first, then the
// caller's number through the trunk (a soft phone as the carrier), and the contact finishes as called back.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const number = '+34910000077';
const callerId = '+34600720077';

let testServer: TestServer;
let admin: ApiSession;
const phones: SoftPhone[] = [];

async function eventsOf(interactionId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const result = await testServer.server.database.pool.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 OR data ->> 'contactId' = $1
      ORDER BY seq`,
    [interactionId],
  );
  return result.rows;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'queue-callback', { CENTRALITA_SIP_DOMAIN: sipDomain });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
}, 120_000);

afterAll(async () => {
  for (const phone of phones) await phone.close();
  await testServer.stop();
});

describe('a queue that offers waiting callers a callback', () => {
  it('keeps the place of a caller who presses 1 and calls them back when an agent is free', async () => {
    const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
    const atCarrier: PhoneCall[] = [];
    const carrier = await SoftPhone.open({
      server,
      voice: { pitchHz: 500, seed: 5 },
      onIncomingCall: (incoming) => {
        atCarrier.push(incoming);
        incoming.answer();
      },
    });
    phones.push(carrier);
    const atLucia: PhoneCall[] = [];
    const luciaPhone = await SoftPhone.open({
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
    const customerPhone = await SoftPhone.open({ server, voice: { pitchHz: 300, seed: 7 } });
    phones.push(customerPhone);

    const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
      outbound: { host: '127.0.0.1', port: carrier.port, transport: 'udp' },
    });
    const queues = await admin.expect<{ items: { id: string; name: string }[] }>(
      'queues',
      'GET',
      '/api/queues?limit=100',
    );
    const ventas = queues.items.find((queue) => queue.name === 'Ventas');
    expect(ventas).toBeDefined();
    const queueId = ventas?.id ?? '';
    await admin.expect('queue settings', 'PATCH', `/api/queues/${queueId}`, {
      settings: { escalation: [{ afterSeconds: 1, action: { type: 'offer-callback' } }] },
    });
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'ventas-directo',
      name: 'Ventas directo',
      document: {
        id: 'ventas-directo',
        name: 'Ventas directo',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'queue',
        nodes: { queue: { type: 'queue', queue: queueId } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/ventas-directo/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number, flowKey: 'ventas-directo' });

    // Lucía is signed in but on a break: the caller waits, and after a second the queue offers the callback.
    const lucia = await ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email: 'lucia.fernandez@fibrasur.example',
      password: demoAccounts.password,
    });
    const state = await lucia.expect<{ breakReasons: string[] }>('state', 'GET', '/api/agents/me/state');
    await lucia.expect('break', 'PUT', '/api/agents/me/presence', {
      presence: 'break',
      reason: state.breakReasons[0],
    });
    const call = await customerPhone.call({ number, callerId });
    expect(await call.connected).toBe(true);
    const interactionId = await waitFor('the call’s interaction', async () => {
      const result = await testServer.server.database.pool.query<{ id: string }>(
        'SELECT id FROM interactions WHERE remote_address = $1',
        [callerId],
      );
      return result.rows[0]?.id;
    });
    await waitFor(
      'the callback offer',
      async () =>
        (await eventsOf(interactionId)).some((e) => e.type === 'CallbackOffered') ? true : undefined,
      20_000,
    );
    call.listen();
    await waitFor('the offer to be heard', () => (call.heard().length > 8_000 ? true : undefined));
    call.sendDigit('1');
    // The confirmation plays, then the line is hung up by us.
    expect((await call.ended).reason).toBe('remote-hangup');

    const waiting = await testServer.server.database.pool.query<{
      status: string;
      ended_at: Date | null;
      metadata: Record<string, unknown>;
    }>('SELECT status, ended_at, metadata FROM interactions WHERE id = $1', [interactionId]);
    expect(waiting.rows[0]).toMatchObject({ status: 'queued', ended_at: null });
    expect(waiting.rows[0]?.metadata['callbackNumber']).toBe(callerId);
    const afterHangUp = await eventsOf(interactionId);
    expect(afterHangUp.find((e) => e.type === 'CallbackRequestedByCaller')?.data).toMatchObject({
      queueId,
      number: callerId,
      isPlaceKept: true,
      isFromQueue: true,
    });
    expect(afterHangUp.map((e) => e.type)).not.toContain('ContactAbandoned');
    const stats = await admin.expect<{ queueId: string; waiting: number }[]>(
      'queue stats',
      'GET',
      '/api/queue-stats',
    );
    expect(stats.find((queue) => queue.queueId === queueId)?.waiting).toBe(0);

    // Lucía is free: her phone rings first, then the caller's number through the trunk.
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const atAgent = await waitFor('Lucía’s phone to ring for the callback', () => atLucia[0], 20_000);
    expect(await atAgent.connected).toBe(true);
    const atCustomer = await waitFor('the caller’s number to be dialled', () => atCarrier[0], 20_000);
    expect(await atCustomer.connected).toBe(true);
    atCustomer.hangUp();
    await atAgent.ended;

    const done = await waitFor('the callback to finish', async () => {
      const result = await testServer.server.database.pool.query<{
        direction: string;
        agent_id: string | null;
        answered_at: Date | null;
        ended_at: Date | null;
      }>('SELECT direction, agent_id, answered_at, ended_at FROM interactions WHERE id = $1', [
        interactionId,
      ]);
      const row = result.rows[0];
      return row?.ended_at === null ? undefined : row;
    });
    expect(done.direction).toBe('inbound');
    expect(done.agent_id).toBe(lucia.user.id);
    expect(done.answered_at).not.toBeNull();
    const events = await eventsOf(interactionId);
    expect(events.filter((e) => e.type === 'CallReceived')).toHaveLength(1);
    expect(events.find((e) => e.type === 'CallbackDialled')?.data['to']).toBe(callerId);
    const finished = await waitFor('the contact to finish', async () =>
      (await eventsOf(interactionId)).find((e) => e.type === 'ContactFinished'),
    );
    expect(finished.data['outcome']).toBe('called-back');
  }, 90_000);
});

describe('a queue that offers waiting callers voicemail', () => {
  it('takes the message of a caller who presses 2 and files it as a ticket of the queue', async () => {
    const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
    const customerPhone = await SoftPhone.open({
      server,
      voice: { pitchHz: 700, seed: 8, isSteadyTone: true, levelDbm0: -12 },
    });
    phones.push(customerPhone);
    // Nobody has the skill: callers wait (the queue's default is to join) and are offered voicemail.
    const skill = await admin.expect<{ id: string }>('skill', 'POST', '/api/skills', { name: 'Bajas' });
    const queue = await admin.expect<{ id: string }>('queue', 'POST', '/api/queues', {
      name: 'Bajas',
      skills: [{ skillId: skill.id, minLevel: 1 }],
      settings: { escalation: [{ afterSeconds: 1, action: { type: 'offer-voicemail' } }] },
    });
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'bajas',
      name: 'Bajas',
      document: {
        id: 'bajas',
        name: 'Bajas',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'queue',
        nodes: { queue: { type: 'queue', queue: queue.id } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/bajas/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number: '+34910000078', flowKey: 'bajas' });

    const voicemailCaller = '+34600720078';
    const call = await customerPhone.call({ number: '+34910000078', callerId: voicemailCaller });
    expect(await call.connected).toBe(true);
    const interactionId = await waitFor('the call’s interaction', async () => {
      const result = await testServer.server.database.pool.query<{ id: string }>(
        'SELECT id FROM interactions WHERE remote_address = $1',
        [voicemailCaller],
      );
      return result.rows[0]?.id;
    });
    await waitFor(
      'the voicemail offer',
      async () =>
        (await eventsOf(interactionId)).some((e) => e.type === 'VoicemailOffered') ? true : undefined,
      20_000,
    );
    call.listen();
    call.sendDigit('2');
    await waitForVoicemailBeep(call);
    const sentAtBeep = call.mediaStats.packetsSent;
    await waitFor('two seconds of message', () =>
      call.mediaStats.packetsSent >= sentAtBeep + 100 ? true : undefined,
    );
    call.hangUp();
    await call.ended;

    const left = await waitFor('the message to be filed', async () =>
      (await eventsOf(interactionId)).find((e) => e.type === 'VoicemailLeft'),
    );
    expect(left.data['queueId']).toBe(queue.id);
    const ticket = await admin.expect<{ queueId: string | null; interactionIds: string[] }>(
      'ticket',
      'GET',
      `/api/tickets/${String(left.data['ticketId'])}`,
    );
    expect(ticket).toMatchObject({ queueId: queue.id, interactionIds: [interactionId] });
    const path = await testServer.server.database.pool.query<{ recording_ref: string | null }>(
      'SELECT recording_ref FROM interactions WHERE id = $1',
      [interactionId],
    );
    const wav = readWav(new Uint8Array(readFileSync(path.rows[0]?.recording_ref ?? '')));
    expect(wav.ok).toBe(true);
    if (!wav.ok) return;
    const samples = Array.from(wav.value.channels[0] ?? new Float32Array(), (sample) => sample * 32_768);
    expect(toneAmplitude(samples, 700, 8_000, 4_000, 8_000)).toBeGreaterThan(800);
    // Choosing voicemail is not abandoning the queue.
    expect((await eventsOf(interactionId)).map((e) => e.type)).not.toContain('ContactAbandoned');
  }, 90_000);
});
