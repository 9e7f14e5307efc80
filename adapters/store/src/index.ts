export { startEmbeddedDatabase } from './embedded-database.ts';
export type { EmbeddedDatabase, EmbeddedDatabaseOptions } from './embedded-database.ts';
export { createDatabase, dropDatabase, withDatabaseName } from './database-admin.ts';
export { migrate, loadMigrations, migrationsDir, MigrationError } from './migrations.ts';
export type { Migration, MigrateResult } from './migrations.ts';
