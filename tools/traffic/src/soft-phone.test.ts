import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoTrafficNumber, ensureDemoTrafficFlow } from './demo-flow.ts';
import { TrafficError } from './errors.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, pressUntilRinging, sipPortOf, waitFor } from './test-support.ts';

// The soft phone against the whole server over loopback: registration with digest, a customer calling
// through the demo loopback trunk, the agent's phone ringing, answering, and either side ending the call.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;

let testServer: TestServer;
let admin: ApiSession;
let agent: ApiSession;
let agentPhone: SoftPhone;
let customerPhone: SoftPhone;
const incoming: PhoneCall[] = [];

beforeAll(async () => {
  // SHA-256 first, then MD5: the server's default order (RFC 8760 §2.4).
  testServer = await startTestServer(adminUrl, 'traffic_phone', { CENTRALITA_SIP_DOMAIN: sipDomain });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  const login = { tenant: demoAccounts.tenant, password: demoAccounts.password };
  admin = await ApiSession.login(testServer.server.url, { ...login, email: demoAccounts.admin });
  await ensureDemoTrafficFlow(admin);
  agent = await ApiSession.login(testServer.server.url, { ...login, email: demoAccounts.agents[0] });
  agentPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 130, seed: 1 },
    onIncomingCall: (call) => incoming.push(call),
  });
  customerPhone = await SoftPhone.open({ server, voice: { pitchHz: 230, seed: 2 } });
}, 120_000);

afterAll(async () => {
  await customerPhone.close();
  await agentPhone.close();
  await testServer.stop();
});

async function registrations(): Promise<{ contactUri: string; sourcePort: number }[]> {
  const answer = await agent.request('GET', '/api/users/me/sip-registrations');
  return answer.body as { contactUri: string; sourcePort: number }[];
}

async function setAvailable(): Promise<void> {
  const state = await agent.expect<{ presence: { kind: string }; status: string }>(
    'state',
    'GET',
    '/api/agents/me/state',
  );
  if (state.presence.kind !== 'available')
    await agent.expect('available', 'PUT', '/api/agents/me/presence', { presence: 'available' });
}

/** Calls the demo traffic number as a customer and presses 1 (sales: Lucía's queue) until her phone rings. */
async function callUntilAgentRings(callerId: string): Promise<{ customer: PhoneCall; atAgent: PhoneCall }> {
  const before = incoming.length;
  const customer = await customerPhone.call({
    number: demoTrafficNumber,
    callerId,
    callerName: 'Cliente Prueba',
  });
  expect(await customer.connected, 'the IVR answers the call').toBe(true);
  const atAgent = await pressUntilRinging(customer, '1', incoming, before);
  return { customer, atAgent };
}

describe('the soft phone', () => {
  it('registers with digest, and the server lists the binding of its port', async () => {
    await agentPhone.register(600);
    const bindings = await registrations();
    expect(
      bindings.some(
        (binding) => binding.sourcePort === agentPhone.port && binding.contactUri.startsWith('sip:1001@'),
      ),
      JSON.stringify(bindings),
    ).toBe(true);
  });

  it('is refused with advice about the SIP domain when the domain is wrong', async () => {
    const stranger = await SoftPhone.open({
      server: { address: '127.0.0.1', port: sipPortOf(testServer) },
      account: { username: '1002', password: demoAccounts.password, domain: 'demo.elsewhere.test' },
      voice: { pitchHz: 130, seed: 3 },
    });
    try {
      const refusal = await stranger.register().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(TrafficError);
      expect((refusal as TrafficError).code).toBe('TRAFFIC_REGISTRATION_REFUSED');
      expect((refusal as TrafficError).message).toContain('--sip-domain');
    } finally {
      await stranger.close();
    }
  });

  it('takes a customer’s call through the trunk: it rings with the caller’s name, is answered, carries audio both ways, and the agent’s BYE ends it', async () => {
    await setAvailable();
    // A customer of the demo: the phone shows the name the server knows, not the one the caller sent.
    const customers = await admin.expect<{
      items: { displayName: string; identities: { kind: string; address: string }[] }[];
    }>('customers', 'GET', '/api/customers?limit=20');
    const known = customers.items.find((item) =>
      item.identities.some((identity) => identity.kind === 'phone'),
    );
    const callerId = known?.identities.find((identity) => identity.kind === 'phone')?.address ?? '';
    const { customer, atAgent } = await callUntilAgentRings(callerId);
    expect(atAgent.remoteName).toBe(known?.displayName);
    expect(atAgent.interactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(atAgent.answer()).toBe(true);
    expect(await atAgent.connected).toBe(true);

    // The server bridges the two legs: each phone hears the other.
    await waitFor('audio at both phones', () =>
      customer.mediaStats.packetsReceived > 100 && atAgent.mediaStats.packetsReceived > 50 ? true : undefined,
    );
    const [answered] = await waitFor('the answered interaction', async () => {
      const rows = await interactionsTo(testServer, demoTrafficNumber);
      const mine = rows.filter((row) => row.remoteAddress === callerId);
      return mine[0]?.answeredAt === null ? undefined : mine;
    });
    expect(answered?.id).toBe(atAgent.interactionId);
    expect(answered?.agentId).toBe(agent.user.id);

    atAgent.hangUp();
    expect(await customer.ended).toEqual({ reason: 'remote-hangup' });
    const ended = await waitFor('the call to be stored as ended', async () => {
      const rows = await interactionsTo(testServer, demoTrafficNumber);
      const row = rows.find((candidate) => candidate.id === atAgent.interactionId);
      return row?.endedAt === null ? undefined : row;
    });
    expect(ended.metadata['endCause']).toBe('agent-hangup');
    await agent.expect('wrap-up', 'POST', `/api/interactions/${ended.id}/wrap-up`, {
      disposition: 'venta_cerrada',
    });
  });

  it('rings until the caller gives up: the CANCEL ends the ringing phone (487) and the call is abandoned', async () => {
    await waitFor('the agent to be free again', async () => {
      const state = await agent.expect<{ status: string }>('state', 'GET', '/api/agents/me/state');
      return state.status === 'idle' ? true : undefined;
    });
    await setAvailable();
    const callerId = '+34600555002';
    const { customer, atAgent } = await callUntilAgentRings(callerId);
    customer.hangUp();
    expect(await customer.ended).toEqual({ reason: 'local-hangup' });
    expect(await atAgent.ended).toEqual({ reason: 'cancelled' });
    const row = await waitFor('the abandoned call', async () => {
      const rows = await interactionsTo(testServer, demoTrafficNumber);
      const found = rows.find((candidate) => candidate.remoteAddress === callerId);
      return found?.status === 'abandoned' ? found : undefined;
    });
    expect(row.answeredAt).toBeNull();
  });
});
