import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TenantId } from '@centralita/kernel';
import type { TenantContext } from './actor.ts';
import { Database } from './database.ts';
import { createTenant } from './tenants.ts';

// The values tools/testkit's global setup provides (declared again here: this package cannot depend on testkit).
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    databaseKind: 'embedded' | 'server';
  }
}

/** The migrated database of this test run (see tools/testkit/src/global-setup.ts). */
export function openTestDatabase(): Database {
  return new Database(inject('databaseUrl'));
}

/** A fresh tenant with a unique slug, and a context acting in it as a system actor. */
export async function createTestTenant(
  database: Database,
  name = 'Test',
): Promise<TenantContext & { slug: string }> {
  const slug = `t-${randomUUID().slice(0, 12)}`;
  const tenant = await database.asSystem((tx) => createTenant(tx, { slug, name }));
  return { tenantId: tenant.id as TenantId, actor: { type: 'system', id: 'test' }, slug };
}
