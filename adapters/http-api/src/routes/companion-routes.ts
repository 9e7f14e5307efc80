import { z } from 'zod';
import { interactions, sipAccounts, users } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import type { CallControlPort, CompanionRequest } from '../call-control-port.ts';
import type { RoutingPort } from '../routing-port.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { id, idParams } from '../schemas.ts';

const supervisorRoles = new Set(['admin', 'manager', 'team_lead']);

const modeBody = z.strictObject({
  mode: z
    .enum(['listen', 'whisper', 'barge'])
    .describe(
      'listen: you hear both and nobody hears you; whisper: only the agent hears you; barge: everyone hears everyone.',
    ),
});

const consultBody = z
  .strictObject({
    extension: z
      .string()
      .regex(/^[0-9]{2,8}$/, { message: 'must be 2 to 8 digits' })
      .optional()
      .describe('The colleague’s extension.'),
    userId: id.optional().describe('The colleague’s user id (from the directory).'),
  })
  .refine((body) => (body.extension === undefined) !== (body.userId === undefined), {
    message: 'give either extension or userId',
    path: ['extension'],
  });

/**
 * The call's third party: a supervisor monitors a call (listen, whisper, barge) and may take it over; an
 * agent consults a colleague while the customer holds, turns it into a three-way conference, or completes
 * an attended transfer. The supervisor's and the colleague's registered phones are called.
 */
export function registerCompanionRoutes(
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

  const userOf = (request: AuthenticatedRequest): string => {
    const userId = principalOf(request).userId;
    if (userId === null)
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Only a signed-in user with a phone can join calls.');
    return userId;
  };

  /** The call's live view, after checking the user may act on the interaction. */
  async function liveCall(request: AuthenticatedRequest, interactionId: string, isAgentAction: boolean) {
    const principal = principalOf(request);
    const interaction = await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
      interactions.getInteraction(tx, interactionId),
    );
    if (isAgentAction && !supervisorRoles.has(principal.role) && interaction.agentId !== principal.userId)
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'This contact is handled by another agent.');
    const live = calls().liveCall(principal.tenantId, interactionId);
    if (live === undefined)
      throw new HttpProblem(404, 'STORE_NOT_FOUND', 'This interaction has no call in progress.', {
        field: 'id',
      });
    return live;
  }

  async function ask(request: AuthenticatedRequest, interactionId: string, companion: CompanionRequest) {
    const result = await calls().companion(principalOf(request).tenantId, interactionId, companion);
    if (!result.ok)
      throw new HttpProblem(
        result.error.reason === 'not-found' ? 404 : 409,
        result.error.reason === 'not-found' ? 'STORE_NOT_FOUND' : 'STORE_INVALID_STATE',
        result.error.message,
        { field: 'id' },
      );
    return result.value;
  }

  app.get(
    '/api/colleagues',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Colleagues you can consult or call: name, extension, role and live status (available first), without e-mail addresses',
        querystring: z.strictObject({
          search: z.string().max(100).optional().describe('Part of the name, or the exact extension.'),
        }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const page = await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
        users.listUsers(tx, {
          limit: 500,
          offset: 0,
          isDisabled: false,
          ...(request.query.search === undefined ? {} : { search: request.query.search }),
        }),
      );
      const states = new Map(
        (deps.routing === undefined ? [] : await deps.routing.agentStates(principal.tenantId)).map(
          (state) => [state.agentId, state.status],
        ),
      );
      const order = (status: string): number => (status === 'available' ? 0 : status === 'offline' ? 2 : 1);
      return page.items
        .filter((user) => user.extension !== null && user.id !== principal.userId)
        .map((user) => ({
          id: user.id,
          displayName: user.displayName,
          extension: user.extension,
          role: user.role,
          teamId: user.teamId,
          // Users outside the ACD (no skills) show as `not-routed`: they can still be called.
          status: states.get(user.id) ?? 'not-routed',
        }))
        .sort(
          (a, b) => order(a.status) - order(b.status) || a.displayName.localeCompare(b.displayName, 'es'),
        );
    },
  );

  const conflict = (message: string) => new HttpProblem(409, 'STORE_INVALID_STATE', message, { field: 'id' });

  app.post(
    '/api/interactions/:id/monitor',
    {
      config: { access: 'calls:monitor' },
      schema: {
        tags: ['calls'],
        summary:
          'Monitor a call from your phone (it rings): listen, whisper to the agent or barge in; again to change the mode',
        params: idParams,
        body: modeBody,
      },
    },
    async (request) => {
      const userId = userOf(request);
      const live = await liveCall(request, request.params.id, false);
      if (live.agentId === userId) throw conflict('You are the agent on this call.');
      return ask(request, request.params.id, { action: 'monitor', userId, mode: request.body.mode });
    },
  );

  app.delete(
    '/api/interactions/:id/monitor',
    {
      config: { access: 'calls:monitor' },
      schema: {
        tags: ['calls'],
        summary: 'Stop monitoring a call (your phone is hung up)',
        params: idParams,
      },
    },
    async (request) => {
      const userId = userOf(request);
      const live = await liveCall(request, request.params.id, false);
      if (live.companion?.kind !== 'supervisor' || live.companion.userId !== userId)
        throw conflict('You are not monitoring this call.');
      return ask(request, request.params.id, { action: 'end' });
    },
  );

  app.post(
    '/api/interactions/:id/takeover',
    {
      config: { access: 'calls:monitor' },
      schema: {
        tags: ['calls'],
        summary: 'Take over a call you monitor: the agent leaves and you stay with the customer',
        params: idParams,
      },
    },
    async (request) => {
      const userId = userOf(request);
      const live = await liveCall(request, request.params.id, false);
      if (live.companion?.kind !== 'supervisor' || live.companion.userId !== userId)
        throw conflict('Monitor the call first; then you can take it over.');
      return ask(request, request.params.id, { action: 'hand-over' });
    },
  );

  app.post(
    '/api/interactions/:id/consult',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary: 'Consult a colleague: the customer holds with music while the colleague’s phone rings',
        params: idParams,
        body: consultBody,
      },
    },
    async (request) => {
      await liveCall(request, request.params.id, true);
      const colleagueId = await deps.database.inTenant(
        contextOf(principalOf(request), request.id),
        async (tx) => {
          if (request.body.extension !== undefined) {
            const found = await sipAccounts.userIdByExtension(tx, request.body.extension);
            if (found === undefined)
              throw new HttpProblem(404, 'STORE_NOT_FOUND', 'No colleague has this extension.', {
                field: 'extension',
              });
            return found;
          }
          const user = await users.getUser(tx, request.body.userId ?? '').catch(() => undefined);
          if (user === undefined)
            throw new HttpProblem(404, 'STORE_NOT_FOUND', 'There is no such colleague.', { field: 'userId' });
          return user.id;
        },
      );
      if (colleagueId === principalOf(request).userId)
        throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', 'You cannot consult yourself.', {
          field: request.body.extension === undefined ? 'userId' : 'extension',
        });
      return ask(request, request.params.id, { action: 'consult', userId: colleagueId });
    },
  );

  for (const [suffix, action, summary] of [
    ['conference', 'conference', 'Turn the consultation into a three-way conference with the customer'],
    ['transfer', 'hand-over', 'Complete an attended transfer: the consulted colleague keeps the customer'],
  ] as const) {
    app.post(
      `/api/interactions/:id/consult/${suffix}`,
      { config: { access: 'calls:control' }, schema: { tags: ['calls'], summary, params: idParams } },
      async (request) => {
        const live = await liveCall(request, request.params.id, true);
        if (live.companion?.kind !== 'colleague') throw conflict('There is no consultation on this call.');
        return ask(request, request.params.id, { action });
      },
    );
  }

  app.delete(
    '/api/interactions/:id/consult',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary: 'End the consultation (the colleague’s phone is hung up; the customer stays on hold)',
        params: idParams,
      },
    },
    async (request) => {
      const live = await liveCall(request, request.params.id, true);
      if (live.companion?.kind !== 'colleague') throw conflict('There is no consultation on this call.');
      return ask(request, request.params.id, { action: 'end' });
    },
  );
}
