import { chmod, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided-context.ts';
import {
  createDatabase,
  dropDatabase,
  migrate,
  startEmbeddedDatabase,
  withDatabaseName,
} from '@centralita/store';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Runs once per test run: uses the PostgreSQL server named by DATABASE_URL, or starts an embedded
 * PostgreSQL 15 of its own (also when CENTRALITA_TEST_DB=embedded), creates a fresh database, migrates it
 * and hands its URL to the tests. Everything it creates is removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wantsEmbedded = process.env.CENTRALITA_TEST_DB === 'embedded' || !process.env.DATABASE_URL;
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (wantsEmbedded) {
    const parentDir = await mkdtemp(path.join(tmpdir(), 'centralita-test-'));
    // When we run as root the server runs as `postgres`, which must be able to reach its data directory.
    await chmod(parentDir, 0o755);
    const dataDir = path.join(parentDir, 'pg');
    const embedded = await startEmbeddedDatabase({ dataDir, port: await freePort(), isEphemeral: true });
    adminUrl = embedded.adminUrl;
    stopEmbedded = () => embedded.stop();
  } else {
    adminUrl = process.env.DATABASE_URL ?? '';
  }
  const databaseName = `centralita_test_${Date.now().toString(36)}_${process.pid}`;
  await createDatabase(adminUrl, databaseName);
  const databaseUrl = withDatabaseName(adminUrl, databaseName);
  await migrate(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('databaseKind', wantsEmbedded ? 'embedded' : 'server');
  return async () => {
    await dropDatabase(adminUrl, databaseName);
    if (stopEmbedded) await stopEmbedded();
  };
}
