import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { freeUdpPort } from '@centralita/testkit';
import { InProcessBus } from '@centralita/bus';
import { buildHttpApi, hashPassword } from '@centralita/http-api';
import type { HttpApi } from '@centralita/http-api';
import type { TenantId } from '@centralita/kernel';
import type { SipResponse } from '@centralita/sip';
import {
  answerChallenge,
  headerValue,
  headerValues,
  parseDigestChallenge,
  parseMessage,
  serializeDigestCredentials,
} from '@centralita/sip';
import type { SipLogger } from '@centralita/sip-transport';
import WebSocket from 'ws';
import { Database, sipAccounts, tenants, users } from '@centralita/store';
import type { TenantContext } from '@centralita/store';
import { ConfigError, readConfig } from './config.ts';
import { demoDid, demoLogins, demoPassword, demoTenantSlug, demoTrunkName } from './demo-seed.ts';
import type { RegistrarSettings } from './sip-service.ts';
import { bodilessSipRequest } from './calls/call-test-peers.ts';
import { SipService, sipHa1 } from './sip-service.ts';
import type { RunningServer } from './wiring.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const domain = 'sip.test';
const sipPassword = 'phone-secret-1001';
const loginPassword = 'correct horse battery';

let database: Database;
let api: HttpApi;
let context: TenantContext;
let realm: string;
let agentId: string;
let adminCookie: Record<string, string>;

/** A REGISTER scenario for SIPp: unauthenticated REGISTER, 401, the same with credentials, then `finalStatus`. */
function registerScenario(options: {
  readonly realm?: string;
  readonly user: string;
  readonly password: string;
  readonly expiresS: number;
  readonly finalStatus: number;
}): string {
  const domainOfUser = options.realm ?? realm;
  const register = (cseq: number, authorization: string) => `
  <send retrans="500">
    <![CDATA[
REGISTER sip:${domainOfUser} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:${options.user}@${domainOfUser}>;tag=[call_number]
To: <sip:${options.user}@${domainOfUser}>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${options.user}@[local_ip]:[local_port]>
Max-Forwards: 70
Expires: ${options.expiresS}
User-Agent: SIPp registrar test
${authorization}Content-Length: 0

    ]]>
  </send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register with digest">
${register(1, '')}
  <recv response="401" auth="true"/>
${register(2, `[authentication username=${options.user} password=${options.password}]\n`)}
  <recv response="${options.finalStatus}"/>
</scenario>
`;
}

/** Runs SIPp once against the service; fails clearly when SIPp is missing, and kills it past 15 s. */
async function runSipp(
  scenario: string,
  port: number,
  transport: 'u1' | 't1' = 'u1',
  localPort?: number,
): Promise<{ exitCode: number | null; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'centralita-sipp-register-'));
  const file = path.join(dir, 'register.xml');
  writeFileSync(file, scenario);
  const args = [
    ...[
      '-sf',
      file,
      `127.0.0.1:${port}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(localPort ?? (await freeUdpPort())),
    ],
    ...['-cp', String(await freeUdpPort()), '-t', transport, '-m', '1', '-nostdin'],
    ...['-timeout', '10s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, 'errors.log')],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-6000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sipp did not finish within 15 s\n${output}`));
    }, 15_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('sipp is not installed: install the Debian package sip-tester (SIPp 3.6)')
          : error,
      );
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
  });
}

/** A minimal phone over UDP for the cases SIPp cannot script (SHA-256, stale nonces, replays). */
class TestPhone {
  readonly #socket: Socket = createSocket('udp4');
  readonly #waiting = new Map<string, (response: SipResponse) => void>();
  readonly callId = `${randomUUID()}@test`;
  #cseq = 0;
  port = 0;

  async open(): Promise<void> {
    this.#socket.on('message', (bytes) => {
      const parsed = parseMessage(bytes, { framing: 'datagram' });
      if (!parsed.ok || parsed.value.kind !== 'response') return;
      const key = headerValue(parsed.value.headers, 'cseq') ?? '';
      this.#waiting.get(key)?.(parsed.value);
    });
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
  }

  close(): void {
    this.#socket.close();
  }

  /** Sends a request and waits (at most 3 s) for its final response. */
  async send(
    servicePort: number,
    method: string,
    headers: readonly string[],
    requestUri = `sip:${realm}`,
    user = '1001',
  ): Promise<SipResponse> {
    this.#cseq++;
    const cseq = `${this.#cseq} ${method}`;
    const text = bodilessSipRequest({
      method,
      requestUri,
      transport: 'UDP',
      localPort: this.port,
      user,
      realm,
      callId: this.callId,
      cseq,
      headers,
    });
    const response = new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(cseq);
        reject(new Error(`no final response to ${cseq} within 3 s`));
      }, 3000);
      this.#waiting.set(cseq, (message) => {
        if (message.statusCode < 200) return;
        clearTimeout(timer);
        this.#waiting.delete(cseq);
        resolve(message);
      });
    });
    this.#socket.send(text, servicePort, '127.0.0.1');
    return response;
  }

  /** REGISTER answering the challenge of `challenged` with `algorithm` (nc 1 unless given). */
  async register(
    servicePort: number,
    options: {
      readonly user?: string;
      readonly password: string;
      readonly algorithm?: 'MD5' | 'SHA-256';
      readonly challenge: SipResponse;
      readonly contact?: string | null;
      readonly expires?: string;
      readonly nonceCount?: number;
      readonly extraHeaders?: readonly string[];
    },
  ): Promise<{ response: SipResponse; authorization: string }> {
    const user = options.user ?? '1001';
    const wanted = options.algorithm ?? 'MD5';
    const challenge = headerValues(options.challenge.headers, 'www-authenticate')
      .map((value) => parseDigestChallenge(value))
      .find((parsed) => parsed.ok && parsed.value.algorithm === wanted);
    if (challenge?.ok !== true) throw new Error(`no ${wanted} challenge`);
    const credentials = answerChallenge(challenge.value, {
      username: user,
      password: options.password,
      method: 'REGISTER',
      uri: `sip:${realm}`,
      cnonce: randomUUID().slice(0, 8),
      nonceCount: options.nonceCount ?? 1,
    });
    const authorization = `Authorization: ${serializeDigestCredentials(credentials)}`;
    const contact = options.contact === undefined ? `<sip:${user}@127.0.0.1:${this.port}>` : options.contact;
    const response = await this.send(
      servicePort,
      'REGISTER',
      [
        ...(contact === null ? [] : [`Contact: ${contact}`]),
        `Expires: ${options.expires ?? '600'}`,
        ...(options.extraHeaders ?? []),
        authorization,
      ],
      `sip:${realm}`,
      user,
    );
    return { response, authorization };
  }
}

/** Headers of a 401 with everything random (nonce, tags, branch) blanked, to compare two answers. */
function shapeOf(response: SipResponse): string[] {
  return response.headers
    .filter(
      (header) =>
        !['via', 'from', 'to', 'call-id', 'cseq', 'v', 'f', 't', 'i'].includes(header.name.toLowerCase()),
    )
    .map((header) => `${header.name}: ${header.value.replace(/nonce="[^"]*"/, 'nonce="…"')}`);
}

class RecordingLogger implements SipLogger {
  readonly warnings: { fields: object; message: string }[] = [];
  debug(): void {
    // Not recorded.
  }
  info(): void {
    // Not recorded.
  }
  warn(fields: object, message: string): void {
    this.warnings.push({ fields, message });
  }
  error(): void {
    // Not recorded.
  }
}

async function startService(
  registrar: Partial<RegistrarSettings> = {},
  options: { readonly now?: () => number; readonly logger?: SipLogger } = {},
): Promise<SipService> {
  return SipService.start({
    database,
    logger: options.logger ?? new RecordingLogger(),
    host: '127.0.0.1',
    udpPort: 0,
    tcpPort: 0,
    domain,
    registrar,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

async function bindings(): Promise<sipAccounts.SipBinding[]> {
  return database.inTenant(context, (tx) => sipAccounts.listBindings(tx, agentId, new Date()));
}

async function clearBindings(): Promise<void> {
  await database.inTenant(context, (tx) => sipAccounts.removeAllBindings(tx, agentId));
}

beforeAll(async () => {
  database = new Database(inject('databaseUrl'));
  const slug = `sip-${randomUUID().slice(0, 8)}`;
  realm = sipAccounts.sipRealm(slug, domain);
  const tenant = await database.asSystem((tx) => tenants.createTenant(tx, { slug, name: 'SIP test' }));
  context = { tenantId: tenant.id as TenantId, actor: { type: 'system', id: 'test' } };
  const passwordHash = await hashPassword(loginPassword);
  const admin = await database.inTenant(context, (tx) =>
    users.createUser(tx, { email: 'admin@sip.test', displayName: 'Admin', role: 'admin', passwordHash }),
  );
  const agent = await database.inTenant(context, (tx) =>
    users.createUser(tx, { email: 'agent@sip.test', displayName: 'Agent', role: 'agent', extension: '1001' }),
  );
  agentId = agent.id;
  await database.inTenant(context, (tx) =>
    sipAccounts.setSipCredentials(tx, agentId, sipHa1('1001', realm, sipPassword)),
  );
  api = await buildHttpApi({
    database,
    bus: new InProcessBus(),
    now: () => new Date(),
    isCookieSecure: false,
    sessionIdleMs: 3_600_000,
    version: 'test',
    sipDomain: domain,
  });
  const login = await api.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { tenant: slug, email: admin.email, password: loginPassword },
  });
  const cookie = login.cookies.find((c) => c.name === 'centralita_session');
  adminCookie = { cookie: `centralita_session=${cookie?.value ?? ''}` };
});

afterAll(async () => {
  await api.app.close();
  await database.close();
});

describe('the registrar with SIPp', () => {
  let service: SipService;

  beforeAll(async () => {
    // SIPp 3.6 answers MD5 challenges only and reads the first one it gets: MD5 first, SHA-256 after.
    service = await startService({ digestAlgorithms: ['MD5', 'SHA-256'] });
  });
  afterAll(() => service.close());

  it('registers a phone with digest authentication over UDP: the binding is stored and the API lists it', async () => {
    await clearBindings();
    const run = await runSipp(
      registerScenario({ user: '1001', password: sipPassword, expiresS: 600, finalStatus: 200 }),
      service.udpPort,
    );
    expect(run.exitCode, run.output).toBe(0);
    const stored = await bindings();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      transport: 'udp',
      sourceAddress: '127.0.0.1',
      userAgent: 'SIPp registrar test',
    });
    const remainingS = ((stored[0]?.expiresAt.getTime() ?? 0) - Date.now()) / 1000;
    expect(remainingS).toBeGreaterThan(590);
    expect(remainingS).toBeLessThanOrEqual(600);
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/users/${agentId}/sip-registrations`,
      headers: adminCookie,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ contactUri: string }[]>().map((binding) => binding.contactUri)).toEqual([
      stored[0]?.contactUri,
    ]);
  });

  it('registers over TCP too', async () => {
    await clearBindings();
    const run = await runSipp(
      registerScenario({ user: '1001', password: sipPassword, expiresS: 600, finalStatus: 200 }),
      service.tcpPort,
      't1',
    );
    expect(run.exitCode, run.output).toBe(0);
    expect((await bindings()).map((binding) => binding.transport)).toEqual(['tcp']);
  });

  it('answers a wrong password with 401 again and stores nothing', async () => {
    await clearBindings();
    const run = await runSipp(
      registerScenario({ user: '1001', password: 'not-the-password', expiresS: 600, finalStatus: 401 }),
      service.udpPort,
    );
    expect(run.exitCode, run.output).toBe(0);
    expect(await bindings()).toEqual([]);
  });

  it('removes the binding when the phone registers with Expires: 0', async () => {
    await clearBindings();
    const scenario = { user: '1001', password: sipPassword, finalStatus: 200 };
    // The same local port both times, so the second REGISTER names the same contact.
    const phonePort = await freeUdpPort();
    const register = (expiresS: number) =>
      runSipp(registerScenario({ ...scenario, expiresS }), service.udpPort, 'u1', phonePort);
    expect((await register(600)).exitCode).toBe(0);
    expect(await bindings()).toHaveLength(1);
    expect((await register(0)).exitCode).toBe(0);
    expect(await bindings()).toEqual([]);
  });
});

describe('the registrar with a scripted phone', () => {
  let service: SipService;
  let phone: TestPhone;

  beforeAll(async () => {
    service = await startService();
    phone = new TestPhone();
    await phone.open();
  });
  afterAll(async () => {
    phone.close();
    await service.close();
  });

  it('challenges with SHA-256 first, then MD5 (RFC 8760 §2.4), and accepts SHA-256 credentials', async () => {
    await clearBindings();
    const challenge = await phone.send(service.udpPort, 'REGISTER', ['Contact: <sip:1001@127.0.0.1>']);
    expect(challenge.statusCode).toBe(401);
    const algorithms = headerValues(challenge.headers, 'www-authenticate').map(
      (value) => /algorithm=([A-Z0-9-]+)/.exec(value)?.[1],
    );
    expect(algorithms).toEqual(['SHA-256', 'MD5']);
    expect(headerValue(challenge.headers, 'www-authenticate')).toContain('qop="auth"');
    const { response } = await phone.register(service.udpPort, {
      password: sipPassword,
      algorithm: 'SHA-256',
      challenge,
    });
    expect(response.statusCode).toBe(200);
    expect(headerValues(response.headers, 'contact')).toEqual([
      expect.stringMatching(new RegExp(`^<sip:1001@127\\.0\\.0\\.1:${phone.port}>;expires=(600|599)$`)),
    ]);
  });

  it('binds an outbound flow over UDP (RFC 5626 §6): Require outbound, Flow-Timer, keyed by instance and reg-id', async () => {
    await clearBindings();
    const instance = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
    const flowContact = (user: string) =>
      `<sip:${user}@127.0.0.1:${phone.port};ob>;+sip.instance="${instance}";reg-id=1`;
    const outbound = async (contact: string, extraHeaders: readonly string[], expires = '600') => {
      const challenge = await phone.send(service.udpPort, 'REGISTER', []);
      return (
        await phone.register(service.udpPort, {
          password: sipPassword,
          challenge,
          contact,
          extraHeaders,
          expires,
        })
      ).response;
    };
    // Without Supported: outbound the reg-id is ignored: a plain binding, no Require.
    const plain = await outbound(flowContact('1001'), []);
    expect(plain.statusCode).toBe(200);
    expect(headerValue(plain.headers, 'require')).toBeUndefined();
    expect((await bindings()).map((binding) => [binding.instanceId, binding.regId])).toEqual([[null, null]]);
    // With it, the same contact becomes the flow's binding (replacing the plain one), and another Contact URI
    // for the same instance and reg-id replaces it again.
    for (const user of ['1001', 'desk']) {
      const bound = await outbound(flowContact(user), ['Supported: outbound']);
      expect(bound.statusCode).toBe(200);
      expect(headerValue(bound.headers, 'require')).toBe('outbound');
      expect(headerValue(bound.headers, 'flow-timer')).toBe('29');
      expect(headerValues(bound.headers, 'contact')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^<sip:${user}@127\\.0\\.0\\.1:${phone.port};ob>;expires=(600|599);\\+sip\\.instance="${instance}";reg-id=1$`,
          ),
        ),
      ]);
      expect(
        (await bindings()).map((binding) => [binding.contactUri, binding.instanceId, binding.regId]),
      ).toEqual([[`sip:${user}@127.0.0.1:${phone.port};ob`, instance, 1]]);
    }
    // Expires 0 for the flow removes it, whatever Contact URI names it.
    const removed = await outbound(flowContact('any'), ['Supported: outbound'], '0');
    expect(removed.statusCode).toBe(200);
    expect(await bindings()).toEqual([]);
  });

  it('registers a phone behind an edge proxy (RFC 3327): keeps the Path, gives it back, and answers 439 to a flow no first hop keeps', async () => {
    await clearBindings();
    const instance = '<urn:uuid:00000000-0000-1000-8000-000a95a0e129>';
    // The test socket is the edge proxy; the phone's own Via is below its own, its Contact a private address.
    const phoneVia = 'Via: SIP/2.0/TCP 10.0.0.7:5060;branch=z9hG4bKbehindtheedge';
    const flowContact = `<sip:1001@10.0.0.7:5060;transport=tcp;ob>;+sip.instance="${instance}";reg-id=1`;
    const edgePath = `<sip:edge@127.0.0.1:${String(phone.port)};lr;ob>`;
    const throughEdge = async (path: readonly string[]) => {
      const challenge = await phone.send(service.udpPort, 'REGISTER', []);
      return (
        await phone.register(service.udpPort, {
          password: sipPassword,
          challenge,
          contact: flowContact,
          extraHeaders: [phoneVia, 'Supported: outbound, path', ...path],
        })
      ).response;
    };
    // A proxy that does not keep the phone's flow (no `ob` on its Path, or no Path): 439, nothing bound.
    for (const path of [[], [`Path: <sip:127.0.0.1:${String(phone.port)};lr>`]]) {
      const refused = await throughEdge(path);
      expect(refused.statusCode).toBe(439);
      expect(refused.reasonPhrase).toBe('First Hop Lacks Outbound Support');
    }
    expect(await bindings()).toEqual([]);
    // An edge proxy that keeps it: bound, with the Path stored and given back.
    const bound = await throughEdge([`Path: ${edgePath}`]);
    expect(bound.statusCode).toBe(200);
    expect(headerValue(bound.headers, 'require')).toBe('outbound');
    expect(headerValues(bound.headers, 'path')).toEqual([edgePath]);
    expect((await bindings()).map((binding) => [binding.contactUri, binding.regId, binding.path])).toEqual([
      ['sip:1001@10.0.0.7:5060;transport=tcp;ob', 1, [edgePath]],
    ]);
    // A plain REGISTER through a proxy that adds no Path is a plain binding, with no Path.
    await clearBindings();
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    const plain = await phone.register(service.udpPort, {
      password: sipPassword,
      challenge,
      extraHeaders: [phoneVia],
    });
    expect(plain.response.statusCode).toBe(200);
    expect(headerValues(plain.response.headers, 'path')).toEqual([]);
    expect((await bindings()).map((binding) => binding.path)).toEqual([[]]);
  });

  it('answers an unknown user exactly like a wrong password (no account enumeration)', async () => {
    const first = await phone.send(service.udpPort, 'REGISTER', []);
    const wrong = await phone.register(service.udpPort, { password: 'wrong-password', challenge: first });
    const second = await phone.send(service.udpPort, 'REGISTER', [], `sip:${realm}`, '1999');
    const unknown = await phone.register(service.udpPort, {
      user: '1999',
      password: 'wrong-password',
      challenge: second,
    });
    expect(wrong.response.statusCode).toBe(401);
    expect(unknown.response.statusCode).toBe(401);
    expect(shapeOf(unknown.response)).toEqual(shapeOf(wrong.response));
    expect(shapeOf(wrong.response)).toEqual(shapeOf(first));
  });

  it('keeps several contacts per user and lists them all in the 200', async () => {
    await clearBindings();
    for (const contact of ['<sip:1001@127.0.0.1:5071>', '<sip:1001@127.0.0.1:5072>']) {
      const challenge = await phone.send(service.udpPort, 'REGISTER', []);
      const { response } = await phone.register(service.udpPort, {
        password: sipPassword,
        challenge,
        contact,
      });
      expect(response.statusCode).toBe(200);
    }
    expect((await bindings()).map((binding) => binding.contactUri).sort()).toEqual([
      'sip:1001@127.0.0.1:5071',
      'sip:1001@127.0.0.1:5072',
    ]);
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    const { response } = await phone.register(service.udpPort, {
      password: sipPassword,
      challenge,
      contact: '*',
      expires: '0',
    });
    expect(response.statusCode).toBe(200);
    expect(headerValues(response.headers, 'contact')).toEqual([]);
    expect(await bindings()).toEqual([]);
  });

  it('refuses a contact beyond the most one user may register, and keeps the others', async () => {
    await clearBindings();
    const limited = await startService({ maxBindingsPerUser: 2 });
    try {
      const statuses: number[] = [];
      for (const port of [5081, 5082, 5083]) {
        const challenge = await phone.send(limited.udpPort, 'REGISTER', []);
        const contact = `<sip:1001@127.0.0.1:${port}>`;
        statuses.push(
          (await phone.register(limited.udpPort, { password: sipPassword, challenge, contact })).response
            .statusCode,
        );
      }
      expect(statuses).toEqual([200, 200, 403]);
      expect((await bindings()).map((binding) => binding.contactUri).sort()).toEqual([
        'sip:1001@127.0.0.1:5081',
        'sip:1001@127.0.0.1:5082',
      ]);
    } finally {
      await limited.close();
    }
  });

  it('refuses a replayed nonce count and accepts the next one', async () => {
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    const first = await phone.register(service.udpPort, { password: sipPassword, challenge, nonceCount: 1 });
    expect(first.response.statusCode).toBe(200);
    const replay = await phone.register(service.udpPort, { password: sipPassword, challenge, nonceCount: 1 });
    expect(replay.response.statusCode).toBe(401);
    const next = await phone.register(service.udpPort, { password: sipPassword, challenge, nonceCount: 2 });
    expect(next.response.statusCode).toBe(200);
  });

  it('refuses a contact too long to store with 400 instead of failing', async () => {
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    const { response } = await phone.register(service.udpPort, {
      password: sipPassword,
      challenge,
      contact: `<sip:${'a'.repeat(2100)}@127.0.0.1>`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.reasonPhrase).toBe('Bad Request - Contact Too Long');
  });

  it('answers 423 with Min-Expires to an interval too brief', async () => {
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    const { response } = await phone.register(service.udpPort, {
      password: sipPassword,
      challenge,
      expires: '10',
    });
    expect(response.statusCode).toBe(423);
    expect(headerValue(response.headers, 'min-expires')).toBe('60');
  });

  it('answers OPTIONS 200 with Allow and Accept, INVITE 480, and a domain it does not serve 404', async () => {
    const options = await phone.send(service.udpPort, 'OPTIONS', []);
    expect(options.statusCode).toBe(200);
    expect(headerValue(options.headers, 'allow')).toContain('REGISTER');
    expect(headerValue(options.headers, 'allow')).toContain('REFER');
    expect(headerValue(options.headers, 'accept')).toBe(
      'application/sdp, application/dtmf-relay, application/dtmf, message/sipfrag',
    );
    const invite = await phone.send(service.udpPort, 'INVITE', [], `sip:1001@${realm}`);
    expect(invite.statusCode).toBe(480);
    const elsewhere = await phone.send(service.udpPort, 'REGISTER', [], 'sip:example.org');
    expect(elsewhere.statusCode).toBe(404);
  });

  it('keeps bindings across a restart of the service', async () => {
    await clearBindings();
    const challenge = await phone.send(service.udpPort, 'REGISTER', []);
    expect(
      (await phone.register(service.udpPort, { password: sipPassword, challenge })).response.statusCode,
    ).toBe(200);
    await service.close();
    service = await startService();
    // A REGISTER without Contact asks for the current bindings (RFC 3261 §10.2.3).
    const again = await phone.send(service.udpPort, 'REGISTER', []);
    const { response } = await phone.register(service.udpPort, {
      password: sipPassword,
      challenge: again,
      contact: null,
    });
    expect(response.statusCode).toBe(200);
    expect(headerValues(response.headers, 'contact')).toEqual([
      expect.stringMatching(new RegExp(`^<sip:1001@127\\.0\\.0\\.1:${phone.port}>;expires=\\d+$`)),
    ]);
  });
});

describe('the registrar against stale nonces and password guessing', () => {
  it('answers stale=true to right credentials on an expired nonce', async () => {
    let nowMs = Date.now();
    const service = await startService({ nonceLifetimeMs: 30_000 }, { now: () => nowMs });
    const phone = new TestPhone();
    await phone.open();
    try {
      const challenge = await phone.send(service.udpPort, 'REGISTER', []);
      nowMs += 31_000;
      const { response } = await phone.register(service.udpPort, { password: sipPassword, challenge });
      expect(response.statusCode).toBe(401);
      expect(
        headerValues(response.headers, 'www-authenticate').every((value) => value.includes('stale=true')),
      ).toBe(true);
      const wrong = await phone.register(service.udpPort, { password: 'wrong-password', challenge });
      expect(headerValue(wrong.response.headers, 'www-authenticate')).not.toContain('stale');
    } finally {
      phone.close();
      await service.close();
    }
  });

  it('blocks a source after repeated failures, answers it 403 and logs it', async () => {
    const logger = new RecordingLogger();
    const service = await startService(
      { authFailures: { maxFailures: 3, windowMs: 60_000, blockMs: 600_000 } },
      { logger },
    );
    const phone = new TestPhone();
    await phone.open();
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const challenge = await phone.send(service.udpPort, 'REGISTER', []);
        const { response } = await phone.register(service.udpPort, { password: 'guess-number-x', challenge });
        expect(response.statusCode).toBe(401);
      }
      const blocked = await phone.send(service.udpPort, 'REGISTER', []);
      expect(blocked.statusCode).toBe(403);
      expect(logger.warnings).toEqual([
        {
          fields: expect.objectContaining({ source: '127.0.0.1' }) as object,
          message: 'SIP source blocked after repeated authentication failures',
        },
      ]);
    } finally {
      phone.close();
      await service.close();
    }
  });
});

describe('the SIP service of the demo installation', () => {
  const adminUrl = inject('adminDatabaseUrl');
  let server: RunningServer;

  let testServer: TestServer;

  beforeAll(async () => {
    // SIPp 3.6 answers MD5 only and reads the first challenge: MD5 first, SHA-256 still offered.
    testServer = await startTestServer(adminUrl, 'sip_demo', {
      CENTRALITA_SIP_DOMAIN: 'PBX.test',
      CENTRALITA_SIP_DIGEST_ALGORITHMS: 'MD5,SHA-256',
    });
    server = testServer.server;
  }, 120_000);

  afterAll(async () => {
    await testServer.stop();
  });

  async function loginAs(email: string): Promise<Record<string, string>> {
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
    });
    const body = (await response.json()) as { csrfToken: string };
    return {
      cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '',
      'x-csrf-token': body.csrfToken,
    };
  }

  it('lets a demo agent register with extension, demo domain and demo password, as docs/sip.md says', async () => {
    const sip = server.sip;
    if (sip === undefined) throw new Error('the SIP service did not start');
    const agent = demoLogins.find((login) => login.extension === '1001');
    if (agent === undefined) throw new Error('no demo agent with extension 1001');
    const run = await runSipp(
      registerScenario({
        realm: `${demoTenantSlug}.pbx.test`,
        user: '1001',
        password: demoPassword,
        expiresS: 300,
        finalStatus: 200,
      }),
      sip.udpPort,
    );
    expect(run.exitCode, run.output).toBe(0);
    const registrations = await fetch(`${server.url}/api/users/me/sip-registrations`, {
      headers: await loginAs(agent.email),
    });
    expect(((await registrations.json()) as { userAgent: string }[]).map((b) => b.userAgent)).toEqual([
      'SIPp registrar test',
    ]);
  });

  it('lets a phone register over WebSocket on the HTTP server (RFC 7118), and closes one without the sip sub-protocol', async () => {
    const realm = `${demoTenantSlug}.pbx.test`;
    const webSocketUrl = `${server.url.replace(/^http/, 'ws')}/sip`;
    const phone = new WebSocket(webSocketUrl, 'sip');
    const responses: SipResponse[] = [];
    let onResponse: (() => void) | undefined;
    phone.on('message', (data: Buffer) => {
      const parsed = parseMessage(data, { framing: 'datagram' });
      if (parsed.ok && parsed.value.kind === 'response' && parsed.value.statusCode >= 200) {
        responses.push(parsed.value);
        onResponse?.();
      }
    });
    await new Promise<void>((resolve, reject) => {
      phone.once('open', () => {
        resolve();
      });
      phone.once('error', reject);
    });
    expect(phone.protocol).toBe('sip');
    const callId = `${randomUUID()}@ws.test`;
    const register = async (cseq: number, authorization: string[]): Promise<SipResponse> => {
      const answered = new Promise<void>((resolve) => {
        onResponse = resolve;
      });
      phone.send(
        [
          `REGISTER sip:${realm} SIP/2.0`,
          `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${randomUUID()}`,
          `From: <sip:1001@${realm}>;tag=${randomUUID().slice(0, 8)}`,
          `To: <sip:1001@${realm}>`,
          `Call-ID: ${callId}`,
          `CSeq: ${String(cseq)} REGISTER`,
          'Max-Forwards: 70',
          'Contact: <sip:1001@df7jal23ls0d.invalid;transport=ws>',
          'Expires: 300',
          'User-Agent: WebSocket test phone',
          ...authorization,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      await answered;
      const response = responses.at(-1);
      if (response === undefined) throw new Error('no response');
      return response;
    };
    try {
      const challenge = await register(1, []);
      expect(challenge.statusCode).toBe(401);
      const offered = headerValues(challenge.headers, 'www-authenticate')
        .map((value) => parseDigestChallenge(value))
        .find((parsed) => parsed.ok && parsed.value.algorithm === 'MD5');
      if (offered?.ok !== true) throw new Error('no MD5 challenge');
      const credentials = answerChallenge(offered.value, {
        username: '1001',
        password: demoPassword,
        method: 'REGISTER',
        uri: `sip:${realm}`,
        cnonce: randomUUID().slice(0, 8),
        nonceCount: 1,
      });
      const accepted = await register(2, [`Authorization: ${serializeDigestCredentials(credentials)}`]);
      expect(accepted.statusCode).toBe(200);
      const agent = demoLogins.find((login) => login.extension === '1001');
      const registrations = await fetch(`${server.url}/api/users/me/sip-registrations`, {
        headers: await loginAs(agent?.email ?? ''),
      });
      expect(((await registrations.json()) as { userAgent: string }[]).map((b) => b.userAgent)).toContain(
        'WebSocket test phone',
      );
    } finally {
      phone.close();
    }

    const withoutSip = new WebSocket(webSocketUrl);
    const closed = await new Promise<number>((resolve) => {
      withoutSip.once('close', (code: number) => {
        resolve(code);
      });
    });
    expect(closed).toBe(1002);
  });

  it('has the loopback trunk and the demo number leading to the main menu', async () => {
    const admin = demoLogins.find((login) => login.role === 'admin');
    const headers = await loginAs(admin?.email ?? '');
    const trunks = (await (await fetch(`${server.url}/api/sip-trunks`, { headers })).json()) as {
      name: string;
      inboundAddresses: string[];
    }[];
    expect(trunks).toEqual([
      expect.objectContaining({ name: demoTrunkName, inboundAddresses: ['127.0.0.1/32', '::1/128'] }),
    ]);
    const dids = (await (await fetch(`${server.url}/api/dids`, { headers })).json()) as {
      number: string;
      flowKey: string;
    }[];
    expect(dids).toEqual([expect.objectContaining({ number: demoDid, flowKey: 'demo-main-menu' })]);
  });
});

describe('the SIP settings', () => {
  it('default to UDP and TCP 5060 on every address, the host name as domain, and SHA-256 before MD5', () => {
    expect(readConfig({}, '/srv').sip).toEqual({
      isEnabled: true,
      host: '0.0.0.0',
      udpPort: 5060,
      tcpPort: 5060,
      domain: hostname().toLowerCase(),
      advertisedAddress: undefined,
      minExpiresS: 60,
      maxExpiresS: 3600,
      authFailures: { maxFailures: 10, windowMs: 60_000, blockMs: 600_000 },
      digestAlgorithms: ['SHA-256', 'MD5'],
      dnsServers: [],
      webSocketPath: '/sip',
      // RFC 4028 §5: nothing under 90 s in service; only tests shorten it.
      sessionTimer: { minSeS: 90, defaultIntervalS: 1800 },
    });
    expect(readConfig({ CENTRALITA_SIP_ENABLED: 'false' }, '/srv').sip.isEnabled).toBe(false);
    expect(readConfig({ CENTRALITA_SIP_WS_PATH: '' }, '/srv').sip.webSocketPath).toBeUndefined();
    expect(() => readConfig({ CENTRALITA_SIP_WS_PATH: 'sip' }, '/srv')).toThrow(/CENTRALITA_SIP_WS_PATH/);
  });

  it('name every invalid SIP variable', () => {
    const read = () =>
      readConfig(
        {
          CENTRALITA_SIP_HOST: 'localhost',
          CENTRALITA_SIP_UDP_PORT: '70000',
          CENTRALITA_SIP_DOMAIN: 'not a domain',
          CENTRALITA_SIP_DIGEST_ALGORITHMS: 'SHA-512',
        },
        '/srv',
      );
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /CENTRALITA_SIP_HOST:[\s\S]*CENTRALITA_SIP_UDP_PORT:[\s\S]*CENTRALITA_SIP_DOMAIN:[\s\S]*CENTRALITA_SIP_DIGEST_ALGORITHMS/,
    );
  });
});
