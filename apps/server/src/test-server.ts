import { createDatabase, dropDatabase, withDatabaseName } from '@centralita/store';
import { readConfig } from './config.ts';
import { createLogger, startServer } from './wiring.ts';
import type { RunningServer } from './wiring.ts';

/** A whole Centralita on a fresh database of its own, for end-to-end tests. */
export interface TestServer {
  readonly server: RunningServer;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts the real server for a test: a new database on the test run's PostgreSQL (seeded with the demo
 * tenant), HTTP and SIP on loopback ports the OS picks, prompt pre-rendering off. `env` adds or overrides
 * environment variables (for example the SIP domain).
 */
export async function startTestServer(
  adminDatabaseUrl: string,
  name: string,
  env: Readonly<Record<string, string>> = {},
): Promise<TestServer> {
  const databaseName = `centralita_${name}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await createDatabase(adminDatabaseUrl, databaseName);
  const config = readConfig(
    {
      DATABASE_URL: withDatabaseName(adminDatabaseUrl, databaseName),
      PORT: '0',
      HOST: '127.0.0.1',
      CENTRALITA_PRERENDER_PROMPTS: 'false',
      CENTRALITA_SIP_HOST: '127.0.0.1',
      CENTRALITA_SIP_UDP_PORT: '0',
      CENTRALITA_SIP_TCP_PORT: '0',
      ...env,
    },
    process.cwd(),
  );
  const server = await startServer(config, createLogger('silent'));
  return {
    server,
    stop: async () => {
      await server.stop();
      await dropDatabase(adminDatabaseUrl, databaseName);
    },
  };
}
