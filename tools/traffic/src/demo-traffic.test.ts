import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { demoLogins, startTestServer } from '@centralita/server';
import type { TestServer } from '@centralita/server';
import { ApiSession } from './api-session.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoTrafficFlowKey, demoTrafficNumber } from './demo-flow.ts';
import type { DemoTrafficOptions, DemoTrafficResult } from './demo-traffic.ts';
import { runDemoTraffic } from './demo-traffic.ts';
import { interactionsTo, sipPortOf } from './test-support.ts';

// A short, brisk run of `centralita demo calls` against the whole server: two agents, customers every two
// seconds or so for ten seconds, seeded. The server offers MD5 only here, so the phones' MD5 digest is
// exercised too (the soft phone test covers SHA-256).

const adminUrl = inject('adminDatabaseUrl');
const sipDomain = 'pbx.test';

let testServer: TestServer;
let admin: ApiSession;
let firstRun: DemoTrafficResult;
const lines: string[] = [];

function options(overrides: Partial<DemoTrafficOptions>): DemoTrafficOptions {
  return {
    baseUrl: testServer.server.url,
    sipServer: { address: '127.0.0.1', port: sipPortOf(testServer) },
    sipDomain,
    agents: 2,
    callsPerMinute: 30,
    durationMs: 10_000,
    seed: 7,
    habits: {
      ringMs: { minMs: 300, maxMs: 800 },
      talkMs: { minMs: 1_500, maxMs: 3_000 },
      wrapUpMs: { minMs: 200, maxMs: 500 },
      keyDelayMs: { minMs: 2_500, maxMs: 3_000 },
      meanPatienceMs: 20_000,
      unknownCallerShare: 0.3,
    },
    ...overrides,
  };
}

beforeAll(async () => {
  testServer = await startTestServer(adminUrl, 'traffic_demo', {
    CENTRALITA_SIP_DOMAIN: sipDomain,
    CENTRALITA_SIP_DIGEST_ALGORITHMS: 'MD5',
  });
  admin = await ApiSession.login(testServer.server.url, {
    tenant: demoAccounts.tenant,
    email: demoAccounts.admin,
    password: demoAccounts.password,
  });
  firstRun = await runDemoTraffic(options({}), (line) => lines.push(line));
}, 120_000);

afterAll(async () => {
  await testServer.stop();
});

describe('centralita demo calls', () => {
  it('uses the demo logins the seed creates', () => {
    const agents = demoLogins.filter((login) => login.role === 'agent').map((login) => login.email);
    expect(demoAccounts.agents).toEqual(agents);
    expect(demoLogins.find((login) => login.role === 'admin')?.email).toBe(demoAccounts.admin);
  });

  it('places calls that the server stores, the answered ones with their agent, times and disposition', async () => {
    const { summary, calls } = firstRun;
    expect(summary.calls).toBe(calls.length);
    expect(summary.calls).toBeGreaterThanOrEqual(3);
    expect(summary.answered, lines.join('\n')).toBeGreaterThanOrEqual(2);

    const stored = await interactionsTo(testServer, demoTrafficNumber);
    expect(stored).toHaveLength(calls.filter((call) => call.interactionId !== undefined).length);
    expect(stored.map((row) => row.id).sort()).toEqual(
      calls.flatMap((call) => (call.interactionId === undefined ? [] : [call.interactionId])).sort(),
    );
    const agents = await admin.expect<{ agentId: string; name: string; presence: { kind: string } }[]>(
      'agent states',
      'GET',
      '/api/agent-states',
    );
    const ours = new Map(
      agents
        .filter((agent) => agent.name === 'Lucía Fernández' || agent.name === 'Carlos Gómez')
        .map((agent) => [agent.agentId, agent]),
    );
    const answered = calls.filter((call) => call.outcome === 'answered');
    expect(answered).toHaveLength(summary.answered);
    for (const call of answered) {
      const row = stored.find((candidate) => candidate.id === call.interactionId);
      expect(row?.remoteAddress).toBe(call.callerId);
      expect(
        ours.has(row?.agentId ?? ''),
        `answered by one of the simulated agents: ${row?.agentId ?? ''}`,
      ).toBe(true);
      expect(row?.answeredAt).not.toBeNull();
      expect(row?.endedAt).not.toBeNull();
      expect((row?.answeredAt?.getTime() ?? 0) > (row?.startedAt.getTime() ?? 0)).toBe(true);
      expect(row?.disposition, 'the wrap-up saved a disposition').toMatch(/^[a-z_]+$/);
      expect(call.agentName).toBe(ours.get(row?.agentId ?? '')?.name);
    }
    // Every call is over once the run returns.
    expect(stored.filter((row) => row.endedAt === null)).toEqual([]);
    expect(summary.averageWaitMs).not.toBeNull();
  });

  it('tells each step of a call and ends with the agents offline and their phones unregistered', async () => {
    const text = lines.join('\n');
    expect(text).toMatch(/call 1: .+ calls/);
    expect(text).toMatch(/call \d+: queued in (Ventas|Facturación)/);
    expect(text).toMatch(/call \d+: ringing (Lucía Fernández|Carlos Gómez)/);
    expect(text).toMatch(/call \d+: answered by (Lucía Fernández|Carlos Gómez) after \d+ s in the queue/);
    expect(text).toMatch(/call \d+: ended after \d+ s of conversation/);
    expect(text).toMatch(/wrapped it up \([a-z_]+\)/);

    const agents = await admin.expect<{ name: string; presence: { kind: string } }[]>(
      'agent states',
      'GET',
      '/api/agent-states',
    );
    for (const name of ['Lucía Fernández', 'Carlos Gómez'])
      expect(agents.find((agent) => agent.name === name)?.presence.kind).toBe('offline');
    const bindings = await testServer.server.database.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM sip_bindings b JOIN users u ON u.id = b.user_id
       WHERE u.extension IN ('1001', '1002') AND b.expires_at > now()`,
    );
    expect(bindings.rows[0]?.count).toBe(0);
  });

  it('creates its flow and number once: a second run finds them in place', async () => {
    const second: string[] = [];
    const again = await runDemoTraffic(options({ agents: 1, durationMs: 2_000, seed: 8 }), (line) =>
      second.push(line),
    );
    expect(second[0]).toContain('are in place');
    expect(lines[0]).toContain('Created the flow');
    const versions = await admin.expect<unknown[]>(
      'versions',
      'GET',
      `/api/flows/${demoTrafficFlowKey}/versions`,
    );
    expect(versions).toHaveLength(1);
    const dids = await admin.expect<{ number: string; flowKey: string }[]>('numbers', 'GET', '/api/dids');
    expect(dids.filter((did) => did.number === demoTrafficNumber)).toEqual([
      expect.objectContaining({ flowKey: demoTrafficFlowKey }),
    ]);
    expect(again.summary.calls).toBe(again.calls.length);
  });

  it('stops when its signal aborts, as cleanly as at its end', async () => {
    const stop = new AbortController();
    const output: string[] = [];
    const running = runDemoTraffic(options({ durationMs: 600_000, seed: 9, signal: stop.signal }), (line) => {
      output.push(line);
      // Stop as soon as a call reaches a queue: it is hung up by the stop.
      if (/queued in/.test(line)) stop.abort();
    });
    const result = await running;
    expect(output.join('\n')).toMatch(/Stopping: hanging up \d+ call/);
    expect(result.summary.calls).toBeGreaterThanOrEqual(1);
    const stored = await interactionsTo(testServer, demoTrafficNumber);
    expect(stored.filter((row) => row.endedAt === null)).toEqual([]);
  }, 60_000);
});
