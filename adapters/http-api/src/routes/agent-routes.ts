import { z } from 'zod';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { principalOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { PresenceView, RoutingPort } from '../routing-port.ts';
import { requireRouting } from '../routing-port.ts';
import { idParams } from '../schemas.ts';

const presenceBody = z.strictObject({
  presence: z.enum(['available', 'break', 'offline']),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Required for a break: one of the tenant’s break reasons.'),
});

function presenceFrom(body: z.infer<typeof presenceBody>): PresenceView {
  if (body.presence !== 'break') return { kind: body.presence };
  if (body.reason === undefined)
    throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', 'A break needs a reason.', { field: 'reason' });
  return { kind: 'break', reason: body.reason };
}

/** Agents' presence and live state, and the queues' live figures (the wallboard), from the routing engine. */
export function registerAgentRoutes(
  app: ApiApp,
  deps: RouteDependencies & { readonly routing: RoutingPort | undefined },
): void {
  const routing = (): RoutingPort => requireRouting(deps.routing);
  const notAnAgent = () =>
    new HttpProblem(
      404,
      'STORE_NOT_FOUND',
      'You do not take contacts: ask an administrator to give you skills in a queue.',
    );

  app.get(
    '/api/agents/me/state',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['agents'], summary: 'My presence and live state' },
    },
    async (request) => {
      const principal = principalOf(request);
      const state =
        principal.userId === null
          ? undefined
          : await routing().agentState(principal.tenantId, principal.userId);
      if (!state) throw notAnAgent();
      return { ...state, breakReasons: await routing().breakReasons(principal.tenantId) };
    },
  );

  app.put(
    '/api/agents/me/presence',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary: 'Choose my presence: available, on break with a reason, or offline',
        body: presenceBody,
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.userId === null) throw notAnAgent();
      const result = await routing().selectPresence(
        principal.tenantId,
        principal.userId,
        presenceFrom(request.body),
        'agent',
      );
      if (!result.ok)
        throw new HttpProblem(
          result.error.code === 'ACD_AGENT_NOT_FOUND' ? 404 : 409,
          'STORE_INVALID_STATE',
          result.error.message,
          { field: result.error.field ?? 'presence' },
        );
      return { ...result.value, breakReasons: await routing().breakReasons(principal.tenantId) };
    },
  );

  app.get(
    '/api/break-reasons',
    {
      config: { access: 'agents:manage' },
      schema: {
        tags: ['agents'],
        summary: 'The tenant’s break reasons (settings.breakReasons), for forcing a break with a valid one',
      },
    },
    async (request) => routing().breakReasons(principalOf(request).tenantId),
  );

  app.get(
    '/api/agent-states',
    {
      config: { access: 'agents:monitor' },
      schema: { tags: ['agents'], summary: 'Every agent’s live state, for supervisors' },
    },
    async (request) => routing().agentStates(principalOf(request).tenantId),
  );

  app.put(
    '/api/agents/:id/presence',
    {
      config: { access: 'agents:manage' },
      schema: {
        tags: ['agents'],
        summary: 'Force an agent’s presence (a break or a logout, with a reason)',
        params: idParams,
        body: presenceBody,
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const result = await routing().selectPresence(
        principal.tenantId,
        request.params.id,
        presenceFrom(request.body),
        'supervisor',
      );
      if (!result.ok)
        throw new HttpProblem(
          result.error.code === 'ACD_AGENT_NOT_FOUND' ? 404 : 409,
          result.error.code === 'ACD_AGENT_NOT_FOUND' ? 'STORE_NOT_FOUND' : 'STORE_INVALID_STATE',
          result.error.message,
          { field: result.error.field ?? 'presence' },
        );
      return result.value;
    },
  );

  app.get(
    '/api/queue-stats',
    {
      config: { access: 'queues:monitor' },
      schema: { tags: ['agents'], summary: 'Live figures per queue: the wallboard' },
    },
    async (request) => routing().queueStats(principalOf(request).tenantId),
  );
}
