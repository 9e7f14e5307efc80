import { z } from 'zod';
import { identityKinds } from '@centralita/crm';
import { customers, identifyCustomer } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { customFields, id, idParams, language, pageQuery, queryBoolean } from '../schemas.ts';

const identity = z.strictObject({
  kind: z.enum(identityKinds),
  address: z.string().trim().min(1).max(320),
  label: z.string().max(40).optional(),
  isPrimary: z.boolean().optional(),
});
const customerFields = {
  firstName: z.string().trim().max(120),
  lastName: z.string().trim().max(120),
  company: z.string().trim().max(200),
  language,
  tags: z.array(z.string().trim().min(1).max(40)).max(30),
  customFields,
  isVerified: z.boolean(),
  isVip: z.boolean(),
  notes: z.string().max(10_000),
};

/** Customers, the addresses that identify them, and caller identification with the screen pop. */
export function registerCustomerRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/customers',
    {
      config: { access: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: 'Search customers by name, company, e-mail or phone number in any format',
        querystring: z.strictObject({
          ...pageQuery,
          search: z
            .string()
            .max(200)
            .optional()
            .describe('Name, company, e-mail or phone number (any format).'),
          phone: z
            .string()
            .max(40)
            .optional()
            .describe('Exact phone number in any format, e.g. 0034 912 345 678.'),
          email: z.string().max(254).optional(),
          tag: z.string().max(40).optional(),
          isVip: queryBoolean.optional(),
        }),
      },
    },
    (request) => run(request, (tx) => customers.listCustomers(tx, request.query)),
  );

  app.post(
    '/api/customers',
    {
      config: { access: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Create a customer',
        body: z.strictObject({ ...customerFields, identities: z.array(identity).max(20) }).partial(),
      },
    },
    async (request, reply) => {
      const customer = await run(request, async (tx) => {
        const created = await customers.createCustomer(tx, request.body);
        tx.recordEvent('CustomerCreated', { customerId: created.id, reason: 'manual' });
        return created;
      });
      return reply.status(201).send(customer);
    },
  );

  app.get(
    '/api/customers/:id',
    {
      config: { access: 'customers:read' },
      schema: { tags: ['customers'], summary: 'Get a customer', params: idParams },
    },
    (request) => run(request, (tx) => customers.getCustomer(tx, request.params.id)),
  );

  app.patch(
    '/api/customers/:id',
    {
      config: { access: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Change a customer',
        params: idParams,
        body: z.strictObject(customerFields).partial(),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const updated = await customers.updateCustomer(tx, request.params.id, request.body);
        tx.recordEvent('CustomerUpdated', { customerId: updated.id, fields: Object.keys(request.body) });
        return updated;
      }),
  );

  app.delete(
    '/api/customers/:id',
    {
      config: { access: 'customers:delete' },
      schema: { tags: ['customers'], summary: 'Delete a customer and their tickets', params: idParams },
    },
    async (request, reply) => {
      await run(request, async (tx) => {
        await customers.deleteCustomer(tx, request.params.id);
        tx.recordEvent('CustomerDeleted', { customerId: request.params.id });
      });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/customers/:id/identities',
    {
      config: { access: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Add a phone number, e-mail or chat id to a customer',
        params: idParams,
        body: identity,
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await run(request, (tx) => customers.addIdentity(tx, request.params.id, request.body))),
  );

  app.delete(
    '/api/customers/:id/identities/:identityId',
    {
      config: { access: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Remove an address from a customer',
        params: z.strictObject({ id, identityId: id }),
      },
    },
    (request) =>
      run(request, (tx) => customers.removeIdentity(tx, request.params.id, request.params.identityId)),
  );

  app.post(
    '/api/identify',
    {
      config: { access: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary:
          'Identify who is contacting us (creating an unverified customer when unknown) and get the screen pop',
        body: z.strictObject({ channel: z.enum(identityKinds), address: z.string().trim().min(1).max(320) }),
      },
    },
    (request) => run(request, (tx) => identifyCustomer(tx, request.body.channel, request.body.address)),
  );
}
