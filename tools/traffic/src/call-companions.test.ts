import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { toneAmplitude } from '@centralita/media';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoTrafficNumber, ensureDemoTrafficFlow } from './demo-flow.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// A call's third party, end to end over loopback with four phones of our own SIP and RTP stack, each
// speaking a steady tone of its own and keeping what it hears: the customer (through the demo trunk), the
// agent Lucía (1001), the team lead Marta (1902) who monitors, and the agent Carlos (1002) whom Lucía
// consults. Who hears whom is decided by detecting each tone in the audio each phone received.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;
const hz = { customer: 470, lucia: 1_130, marta: 1_730, carlos: 2_370, sofia: 2_930 } as const;
type Party = keyof typeof hz;
/** Audio gathered per check: 1.2 s at 8 kHz. */
const listenSamples = 9_600;

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let marta: ApiSession;
let carlos: ApiSession;
const phones = new Map<Party, SoftPhone>();
const incoming = new Map<Party, PhoneCall[]>();

async function openPhone(party: Party, username: string | undefined): Promise<SoftPhone> {
  incoming.set(party, []);
  const phone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    ...(username === undefined
      ? {}
      : { account: { username, password: demoAccounts.password, domain: realm } }),
    voice: { pitchHz: hz[party], seed: 1, isSteadyTone: true, levelDbm0: -12 },
    onIncomingCall: (call) => {
      incoming.get(party)?.push(call);
      call.answer();
    },
  });
  if (username !== undefined) await phone.register(600);
  phones.set(party, phone);
  return phone;
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'companions', {
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
  marta = await login('teamlead@fibrasur.example');
  carlos = await login('carlos.gomez@fibrasur.example');
  await ensureDemoTrafficFlow(admin);
  await openPhone('lucia', '1001');
  await openPhone('marta', '1902');
  await openPhone('carlos', '1002');
  await openPhone('customer', undefined);
}, 120_000);

afterAll(async () => {
  for (const phone of phones.values()) await phone.close();
  await testServer.stop();
});

interface LiveCall {
  phase: string;
  agentId: string | null;
  isHeld: boolean;
  companion: { kind: string; userId: string; mode: string; isAnswered: boolean } | null;
}

async function liveCall(interactionId: string): Promise<LiveCall | undefined> {
  const answer = await admin.request('GET', `/api/interactions/${interactionId}/call`);
  return answer.status === 200 ? (answer.body as LiveCall) : undefined;
}

/** The customer calls the demo number and presses 1 (sales) until Lucía's phone answers; both connected. */
async function customerReachesLucia(callerId: string): Promise<{ customer: PhoneCall; atLucia: PhoneCall }> {
  const state = await lucia.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
  if (state.presence.kind !== 'available')
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
  const before = incoming.get('lucia')?.length ?? 0;
  const customer = await phones.get('customer')!.call({ number: demoTrafficNumber, callerId });
  expect(await customer.connected).toBe(true);
  let lastKeyMs = 0;
  const atLucia = await waitFor(
    'Lucía’s phone to ring',
    () => {
      if (Date.now() - lastKeyMs > 1_500) {
        customer.sendDigit('1');
        lastKeyMs = Date.now();
      }
      return incoming.get('lucia')?.[before];
    },
    20_000,
  );
  expect(await atLucia.connected).toBe(true);
  await waitFor('the call to be connected', async () => {
    const live = await liveCall(atLucia.interactionId ?? '');
    return live?.phase === 'connected' ? live : undefined;
  });
  return { customer, atLucia };
}

/**
 * The tones each phone hears, all listening at once for the same stretch: a tone counts as heard when its
 * amplitude is clearly there, as absent when it is clearly not; anything in between fails the test.
 */
async function whoHears(calls: Partial<Record<Party, PhoneCall>>): Promise<Record<string, Party[]>> {
  const entries = Object.entries(calls) as [Party, PhoneCall][];
  for (const [, call] of entries) call.listen();
  await waitFor(
    'every phone to hear 1.2 s of audio',
    () => (entries.every(([, call]) => call.heard().length >= listenSamples) ? true : undefined),
    10_000,
  );
  const result: Record<string, Party[]> = {};
  for (const [listener, call] of entries) {
    const audio = call.heard();
    const heard: Party[] = [];
    for (const party of Object.keys(hz) as Party[]) {
      if (party === listener) continue;
      const level = toneAmplitude(audio, hz[party], 8_000, 0, listenSamples);
      if (level > 800) heard.push(party);
      else
        expect(level, `${listener} hearing ${party}: neither clearly there nor clearly absent`).toBeLessThan(
          150,
        );
    }
    result[listener] = heard;
  }
  return result;
}

async function eventTypes(interactionId: string): Promise<string[]> {
  const result = await testServer.server.database.pool.query<{ type: string }>(
    `SELECT type FROM domain_events WHERE data ->> 'interactionId' = $1 ORDER BY occurred_at, id`,
    [interactionId],
  );
  return result.rows.map((row) => row.type);
}

async function lastCall(party: Party, count: number): Promise<PhoneCall> {
  const call = await waitFor(`${party}’s phone to ring`, () => incoming.get(party)?.[count - 1]);
  expect(await call.connected).toBe(true);
  return call;
}

/**
 * A soft phone answering whatever the demo trunk sends out (the carrier, and whoever it puts through), with
 * the trunk pointed at it; its calls are kept in `atCarrier`. The caller closes it.
 */
async function carrierBehindTrunk(
  pitchHz: number,
  seed: number,
): Promise<{ carrier: SoftPhone; atCarrier: PhoneCall[] }> {
  const atCarrier: PhoneCall[] = [];
  const carrier = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    voice: { pitchHz, seed, isSteadyTone: true, levelDbm0: -12 },
    onIncomingCall: (call) => {
      atCarrier.push(call);
      call.answer();
    },
  });
  const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
  await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
    outbound: { host: '127.0.0.1', port: carrier.port, transport: 'udp' },
  });
  return { carrier, atCarrier };
}

describe('a supervisor on a call', () => {
  it('listens, whispers to the agent, barges in and takes the call over, each party hearing exactly whom the mode allows', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700801');
    const interactionId = atLucia.interactionId ?? '';
    expect(await whoHears({ customer, lucia: atLucia })).toEqual({
      customer: ['lucia'],
      lucia: ['customer'],
    });

    // An agent may not monitor; a supervisor's phone rings and joins listening.
    expect(
      (await lucia.request('POST', `/api/interactions/${interactionId}/monitor`, { mode: 'listen' })).status,
    ).toBe(403);
    const listening = await marta.expect<LiveCall>(
      'monitor',
      'POST',
      `/api/interactions/${interactionId}/monitor`,
      {
        mode: 'listen',
      },
    );
    expect(listening.companion).toMatchObject({ kind: 'supervisor', mode: 'listen' });
    const atMarta = await lastCall('marta', 1);
    await waitFor('the supervisor to join', async () =>
      (await liveCall(interactionId))?.companion?.isAnswered ? true : undefined,
    );
    expect(await whoHears({ customer, lucia: atLucia, marta: atMarta })).toEqual({
      customer: ['lucia'],
      lucia: ['customer'],
      marta: ['customer', 'lucia'],
    });

    await marta.expect('whisper', 'POST', `/api/interactions/${interactionId}/monitor`, { mode: 'whisper' });
    expect(await whoHears({ customer, lucia: atLucia, marta: atMarta })).toEqual({
      customer: ['lucia'],
      lucia: ['customer', 'marta'],
      marta: ['customer', 'lucia'],
    });

    await marta.expect('barge', 'POST', `/api/interactions/${interactionId}/monitor`, { mode: 'barge' });
    expect(await whoHears({ customer, lucia: atLucia, marta: atMarta })).toEqual({
      customer: ['lucia', 'marta'],
      lucia: ['customer', 'marta'],
      marta: ['customer', 'lucia'],
    });

    // Takeover: Lucía's phone is hung up and she goes to after-call work; Marta stays with the customer.
    const taken = await marta.expect<LiveCall>(
      'takeover',
      'POST',
      `/api/interactions/${interactionId}/takeover`,
    );
    expect(taken).toMatchObject({ agentId: marta.user.id, companion: null });
    expect((await atLucia.ended).reason).toBe('remote-hangup');
    expect(await whoHears({ customer, marta: atMarta })).toEqual({
      customer: ['marta'],
      marta: ['customer'],
    });
    const luciaState = await lucia.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
    // Free of the call: after-call work where the queue asks for it, else straight back to idle.
    expect(['wrap-up', 'idle']).toContain(luciaState.status);

    customer.hangUp();
    expect((await atMarta.ended).reason).toBe('remote-hangup');
    await waitFor('the call to end', async () =>
      (await liveCall(interactionId)) === undefined ? true : undefined,
    );
    const types = await eventTypes(interactionId);
    expect(types).toEqual(
      expect.arrayContaining(['SupervisionStarted', 'SupervisionModeChanged', 'CallTakenOver', 'CallEnded']),
    );
    expect(types.filter((type) => type === 'SupervisionModeChanged')).toHaveLength(2);
    expect(types.filter((type) => type === 'RecordingCompleted')).toHaveLength(2);
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {
      wrapUpNotes: 'Pasada a Marta',
    });
  }, 60_000);

  it('goes back to a two-party call when the supervisor stops monitoring', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700802');
    const interactionId = atLucia.interactionId ?? '';
    const calls = incoming.get('marta')?.length ?? 0;
    await marta.expect('monitor', 'POST', `/api/interactions/${interactionId}/monitor`, { mode: 'barge' });
    const atMarta = await lastCall('marta', calls + 1);
    await waitFor('the supervisor to join', async () =>
      (await liveCall(interactionId))?.companion?.isAnswered ? true : undefined,
    );
    expect((await carlos.request('DELETE', `/api/interactions/${interactionId}/monitor`)).status).toBe(403);
    await marta.expect('stop', 'DELETE', `/api/interactions/${interactionId}/monitor`);
    expect((await atMarta.ended).reason).toBe('remote-hangup');
    expect(await whoHears({ customer, lucia: atLucia })).toEqual({
      customer: ['lucia'],
      lucia: ['customer'],
    });
    expect((await marta.request('DELETE', `/api/interactions/${interactionId}/monitor`)).status).toBe(409);
    customer.hangUp();
    await atLucia.ended;
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 60_000);
});

describe('consulting a colleague', () => {
  it('holds the customer while Lucía talks to Carlos, joins all three, then hands the customer to Carlos (attended transfer)', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700803');
    const interactionId = atLucia.interactionId ?? '';
    const unknown = await lucia.request('POST', `/api/interactions/${interactionId}/consult`, {
      extension: '9999',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ field: 'extension' });
    expect(
      (await lucia.request('POST', `/api/interactions/${interactionId}/consult/conference`)).status,
    ).toBe(409);

    const consulting = await lucia.expect<LiveCall>(
      'consult',
      'POST',
      `/api/interactions/${interactionId}/consult`,
      {
        extension: '1002',
      },
    );
    expect(consulting).toMatchObject({ isHeld: true, companion: { kind: 'colleague', mode: 'consult' } });
    const atCarlos = await lastCall('carlos', 1);
    await waitFor('Carlos to answer', async () =>
      (await liveCall(interactionId))?.companion?.isAnswered ? true : undefined,
    );
    // The customer hears music on hold, neither of the two colleagues.
    expect(await whoHears({ customer, lucia: atLucia, carlos: atCarlos })).toEqual({
      customer: [],
      lucia: ['carlos'],
      carlos: ['lucia'],
    });

    await lucia.expect('conference', 'POST', `/api/interactions/${interactionId}/consult/conference`);
    expect(await whoHears({ customer, lucia: atLucia, carlos: atCarlos })).toEqual({
      customer: ['lucia', 'carlos'],
      lucia: ['customer', 'carlos'],
      carlos: ['customer', 'lucia'],
    });

    const transferred = await lucia.expect<LiveCall>(
      'transfer',
      'POST',
      `/api/interactions/${interactionId}/consult/transfer`,
    );
    expect(transferred).toMatchObject({ agentId: carlos.user.id, companion: null, isHeld: false });
    expect((await atLucia.ended).reason).toBe('remote-hangup');
    expect(await whoHears({ customer, carlos: atCarlos })).toEqual({
      customer: ['carlos'],
      carlos: ['customer'],
    });

    atCarlos.hangUp();
    expect((await customer.ended).reason).toBe('remote-hangup');
    await waitFor('the call to end', async () =>
      (await liveCall(interactionId)) === undefined ? true : undefined,
    );
    const events = await testServer.server.database.pool.query<{
      type: string;
      data: Record<string, unknown>;
    }>(`SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 ORDER BY occurred_at, id`, [
      interactionId,
    ]);
    const types = events.rows.map((row) => row.type);
    expect(types).toEqual(expect.arrayContaining(['ConsultStarted', 'ConferenceStarted', 'CallTransferred']));
    expect(events.rows.find((row) => row.type === 'CallTransferred')?.data).toMatchObject({
      kind: 'attended',
      targetKind: 'agent',
      targetId: carlos.user.id,
    });
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 60_000);

  it('ends a consultation with the customer still on hold, and the agent resumes', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700804');
    const interactionId = atLucia.interactionId ?? '';
    const calls = incoming.get('carlos')?.length ?? 0;
    await lucia.expect('consult', 'POST', `/api/interactions/${interactionId}/consult`, {
      userId: carlos.user.id,
    });
    const atCarlos = await lastCall('carlos', calls + 1);
    await lucia.expect('end consult', 'DELETE', `/api/interactions/${interactionId}/consult`);
    expect((await atCarlos.ended).reason).toBe('remote-hangup');
    expect(await liveCall(interactionId)).toMatchObject({ isHeld: true, companion: null });
    await lucia.expect('resume', 'POST', `/api/interactions/${interactionId}/resume`);
    expect(await whoHears({ customer, lucia: atLucia })).toEqual({
      customer: ['lucia'],
      lucia: ['customer'],
    });
    customer.hangUp();
    await atLucia.ended;
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 60_000);
});

describe('blind transfers', () => {
  it('transfers from the phone with REFER: an unknown target is refused in a NOTIFY, an extension rings and takes the customer', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700805');
    const interactionId = atLucia.interactionId ?? '';
    atLucia.refer('9999');
    await waitFor('the refusal of 9999', () =>
      atLucia.referProgress.includes('SIP/2.0 404 Not Found') ? true : undefined,
    );
    expect(atLucia.referProgress).toContain('REFER 202');
    expect(atLucia.state).toBe('connected');

    const calls = incoming.get('carlos')?.length ?? 0;
    atLucia.refer('1002');
    await waitFor('the transfer to be taken on', () =>
      atLucia.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
    );
    expect((await atLucia.ended).reason).toBe('remote-hangup');
    const atCarlos = await lastCall('carlos', calls + 1);
    expect(atCarlos.interactionId).toBe(interactionId);
    expect(await whoHears({ customer, carlos: atCarlos })).toEqual({
      customer: ['carlos'],
      carlos: ['customer'],
    });
    customer.hangUp();
    await atCarlos.ended;
    const events = await testServer.server.database.pool.query<{
      type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT type, data FROM domain_events WHERE data ->> 'interactionId' = $1 AND type = 'CallTransferred'`,
      [interactionId],
    );
    expect(events.rows[0]?.data).toMatchObject({ kind: 'blind', targetKind: 'extension', targetId: '1002' });
    await lucia.request('POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 60_000);

  it('sends the customer back to the queue when the extension of a desktop transfer does not answer', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700806');
    const interactionId = atLucia.interactionId ?? '';
    const unknown = await lucia.request('POST', `/api/interactions/${interactionId}/transfer`, {
      extension: '4999',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ field: 'extension' });
    const before = incoming.get('lucia')?.length ?? 0;
    // Sofía (1003) has no registered phone: the transfer fails and the caller waits in the queue again,
    // where Lucía (free again) is offered the call anew.
    await lucia.expect('transfer', 'POST', `/api/interactions/${interactionId}/transfer`, {
      extension: '1003',
    });
    expect((await atLucia.ended).reason).toBe('remote-hangup');
    const again = await lastCall('lucia', before + 1);
    expect(again.interactionId).toBe(interactionId);
    expect(await whoHears({ customer, lucia: again })).toEqual({ customer: ['lucia'], lucia: ['customer'] });
    customer.hangUp();
    await again.ended;
    await lucia.request('POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 60_000);
});

describe('attended transfers from the phone', () => {
  it('holds the customer, calls a colleague on a second line and joins them with REFER and Replaces; a Replaces naming no call of the phone is refused', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700807');
    const interactionId = atLucia.interactionId ?? '';

    // A Replaces that names a dialog which is not one of Lucía's other calls: 481 in the NOTIFY, nothing moves.
    atLucia.refer('1002', customer);
    await waitFor('the refusal of a foreign Replaces', () =>
      atLucia.referProgress.includes('SIP/2.0 481 Call/Transaction Does Not Exist') ? true : undefined,
    );
    expect(atLucia.state).toBe('connected');

    // The hold key, then Carlos's extension on the second line.
    expect((await atLucia.hold())?.statusCode).toBe(200);
    await waitFor('the customer to be held', async () =>
      (await liveCall(interactionId))?.isHeld === true ? true : undefined,
    );
    const calls = incoming.get('carlos')?.length ?? 0;
    const toCarlos = await phones.get('lucia')!.dial('1002');
    expect(await toCarlos.connected).toBe(true);
    const atCarlos = await lastCall('carlos', calls + 1);
    expect(await whoHears({ lucia: toCarlos, carlos: atCarlos })).toEqual({
      lucia: ['carlos'],
      carlos: ['lucia'],
    });

    // The transfer key: REFER on the held call, naming the call with Carlos.
    atLucia.refer('1002', toCarlos);
    await waitFor('the attended transfer to be taken on', () =>
      atLucia.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
    );
    expect((await atLucia.ended).reason).toBe('remote-hangup');
    expect((await toCarlos.ended).reason).toBe('remote-hangup');
    expect(atCarlos.state).toBe('connected');
    expect(await whoHears({ customer, carlos: atCarlos })).toEqual({
      customer: ['carlos'],
      carlos: ['customer'],
    });
    expect(await liveCall(interactionId)).toMatchObject({
      agentId: carlos.user.id,
      isHeld: false,
      companion: null,
    });
    // Lucía is in after-call work for the customer; her own wrap-up is hers to finish.
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});

    customer.hangUp();
    expect((await atCarlos.ended).reason).toBe('remote-hangup');
    const events = await testServer.server.database.pool.query<{
      type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT type, data FROM domain_events
        WHERE data ->> 'interactionId' = $1 AND type IN ('ConsultStarted', 'CallTransferred') ORDER BY seq`,
      [interactionId],
    );
    expect(events.rows.map((row) => row.type)).toEqual(['ConsultStarted', 'CallTransferred']);
    expect(events.rows[1]?.data).toMatchObject({
      kind: 'attended',
      targetKind: 'agent',
      targetId: carlos.user.id,
      fromAgentId: lucia.user.id,
    });
  }, 90_000);

  it('takes the REFER on the line with the colleague too, naming the held call, as some phones send it', async () => {
    const { customer, atLucia } = await customerReachesLucia('+34600700808');
    const interactionId = atLucia.interactionId ?? '';
    expect((await atLucia.hold())?.statusCode).toBe(200);
    const calls = incoming.get('carlos')?.length ?? 0;
    const toCarlos = await phones.get('lucia')!.dial('1002');
    expect(await toCarlos.connected).toBe(true);
    const atCarlos = await lastCall('carlos', calls + 1);
    toCarlos.refer('1002', atLucia);
    await waitFor('the attended transfer to be taken on', () =>
      toCarlos.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
    );
    await Promise.all([atLucia.ended, toCarlos.ended]);
    expect(await whoHears({ customer, carlos: atCarlos })).toEqual({
      customer: ['carlos'],
      carlos: ['customer'],
    });
    expect(await liveCall(interactionId)).toMatchObject({ agentId: carlos.user.id });
    atCarlos.hangUp();
    expect((await customer.ended).reason).toBe('remote-hangup');
    await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
  }, 90_000);
});

describe('an attended transfer from the phone to an outside number', () => {
  it('holds the customer, calls a number through the trunk on the second line and joins the two', async () => {
    const { carrier, atCarrier } = await carrierBehindTrunk(hz.marta, 5);
    try {
      const { customer, atLucia } = await customerReachesLucia('+34600700813');
      const interactionId = atLucia.interactionId ?? '';
      expect((await atLucia.hold())?.statusCode).toBe(200);
      // The second line: an outside expert's number, through the trunk (the carrier's phone plays their tone).
      const toExpert = await phones.get('lucia')!.dial('911222333');
      expect(await toExpert.connected).toBe(true);
      const atExpert = await waitFor('the outside number to answer', () => atCarrier[0]);
      expect(await atExpert.connected).toBe(true);
      atLucia.refer('911222333', toExpert);
      await waitFor('the attended transfer to be taken on', () =>
        atLucia.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
      );
      await Promise.all([atLucia.ended, toExpert.ended]);
      expect(await whoHears({ customer, marta: atExpert })).toEqual({
        customer: ['marta'],
        marta: ['customer'],
      });
      const transferred = await testServer.server.database.pool.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM domain_events WHERE data ->> 'interactionId' = $1 AND type = 'CallTransferred'`,
        [interactionId],
      );
      expect(transferred.rows[0]?.data).toMatchObject({
        kind: 'attended',
        targetKind: 'number',
        targetId: '+34911222333',
      });
      // The outside party hanging up ends the customer's call.
      atExpert.hangUp();
      expect((await customer.ended).reason).toBe('remote-hangup');
      await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
    } finally {
      await carrier.close();
    }
  }, 90_000);
});

describe('an agent with several phones', () => {
  it('rings every registered phone of the extension together: the first to answer takes the call and the other stops ringing', async () => {
    const ringingOnDesk: PhoneCall[] = [];
    const answeredOnSoftphone: PhoneCall[] = [];
    const sofiaPhone = async (onIncomingCall: (call: PhoneCall) => void): Promise<SoftPhone> => {
      const phone = await SoftPhone.open({
        server: { address: '127.0.0.1', port: sipPortOf(testServer) },
        account: { username: '1003', password: demoAccounts.password, domain: realm },
        voice: { pitchHz: hz.sofia, seed: 1, isSteadyTone: true, levelDbm0: -12 },
        onIncomingCall,
      });
      await phone.register(600);
      return phone;
    };
    // The desk phone rings and is never picked up; the softphone, registered last, answers.
    const desk = await sofiaPhone((call) => ringingOnDesk.push(call));
    const softphone = await sofiaPhone((call) => {
      answeredOnSoftphone.push(call);
      call.answer();
    });
    try {
      const { customer, atLucia } = await customerReachesLucia('+34600700809');
      const interactionId = atLucia.interactionId ?? '';
      await lucia.expect('transfer', 'POST', `/api/interactions/${interactionId}/transfer`, {
        extension: '1003',
      });
      const atSoftphone = await waitFor('Sofía’s softphone to answer', () => answeredOnSoftphone[0]);
      expect(await atSoftphone.connected).toBe(true);
      const atDesk = await waitFor('Sofía’s desk phone to ring', () => ringingOnDesk[0]);
      expect(atDesk.interactionId).toBe(interactionId);
      expect((await atDesk.ended).reason).toBe('cancelled');
      expect(await whoHears({ customer, sofia: atSoftphone })).toEqual({
        customer: ['sofia'],
        sofia: ['customer'],
      });
      customer.hangUp();
      expect((await atSoftphone.ended).reason).toBe('remote-hangup');
      await lucia.expect('wrap-up', 'POST', `/api/interactions/${interactionId}/wrap-up`, {});
    } finally {
      for (const phone of [desk, softphone]) {
        await phone.unregister();
        await phone.close();
      }
    }
  }, 90_000);
});

describe('calls the agent placed', () => {
  it('are held, consulted on and handed to a colleague like calls that came in; the phone’s transfer key works on them too', async () => {
    const { carrier, atCarrier } = await carrierBehindTrunk(hz.customer, 2);
    try {
      const placeToCustomer = async (
        number: string,
      ): Promise<{ interactionId: string; atLucia: PhoneCall; customer: PhoneCall }> => {
        const rung = incoming.get('lucia')?.length ?? 0;
        const reached = atCarrier.length;
        const placed = await lucia.expect<{ interactionId: string }>('call', 'POST', '/api/calls', {
          number,
        });
        const atLucia = await lastCall('lucia', rung + 1);
        const customer = await waitFor('the customer’s phone to answer', () => atCarrier[reached]);
        expect(await customer.connected).toBe(true);
        await waitFor('the placed call to be connected', async () =>
          (await liveCall(placed.interactionId))?.phase === 'connected' ? true : undefined,
        );
        return { interactionId: placed.interactionId, atLucia, customer };
      };

      // From the desktop: hold, then a consultation with Carlos, then the attended transfer.
      const first = await placeToCustomer('+34600700811');
      const held = await lucia.expect<LiveCall>(
        'hold',
        'POST',
        `/api/interactions/${first.interactionId}/hold`,
      );
      expect(held.isHeld).toBe(true);
      const calls = incoming.get('carlos')?.length ?? 0;
      await lucia.expect('consult', 'POST', `/api/interactions/${first.interactionId}/consult`, {
        userId: carlos.user.id,
      });
      const atCarlos = await lastCall('carlos', calls + 1);
      await waitFor('Carlos to answer', async () =>
        (await liveCall(first.interactionId))?.companion?.isAnswered ? true : undefined,
      );
      await lucia.expect('transfer', 'POST', `/api/interactions/${first.interactionId}/consult/transfer`);
      expect((await first.atLucia.ended).reason).toBe('remote-hangup');
      expect(await whoHears({ customer: first.customer, carlos: atCarlos })).toEqual({
        customer: ['carlos'],
        carlos: ['customer'],
      });
      first.customer.hangUp();
      expect((await atCarlos.ended).reason).toBe('remote-hangup');
      const ended = await waitFor('the placed call to be stored as ended', async () => {
        const result = await testServer.server.database.pool.query<{ status: string; ended_at: Date | null }>(
          'SELECT status, ended_at FROM interactions WHERE id = $1',
          [first.interactionId],
        );
        return result.rows[0]?.ended_at === null ? undefined : result.rows[0];
      });
      expect(ended.status).toBe('completed');
      const transferred = await testServer.server.database.pool.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM domain_events WHERE data ->> 'interactionId' = $1 AND type = 'CallTransferred'`,
        [first.interactionId],
      );
      expect(transferred.rows[0]?.data).toMatchObject({ kind: 'attended', targetId: carlos.user.id });

      // From the phone: the transfer key sends the customer to Carlos's extension.
      const second = await placeToCustomer('+34600700812');
      const before = incoming.get('carlos')?.length ?? 0;
      second.atLucia.refer('1002');
      await waitFor('the transfer to be taken on', () =>
        second.atLucia.referProgress.includes('SIP/2.0 200 OK') ? true : undefined,
      );
      expect((await second.atLucia.ended).reason).toBe('remote-hangup');
      const atCarlosAgain = await lastCall('carlos', before + 1);
      expect(await whoHears({ customer: second.customer, carlos: atCarlosAgain })).toEqual({
        customer: ['carlos'],
        carlos: ['customer'],
      });
      atCarlosAgain.hangUp();
      expect((await second.customer.ended).reason).toBe('remote-hangup');
    } finally {
      await carrier.close();
    }
  }, 90_000);
});
