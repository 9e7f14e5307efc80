import { z } from 'zod';
import { credentials, users } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { hashPassword, minimumPasswordLength } from '../passwords.ts';
import { contextOf, principalOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { id, idParams, language, pageQuery, queryBoolean, role } from '../schemas.ts';
import { newApiKey } from '../tokens.ts';

const skillLevels = z.array(z.strictObject({ skillId: id, level: z.number().int().min(1).max(10) })).max(100);
const userFields = {
  email: z.email({ message: 'must be an e-mail address' }).max(254),
  displayName: z.string().trim().min(1).max(200),
  role,
  teamId: id.nullable().optional(),
  language: language.optional(),
  languages: z.array(language).min(1).max(2).optional(),
  extension: z
    .string()
    .regex(/^[0-9]{2,8}$/, { message: 'must be 2 to 8 digits' })
    .nullable()
    .optional(),
  skills: skillLevels.optional(),
};

/** Staff accounts and integrations' API keys. */
export function registerUserRoutes(app: ApiApp, deps: RouteDependencies): void {
  app.get(
    '/api/users',
    {
      config: { access: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: z.strictObject({
          ...pageQuery,
          search: z.string().max(200).optional(),
          role: role.optional(),
          teamId: id.optional(),
          isDisabled: queryBoolean.optional(),
        }),
      },
    },
    (request) =>
      deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
        users.listUsers(tx, request.query),
      ),
  );

  app.post(
    '/api/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: z.strictObject({
          ...userFields,
          password: z.string().min(minimumPasswordLength).max(1024).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { password, ...input } = request.body;
      const passwordHash = password === undefined ? null : await hashPassword(password);
      const user = await deps.database.inTenant(contextOf(principalOf(request), request.id), async (tx) => {
        const created = await users.createUser(tx, { ...input, passwordHash });
        tx.recordEvent('UserCreated', { userId: created.id, role: created.role });
        return created;
      });
      return reply.status(201).send(user);
    },
  );

  app.get(
    '/api/users/:id',
    {
      config: { access: 'users:read' },
      schema: { tags: ['users'], summary: 'Get a user', params: idParams },
    },
    (request) =>
      deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
        users.getUser(tx, request.params.id),
      ),
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a user; disabling one ends their sessions and live connections at once',
        params: idParams,
        body: z.strictObject({ ...userFields, isDisabled: z.boolean() }).partial(),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (
        request.params.id === principal.userId &&
        (request.body.isDisabled === true ||
          (request.body.role !== undefined && request.body.role !== 'admin'))
      ) {
        throw new HttpProblem(
          409,
          'STORE_INVALID_STATE',
          'You cannot disable yourself or take away your own admin role; ask another admin.',
          { field: request.body.isDisabled === true ? 'isDisabled' : 'role' },
        );
      }
      const user = await deps.database.inTenant(contextOf(principal, request.id), async (tx) => {
        const updated = await users.updateUser(tx, request.params.id, request.body);
        if (request.body.isDisabled === true) {
          await credentials.deleteSessionsOfUser(tx, updated.id);
          tx.recordEvent('UserDisabled', { userId: updated.id });
        }
        tx.recordEvent('UserChanged', { userId: updated.id, fields: Object.keys(request.body) });
        return updated;
      });
      if (request.body.isDisabled === true) deps.liveConnections.closeUser(user.id, 'account disabled');
      return user;
    },
  );

  app.delete(
    '/api/users/:id',
    {
      config: { access: 'users:manage' },
      schema: { tags: ['users'], summary: 'Delete a user', params: idParams },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (request.params.id === principal.userId)
        throw new HttpProblem(409, 'STORE_INVALID_STATE', 'You cannot delete yourself; ask another admin.', {
          field: 'id',
        });
      await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
        users.deleteUser(tx, request.params.id),
      );
      deps.liveConnections.closeUser(request.params.id, 'account deleted');
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/users/:id/password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Set a user’s password (ends their sessions)',
        params: idParams,
        body: z.strictObject({ password: z.string().min(minimumPasswordLength).max(1024) }),
      },
    },
    async (request, reply) => {
      const passwordHash = await hashPassword(request.body.password);
      await deps.database.inTenant(contextOf(principalOf(request), request.id), async (tx) => {
        await users.setPasswordHash(tx, request.params.id, passwordHash);
        await credentials.deleteSessionsOfUser(tx, request.params.id);
      });
      deps.liveConnections.closeUser(request.params.id, 'password changed');
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/api-keys',
    { config: { access: 'api-keys:manage' }, schema: { tags: ['api keys'], summary: 'List API keys' } },
    (request) =>
      deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
        credentials.listApiKeys(tx),
      ),
  );

  app.post(
    '/api/api-keys',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key (the key is shown only in this response)',
        body: z.strictObject({ name: z.string().trim().min(1).max(120), role }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const generated = newApiKey();
      const key = await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
        credentials.createApiKey(tx, {
          name: request.body.name,
          role: request.body.role,
          prefix: generated.prefix,
          keyHash: generated.secretHash,
          createdBy: principal.userId,
        }),
      );
      return reply.status(201).send({ ...key, key: generated.key });
    },
  );

  app.delete(
    '/api/api-keys/:id',
    {
      config: { access: 'api-keys:manage' },
      schema: { tags: ['api keys'], summary: 'Revoke an API key', params: idParams },
    },
    (request) =>
      deps.database.inTenant(contextOf(principalOf(request), request.id), (tx) =>
        credentials.revokeApiKey(tx, request.params.id),
      ),
  );
}
