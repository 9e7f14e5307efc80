import pg from 'pg';

/** The same server and credentials, another database. */
export function withDatabaseName(url: string, databaseName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${databaseName}`;
  return parsed.toString();
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (UTF-8, template0) when it does not exist yet. */
export async function createDatabase(adminUrl: string, databaseName: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (existing.rowCount === 0) {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(databaseName)} TEMPLATE template0 ENCODING 'UTF8'`,
      );
    }
  });
}

/** Drops a database, ending any connection still open to it. */
export async function dropDatabase(adminUrl: string, databaseName: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(databaseName)} WITH (FORCE)`);
  });
}
