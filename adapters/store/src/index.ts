export { startEmbeddedDatabase } from './embedded-database.ts';
export type { EmbeddedDatabase, EmbeddedDatabaseOptions } from './embedded-database.ts';
export { createDatabase, dropDatabase, withDatabaseName } from './database-admin.ts';
export { migrate, loadMigrations, migrationsDir, MigrationError } from './migrations.ts';
export type { Migration, MigrateResult } from './migrations.ts';
export { Database } from './database.ts';
export type {
  Tx,
  WriteTx,
  Statement,
  DatabaseOptions,
  TransactionOptions,
  Listening,
  ListenHandlers,
} from './database.ts';
export { callLayerActor, roles } from './actor.ts';
export type { Actor, Role, TenantContext } from './actor.ts';
export { StoreError, isStoredEventConflict, storeErrorCodes } from './store-error.ts';
export { isTransientDatabaseError } from './transient-error.ts';
export type { StoreErrorCode } from './store-error.ts';
export type { Page, PageRequest } from './paging.ts';
export * as tenants from './tenants.ts';
export type { Tenant } from './tenants.ts';
export * as users from './users.ts';
export type { User } from './users.ts';
export * as directory from './directory.ts';
export type { Team, Skill, Queue } from './directory.ts';
export * as credentials from './credentials.ts';
export type { ApiKey, SessionRecord } from './credentials.ts';
export * as customers from './customers.ts';
export type { Customer, CustomerIdentity } from './customers.ts';
export * as interactions from './interactions.ts';
export * as domainEvents from './domain-events.ts';
export type { PastEvent } from './domain-events.ts';
export type { Interaction } from './interactions.ts';
export * as tickets from './tickets.ts';
export * as dispositions from './dispositions.ts';
export * as callScripts from './call-scripts.ts';
export * as knowledgeBase from './knowledge-base.ts';
export type { Disposition } from './dispositions.ts';
export type { CallScript } from './call-scripts.ts';
export type { Ticket, TicketDetail, TicketNote, FollowUpTask, TicketStatus } from './tickets.ts';
export { identifyCustomer, screenPopFor } from './identification.ts';
export * as auditLog from './audit-log.ts';
export type { AuditEntry } from './audit-log.ts';
export * as flows from './flows.ts';
export { TenantConfigurationCache, trunksAccepting } from './tenant-configuration.ts';
export type { TenantConfiguration, TenantTrunks } from './tenant-configuration.ts';
export * as sipAccounts from './sip-accounts.ts';
export type { SipAccount, SipBinding, SipTrunk, Did, DidRoute, DigestHa1 } from './sip-accounts.ts';
export * as reports from './reports.ts';
