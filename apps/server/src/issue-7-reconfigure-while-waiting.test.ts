import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {} from '@centralita/testkit';
import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { RunningServer } from './wiring.ts';
import { apiRequest, signIn, useTestServer } from './test-server.ts';
import type { TestSession } from './test-server.ts';

// Issue #7: a configuration change (a queue's settings, a skill, a user) rebuilt the tenant's routing from
// the database and kept only the agents' presence, so callers waiting at that moment were forgotten: never
// offered, never overflowed. The contacts are fed to the live routing engine as the call layer does.

let server: RunningServer;
useTestServer('reconfigure', (started) => {
  server = started.server;
});

// The type parameter is the test's claim about the JSON the endpoint answers.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function call<T>(
  session: TestSession,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return apiRequest<T>(server, session, method, path, body);
}

interface AgentState {
  readonly status: string;
  readonly wrapUpEndsInMs: number | null;
  readonly work: readonly { contactId: string; activity: string }[];
}
interface QueueStats {
  readonly name: string;
  readonly waiting: number;
  readonly offered: number;
  readonly abandoned: number;
}

interface StreamEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** The first event on the tenant's stream (from now on) that matches, waited for at most 5 s. */
function nextEvent(session: TestSession, predicate: (event: StreamEvent) => boolean): Promise<StreamEvent> {
  const socket = new WebSocket(`ws://${new URL(server.url).host}/api/events?types=AgentActivityChanged`, {
    headers: { cookie: session.headers.cookie ?? '' },
  });
  return new Promise<StreamEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no matching event within 5 s'));
    }, 5_000);
    socket.on('message', (raw: Buffer) => {
      const event = JSON.parse(raw.toString()) as StreamEvent;
      if (event.type === 'StreamOpened' || !predicate(event)) return;
      clearTimeout(timer);
      resolve(event);
    });
  }).finally(() => {
    socket.close();
  });
}

async function queueStats(session: TestSession, name: string): Promise<QueueStats | undefined> {
  return (await call<QueueStats[]>(session, 'GET', '/api/queue-stats')).body.find((q) => q.name === name);
}

describe('a configuration change while callers wait (issue #7)', () => {
  let admin: TestSession;
  let tenantId: string;

  beforeAll(async () => {
    admin = await signIn(server, 'admin@fibrasur.example');
    tenantId = (await call<{ id: string }>(admin, 'GET', '/api/tenant')).body.id;
  });

  it('keeps the callers in line through a queue change and offers them to the agent who becomes available', async () => {
    const lucia = await signIn(server, 'lucia.fernandez@fibrasur.example');
    const queues = await call<{ items: { id: string; name: string }[] }>(
      admin,
      'GET',
      '/api/queues?limit=100',
    );
    const ventas = queues.body.items.find((queue) => queue.name === 'Ventas');
    const first = randomUUID() as InteractionId;
    const second = randomUUID() as InteractionId;
    // Nobody is signed in yet: both callers wait.
    for (const contactId of [first, second]) {
      expect(
        await server.routing.dispatch(tenantId, {
          type: 'ContactArrived',
          contactId,
          queueId: (ventas?.id ?? '') as QueueId,
          channel: 'voice',
        }),
      ).toBeUndefined();
    }
    expect(await queueStats(admin, 'Ventas')).toMatchObject({ waiting: 2, offered: 2 });

    // A supervisor changes the queue's settings while they wait (QueueChanged).
    const changed = await call(admin, 'PATCH', `/api/queues/${ventas?.id ?? ''}`, {
      settings: { maxWaitSeconds: 900, wrapUpSeconds: 1 },
    });
    expect(changed.status).toBe(200);
    expect(await queueStats(admin, 'Ventas')).toMatchObject({ waiting: 2, offered: 2 });

    // Lucía signs in: the first caller rings her.
    const available = await call<AgentState>(lucia, 'PUT', '/api/agents/me/presence', {
      presence: 'available',
    });
    expect(available.body.status).toBe('ringing');
    expect(available.body.work).toEqual([{ contactId: first, activity: 'ringing', help: null }]);
    expect(
      await server.routing.dispatch(tenantId, {
        type: 'OfferAccepted',
        contactId: first,
        agentId: lucia.userId as AgentId,
      }),
    ).toBeUndefined();
    expect(await queueStats(admin, 'Ventas')).toMatchObject({ waiting: 1, offered: 2 });

    // The call ends: the wrap-up is the queue's new one, a second long.
    const wrapUpEnded = nextEvent(
      admin,
      (event) =>
        event.type === 'AgentActivityChanged' &&
        event.data['agentId'] === lucia.userId &&
        event.data['from'] === 'wrap-up' &&
        event.data['to'] === 'idle',
    );
    await server.routing.dispatch(tenantId, { type: 'ContactEnded', contactId: first });
    const wrapping = await call<AgentState>(lucia, 'GET', '/api/agents/me/state');
    expect(wrapping.body.status).toBe('wrap-up');
    expect(wrapping.body.wrapUpEndsInMs).toBeLessThanOrEqual(1_000);
    // Another change during the wrap-up: it goes on, and its timer still ends it.
    expect(
      (await call(admin, 'PATCH', `/api/queues/${ventas?.id ?? ''}`, { settings: { priority: 2 } })).status,
    ).toBe(200);
    expect((await call<AgentState>(lucia, 'GET', '/api/agents/me/state')).body.status).toBe('wrap-up');
    expect((await wrapUpEnded).data).toMatchObject({
      contactId: first,
      cause: { by: 'system', reason: 'wrap-up-timer' },
    });
    // Free again, she gets the caller who waited behind.
    const next = await call<AgentState>(lucia, 'GET', '/api/agents/me/state');
    expect(next.body.work).toEqual([{ contactId: second, activity: 'ringing', help: null }]);

    await server.routing.dispatch(tenantId, { type: 'ContactAbandoned', contactId: second });
    expect(await queueStats(admin, 'Ventas')).toMatchObject({ waiting: 0, offered: 2, abandoned: 1 });
    const stored = await server.database.pool.query<{ type: string }>(
      `SELECT type FROM domain_events WHERE data ->> 'contactId' = $1 AND type LIKE 'Contact%' ORDER BY seq`,
      [first],
    );
    expect(stored.rows.map((row) => row.type)).toEqual([
      'ContactQueued',
      'ContactAnswered',
      'ContactFinished',
    ]);
  });

  it('offers a waiting caller at once when a supervisor gives an available agent the skill it needs', async () => {
    const carlos = await signIn(server, 'carlos.gomez@fibrasur.example');
    const skill = await call<{ id: string }>(admin, 'POST', '/api/skills', { name: 'Portugués' });
    const queue = await call<{ id: string }>(admin, 'POST', '/api/queues', {
      name: 'Atención en portugués',
      skills: [{ skillId: skill.body.id, minLevel: 3 }],
    });
    expect(queue.status).toBe(201);
    expect(
      (await call<AgentState>(carlos, 'PUT', '/api/agents/me/presence', { presence: 'available' })).body
        .status,
    ).toBe('idle');
    const contactId = randomUUID() as InteractionId;
    expect(
      await server.routing.dispatch(tenantId, {
        type: 'ContactArrived',
        contactId,
        queueId: queue.body.id as QueueId,
        channel: 'voice',
      }),
    ).toBeUndefined();
    expect(await queueStats(admin, 'Atención en portugués')).toMatchObject({ waiting: 1 });

    // UserChanged: Carlos now speaks Portuguese.
    const user = await call<{ skills: { skillId: string; level: number }[] }>(
      admin,
      'GET',
      `/api/users/${carlos.userId}`,
    );
    const skills = [
      ...user.body.skills.map(({ skillId, level }) => ({ skillId, level })),
      { skillId: skill.body.id, level: 6 },
    ];
    expect((await call(admin, 'PATCH', `/api/users/${carlos.userId}`, { skills })).status).toBe(200);

    const state = await call<AgentState>(carlos, 'GET', '/api/agents/me/state');
    expect(state.body.work).toEqual([{ contactId, activity: 'ringing', help: null }]);
    expect(await queueStats(admin, 'Atención en portugués')).toMatchObject({ waiting: 0, offered: 1 });
  });
});
