import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';

/** A client business served by this installation. */
export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly defaultCountry: string;
  readonly defaultLanguage: 'es' | 'en';
  readonly timeZone: string;
  readonly settings: Record<string, unknown>;
  readonly createdAt: Date;
}

const tenantColumns = `id, slug, name, default_country AS "defaultCountry", default_language AS "defaultLanguage",
  time_zone AS "timeZone", settings, created_at AS "createdAt"`;

export interface NewTenant {
  readonly slug: string;
  readonly name: string;
  readonly defaultCountry?: string;
  readonly defaultLanguage?: 'es' | 'en';
  readonly timeZone?: string;
}

/** Creates a tenant (system transaction). Its built-in ticket statuses come with it. */
export async function createTenant(tx: Tx, input: NewTenant): Promise<Tenant> {
  const result = await tx.query<Tenant>(
    `INSERT INTO tenants (slug, name, default_country, default_language, time_zone)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${tenantColumns}`,
    [
      input.slug,
      input.name,
      input.defaultCountry ?? 'ES',
      input.defaultLanguage ?? 'es',
      input.timeZone ?? 'Europe/Madrid',
    ],
  );
  return first(result.rows);
}

/** The tenant with this slug, or undefined (system transaction). */
export async function findTenantBySlug(tx: Tx, slug: string): Promise<Tenant | undefined> {
  const result = await tx.query<Tenant>(`SELECT ${tenantColumns} FROM tenants WHERE slug = $1`, [slug]);
  return result.rows[0];
}

export async function listTenants(tx: Tx): Promise<Tenant[]> {
  return (await tx.query<Tenant>(`SELECT ${tenantColumns} FROM tenants ORDER BY slug`)).rows;
}

/** The tenant of the current tenant transaction. */
export async function currentTenant(tx: Tx): Promise<Tenant> {
  const result = await tx.query<Tenant>(
    `SELECT ${tenantColumns} FROM tenants WHERE id = app_current_tenant()`,
  );
  const tenant = result.rows[0];
  if (!tenant) throw new StoreError('STORE_NOT_FOUND', 'tenant not found');
  return tenant;
}

export interface TenantChanges {
  readonly name?: string | undefined;
  readonly defaultCountry?: string | undefined;
  readonly defaultLanguage?: 'es' | 'en' | undefined;
  readonly timeZone?: string | undefined;
  readonly settings?: Record<string, unknown> | undefined;
}

export async function updateCurrentTenant(tx: Tx, changes: TenantChanges): Promise<Tenant> {
  const result = await tx.query<Tenant>(
    `UPDATE tenants SET
       name = coalesce($1, name),
       default_country = coalesce($2, default_country),
       default_language = coalesce($3, default_language),
       time_zone = coalesce($4, time_zone),
       settings = CASE WHEN $5::jsonb IS NULL THEN settings ELSE settings || $5::jsonb END
     WHERE id = app_current_tenant() RETURNING ${tenantColumns}`,
    [
      changes.name ?? null,
      changes.defaultCountry ?? null,
      changes.defaultLanguage ?? null,
      changes.timeZone ?? null,
      changes.settings === undefined ? null : JSON.stringify(changes.settings),
    ],
  );
  return first(result.rows);
}

/** Takes the next value of a per-tenant counter (ticket numbers), safe under concurrency. */
export async function nextCounterValue(tx: Tx, name: string): Promise<number> {
  const result = await tx.query<{ value: string }>(
    `INSERT INTO tenant_counters (tenant_id, name, value) VALUES (app_current_tenant(), $1, 1)
     ON CONFLICT (tenant_id, name) DO UPDATE SET value = tenant_counters.value + 1
     RETURNING value`,
    [name],
  );
  return Number(first(result.rows).value);
}

/** The first row of a result that must have one. */
export function first<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'not found');
  return row;
}
