import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Dialog, SipRequest, UasPolicy, Uri } from '@centralita/sip';
import {
  ackFor2xx,
  answerOffer,
  createOffer,
  dialogAsUac,
  dialogAsUas,
  hostAddress,
  inDialogRequest,
  nextHopUri,
  parseSdp,
  parseUri,
  serializeSdp,
  serializeUri,
  uriParameter,
} from '@centralita/sip';
import { SipEndpoint } from '@centralita/sip-transport';
import type { SendTarget, SipListener, TransportProtocol } from '@centralita/sip-transport';
import { TestCertificateAuthority, TestDnsServer } from '@centralita/testkit';
import type { TestCertificate } from '@centralita/testkit';
import { startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { localCapabilities } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';
import { interactionsTo, sipPortOf, waitFor } from './test-support.ts';

// Issue 3, mutual TLS: the server's SIP TLS listener requires a client certificate signed by the CA bundle
// (CENTRALITA_SIP_TLS_CLIENT_CERT=require), and its own certificate goes with every TLS connection it opens
// to a trunk, whose certificate is checked against the trunk's host name. Certificates are made for the test.

const adminUrl = inject('adminDatabaseUrl');
const realm = 'demo.pbx.test';

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'],
  supportedUriSchemes: ['sip', 'sips'],
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

/**
 * Where a request to `uri` goes, as RFC 3263 §4.1 says for a numeric host: the transport its `transport`
 * parameter names (TLS for `sips:`), UDP without one, on the URI's port.
 */
function targetOf(uri: Uri): SendTarget {
  if (uri.kind !== 'sip') throw new Error(`not a SIP URI: ${serializeUri(uri)}`);
  const parameter = uriParameter(uri, 'transport')?.toLowerCase();
  const protocol: TransportProtocol =
    uri.scheme === 'sips' || parameter === 'tls' ? 'tls' : parameter === 'tcp' ? 'tcp' : 'udp';
  return { protocol, address: hostAddress(uri.host), port: uri.port ?? (protocol === 'tls' ? 5061 : 5060) };
}

/**
 * A carrier's SBC on TCP or TLS that sends its requests inside a dialog where RFC 3261 §12.2.1.1 says: to
 * the remote target (the Contact it was given), over the transport that URI names; never back over the
 * connection the dialog began on, unless the Contact names that same listener. It answers an INVITE 200 (or
 * places one to the server) and hangs up with BYE. Its media socket reads and drops what it is sent.
 */
class ContactRoutingCarrier {
  readonly invites: SipRequest[] = [];
  /** Requests the server sent inside the dialog (its ACK, BYE), with the transport each came over. */
  readonly received: { readonly method: string; readonly protocol: TransportProtocol }[] = [];
  readonly endpoint: SipEndpoint;
  readonly listener: SipListener;
  readonly #media: Socket;
  #dialog: Dialog | undefined;

  private constructor(endpoint: SipEndpoint, listener: SipListener, media: Socket) {
    this.endpoint = endpoint;
    this.listener = listener;
    this.#media = media;
  }

  /** Listens on `protocol`; for TLS with `certificate`, presented to the server too, trusting `authority`. */
  static async open(
    protocol: 'tcp' | 'tls',
    tls?: { readonly certificate: TestCertificate; readonly authority: TestCertificateAuthority },
  ): Promise<ContactRoutingCarrier> {
    const core: { carrier?: ContactRoutingCarrier } = {};
    const endpoint = new SipEndpoint({
      policy,
      transactionUser: {
        onRequest: (transaction) => {
          const carrier = core.carrier;
          const request = transaction.request;
          if (carrier === undefined) {
            transaction.reply(503, 'Service Unavailable');
            return;
          }
          if (request.method !== 'INVITE') {
            carrier.received.push({ method: request.method, protocol: transaction.source.protocol });
            transaction.reply(200, 'OK');
            return;
          }
          carrier.invites.push(request);
          const offer = parseSdp(request.body);
          const answer = offer.ok ? answerOffer(offer.value, carrier.#capabilities()) : undefined;
          const contact = `<sip:sbc@${carrier.listener.sentBy};transport=${protocol}>`;
          const dialog = dialogAsUas(request, transaction.localTag, contact, 1);
          if (answer === undefined || !answer.ok || !dialog.ok) {
            transaction.reply(488, 'Not Acceptable Here');
            return;
          }
          carrier.#dialog = dialog.value;
          transaction.reply(200, 'OK', {
            extraHeaders: [
              { name: 'Contact', value: contact },
              { name: 'Content-Type', value: 'application/sdp' },
            ],
            body: new TextEncoder().encode(serializeSdp(answer.value.answer)),
          });
        },
        onAck: (ack, source) => {
          core.carrier?.received.push({ method: ack.method, protocol: source.protocol });
        },
      },
      ...(tls === undefined
        ? {}
        : {
            tlsClient: {
              caPath: tls.authority.certificate.certPath,
              certPath: tls.certificate.certPath,
              keyPath: tls.certificate.keyPath,
            },
          }),
    });
    const listener = await endpoint.listen({
      protocol,
      host: '127.0.0.1',
      port: 0,
      ...(tls === undefined
        ? {}
        : {
            tls: {
              certPath: tls.certificate.certPath,
              keyPath: tls.certificate.keyPath,
              caPath: tls.authority.certificate.certPath,
              clientCertificates: 'require' as const,
            },
          }),
    });
    const media = createSocket('udp4');
    media.on('message', () => undefined);
    await new Promise<void>((resolve) => media.bind(0, '127.0.0.1', resolve));
    const carrier = new ContactRoutingCarrier(endpoint, listener, media);
    core.carrier = carrier;
    return carrier;
  }

  #capabilities() {
    return localCapabilities('127.0.0.1', this.#media.address().port, '1', 1);
  }

  /** The Contact the server gave in the dialog (its remote target for us), once there is a dialog. */
  get serverContact(): Uri | undefined {
    return this.#dialog?.remoteTarget;
  }

  /**
   * Calls `number` through the server's listener at `port` (as a carrier delivering a call to its DID),
   * and acknowledges the 2xx at the Contact it names. Resolves with the final status.
   */
  call(number: string, port: number): Promise<number> {
    const server: SendTarget = { protocol: this.listener.protocol, address: '127.0.0.1', port };
    const requestUri = parseUri(`sip:${number}@127.0.0.1:${String(port)}`);
    if (requestUri === undefined) throw new Error(`not a number to call: ${number}`);
    const contact = `<sip:sbc@${this.listener.sentBy};transport=${this.listener.protocol}>`;
    const invite: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      requestUri,
      headers: [
        { name: 'From', value: `<sip:+34600730001@sbc.carrier.test>;tag=${randomBytes(6).toString('hex')}` },
        { name: 'To', value: `<${serializeUri(requestUri)}>` },
        { name: 'Call-ID', value: `${randomBytes(8).toString('hex')}@sbc.carrier.test` },
        { name: 'CSeq', value: '1 INVITE' },
        { name: 'Contact', value: contact },
        { name: 'Content-Type', value: 'application/sdp' },
      ],
      body: new TextEncoder().encode(serializeSdp(createOffer(this.#capabilities()))),
    };
    return new Promise((resolve) => {
      const sent = this.endpoint.sendRequest(invite, server, {
        onResponse: (response, transaction) => {
          if (response.statusCode < 200) return;
          if (response.statusCode < 300) {
            const dialog = dialogAsUac(transaction.request, response, contact);
            if (dialog.ok) {
              this.#dialog = dialog.value;
              this.endpoint.sendStateless(ackFor2xx(dialog.value, 1), targetOf(nextHopUri(dialog.value)));
            }
          }
          resolve(response.statusCode);
        },
        onFailure: () => {
          resolve(408);
        },
      });
      if (!sent.ok) resolve(503);
    });
  }

  /** Hangs up: BYE to the server's Contact. Resolves with where it went and the answer (0: none, not sent). */
  hangUp(): Promise<{ readonly target: SendTarget; readonly statusCode: number }> {
    const dialog = this.#dialog;
    if (dialog === undefined) throw new Error('the carrier has no call to hang up');
    const { request, dialog: next } = inDialogRequest(dialog, 'BYE');
    this.#dialog = next;
    const target = targetOf(nextHopUri(next));
    return new Promise((resolve) => {
      const sent = this.endpoint.sendRequest(request, target, {
        onResponse: (response) => {
          if (response.statusCode >= 200) resolve({ target, statusCode: response.statusCode });
        },
        onFailure: () => {
          resolve({ target, statusCode: 0 });
        },
      });
      if (!sent.ok) resolve({ target, statusCode: 0 });
    });
  }

  async close(): Promise<void> {
    this.#media.close();
    await this.endpoint.close();
  }
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

describe('our Contact follows the transport of the dialog (RFC 3261 §8.1.1.8, §12.1.1)', () => {
  it('gives a carrier reached over TLS a Contact at our TLS listener, where its BYE ends the call on both legs', async () => {
    const carrier = await ContactRoutingCarrier.open('tls', {
      certificate: authority.issue('sbc-answering', { dnsNames: ['sbc.carrier.test'] }),
      authority,
    });
    closers.push(carrier);
    await trunkTo(carrier.listener.port);
    const call = await luciaPhone.dial('612001303');
    expect(await call.connected).toBe(true);
    await waitFor('the carrier to answer', () => carrier.serverContact);
    const tlsPort = testServer.server.sip?.tlsPort ?? 0;
    // The trunk's Request-URI is `sip:` with `;transport=tls`, so the Contact is too (not `sips:`).
    expect(serializeUri(carrier.serverContact ?? { kind: 'other', scheme: 'x', body: '' })).toBe(
      `sip:centralita@127.0.0.1:${String(tlsPort)};transport=tls`,
    );
    await waitFor('our ACK at the carrier', () => (carrier.received.length > 0 ? true : undefined));
    // A fresh TLS connection to our listener (the carrier presents its certificate, as ours requires).
    const hungUp = await carrier.hangUp();
    expect(hungUp).toEqual({
      target: { protocol: 'tls', address: '127.0.0.1', port: tlsPort },
      statusCode: 200,
    });
    expect((await call.ended).reason).toBe('remote-hangup');
    const stored = await waitFor('the call to be stored as ended', async () => {
      const [row] = await interactionsTo(testServer, '612001303');
      return row?.endedAt === null ? undefined : row;
    });
    expect(stored.status).toBe('completed');
    // The called party hung up: the call's second leg, the one an agent would be on (not a failed leg).
    expect(stored.metadata).toMatchObject({ ivrPath: ['connect'], endCause: 'agent-hangup' });
    // Only our ACK reached the carrier: the trunk leg was over once its BYE was answered.
    expect(carrier.received).toEqual([{ method: 'ACK', protocol: 'tls' }]);
  });

  it('gives a carrier calling in over TCP a Contact at our TCP listener: its ACK and BYE come over TCP', async () => {
    const carrier = await ContactRoutingCarrier.open('tcp');
    closers.push(carrier);
    const tcpPort = testServer.server.sip?.tcpPort ?? 0;
    expect(await carrier.call('+34910000000', tcpPort)).toBe(200);
    expect(serializeUri(carrier.serverContact ?? { kind: 'other', scheme: 'x', body: '' })).toBe(
      `sip:centralita@127.0.0.1:${String(tcpPort)};transport=tcp`,
    );
    const hungUp = await carrier.hangUp();
    expect(hungUp).toEqual({
      target: { protocol: 'tcp', address: '127.0.0.1', port: tcpPort },
      statusCode: 200,
    });
    const stored = await waitFor('the call to be stored as ended', async () => {
      const [row] = await interactionsTo(testServer, '+34910000000');
      return row?.endedAt === null ? undefined : row;
    });
    expect(stored.metadata).toMatchObject({ endCause: 'caller-hangup' });
    expect(carrier.received).toEqual([]);
  });
});
