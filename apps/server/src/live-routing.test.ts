import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type {} from '@centralita/testkit';
import { InProcessBus } from '@centralita/bus';
import pino from 'pino';
import { RoutingRuntime } from './routing-runtime.ts';
import type { RunningServer } from './wiring.ts';
import { apiRequest, signIn, useTestServer } from './test-server.ts';
import type { TestSession } from './test-server.ts';

let server: RunningServer;
useTestServer('routing', (started) => {
  server = started.server;
});

type Session = TestSession;

function loginAs(email: string): Promise<Session> {
  return signIn(server, email);
}

// The type parameter is the test's claim about the JSON the endpoint answers.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function call<T>(
  session: Session,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return apiRequest<T>(server, session, method, path, body);
}

interface AgentState {
  presence: { kind: string; reason?: string };
  status: string;
  name: string;
  breakReasons?: string[];
}
interface QueueStats {
  name: string;
  waiting: number;
  offered: number;
  agentsByStatus: Record<string, { count: number }>;
}

/** Waits (bounded) for a stream message matching the predicate. */
function nextMessage(
  socket: WebSocket,
  predicate: (message: { type: string; data?: Record<string, unknown> }) => boolean,
): Promise<{ type: string; data?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no matching event within 5 s'));
    }, 5_000);
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString()) as { type: string; data?: Record<string, unknown> };
      if (predicate(message)) {
        clearTimeout(timer);
        resolve(message);
      }
    });
  });
}

describe('live routing in the running server', () => {
  it('lets an agent go available and a supervisor see it on the wallboard and force a break', async () => {
    const agent = await loginAs('lucia.fernandez@fibrasur.example');
    const lead = await loginAs('teamlead@fibrasur.example');
    const initial = await call<AgentState>(agent, 'GET', '/api/agents/me/state');
    // Presence is what the agent chose; status is what the system has them doing (idle = free for a contact).
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ presence: { kind: 'offline' }, name: 'Lucía Fernández' });
    expect(initial.body.breakReasons).toContain('lunch');

    const stream = new WebSocket(`ws://${new URL(server.url).host}/api/events?types=AgentPresenceChanged`, {
      headers: { cookie: lead.headers.cookie ?? '' },
    });
    await nextMessage(stream, (m) => m.type === 'StreamOpened');
    const announced = nextMessage(
      stream,
      (m) => m.type === 'AgentPresenceChanged' && m.data?.agentId === agent.userId,
    );
    const available = await call<AgentState>(agent, 'PUT', '/api/agents/me/presence', {
      presence: 'available',
    });
    expect(available.body).toMatchObject({ presence: { kind: 'available' }, status: 'idle' });
    expect(available.body.breakReasons).toContain('coaching');
    expect((await announced).data).toMatchObject({ to: { kind: 'available' }, cause: { by: 'agent' } });

    const board = await call<QueueStats[]>(lead, 'GET', '/api/queue-stats');
    const ventas = board.body.find((q) => q.name === 'Ventas');
    expect(ventas?.agentsByStatus.idle?.count).toBe(1);
    const soporte = board.body.find((q) => q.name === 'Soporte técnico');
    expect(soporte?.agentsByStatus.idle?.count ?? 0).toBe(0);

    const forced = nextMessage(
      stream,
      (m) =>
        m.type === 'AgentPresenceChanged' && (m.data?.to as { kind?: string } | undefined)?.kind === 'break',
    );
    const coaching = await call<AgentState>(lead, 'PUT', `/api/agents/${agent.userId}/presence`, {
      presence: 'break',
      reason: 'coaching',
    });
    expect(coaching.body).toMatchObject({ presence: { kind: 'break', reason: 'coaching' } });
    expect((await forced).data).toMatchObject({ cause: { by: 'supervisor' } });
    const mine = await call<AgentState>(agent, 'GET', '/api/agents/me/state');
    expect(mine.body.presence).toEqual({ kind: 'break', reason: 'coaching' });
    stream.close();
  });

  it('refuses a break reason the tenant does not have, and shows supervisors only to supervisors', async () => {
    const agent = await loginAs('carlos.gomez@fibrasur.example');
    const refused = await call<{ field: string }>(agent, 'PUT', '/api/agents/me/presence', {
      presence: 'break',
      reason: 'siesta',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.field).toBe('presence.reason');
    const noReason = await call<{ field: string }>(agent, 'PUT', '/api/agents/me/presence', {
      presence: 'break',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    expect((await call(agent, 'GET', '/api/agent-states')).status).toBe(403);
    // A supervisor cannot sign a signed-out agent in by forcing a break (they would count as there for the
    // queues); signing out a signed-in one works.
    const lead = await loginAs('teamlead@fibrasur.example');
    const signedOut = await loginAs('irene.vazquez@fibrasur.example');
    const forced = await call<{ field: string; detail: string }>(
      lead,
      'PUT',
      `/api/agents/${signedOut.userId}/presence`,
      { presence: 'break', reason: 'coaching' },
    );
    expect(forced.status).toBe(409);
    expect(forced.body).toMatchObject({ field: 'presence' });
    expect(forced.body.detail).toContain('signed out');
    expect((await call<AgentState>(signedOut, 'GET', '/api/agents/me/state')).body.presence).toEqual({
      kind: 'offline',
    });
    const analyst = await loginAs('analyst@fibrasur.example');
    expect((await call(analyst, 'GET', '/api/queue-stats')).status).toBe(200);
    expect((await call(analyst, 'GET', '/api/agents/me/state')).status).toBe(404);
  });

  it('takes a new queue into routing at once, keeping agents’ presence', async () => {
    const admin = await loginAs('admin@fibrasur.example');
    const agent = await loginAs('diego.moreno@fibrasur.example');
    await call(agent, 'PUT', '/api/agents/me/presence', { presence: 'available' });
    const skills = await call<{ id: string; name: string }[]>(admin, 'GET', '/api/skills');
    const support = skills.body.find((s) => s.name === 'Soporte técnico');
    const created = await call<{ id: string }>(admin, 'POST', '/api/queues', {
      name: 'Averías urgentes',
      skills: [{ skillId: support?.id, minLevel: 8 }],
    });
    expect(created.status).toBe(201);
    const board = await call<QueueStats[]>(admin, 'GET', '/api/queue-stats');
    const urgent = board.body.find((q) => q.name === 'Averías urgentes');
    expect(urgent?.agentsByStatus.idle?.count).toBe(1);
    const states = await call<AgentState[]>(admin, 'GET', '/api/agent-states');
    expect(states.body.find((s) => s.name === 'Diego Moreno')?.presence).toEqual({ kind: 'available' });
  });

  it('follows a queue’s routing settings at once: nobody signed in sends callers to the overflow queue', async () => {
    const admin = await loginAs('admin@fibrasur.example');
    const skill = await call<{ id: string }>(admin, 'POST', '/api/skills', { name: 'Alemán' });
    const spare = await call<{ id: string }>(admin, 'POST', '/api/queues', { name: 'Desbordamiento' });
    const refused = await call<{ field: string }>(admin, 'POST', '/api/queues', {
      name: 'Atención en alemán',
      settings: {
        whenNoAgents: 'overflow',
        overflow: { type: 'queue', queueId: '00000000-0000-4000-8000-000000000001' },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('settings.overflow.queueId');
    const badStrategy = await call<{ field: string }>(admin, 'POST', '/api/queues', {
      name: 'Atención en alemán',
      settings: { strategy: 'whoever' },
    });
    expect(badStrategy.status).toBe(400);
    expect(JSON.stringify(badStrategy.body)).toContain('strategy');

    const german = await call<{ id: string }>(admin, 'POST', '/api/queues', {
      name: 'Atención en alemán',
      skills: [{ skillId: skill.body.id, minLevel: 1 }],
      settings: {
        strategy: 'least-occupied',
        whenNoAgents: 'overflow',
        overflow: { type: 'queue', queueId: spare.body.id },
        maxWaitSeconds: 300,
        escalation: [{ afterSeconds: 60, action: { type: 'relax-skills', levelsBy: 1 } }],
      },
    });
    expect(german.status).toBe(201);
    const tenantId = (await call<{ id: string }>(admin, 'GET', '/api/tenant')).body.id;
    const refusal = await server.routing.dispatch(tenantId, {
      type: 'ContactArrived',
      contactId: '7a7c1d2e-0000-4000-8000-000000000042' as never,
      queueId: german.body.id as never,
      channel: 'voice',
    });
    expect(refusal).toBeUndefined();
    const board = await call<QueueStats[]>(admin, 'GET', '/api/queue-stats');
    expect(board.body.find((q) => q.name === 'Atención en alemán')?.waiting).toBe(0);
    // Offered to the overflow queue (where a free agent may already be ringing).
    expect(board.body.find((q) => q.name === 'Desbordamiento')?.offered).toBe(1);
  });
  it('keeps routing while the database refuses its events, and stores them with their times once it takes them', async () => {
    const agent = await loginAs('irene.vazquez@fibrasur.example');
    const pool = server.database.pool;
    // The demo's history has this agent's past shifts: only events recorded from now on count.
    const fromSeq = (await pool.query<{ seq: string }>('SELECT max(seq) AS seq FROM domain_events')).rows[0]
      ?.seq;
    const presenceEvents = async (): Promise<{ occurred_at: Date }[]> =>
      (
        await pool.query<{ occurred_at: Date }>(
          "SELECT occurred_at FROM domain_events WHERE type = 'AgentPresenceChanged' AND data->>'agentId' = $1 AND seq > $2",
          [agent.userId, fromSeq ?? 0],
        )
      ).rows;
    // The database refuses this agent's routing events, as a database that is down refuses every write.
    await pool.query(`CREATE FUNCTION test_refuse_routing_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.data->>'agentId' = '${agent.userId}' THEN
          RAISE EXCEPTION 'the test database cannot take writes now' USING ERRCODE = '57P03';
        END IF;
        RETURN NEW;
      END $$`);
    await pool.query(
      'CREATE TRIGGER test_refuse_routing_event BEFORE INSERT ON domain_events FOR EACH ROW EXECUTE FUNCTION test_refuse_routing_event()',
    );
    let isRefusing = true;
    try {
      const beforeMs = Date.now();
      const available = await call<AgentState>(agent, 'PUT', '/api/agents/me/presence', {
        presence: 'available',
      });
      const afterMs = Date.now();
      // Routing went on: the agent is available and can take calls, though nothing is stored yet.
      expect(available.status).toBe(200);
      expect(available.body).toMatchObject({ presence: { kind: 'available' }, status: 'idle' });
      expect((await call<AgentState>(agent, 'GET', '/api/agents/me/state')).body.presence.kind).toBe(
        'available',
      );
      expect(await presenceEvents()).toEqual([]);

      await pool.query('DROP TRIGGER test_refuse_routing_event ON domain_events');
      isRefusing = false;
      // The first retry comes a second after the refusal.
      await vi.waitFor(
        async () => {
          expect(await presenceEvents()).toHaveLength(1);
        },
        { timeout: 10_000, interval: 100 },
      );
      const [stored] = await presenceEvents();
      // With the time it happened, not the time it was stored.
      expect(stored?.occurred_at.getTime()).toBeGreaterThanOrEqual(beforeMs - 1);
      expect(stored?.occurred_at.getTime()).toBeLessThanOrEqual(afterMs + 1);
    } finally {
      if (isRefusing) await pool.query('DROP TRIGGER test_refuse_routing_event ON domain_events');
      await pool.query('DROP FUNCTION test_refuse_routing_event()');
    }
  }, 30_000);
  it('builds a tenant’s routing again after the database failed the first time, instead of failing for ever', async () => {
    const pool = server.database.pool;
    const agent = await loginAs('irene.vazquez@fibrasur.example');
    const tenantId = (
      await pool.query<{ tenant_id: string }>('SELECT tenant_id FROM users WHERE id = $1', [agent.userId])
    ).rows[0]?.tenant_id;
    if (tenantId === undefined) throw new Error('no tenant for the agent');
    // A runtime of its own: its first use of the tenant reads the configuration from the database.
    const runtime = new RoutingRuntime(server.database, new InProcessBus(), pino({ level: 'silent' }));
    // The queues cannot be read, as when the database fails.
    await pool.query('ALTER TABLE queues RENAME TO queues_hidden_by_test');
    let isHidden = true;
    try {
      await expect(runtime.agentStates(tenantId)).rejects.toThrow();
      await pool.query('ALTER TABLE queues_hidden_by_test RENAME TO queues');
      isHidden = false;
      const states = await runtime.agentStates(tenantId);
      expect(states.map((state) => state.agentId)).toContain(agent.userId);
    } finally {
      if (isHidden) await pool.query('ALTER TABLE queues_hidden_by_test RENAME TO queues');
      await runtime.close();
    }
  });
});
