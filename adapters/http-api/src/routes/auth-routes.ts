import { z } from 'zod';
import type { TenantId } from '@centralita/kernel';
import { credentials, users } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { lockDurationMs } from '../login-throttle.ts';
import { hashPassword, minimumPasswordLength, verifyPassword } from '../passwords.ts';
import { permissionsOf } from '../permissions.ts';
import { contextOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { newToken, tokenHash } from '../tokens.ts';

/** The browser session cookie (HTTP-only: page scripts never see it). */
export const sessionCookieName = 'centralita_session';

const loginBody = z.strictObject({
  tenant: z.string().min(1).max(63).describe('The tenant slug, e.g. "demo".'),
  email: z.string().min(3).max(254),
  password: z.string().min(1).max(1024),
});

/** Login, logout, who am I, and changing one's own password. */
export function registerAuthRoutes(app: ApiApp, deps: RouteDependencies): void {
  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: { body: loginBody, tags: ['auth'], summary: 'Log in with a password and get a session cookie' },
    },
    async (request, reply) => {
      const { tenant, email, password } = request.body;
      const now = deps.now();
      const accountSubject = `account:${tenant.toLowerCase()}:${email.toLowerCase()}`;
      const addressSubject = `address:${request.ip}`;
      const [accountThrottle, addressThrottle] = await deps.database.asSystem(async (tx) => [
        await credentials.getLoginThrottle(tx, accountSubject),
        await credentials.getLoginThrottle(tx, addressSubject),
      ]);
      const lockedUntil = [accountThrottle.lockedUntil, addressThrottle.lockedUntil]
        .filter((until): until is Date => until !== null && until > now)
        .sort((a, b) => b.getTime() - a.getTime())[0];
      if (lockedUntil) {
        const retryAfterS = Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
        throw new HttpProblem(
          429,
          'HTTP_LOGIN_THROTTLED',
          `Too many failed logins. Wait ${retryAfterS} s and try again, or ask an administrator to reset the password.`,
          { retryAfterS },
        );
      }
      const candidate = await deps.database.asSystem((tx) =>
        users.findLoginCandidate(tx, tenant.toLowerCase(), email),
      );
      const isPasswordRight = await verifyPassword(candidate?.passwordHash ?? null, password);
      if (!candidate || !isPasswordRight || candidate.isDisabled) {
        await deps.database.asSystem(async (tx) => {
          const policy = deps.loginThrottle;
          await credentials.recordLoginFailure(tx, accountSubject, (failures) =>
            lockUntil(now, lockDurationMs(failures, policy.accountFreeFailures, policy)),
          );
          await credentials.recordLoginFailure(tx, addressSubject, (failures) =>
            lockUntil(now, lockDurationMs(failures, policy.addressFreeFailures, policy)),
          );
        });
        // One answer for unknown tenants, unknown accounts, wrong passwords and disabled accounts.
        throw new HttpProblem(401, 'HTTP_LOGIN_FAILED', 'Wrong tenant, e-mail address or password.');
      }
      const token = newToken();
      const csrfToken = newToken();
      const expiresAt = new Date(now.getTime() + deps.sessionIdleMs);
      const context = {
        tenantId: candidate.tenantId as TenantId,
        actor: { type: 'user' as const, id: candidate.userId, role: candidate.role },
        requestId: request.id,
      };
      await deps.database.asSystem((tx) => credentials.clearLoginFailures(tx, accountSubject));
      const user = await deps.database.inTenant(context, async (tx) => {
        await credentials.createSession(tx, {
          tokenHash: tokenHash(token),
          userId: candidate.userId,
          csrfToken,
          expiresAt,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
        });
        return users.getUser(tx, candidate.userId);
      });
      void reply.setCookie(sessionCookieName, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.isCookieSecure,
        path: '/',
        expires: expiresAt,
      });
      return { user, csrfToken, permissions: permissionsOf(user.role) };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'], summary: 'End this session' } },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.session) {
        const hash = principal.session.tokenHash;
        await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
          credentials.deleteSession(tx, hash),
        );
        deps.liveConnections.closeSession(hash, 'logged out');
      }
      void reply.clearCookie(sessionCookieName, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Who is calling, and what they may do' },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new HttpProblem(401, 'HTTP_UNAUTHENTICATED', 'Log in first.');
      const user =
        principal.userId === null
          ? null
          : await deps.database.inTenant(contextOf(principal, request.id), (tx) =>
              users.getUser(tx, principal.userId ?? ''),
            );
      return {
        user,
        role: principal.role,
        permissions: permissionsOf(principal.role),
        csrfToken: principal.session?.csrfToken ?? null,
        tenantId: principal.tenantId,
      };
    },
  );

  app.post(
    '/api/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Change my own password (ends my other sessions)',
        body: z.strictObject({
          currentPassword: z.string().min(1).max(1024),
          newPassword: z.string().min(minimumPasswordLength).max(1024),
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.userId == null)
        throw new HttpProblem(403, 'HTTP_FORBIDDEN', 'Only a signed-in user has a password to change.');
      const userId = principal.userId;
      const candidate = await deps.database.asSystem((tx) =>
        tx.query<{ passwordHash: string | null }>(
          'SELECT password_hash AS "passwordHash" FROM users WHERE id = $1',
          [userId],
        ),
      );
      if (!(await verifyPassword(candidate.rows[0]?.passwordHash ?? null, request.body.currentPassword))) {
        throw new HttpProblem(400, 'HTTP_VALIDATION_FAILED', 'The current password is wrong.', {
          field: 'currentPassword',
        });
      }
      const newHash = await hashPassword(request.body.newPassword);
      await deps.database.inTenant(contextOf(principal, request.id), async (tx) => {
        await users.setPasswordHash(tx, userId, newHash);
        await tx.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
          userId,
          principal.session?.tokenHash ?? '',
        ]);
      });
      deps.liveConnections.closeUserExceptSession(
        userId,
        principal.session?.tokenHash ?? null,
        'password changed',
      );
      return reply.status(204).send();
    },
  );
}

function lockUntil(now: Date, durationMs: number): Date | null {
  return durationMs === 0 ? null : new Date(now.getTime() + durationMs);
}
