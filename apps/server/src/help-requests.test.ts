import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {} from '@centralita/testkit';
import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { RunningServer } from './wiring.ts';
import { apiRequest, signIn, useTestServer } from './test-server.ts';
import type { TestSession } from './test-server.ts';

// "Ask for help" through the API of the running server: the routing engine holds the request on the
// agent's work, the wallboard's agent states show it, and each step is an event of the interaction. The
// contact is put on Lucía by feeding the live routing engine, as the call layer does for a call.

let server: RunningServer;
useTestServer('help_requests', (started) => {
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

interface Problem {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
}

interface HelpView {
  readonly state: string;
  readonly note: string | null;
  readonly timeSinceRequestMs: number;
  readonly attendedBy: { readonly userId: string; readonly name: string } | null;
}

interface AgentState {
  readonly agentId: string;
  readonly work: readonly { contactId: string; activity: string; help: HelpView | null }[];
}

interface StreamEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** The tenant's help events as a supervisor's WebSocket receives them, kept for the test to wait on. */
async function helpEvents(session: Session): Promise<{
  next: (predicate: (event: StreamEvent) => boolean) => Promise<StreamEvent>;
  close: () => void;
}> {
  const socket = new WebSocket(
    `ws://${new URL(server.url).host}/api/events?types=HelpRequested,HelpWithdrawn,HelpAttended`,
    { headers: { cookie: session.headers.cookie ?? '' } },
  );
  const received: StreamEvent[] = [];
  const waiting = new Set<() => void>();
  await new Promise<void>((resolve) => {
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString()) as StreamEvent;
      if (message.type === 'StreamOpened') resolve();
      else received.push(message);
      for (const wake of waiting) wake();
    });
  });
  return {
    next: (predicate) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = received.find(predicate);
          if (found === undefined) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error('no matching event within 5 s'));
        }, 5_000);
        waiting.add(check);
        check();
      }),
    close: () => {
      socket.close();
    },
  };
}

function helpOf(states: readonly AgentState[], agentId: string, contactId: string): HelpView | null {
  return states.find((s) => s.agentId === agentId)?.work.find((w) => w.contactId === contactId)?.help ?? null;
}

describe('asking a supervisor for help', () => {
  it('is asked, withdrawn and attended on the agent’s own contact, and ends with the after-call work', async () => {
    const admin = await loginAs('admin@fibrasur.example');
    const lucia = await loginAs('lucia.fernandez@fibrasur.example');
    const carlos = await loginAs('carlos.gomez@fibrasur.example');
    const lead = await loginAs('teamlead@fibrasur.example');
    const tenantId = (await call<{ id: string }>(admin, 'GET', '/api/tenant')).body.id;
    const queues = await call<{ items: { id: string; name: string }[] }>(
      admin,
      'GET',
      '/api/queues?limit=100',
    );
    const ventas = queues.body.items.find((queue) => queue.name === 'Ventas');
    // After-call work until the agent ends it, so the request can outlive the conversation.
    expect(
      (await call(admin, 'PATCH', `/api/queues/${ventas?.id ?? ''}`, { settings: { wrapUpSeconds: null } }))
        .status,
    ).toBe(200);
    expect((await call(lucia, 'PUT', '/api/agents/me/presence', { presence: 'available' })).status).toBe(200);
    const created = await call<{ id: string }>(lucia, 'POST', '/api/interactions', {
      channel: 'voice',
      direction: 'inbound',
      remoteAddress: '+34600111222',
      // As the call layer records it once the agent answers.
      agentId: lucia.userId,
    });
    const interactionId = created.body.id;
    const base = `/api/interactions/${interactionId}/help`;

    // Before the contact is hers, there is nothing to ask help with.
    const tooEarly = await call<Problem>(lucia, 'POST', base, { note: 'hola' });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body).toMatchObject({ code: 'STORE_INVALID_STATE', field: 'id' });

    const contactId = interactionId as InteractionId;
    expect(
      await server.routing.dispatch(tenantId, {
        type: 'ContactArrived',
        contactId,
        queueId: (ventas?.id ?? '') as QueueId,
        channel: 'voice',
      }),
    ).toBeUndefined();
    expect(
      await server.routing.dispatch(tenantId, {
        type: 'OfferAccepted',
        contactId,
        agentId: lucia.userId as AgentId,
      }),
    ).toBeUndefined();

    const stream = await helpEvents(lead);
    try {
      const tooLong = await call<Problem>(lucia, 'POST', base, { note: 'x'.repeat(281) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.field).toBe('note');
      const notText = await call<Problem>(lucia, 'POST', base, { note: 42 });
      expect(notText.status).toBe(400);
      expect(notText.body.field).toBe('note');
      const unknownField = await call<Problem>(lucia, 'POST', base, { urgent: true });
      expect(unknownField.status).toBe(400);
      const unknown = await call<Problem>(
        lucia,
        'POST',
        '/api/interactions/00000000-0000-4000-8000-000000000077/help',
        {},
      );
      expect(unknown.status).toBe(404);
      // Somebody else's contact: Carlos is not on it.
      const notHis = await call<Problem>(carlos, 'POST', base, { note: 'ayuda' });
      expect(notHis.status).toBe(409);
      expect(notHis.body.field).toBe('id');
      expect(notHis.body.detail).toContain('not a contact you are on or wrapping up');
      expect((await call<Problem>(carlos, 'DELETE', base)).status).toBe(409);

      const asked = await call<HelpView>(lucia, 'POST', base, {
        note: '  Quiere la baja y amenaza con reclamar ',
      });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ state: 'open', note: 'Quiere la baja y amenaza con reclamar' });
      const requested = await stream.next((event) => event.type === 'HelpRequested');
      expect(requested.data).toEqual({
        agentId: lucia.userId,
        interactionId,
        note: 'Quiere la baja y amenaza con reclamar',
      });
      const board = await call<AgentState[]>(lead, 'GET', '/api/agent-states');
      expect(helpOf(board.body, lucia.userId, interactionId)).toMatchObject({
        state: 'open',
        note: 'Quiere la baja y amenaza con reclamar',
        attendedBy: null,
      });
      const twice = await call<Problem>(lucia, 'POST', base, {});
      expect(twice.status).toBe(409);
      expect(twice.body.detail).toBe('You already asked for help with this contact.');
      // Agents do not mark requests attended, not even their own.
      expect((await call<Problem>(lucia, 'POST', `${base}/attended`)).status).toBe(403);

      expect((await call(lucia, 'DELETE', base)).status).toBe(204);
      await stream.next((event) => event.type === 'HelpWithdrawn' && event.data['reason'] === 'agent');
      const after = await call<AgentState[]>(lead, 'GET', '/api/agent-states');
      expect(helpOf(after.body, lucia.userId, interactionId)).toBeNull();
      expect((await call<Problem>(lucia, 'DELETE', base)).status).toBe(409);
      expect((await call<Problem>(lead, 'POST', `${base}/attended`)).status).toBe(409);

      expect((await call(lucia, 'POST', base, {})).status).toBe(201);
      expect((await call(lead, 'POST', `${base}/attended`)).status).toBe(204);
      const attended = await stream.next((event) => event.type === 'HelpAttended');
      expect(attended.data).toMatchObject({
        agentId: lucia.userId,
        interactionId,
        supervisorId: lead.userId,
      });
      const mine = await call<AgentState>(lucia, 'GET', '/api/agents/me/state');
      expect(mine.body.work.find((w) => w.contactId === interactionId)?.help).toMatchObject({
        state: 'attended',
        note: null,
        attendedBy: { userId: lead.userId, name: 'Marta Sánchez' },
      });

      // The conversation ends; in the after-call work she asks again, and finishing it ends the request.
      await server.routing.dispatch(tenantId, { type: 'ContactEnded', contactId });
      expect((await call(lucia, 'POST', base, { note: 'Duda con el resultado' })).status).toBe(201);
      expect((await call(lucia, 'POST', `/api/interactions/${interactionId}/wrap-up`, {})).status).toBe(200);
      const ended = await stream.next(
        (event) => event.type === 'HelpWithdrawn' && event.data['reason'] === 'work-ended',
      );
      expect(ended.data).toMatchObject({ agentId: lucia.userId, interactionId });
      const done = await call<AgentState[]>(lead, 'GET', '/api/agent-states');
      expect(done.body.find((s) => s.agentId === lucia.userId)?.work).toEqual([]);
    } finally {
      stream.close();
    }

    // Durable: every step is in domain_events with the interaction's id.
    const stored = await server.database.pool.query<{ type: string }>(
      `SELECT type FROM domain_events WHERE data ->> 'interactionId' = $1 AND type LIKE 'Help%' ORDER BY seq`,
      [interactionId],
    );
    expect(stored.rows.map((row) => row.type)).toEqual([
      'HelpRequested',
      'HelpWithdrawn',
      'HelpRequested',
      'HelpAttended',
      'HelpRequested',
      'HelpWithdrawn',
    ]);
  });
});
