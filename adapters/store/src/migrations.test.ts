import { cp, readdir, writeFile, mkdtemp, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, dropDatabase, withDatabaseName } from './database-admin.ts';
import { MigrationError, migrate, migrationsDir } from './migrations.ts';

const adminUrl = inject('adminDatabaseUrl');
const created: string[] = [];

async function freshDatabase(): Promise<string> {
  const name = `centralita_mig_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await createDatabase(adminUrl, name);
  created.push(name);
  return withDatabaseName(adminUrl, name);
}

afterAll(async () => {
  for (const name of created) await dropDatabase(adminUrl, name);
});

describe('migrate', () => {
  it('applies every migration once and nothing on the second run', async () => {
    const url = await freshDatabase();
    const progress: string[] = [];
    const first = await migrate(url, { onProgress: (message) => progress.push(message) });
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql'));
    expect(first.applied.map((m) => m.version)).toHaveLength(files.length);
    expect(progress[0]).toMatch(/^applying migration 1\/\d+: 0001_foundation$/);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(files.length);
  });

  it('refuses to start when an applied migration was edited afterwards, and says how to fix it', async () => {
    const url = await freshDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'centralita-migrations-'));
    await cp(migrationsDir, dir, { recursive: true });
    await migrate(url, { dir });
    await appendFile(path.join(dir, '0001_foundation.sql'), '\n-- an innocent-looking edit\n');
    const attempt = migrate(url, { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(
      /0001_foundation\.sql was edited after it was applied.*new migration/,
    );
  });

  it('rolls back a failing migration completely and names it', async () => {
    const url = await freshDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'centralita-migrations-'));
    await cp(migrationsDir, dir, { recursive: true });
    await writeFile(
      path.join(dir, '9999_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
    );
    await expect(migrate(url, { dir })).rejects.toThrow(
      /9999_broken\.sql failed: .*no_such_table.*Nothing of it was applied/,
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const table = await client.query("SELECT to_regclass('public.half_done') AS t");
    const versions = await client.query('SELECT max(version) AS v FROM schema_migrations');
    await client.end();
    expect(table.rows[0]).toEqual({ t: null });
    const newest = Math.max(
      ...(await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).map((f) => Number(f.slice(0, 4))),
    );
    expect(versions.rows[0]).toEqual({ v: newest });
  });
});
