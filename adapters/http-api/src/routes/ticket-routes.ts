import { z } from 'zod';
import { ticketStatusCategories } from '@centralita/crm';
import { tickets } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { id, idParams, isoDateTime, pageQuery, queryBoolean, ticketStatusCode } from '../schemas.ts';

const priority = z.enum(tickets.ticketPriorities);

/** Tickets, their notes and linked interactions, follow-up tasks and the tenant's ticket statuses. */
export function registerTicketRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/tickets',
    {
      config: { access: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: 'List tickets by status, assignee, customer, queue or text (or #number)',
        querystring: z.strictObject({
          ...pageQuery,
          status: ticketStatusCode.optional(),
          category: z.enum(ticketStatusCategories).optional(),
          assigneeId: id.optional(),
          isUnassigned: queryBoolean.optional(),
          customerId: id.optional(),
          queueId: id.optional(),
          priority: priority.optional(),
          search: z.string().max(200).optional(),
        }),
      },
    },
    (request) => run(request, (tx) => tickets.listTickets(tx, request.query)),
  );

  app.post(
    '/api/tickets',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Open a ticket',
        body: z.strictObject({
          customerId: id,
          subject: z.string().trim().min(1).max(500),
          description: z.string().max(20_000).optional(),
          status: ticketStatusCode.optional(),
          priority: priority.optional(),
          assigneeId: id.nullable().optional(),
          queueId: id.nullable().optional(),
          dueAt: isoDateTime.nullable().optional(),
          interactionIds: z.array(id).max(50).optional(),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const ticket = await run(request, async (tx) => {
        const created = await tickets.createTicket(
          tx,
          { ...request.body, createdBy: principal.userId },
          deps.now(),
        );
        tx.recordEvent('TicketCreated', {
          ticketId: created.id,
          number: created.number,
          customerId: created.customerId,
          status: created.status,
        });
        return created;
      });
      return reply.status(201).send(ticket);
    },
  );

  app.get(
    '/api/tickets/by-number/:number',
    {
      config: { access: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket’s status by the number customers quote (the IVR reads it out)',
        params: z.strictObject({ number: z.coerce.number().int().min(1).max(2_147_483_647) }),
      },
    },
    async (request) => {
      const ticket = await run(request, (tx) => tickets.findTicketByNumber(tx, request.params.number));
      if (!ticket)
        throw new HttpProblem(404, 'STORE_NOT_FOUND', `No ticket number ${request.params.number}.`, {
          field: 'number',
        });
      return {
        number: ticket.number,
        status: ticket.status,
        statusCategory: ticket.statusCategory,
        subject: ticket.subject,
        updatedAt: ticket.updatedAt,
      };
    },
  );

  app.get(
    '/api/tickets/:id',
    {
      config: { access: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: 'Get a ticket with notes, interactions and follow-ups',
        params: idParams,
      },
    },
    (request) => run(request, (tx) => tickets.getTicket(tx, request.params.id)),
  );

  app.patch(
    '/api/tickets/:id',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Change a ticket (a closed ticket can only be reopened)',
        params: idParams,
        body: z
          .strictObject({
            subject: z.string().trim().min(1).max(500),
            description: z.string().max(20_000),
            status: ticketStatusCode,
            priority,
            assigneeId: id.nullable(),
            queueId: id.nullable(),
            dueAt: isoDateTime.nullable(),
          })
          .partial(),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const updated = await tickets.updateTicket(tx, request.params.id, request.body, deps.now());
        tx.recordEvent('TicketUpdated', {
          ticketId: updated.id,
          number: updated.number,
          status: updated.status,
          fields: Object.keys(request.body),
        });
        return updated;
      }),
  );

  app.post(
    '/api/tickets/:id/notes',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Add a note',
        params: idParams,
        body: z.strictObject({
          body: z.string().trim().min(1).max(20_000),
          isInternal: z.boolean().default(true),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const note = await run(request, (tx) =>
        tickets.addTicketNote(tx, request.params.id, { ...request.body, authorId: principal.userId }),
      );
      return reply.status(201).send(note);
    },
  );

  app.post(
    '/api/tickets/:id/interactions',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Link an interaction to the ticket',
        params: idParams,
        body: z.strictObject({ interactionId: id }),
      },
    },
    async (request, reply) => {
      await run(request, (tx) => tickets.linkInteraction(tx, request.params.id, request.body.interactionId));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/tickets/:id/follow-ups',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['follow-ups'],
        summary: 'Plan a follow-up task',
        params: idParams,
        body: z.strictObject({
          description: z.string().trim().min(1).max(2000),
          dueAt: isoDateTime,
          assigneeId: id.nullable().optional(),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const task = await run(request, (tx) =>
        tickets.createFollowUp(tx, request.params.id, {
          description: request.body.description,
          dueAt: request.body.dueAt,
          assigneeId: request.body.assigneeId ?? principal.userId,
          createdBy: principal.userId,
        }),
      );
      return reply.status(201).send(task);
    },
  );

  app.get(
    '/api/follow-ups',
    {
      config: { access: 'tickets:read' },
      schema: {
        tags: ['follow-ups'],
        summary: 'List follow-up tasks (mine=true for the caller’s own)',
        querystring: z.strictObject({
          ...pageQuery,
          assigneeId: id.optional(),
          mine: queryBoolean.optional(),
          status: z.enum(['pending', 'done', 'cancelled']).optional(),
          dueBefore: isoDateTime.optional(),
        }),
      },
    },
    (request) => {
      const { mine, ...query } = request.query;
      const assigneeId = mine === true ? (principalOf(request).userId ?? undefined) : query.assigneeId;
      return run(request, (tx) => tickets.listFollowUps(tx, { ...query, assigneeId }));
    },
  );

  app.patch(
    '/api/follow-ups/:id',
    {
      config: { access: 'tickets:write' },
      schema: {
        tags: ['follow-ups'],
        summary: 'Complete, cancel or reschedule a follow-up task',
        params: idParams,
        body: z
          .strictObject({
            status: z.enum(['pending', 'done', 'cancelled']),
            dueAt: isoDateTime,
            assigneeId: id.nullable(),
            description: z.string().trim().min(1).max(2000),
          })
          .partial(),
      },
    },
    (request) => run(request, (tx) => tickets.updateFollowUp(tx, request.params.id, request.body)),
  );

  app.get(
    '/api/ticket-statuses',
    {
      config: { access: 'tickets:read' },
      schema: { tags: ['tickets'], summary: 'The ticket statuses of this tenant' },
    },
    (request) => run(request, (tx) => tickets.listTicketStatuses(tx)),
  );

  app.post(
    '/api/ticket-statuses',
    {
      config: { access: 'ticket-statuses:manage' },
      schema: {
        tags: ['tickets'],
        summary: 'Add a custom ticket status in one of the four categories',
        body: z.strictObject({
          code: ticketStatusCode,
          category: z.enum(ticketStatusCategories),
          labelEs: z.string().trim().min(1).max(60),
          labelEn: z.string().trim().min(1).max(60),
        }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await run(request, (tx) => tickets.createTicketStatus(tx, request.body))),
  );
}
