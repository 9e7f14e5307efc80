import { z } from 'zod';
import { interactions } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { id, idParams, isoDateTime, pageQuery } from '../schemas.ts';

const channel = z.enum(interactions.interactionChannels);
const direction = z.enum(interactions.interactionDirections);
const status = z.enum(interactions.interactionStatuses);

/** Customer contacts on every channel. */
export function registerInteractionRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/interactions',
    {
      config: { access: 'interactions:read' },
      schema: {
        tags: ['interactions'],
        summary: 'List interactions, newest first',
        querystring: z.strictObject({
          ...pageQuery,
          customerId: id.optional(),
          agentId: id.optional(),
          queueId: id.optional(),
          channel: channel.optional(),
          direction: direction.optional(),
          status: status.optional(),
          from: isoDateTime.optional(),
          to: isoDateTime.optional(),
        }),
      },
    },
    (request) => run(request, (tx) => interactions.listInteractions(tx, request.query)),
  );

  app.post(
    '/api/interactions',
    {
      config: { access: 'interactions:write' },
      schema: {
        tags: ['interactions'],
        summary: 'Record an interaction (integrations, manual contacts)',
        body: z.strictObject({
          customerId: id.nullable().optional(),
          channel,
          direction,
          status: status.optional(),
          queueId: id.nullable().optional(),
          agentId: id.nullable().optional(),
          remoteAddress: z.string().max(320).optional(),
          subject: z.string().max(500).optional(),
          startedAt: isoDateTime.optional(),
          answeredAt: isoDateTime.nullable().optional(),
          endedAt: isoDateTime.nullable().optional(),
          disposition: z.string().max(80).nullable().optional(),
          wrapUpNotes: z.string().max(10_000).optional(),
          metadata: z.record(z.string(), z.unknown()).optional(),
        }),
      },
    },
    async (request, reply) => {
      const created = await run(request, async (tx) => {
        const interaction = await interactions.createInteraction(tx, request.body);
        tx.recordEvent('InteractionRecorded', {
          interactionId: interaction.id,
          customerId: interaction.customerId,
          channel: interaction.channel,
        });
        return interaction;
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/interactions/:id',
    {
      config: { access: 'interactions:read' },
      schema: { tags: ['interactions'], summary: 'Get an interaction', params: idParams },
    },
    (request) => run(request, (tx) => interactions.getInteraction(tx, request.params.id)),
  );

  app.patch(
    '/api/interactions/:id',
    {
      config: { access: 'interactions:write' },
      schema: {
        tags: ['interactions'],
        summary: 'Wrap up an interaction: disposition, notes, customer',
        params: idParams,
        body: z
          .strictObject({
            status,
            customerId: id.nullable(),
            subject: z.string().max(500),
            disposition: z.string().max(80).nullable(),
            wrapUpNotes: z.string().max(10_000),
            endedAt: isoDateTime,
            wrapUpEndedAt: isoDateTime,
          })
          .partial(),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const updated = await interactions.updateInteraction(tx, request.params.id, request.body);
        tx.recordEvent('InteractionUpdated', {
          interactionId: updated.id,
          status: updated.status,
          disposition: updated.disposition,
        });
        return updated;
      }),
  );
}
