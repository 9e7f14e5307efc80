import { z } from 'zod';
import { dispositions } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';

const code = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, {
  message: 'must be 2-40 lowercase letters, digits or _, starting with a letter',
});
const label = z.string().trim().min(1).max(80);

/**
 * The tenant's dispositions: everyone who reads contacts lists them (the wrap-up form offers the active ones);
 * admins and managers add them, rename them, mark them resolving, reorder or retire them. A disposition is never
 * deleted: past contacts keep theirs.
 */
export function registerDispositionRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/dispositions',
    {
      config: { access: 'interactions:read' },
      schema: {
        tags: ['calls'],
        summary: 'The tenant’s dispositions (wrap-up outcomes), in order; inactive ones with includeInactive',
        querystring: z.strictObject({ includeInactive: z.stringbool().optional() }),
      },
    },
    (request) =>
      run(request, (tx) =>
        dispositions.listDispositions(tx, { includeInactive: request.query.includeInactive === true }),
      ),
  );

  app.post(
    '/api/dispositions',
    {
      config: { access: 'queues:manage' },
      schema: {
        tags: ['calls'],
        summary: 'Add a disposition',
        body: z.strictObject({
          code,
          labelEs: label,
          labelEn: label,
          isResolved: z.boolean().default(false).describe('The outcome resolves the customer’s matter.'),
          sortOrder: z.number().int().min(0).max(10_000).default(100),
        }),
      },
    },
    async (request, reply) => {
      const created = await run(request, (tx) => dispositions.createDisposition(tx, request.body));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/dispositions/:code',
    {
      config: { access: 'queues:manage' },
      schema: {
        tags: ['calls'],
        summary: 'Change a disposition: labels, resolving, order, or retire it (isActive false)',
        params: z.strictObject({ code }),
        body: z.strictObject({
          labelEs: label.optional(),
          labelEn: label.optional(),
          isResolved: z.boolean().optional(),
          isActive: z.boolean().optional(),
          sortOrder: z.number().int().min(0).max(10_000).optional(),
        }),
      },
    },
    (request) => run(request, (tx) => dispositions.updateDisposition(tx, request.params.code, request.body)),
  );
}
