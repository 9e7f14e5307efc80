import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';
import type { ApiSession } from './call-test-peers.ts';
import {
  Baresip,
  api,
  customerScenario,
  login,
  runSippScenario,
  toneShare,
  waitFor,
  tonePcap,
} from './call-test-peers.ts';

// End to end with real peers over loopback: SIPp is the customer calling through the demo loopback trunk
// and pressing a key with RFC 4733; baresip is the agent's phone, registered with digest auth, answering
// by itself and speaking a tone. The server is the whole Centralita (SIP, media, IVR, ACD, database).

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;
const testNumber = '+34910000077';
const customerToneHz = 1_000;
const agentToneHz = 600;

let testServer: TestServer;
let admin: ApiSession;
let agent: ApiSession;
let phone: Baresip | undefined;
let queueId: string;

interface Interaction {
  id: string;
  status: string;
  queueId: string | null;
  agentId: string | null;
  customerId: string | null;
  remoteAddress: string;
  answeredAt: string | null;
  endedAt: string | null;
  startedAt: string;
  recordingRef: string | null;
  metadata: Record<string, unknown>;
}

function sipPort(): number {
  const sip = testServer.server.sip;
  if (sip === undefined) throw new Error('the test server has no SIP service');
  return sip.udpPort;
}

async function interactionsOf(callerId: string): Promise<Interaction[]> {
  const result = await testServer.server.database.pool.query<Interaction>(
    `SELECT id, status, queue_id AS "queueId", agent_id AS "agentId", customer_id AS "customerId",
            remote_address AS "remoteAddress", answered_at AS "answeredAt", ended_at AS "endedAt",
            started_at AS "startedAt", recording_ref AS "recordingRef", metadata
     FROM interactions WHERE remote_address = $1 ORDER BY started_at`,
    [callerId],
  );
  return result.rows;
}

async function eventsOf(interactionId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const result = await testServer.server.database.pool.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data FROM domain_events
     WHERE data ->> 'interactionId' = $1 OR data ->> 'contactId' = $1 ORDER BY occurred_at, id`,
    [interactionId],
  );
  return result.rows;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'calls', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
    // baresip 1.0 knows only MD5 and fails (ENOSYS) when another challenge is offered too.
    CENTRALITA_SIP_DIGEST_ALGORITHMS: 'MD5',
  });
  const baseUrl = testServer.server.url;
  admin = await login(baseUrl, 'admin@fibrasur.example');
  agent = await login(baseUrl, 'lucia.fernandez@fibrasur.example');
  const state = await api<{ queueIds: string[] }>(agent, 'GET', '/api/agents/me/state');
  expect(state.status).toBe(200);
  const firstQueue = state.body.queueIds[0];
  if (firstQueue === undefined) throw new Error('the demo agent serves no queue');
  queueId = firstQueue;
  const flow = {
    id: 'e2e-llamadas',
    name: 'Prueba de llamadas',
    version: 1,
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'welcome',
    nodes: {
      welcome: { type: 'play', prompt: { es: { text: 'Hola.' } }, next: 'menu' },
      menu: {
        type: 'menu',
        prompt: { es: { text: 'Para hablar con un agente, pulse uno.' } },
        options: { '1': { next: 'queue' } },
        retries: 1,
        timeoutMs: 8000,
        onFailure: 'goodbye',
      },
      queue: { type: 'queue', queue: queueId },
      goodbye: { type: 'hangup' },
    },
  };
  const created = await api<{ versions?: { version: number }[] }>(admin, 'POST', '/api/flows', {
    key: 'e2e-llamadas',
    name: 'Prueba de llamadas',
    document: flow,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await api(admin, 'POST', '/api/flows/e2e-llamadas/versions/1/publish', {});
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  const did = await api(admin, 'POST', '/api/dids', { number: testNumber, flowKey: 'e2e-llamadas' });
  expect(did.status, JSON.stringify(did.body)).toBe(201);
  const available = await api(agent, 'PUT', '/api/agents/me/presence', { presence: 'available' });
  expect(available.status, JSON.stringify(available.body)).toBe(200);
  phone = Baresip.start({ extension: '1001', realm, proxyPort: sipPort(), toneHz: agentToneHz });
  await waitFor(
    'baresip to register as 1001',
    async () => {
      const registrations = await api<unknown[]>(agent, 'GET', '/api/users/me/sip-registrations');
      return registrations.body.length > 0 ? true : undefined;
    },
    15_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${phone?.output ?? ''}`);
  });
}, 120_000);

afterAll(async () => {
  await phone?.stop();
  await testServer.stop();
});

describe('an inbound call through the trunk, the IVR and the queue to an agent phone', () => {
  it('is answered by the agent, recorded with both sides, and stored with its timestamps and events', async () => {
    const callerId = '+34600777001';
    const run = runSippScenario(
      customerScenario({
        number: testNumber,
        callerId,
        callerName: 'Cliente Prueba',
        digits: ['1'],
        beforeDigitsMs: 2_500,
        beforeAudioMs: 1_500,
        talkMs: 4_000,
      }),
      [
        `127.0.0.1:${String(sipPort())}`,
        '-p',
        '0',
        '-m',
        '1',
        '-s',
        testNumber.slice(1),
        '-mi',
        '127.0.0.1',
        '-mp',
        '0',
        '-timeout',
        '40s',
      ],
      45_000,
      { 'tone.pcap': tonePcap({ toneHz: customerToneHz, durationMs: 3_000, law: 'pcma' }) },
    );
    const result = await run.done;
    expect(result.exitCode, result.output).toBe(0);

    const [interaction] = await waitFor('the call to be stored as ended', async () => {
      const rows = await interactionsOf(callerId);
      return rows[0]?.endedAt === null || rows.length === 0 ? undefined : rows;
    });
    if (interaction === undefined) throw new Error('no interaction');
    expect(interaction.queueId).toBe(queueId);
    expect(interaction.agentId).toBe(agent.userId);
    expect(interaction.customerId).not.toBeNull();
    expect(interaction.answeredAt).not.toBeNull();
    expect(new Date(interaction.answeredAt ?? 0).getTime()).toBeGreaterThan(
      new Date(interaction.startedAt).getTime(),
    );
    expect(['wrap_up', 'completed']).toContain(interaction.status);
    expect(interaction.metadata['endCause']).toBe('caller-hangup');
    expect(interaction.metadata['ivrPath']).toEqual(['welcome', 'menu', 'queue']);

    const recording = await waitFor('the recording to be saved', async () => {
      const [row] = await interactionsOf(callerId);
      return row?.recordingRef ?? undefined;
    });
    expect(existsSync(recording)).toBe(true);
    expect(toneShare(recording, 0, customerToneHz), 'customer tone on the left channel').toBeGreaterThan(
      0.15,
    );
    expect(toneShare(recording, 1, agentToneHz), 'agent tone on the right channel').toBeGreaterThan(0.15);
    expect(toneShare(recording, 0, agentToneHz), 'no agent tone on the customer channel').toBeLessThan(0.05);

    const types = (await eventsOf(interaction.id)).map((event) => event.type);
    for (const type of [
      'CallReceived',
      'ContactQueued',
      'ContactAnswered',
      'CallEnded',
      'RecordingCompleted',
    ])
      expect(types, type).toContain(type);
    expect(types.indexOf('CallReceived')).toBeLessThan(types.indexOf('ContactQueued'));
    expect(types.indexOf('ContactQueued')).toBeLessThan(types.indexOf('ContactAnswered'));
  }, 60_000);
});
