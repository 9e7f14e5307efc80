import { existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { demoTenantSlug } from '../demo-seed.ts';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';
import type { SippResult } from '@centralita/testkit';
import {
  bindPhone,
  carrierScenario,
  customerScenario,
  dtmfPcap,
  freeUdpPort,
  runSippScenario,
  sippPhoneArguments,
  tonePcap,
  toneShare,
} from '@centralita/testkit';
import type { ApiSession } from './call-test-peers.ts';
import { Baresip, api, login, waitFor } from './call-test-peers.ts';

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

async function eventsOf(
  interactionId: string,
): Promise<{ type: string; data: Record<string, unknown>; occurredAt: Date }[]> {
  const result = await testServer.server.database.pool.query<{
    type: string;
    data: Record<string, unknown>;
    occurredAt: Date;
  }>(
    `SELECT type, data, occurred_at AS "occurredAt" FROM domain_events
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
        options: {
          '1': { next: 'queue' },
          '2': { next: 'message' },
          '3': { next: 'callback' },
          '4': { next: 'colleague' },
        },
        retries: 1,
        timeoutMs: 8000,
        onFailure: 'goodbye',
      },
      queue: { type: 'queue', queue: queueId },
      message: {
        type: 'voicemail',
        queue: queueId,
        prompt: { es: { text: 'Deje su mensaje.' } },
        maxDurationMs: 60000,
        ticketSubject: 'Mensaje de prueba',
        next: 'goodbye',
      },
      callback: {
        type: 'callback',
        queue: queueId,
        offerPrompt: { es: { text: 'Para que le llamemos, pulse uno.' } },
        confirmPrompt: { es: { text: 'Le llamaremos al {{callback.number|digits}}. Pulse uno.' } },
        numberPrompt: { es: { text: 'Marque el número y la almohadilla.' } },
        next: 'goodbye',
        onDecline: 'goodbye',
      },
      colleague: {
        type: 'transfer',
        to: { kind: 'extension', extension: '1002' },
        onFailure: 'goodbye',
      },
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

/** SIPp's arguments for `calls` customers (ten a second) dialling the test number, ending after `timeoutS`. */
function customerArguments(calls: number, timeoutS: number): string[] {
  return [
    `127.0.0.1:${String(sipPort())}`,
    '-p',
    '0',
    '-m',
    String(calls),
    '-l',
    String(calls),
    '-r',
    '10',
    '-s',
    testNumber.slice(1),
    '-mi',
    '127.0.0.1',
    '-mp',
    '0',
    '-timeout',
    `${String(timeoutS)}s`,
  ];
}

/** Places one customer call and waits for SIPp to finish; the caller id tells the calls of each test apart. */
async function placeCall(options: {
  readonly callerId: string;
  readonly digits?: readonly string[];
  readonly digitGapMs?: number;
  readonly beforeAudioMs?: number;
  readonly talkMs: number;
  readonly isHangingUpFirst?: boolean;
  /** Callers calling at once (default 1). */
  readonly calls?: number;
  /** SIPp drops this share of the SIP messages it sends and receives (`-lost`, percent). */
  readonly sipLossPercent?: number;
  /** The caller's RTP leaves out every N-th packet. */
  readonly rtpLossEvery?: number;
}): Promise<void> {
  const run = runSippScenario(
    customerScenario({
      number: testNumber,
      callerId: options.callerId,
      callerName: 'Cliente Prueba',
      digits: options.digits ?? ['1'],
      ...(options.digitGapMs === undefined ? {} : { digitGapMs: options.digitGapMs }),
      beforeDigitsMs: 2_500,
      beforeAudioMs: options.beforeAudioMs ?? 1_500,
      talkMs: options.talkMs,
      ...(options.isHangingUpFirst === undefined ? {} : { isHangingUpFirst: options.isHangingUpFirst }),
    }),
    [
      ...customerArguments(options.calls ?? 1, 40),
      ...(options.sipLossPercent === undefined ? [] : ['-lost', String(options.sipLossPercent)]),
    ],
    45_000,
    {
      'tone.pcap': tonePcap({
        toneHz: customerToneHz,
        durationMs: 3_000,
        law: 'pcma',
        ...(options.rtpLossEvery === undefined ? {} : { lossEvery: options.rtpLossEvery }),
      }),
      ...Object.fromEntries(
        (options.digits ?? ['1']).map((key, index) => [`dtmf-${String(index)}.pcap`, dtmfPcap(key, index)]),
      ),
    },
  );
  const result = await run.done;
  expect(result.exitCode, result.output).toBe(0);
}

/**
 * Makes the test database refuse the writes on `table` whose new row matches `condition` (SQL on NEW), until the
 * returned function is called (again harmless): `unavailable` raises 57P03 (cannot connect now, as while the
 * database restarts: the server keeps the write and retries), `refused` a plain exception (the data itself
 * refused: the server gives the write up).
 */
async function refuseWrites(options: {
  readonly name: string;
  readonly on: 'INSERT' | 'UPDATE';
  readonly table: 'interactions' | 'domain_events' | 'tickets';
  readonly condition: string;
  readonly as: 'unavailable' | 'refused';
}): Promise<() => Promise<void>> {
  const pool = testServer.server.database.pool;
  const { name, on, table, condition } = options;
  const raise =
    options.as === 'unavailable'
      ? "RAISE EXCEPTION 'the test database cannot take writes now' USING ERRCODE = '57P03'"
      : "RAISE EXCEPTION 'the test refuses this write'";
  await pool.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN ${raise}; END IF;
      RETURN NEW;
    END $$`);
  await pool.query(`CREATE TRIGGER ${name} BEFORE ${on} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  let isDropped = false;
  return async () => {
    if (isDropped) return;
    isDropped = true;
    await pool.query(`DROP TRIGGER ${name} ON ${table}`);
    await pool.query(`DROP FUNCTION ${name}()`);
  };
}

/** The agent hangs the call up from the desk; the call's phase after it. */
async function hangUpFromDesk(interactionId: string): Promise<string> {
  return (await api<{ phase: string }>(agent, 'POST', `/api/interactions/${interactionId}/hangup`, {})).body
    .phase;
}

async function endedInteraction(callerId: string): Promise<Interaction> {
  const rows = await waitFor('the call to be stored as ended', async () => {
    const found = await interactionsOf(callerId);
    return found.length === 0 || found[0]?.endedAt === null ? undefined : found;
  });
  const [interaction] = rows;
  if (interaction === undefined) throw new Error('no interaction');
  return interaction;
}

/** Replaces the agent's phone with a new baresip (answering or not); the newest registration is called. */
async function newPhone(isAnswering: boolean): Promise<void> {
  await phone?.stop();
  const before = new Set(
    (await api<{ id: string }[]>(agent, 'GET', '/api/users/me/sip-registrations')).body.map((r) => r.id),
  );
  phone = Baresip.start({ extension: '1001', realm, proxyPort: sipPort(), toneHz: agentToneHz, isAnswering });
  await waitFor(
    'baresip to register as 1001',
    async () => {
      const registrations = await api<{ id: string }[]>(agent, 'GET', '/api/users/me/sip-registrations');
      return registrations.body.some((r) => !before.has(r.id)) ? true : undefined;
    },
    15_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${phone?.output ?? ''}`);
  });
}

async function setQueueSettings(settings: Record<string, unknown>): Promise<void> {
  const queue = await api<{ settings: Record<string, unknown> }>(admin, 'GET', `/api/queues/${queueId}`);
  const changed = await api(admin, 'PATCH', `/api/queues/${queueId}`, {
    settings: { ...queue.body.settings, ...settings },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
}

/** SIPp as the carrier behind the demo trunk: the trunk's outbound settings point at it; it hangs up after `talkMs`. */
async function carrierBehindTrunk(talkMs: number, timeoutMs: number): Promise<{ done: Promise<SippResult> }> {
  const carrierPort = await freeUdpPort();
  const trunks = await api<{ id: string }[]>(admin, 'GET', '/api/sip-trunks');
  const patched = await api(admin, 'PATCH', `/api/sip-trunks/${trunks.body[0]?.id ?? ''}`, {
    outbound: { host: '127.0.0.1', port: carrierPort, transport: 'udp' },
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return runSippScenario(
    carrierScenario(talkMs),
    [
      ...sippPhoneArguments({
        sipPort: carrierPort,
        mediaPort: 0,
        timeoutS: Math.round(timeoutMs / 1000) - 5,
      }),
      '-rtp_echo',
    ],
    timeoutMs,
  );
}

/** A UDP peer that answers every INVITE 486 Busy Here; `received` keeps every message it got, in order. */
async function busyPeer(): Promise<{ socket: Socket; port: number; received: string[] }> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (message, from) => {
    const text = message.toString();
    received.push(text);
    if (!text.startsWith('INVITE ')) return;
    const copied = text
      .split('\r\n')
      .filter((line) => /^(via|from|to|call-id|cseq):/i.test(line))
      .map((line) => (/^to:/i.test(line) ? `${line};tag=busy` : line));
    socket.send(
      ['SIP/2.0 486 Busy Here', ...copied, 'Content-Length: 0', '', ''].join('\r\n'),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

/** Waits until the server holds no call in memory: every call's end was handed to the database (or stored). */
async function callsLetGo(): Promise<void> {
  const calls = testServer.server.calls;
  await waitFor('the call to be let go', () =>
    Promise.resolve(calls?.activeCalls() === 0 ? true : undefined),
  );
}

/** The test flow's voicemail ticket: its subject, the queue and the caller's customer. */
async function expectVoicemailTicket(ticketId: string, customerId: string | null): Promise<void> {
  const ticket = await api<{ subject: string; queueId: string | null; customerId: string }>(
    agent,
    'GET',
    `/api/tickets/${ticketId}`,
  );
  expect(ticket.status).toBe(200);
  expect(ticket.body.subject).toBe('Mensaje de prueba');
  expect(ticket.body.queueId).toBe(queueId);
  expect(ticket.body.customerId).toBe(customerId);
}

async function setAvailable(): Promise<void> {
  const state = await api<{ presence: { kind: string } }>(agent, 'GET', '/api/agents/me/state');
  if (state.body.presence.kind === 'available') return;
  const available = await api(agent, 'PUT', '/api/agents/me/presence', { presence: 'available' });
  expect(available.status, JSON.stringify(available.body)).toBe(200);
}

describe('an inbound call through the trunk, the IVR and the queue to an agent phone', () => {
  it('is answered by the agent, recorded with both sides, and stored with its timestamps and events', async () => {
    const callerId = '+34600777001';
    await placeCall({ callerId, talkMs: 4_000 });

    const interaction = await endedInteraction(callerId);
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

  it('completes and records a call whose SIP messages and RTP packets are lost on the way', async () => {
    const callerId = '+34600777011';
    // One SIP message in ten dropped by SIPp (retransmissions must recover), one RTP packet in ten missing.
    await placeCall({ callerId, talkMs: 4_000, sipLossPercent: 10, rtpLossEvery: 10 });
    const interaction = await endedInteraction(callerId);
    expect(interaction.answeredAt).not.toBeNull();
    expect(interaction.agentId).toBe(agent.userId);
    expect(interaction.metadata['endCause']).toBe('caller-hangup');
    const recording = await waitFor('the recording to be saved', async () => {
      const [row] = await interactionsOf(callerId);
      return row?.recordingRef ?? undefined;
    });
    expect(toneShare(recording, 0, customerToneHz), 'customer tone on the left channel').toBeGreaterThan(
      0.15,
    );
    expect(toneShare(recording, 1, agentToneHz), 'agent tone on the right channel').toBeGreaterThan(0.15);
    // The loss is measured and kept with the call.
    const quality = await waitFor('the customer leg quality', async () => {
      const [row] = await interactionsOf(callerId);
      return row?.metadata['customerQuality'] as { lossPercent: number } | undefined;
    });
    expect(quality.lossPercent).toBeGreaterThan(5);
    expect(quality.lossPercent).toBeLessThan(20);
  }, 60_000);

  it('pops the customer on the agent stream before the phone is answered, and the desktop holds, hangs up and wraps up', async () => {
    await setQueueSettings({ wrapUpSeconds: null });
    try {
      const callerId = '+34600777002';
      const stream = new WebSocket(`${testServer.server.url.replace('http', 'ws')}/api/events`, {
        headers: { cookie: agent.headers['cookie'] ?? '' },
      });
      const offered = new Promise<{ receivedAtMs: number; data: Record<string, unknown> }>((resolve) => {
        stream.on('message', (raw: Buffer) => {
          const message = JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown> };
          if (message.type === 'ContactOffered') resolve({ receivedAtMs: Date.now(), data: message.data });
        });
      });
      await new Promise((resolve) => stream.once('open', resolve));
      const call = placeCall({ callerId, talkMs: 30_000, isHangingUpFirst: false });

      const pop = await offered;
      const interactionId = String(pop.data['interactionId']);
      const screenPop = pop.data['screenPop'] as { customer: { identities: { address: string }[] } };
      expect(screenPop.customer.identities.map((identity) => identity.address)).toContain(callerId);
      const live = await waitFor('the agent to answer', async () => {
        const view = await api<{ phase: string }>(agent, 'GET', `/api/interactions/${interactionId}/call`);
        return view.body.phase === 'connected' ? view.body : undefined;
      });
      expect(live.phase).toBe('connected');
      const ringing = (await eventsOf(interactionId)).find(
        (event) => event.type === 'AgentActivityChanged' && event.data['to'] === 'ringing',
      );
      if (ringing === undefined) throw new Error('the ACD recorded no offer');
      // The bound: the screen pop is on the agent's stream within 300 ms of the offer.
      expect(pop.receivedAtMs - ringing.occurredAt.getTime()).toBeLessThanOrEqual(300);

      const held = await api<{ isHeld: boolean }>(
        agent,
        'POST',
        `/api/interactions/${interactionId}/hold`,
        {},
      );
      expect(held.body.isHeld).toBe(true);
      const resumed = await api<{ isHeld: boolean }>(
        agent,
        'POST',
        `/api/interactions/${interactionId}/resume`,
        {},
      );
      expect(resumed.body.isHeld).toBe(false);
      expect(await hangUpFromDesk(interactionId)).toBe('ended');
      await call;
      stream.close();

      const interaction = await endedInteraction(callerId);
      expect(interaction.status).toBe('wrap_up');
      expect(interaction.metadata['endCause']).toBe('agent-hangup');
      const state = await api<{ status: string }>(agent, 'GET', '/api/agents/me/state');
      expect(state.body.status).toBe('wrap-up');

      const wrapped = await api<{ disposition: string }>(
        agent,
        'POST',
        `/api/interactions/${interactionId}/wrap-up`,
        {
          disposition: 'resuelto_primer_contacto',
          wrapUpNotes: 'Router reiniciado; el cliente confirma la conexión.',
        },
      );
      expect(wrapped.status, JSON.stringify(wrapped.body)).toBe(200);
      await waitFor('the interaction to be completed', async () => {
        const [row] = await interactionsOf(callerId);
        return row?.status === 'completed' ? row : undefined;
      });
      expect((await api<{ status: string }>(agent, 'GET', '/api/agents/me/state')).body.status).toBe('idle');
      const types = (await eventsOf(interactionId)).map((event) => event.type);
      expect(types).toEqual(
        expect.arrayContaining(['CallHeld', 'CallResumed', 'CallEnded', 'InteractionUpdated']),
      );
    } finally {
      await setQueueSettings({ wrapUpSeconds: 0 });
    }
  }, 60_000);
});

describe('blind transfer to a queue', () => {
  it('queues the caller again in the other queue and the next answer is a second recorded conversation', async () => {
    const queues = (await api<{ queueIds: string[] }>(agent, 'GET', '/api/agents/me/state')).body.queueIds;
    const otherQueue = queues.find((id) => id !== queueId);
    if (otherQueue === undefined) throw new Error('the demo agent serves a single queue');
    const callerId = '+34600777007';
    const call = placeCall({ callerId, talkMs: 30_000, isHangingUpFirst: false });
    const first = await waitFor('the first agent to answer', async () => {
      const [row] = await interactionsOf(callerId);
      return row?.answeredAt === null || row === undefined ? undefined : row;
    });
    const refused = await api(agent, 'POST', `/api/interactions/${first.id}/transfer`, {
      queueId: '00000000-0000-4000-8000-000000000000',
    });
    expect(refused.status).toBe(404);
    expect((refused.body as { field: string }).field).toBe('queueId');
    const transferred = await api<{ phase: string }>(
      agent,
      'POST',
      `/api/interactions/${first.id}/transfer`,
      {
        queueId: otherQueue,
      },
    );
    expect(transferred.status, JSON.stringify(transferred.body)).toBe(200);
    expect(['queued', 'offering', 'connected']).toContain(transferred.body.phase);
    await waitFor('the second agent leg to connect', async () => {
      const view = await api<{ phase: string }>(agent, 'GET', `/api/interactions/${first.id}/call`);
      return view.body.phase === 'connected' ? true : undefined;
    });
    await api(agent, 'POST', `/api/interactions/${first.id}/hangup`, {});
    await call;
    const interaction = await endedInteraction(callerId);
    expect(interaction.queueId).toBe(otherQueue);
    const events = await eventsOf(interaction.id);
    const moved = events.find((event) => event.type === 'ContactMoved');
    expect(moved?.data).toMatchObject({ fromQueueId: queueId, toQueueId: otherQueue, reason: 'transfer' });
    expect(events.filter((event) => event.type === 'CallTransferred')).toHaveLength(1);
    expect(
      events.filter((event) => event.type === 'CallAnswered' && event.data['by'] === 'agent'),
    ).toHaveLength(2);
    let metadata: unknown;
    const recordings = await waitFor('both recordings to be saved', async () => {
      const [row] = await interactionsOf(callerId);
      metadata = row?.metadata;
      const list = row?.metadata['recordings'] as { path: string }[] | undefined;
      return list !== undefined && list.length === 2 ? list : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(metadata)}`);
    });
    expect(recordings.map((r) => existsSync(r.path))).toEqual([true, true]);
  }, 60_000);
});

describe('failure paths', () => {
  it('records an abandoned call and cancels the ringing phone when the customer hangs up during the offer', async () => {
    await newPhone(false);
    const callerId = '+34600777003';
    await placeCall({ callerId, beforeAudioMs: 3_000, talkMs: 0 });
    const interaction = await endedInteraction(callerId);
    expect(interaction.status).toBe('abandoned');
    expect(interaction.answeredAt).toBeNull();
    const events = await eventsOf(interaction.id);
    const finished = events.find((event) => event.type === 'ContactFinished');
    expect(finished?.data['outcome']).toBe('abandoned');
    const backToIdle = events.filter(
      (event) =>
        event.type === 'AgentActivityChanged' &&
        event.data['from'] === 'ringing' &&
        event.data['to'] === 'idle',
    );
    expect(backToIdle.length, 'the offer to the ringing phone was withdrawn').toBe(1);
    expect((await api<{ status: string }>(agent, 'GET', '/api/agents/me/state')).body.status).toBe('idle');
  }, 60_000);

  it('holds a call while the database cannot take its event, and answers a refused transfer with an error', async () => {
    await newPhone(true);
    const queues = (await api<{ queueIds: string[] }>(agent, 'GET', '/api/agents/me/state')).body.queueIds;
    const otherQueue = queues.find((id) => id !== queueId);
    if (otherQueue === undefined) throw new Error('the demo agent serves a single queue');
    const callerId = '+34600777097';
    const call = placeCall({ callerId, talkMs: 30_000, isHangingUpFirst: false });
    const interactionId = await waitFor(
      'the call to be stored',
      async () => (await interactionsOf(callerId))[0]?.id,
    );
    await waitFor('the agent to answer', async () => {
      const view = await api<{ phase: string }>(agent, 'GET', `/api/interactions/${interactionId}/call`);
      return view.body.phase === 'connected' ? true : undefined;
    });
    const heldEvents = async (): Promise<number> =>
      (await eventsOf(interactionId)).filter((event) => event.type === 'CallHeld').length;
    // The database cannot take the hold's event now (as while it restarts), then refuses the transfer's write
    // for good (as a constraint would).
    const allowHold = await refuseWrites({
      name: 'test_refuse_hold',
      on: 'INSERT',
      table: 'domain_events',
      condition: `NEW.type = 'CallHeld' AND NEW.data->>'interactionId' = '${interactionId}'`,
      as: 'unavailable',
    });
    const allowTransfer = await refuseWrites({
      name: 'test_refuse_transfer',
      on: 'UPDATE',
      table: 'interactions',
      condition: `NEW.id::text = '${interactionId}' AND NEW.status = 'queued'`,
      as: 'refused',
    });
    try {
      const held = await api<{ isHeld: boolean }>(
        agent,
        'POST',
        `/api/interactions/${interactionId}/hold`,
        {},
      );
      expect(held.status, JSON.stringify(held.body)).toBe(200);
      expect(held.body.isHeld).toBe(true);
      expect(await heldEvents()).toBe(0);
      await allowHold();
      // Stored by the retry, with the rest of the call's writes in order.
      await waitFor('the hold to be stored', async () => ((await heldEvents()) === 1 ? true : undefined));

      // Before, the request never got an answer.
      const transfer = await api(agent, 'POST', `/api/interactions/${interactionId}/transfer`, {
        queueId: otherQueue,
      });
      expect(transfer.status, JSON.stringify(transfer.body)).toBeGreaterThanOrEqual(500);
    } finally {
      await allowHold();
      await allowTransfer();
    }
    // The call is still the agent's, and ends from the desk.
    expect(await hangUpFromDesk(interactionId)).toBe('ended');
    await call;
    expect((await endedInteraction(callerId)).metadata['endCause']).toBe('agent-hangup');
  }, 60_000);

  it('queues and connects a caller while the database cannot take the call’s writes, and stores them afterwards', async () => {
    await newPhone(true);
    const callerId = '+34600777096';
    // The database cannot change this caller's interaction while the call goes on (as while it restarts): not
    // its queue, not its agent, not its answer. Before, the caller was never queued and heard silence.
    const allow = await refuseWrites({
      name: 'test_refuse_call_progress',
      on: 'UPDATE',
      table: 'interactions',
      condition: `NEW.remote_address = '${callerId}' AND NEW.ended_at IS NULL`,
      as: 'unavailable',
    });
    try {
      const call = placeCall({ callerId, talkMs: 3_000 });
      const interactionId = await waitFor(
        'the call to be stored',
        async () => (await interactionsOf(callerId))[0]?.id,
      );
      // The agent's desk shows the call although the database does not name its agent yet.
      await waitFor('the agent to answer', async () => {
        const view = await api<{ phase: string }>(agent, 'GET', `/api/interactions/${interactionId}/call`);
        return view.body.phase === 'connected' ? true : undefined;
      });
      const meanwhile = (await interactionsOf(callerId))[0];
      expect(meanwhile?.queueId, 'the queueing is not stored yet').toBeNull();
      expect(meanwhile?.answeredAt, 'the answer is not stored yet').toBeNull();
      await allow();
      await call;
      // Stored by the retry, in the order it happened, with the times it happened.
      const interaction = await waitFor(
        'the call to be stored as answered and ended',
        async () => {
          const [row] = await interactionsOf(callerId);
          return row?.answeredAt != null && row.endedAt !== null ? row : undefined;
        },
        40_000,
      );
      expect(interaction.status).toBe('completed');
      expect(interaction.queueId).toBe(queueId);
      expect(interaction.agentId).toBe(agent.userId);
      expect(interaction.metadata['firstQueuedAt']).toEqual(expect.any(String));
      const events = await eventsOf(interaction.id);
      const answered = events.find((event) => event.type === 'CallAnswered' && event.data['by'] === 'agent');
      const ended = events.find((event) => event.type === 'CallEnded');
      if (answered === undefined || ended === undefined)
        throw new Error('no CallAnswered or CallEnded event');
      expect(answered.occurredAt.getTime()).toBe(new Date(interaction.answeredAt ?? '').getTime());
      expect(answered.occurredAt.getTime()).toBeLessThan(ended.occurredAt.getTime());
    } finally {
      await allow();
    }
  }, 90_000);

  it('lets a call go when the database refuses its end, and stores the end once the database takes it', async () => {
    await newPhone(false);
    const callerId = '+34600777098';
    // The database cannot close this caller's interaction now, as while it restarts.
    const allow = await refuseWrites({
      name: 'test_refuse_call_end',
      on: 'UPDATE',
      table: 'interactions',
      condition: `NEW.remote_address = '${callerId}' AND NEW.ended_at IS NOT NULL`,
      as: 'unavailable',
    });
    try {
      await placeCall({ callerId, beforeAudioMs: 3_000, talkMs: 0 });
      // The call is let go all the same (before, it stayed in memory for ever and its end was lost).
      await callsLetGo();
      expect((await interactionsOf(callerId))[0]?.endedAt).toBeNull();
      await allow();
      // Stored by the retry, a second after the refusal.
      const interaction = await endedInteraction(callerId);
      expect(interaction.status).toBe('abandoned');
      expect((await eventsOf(interaction.id)).filter((event) => event.type === 'CallEnded')).toHaveLength(1);
    } finally {
      await allow();
    }
  }, 60_000);

  it('moves the offer on when the phone does not answer, and puts the agent on a break after repeated misses', async () => {
    await setQueueSettings({ offerTimeoutSeconds: 1 });
    try {
      // Three callers at once: each offer to the only agent rings out (the ACD does not offer a contact again to
      // the agent who let it ring out), and the third miss in a row puts the agent on a break.
      const callerId = '+34600777004';
      await placeCall({ callerId, beforeAudioMs: 6_000, talkMs: 0, calls: 3 });
      const calls = await waitFor('the three calls to end', async () => {
        const rows = await interactionsOf(callerId);
        return rows.length === 3 && rows.every((row) => row.endedAt !== null) ? rows : undefined;
      });
      expect(calls.map((call) => call.status)).toEqual(['abandoned', 'abandoned', 'abandoned']);
      const timeouts: string[] = [];
      for (const call of calls)
        for (const event of await eventsOf(call.id))
          if (event.type === 'AgentActivityChanged' && event.data['to'] === 'idle')
            timeouts.push(String((event.data['cause'] as { reason?: string } | undefined)?.reason));
      expect(timeouts.filter((reason) => reason === 'offer-timeout').length, timeouts.join(', ')).toBe(3);
      const state = await api<{ presence: { kind: string } }>(agent, 'GET', '/api/agents/me/state');
      expect(state.body.presence.kind, 'not ready after the misses').toBe('break');
    } finally {
      await setQueueSettings({ offerTimeoutSeconds: 20 });
      await setAvailable();
    }
  }, 60_000);

  it('moves the offer on when the phone is busy (486)', async () => {
    await phone?.stop();
    phone = undefined;
    // A phone that is always busy: its binding is stored as a REGISTER would store it.
    const busy = await busyPeer();

    const unbind = await bindPhone(testServer.server.database, {
      tenantSlug: demoTenantSlug,
      userId: agent.userId,
      extension: '1001',
      port: busy.port,
      userAgent: 'busy test phone',
    });
    try {
      const callerId = '+34600777005';
      await placeCall({ callerId, beforeAudioMs: 2_000, talkMs: 0 });
      const interaction = await endedInteraction(callerId);
      expect(interaction.status).toBe('abandoned');
      const invites = busy.received.filter((text) => text.startsWith('INVITE '));
      expect(invites.length, 'the busy phone was called').toBeGreaterThanOrEqual(1);
      const declined = (await eventsOf(interaction.id)).filter(
        (event) => event.type === 'AgentActivityChanged' && event.data['from'] === 'ringing',
      );
      expect(declined.length).toBeGreaterThanOrEqual(1);
    } finally {
      busy.socket.close();
      await unbind();
    }
  }, 60_000);

  it('passes over an agent with no registered phone without counting it as their decline, and puts them on a no-phone break', async () => {
    await phone?.stop();
    phone = undefined;
    // None of the agent's phones is registered (a phone stopped by hand may leave its binding behind).
    await testServer.server.database.pool.query('DELETE FROM sip_bindings WHERE user_id = $1', [
      agent.userId,
    ]);
    // What the agent's desktop is told.
    const stream = new WebSocket(`${testServer.server.url.replace('http', 'ws')}/api/events`, {
      headers: { cookie: agent.headers['cookie'] ?? '' },
    });
    const told: { type: string; data: Record<string, unknown> }[] = [];
    stream.on('message', (raw: Buffer) => {
      told.push(JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown> });
    });
    await new Promise((resolve) => stream.once('open', resolve));
    try {
      const callerId = '+34600777012';
      // The caller waits longer than the re-offer delay (5 s), after which an agent left available would be
      // offered the call again.
      await placeCall({ callerId, beforeAudioMs: 7_000, talkMs: 0 });
      const interaction = await endedInteraction(callerId);
      expect(interaction.status).toBe('abandoned');
      const events = await eventsOf(interaction.id);
      const offersEnded = events.filter(
        (event) => event.type === 'AgentActivityChanged' && event.data['from'] === 'ringing',
      );
      // Offered once: the agent then went on a break, instead of being offered the call again every few seconds.
      expect(offersEnded.length, 'the agent was offered the call once').toBe(1);
      // Not the agent's decline (which the reports would count against them): the offer never reached a phone.
      expect(offersEnded[0]?.data['cause']).toEqual({ by: 'system', reason: 'agent-unreachable' });
      const state = await api<{ presence: { kind: string; reason?: string } }>(
        agent,
        'GET',
        '/api/agents/me/state',
      );
      expect(state.body.presence).toEqual({ kind: 'break', reason: 'no-phone' });
      // The desktop hears of the break, and had no screen pop before it for a call that never rang; nor is
      // the call put down to the agent.
      const onBreak = await waitFor('the desktop to hear of the break', () =>
        Promise.resolve(told.find((message) => message.type === 'AgentPresenceChanged')),
      );
      expect(onBreak.data['to']).toEqual({ kind: 'break', reason: 'no-phone' });
      expect(told.filter((message) => message.type === 'ContactOffered')).toEqual([]);
      expect(interaction.agentId).toBeNull();
    } finally {
      stream.close();
      await setAvailable();
    }
  }, 60_000);

  it('rings a phone registered through an edge proxy through that proxy, with its Path as the Route (RFC 3327)', async () => {
    await phone?.stop();
    phone = undefined;
    // The edge proxy: it receives what is sent to the phone, and the phone (behind it) is busy.
    const edge = await busyPeer();
    const received = edge.received;
    const path = `<sip:edge@127.0.0.1:${String(edge.port)};lr;ob>`;
    // The phone's Contact is a private address the server cannot reach; the REGISTER came from another port.
    const unbind = await bindPhone(testServer.server.database, {
      tenantSlug: demoTenantSlug,
      userId: agent.userId,
      extension: '1001',
      port: 9,
      contactUri: 'sip:1001@10.0.0.7:5060',
      path: [path],
      userAgent: 'phone behind an edge proxy',
    });
    try {
      const callerId = '+34600777007';
      await placeCall({ callerId, beforeAudioMs: 2_000, talkMs: 0 });
      await endedInteraction(callerId);
      const invite = received.find((text) => text.startsWith('INVITE '));
      if (invite === undefined) throw new Error('no INVITE reached the edge proxy');
      expect(invite.split('\r\n')[0]).toBe('INVITE sip:1001@10.0.0.7:5060 SIP/2.0');
      expect(invite).toContain(`\r\nRoute: ${path}\r\n`);
      // The ACK of the 486 goes the same way, with the same Route (RFC 3261 §17.1.1.3).
      const ack = await waitFor('the ACK of the 486', () =>
        Promise.resolve(received.find((text) => text.startsWith('ACK '))),
      );
      expect(ack).toContain(`\r\nRoute: ${path}\r\n`);
    } finally {
      edge.socket.close();
      await unbind();
    }
  }, 60_000);

  it('hangs up a caller it answered but could not store, instead of leaving them in silence', async () => {
    const callerId = '+34600777099';
    // The database refuses this caller's interaction, as a failing database refuses every write.
    const allow = await refuseWrites({
      name: 'test_refuse_interaction',
      on: 'INSERT',
      table: 'interactions',
      condition: `NEW.remote_address = '${callerId}'`,
      as: 'refused',
    });
    try {
      const run = runSippScenario(
        // No key and no audio: after its ACK the caller only waits (10 s at most) for the server's BYE.
        customerScenario({
          number: testNumber,
          callerId,
          callerName: 'Cliente Prueba',
          digits: [],
          beforeDigitsMs: 0,
          beforeAudioMs: 0,
          talkMs: 10_000,
          isHangingUpFirst: false,
        }),
        customerArguments(1, 30),
        35_000,
      );
      const result = await run.done;
      expect(result.exitCode, result.output).toBe(0);
      expect(await interactionsOf(callerId)).toEqual([]);
    } finally {
      await allow();
    }
  }, 60_000);
});

describe('voicemail', () => {
  it('records the message after the beep and opens a ticket for the queue with it', async () => {
    const callerId = '+34600777006';
    await placeCall({ callerId, digits: ['2'], beforeAudioMs: 2_500, talkMs: 2_500 });
    const interaction = await endedInteraction(callerId);
    expect(interaction.status).toBe('completed');
    expect(interaction.metadata['ivrPath']).toEqual(['welcome', 'menu', 'message']);
    const recording = await waitFor('the message to be saved', async () => {
      const [row] = await interactionsOf(callerId);
      return row?.recordingRef ?? undefined;
    });
    expect(toneShare(recording, 0, customerToneHz), 'the caller is heard in the message').toBeGreaterThan(
      0.2,
    );
    const left = (await eventsOf(interaction.id)).find((event) => event.type === 'VoicemailLeft');
    if (left === undefined) throw new Error('no VoicemailLeft event');
    await expectVoicemailTicket(String(left.data['ticketId']), interaction.customerId);
  }, 60_000);

  it('keeps a message left while the database cannot take its ticket, and opens the ticket afterwards', async () => {
    const callerId = '+34600777095';
    const allow = await refuseWrites({
      name: 'test_refuse_voicemail_ticket',
      on: 'INSERT',
      table: 'tickets',
      condition: `NEW.subject = 'Mensaje de prueba'`,
      as: 'unavailable',
    });
    try {
      await placeCall({ callerId, digits: ['2'], beforeAudioMs: 2_500, talkMs: 2_500 });
      // The call is let go once its message has been handed to the database (and refused).
      await callsLetGo();
      const [meanwhile] = await interactionsOf(callerId);
      if (meanwhile === undefined) throw new Error('the call was not stored');
      expect((await eventsOf(meanwhile.id)).map((event) => event.type)).not.toContain('VoicemailLeft');
      await allow();
      // Before, the message was lost: no ticket, no recording on the interaction.
      const left = await waitFor(
        'the message to be stored',
        async () => (await eventsOf(meanwhile.id)).find((event) => event.type === 'VoicemailLeft'),
        40_000,
      );
      const interaction = await endedInteraction(callerId);
      expect(interaction.recordingRef).toEqual(expect.stringContaining('voicemail'));
      await expectVoicemailTicket(String(left.data['ticketId']), interaction.customerId);
    } finally {
      await allow();
    }
  }, 90_000);
});

describe('calls placed by agents', () => {
  it('click-to-call rings the agent phone first, then the customer through the trunk, and records both sides', async () => {
    await newPhone(true);
    // A free UDP port for the carrier (SIPp), and the demo trunk pointed at it.
    const carrier = await carrierBehindTrunk(2_500, 35_000);
    const placed = await api<{ interactionId: string; phase: string }>(agent, 'POST', '/api/calls', {
      number: '600 123 999',
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const result = await carrier.done;
    expect(result.exitCode, result.output).toBe(0);
    const interaction = await endedInteraction('+34600123999');
    expect(interaction.id).toBe(placed.body.interactionId);
    expect(interaction.agentId).toBe(agent.userId);
    expect(interaction.customerId).not.toBeNull();
    expect(interaction.answeredAt).not.toBeNull();
    expect(interaction.metadata['endCause']).toBe('caller-hangup');
    const recording = await waitFor('the recording to be saved', async () => {
      const [row] = await interactionsOf('+34600123999');
      return row?.recordingRef ?? undefined;
    });
    expect(toneShare(recording, 1, agentToneHz), 'the agent on the right channel').toBeGreaterThan(0.15);
    expect(toneShare(recording, 0, agentToneHz), 'the carrier echo on the customer channel').toBeGreaterThan(
      0.1,
    );
    const types = (await eventsOf(interaction.id)).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['CallReceived', 'CallAnswered', 'CallEnded', 'RecordingCompleted']),
    );
    expect(types).not.toContain('ContactQueued');
  }, 60_000);

  it('click-to-call goes on and ends while the database cannot take its writes, and stores them afterwards', async () => {
    await newPhone(true);
    const number = '+34600123998';
    // The database cannot update this call's interaction now (its answer, its end), as while it restarts.
    const allow = await refuseWrites({
      name: 'test_refuse_placed_call',
      on: 'UPDATE',
      table: 'interactions',
      condition: `NEW.remote_address = '${number}'`,
      as: 'unavailable',
    });
    try {
      const carrier = await carrierBehindTrunk(2_500, 35_000);
      const placed = await api<{ interactionId: string }>(agent, 'POST', '/api/calls', {
        number: '600 123 998',
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      // Answered, talked and hung up by the carrier all the same.
      const result = await carrier.done;
      expect(result.exitCode, result.output).toBe(0);
      await callsLetGo();
      expect((await interactionsOf(number))[0]?.endedAt).toBeNull();
      await allow();
      const interaction = await endedInteraction(number);
      expect(interaction.id).toBe(placed.body.interactionId);
      expect(interaction.answeredAt).not.toBeNull();
      expect(interaction.metadata['endCause']).toBe('caller-hangup');
    } finally {
      await allow();
    }
  }, 60_000);

  it('calls a colleague by extension: logged as internal, not recorded, not a customer contact', async () => {
    const colleague = Baresip.start({ extension: '1002', realm, proxyPort: sipPort(), toneHz: 800 });
    try {
      const carlos = await login(testServer.server.url, 'carlos.gomez@fibrasur.example');
      await waitFor(
        'the colleague phone to register',
        async () => {
          const registrations = await api<unknown[]>(carlos, 'GET', '/api/users/me/sip-registrations');
          return registrations.body.length > 0 ? true : undefined;
        },
        15_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${colleague.output}`);
      });
      const placed = await api<{ interactionId: string }>(agent, 'POST', '/api/calls', { extension: '1002' });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      await waitFor('both phones to be connected', async () => {
        const view = await api<{ phase: string }>(
          agent,
          'GET',
          `/api/interactions/${placed.body.interactionId}/call`,
        );
        return view.body.phase === 'connected' ? true : undefined;
      });
      // On a call she placed, the ACD counts her on a contact: no queue call rings her phone meanwhile.
      const during = await api<{ status: string }>(agent, 'GET', '/api/agents/me/state');
      expect(during.body.status).toBe('on-contact');
      const hungUp = await api<{ phase: string }>(
        agent,
        'POST',
        `/api/interactions/${placed.body.interactionId}/hangup`,
        {},
      );
      expect(hungUp.body.phase).toBe('ended');
      const interaction = await endedInteraction('1002');
      expect(interaction.status).toBe('completed');
      await waitFor('the agent to be free again', async () => {
        const after = await api<{ status: string }>(agent, 'GET', '/api/agents/me/state');
        return after.body.status === 'idle' ? true : undefined;
      });
      expect(interaction.recordingRef).toBeNull();
      expect(interaction.customerId).toBeNull();
      const received = (await eventsOf(interaction.id)).find((event) => event.type === 'CallReceived');
      expect(received?.data['direction']).toBe('internal');
      const unknown = await api(agent, 'POST', '/api/calls', { extension: '4999' });
      expect(unknown.status).toBe(404);
      expect((unknown.body as { field: string }).field).toBe('extension');
    } finally {
      await colleague.stop();
    }
  }, 60_000);
});

describe('callbacks', () => {
  it('calls the customer back from the queue: the agent phone first, then the number the caller confirmed', async () => {
    const carrier = await carrierBehindTrunk(2_000, 45_000);
    const callerId = '+34600777008';
    await placeCall({
      callerId,
      digits: ['3', '1', '1'],
      digitGapMs: 3_000,
      talkMs: 20_000,
      isHangingUpFirst: false,
    });
    const original = await endedInteraction(callerId);
    expect(original.metadata['ivrPath']).toEqual(['welcome', 'menu', 'callback', 'goodbye']);
    const asked = (await eventsOf(original.id)).map((event) => event.type);
    expect(asked, 'the caller confirmed the callback').toContain('CallbackRequestedByCaller');
    const carried = await carrier.done;
    expect(carried.exitCode, carried.output).toBe(0);
    const callback = await waitFor('the callback to be completed', async () => {
      const rows = await testServer.server.database.pool.query<Interaction & { direction: string }>(
        `SELECT id, status, direction, agent_id AS "agentId", answered_at AS "answeredAt", ended_at AS "endedAt",
                metadata FROM interactions WHERE metadata ->> 'callbackFor' = $1`,
        [original.id],
      );
      const row = rows.rows[0];
      return row?.endedAt === null || row === undefined ? undefined : row;
    });
    expect(callback.direction).toBe('outbound');
    expect(callback.agentId).toBe(agent.userId);
    expect(callback.answeredAt).not.toBeNull();
    const types = (await eventsOf(callback.id)).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['ContactQueued', 'ContactAnswered', 'CallAnswered', 'CallEnded']),
    );
    const finished = (await eventsOf(callback.id)).find((event) => event.type === 'ContactFinished');
    expect(finished?.data['outcome']).toBe('called-back');
  }, 90_000);
});

describe('a caller who hung up in the queue and calls back', () => {
  it('gets their place back within the window', async () => {
    // +34600777003 abandoned while Lucía's phone rang (failure paths); within five minutes their new call
    // joins the queue with the old seniority.
    const callerId = '+34600777003';
    await placeCall({ callerId, talkMs: 1_000 });
    const calls = await interactionsOf(callerId);
    const [abandoned, again] = calls;
    if (abandoned === undefined || again === undefined) throw new Error('expected two calls from the caller');
    expect(abandoned.status).toBe('abandoned');
    const reclaimed = (await eventsOf(again.id)).find((event) => event.type === 'QueuePlaceReclaimed');
    expect(reclaimed?.data['abandonedInteractionId']).toBe(abandoned.id);
    expect(again.metadata['firstQueuedAt']).toBe(abandoned.metadata['firstQueuedAt']);
  }, 60_000);
});

describe('a transfer node of the flow', () => {
  it('puts the caller through to an extension and records the conversation', async () => {
    const colleague = Baresip.start({ extension: '1002', realm, proxyPort: sipPort(), toneHz: 800 });
    try {
      const carlos = await login(testServer.server.url, 'carlos.gomez@fibrasur.example');
      // The new phone may reuse the contact of an earlier one (same port): wait for a fresh registration.
      const startedAtMs = Date.now() - 1_000;
      await waitFor(
        'the colleague phone to register',
        async () => {
          const registrations = await api<{ registeredAt: string }[]>(
            carlos,
            'GET',
            '/api/users/me/sip-registrations',
          );
          return registrations.body.some((r) => Date.parse(r.registeredAt) >= startedAtMs) ? true : undefined;
        },
        15_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${colleague.output}`);
      });
      const callerId = '+34600777009';
      await placeCall({ callerId, digits: ['4'], beforeAudioMs: 1_500, talkMs: 3_000 });
      const interaction = await endedInteraction(callerId);
      expect(interaction.metadata['ivrPath']).toEqual(['welcome', 'menu', 'colleague']);
      expect(interaction.metadata['endCause']).toBe('caller-hangup');
      const recording = await waitFor('the recording to be saved', async () => {
        const [row] = await interactionsOf(callerId);
        return row?.recordingRef ?? undefined;
      });
      expect(toneShare(recording, 0, customerToneHz), 'the caller on the left').toBeGreaterThan(0.15);
      expect(toneShare(recording, 1, 800), 'the colleague on the right').toBeGreaterThan(0.15);
    } finally {
      await colleague.stop();
    }
  }, 60_000);
});
