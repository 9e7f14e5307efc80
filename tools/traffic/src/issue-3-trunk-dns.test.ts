import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestDnsServer } from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { sipPortOf, waitFor } from './test-support.ts';

// Issue 3: a trunk's host is a DNS name, located with RFC 3263 through the DNS servers the server is told
// to use (CENTRALITA_SIP_DNS_SERVERS), here a DNS server on loopback that knows the carrier.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';

let dns: TestDnsServer;
let testServer: TestServer;
let admin: ApiSession;
let luciaPhone: SoftPhone;
let carrier: SoftPhone;
let trunkId: string;
const atCarrier: PhoneCall[] = [];

beforeAll(async () => {
  // NAPTR and SRV records are added by the test that needs them (they name the carrier's port).
  dns = await TestDnsServer.start({ a: { 'sbc.carrier.test': ['127.0.0.1'] }, naptr: {}, srv: {} });
  testServer = await startTestServer(adminUrl, 'trunk_dns', {
    CENTRALITA_SIP_DOMAIN: 'pbx.test',
    CENTRALITA_SIP_DNS_SERVERS: dns.address,
  });
  const server = { address: '127.0.0.1', port: sipPortOf(testServer) };
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  luciaPhone = await SoftPhone.open({
    server,
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 150, seed: 1 },
  });
  await luciaPhone.register(600);
  carrier = await SoftPhone.open({
    server,
    voice: { pitchHz: 250, seed: 3 },
    onIncomingCall: (call) => {
      atCarrier.push(call);
      call.answer();
    },
  });
  const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
  trunkId = trunks[0]?.id ?? '';
  await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
    outbound: { host: 'sbc.carrier.test', port: carrier.port, transport: 'udp' },
  });
}, 120_000);

afterAll(async () => {
  await luciaPhone.close();
  await carrier.close();
  await testServer.stop();
  await dns.close();
});

describe('a trunk named by its DNS name (RFC 3263)', () => {
  it('reaches the carrier at the address the configured DNS server gives for the name', async () => {
    const call = await luciaPhone.dial('612001122');
    expect(await call.connected).toBe(true);
    const answered = await waitFor('the carrier to answer', () => atCarrier[0]);
    expect(await answered.connected).toBe(true);
    // The trunk names its port: RFC 3263 §4.2 asks A/AAAA only, neither NAPTR nor SRV.
    expect(dns.questions).toContain('A sbc.carrier.test');
    expect(dns.questions.some((question) => question.startsWith('NAPTR') || question.startsWith('SRV'))).toBe(
      false,
    );
    answered.hangUp();
    expect((await call.ended).reason).toBe('remote-hangup');
  });

  it('locates a trunk given without port and transport through NAPTR, SRV and A records', async () => {
    const srv = dns.zone.srv as Record<
      string,
      { priority: number; weight: number; port: number; target: string }[]
    >;
    const naptr = dns.zone.naptr as Record<string, NonNullable<(typeof dns.zone)['naptr']>[string][number][]>;
    // The carrier prefers TCP, which this phone does not listen on; UDP is next, at the phone's own port.
    naptr['carrier.test'] = [
      {
        order: 10,
        preference: 10,
        flags: 's',
        services: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.carrier.test',
      },
      {
        order: 5,
        preference: 10,
        flags: 's',
        services: 'SIP+D2T',
        regexp: '',
        replacement: '_sip._tcp.carrier.test',
      },
    ];
    srv['_sip._udp.carrier.test'] = [
      { priority: 10, weight: 1, port: carrier.port, target: 'sbc.carrier.test' },
    ];
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
      outbound: { host: 'carrier.test', transport: 'udp' },
    });
    const asked = dns.questions.length;
    const call = await luciaPhone.dial('612001133');
    expect(await call.connected).toBe(true);
    const answered = await waitFor('the carrier to answer', () => atCarrier[1]);
    expect(await answered.connected).toBe(true);
    // A transport and no port: SRV of that transport, then the target's address (RFC 3263 §4.2).
    expect(dns.questions.slice(asked)).toEqual(
      expect.arrayContaining(['SRV _sip._udp.carrier.test', 'A sbc.carrier.test']),
    );
    expect(dns.questions.slice(asked).some((question) => question.startsWith('NAPTR'))).toBe(false);
    answered.hangUp();
    expect((await call.ended).reason).toBe('remote-hangup');

    // Neither port nor transport: NAPTR first. Its TCP record comes first but has no SRV records; UDP does.
    await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
      outbound: { host: 'carrier.test' },
    });
    const before = dns.questions.length;
    const third = await luciaPhone.dial('612001144');
    expect(await third.connected).toBe(true);
    const reached = await waitFor('the carrier to answer again', () => atCarrier[2]);
    expect(await reached.connected).toBe(true);
    expect(dns.questions.slice(before)).toEqual(
      expect.arrayContaining([
        'NAPTR carrier.test',
        'SRV _sip._tcp.carrier.test',
        'SRV _sip._udp.carrier.test',
      ]),
    );
    reached.hangUp();
    expect((await third.ended).reason).toBe('remote-hangup');
  });
});
