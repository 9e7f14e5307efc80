import { z } from 'zod';
import { directory, dispositions, flows, interactions, tenants, tickets } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import type {
  CallAction,
  CallControlPort,
  CallControlRefusal,
  RecordingAction,
} from '../call-control-port.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { RoutingPort } from '../routing-port.ts';
import { id, idParams, isoDateTime, ticketStatusCode } from '../schemas.ts';
import { isAllowed } from '../permissions.ts';

const supervisorRoles = new Set(['admin', 'manager', 'team_lead']);

/** What the wrap-up form asks of a ticket: open one about the contact, or update one of the customer's. */
const wrapUpTicketSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('create'),
    subject: z.string().trim().min(1).max(500),
    description: z.string().max(20_000).optional(),
    status: ticketStatusCode.optional(),
  }),
  z.strictObject({
    action: z.literal('update'),
    ticketId: id,
    status: ticketStatusCode.optional(),
    note: z.string().trim().min(1).max(20_000).optional(),
  }),
]);
type WrapUpTicket = z.infer<typeof wrapUpTicketSchema>;

/** True when the user is the contact's agent, or was before it was passed on (a transfer, a takeover). */
function hasHandled(interaction: interactions.Interaction, userId: string | null): boolean {
  if (userId === null) return false;
  if (interaction.agentId === userId) return true;
  const previous = interaction.metadata['previousAgentIds'];
  return Array.isArray(previous) && previous.includes(userId);
}

/**
 * Opens or updates the ticket the wrap-up names and links the contact to it; the ticket's id, or undefined
 * when the form asked for none. A ticket of another customer is refused (400 naming `ticket.ticketId`).
 */
async function wrapUpTicket(
  tx: Tx,
  request: WrapUpTicket | undefined,
  interaction: interactions.Interaction,
  userId: string | null,
  now: Date,
): Promise<string | undefined> {
  if (request === undefined) return undefined;
  if (interaction.customerId === null)
    throw new HttpProblem(409, 'STORE_INVALID_STATE', 'This contact has no customer to open a ticket for.', {
      field: 'ticket',
    });
  if (request.action === 'create') {
    const created = await tickets.createTicket(
      tx,
      {
        customerId: interaction.customerId,
        subject: request.subject,
        description: request.description,
        status: request.status,
        queueId: interaction.queueId,
        assigneeId: userId,
        interactionIds: [interaction.id],
        createdBy: userId,
      },
      now,
    );
    tx.recordEvent('TicketCreated', {
      ticketId: created.id,
      number: created.number,
      customerId: created.customerId,
      status: created.status,
      interactionId: interaction.id,
    });
    return created.id;
  }
  const current = await tickets.getTicket(tx, request.ticketId);
  if (current.customerId !== interaction.customerId)
    throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', 'This ticket belongs to another customer.', {
      field: 'ticket.ticketId',
    });
  await tickets.linkInteraction(tx, current.id, interaction.id);
  if (request.note !== undefined)
    await tickets.addTicketNote(tx, current.id, { body: request.note, isInternal: false, authorId: userId });
  const updated =
    request.status === undefined
      ? current
      : await tickets.updateTicket(tx, current.id, { status: request.status }, now);
  tx.recordEvent('TicketUpdated', {
    ticketId: updated.id,
    number: updated.number,
    status: updated.status,
    fields: [
      ...(request.status === undefined ? [] : ['status']),
      ...(request.note === undefined ? [] : ['note']),
    ],
    interactionId: interaction.id,
  });
  return updated.id;
}

/** A refused call control as problem details: no call in progress (404) or not in a state for it (409). */
function refusalProblem(refusal: CallControlRefusal): HttpProblem {
  return new HttpProblem(
    refusal.reason === 'not-found' ? 404 : 409,
    refusal.reason === 'not-found' ? 'STORE_NOT_FOUND' : 'STORE_INVALID_STATE',
    refusal.message,
    { field: 'id' },
  );
}

/**
 * Call controls for the agent desktop: hold, resume and hang up a call in progress, and finish the
 * after-call work with a disposition and notes. Agents act on their own calls; supervisors on any call of
 * their tenant.
 */
export function registerCallRoutes(
  app: ApiApp,
  deps: RouteDependencies & {
    readonly calls: CallControlPort | undefined;
    readonly routing: RoutingPort | undefined;
  },
): void {
  const calls = (): CallControlPort => {
    if (!deps.calls)
      throw new HttpProblem(
        503,
        'HTTP_CALLS_UNAVAILABLE',
        'Calls are not running on this server (is SIP enabled?).',
      );
    return deps.calls;
  };

  /**
   * The interaction, if the user may act on it (their own contact, or any contact for a supervisor). The agent
   * of a call in progress is its agent even before the database says so (its write may wait for the database).
   */
  async function ownInteraction(request: AuthenticatedRequest, interactionId: string) {
    const principal = principalOf(request);
    const interaction = await deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
      interactions.getInteraction(tx, interactionId),
    );
    const isOnTheCall =
      principal.userId !== null &&
      deps.calls?.liveCall(principal.tenantId, interactionId)?.agentId === principal.userId;
    if (!supervisorRoles.has(principal.role) && !hasHandled(interaction, principal.userId) && !isOnTheCall)
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'This contact is handled by another agent.');
    return interaction;
  }

  for (const action of ['hold', 'resume', 'hangup'] as const satisfies readonly CallAction[]) {
    app.post(
      `/api/interactions/:id/${action}`,
      {
        config: { access: 'calls:control' },
        schema: {
          tags: ['calls'],
          summary:
            action === 'hold'
              ? 'Put the customer on hold (music) during a call'
              : action === 'resume'
                ? 'Take the customer off hold'
                : 'Hang up the call (both legs)',
          params: idParams,
        },
      },
      async (request) => {
        await ownInteraction(request, request.params.id);
        const result = await calls().control(principalOf(request).tenantId, request.params.id, action);
        if (!result.ok) throw refusalProblem(result.error);
        return result.value;
      },
    );
  }

  app.post(
    '/api/interactions/:id/answer',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Pick up your ringing phone from the desktop (phones that accept a remote answer, SIP NOTIFY “talk”)',
        params: idParams,
      },
    },
    async (request) => {
      await ownInteraction(request, request.params.id);
      const result = await calls().answer(principalOf(request).tenantId, request.params.id);
      if (!result.ok) throw refusalProblem(result.error);
      return result.value;
    },
  );

  app.post(
    '/api/interactions/:id/dtmf',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Send keys to the other party of a connected call (RFC 4733 events, tones where not supported)',
        params: idParams,
        body: z.strictObject({
          digits: z
            .string()
            .regex(/^[0-9*#A-Da-d]{1,32}$/, { message: 'keys are 0-9, *, # and A-D, 1 to 32 of them' }),
        }),
      },
    },
    async (request) => {
      await ownInteraction(request, request.params.id);
      const result = await calls().sendDigits(
        principalOf(request).tenantId,
        request.params.id,
        request.body.digits.toUpperCase(),
      );
      if (!result.ok) throw refusalProblem(result.error);
      return result.value;
    },
  );

  for (const action of ['pause', 'resume'] as const satisfies readonly RecordingAction[]) {
    app.post(
      `/api/interactions/:id/recording/${action}`,
      {
        config: { access: 'calls:control' },
        schema: {
          tags: ['calls'],
          summary:
            action === 'pause'
              ? 'Pause the call’s recording (silence is written and the gap marked), where the tenant allows it'
              : 'Resume the call’s recording',
          params: idParams,
        },
      },
      async (request) => {
        await ownInteraction(request, request.params.id);
        const tenant = await deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
          tenants.currentTenant(tx),
        );
        const recording = tenant.settings['recording'] as { agentCanPause?: unknown } | undefined;
        if (action === 'pause' && recording?.agentCanPause === false)
          throw new HttpProblem(
            403,
            'HTTP_FORBIDDEN',
            'This tenant does not let agents pause recordings; ask an administrator to allow it in the tenant settings.',
          );
        const result = await calls().recording(principalOf(request).tenantId, request.params.id, action);
        if (!result.ok) throw refusalProblem(result.error);
        return result.value;
      },
    );
  }

  app.post(
    '/api/calls',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Call a number (through the tenant’s trunk) or a colleague’s extension: your phone rings first, then the other party',
        body: z
          .strictObject({
            number: z.string().min(3).max(32).optional().describe('A phone number, in any usual format.'),
            extension: z
              .string()
              .regex(/^[0-9]{2,8}$/)
              .optional()
              .describe('A colleague’s extension.'),
          })
          .refine((body) => (body.number === undefined) !== (body.extension === undefined), {
            message: 'give either number or extension',
            path: ['number'],
          }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.userId === null)
        throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Only a signed-in user with a phone can place calls.');
      const target =
        request.body.number !== undefined
          ? { kind: 'number' as const, number: request.body.number }
          : { kind: 'extension' as const, extension: request.body.extension ?? '' };
      const result = await calls().placeCall(principal.tenantId, principal.userId, target);
      if (!result.ok) {
        const { reason, message } = result.error;
        throw reason === 'invalid-number'
          ? new HttpProblem(400, 'HTTP_VALIDATION_FAILED', message, { field: 'number' })
          : reason === 'unknown-extension'
            ? new HttpProblem(404, 'STORE_NOT_FOUND', message, { field: 'extension' })
            : new HttpProblem(409, 'STORE_INVALID_STATE', message);
      }
      return reply.code(201).send(result.value);
    },
  );

  app.post(
    '/api/interactions/:id/transfer',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Transfer the customer (blind): to a queue (keeping their place in line), a colleague’s extension, a number or an IVR flow; the agent is released',
        params: idParams,
        body: z
          .strictObject({
            queueId: id.optional(),
            extension: z
              .string()
              .regex(/^[0-9]{2,8}$/, { message: 'must be 2 to 8 digits' })
              .optional(),
            number: z.string().min(3).max(32).optional().describe('A phone number, in any usual format.'),
            flowKey: z
              .string()
              .min(1)
              .max(100)
              .optional()
              .describe('The key of a published IVR flow: it runs for the caller from its entry.'),
          })
          .refine(
            (body) =>
              [body.queueId, body.extension, body.number, body.flowKey].filter((v) => v !== undefined)
                .length === 1,
            { message: 'give exactly one of queueId, extension, number or flowKey', path: ['queueId'] },
          ),
      },
    },
    async (request) => {
      await ownInteraction(request, request.params.id);
      const { queueId, extension, number, flowKey } = request.body;
      if (queueId !== undefined)
        // An unknown queue is the caller's mistake: say which field before touching the call.
        await deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
          directory.getQueue(tx, queueId).catch(() => {
            throw new HttpProblem(404, 'STORE_NOT_FOUND', 'There is no such queue.', { field: 'queueId' });
          }),
        );
      const result = await calls().transfer(
        principalOf(request).tenantId,
        request.params.id,
        queueId !== undefined
          ? { kind: 'queue', queueId }
          : extension !== undefined
            ? { kind: 'extension', extension }
            : flowKey !== undefined
              ? { kind: 'flow', flowKey }
              : { kind: 'number', number: number ?? '' },
      );
      if (!result.ok)
        throw result.error.reason === 'unknown-target'
          ? new HttpProblem(404, 'STORE_NOT_FOUND', result.error.message, {
              field: extension !== undefined ? 'extension' : flowKey !== undefined ? 'flowKey' : 'number',
            })
          : refusalProblem(result.error);
      return result.value;
    },
  );

  app.get(
    '/api/transfer-targets/flows',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'The IVR flows a caller can be transferred to (the tenant’s published flows): key and name only',
      },
    },
    async (request) => {
      const all = await deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
        flows.listFlows(tx),
      );
      return all
        .filter((flow) => flow.publishedVersion !== null)
        .map((flow) => ({ key: flow.key, name: flow.name }));
    },
  );

  app.get(
    '/api/interactions/:id/call',
    {
      config: { access: 'interactions:read' },
      schema: {
        tags: ['calls'],
        summary: 'The call of an interaction while it is in progress',
        params: idParams,
      },
    },
    async (request) => {
      await ownInteraction(request, request.params.id);
      const live = calls().liveCall(principalOf(request).tenantId, request.params.id);
      if (live === undefined)
        throw new HttpProblem(404, 'STORE_NOT_FOUND', 'This interaction has no call in progress.', {
          field: 'id',
        });
      return live;
    },
  );

  app.post(
    '/api/interactions/:id/wrap-up',
    {
      config: { access: 'interactions:write' },
      schema: {
        tags: ['calls'],
        summary:
          'Finish the after-call work: disposition and notes, optionally a ticket opened or updated and a follow-up task; the agent is free for the next contact',
        params: idParams,
        body: z
          .strictObject({
            disposition: z.string().min(1).max(80).nullable().optional(),
            wrapUpNotes: z.string().max(10_000).optional(),
            ticket: wrapUpTicketSchema
              .optional()
              .describe('Open a ticket about this contact, or update one of the customer’s tickets.'),
            followUp: z
              .strictObject({
                description: z.string().trim().min(1).max(2_000),
                dueAt: isoDateTime,
              })
              .optional()
              .describe('A follow-up task on that ticket, assigned to the agent.'),
          })
          .refine((body) => body.followUp === undefined || body.ticket !== undefined, {
            message: 'a follow-up belongs to a ticket: open or choose one in ticket',
            path: ['followUp'],
          }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const interaction = await ownInteraction(request, request.params.id);
      if (interaction.agentId === null)
        throw new HttpProblem(409, 'STORE_INVALID_STATE', 'No agent handled this contact.', { field: 'id' });
      if (request.body.ticket !== undefined && !isAllowed(principal.role, 'tickets:write'))
        throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Your role cannot open or change tickets.', {
          field: 'ticket',
        });
      const updated = await deps.database.inTenant(contextOf(principal, request.id), async (tx) => {
        const disposition = request.body.disposition;
        if (disposition !== undefined && disposition !== null)
          await dispositions.checkDisposition(tx, disposition);
        const changed = await interactions.updateInteraction(tx, request.params.id, {
          ...(request.body.disposition === undefined ? {} : { disposition: request.body.disposition }),
          ...(request.body.wrapUpNotes === undefined ? {} : { wrapUpNotes: request.body.wrapUpNotes }),
        });
        tx.recordEvent('InteractionUpdated', {
          interactionId: changed.id,
          status: changed.status,
          disposition: changed.disposition,
        });
        const ticketId = await wrapUpTicket(tx, request.body.ticket, changed, principal.userId, deps.now());
        const followUp = request.body.followUp;
        if (followUp !== undefined && ticketId !== undefined) {
          await tickets.createFollowUp(tx, ticketId, {
            description: followUp.description,
            dueAt: new Date(followUp.dueAt),
            assigneeId: principal.userId,
            createdBy: principal.userId,
          });
        }
        return { ...changed, ticketId: ticketId ?? null };
      });
      // The ACD frees the agent; the call layer then marks the interaction completed. An agent already free
      // (no wrap-up on this queue) is not an error: the notes are saved all the same.
      // The agent whose after-call work ends: the one wrapping up, when they handled the contact (after a
      // transfer the contact's agent is the next one); a supervisor ends the contact's agent's.
      const agentToFree = hasHandled(interaction, principal.userId)
        ? (principal.userId ?? interaction.agentId)
        : interaction.agentId;
      await deps.routing?.endWrapUp(principal.tenantId, agentToFree, interaction.id);
      return updated;
    },
  );
}
