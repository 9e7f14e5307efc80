import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestCertificateAuthority } from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoTrafficNumber, ensureDemoTrafficFlow } from './demo-flow.ts';
import type { PhoneCall } from './phone-call.ts';
import type { PhoneTransport } from './soft-phone.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, pressUntilRinging, sipPortOf, waitFor } from './test-support.ts';

// Issue 3: an agent's phone registered over WebSocket (the HTTP server's /sip, as a browser phone) or over
// TLS takes a customer's call end to end. The server reaches it only through the connection it registered
// on: the WebSocket phone has no listener at all, and the TLS phone's Via names a port nobody dials.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';
const authority = TestCertificateAuthority.create();
const pbx = authority.issue('pbx.test', { dnsNames: ['pbx.test'], ipAddresses: ['127.0.0.1'] });
const deskPhone = authority.issue('phone.pbx.test', {
  dnsNames: ['phone.pbx.test'],
  ipAddresses: ['127.0.0.1'],
});

let testServer: TestServer;
let agent: ApiSession;
let customerPhone: SoftPhone;

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'phone_transports', {
    CENTRALITA_SIP_DOMAIN: 'pbx.test',
    CENTRALITA_SIP_TLS_PORT: '0',
    CENTRALITA_SIP_TLS_CERT: pbx.certPath,
    CENTRALITA_SIP_TLS_KEY: pbx.keyPath,
  });
  const login = { tenant: demoAccounts.tenant, password: demoAccounts.password };
  const admin = await ApiSession.login(testServer.server.url, { ...login, email: demoAccounts.admin });
  await ensureDemoTrafficFlow(admin);
  agent = await ApiSession.login(testServer.server.url, { ...login, email: demoAccounts.agents[0] });
  customerPhone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    voice: { pitchHz: 230, seed: 2 },
  });
}, 120_000);

afterAll(async () => {
  await customerPhone.close();
  await testServer.stop();
});

/** Lucía's phone (extension 1001) over `transport`, registered, with the calls that reach it. */
async function agentPhoneOver(
  transport: PhoneTransport,
): Promise<{ readonly phone: SoftPhone; readonly incoming: PhoneCall[] }> {
  const incoming: PhoneCall[] = [];
  const phone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 130, seed: 1 },
    onIncomingCall: (call) => incoming.push(call),
    transport,
  });
  await phone.register(600);
  return { phone, incoming };
}

async function bindings(): Promise<{ transport: string; sourcePort: number; contactUri: string }[]> {
  const answer = await agent.request('GET', '/api/users/me/sip-registrations');
  return answer.body as { transport: string; sourcePort: number; contactUri: string }[];
}

async function setAvailable(): Promise<void> {
  const state = await agent.expect<{ presence: { kind: string } }>('state', 'GET', '/api/agents/me/state');
  if (state.presence.kind !== 'available')
    await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
}

/** A customer calls the demo number and presses 1 (Lucía's queue) until the agent's phone rings. */
async function callUntilRinging(
  callerId: string,
  incoming: readonly PhoneCall[],
): Promise<{ readonly customer: PhoneCall; readonly atAgent: PhoneCall }> {
  const customer = await customerPhone.call({ number: demoTrafficNumber, callerId });
  expect(await customer.connected, 'the IVR answers the call').toBe(true);
  const atAgent = await pressUntilRinging(customer, '1', incoming, 0);
  return { customer, atAgent };
}

/** Answers at the agent's phone and waits until each side hears the other and the call is stored as answered. */
async function answerAndTalk(customer: PhoneCall, atAgent: PhoneCall, callerId: string): Promise<void> {
  expect(atAgent.answer()).toBe(true);
  expect(await atAgent.connected).toBe(true);
  await waitFor('audio at both phones', () =>
    customer.mediaStats.packetsReceived > 100 && atAgent.mediaStats.packetsReceived > 50 ? true : undefined,
  );
  const answered = await waitFor('the answered interaction', async () => {
    const rows = await interactionsTo(testServer, demoTrafficNumber);
    const row = rows.find((candidate) => candidate.remoteAddress === callerId);
    return row?.answeredAt === null ? undefined : row;
  });
  expect(answered.id).toBe(atAgent.interactionId);
  expect(answered.agentId).toBe(agent.user.id);
}

async function endCauseOf(interactionId: string | undefined): Promise<unknown> {
  const ended = await waitFor('the call to be stored as ended', async () => {
    const rows = await interactionsTo(testServer, demoTrafficNumber);
    const row = rows.find((candidate) => candidate.id === interactionId);
    return row?.endedAt === null ? undefined : row;
  });
  await agent.expect('wrap-up', 'POST', `/api/interactions/${ended.id}/wrap-up`, {
    disposition: 'venta_cerrada',
  });
  return ended.metadata['endCause'];
}

describe('agents’ phones on stream transports take customers’ calls', () => {
  it('rings a phone registered over WebSocket on the HTTP server, carries the call, and its BYE over the socket ends it', async () => {
    const url = `${testServer.server.url.replace(/^http/, 'ws')}/sip`;
    const { phone, incoming } = await agentPhoneOver({ protocol: 'ws', url });
    try {
      const binding = (await bindings()).find((candidate) => candidate.sourcePort === phone.port);
      expect(binding?.transport).toBe('ws');
      expect(binding?.contactUri).toMatch(/^sip:1001@[a-z0-9]+\.invalid;transport=ws$/);
      await setAvailable();
      const callerId = '+34910000701';
      const { customer, atAgent } = await callUntilRinging(callerId, incoming);
      await answerAndTalk(customer, atAgent, callerId);
      atAgent.hangUp();
      expect(await customer.ended).toEqual({ reason: 'remote-hangup' });
      expect(await endCauseOf(atAgent.interactionId)).toBe('agent-hangup');
    } finally {
      await phone.close();
    }
  });

  it('rings a phone registered over TLS through its own connection, and the customer’s hangup reaches it as a BYE over TLS', async () => {
    const tlsPort = testServer.server.sip?.tlsPort;
    if (tlsPort === undefined) throw new Error('the test server has no SIP TLS listener');
    const { phone, incoming } = await agentPhoneOver({
      protocol: 'tls',
      port: tlsPort,
      certificate: deskPhone,
      caPath: authority.certificate.certPath,
    });
    try {
      const binding = (await bindings()).find((candidate) => candidate.transport === 'tls');
      expect(binding?.contactUri).toBe(`sip:1001@127.0.0.1:${String(phone.port)};transport=tls`);
      expect(binding?.sourcePort, 'the binding keeps the connection’s port, not the listener’s').not.toBe(
        phone.port,
      );
      await setAvailable();
      const callerId = '+34910000702';
      const { customer, atAgent } = await callUntilRinging(callerId, incoming);
      await answerAndTalk(customer, atAgent, callerId);
      customer.hangUp();
      expect(await atAgent.ended).toEqual({ reason: 'remote-hangup' });
      expect(await endCauseOf(atAgent.interactionId)).toBe('caller-hangup');
    } finally {
      await phone.close();
    }
  });
});
