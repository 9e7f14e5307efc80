import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { readWav, toneAmplitude } from '@centralita/media';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoTrafficNumber, ensureDemoTrafficFlow } from './demo-flow.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// The agent desktop's call controls that act on the phones themselves, end to end over loopback with soft
// phones of our own stack: remote answer (NOTIFY "talk"), keys sent to the customer (RFC 4733) and the
// recording paused while a card number is given. The customer and the agent each send a steady tone, so
// the recording shows where audio was kept and where silence was written.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;
const customerHz = 610;
const agentHz = 1_450;

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let customerPhone: SoftPhone;
const phones: SoftPhone[] = [];

interface LiveCall {
  phase: string;
  recording: 'off' | 'on' | 'paused';
}

/** Lucía's desk phone; `answersRemotely` as its remote-answer setting. Calls ring and wait to be answered. */
let luciaPhone: SoftPhone | undefined;

/** Lucía's phone for one test: the previous one is unregistered first (all of an agent's phones ring). */
async function openLuciaPhone(answersRemotely: boolean): Promise<PhoneCall[]> {
  if (luciaPhone !== undefined) await luciaPhone.unregister();
  const ringing: PhoneCall[] = [];
  const phone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: agentHz, seed: 3, isSteadyTone: true, levelDbm0: -12 },
    answersRemotely,
    onIncomingCall: (call) => {
      ringing.push(call);
    },
  });
  await phone.register(600);
  phones.push(phone);
  luciaPhone = phone;
  return ringing;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'desk-controls', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
    CENTRALITA_SIP_DIGEST_ALGORITHMS: 'MD5',
  });
  const login = async (email: string) =>
    ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email,
      password: demoAccounts.password,
    });
  admin = await login(demoAccounts.admin);
  lucia = await login('lucia.fernandez@fibrasur.example');
  await ensureDemoTrafficFlow(admin);
  customerPhone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    voice: { pitchHz: customerHz, seed: 1, isSteadyTone: true, levelDbm0: -12 },
  });
  phones.push(customerPhone);
}, 120_000);

afterAll(async () => {
  for (const phone of phones) await phone.close();
  await testServer.stop();
});

/** The customer calls the demo number and presses 1 (sales) until Lucía's phone rings; it is not answered. */
async function customerRingsLucia(
  ringing: PhoneCall[],
  callerId: string,
): Promise<{ customer: PhoneCall; atLucia: PhoneCall }> {
  const state = await lucia.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
  if (state.presence.kind !== 'available')
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
  const before = ringing.length;
  const customer = await customerPhone.call({ number: demoTrafficNumber, callerId });
  expect(await customer.connected).toBe(true);
  let lastKeyMs = 0;
  const atLucia = await waitFor(
    'Lucía’s phone to ring',
    () => {
      if (Date.now() - lastKeyMs > 1_500) {
        customer.sendDigit('1');
        lastKeyMs = Date.now();
      }
      return ringing[before];
    },
    20_000,
  );
  return { customer, atLucia };
}

async function liveCall(interactionId: string): Promise<LiveCall | undefined> {
  const answer = await admin.request('GET', `/api/interactions/${interactionId}/call`);
  return answer.status === 200 ? (answer.body as LiveCall) : undefined;
}

async function eventTypes(interactionId: string): Promise<string[]> {
  const result = await testServer.server.database.pool.query<{ type: string }>(
    `SELECT type FROM domain_events WHERE data ->> 'interactionId' = $1 ORDER BY occurred_at, id`,
    [interactionId],
  );
  return result.rows.map((row) => row.type);
}

/** The amplitude of `hz` on a recording channel over [fromMs, toMs). */
function levelIn(channel: Float32Array, hz: number, fromMs: number, toMs: number): number {
  const start = Math.floor((fromMs / 1000) * 8_000);
  const length = Math.floor(((toMs - fromMs) / 1000) * 8_000);
  const scaled = Array.from(channel.subarray(start, start + length), (sample) => sample * 32_768);
  return toneAmplitude(scaled, hz, 8_000);
}

describe('the desktop’s call controls', () => {
  it('answers the ringing phone, sends keys to the customer and pauses the recording, leaving silence and a marked gap', async () => {
    const ringing = await openLuciaPhone(true);
    const { customer, atLucia } = await customerRingsLucia(ringing, '+34600710001');
    const interactionId = atLucia.interactionId ?? '';
    expect(atLucia.state).toBe('ringing');

    const answered = await lucia.request('POST', `/api/interactions/${interactionId}/answer`);
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(await atLucia.connected).toBe(true);
    await waitFor('the call to be connected', async () =>
      (await liveCall(interactionId))?.phase === 'connected' ? true : undefined,
    );

    // Keys reach the customer's phone as RFC 4733 events; bad ones are refused naming the field.
    const keys = await lucia.request('POST', `/api/interactions/${interactionId}/dtmf`, { digits: '4#7' });
    expect(keys.status).toBe(200);
    await waitFor('the customer to receive 4#7', () => (customer.keysReceived === '4#7' ? true : undefined));
    const badKeys = await lucia.request('POST', `/api/interactions/${interactionId}/dtmf`, { digits: '12x' });
    expect(badKeys.status).toBe(400);
    expect(JSON.stringify(badKeys.body)).toContain('digits');

    // A stretch recorded, a stretch paused (the card number), a stretch recorded again; each measured by
    // the audio the customer's phone received meanwhile.
    expect((await liveCall(interactionId))?.recording).toBe('on');
    const stretch = async (what: string): Promise<void> => {
      customer.listen();
      await waitFor(what, () => (customer.heard().length >= 12_000 ? true : undefined), 10_000);
    };
    await stretch('1.5 s recorded');
    const paused = await lucia.request('POST', `/api/interactions/${interactionId}/recording/pause`);
    expect(paused.status).toBe(200);
    expect((paused.body as LiveCall).recording).toBe('paused');
    expect((await lucia.request('POST', `/api/interactions/${interactionId}/recording/pause`)).status).toBe(
      409,
    );
    await stretch('1.5 s paused');
    const resumed = await lucia.request('POST', `/api/interactions/${interactionId}/recording/resume`);
    expect((resumed.body as LiveCall).recording).toBe('on');
    await stretch('1.5 s recorded again');
    customer.hangUp();
    await customer.ended;

    const saved = await waitFor('the recording to be saved', async () => {
      const result = await testServer.server.database.pool.query<{
        recording_ref: string | null;
        metadata: {
          recordings?: { path: string; pauses: { startMs: number; endMs: number; reason: string }[] }[];
        };
      }>('SELECT recording_ref, metadata FROM interactions WHERE id = $1', [interactionId]);
      const row = result.rows[0];
      return row?.recording_ref !== null && row?.metadata.recordings !== undefined ? row : undefined;
    });
    const pauses = saved.metadata.recordings?.[0]?.pauses ?? [];
    expect(pauses).toHaveLength(1);
    const gap = pauses[0]!;
    expect(gap.reason).toBe('agent');
    expect(gap.endMs - gap.startMs).toBeGreaterThan(1_000);

    const wav = readWav(new Uint8Array(readFileSync(saved.recording_ref ?? '')));
    expect(wav.ok).toBe(true);
    if (!wav.ok) return;
    const [left, right] = wav.value.channels as [Float32Array, Float32Array];
    // Inside the gap (a margin off each edge): silence on both channels. Before it: both voices.
    expect(levelIn(left, customerHz, gap.startMs + 100, gap.endMs - 100)).toBeLessThan(30);
    expect(levelIn(right, agentHz, gap.startMs + 100, gap.endMs - 100)).toBeLessThan(30);
    expect(levelIn(left, customerHz, gap.startMs - 900, gap.startMs - 100)).toBeGreaterThan(800);
    expect(levelIn(right, agentHz, gap.endMs + 100, gap.endMs + 900)).toBeGreaterThan(800);

    const types = await eventTypes(interactionId);
    expect(types.indexOf('RecordingPaused')).toBeGreaterThan(-1);
    expect(types.indexOf('RecordingResumed')).toBeGreaterThan(types.indexOf('RecordingPaused'));
    await lucia.expect('wrapped up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 90_000);

  it('tells the agent to pick up by hand when the phone refuses a remote answer, and keeps the recording when the tenant forbids pausing', async () => {
    // This phone has remote answer switched off.
    const ringing = await openLuciaPhone(false);
    const { customer, atLucia } = await customerRingsLucia(ringing, '+34600710002');
    const interactionId = atLucia.interactionId ?? '';

    const refused = await lucia.request('POST', `/api/interactions/${interactionId}/answer`);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('489');
    expect(atLucia.state).toBe('ringing');
    atLucia.answer();
    expect(await atLucia.connected).toBe(true);
    await waitFor('the call to be connected', async () =>
      (await liveCall(interactionId))?.phase === 'connected' ? true : undefined,
    );

    const tenant = await admin.expect<{ settings: Record<string, unknown> }>('tenant', 'GET', '/api/tenant');
    await admin.expect('no pausing', 'PATCH', '/api/tenant', {
      settings: { recording: { policy: 'all', retentionDays: 90, agentCanPause: false } },
    });
    try {
      const forbidden = await lucia.request('POST', `/api/interactions/${interactionId}/recording/pause`);
      expect(forbidden.status).toBe(403);
      expect((await liveCall(interactionId))?.recording).toBe('on');
    } finally {
      await admin.expect('restored', 'PATCH', '/api/tenant', {
        settings: { recording: tenant.settings['recording'] },
      });
    }
    customer.hangUp();
    await customer.ended;
    await lucia.expect('wrapped up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 90_000);
});
