import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import type {} from '@centralita/testkit';
import type { SessionTimerPolicy } from '@centralita/sip';
import { createDatabase, dropDatabase, withDatabaseName } from '@centralita/store';
import { readConfig } from './config.ts';
import { demoPassword, demoTenantSlug } from './demo-seed.ts';
import { createLogger, startServer } from './wiring.ts';
import type { RunningServer } from './wiring.ts';

/** A whole Centralita on a fresh database of its own, for end-to-end tests. */
export interface TestServer {
  readonly server: RunningServer;
  /** Where this server writes call recordings (a fresh temporary directory). */
  readonly recordingDir: string;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts the real server for a test: a new database on the test run's PostgreSQL (seeded with the demo
 * tenant), HTTP and SIP on loopback ports the OS picks, prompt pre-rendering off. `env` adds or overrides
 * environment variables (for example the SIP domain). `options.sessionTimer` shortens the session timers
 * (RFC 4028) below the 90 s floor the environment cannot lower, so refresh and expiry take seconds.
 */
export async function startTestServer(
  adminDatabaseUrl: string,
  name: string,
  env: Readonly<Record<string, string>> = {},
  options: { readonly sessionTimer?: SessionTimerPolicy } = {},
): Promise<TestServer> {
  const databaseName = `centralita_${name}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await createDatabase(adminDatabaseUrl, databaseName);
  const recordingDir = mkdtempSync(path.join(tmpdir(), `centralita-recordings-${name}-`));
  const read = readConfig(
    {
      DATABASE_URL: withDatabaseName(adminDatabaseUrl, databaseName),
      PORT: '0',
      HOST: '127.0.0.1',
      CENTRALITA_PRERENDER_PROMPTS: 'false',
      CENTRALITA_SIP_HOST: '127.0.0.1',
      CENTRALITA_SIP_UDP_PORT: '0',
      CENTRALITA_SIP_TCP_PORT: '0',
      CENTRALITA_RECORDING_DIR: recordingDir,
      // Shared by the test run: espeak-ng renders each prompt once.
      CENTRALITA_PROMPT_CACHE_DIR: path.join(tmpdir(), 'centralita-test-prompts'),
      // Two weeks of past calls (ten business days) are enough for tests of reports and customer history;
      // demo.test.ts checks the full 90 days a new installation gets.
      CENTRALITA_DEMO_HISTORY_DAYS: '14',
      ...env,
    },
    process.cwd(),
  );
  const config =
    options.sessionTimer === undefined
      ? read
      : { ...read, sip: { ...read.sip, sessionTimer: options.sessionTimer } };
  // CENTRALITA_TEST_LOG_LEVEL=debug shows a test server's log when a test needs explaining.
  const level = process.env['CENTRALITA_TEST_LOG_LEVEL'] ?? 'silent';
  const server = await startServer(config, createLogger(level as Parameters<typeof createLogger>[0]));
  return {
    server,
    recordingDir,
    stop: async () => {
      await server.stop();
      await dropDatabase(adminDatabaseUrl, databaseName);
      rmSync(recordingDir, { recursive: true, force: true });
    },
  };
}

/**
 * One test server for the calling test file: started before its tests (on the test run's PostgreSQL) and
 * stopped after them; `onStarted` gets it, typically to keep `server` for the tests.
 */
export function useTestServer(name: string, onStarted: (testServer: TestServer) => void): void {
  const adminUrl = inject('adminDatabaseUrl');
  let testServer: TestServer | undefined;
  beforeAll(async () => {
    testServer = await startTestServer(adminUrl, name);
    onStarted(testServer);
  }, 120_000);
  afterAll(async () => {
    await testServer?.stop();
  });
}

/** A signed-in user of the demo tenant, for API calls in tests. */
export interface TestSession {
  readonly headers: Record<string, string>;
  readonly userId: string;
}

/** Signs in to the demo tenant as `email` with the demo password. */
export async function signIn(server: RunningServer, email: string): Promise<TestSession> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email} answered ${String(response.status)}`);
  const body = (await response.json()) as { csrfToken: string; user: { id: string } };
  return {
    headers: {
      cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '',
      'x-csrf-token': body.csrfToken,
    },
    userId: body.user.id,
  };
}

/** One API request as `session`: its status and its JSON body (null when empty). */
// The type parameter is the test's claim about the JSON the endpoint answers.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function apiRequest<T>(
  server: RunningServer,
  session: TestSession,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers:
      body === undefined ? session.headers : { ...session.headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}
