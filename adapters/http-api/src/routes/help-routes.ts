import { z } from 'zod';
import { interactions } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { RoutingPort, RoutingRefusal } from '../routing-port.ts';
import { requireRouting } from '../routing-port.ts';
import { idParams } from '../schemas.ts';

/** How long the note of a help request may be: a line for the supervisor, not a case history. */
export const helpNoteMaxLength = 280;

/**
 * A refused help request as problem details (409 naming `id`): the contact is not one the user is on or
 * wrapping up, or the request is not in a state for the step (`whenIllegal` says which).
 */
function refusalProblem(refusal: RoutingRefusal, whenIllegal: string): HttpProblem {
  return new HttpProblem(
    409,
    'STORE_INVALID_STATE',
    refusal.code === 'ACD_ILLEGAL_TRANSITION'
      ? whenIllegal
      : 'This is not a contact you are on or wrapping up: help is asked about your current contact.',
    { field: 'id' },
  );
}

/**
 * "Ask for help": an agent on a contact, or wrapping it up, asks a supervisor for help (with a short note),
 * and may withdraw it; a supervisor marks it attended. The request is live agent state in the routing
 * engine (shown in `GET /api/agent-states`), ends with the contact's after-call work, and each step is an
 * event of the interaction (HelpRequested, HelpWithdrawn, HelpAttended).
 */
export function registerHelpRoutes(
  app: ApiApp,
  deps: RouteDependencies & { readonly routing: RoutingPort | undefined },
): void {
  const routing = (): RoutingPort => requireRouting(deps.routing);

  /** The signed-in user, after checking the interaction exists (404 otherwise). */
  async function userAndInteraction(request: AuthenticatedRequest, interactionId: string): Promise<string> {
    const principal = principalOf(request);
    if (principal.userId === null)
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Only a signed-in user handles contacts.');
    await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
      interactions.getInteraction(tx, interactionId),
    );
    return principal.userId;
  }

  app.post(
    '/api/interactions/:id/help',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary:
          'Ask a supervisor for help with the contact you are on or wrapping up; supervisors see it on the wallboard',
        params: idParams,
        body: z.strictObject({
          note: z
            .string()
            .trim()
            .max(helpNoteMaxLength, { message: `at most ${helpNoteMaxLength} characters` })
            .optional()
            .describe('A short line for the supervisor: what the matter is.'),
        }),
      },
    },
    async (request, reply) => {
      const userId = await userAndInteraction(request, request.params.id);
      const tenantId = principalOf(request).tenantId;
      const note = request.body.note === '' ? undefined : request.body.note;
      const refusal = await routing().askForHelp(tenantId, userId, request.params.id, note);
      if (refusal !== undefined)
        throw refusalProblem(refusal, 'You already asked for help with this contact.');
      const state = await routing().agentState(tenantId, userId);
      const help = state?.work.find((item) => item.contactId === request.params.id)?.help ?? null;
      return reply.code(201).send(help);
    },
  );

  app.delete(
    '/api/interactions/:id/help',
    {
      config: { access: 'calls:control' },
      schema: {
        tags: ['calls'],
        summary: 'Withdraw your open request for help with a contact',
        params: idParams,
      },
    },
    async (request, reply) => {
      const userId = await userAndInteraction(request, request.params.id);
      const refusal = await routing().withdrawHelpRequest(
        principalOf(request).tenantId,
        userId,
        request.params.id,
      );
      if (refusal !== undefined)
        throw refusalProblem(refusal, 'You have no open request for help with this contact.');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/interactions/:id/help/attended',
    {
      config: { access: 'calls:monitor' },
      schema: {
        tags: ['calls'],
        summary: 'Mark the open requests for help about a contact attended (supervisors)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const userId = await userAndInteraction(request, request.params.id);
      const refusal = await routing().attendHelpRequest(
        principalOf(request).tenantId,
        request.params.id,
        userId,
      );
      if (refusal !== undefined)
        throw refusalProblem(
          refusal,
          'Nobody is waiting for help with this contact (withdrawn or attended).',
        );
      return reply.code(204).send();
    },
  );
}
