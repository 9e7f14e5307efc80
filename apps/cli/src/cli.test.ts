import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { verifyPassword } from '@centralita/http-api';
import { createDatabase, dropDatabase, withDatabaseName } from '@centralita/store';
import pg from 'pg';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const adminUrl = inject('adminDatabaseUrl');
const databaseName = `centralita_cli_${Date.now().toString(36)}`;
const databaseUrl = withDatabaseName(adminUrl, databaseName);

async function centralita(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        CENTRALITA_PROMPT_CACHE_DIR: promptCacheDir,
        // Any 14 days hold ten business days: 200 customers and 40 new callers for each.
        CENTRALITA_DEMO_HISTORY_DAYS: '14',
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

let promptCacheDir = '';

beforeAll(async () => {
  promptCacheDir = await mkdtemp(path.join(tmpdir(), 'centralita-cli-prompts-'));
  await createDatabase(adminUrl, databaseName);
});

afterAll(async () => {
  await dropDatabase(adminUrl, databaseName);
});

describe('the centralita command', () => {
  it('explains itself and every command with --help', async () => {
    const top = await centralita('--help');
    expect(top.code).toBe(0);
    for (const command of ['start', 'db', 'seed', 'tenant', 'user']) expect(top.stdout).toContain(command);
    for (const args of [
      ['start'],
      ['db', 'migrate'],
      ['seed', 'demo'],
      ['tenant', 'create'],
      ['user', 'create'],
      ['user', 'reset-password'],
    ]) {
      const help = await centralita(...args, '--help');
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/Usage: centralita/);
    }
  });

  it('migrates, and says so when there is nothing left to do', async () => {
    const first = await centralita('db', 'migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration|Schema up to date/);
    expect(first.stderr).toMatch(/applying migration 1\/\d+: 0001_foundation|^$/);
    const second = await centralita('db', 'migrate');
    expect(second.stdout).toMatch(/Schema up to date/);
  });

  it('seeds the demo once and lists its logins', async () => {
    const seeded = await centralita('seed', 'demo');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/Demo tenant "demo" created: 600 customers, \d{4} interactions/);
    expect(seeded.stdout).toContain('admin@fibrasur.example');
    expect(seeded.stderr).toMatch(/business day 10 of 10 simulated/);
    expect(seeded.stderr).toMatch(/customers 1–500 of 600/);
    // The demo's IVR prompts are rendered with espeak-ng at seed time, into the prompt cache.
    const rendered = Number(/IVR prompts: (\d+) rendered/.exec(seeded.stdout)?.[1] ?? 0);
    expect(rendered, seeded.stdout).toBeGreaterThan(20);
    expect(
      (await readdir(promptCacheDir, { recursive: true })).filter((f) => f.endsWith('.wav')).length,
    ).toBe(rendered);
    const again = await centralita('seed', 'demo');
    expect(again.stdout).toMatch(/exists already; nothing changed/);
    const [count] = await query<{ count: number }>('SELECT count(*)::int AS count FROM customers');
    expect(count?.count).toBe(600);
  }, 120_000);

  it('creates a tenant and a user whose printed password works, and resets it', async () => {
    expect((await centralita('tenant', 'create', '--slug', 'acme', '--name', 'Acme Ibérica')).code).toBe(0);
    const created = await centralita(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'boss@acme.test',
      '--name',
      'La Jefa',
      '--role',
      'admin',
    );
    expect(created.code).toBe(0);
    const password = /Password: (\S+)/.exec(created.stdout)?.[1] ?? '';
    const [row] = await query<{ password_hash: string; role: string }>(
      `SELECT password_hash, role FROM users WHERE email = 'boss@acme.test'`,
    );
    expect(row?.role).toBe('admin');
    expect(await verifyPassword(row?.password_hash ?? null, password)).toBe(true);
    const reset = await centralita(
      'user',
      'reset-password',
      '--tenant',
      'acme',
      '--email',
      'boss@acme.test',
      '--password',
      'una contraseña nueva',
    );
    expect(reset.code).toBe(0);
    const [after] = await query<{ password_hash: string }>(
      `SELECT password_hash FROM users WHERE email = 'boss@acme.test'`,
    );
    expect(await verifyPassword(after?.password_hash ?? null, 'una contraseña nueva')).toBe(true);
    expect(await verifyPassword(after?.password_hash ?? null, password)).toBe(false);
  }, 60_000);

  it('fails with a message a person can act on', async () => {
    const unknownTenant = await centralita(
      'user',
      'create',
      '--tenant',
      'nope',
      '--email',
      'x@y.test',
      '--name',
      'X',
    );
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toMatch(/No tenant "nope"\. Known tenants: .*demo/);
    const shortPassword = await centralita(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'x@acme.test',
      '--name',
      'X',
      '--password',
      'short',
    );
    expect(shortPassword.code).toBe(1);
    expect(shortPassword.stderr).toMatch(/at least 10 characters/);
    const badRole = await centralita(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'x@acme.test',
      '--name',
      'X',
      '--role',
      'king',
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, manager, team_lead, agent, trainer, analyst/);
    const duplicate = await centralita(
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'BOSS@acme.test',
      '--name',
      'Otra',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists \(email\)/);
    const badEnv = await run(process.execPath, [cliPath, 'db', 'migrate'], {
      env: { ...process.env, DATABASE_URL: 'mysql://nope' },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(badEnv).toMatchObject({ code: 1 });
    expect((badEnv as { stderr: string }).stderr).toMatch(
      /DATABASE_URL: must be a postgres:\/\/ connection string/,
    );
  }, 60_000);
});
