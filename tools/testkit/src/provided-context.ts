/** What the global setup hands every integration test through Vitest's `inject()`. */
export interface ProvidedDatabaseContext {
  /** A migrated database for this test run. */
  databaseUrl: string;
  /** A superuser (or CREATEDB) connection, for tests that need databases of their own. */
  adminDatabaseUrl: string;
  /** `embedded` or `server`: which PostgreSQL this run uses. */
  databaseKind: 'embedded' | 'server';
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends ProvidedDatabaseContext {}
}
