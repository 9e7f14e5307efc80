import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { toneAmplitude } from '@centralita/media';
import type { CapturedDatagram, SippPorts } from '@centralita/testkit';
import {
  PacketCapture,
  agentPhoneScenario,
  bindPhone,
  customerScenario,
  dtmfPcap,
  freeSippPorts,
  readPcapUdpDatagrams,
  receivedG711Audio,
  runSippScenario,
  sippPhoneArguments,
  tonePcap,
  toneShare,
} from '@centralita/testkit';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';
import { demoTenantSlug } from '../demo-seed.ts';
import type { ApiSession } from './call-test-peers.ts';
import { api, login, waitFor } from './call-test-peers.ts';

// A supervisor's whisper, checked on the wire with three SIPp phones over loopback: the customer calls
// through the demo trunk (G.711 A-law and an RFC 4733 key), the agent Lucía (1001) answers on one SIPp and
// the team lead Marta (1902) on another (µ-law), brought in by the API in whisper mode. Each phone plays a
// steady tone of its own. SIPp throws away the RTP it receives, so tcpdump captures what the server sends
// to each phone's media port, and tone detection on that audio tells whom each phone hears.

const adminUrl = inject('adminDatabaseUrl');
const testNumber = '+34910000078';
const callerId = '+34600778001';
/** One steady tone per phone, far apart (the tones of tools/traffic's call-companions.test.ts). */
const hz = { customer: 470, agent: 1_130, supervisor: 1_730 } as const;
type Party = keyof typeof hz;
const parties = Object.keys(hz) as Party[];
/** The audio judged per phone: the last 1.2 s of what it received (8 kHz). */
const listenSamples = 9_600;
/** Bounds for SIPp: a whole run of this test takes well under half of it. */
const sippTimeoutS = 80;

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let marta: ApiSession;

interface LiveCall {
  readonly phase: string;
  readonly companion: { kind: string; userId: string; mode: string; isAnswered: boolean } | null;
}

function sipPort(): number {
  const sip = testServer.server.sip;
  if (sip === undefined) throw new Error('the test server has no SIP service');
  return sip.udpPort;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'supervision_sipp');
  const baseUrl = testServer.server.url;
  admin = await login(baseUrl, 'admin@fibrasur.example');
  lucia = await login(baseUrl, 'lucia.fernandez@fibrasur.example');
  marta = await login(baseUrl, 'teamlead@fibrasur.example');
  const state = await api<{ queueIds: string[] }>(lucia, 'GET', '/api/agents/me/state');
  const queueId = state.body.queueIds[0];
  if (queueId === undefined) throw new Error('the demo agent serves no queue');
  // A menu open at any hour (the demo's main menu closes at night): key 1 queues the caller for Lucía.
  const flow = {
    id: 'e2e-supervision',
    name: 'Prueba de supervisión',
    version: 1,
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'menu',
    nodes: {
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
  for (const [route, body] of [
    ['/api/flows', { key: flow.id, name: flow.name, document: flow }],
    [`/api/flows/${flow.id}/versions/1/publish`, {}],
    ['/api/dids', { number: testNumber, flowKey: flow.id }],
  ] as const) {
    const created = await api(admin, 'POST', route, body);
    expect(created.status, `${route}: ${JSON.stringify(created.body)}`).toBeLessThan(300);
  }
  const available = await api(lucia, 'PUT', '/api/agents/me/presence', { presence: 'available' });
  expect(available.status, JSON.stringify(available.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await testServer.stop();
});

type SippRun = ReturnType<typeof runSippScenario>;

/** A phone's SIPp: it answers at once and plays its tone. */
function answeringPhone(ports: SippPorts, toneHz: number): SippRun {
  return runSippScenario(
    agentPhoneScenario(0, { isPlayingTone: true }),
    sippPhoneArguments({ sipPort: ports.sipPort, mediaPort: ports.mediaPort, timeoutS: sippTimeoutS }),
    (sippTimeoutS + 5) * 1_000,
    { 'tone.pcap': tonePcap({ toneHz, durationMs: 60_000, law: 'pcmu' }) },
  );
}

/** The customer's SIPp: calls the test number, presses 1, and talks until the far end hangs up. */
function callingCustomer(ports: SippPorts): SippRun {
  return runSippScenario(
    customerScenario({
      number: testNumber,
      callerId,
      callerName: 'Cliente Prueba',
      digits: ['1'],
      beforeDigitsMs: 2_500,
      beforeAudioMs: 500,
      // Only the bound on the wait for the BYE.
      talkMs: (sippTimeoutS - 10) * 1_000,
      isHangingUpFirst: false,
      isTalkingUntilBye: true,
    }),
    [
      `127.0.0.1:${String(sipPort())}`,
      ...sippPhoneArguments({ sipPort: ports.sipPort, mediaPort: ports.mediaPort, timeoutS: sippTimeoutS }),
      '-s',
      testNumber.slice(1),
    ],
    (sippTimeoutS + 5) * 1_000,
    {
      'tone.pcap': tonePcap({ toneHz: hz.customer, durationMs: 60_000, law: 'pcma' }),
      'dtmf-0.pcap': dtmfPcap('1', 0),
    },
  );
}

async function liveCall(interactionId: string): Promise<LiveCall | undefined> {
  const answer = await api<LiveCall>(lucia, 'GET', `/api/interactions/${interactionId}/call`);
  return answer.status === 200 ? answer.body : undefined;
}

/**
 * The tones in the last `listenSamples` of the G.711 audio that reached each phone's media port: a tone
 * counts as heard when its amplitude is clearly there, as absent when it clearly is not; anything in between
 * fails the test.
 */
function whoHears(
  datagrams: readonly CapturedDatagram[],
  ports: Readonly<Record<Party, SippPorts>>,
): Record<Party, Party[]> {
  const heard = { customer: [], agent: [], supervisor: [] } as Record<Party, Party[]>;
  for (const listener of parties) {
    const audio = receivedG711Audio(datagrams, ports[listener].mediaPort);
    const start = audio.length - listenSamples;
    expect(start, `${listener}: 1.2 s of audio received`).toBeGreaterThanOrEqual(0);
    for (const speaker of parties) {
      if (speaker === listener) continue;
      const level = toneAmplitude(audio, hz[speaker], 8_000, start, listenSamples);
      if (level > 1_500) heard[listener].push(speaker);
      else
        expect(
          level,
          `${listener} hearing ${speaker}: neither clearly there nor clearly absent`,
        ).toBeLessThan(150);
    }
  }
  return heard;
}

describe('a supervisor whispering to an agent, with SIPp phones', () => {
  it('is heard by the agent and not by the customer on the wire, and stays out of the recording', async () => {
    const ports = await freeSippPorts(parties);
    const phones: SippRun[] = [];
    const unbinds: (() => Promise<void>)[] = [];
    try {
      phones.push(answeringPhone(ports.agent, hz.agent), answeringPhone(ports.supervisor, hz.supervisor));
      for (const [session, extension, phonePorts] of [
        [lucia, '1001', ports.agent],
        [marta, '1902', ports.supervisor],
      ] as const)
        unbinds.push(
          await bindPhone(testServer.server.database, {
            tenantSlug: demoTenantSlug,
            userId: session.userId,
            extension,
            port: phonePorts.sipPort,
            userAgent: 'SIPp test phone',
          }),
        );
      phones.push(callingCustomer(ports.customer));
      const interactionId = await waitFor(
        'the agent’s phone to answer the customer',
        async () => {
          const rows = await testServer.server.database.pool.query<{ id: string }>(
            'SELECT id FROM interactions WHERE remote_address = $1 AND answered_at IS NOT NULL',
            [callerId],
          );
          return rows.rows[0]?.id;
        },
        30_000,
      );
      await waitFor('the call to be connected', async () =>
        (await liveCall(interactionId))?.phase === 'connected' ? true : undefined,
      );

      const whispering = await api<LiveCall>(marta, 'POST', `/api/interactions/${interactionId}/monitor`, {
        mode: 'whisper',
      });
      expect(whispering.status, JSON.stringify(whispering.body)).toBe(200);
      expect(whispering.body.companion).toMatchObject({ kind: 'supervisor', mode: 'whisper' });
      await waitFor('the supervisor’s phone to answer', async () =>
        (await liveCall(interactionId))?.companion?.isAnswered === true ? true : undefined,
      );

      const capture = await PacketCapture.start({
        networkInterface: 'lo',
        filter: `udp and (${parties.map((party) => `dst port ${String(ports[party].mediaPort)}`).join(' or ')})`,
      });
      let captured: Buffer;
      try {
        // Twice the audio judged, so what is judged was sent well after the supervisor's phone answered.
        await waitFor('2.4 s of audio to reach every phone', () => {
          const datagrams = readPcapUdpDatagrams(capture.captured());
          const isEnough = parties.every(
            (party) => receivedG711Audio(datagrams, ports[party].mediaPort).length >= 2 * listenSamples,
          );
          return Promise.resolve(isEnough ? true : undefined);
        });
      } finally {
        captured = await capture.stop();
      }
      expect(whoHears(readPcapUdpDatagrams(captured), ports)).toEqual({
        customer: ['agent'],
        agent: ['customer', 'supervisor'],
        supervisor: ['customer', 'agent'],
      });

      // In a whisper the agent hanging up ends the call: every phone gets its BYE.
      const hungUp = await api<{ phase: string }>(
        lucia,
        'POST',
        `/api/interactions/${interactionId}/hangup`,
        {},
      );
      expect(hungUp.status, JSON.stringify(hungUp.body)).toBe(200);
      expect(hungUp.body.phase).toBe('ended');
      const results = await Promise.all(phones.map((phone) => phone.done));
      for (const result of results) expect(result.exitCode, result.output).toBe(0);

      const stored = await waitFor('the recording to be saved', async () => {
        const rows = await testServer.server.database.pool.query<{
          recordingRef: string | null;
          metadata: Record<string, unknown>;
        }>('SELECT recording_ref AS "recordingRef", metadata FROM interactions WHERE id = $1', [
          interactionId,
        ]);
        const row = rows.rows[0];
        const recording = row?.recordingRef ?? null;
        return row === undefined || recording === null ? undefined : { recording, metadata: row.metadata };
      });
      // The customer's RFC 4733 key took the menu to the queue.
      expect(stored.metadata['ivrPath']).toEqual(['menu', 'queue']);
      const { recording } = stored;
      // The recording keeps what the customer and the agent said (docs/call-flow.md): the whisper is not in it.
      expect(toneShare(recording, 0, hz.customer), 'the customer on the left').toBeGreaterThan(0.15);
      expect(toneShare(recording, 1, hz.agent), 'the agent on the right').toBeGreaterThan(0.15);
      for (const [channel, other] of [
        [0, hz.agent],
        [1, hz.customer],
        [0, hz.supervisor],
        [1, hz.supervisor],
      ] as const)
        expect(
          toneShare(recording, channel, other),
          `no ${String(other)} Hz on channel ${String(channel)}`,
        ).toBeLessThan(0.05);

      const events = await testServer.server.database.pool.query<{
        type: string;
        data: Record<string, unknown>;
      }>(
        `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 ORDER BY occurred_at, id`,
        [interactionId],
      );
      expect(events.rows.find((event) => event.type === 'SupervisionStarted')?.data).toMatchObject({
        supervisorId: marta.userId,
        agentId: lucia.userId,
        mode: 'whisper',
      });
      expect(events.rows.map((event) => event.type)).toEqual(
        expect.arrayContaining(['CallAnswered', 'SupervisionEnded', 'CallEnded', 'RecordingCompleted']),
      );
    } finally {
      for (const phone of phones) phone.stop();
      await Promise.allSettled(phones.map((phone) => phone.done));
      for (const unbind of unbinds) await unbind();
    }
  }, 90_000);
});
