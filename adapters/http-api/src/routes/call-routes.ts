import { z } from 'zod';
import { directory, dispositions, interactions } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import type { CallAction, CallControlPort, CallControlRefusal } from '../call-control-port.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { RoutingPort } from '../routing-port.ts';
import { id, idParams } from '../schemas.ts';

const supervisorRoles = new Set(['admin', 'manager', 'team_lead']);

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

  /** The interaction, if the user may act on it (their own contact, or any contact for a supervisor). */
  async function ownInteraction(request: AuthenticatedRequest, interactionId: string) {
    const principal = principalOf(request);
    const interaction = await deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
      interactions.getInteraction(tx, interactionId),
    );
    if (!supervisorRoles.has(principal.role) && interaction.agentId !== principal.userId)
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
          'Transfer the customer (blind): to a queue (keeping their place in line), a colleague’s extension or a number; the agent is released',
        params: idParams,
        body: z
          .strictObject({
            queueId: id.optional(),
            extension: z
              .string()
              .regex(/^[0-9]{2,8}$/, { message: 'must be 2 to 8 digits' })
              .optional(),
            number: z.string().min(3).max(32).optional().describe('A phone number, in any usual format.'),
          })
          .refine(
            (body) => [body.queueId, body.extension, body.number].filter((v) => v !== undefined).length === 1,
            { message: 'give exactly one of queueId, extension or number', path: ['queueId'] },
          ),
      },
    },
    async (request) => {
      await ownInteraction(request, request.params.id);
      const { queueId, extension, number } = request.body;
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
            : { kind: 'number', number: number ?? '' },
      );
      if (!result.ok)
        throw result.error.reason === 'unknown-target'
          ? new HttpProblem(404, 'STORE_NOT_FOUND', result.error.message, {
              field: extension !== undefined ? 'extension' : 'number',
            })
          : refusalProblem(result.error);
      return result.value;
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
        summary: 'Finish the after-call work: disposition and notes; the agent is free for the next contact',
        params: idParams,
        body: z.strictObject({
          disposition: z.string().min(1).max(80).nullable().optional(),
          wrapUpNotes: z.string().max(10_000).optional(),
        }),
      },
    },
    async (request) => {
      const interaction = await ownInteraction(request, request.params.id);
      if (interaction.agentId === null)
        throw new HttpProblem(409, 'STORE_INVALID_STATE', 'No agent handled this contact.', { field: 'id' });
      const updated = await deps.database.inTenant(
        contextOf(principalOf(request), request.id),
        async (tx) => {
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
          return changed;
        },
      );
      // The ACD frees the agent; the call layer then marks the interaction completed. An agent already free
      // (no wrap-up on this queue) is not an error: the notes are saved all the same.
      await deps.routing?.endWrapUp(principalOf(request).tenantId, interaction.agentId, interaction.id);
      return updated;
    },
  );
}
