import type { Flow } from '@centralita/ivr';
import type { Tx } from './database.ts';
import type { IvrSettings } from './flows.ts';
import { ivrSettings, publishedFlows, queueReferences } from './flows.ts';
import type { Tenant } from './tenants.ts';
import { currentTenant } from './tenants.ts';

/**
 * What a new call reads before its flow starts: the tenant (its settings, time zone, country), its published
 * flows, IVR settings and queue names.
 */
export interface TenantConfiguration {
  readonly tenant: Tenant;
  /** The published version of every flow, parsed, by key. */
  readonly published: Readonly<Record<string, Flow>>;
  readonly ivrSettings: IvrSettings;
  /** Every way flows may name a queue, with the queue id it means (`queueReferences`). */
  readonly queueReferences: ReadonlyMap<string, string>;
}

/**
 * Each tenant's `TenantConfiguration`, kept in memory with the tenant's configuration version (migration 0011:
 * triggers move it whenever the tenant's row, flows, flow versions or queues are written, by any
 * server of the installation). A read asks the database for the version only, one small query, and
 * reads and parses everything again when it has moved. A call therefore never runs a flow older than
 * the last one published before it arrived.
 */
export class TenantConfigurationCache {
  readonly #entries = new Map<
    string,
    { readonly version: string; readonly configuration: TenantConfiguration }
  >();

  /** The tenant's configuration as of this transaction (a tenant transaction). */
  async read(tx: Tx): Promise<TenantConfiguration> {
    const tenantId = tx.tenantId;
    if (tenantId === undefined) throw new Error('a tenant configuration is read in a tenant transaction');
    const row = (
      await tx.query<{ version: string }>(
        'SELECT configuration_version::text AS version FROM tenants WHERE id = app_current_tenant()',
      )
    ).rows[0];
    const version = row?.version ?? '';
    const cached = this.#entries.get(tenantId);
    if (cached?.version === version) return cached.configuration;
    const configuration: TenantConfiguration = deepFreeze({
      tenant: await currentTenant(tx),
      published: await publishedFlows(tx),
      ivrSettings: await ivrSettings(tx),
      queueReferences: await queueReferences(tx),
    });
    // Read in one transaction after the version: if a change committed in between, what was read is newer
    // than `version`, and the next call sees a newer version and reads again.
    this.#entries.set(tenantId, { version, configuration });
    return configuration;
  }
}

/** Shared between calls: frozen, so no call can change another's configuration by accident. */
function deepFreeze<T>(value: T): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.isFrozen(value) ||
    value instanceof Map ||
    value instanceof Date
  )
    return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
