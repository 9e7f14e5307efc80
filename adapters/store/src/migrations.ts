import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The folder of plain versioned SQL migrations, `NNNN_name.sql`, applied in order. */
export const migrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Raised when the database disagrees with the migration files; the message says what to do. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any constant works: it only has to be the same for every Centralita process on the database.
const migrationLockKey = 4_721_001;

export async function loadMigrations(dir: string = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileNamePattern.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new MigrationError(`Migration file ${file} is not named NNNN_name.sql; rename it.`);
    }
    const sql = await readFile(path.join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(
        `Two migration files share version ${match[1]}; give ${file} the next free number.`,
      );
    }
    migrations.push({
      version,
      name: match[2],
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}

export interface MigrateResult {
  readonly applied: readonly Migration[];
  readonly alreadyApplied: number;
}

/**
 * Applies every migration not applied yet, each in its own transaction, under an advisory lock so that
 * two servers starting together do not race. An applied migration whose file was edited afterwards is
 * refused: the fix is a new migration, never an edit of an old one.
 */
export async function migrate(
  databaseUrl: string,
  options: { readonly dir?: string; readonly onProgress?: (message: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const appliedRows = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of appliedRows.rows) {
      const file = known.get(row.version);
      if (!file) {
        throw new MigrationError(
          `The database has migration ${row.version} (${row.name}) but this version of Centralita does not know it. ` +
            'Run the Centralita version that applied it, or restore a backup taken before it.',
        );
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${String(row.version).padStart(4, '0')}_${row.name}.sql was edited after it was applied ` +
            `(checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk). ` +
            'Restore the original file and put the change in a new migration.',
        );
      }
    }
    const appliedVersions = new Set(appliedRows.rows.map((r) => r.version));
    const pending = migrations.filter((m) => !appliedVersions.has(m.version));
    for (const [index, migration] of pending.entries()) {
      options.onProgress?.(
        `applying migration ${index + 1}/${pending.length}: ${String(migration.version).padStart(4, '0')}_${migration.name}`,
      );
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(
          `Migration ${String(migration.version).padStart(4, '0')}_${migration.name}.sql failed: ${
            error instanceof Error ? error.message : String(error)
          }. Nothing of it was applied.`,
          { cause: error },
        );
      }
    }
    return { applied: pending, alreadyApplied: appliedVersions.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
    await client.end();
  }
}
