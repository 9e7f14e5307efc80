import { connectDatabase, readConfig } from '@centralita/server';
import type { ServerConfig } from '@centralita/server';
import { Database, migrate } from '@centralita/store';

/** Output of a command: results to stdout, progress and problems to stderr. */
export interface Console {
  out(line: string): void;
  err(line: string): void;
}

/** A user-facing failure: printed without a stack trace, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * Opens the configured database for a command, migrating it first so every command sees the current
 * schema, and closes everything afterwards.
 */
export async function withDatabase<T>(
  console: Console,
  work: (database: Database, config: ServerConfig) => Promise<T>,
): Promise<T> {
  const config = readConfig(process.env, process.cwd());
  const connection = await connectDatabase(config, (message) => {
    console.err(message);
  });
  const database = new Database(connection.url, {
    maxConnections: 4,
    preparesStatements: config.preparesStatements,
  });
  try {
    await migrate(connection.url, {
      onProgress: (message) => {
        console.err(message);
      },
    });
    return await work(database, config);
  } finally {
    await database.close();
    await connection.release();
  }
}
