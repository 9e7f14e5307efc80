import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import type { SipMessage, SipRequest, SipResponse } from '@centralita/sip';
import {
  StreamFramer,
  answerChallenge,
  createResponse,
  defaultFramerLimits,
  headerValue,
  headerValues,
  parseDigestChallenge,
  parseMessage,
  serializeDigestCredentials,
  serializeMessage,
} from '@centralita/sip';
import { demoPassword } from '../demo-seed.ts';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';
import type { ApiSession } from './call-test-peers.ts';
import { api, bodilessSipRequest, login, waitFor } from './call-test-peers.ts';

// RFC 5626 end to end on the whole server: a scripted phone (agent 1001) registers two flows, each over its
// own TCP connection, with `Supported: outbound`; the calls its agent places ring it on one flow, then on the
// other once the first connection is gone. The server's SIP UDP port answers STUN keep-alives.

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';
const realm = `demo.${sipDomain}`;
const waitMs = 5_000;

let testServer: TestServer;
let agent: ApiSession;

function sipService() {
  const sip = testServer.server.sip;
  if (sip === undefined) throw new Error('the test server has no SIP service');
  return sip;
}

/** One TCP connection of the phone: a flow. It frames what arrives and answers INVITEs with 486. */
class FlowConnection {
  readonly received: SipMessage[] = [];
  readonly #socket = new Socket();
  readonly #framer = new StreamFramer(defaultFramerLimits);
  readonly #waiters = new Set<() => void>();
  #cseq = 0;
  readonly callId = `${randomUUID()}@flow`;

  static async open(port: number): Promise<FlowConnection> {
    const connection = new FlowConnection();
    await new Promise<void>((resolve, reject) => {
      connection.#socket.once('error', reject);
      connection.#socket.connect(port, '127.0.0.1', () => {
        connection.#socket.off('error', reject);
        resolve();
      });
    });
    connection.#socket.on('data', (chunk: Buffer) => {
      connection.#receive(chunk);
    });
    connection.#socket.on('error', () => {
      // A closed flow: the test closed it.
    });
    return connection;
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  /** INVITEs that arrived over this flow. */
  get invites(): SipRequest[] {
    return this.received.flatMap((message) =>
      message.kind === 'request' && message.method === 'INVITE' ? [message] : [],
    );
  }

  #receive(chunk: Buffer): void {
    const output = this.#framer.push(chunk);
    for (const bytes of output.messages) {
      const parsed = parseMessage(bytes, { framing: 'stream' });
      if (!parsed.ok) continue;
      this.received.push(parsed.value);
      if (parsed.value.kind === 'request' && parsed.value.method === 'INVITE') {
        // The phone is busy: the leg fails at once and the call ends.
        this.send(serializeMessage(createResponse(parsed.value, 486, 'Busy Here', { toTag: 'busy' })));
      }
    }
    for (const wake of this.#waiters) wake();
  }

  send(bytes: Uint8Array | string): void {
    this.#socket.write(bytes);
  }

  async until<T>(what: string, check: () => T | undefined): Promise<T> {
    const found = check();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}`));
      }, waitMs);
      const wake = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(value);
      };
      this.#waiters.add(wake);
    });
  }

  /** Sends a REGISTER and waits for its final response. */
  async register(headers: readonly string[]): Promise<SipResponse> {
    this.#cseq++;
    const cseq = `${String(this.#cseq)} REGISTER`;
    this.send(
      bodilessSipRequest({
        method: 'REGISTER',
        requestUri: `sip:${realm}`,
        transport: 'TCP',
        localPort: this.localPort,
        user: '1001',
        realm,
        callId: this.callId,
        cseq,
        headers,
      }),
    );
    return this.until(`the final response to ${cseq}`, () =>
      this.received.find(
        (message): message is SipResponse =>
          message.kind === 'response' &&
          message.statusCode >= 200 &&
          headerValue(message.headers, 'cseq') === cseq,
      ),
    );
  }

  /** Registers this flow with digest authentication and returns the 200. */
  async registerFlow(instance: string, regId: number, contactUser = '1001'): Promise<SipResponse> {
    const contact = `Contact: <sip:${contactUser}@127.0.0.1:${String(this.localPort)};transport=tcp;ob>;+sip.instance="${instance}";reg-id=${String(regId)}`;
    const common = ['Supported: path, outbound', contact, 'Expires: 600'];
    const challenge = await this.register(common);
    const offered = headerValues(challenge.headers, 'www-authenticate')
      .map((value) => parseDigestChallenge(value))
      .find((parsed) => parsed.ok);
    if (offered?.ok !== true) throw new Error(`no challenge: ${String(challenge.statusCode)}`);
    const credentials = answerChallenge(offered.value, {
      username: '1001',
      password: demoPassword,
      method: 'REGISTER',
      uri: `sip:${realm}`,
      cnonce: randomUUID().slice(0, 8),
      nonceCount: 1,
    });
    return this.register([...common, `Authorization: ${serializeDigestCredentials(credentials)}`]);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#socket.end(() => {
        resolve();
      });
      this.#socket.destroySoon();
    });
  }
}

async function flowBindings(): Promise<
  { instanceId: string | null; regId: number | null; contactUri: string }[]
> {
  const result = await testServer.server.database.pool.query<{
    instanceId: string | null;
    regId: number | null;
    contactUri: string;
  }>(
    `SELECT instance_id AS "instanceId", reg_id AS "regId", contact_uri AS "contactUri"
     FROM sip_bindings WHERE user_id = $1 AND expires_at > now() ORDER BY reg_id`,
    [agent.userId],
  );
  return result.rows;
}

/** The agent places a call to a number: her own phone rings first (the leg this test watches). */
async function placeCall(): Promise<string> {
  const placed = await api<{ interactionId: string }>(agent, 'POST', '/api/calls', { number: '600 123 999' });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return placed.body.interactionId;
}

async function callEnded(interactionId: string): Promise<void> {
  await waitFor('the call to end', async () => {
    const view = await api<{ phase: string }>(agent, 'GET', `/api/interactions/${interactionId}/call`);
    return view.status !== 200 || view.body.phase === 'ended' ? true : undefined;
  });
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'outbound', { CENTRALITA_SIP_DOMAIN: sipDomain });
  agent = await login(testServer.server.url, 'lucia.fernandez@fibrasur.example');
}, 120_000);

afterAll(async () => {
  await testServer.stop();
});

describe('a phone with two outbound flows over TCP (RFC 5626)', () => {
  it('is rung on one flow, then on the other once the first is closed; re-registering a flow replaces it', async () => {
    const instance = `<urn:uuid:${randomUUID()}>`;
    const first = await FlowConnection.open(sipService().tcpPort);
    const second = await FlowConnection.open(sipService().tcpPort);
    try {
      const registered = await first.registerFlow(instance, 1);
      expect(registered.statusCode).toBe(200);
      expect(headerValue(registered.headers, 'require')).toBe('outbound');
      expect(headerValue(registered.headers, 'flow-timer')).toBe('120');
      expect((await second.registerFlow(instance, 2)).statusCode).toBe(200);
      expect((await flowBindings()).map((binding) => [binding.instanceId, binding.regId])).toEqual([
        [instance, 1],
        [instance, 2],
      ]);

      // The newest flow rings, and only it: the phone is not rung twice.
      const firstCall = await placeCall();
      const ringing = await second.until('the INVITE on the newest flow', () => second.invites[0]);
      expect(headerValue(ringing.headers, 'x-centralita-interaction-id')).toBe(firstCall);
      await second.until('the ACK for the 486', () =>
        second.received.find((message) => message.kind === 'request' && message.method === 'ACK'),
      );
      await callEnded(firstCall);
      expect(first.invites).toEqual([]);
      expect(second.invites).toHaveLength(1);

      // Its connection gone, the next call reaches the phone over its other flow, with no timer to wait for.
      await second.close();
      const startedAt = Date.now();
      const secondCall = await placeCall();
      const failedOver = await first.until('the INVITE on the remaining flow', () => first.invites[0]);
      expect(headerValue(failedOver.headers, 'x-centralita-interaction-id')).toBe(secondCall);
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      await callEnded(secondCall);

      // Registering reg-id 1 again, under another Contact URI, replaces that flow's binding.
      expect((await first.registerFlow(instance, 1, 'lucia')).statusCode).toBe(200);
      const rows = await flowBindings();
      expect(rows.map((binding) => [binding.instanceId, binding.regId])).toEqual([
        [instance, 1],
        [instance, 2],
      ]);
      expect(rows[0]?.contactUri).toMatch(/^sip:lucia@127\.0\.0\.1:/);
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);
});

describe('STUN keep-alives on the SIP UDP port (RFC 5626 §8)', () => {
  it('answers a Binding request with the source address and port as XOR-MAPPED-ADDRESS', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const transactionId = Buffer.from(randomUUID().replace(/-/g, '').slice(0, 24), 'hex');
      const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
      socket.send(
        Buffer.concat([Buffer.from('000100002112a442', 'hex'), transactionId]),
        sipService().udpPort,
        '127.0.0.1',
      );
      const bytes = await answer;
      expect(bytes.readUInt16BE(0)).toBe(0x0101);
      expect(bytes.subarray(8, 20)).toEqual(transactionId);
      expect(bytes.readUInt16BE(20)).toBe(0x0020);
      expect(bytes.readUInt16BE(26) ^ 0x2112).toBe(socket.address().port);
      expect([...bytes.subarray(28, 32)].map((octet, i) => octet ^ (bytes[4 + i] ?? 0))).toEqual([
        127, 0, 0, 1,
      ]);
    } finally {
      socket.close();
    }
  });
});
