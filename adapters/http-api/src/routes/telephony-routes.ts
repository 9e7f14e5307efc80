import { hostname } from 'node:os';
import { z } from 'zod';
import { digestHa1 } from '@centralita/sip';
import { sipAccounts, tenants, users } from '@centralita/store';
import type { DigestHa1, Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { minimumPasswordLength, verifyPassword } from '../passwords.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { idParams } from '../schemas.ts';

/** What the telephony routes need beyond the usual: the SIP domain the digest realms hang from. */
export interface TelephonyRouteDependencies extends RouteDependencies {
  readonly sipDomain: string | undefined;
}

const sipPassword = z.string().min(minimumPasswordLength).max(128);

/** An E.164 number; spaces, dots, dashes and parentheses are dropped (`+34 910 000 000` -> `+34910000000`). */
const e164 = z
  .string()
  .max(40)
  .transform((value) => value.replace(/[\s.()-]/g, ''))
  .pipe(
    z.string().regex(/^\+[1-9][0-9]{1,14}$/, { message: 'must be an E.164 number such as +34910000000' }),
  );

const flowKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'must be a flow key' });
const network = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
  message: 'must be an IP address or a CIDR network such as 192.0.2.0/24',
});
const sipUsername = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s:@"]+$/, { message: 'must not contain spaces, ":", "@" or quotes' });
const outboundFields = z.strictObject({
  host: z.string().trim().min(1).max(255),
  port: z
    .number()
    .int()
    .min(1)
    .max(65_535)
    .nullable()
    .optional()
    .describe('Left out or null: found in DNS with the transport (SRV), as RFC 3263 says.'),
  transport: z
    .enum(['udp', 'tcp', 'tls'])
    .nullable()
    .optional()
    .describe('Left out or null: the carrier’s DNS (NAPTR, SRV) chooses among UDP, TCP and TLS.'),
  username: sipUsername.nullable().optional(),
  secret: z.string().min(1).max(256).nullable().optional().describe('Write-only: never returned.'),
});
const trunkFields = {
  name: z.string().trim().min(1).max(120),
  inboundAddresses: z.array(network).max(100).optional(),
  inboundCredentials: z
    .strictObject({ username: sipUsername, password: sipPassword })
    .nullable()
    .optional()
    .describe(
      'Digest credentials the carrier authenticates with; write-only (only the username is returned).',
    ),
  outbound: outboundFields.nullable().optional(),
};
const didFields = {
  number: e164,
  flowKey,
  description: z.string().max(500).optional(),
};

/** Agents' SIP passwords and registrations, the tenant's trunks and its numbers (DIDs). */
export function registerTelephonyRoutes(app: ApiApp, deps: TelephonyRouteDependencies): void {
  const sipDomain = (deps.sipDomain ?? hostname()).toLowerCase();
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  /** HA1 values for both algorithms over `username@<tenant realm>`: the password itself is never stored. */
  const ha1Of = async (tx: Tx, username: string, password: string): Promise<DigestHa1> => {
    const realm = sipAccounts.sipRealm((await tenants.currentTenant(tx)).slug, sipDomain);
    return {
      username,
      realm,
      ha1Md5: digestHa1('MD5', username, realm, password),
      ha1Sha256: digestHa1('SHA-256', username, realm, password),
    };
  };
  const setSipPassword = async (tx: Tx, userId: string, password: string): Promise<void> => {
    const user = await users.getUser(tx, userId);
    if (user.extension === null) {
      throw new HttpProblem(
        409,
        'STORE_INVALID_STATE',
        'This user has no extension; give them one first (it is their SIP username).',
        { field: 'extension' },
      );
    }
    await sipAccounts.setSipCredentials(tx, userId, await ha1Of(tx, user.extension, password));
  };
  const signedInUser = (request: AuthenticatedRequest): string => {
    const userId = principalOf(request).userId;
    if (userId === null)
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Only a signed-in user has a SIP account of their own.');
    return userId;
  };

  app.put(
    '/api/users/:id/sip-password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['telephony'],
        summary: 'Set a user’s SIP password (their SIP username is their extension)',
        params: idParams,
        body: z.strictObject({ password: sipPassword }),
      },
    },
    async (request, reply) => {
      await run(request, (tx) => setSipPassword(tx, request.params.id, request.body.password));
      return reply.status(204).send();
    },
  );
  app.delete(
    '/api/users/:id/sip-password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['telephony'],
        summary: 'Remove a user’s SIP password and registrations (a lost or stolen phone)',
        params: idParams,
      },
    },
    async (request, reply) => {
      await run(request, (tx) => sipAccounts.deleteSipCredentials(tx, request.params.id));
      return reply.status(204).send();
    },
  );
  app.put(
    '/api/users/me/sip-password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['telephony'],
        summary: 'Set my own SIP password (needs my current login password)',
        body: z.strictObject({ currentPassword: z.string().min(1).max(1024), password: sipPassword }),
      },
    },
    async (request, reply) => {
      const userId = signedInUser(request);
      const stored = await run(request, (tx) =>
        tx.query<{ passwordHash: string | null }>(
          'SELECT password_hash AS "passwordHash" FROM users WHERE id = $1',
          [userId],
        ),
      );
      if (!(await verifyPassword(stored.rows[0]?.passwordHash ?? null, request.body.currentPassword))) {
        throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', 'The current password is wrong.', {
          field: 'currentPassword',
        });
      }
      await run(request, (tx) => setSipPassword(tx, userId, request.body.password));
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/users/:id/sip-registrations',
    {
      config: { access: 'telephony:read' },
      schema: {
        tags: ['telephony'],
        summary: 'A user’s registered phones (bindings not yet expired)',
        params: idParams,
      },
    },
    (request) =>
      run(request, async (tx) => {
        await users.getUser(tx, request.params.id);
        return sipAccounts.listBindings(tx, request.params.id, deps.now());
      }),
  );
  app.get(
    '/api/users/me/sip-registrations',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['telephony'], summary: 'My registered phones' },
    },
    (request) => {
      const userId = signedInUser(request);
      return run(request, (tx) => sipAccounts.listBindings(tx, userId, deps.now()));
    },
  );

  app.get(
    '/api/sip-trunks',
    { config: { access: 'telephony:read' }, schema: { tags: ['telephony'], summary: 'List SIP trunks' } },
    (request) => run(request, (tx) => sipAccounts.listTrunks(tx)),
  );
  app.post(
    '/api/sip-trunks',
    {
      config: { access: 'telephony:manage' },
      schema: { tags: ['telephony'], summary: 'Create a SIP trunk', body: z.strictObject(trunkFields) },
    },
    async (request, reply) => {
      const { inboundCredentials, ...rest } = request.body;
      const trunk = await run(request, async (tx) =>
        sipAccounts.createTrunk(tx, {
          ...rest,
          inboundCredentials:
            inboundCredentials == null
              ? null
              : await ha1Of(tx, inboundCredentials.username, inboundCredentials.password),
        }),
      );
      return reply.status(201).send(trunk);
    },
  );
  app.get(
    '/api/sip-trunks/:id',
    {
      config: { access: 'telephony:read' },
      schema: { tags: ['telephony'], summary: 'Get a SIP trunk', params: idParams },
    },
    (request) => run(request, (tx) => sipAccounts.getTrunk(tx, request.params.id)),
  );
  app.patch(
    '/api/sip-trunks/:id',
    {
      config: { access: 'telephony:manage' },
      schema: {
        tags: ['telephony'],
        summary: 'Change a SIP trunk (an outbound without `secret` keeps the stored secret)',
        params: idParams,
        body: z.strictObject(trunkFields).partial(),
      },
    },
    (request) => {
      const { inboundCredentials, ...rest } = request.body;
      return run(request, async (tx) =>
        sipAccounts.updateTrunk(tx, request.params.id, {
          ...rest,
          ...(inboundCredentials === undefined
            ? {}
            : {
                inboundCredentials:
                  inboundCredentials === null
                    ? null
                    : await ha1Of(tx, inboundCredentials.username, inboundCredentials.password),
              }),
        }),
      );
    },
  );
  app.delete(
    '/api/sip-trunks/:id',
    {
      config: { access: 'telephony:manage' },
      schema: { tags: ['telephony'], summary: 'Delete a SIP trunk', params: idParams },
    },
    async (request, reply) => {
      await run(request, (tx) => sipAccounts.deleteTrunk(tx, request.params.id));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/dids',
    {
      config: { access: 'telephony:read' },
      schema: { tags: ['telephony'], summary: 'List the numbers (DIDs) and the flow answering each' },
    },
    (request) => run(request, (tx) => sipAccounts.listDids(tx)),
  );
  app.post(
    '/api/dids',
    {
      config: { access: 'telephony:manage' },
      schema: {
        tags: ['telephony'],
        summary: 'Map a number to a flow (409 when any tenant already has the number)',
        body: z.strictObject(didFields),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await run(request, (tx) => sipAccounts.createDid(tx, request.body))),
  );
  app.get(
    '/api/dids/:id',
    {
      config: { access: 'telephony:read' },
      schema: { tags: ['telephony'], summary: 'Get a number', params: idParams },
    },
    (request) => run(request, (tx) => sipAccounts.getDid(tx, request.params.id)),
  );
  app.patch(
    '/api/dids/:id',
    {
      config: { access: 'telephony:manage' },
      schema: {
        tags: ['telephony'],
        summary: 'Change a number or the flow answering it',
        params: idParams,
        body: z.strictObject(didFields).partial(),
      },
    },
    (request) => run(request, (tx) => sipAccounts.updateDid(tx, request.params.id, request.body)),
  );
  app.delete(
    '/api/dids/:id',
    {
      config: { access: 'telephony:manage' },
      schema: { tags: ['telephony'], summary: 'Delete a number', params: idParams },
    },
    async (request, reply) => {
      await run(request, (tx) => sipAccounts.deleteDid(tx, request.params.id));
      return reply.status(204).send();
    },
  );
}
