import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import type { PhoneCall } from './phone-call.ts';
import { readWav, toneAmplitude } from '@centralita/media';
import { demoPassword, startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor, waitForVoicemailBeep } from './test-support.ts';

// A queue's overflow rules carried out end to end over loopback, with nobody who could answer there:
// - voicemail: the caller hears the prompt and the beep, speaks (a steady tone), hangs up, and the message
//   becomes a ticket of the queue with the recording on the interaction;
// - a number: the caller is put through the trunk to it (a soft phone as the carrier), and the call ends
//   when that number does not answer;
// - everyone on a break (`noAgentsMeans: nobody-available`): a new caller goes to voicemail at once, and so
//   does a caller already in the queue when the last available agent goes on a break (issue #7).

const adminUrl = inject('adminDatabaseUrl');
const number = '+34910000088';
const voiceHz = 700;

let testServer: TestServer;
let admin: ApiSession;
let caller: SoftPhone;

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'queue-voicemail', { CENTRALITA_SIP_DOMAIN: 'pbx.test' });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  caller = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    voice: { pitchHz: voiceHz, seed: 2, isSteadyTone: true, levelDbm0: -12 },
  });
}, 120_000);

afterAll(async () => {
  await caller.close();
  await testServer.stop();
});

describe('a queue that overflows to voicemail', () => {
  it('records the caller’s message after the prompt and the beep, and files it as a ticket of the queue', async () => {
    const skill = await admin.expect<{ id: string }>('skill', 'POST', '/api/skills', { name: 'Empresas' });
    const queue = await admin.expect<{ id: string }>('queue', 'POST', '/api/queues', {
      name: 'Empresas',
      skills: [{ skillId: skill.id, minLevel: 1 }],
      settings: { whenNoAgents: 'overflow', overflow: { type: 'voicemail' } },
    });
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'empresas',
      name: 'Empresas',
      document: {
        id: 'empresas',
        name: 'Empresas',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'queue',
        nodes: { queue: { type: 'queue', queue: queue.id } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/empresas/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number, flowKey: 'empresas' });

    const call = await caller.call({ number, callerId: '+34600710088' });
    expect(await call.connected).toBe(true);
    // The prompt, then the 1 kHz beep: the recording starts once it has played.
    call.listen();
    await waitForVoicemailBeep(call);
    // Two seconds of message: 100 packets of 20 ms sent by the caller after the beep.
    const sentAtBeep = call.mediaStats.packetsSent;
    await waitFor('two seconds of message', () =>
      call.mediaStats.packetsSent >= sentAtBeep + 100 ? true : undefined,
    );
    call.hangUp();
    await call.ended;

    const interaction = await waitFor('the voicemail to be filed', async () => {
      const result = await testServer.server.database.pool.query<{
        id: string;
        recording_ref: string | null;
        queue_id: string | null;
      }>(
        `SELECT id, recording_ref, queue_id FROM interactions WHERE remote_address = '+34600710088'
          ORDER BY started_at DESC LIMIT 1`,
      );
      const row = result.rows[0];
      return row?.recording_ref !== null && row?.recording_ref !== undefined ? row : undefined;
    });
    expect(interaction.queue_id).toBe(queue.id);
    const events = await testServer.server.database.pool.query<{
      type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 OR data ->> 'contactId' = $1 ORDER BY seq`,
      [interaction.id],
    );
    const left = events.rows.find((event) => event.type === 'VoicemailLeft');
    expect(left?.data).toMatchObject({ queueId: queue.id });
    expect(typeof left?.data['ticketId']).toBe('string');
    const ticket = await admin.expect<{ subject: string; queueId: string | null; interactionIds: string[] }>(
      'ticket',
      'GET',
      `/api/tickets/${String(left?.data['ticketId'])}`,
    );
    expect(ticket).toMatchObject({ subject: 'Mensaje de voz de la cola', queueId: queue.id });
    expect(ticket.interactionIds).toEqual([interaction.id]);

    // The message holds the caller's voice (the prompt is not in it: only the caller's side is recorded).
    const wav = readWav(new Uint8Array(readFileSync(interaction.recording_ref ?? '')));
    expect(wav.ok).toBe(true);
    if (!wav.ok) return;
    const samples = Array.from(wav.value.channels[0] ?? new Float32Array(), (sample) => sample * 32_768);
    expect(samples.length).toBeGreaterThan(12_000);
    expect(toneAmplitude(samples, voiceHz, 8_000, 4_000, 8_000)).toBeGreaterThan(800);
  }, 90_000);

  it('keeps the message as a ticket without a queue when the queue is deleted while the caller speaks', async () => {
    const queue = await admin.expect<{ id: string }>('queue', 'POST', '/api/queues', {
      name: 'Temporada',
      settings: { whenNoAgents: 'overflow', overflow: { type: 'voicemail' } },
    });
    await admin.expect('flow', 'POST', '/api/flows', {
      key: 'temporada',
      name: 'Temporada',
      document: {
        id: 'temporada',
        name: 'Temporada',
        version: 1,
        defaultLanguage: 'es',
        languages: ['es'],
        entry: 'queue',
        nodes: { queue: { type: 'queue', queue: queue.id } },
      },
    });
    await admin.expect('publish', 'POST', '/api/flows/temporada/versions/1/publish', {});
    await admin.expect('number', 'POST', '/api/dids', { number: '+34910000083', flowKey: 'temporada' });

    const callerId = '+34600710083';
    const call = await caller.call({ number: '+34910000083', callerId });
    expect(await call.connected).toBe(true);
    call.listen();
    await waitForVoicemailBeep(call);
    // The admin removes the seasonal queue while the caller is leaving a message.
    const deleted = await admin.request('DELETE', `/api/queues/${queue.id}`);
    expect(deleted.status).toBe(204);
    const sentAfterDelete = call.mediaStats.packetsSent;
    await waitFor('a second of message', () =>
      call.mediaStats.packetsSent >= sentAfterDelete + 50 ? true : undefined,
    );
    call.hangUp();
    await call.ended;

    const left = await waitFor('the voicemail to be filed', async () => {
      const result = await testServer.server.database.pool.query<{ data: Record<string, unknown> }>(
        `SELECT e.data FROM domain_events e JOIN interactions i ON i.id::text = e.data ->> 'interactionId'
          WHERE e.type = 'VoicemailLeft' AND i.remote_address = $1`,
        [callerId],
      );
      return result.rows[0]?.data;
    });
    expect(left).toMatchObject({ queueId: null });
    const ticket = await admin.expect<{ subject: string; queueId: string | null }>(
      'ticket',
      'GET',
      `/api/tickets/${String(left['ticketId'])}`,
    );
    expect(ticket).toMatchObject({ subject: 'Mensaje de voz de la cola', queueId: null });
    const interaction = await testServer.server.database.pool.query<{ recording_ref: string | null }>(
      `SELECT recording_ref FROM interactions WHERE id = $1`,
      [left['interactionId']],
    );
    expect(interaction.rows[0]?.recording_ref).toMatch(/-voicemail\.wav$/);
  }, 90_000);
});

/** A queue that sends callers to its voicemail when nobody is available, its flow, and a number for it. */
async function voicemailWhenNobodyAvailable(name: string, flowKey: string, number: string): Promise<void> {
  const queue = await admin.expect<{ id: string }>('queue', 'POST', '/api/queues', {
    name,
    settings: {
      whenNoAgents: 'overflow',
      noAgentsMeans: 'nobody-available',
      overflow: { type: 'voicemail' },
    },
  });
  await admin.expect('flow', 'POST', '/api/flows', {
    key: flowKey,
    name,
    document: {
      id: flowKey,
      name,
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'queue',
      nodes: { queue: { type: 'queue', queue: queue.id } },
    },
  });
  await admin.expect('publish', 'POST', `/api/flows/${flowKey}/versions/1/publish`, {});
  await admin.expect('number', 'POST', '/api/dids', { number, flowKey });
}

/** Waits for the beep that ends the voicemail prompt, then hangs up. */
async function hearVoicemailBeepAndHangUp(call: PhoneCall): Promise<void> {
  call.listen();
  await waitForVoicemailBeep(call);
  call.hangUp();
  await call.ended;
}

/** The caller's queue facts (queued, finished) in order, once the contact is finished. */
function queueFactsOf(callerId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return waitFor('the overflow to be recorded', async () => {
    const result = await testServer.server.database.pool.query<{
      type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT e.type, e.data FROM domain_events e JOIN interactions i ON i.id::text = e.data ->> 'contactId'
        WHERE i.remote_address = $1 AND e.type IN ('ContactQueued', 'ContactFinished')
        ORDER BY e.seq`,
      [callerId],
    );
    return result.rows.some((row) => row.type === 'ContactFinished') ? result.rows : undefined;
  });
}

describe('a queue whose agents are all on a break', () => {
  it('sends the caller to voicemail when it counts agents on a break as absent', async () => {
    await voicemailWhenNobodyAvailable('Recepción', 'recepcion', '+34910000086');
    // Lucía is signed in, on a break: the queue has an agent, but nobody available.
    const lucia = await ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email: 'lucia.fernandez@fibrasur.example',
      password: demoAccounts.password,
    });
    const [reason] = await admin.expect<string[]>('reasons', 'GET', '/api/break-reasons');
    await lucia.expect('break', 'PUT', '/api/agents/me/presence', { presence: 'break', reason });

    const call = await caller.call({ number: '+34910000086', callerId: '+34600710086' });
    expect(await call.connected).toBe(true);
    await hearVoicemailBeepAndHangUp(call);
    const facts = await queueFactsOf('+34600710086');
    expect(facts.at(-1)?.data).toMatchObject({ outcome: 'overflowed', detail: 'no-agents' });
    await lucia.expect('offline', 'PUT', '/api/agents/me/presence', { presence: 'offline' });
  }, 90_000);

  it('sends a caller already in the queue to voicemail when the last available agent goes on a break', async () => {
    await voicemailWhenNobodyAvailable('Recepción tarde', 'recepcion-tarde', '+34910000084');
    // Lucía is available with her phone registered; it rings for the caller and she does not answer.
    const atLucia: PhoneCall[] = [];
    const luciaPhone = await SoftPhone.open({
      server: { address: '127.0.0.1', port: sipPortOf(testServer) },
      account: { username: '1001', password: demoPassword, domain: 'demo.pbx.test' },
      voice: { pitchHz: 250, seed: 6 },
      onIncomingCall: (incoming) => atLucia.push(incoming),
    });
    const lucia = await ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email: 'lucia.fernandez@fibrasur.example',
      password: demoAccounts.password,
    });
    try {
      await luciaPhone.register(600);
      await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });

      const call = await caller.call({ number: '+34910000084', callerId: '+34600710084' });
      expect(await call.connected).toBe(true);
      const ringing = await waitFor('Lucía’s phone to ring', () => atLucia[0], 20_000);
      // She goes on a break instead: the offer is withdrawn, and with nobody available the caller, already
      // in the queue, leaves it for the queue's voicemail as a new arrival would.
      const [reason] = await admin.expect<string[]>('reasons', 'GET', '/api/break-reasons');
      await lucia.expect('break', 'PUT', '/api/agents/me/presence', { presence: 'break', reason });
      expect((await ringing.ended).reason).toBe('cancelled');
      await hearVoicemailBeepAndHangUp(call);
      const facts = await queueFactsOf('+34600710084');
      expect(facts.map((row) => row.type)).toEqual(['ContactQueued', 'ContactFinished']);
      expect(facts[1]?.data).toMatchObject({ outcome: 'overflowed', detail: 'no-agents' });
      expect(atLucia).toHaveLength(1);
    } finally {
      await lucia.expect('offline', 'PUT', '/api/agents/me/presence', { presence: 'offline' });
      await luciaPhone.close();
    }
  }, 90_000);
});

describe('a queue that overflows to a number', () => {
  it('puts the caller through the trunk to the number, and ends the call when it does not answer', async () => {
    let isAnswering = true;
    const atCarrier: PhoneCall[] = [];
    const carrier = await SoftPhone.open({
      server: { address: '127.0.0.1', port: sipPortOf(testServer) },
      voice: { pitchHz: 1_300, seed: 4, isSteadyTone: true, levelDbm0: -12 },
      onIncomingCall: (incoming) => {
        atCarrier.push(incoming);
        if (isAnswering) incoming.answer();
        else incoming.hangUp();
      },
    });
    try {
      const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
      await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
        outbound: { host: '127.0.0.1', port: carrier.port, transport: 'udp' },
      });
      const skill = await admin.expect<{ id: string }>('skill', 'POST', '/api/skills', {
        name: 'Mayoristas',
      });
      const refused = await admin.request('POST', '/api/queues', {
        name: 'Mayoristas',
        settings: { whenNoAgents: 'overflow', overflow: { type: 'number', number: 'a la centralita' } },
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('overflow');
      const queue = await admin.expect<{ id: string }>('queue', 'POST', '/api/queues', {
        name: 'Mayoristas',
        skills: [{ skillId: skill.id, minLevel: 1 }],
        settings: { whenNoAgents: 'overflow', overflow: { type: 'number', number: '+34 955 000 111' } },
      });
      await admin.expect('flow', 'POST', '/api/flows', {
        key: 'mayoristas',
        name: 'Mayoristas',
        document: {
          id: 'mayoristas',
          name: 'Mayoristas',
          version: 1,
          defaultLanguage: 'es',
          languages: ['es'],
          entry: 'queue',
          nodes: { queue: { type: 'queue', queue: queue.id } },
        },
      });
      await admin.expect('publish', 'POST', '/api/flows/mayoristas/versions/1/publish', {});
      await admin.expect('number', 'POST', '/api/dids', { number: '+34910000089', flowKey: 'mayoristas' });

      // The number answers: caller and carrier hear each other.
      const call = await caller.call({ number: '+34910000089', callerId: '+34600710089' });
      expect(await call.connected).toBe(true);
      const atNumber = await waitFor('the overflow number to ring', () => atCarrier[0], 20_000);
      expect(await atNumber.connected).toBe(true);
      call.listen();
      await waitFor('the carrier’s voice', () => {
        const heard = call.heard();
        return heard.length >= 8_000 && toneAmplitude(heard, 1_300, 8_000, heard.length - 4_000, 4_000) > 800
          ? true
          : undefined;
      });
      atNumber.hangUp();
      expect((await call.ended).reason).toBe('remote-hangup');

      // The number does not answer: the caller is not sent round again, the call ends.
      isAnswering = false;
      const second = await caller.call({ number: '+34910000089', callerId: '+34600710090' });
      expect(await second.connected).toBe(true);
      expect((await second.ended).reason).toBe('remote-hangup');
      expect(atCarrier).toHaveLength(2);
    } finally {
      await carrier.close();
    }
  }, 90_000);
});
