import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InProcessBus } from '@centralita/bus';
import type { TenantId } from '@centralita/kernel';
import { Database, roles, tenants, users } from '@centralita/store';
import type { Role, TenantContext } from '@centralita/store';
import { buildHttpApi } from './app.ts';
import type { HttpApi } from './app.ts';
import type { LoginThrottlePolicy } from './login-throttle.ts';
import { hashPassword } from './passwords.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    databaseKind: 'embedded' | 'server';
  }
}

export const testPassword = 'correct horse battery';

/** A settable clock for throttling and session-expiry tests. */
export class TestClock {
  private ms = Date.now();
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestApi {
  readonly api: HttpApi;
  readonly database: Database;
  readonly bus: InProcessBus;
  readonly clock: TestClock;
  close(): Promise<void>;
}

/** The real HTTP API on the test database, with a settable clock. */
export async function startTestApi(
  options: { loginThrottle?: LoginThrottlePolicy; ivrToken?: string } = {},
): Promise<TestApi> {
  const bus = new InProcessBus();
  const database = new Database(inject('databaseUrl'), {
    onEventsCommitted: (events) => {
      bus.publish(events);
    },
  });
  const clock = new TestClock();
  const api = await buildHttpApi({
    database,
    bus,
    now: clock.now,
    isCookieSecure: false,
    sessionIdleMs: 3_600_000,
    version: 'test',
    loginThrottle: options.loginThrottle,
    ivrToken: options.ivrToken,
  });
  return {
    api,
    database,
    bus,
    clock,
    close: async () => {
      await api.app.close();
      await database.close();
    },
  };
}

/** A tenant with one user per role, all with `testPassword`. */
export interface TestTenant {
  readonly slug: string;
  readonly tenantId: TenantId;
  readonly context: TenantContext;
  readonly userIds: Readonly<Record<Role, string>>;
  readonly emails: Readonly<Record<Role, string>>;
}

let passwordHash: Promise<string> | undefined;

export async function createTestTenant(database: Database): Promise<TestTenant> {
  passwordHash ??= hashPassword(testPassword);
  const hash = await passwordHash;
  const slug = `t-${randomUUID().slice(0, 12)}`;
  const tenant = await database.asSystem((tx) => tenants.createTenant(tx, { slug, name: `Tenant ${slug}` }));
  const context: TenantContext = { tenantId: tenant.id as TenantId, actor: { type: 'system', id: 'test' } };
  const userIds = {} as Record<Role, string>;
  const emails = {} as Record<Role, string>;
  for (const role of roles) {
    const email = `${role.replace('_', '-')}@${slug}.test`;
    const user = await database.inTenant(context, (tx) =>
      users.createUser(tx, { email, displayName: `The ${role}`, role, passwordHash: hash }),
    );
    userIds[role] = user.id;
    emails[role] = email;
  }
  return { slug, tenantId: context.tenantId, context, userIds, emails };
}

/** A signed-in browser: its cookie and CSRF token. */
export interface Session {
  readonly cookie: string;
  readonly csrfToken: string;
}

export async function login(api: HttpApi, tenant: TestTenant, role: Role): Promise<Session> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { tenant: tenant.slug, email: tenant.emails[role], password: testPassword },
  });
  if (response.statusCode !== 200)
    throw new Error(`login as ${role} failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'centralita_session');
  if (!cookie) throw new Error('no session cookie');
  return {
    cookie: `centralita_session=${cookie.value}`,
    csrfToken: response.json<{ csrfToken: string }>().csrfToken,
  };
}

/** Headers of a signed-in request (CSRF included; harmless on safe methods). */
export function as(session: Session): Record<string, string> {
  return { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
}
