import { randomUUID } from 'node:crypto';
import { createDatabase, dropDatabase, migrate, withDatabaseName } from '@centralita/store';

/** A migrated database of one test, apart from the run's shared one, and the way to drop it. */
export interface OwnDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Creates and migrates a database for one test (on the server of `adminUrl`, `inject('adminDatabaseUrl')`). For
 * tests that leave what the shared database must not hold: holes in the event sequence (a rolled-back or
 * skipped event insert), which the report projector's tests would wait on, or events no writer would store.
 */
export async function createOwnDatabase(adminUrl: string, label: string): Promise<OwnDatabase> {
  const name = `centralita_${label}_${randomUUID().slice(0, 8)}`;
  await createDatabase(adminUrl, name);
  const url = withDatabaseName(adminUrl, name);
  await migrate(url);
  return { url, drop: () => dropDatabase(adminUrl, name) };
}
