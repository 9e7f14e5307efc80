import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi, testPassword } from './test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
});

afterAll(async () => {
  await testApi.close();
});

/** Listens on a loopback port once (for the WebSocket tests) and returns it. */
async function listeningPort(): Promise<number> {
  if (!testApi.api.app.server.listening) await testApi.api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = testApi.api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

function attempt(body: Record<string, unknown>, remoteAddress = '10.9.8.7') {
  return testApi.api.app.inject({ method: 'POST', url: '/api/auth/login', payload: body, remoteAddress });
}

function withoutIds(body: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = body;
  return rest;
}

describe('login', () => {
  it('sets an HTTP-only session cookie and returns the user, a CSRF token and the role’s permissions', async () => {
    const response = await attempt({
      tenant: tenant.slug,
      email: tenant.emails.agent,
      password: testPassword,
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'centralita_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const body = response.json<{
      user: { role: string; email: string };
      csrfToken: string;
      permissions: string[];
    }>();
    expect(body.user).toMatchObject({ role: 'agent', email: tenant.emails.agent });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(body.permissions).toContain('tickets:write');
    expect(body.permissions).not.toContain('users:manage');
  });

  it('gives the same answer for an unknown tenant, an unknown e-mail, a wrong password and a disabled account', async () => {
    const disabledTenant = await createTestTenant(testApi.database);
    const admin = await login(testApi.api, disabledTenant, 'admin');
    await testApi.api.app.inject({
      method: 'PATCH',
      url: `/api/users/${disabledTenant.userIds.agent}`,
      headers: as(admin),
      payload: { isDisabled: true },
    });
    const answers = await Promise.all([
      attempt({ tenant: 'no-such-tenant', email: tenant.emails.agent, password: testPassword }, '10.0.0.1'),
      attempt({ tenant: tenant.slug, email: 'nobody@nowhere.test', password: testPassword }, '10.0.0.2'),
      attempt({ tenant: tenant.slug, email: tenant.emails.agent, password: 'wrong password!' }, '10.0.0.3'),
      attempt(
        { tenant: disabledTenant.slug, email: disabledTenant.emails.agent, password: testPassword },
        '10.0.0.4',
      ),
    ]);
    for (const answer of answers) expect(answer.statusCode).toBe(401);
    const bodies = answers.map((answer) => withoutIds(answer.json()));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(bodies[0]).toMatchObject({ code: 'HTTP_LOGIN_FAILED', status: 401 });
  });

  it('locks an account after repeated failures with a growing wait, for unknown accounts too', async () => {
    const throttled = await createTestTenant(testApi.database);
    const wrong = (email: string) =>
      attempt(
        { tenant: throttled.slug, email, password: 'not the password' },
        `10.1.${Math.floor(Math.random() * 250)}.1`,
      );
    for (const email of [throttled.emails.analyst, 'ghost@nowhere.test']) {
      for (let i = 0; i < 4; i++) expect((await wrong(email)).statusCode).toBe(401);
      expect((await wrong(email)).statusCode).toBe(401); // the fifth failure locks
      const locked = await wrong(email);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ code: 'HTTP_LOGIN_THROTTLED' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(29);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(30);
    }
    // Even the right password waits out the lock…
    const right = () =>
      attempt(
        { tenant: throttled.slug, email: throttled.emails.analyst, password: testPassword },
        '10.2.0.1',
      );
    expect((await right()).statusCode).toBe(429);
    // …and the next failure after it doubles the wait.
    testApi.clock.advance(31_000);
    expect((await wrong(throttled.emails.analyst)).statusCode).toBe(401);
    const longer = await wrong(throttled.emails.analyst);
    expect(Number(longer.headers['retry-after'])).toBeGreaterThan(55);
    testApi.clock.advance(61_000);
    expect((await right()).statusCode).toBe(200);
  });

  it('locks a source address that tries many accounts', async () => {
    const address = '10.77.0.1';
    for (let i = 0; i < 20; i++)
      await attempt({ tenant: tenant.slug, email: `spray${i}@nowhere.test`, password: 'x' }, address);
    const blocked = await attempt(
      { tenant: tenant.slug, email: tenant.emails.manager, password: testPassword },
      address,
    );
    expect(blocked.statusCode).toBe(429);
    const elsewhere = await attempt(
      { tenant: tenant.slug, email: tenant.emails.manager, password: testPassword },
      '10.77.0.2',
    );
    expect(elsewhere.statusCode).toBe(200);
  });
});

describe('sessions, CSRF and API keys', () => {
  it('refuses a cookie-authenticated write without the CSRF token and accepts it with the token', async () => {
    const session = await login(testApi.api, tenant, 'agent');
    const without = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: { cookie: session.cookie },
      payload: { firstName: 'Sin token' },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'HTTP_CSRF_FAILED' });
    const wrongToken = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: { cookie: session.cookie, 'x-csrf-token': 'forged' },
      payload: { firstName: 'Token falso' },
    });
    expect(wrongToken.statusCode).toBe(403);
    const withToken = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: as(session),
      payload: { firstName: 'Con token' },
    });
    expect(withToken.statusCode).toBe(201);
  });

  it('ends a session at logout', async () => {
    const session = await login(testApi.api, tenant, 'trainer');
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(session) })).statusCode,
    ).toBe(200);
    const logout = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: as(session),
    });
    expect(logout.statusCode).toBe(204);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(session) })).statusCode,
    ).toBe(401);
  });

  it('ends an idle session after the idle time and keeps an active one alive', async () => {
    const idle = await login(testApi.api, tenant, 'analyst');
    const active = await login(testApi.api, tenant, 'analyst');
    testApi.clock.advance(40 * 60_000);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(active) })).statusCode,
    ).toBe(200);
    testApi.clock.advance(40 * 60_000);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(idle) })).statusCode,
    ).toBe(401);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(active) })).statusCode,
    ).toBe(200);
  });

  it('lets an integration use an API key with its role, without CSRF, until the key is revoked', async () => {
    const admin = await login(testApi.api, tenant, 'admin');
    const created = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(admin),
      payload: { name: 'CRM sync', role: 'agent' },
    });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json<{ key: string; id: string }>();
    const bearer = { authorization: `Bearer ${key}` };
    const write = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: bearer,
      payload: { firstName: 'Desde la API' },
    });
    expect(write.statusCode).toBe(201);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/users', headers: bearer })).statusCode,
    ).toBe(403);
    const listed = await testApi.api.app.inject({ method: 'GET', url: '/api/api-keys', headers: as(admin) });
    expect(listed.body).not.toContain(key);
    await testApi.api.app.inject({ method: 'DELETE', url: `/api/api-keys/${id}`, headers: as(admin) });
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/customers', headers: bearer })).statusCode,
    ).toBe(401);
    const forged = await testApi.api.app.inject({
      method: 'GET',
      url: '/api/customers',
      headers: { authorization: `Bearer ${key.slice(0, -1)}x` },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('ends a disabled user’s sessions and open event streams at once', async () => {
    const port = await listeningPort();
    const target = await createTestTenant(testApi.database);
    const agent = await login(testApi.api, target, 'agent');
    const admin = await login(testApi.api, target, 'admin');
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`, {
      headers: { cookie: agent.cookie },
    });
    await once(socket, 'message');
    const closed = once(socket, 'close');
    const disable = await testApi.api.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.userIds.agent}`,
      headers: as(admin),
      payload: { isDisabled: true },
    });
    expect(disable.statusCode).toBe(200);
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(4401);
    expect(reason.toString()).toBe('account disabled');
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(agent) })).statusCode,
    ).toBe(401);
    const again = await attempt(
      { tenant: target.slug, email: target.emails.agent, password: testPassword },
      '10.3.0.1',
    );
    expect(again.statusCode).toBe(401);
  });

  it('lets a user change their own password, which ends their other sessions and their streams', async () => {
    const target = await createTestTenant(testApi.database);
    const here = await login(testApi.api, target, 'team_lead');
    const elsewhere = await login(testApi.api, target, 'team_lead');
    const port = await listeningPort();
    const elsewhereStream = new WebSocket(`ws://127.0.0.1:${port}/api/events`, {
      headers: { cookie: elsewhere.cookie },
    });
    const hereStream = new WebSocket(`ws://127.0.0.1:${port}/api/events`, {
      headers: { cookie: here.cookie },
    });
    await Promise.all([once(elsewhereStream, 'message'), once(hereStream, 'message')]);
    const elsewhereClosed = once(elsewhereStream, 'close');
    const wrongCurrent = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: as(here),
      payload: { currentPassword: 'nope', newPassword: 'a brand new passphrase' },
    });
    expect(wrongCurrent.statusCode).toBe(400);
    expect(wrongCurrent.json()).toMatchObject({ field: 'currentPassword' });
    const changed = await testApi.api.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: as(here),
      payload: { currentPassword: testPassword, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(here) })).statusCode,
    ).toBe(200);
    expect(
      (await testApi.api.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(elsewhere) }))
        .statusCode,
    ).toBe(401);
    const [code] = (await elsewhereClosed) as [number];
    expect(code).toBe(4401);
    expect(hereStream.readyState).toBe(WebSocket.OPEN);
    hereStream.close();
    const withNew = await attempt(
      { tenant: target.slug, email: target.emails.team_lead, password: 'a brand new passphrase' },
      '10.4.0.1',
    );
    expect(withNew.statusCode).toBe(200);
  });
});
