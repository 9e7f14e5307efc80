import { z } from 'zod';
import { parseCallScript, renderCallScript } from '@centralita/crm';
import { callScripts, customers, directory, interactions, tenants, tickets, users } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { id, idParams, language } from '../schemas.ts';

const body = z.string().max(20_000);

/** Refuses a script body with an unknown or unclosed placeholder, naming the body and the placeholder. */
function checkBodies(input: {
  readonly bodyEs?: string | undefined;
  readonly bodyEn?: string | undefined;
}): void {
  for (const field of ['bodyEs', 'bodyEn'] as const) {
    const text = input[field];
    if (text === undefined) continue;
    const problem = parseCallScript(text).problems[0];
    if (problem !== undefined)
      throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', `${field}: ${problem.message}`, { field });
  }
}

/**
 * Call scripts: admins, managers and trainers write them (Spanish and English, with placeholders) and choose
 * the queues that follow them; the agent desktop reads the script of a contact's queue with the customer's
 * fields filled in.
 */
export function registerScriptRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/call-scripts',
    {
      config: { access: 'scripts:manage' },
      schema: {
        tags: ['calls'],
        summary: 'The tenant’s call scripts and the queues following each; retired ones with includeInactive',
        querystring: z.strictObject({ includeInactive: z.stringbool().optional() }),
      },
    },
    (request) =>
      run(request, (tx) =>
        callScripts.listCallScripts(tx, { includeInactive: request.query.includeInactive === true }),
      ),
  );

  app.post(
    '/api/call-scripts',
    {
      config: { access: 'scripts:manage' },
      schema: {
        tags: ['calls'],
        summary: 'Write a call script ({{customer.firstName}} and the like are filled in on each call)',
        body: z
          .strictObject({
            name: z.string().trim().min(1).max(120),
            bodyEs: body.default(''),
            bodyEn: body.default(''),
            queueIds: z.array(id).max(200).optional().describe('Queues that follow this script from now on.'),
          })
          .refine((input) => input.bodyEs.trim() !== '' || input.bodyEn.trim() !== '', {
            message: 'write the script in Spanish, English or both',
            path: ['bodyEs'],
          }),
      },
    },
    async (request, reply) => {
      checkBodies(request.body);
      const created = await run(request, (tx) => callScripts.createCallScript(tx, request.body));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/call-scripts/:id',
    {
      config: { access: 'scripts:manage' },
      schema: {
        tags: ['calls'],
        summary: 'Change a call script, the queues following it, or retire it (isActive false)',
        params: idParams,
        body: z
          .strictObject({
            name: z.string().trim().min(1).max(120),
            bodyEs: body,
            bodyEn: body,
            isActive: z.boolean(),
            queueIds: z.array(id).max(200),
          })
          .partial(),
      },
    },
    (request) => {
      checkBodies(request.body);
      return run(request, (tx) => callScripts.updateCallScript(tx, request.params.id, request.body));
    },
  );

  app.get(
    '/api/interactions/:id/script',
    {
      config: { access: 'interactions:read' },
      schema: {
        tags: ['calls'],
        summary:
          'The call script of the contact’s queue, filled in with the customer’s fields (404 when none)',
        params: idParams,
        querystring: z.strictObject({ language: language.optional() }),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const interaction = await interactions.getInteraction(tx, request.params.id);
        const script =
          interaction.queueId === null ? undefined : await callScripts.scriptOfQueue(tx, interaction.queueId);
        if (script === undefined)
          throw new HttpProblem(404, 'STORE_NOT_FOUND', 'This contact’s queue has no call script.', {
            field: 'id',
          });
        const tenant = await tenants.currentTenant(tx);
        const viewerId = principalOf(request).userId;
        const viewer = viewerId === null ? null : await users.getUser(tx, viewerId);
        const wanted = request.query.language ?? viewer?.language ?? tenant.defaultLanguage;
        // The script in the language asked for, or the other one when it is written in one only.
        const spanish = wanted === 'es' ? script.bodyEs.trim() !== '' : script.bodyEn.trim() === '';
        const template = spanish ? script.bodyEs : script.bodyEn;
        const customer =
          interaction.customerId === null ? null : await customers.getCustomer(tx, interaction.customerId);
        const openTickets =
          customer === null
            ? 0
            : (
                await tickets.listTickets(tx, { customerId: customer.id, limit: 100, offset: 0 })
              ).items.filter((ticket) => !['resolved', 'closed'].includes(ticket.statusCategory)).length;
        const agent =
          interaction.agentId === null || interaction.agentId === viewerId
            ? viewer
            : await users.getUser(tx, interaction.agentId);
        const queue = interaction.queueId === null ? null : await directory.getQueue(tx, interaction.queueId);
        const identity = (kind: string): string | null =>
          customer?.identities.find((candidate) => candidate.kind === kind)?.address ?? null;
        return {
          scriptId: script.id,
          name: script.name,
          language: spanish ? 'es' : 'en',
          segments: renderCallScript(template, {
            customer:
              customer === null
                ? null
                : {
                    firstName: customer.firstName,
                    lastName: customer.lastName,
                    displayName: customer.displayName,
                    company: customer.company,
                    phone: identity('phone'),
                    email: identity('email'),
                    openTickets,
                    customFields: customer.customFields,
                  },
            agent: { name: agent?.displayName ?? '' },
            queue: queue === null ? null : { name: queue.name },
            tenant: { name: tenant.name },
          }),
        };
      }),
  );
}
