import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { sessionTimerDeadlines } from '@centralita/sip';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, sipPortOf, waitFor } from './test-support.ts';

// Issue 3: session timers (RFC 4028) end to end over loopback. Customers call through the demo loopback trunk
// with soft phones of our own SIP stack; Lucía's phone (1001) answers the queue's call. The test server's
// session timers are shortened (Min-SE 3 s instead of RFC 4028's 90 s) so refreshes and expiry take seconds.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';
/** A number whose flow puts the caller straight in Lucía's queue. */
const queueNumber = '+34910000431';
/** A number whose flow takes a voicemail message of up to a minute: a call that stays up on its own. */
const voicemailNumber = '+34910000432';
const minSeS = 3;
const intervalS = 9;
// Refresh at 4.5 s; without one, BYE 6 s after the last refresh (9 s less min(32 s, 9 s / 3)).
const { refreshAfterMs, expireAfterMs } = sessionTimerDeadlines(intervalS);

let testServer: TestServer;
let admin: ApiSession;
let lucia: ApiSession;
let luciaPhone: SoftPhone;
let customerPhone: SoftPhone;
/** A customer's phone that takes UPDATE (RFC 3311). */
let updatingPhone: SoftPhone;
const atLucia: PhoneCall[] = [];
/** What Lucía's phone does with a call that rings: it answers, unless a test says otherwise. */
let luciaAnswers: (call: PhoneCall) => void = (call) => {
  call.answer();
};

function header(headers: readonly { name: string; value: string }[] | undefined, name: string) {
  return headers?.find((candidate) => candidate.name.toLowerCase() === name)?.value;
}

async function publishFlow(key: string, number: string, nodes: Record<string, unknown>): Promise<void> {
  const document = {
    id: key,
    name: key,
    version: 1,
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'start',
    nodes,
  };
  await admin.expect('flow', 'POST', '/api/flows', { key, name: key, document });
  await admin.expect('publish', 'POST', `/api/flows/${key}/versions/1/publish`, {});
  await admin.expect('number', 'POST', '/api/dids', { number, flowKey: key });
}

beforeAll(async () => {
  testServer = await startTestServer(
    adminUrl,
    'session_timers',
    { CENTRALITA_SIP_DOMAIN: 'pbx.test' },
    { sessionTimer: { minSeS, defaultIntervalS: intervalS } },
  );
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  const login = (email: string) =>
    ApiSession.login(testServer.server.url, {
      tenant: demoAccounts.tenant,
      email,
      password: demoAccounts.password,
    });
  admin = await login(demoAccounts.admin);
  lucia = await login(demoAccounts.agents[0]);
  await publishFlow('e2e-timers-queue', queueNumber, { start: { type: 'queue', queue: 'ventas' } });
  await publishFlow('e2e-timers-voicemail', voicemailNumber, {
    start: {
      type: 'voicemail',
      queue: 'ventas',
      prompt: { es: { text: 'Deje su mensaje.' } },
      maxDurationMs: 60_000,
      ticketSubject: 'Mensaje',
      next: 'bye',
    },
    bye: { type: 'hangup' },
  });
  luciaPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 150, seed: 1 },
    onIncomingCall: (call) => {
      atLucia.push(call);
      luciaAnswers(call);
    },
  });
  await luciaPhone.register(600);
  customerPhone = await SoftPhone.open({ server, voice: { pitchHz: 230, seed: 2 } });
  updatingPhone = await SoftPhone.open({ server, voice: { pitchHz: 260, seed: 3 }, allowsUpdate: true });
}, 120_000);

afterAll(async () => {
  await customerPhone.close();
  await updatingPhone.close();
  await luciaPhone.close();
  await testServer.stop();
});

/** The stored interaction of a queue call from `callerId`, once it has ended. */
function storedEnding(callerId: string) {
  return waitFor('the call to be stored as ended', async () => {
    const rows = await interactionsTo(testServer, queueNumber);
    const row = rows.find((candidate) => candidate.remoteAddress === callerId);
    return row?.endedAt === null ? undefined : row;
  });
}

/** Wraps up Lucía's last call, if any, and makes her available again: the next queued call is hers. */
async function luciaIsFree(): Promise<void> {
  const previous = atLucia.at(-1)?.interactionId;
  if (previous !== undefined) await lucia.request('POST', `/api/interactions/${previous}/wrap-up`, {});
  const presence = await lucia.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
  if (presence.presence.kind !== 'available')
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
  await waitFor('Lucía to be free', async () => {
    const state = await lucia.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
    return state.status === 'idle' ? true : undefined;
  });
}

describe('session timers (RFC 4028) over loopback', () => {
  it('keeps the call up while the caller refreshes (UPDATE, then re-INVITE), and ends it on both legs as session-expired once it stops', async () => {
    await lucia.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const callerId = '+34600431001';
    const customer = await customerPhone.call({
      number: queueNumber,
      callerId,
      extraHeaders: [
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: `${String(intervalS)};refresher=uac` },
      ],
      refreshesSessionWith: ['UPDATE', 'INVITE'],
    });
    expect(await customer.connected).toBe(true);
    const connectedAtMs = Date.now();
    expect(header(customer.answerHeaders, 'session-expires')).toBe(`${String(intervalS)};refresher=uac`);
    expect(header(customer.answerHeaders, 'require')).toBe('timer');
    const atAgent = await waitFor('Lucía’s phone to take the call', () => atLucia[0]);
    expect(await atAgent.connected).toBe(true);

    // Two refreshes, each before half the interval ran out: the call outlives the first expiry point.
    await waitFor(
      'two session refreshes',
      () => (customer.sessionRefreshes.length >= 2 ? true : undefined),
      3 * refreshAfterMs,
    );
    customer.stopRefreshingSession();
    const refreshes = customer.sessionRefreshes;
    expect(refreshes.map((refresh) => [refresh.method, refresh.statusCode, refresh.sessionExpires])).toEqual([
      ['UPDATE', 200, `${String(intervalS)};refresher=uac`],
      ['INVITE', 200, `${String(intervalS)};refresher=uac`],
    ]);
    const lastRefreshAtMs = refreshes[1]?.atMs ?? 0;
    expect(customer.state).toBe('connected');
    expect(atAgent.state).toBe('connected');

    // No more refreshes: the server sends BYE on both legs before the session expires (§10).
    const [customerEnding, agentEnding] = await Promise.all([
      customer.ended.then((ending) => ({ ending, atMs: Date.now() })),
      atAgent.ended.then((ending) => ({ ending, atMs: Date.now() })),
    ]);
    expect(customerEnding.ending).toEqual({ reason: 'remote-hangup' });
    expect(agentEnding.ending).toEqual({ reason: 'remote-hangup' });
    const quietMs = customerEnding.atMs - lastRefreshAtMs;
    expect(quietMs).toBeGreaterThan(expireAfterMs - 500);
    expect(quietMs).toBeLessThan(intervalS * 1000);
    expect(customerEnding.atMs - connectedAtMs).toBeGreaterThan(2 * refreshAfterMs + expireAfterMs - 500);

    const ended = await storedEnding(callerId);
    expect(ended.metadata['endCause']).toBe('session-expired');
    const callEnded = await testServer.server.database.pool.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM domain_events WHERE type = 'CallEnded' AND data ->> 'interactionId' = $1`,
      [ended.id],
    );
    expect(callEnded.rows[0]?.data).toMatchObject({ cause: 'session-expired' });
  }, 60_000);

  it('refreshes with UPDATE at half the interval when it is the refresher and the caller allows UPDATE', async () => {
    const call = await updatingPhone.call({
      number: voicemailNumber,
      callerId: '+34600431002',
      extraHeaders: [
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: `${String(intervalS)};refresher=uas` },
      ],
    });
    expect(await call.connected).toBe(true);
    const connectedAtMs = Date.now();
    expect(header(call.answerHeaders, 'session-expires')).toBe(`${String(intervalS)};refresher=uas`);
    const refreshes = await waitFor(
      'two refreshes from the server',
      () => {
        const received = call.requestsReceived.filter((request) => request.method === 'UPDATE');
        return received.length >= 2 ? received : undefined;
      },
      3 * refreshAfterMs,
    );
    // In a refresh, `refresher` is relative to that request: `uac` is its sender, the server (RFC 4028 §7.4).
    expect(refreshes.map((request) => header(request.headers, 'session-expires'))).toEqual([
      `${String(intervalS)};refresher=uac`,
      `${String(intervalS)};refresher=uac`,
    ]);
    expect(refreshes.some((request) => request.hasBody)).toBe(false);
    // The first comes at half the interval, not before; the call is still up past the first expiry point.
    expect((refreshes[0]?.atMs ?? 0) - connectedAtMs).toBeGreaterThan(refreshAfterMs - 500);
    expect((refreshes[0]?.atMs ?? 0) - connectedAtMs).toBeLessThan(expireAfterMs);
    expect(call.state).toBe('connected');
    call.hangUp();
    expect(await call.ended).toEqual({ reason: 'local-hangup' });
  }, 30_000);

  it('refreshes with a re-INVITE (our SDP unchanged) when the caller has no timer support and no UPDATE', async () => {
    // Session-Expires without Supported: timer (a proxy on the way asked for it): we must refresh (§9).
    const call = await customerPhone.call({
      number: voicemailNumber,
      callerId: '+34600431003',
      extraHeaders: [{ name: 'Session-Expires', value: String(intervalS) }],
    });
    expect(await call.connected).toBe(true);
    expect(header(call.answerHeaders, 'session-expires')).toBe(`${String(intervalS)};refresher=uas`);
    expect(header(call.answerHeaders, 'require')).toBeUndefined();
    const refreshes = await waitFor(
      'two re-INVITEs from the server',
      () => {
        const received = call.requestsReceived.filter((request) => request.method === 'INVITE');
        return received.length >= 2 ? received : undefined;
      },
      3 * refreshAfterMs,
    );
    expect(refreshes.every((request) => request.hasBody)).toBe(true);
    expect(header(refreshes[1]?.headers, 'session-expires')).toBe(`${String(intervalS)};refresher=uac`);
    expect(call.state).toBe('connected');
    call.hangUp();
    expect(await call.ended).toEqual({ reason: 'local-hangup' });
  }, 30_000);

  it('resolves re-INVITE glare (RFC 3261 §14): both sides get 491, each retries after its delay, and the call stays up on hold', async () => {
    // A longer interval than the others: the server's retry (0-2 s after the 491) fits before expiry.
    const glareIntervalS = 16;
    const call = await customerPhone.call({
      number: voicemailNumber,
      callerId: '+34600431005',
      extraHeaders: [
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: `${String(glareIntervalS)};refresher=uas` },
      ],
    });
    expect(await call.connected).toBe(true);
    // When the server's refresh re-INVITE arrives, the phone first sends its own hold re-INVITE: each side
    // has an INVITE pending when the other's arrives.
    const held = await call.holdOnNextOffer('INVITE');
    expect(held?.statusCode).toBe(200);
    expect(new TextDecoder().decode(held?.body)).toMatch(/a=recvonly/);
    // The phone placed the call (it owns the Call-ID): it got 491 and waited 2.1 to 4 s.
    expect(call.glareRetries).toHaveLength(1);
    expect(call.glareRetries[0]?.method).toBe('INVITE');
    expect(call.glareRetries[0]?.delayMs).toBeGreaterThanOrEqual(2100);
    expect(call.glareRetries[0]?.delayMs).toBeLessThanOrEqual(4000);
    // The server got the phone's 491 and sent its refresh again 0 to 2 s later, before the phone's retry.
    const reInvites = call.requestsReceived.filter((request) => request.method === 'INVITE');
    expect(reInvites).toHaveLength(2);
    const serverRetryMs = (reInvites[1]?.atMs ?? 0) - (reInvites[0]?.atMs ?? 0);
    expect(serverRetryMs).toBeLessThan(2000 + 500);
    expect(reInvites[1]?.atMs ?? 0).toBeLessThan((call.glareRetries[0]?.atMs ?? 0) + 2100);
    expect(header(reInvites[1]?.headers, 'session-expires')).toBe(`${String(glareIntervalS)};refresher=uac`);
    expect(call.state).toBe('connected');
    call.hangUp();
    expect(await call.ended).toEqual({ reason: 'local-hangup' });
  }, 30_000);

  it('keeps the call up when the phone answers a refresh with 500, and ends both legs when it answers 481 (RFC 4028 §10)', async () => {
    await luciaIsFree();
    const callsBefore = atLucia.length;
    const callerId = '+34600431006';
    const customer = await customerPhone.call({
      number: queueNumber,
      callerId,
      extraHeaders: [
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: `${String(intervalS)};refresher=uas` },
      ],
    });
    expect(await customer.connected).toBe(true);
    const atAgent = await waitFor('Lucía’s phone to take the call', () => atLucia[callsBefore]);
    expect(await atAgent.connected).toBe(true);
    customer.answerNextReInvitesWith([500]);

    // The refresh refused with 500: the call stays up, and the server tries again before the session expires.
    await waitFor(
      'the server’s refresh',
      () => customer.requestsReceived.find((request) => request.method === 'INVITE'),
      2 * refreshAfterMs,
    );
    expect(customer.state).toBe('connected');
    expect(atAgent.state).toBe('connected');
    customer.answerNextReInvitesWith([481]);
    const refreshes = await waitFor('the server’s retry', () => {
      const received = customer.requestsReceived.filter((request) => request.method === 'INVITE');
      return received.length >= 2 ? received : undefined;
    });
    const retryMs = (refreshes[1]?.atMs ?? 0) - (refreshes[0]?.atMs ?? 0);
    expect(retryMs).toBeGreaterThan(0);
    expect(retryMs).toBeLessThan(expireAfterMs - refreshAfterMs);
    // The retry got 481: the session is gone, BYE on both legs.
    const [customerEnding, agentEnding] = await Promise.all([customer.ended, atAgent.ended]);
    expect(customerEnding).toEqual({ reason: 'remote-hangup' });
    expect(agentEnding).toEqual({ reason: 'remote-hangup' });
    const byeAtMs = customer.requestsReceived.find((request) => request.method === 'BYE')?.atMs ?? 0;
    expect(byeAtMs - (refreshes[1]?.atMs ?? 0)).toBeLessThan(1000);
    const ended = await storedEnding(callerId);
    expect(ended.metadata['endCause']).toBe('session-expired');
  }, 60_000);

  it('answers 422 with its Min-SE to an interval below it', async () => {
    const call = await customerPhone.call({
      number: voicemailNumber,
      callerId: '+34600431004',
      extraHeaders: [
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: String(minSeS - 1) },
      ],
    });
    expect(await call.ended).toMatchObject({ reason: 'failed', statusCode: 422 });
    expect(header(call.answerHeaders, 'min-se')).toBe(String(minSeS));
  });

  it('asks an agent’s phone for a session timer; the phone refreshes, and when it stops both legs end as session-expired', async () => {
    await luciaIsFree();
    const callsBefore = atLucia.length;
    luciaAnswers = (call) => {
      call.answer({ sessionExpires: `${String(intervalS)};refresher=uas`, refreshesSessionWith: ['UPDATE'] });
    };
    const callerId = '+34600431007';
    const customer = await customerPhone.call({ number: queueNumber, callerId });
    expect(await customer.connected).toBe(true);
    const atAgent = await waitFor('Lucía’s phone to take the call', () => atLucia[callsBefore]);
    expect(await atAgent.connected).toBe(true);
    // The server's INVITE offered a timer (RFC 4028 §7.1) and left the choice of refresher to the phone.
    expect(header(atAgent.inviteHeaders, 'supported')).toBe('timer');
    expect(header(atAgent.inviteHeaders, 'session-expires')).toBe(String(intervalS));
    expect(header(atAgent.inviteHeaders, 'min-se')).toBe(String(minSeS));

    await waitFor(
      'two refreshes from the phone',
      () => (atAgent.sessionRefreshes.length >= 2 ? true : undefined),
      3 * refreshAfterMs,
    );
    atAgent.stopRefreshingSession();
    expect(
      atAgent.sessionRefreshes.map((refresh) => [refresh.method, refresh.statusCode, refresh.sessionExpires]),
    ).toEqual([
      ['UPDATE', 200, `${String(intervalS)};refresher=uac`],
      ['UPDATE', 200, `${String(intervalS)};refresher=uac`],
    ]);
    const lastRefreshAtMs = atAgent.sessionRefreshes[1]?.atMs ?? 0;
    expect(customer.state).toBe('connected');

    // The phone went quiet: the server ends the agent's leg and the customer's before the session runs out.
    const [agentEnding, customerEnding] = await Promise.all([
      atAgent.ended.then((ending) => ({ ending, atMs: Date.now() })),
      customer.ended,
    ]);
    expect(agentEnding.ending).toEqual({ reason: 'remote-hangup' });
    expect(customerEnding).toEqual({ reason: 'remote-hangup' });
    const quietMs = agentEnding.atMs - lastRefreshAtMs;
    expect(quietMs).toBeGreaterThan(expireAfterMs - 500);
    expect(quietMs).toBeLessThan(intervalS * 1000);
    const ended = await storedEnding(callerId);
    expect(ended.metadata['endCause']).toBe('session-expired');
  }, 60_000);

  it('refreshes an agent’s phone itself when the phone makes the server refresher', async () => {
    await luciaIsFree();
    const callsBefore = atLucia.length;
    luciaAnswers = (call) => {
      call.answer({ sessionExpires: `${String(intervalS)};refresher=uac` });
    };
    const customer = await customerPhone.call({ number: queueNumber, callerId: '+34600431008' });
    expect(await customer.connected).toBe(true);
    const atAgent = await waitFor('Lucía’s phone to take the call', () => atLucia[callsBefore]);
    expect(await atAgent.connected).toBe(true);
    const connectedAtMs = Date.now();
    // Lucía's phone does not list UPDATE in Allow: the server refreshes with re-INVITEs offering its SDP.
    const refreshes = await waitFor(
      'two refreshes from the server',
      () => {
        const received = atAgent.requestsReceived.filter((request) => request.method === 'INVITE');
        return received.length >= 2 ? received : undefined;
      },
      3 * refreshAfterMs,
    );
    expect(refreshes.every((request) => request.hasBody)).toBe(true);
    expect(refreshes.map((request) => header(request.headers, 'session-expires'))).toEqual([
      `${String(intervalS)};refresher=uac`,
      `${String(intervalS)};refresher=uac`,
    ]);
    expect((refreshes[0]?.atMs ?? 0) - connectedAtMs).toBeGreaterThan(refreshAfterMs - 500);
    expect((refreshes[1]?.atMs ?? 0) - connectedAtMs).toBeGreaterThan(expireAfterMs);
    expect(atAgent.state).toBe('connected');
    expect(customer.state).toBe('connected');
    customer.hangUp();
    expect(await atAgent.ended).toEqual({ reason: 'remote-hangup' });
  }, 30_000);

  it('asks an agent’s phone again with its Min-SE when it answers 422', async () => {
    await luciaIsFree();
    const callsBefore = atLucia.length;
    const phoneMinSeS = 3 * intervalS;
    luciaAnswers = (call) => {
      if (atLucia.length === callsBefore + 1) call.refuseSessionInterval(phoneMinSeS);
      else call.answer({ sessionExpires: `${String(phoneMinSeS)};refresher=uas` });
    };
    const customer = await customerPhone.call({ number: queueNumber, callerId: '+34600431009' });
    expect(await customer.connected).toBe(true);
    const [refused, retried] = await waitFor('the INVITE and its retry', () =>
      atLucia.length >= callsBefore + 2 ? atLucia.slice(callsBefore) : undefined,
    );
    expect(await refused?.ended).toEqual({ reason: 'declined', statusCode: 422 });
    expect(header(retried?.inviteHeaders, 'session-expires')).toBe(String(phoneMinSeS));
    expect(header(retried?.inviteHeaders, 'min-se')).toBe(String(phoneMinSeS));
    // The same call asked again (RFC 4028 §7.3): same Call-ID, the next CSeq.
    expect(header(retried?.inviteHeaders, 'call-id')).toBe(header(refused?.inviteHeaders, 'call-id'));
    expect(header(retried?.inviteHeaders, 'cseq')).toBe('2 INVITE');
    expect(await retried?.connected).toBe(true);
    customer.hangUp();
    expect(await retried?.ended).toEqual({ reason: 'remote-hangup' });
    luciaAnswers = (call) => {
      call.answer();
    };
  }, 30_000);
});
