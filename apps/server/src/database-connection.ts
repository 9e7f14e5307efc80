import path from 'node:path';
import pg from 'pg';
import { createDatabase, startEmbeddedDatabase, withDatabaseName } from '@centralita/store';
import type { ServerConfig } from './config.ts';

/** The database name Centralita uses inside the embedded server. */
const embeddedDatabaseName = 'centralita';

/** A database URL to use and how to let go of it. */
export interface DatabaseConnection {
  readonly url: string;
  readonly isEmbedded: boolean;
  release(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under the data directory. When another
 * Centralita process (a running server) already has the embedded server up, it is shared, not restarted.
 */
export async function connectDatabase(
  config: ServerConfig,
  onLog: (message: string) => void,
): Promise<DatabaseConnection> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl, isEmbedded: false, release: () => Promise.resolve() };
  }
  const adminUrl = `postgres://postgres:centralita-embedded@127.0.0.1:${config.embeddedDatabasePort}/postgres`;
  if (await answers(adminUrl)) {
    onLog(`using the embedded PostgreSQL already running on port ${config.embeddedDatabasePort}`);
    return {
      url: withDatabaseName(adminUrl, embeddedDatabaseName),
      isEmbedded: true,
      release: () => Promise.resolve(),
    };
  }
  onLog(
    `starting the embedded PostgreSQL 15 (data in ${path.join(config.dataDir, 'postgres')}, port ${config.embeddedDatabasePort})`,
  );
  const embedded = await startEmbeddedDatabase({
    dataDir: path.join(config.dataDir, 'postgres'),
    port: config.embeddedDatabasePort,
  });
  await createDatabase(embedded.adminUrl, embeddedDatabaseName);
  return {
    url: withDatabaseName(embedded.adminUrl, embeddedDatabaseName),
    isEmbedded: true,
    release: () => embedded.stop(),
  };
}
