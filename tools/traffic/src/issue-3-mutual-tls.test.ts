import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SipRequest, UasPolicy } from '@centralita/sip';
import { SipEndpoint } from '@centralita/sip-transport';
import type { SipListener } from '@centralita/sip-transport';
import { TestCertificateAuthority, TestDnsServer } from '@centralita/testkit';
import type { TestCertificate } from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, sipPortOf, waitFor } from './test-support.ts';

// Issue 3, mutual TLS: the server's SIP TLS listener requires a client certificate signed by the CA bundle
// (CENTRALITA_SIP_TLS_CLIENT_CERT=require), and its own certificate goes with every TLS connection it opens
// to a trunk, whose certificate is checked against the trunk's host name. Certificates are made for the test.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'],
  supportedUriSchemes: ['sip'],
  supportedExtensions: [],
  acceptedContentTypes: ['application/sdp'],
};

/** A carrier's SBC on TLS that requires our certificate, and answers every INVITE 486 Busy Here. */
async function tlsCarrier(
  certificate: TestCertificate,
  authority: TestCertificateAuthority,
): Promise<{
  readonly endpoint: SipEndpoint;
  readonly listener: SipListener;
  readonly invites: SipRequest[];
}> {
  const invites: SipRequest[] = [];
  const endpoint = new SipEndpoint({
    policy,
    transactionUser: {
      onRequest: (transaction) => {
        if (transaction.request.method !== 'INVITE') {
          transaction.reply(200, 'OK');
          return;
        }
        invites.push(transaction.request);
        transaction.reply(486, 'Busy Here');
      },
    },
  });
  const listener = await endpoint.listen({
    protocol: 'tls',
    host: '127.0.0.1',
    port: 0,
    tls: {
      certPath: certificate.certPath,
      keyPath: certificate.keyPath,
      caPath: authority.certificate.certPath,
      clientCertificates: 'require',
    },
  });
  return { endpoint, listener, invites };
}

/** OPTIONS to the server over TLS with the client certificate given (if any): answered 200, or refused. */
async function optionsOverTls(
  port: number,
  client: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer },
  callId: string,
): Promise<'answered' | 'refused'> {
  const socket = connectTls({ port, host: '127.0.0.1', servername: 'pbx.test', ...client });
  try {
    return await new Promise((resolve) => {
      socket.on('error', () => {
        resolve('refused');
      });
      socket.on('close', () => {
        resolve('refused');
      });
      socket.on('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('SIP/2.0 200')) resolve('answered');
      });
      socket.once('secureConnect', () => {
        const { localPort } = socket;
        socket.write(
          [
            'OPTIONS sip:pbx.test SIP/2.0',
            `Via: SIP/2.0/TLS 127.0.0.1:${String(localPort)};branch=z9hG4bK-${callId}`,
            'Max-Forwards: 70',
            `From: <sip:phone@pbx.test>;tag=${callId}`,
            'To: <sip:pbx.test>',
            `Call-ID: ${callId}`,
            'CSeq: 1 OPTIONS',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        );
      });
    });
  } finally {
    socket.destroy();
  }
}

const authority = TestCertificateAuthority.create();
const pbx = authority.issue('pbx.test', { dnsNames: ['pbx.test'], ipAddresses: ['127.0.0.1'] });

let dns: TestDnsServer;
let testServer: TestServer;
let admin: ApiSession;
let luciaPhone: SoftPhone;
let trunkId: string;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dns = await TestDnsServer.start({ a: { 'sbc.carrier.test': ['127.0.0.1'] }, naptr: {}, srv: {} });
  testServer = await startTestServer(adminUrl, 'mutual_tls', {
    CENTRALITA_SIP_DOMAIN: 'pbx.test',
    CENTRALITA_SIP_DNS_SERVERS: dns.address,
    CENTRALITA_SIP_TLS_PORT: '0',
    CENTRALITA_SIP_TLS_CERT: pbx.certPath,
    CENTRALITA_SIP_TLS_KEY: pbx.keyPath,
    CENTRALITA_SIP_TLS_CA: authority.certificate.certPath,
    CENTRALITA_SIP_TLS_CLIENT_CERT: 'require',
  });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  luciaPhone = await SoftPhone.open({
    server: { address: '127.0.0.1', port: sipPortOf(testServer) },
    account: { username: '1001', password: demoAccounts.password, domain: realm },
    voice: { pitchHz: 150, seed: 1 },
  });
  await luciaPhone.register(600);
  const trunks = await admin.expect<{ id: string }[]>('trunks', 'GET', '/api/sip-trunks');
  trunkId = trunks[0]?.id ?? '';
}, 120_000);

afterAll(async () => {
  await luciaPhone.close();
  for (const closer of closers) await closer.close();
  await testServer.stop();
  await dns.close();
});

/** The trunk sends its calls to `sbc.carrier.test` on `port` over TLS. */
async function trunkTo(port: number): Promise<void> {
  await admin.expect('trunk', 'PATCH', `/api/sip-trunks/${trunkId}`, {
    outbound: { host: 'sbc.carrier.test', port, transport: 'tls' },
  });
}

async function ivrPathOf(number: string): Promise<unknown> {
  const stored = await waitFor(`the call to ${number} to be stored as ended`, async () => {
    const [row] = await interactionsTo(testServer, number);
    return row?.endedAt === null ? undefined : row;
  });
  return stored.metadata['ivrPath'];
}

describe('mutual TLS on the SIP TLS listener (CENTRALITA_SIP_TLS_CLIENT_CERT=require)', () => {
  it('lets in a peer whose certificate the CA bundle signed, and refuses one without a certificate or with an untrusted one', async () => {
    const port = testServer.server.sip?.tlsPort;
    expect(port).toBeGreaterThan(0);
    const ca = authority.certificate.cert;
    const phone = authority.issue('phone-1001');
    const stranger = TestCertificateAuthority.create('Someone Else').issue('phone-1001');
    expect(await optionsOverTls(port ?? 0, { ca, cert: phone.cert, key: phone.key }, 'mtls-signed')).toBe(
      'answered',
    );
    expect(await optionsOverTls(port ?? 0, { ca }, 'mtls-none')).toBe('refused');
    expect(
      await optionsOverTls(port ?? 0, { ca, cert: stranger.cert, key: stranger.key }, 'mtls-untrusted'),
    ).toBe('refused');
  });
});

describe('outbound TLS to a trunk', () => {
  it('presents our certificate to a carrier that requires one, and checks the carrier’s against the trunk’s host name', async () => {
    // The carrier's certificate names sbc.carrier.test only, not 127.0.0.1: it verifies only by the trunk's name.
    const carrier = await tlsCarrier(authority.issue('sbc', { dnsNames: ['sbc.carrier.test'] }), authority);
    closers.push(carrier.endpoint);
    await trunkTo(carrier.listener.port);
    const call = await luciaPhone.dial('612001301');
    expect(await call.connected).toBe(true);
    await waitFor('the INVITE at the carrier', () => carrier.invites[0]);
    expect(carrier.invites[0]?.requestUri).toMatchObject({ host: { name: 'sbc.carrier.test' } });
    // The carrier is busy: the flow says the call could not be completed.
    expect((await call.ended).reason).toBe('remote-hangup');
    expect(await ivrPathOf('612001301')).toEqual(['connect', 'unavailable', 'bye']);
  });

  it('does not send the call to a carrier whose certificate is for another name', async () => {
    const impostor = await tlsCarrier(
      authority.issue('other', { dnsNames: ['other.carrier.test'] }),
      authority,
    );
    closers.push(impostor.endpoint);
    await trunkTo(impostor.listener.port);
    const call = await luciaPhone.dial('612001302');
    expect(await call.connected).toBe(true);
    expect((await call.ended).reason).toBe('remote-hangup');
    expect(await ivrPathOf('612001302')).toEqual(['connect', 'unavailable', 'bye']);
    expect(impostor.invites).toHaveLength(0);
  });
});
