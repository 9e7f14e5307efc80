import { BlockList, isIPv4 } from 'node:net';
import type { Flow } from '@centralita/ivr';
import type { TenantContext } from './actor.ts';
import type { Database, Listening, Tx } from './database.ts';
import type { IvrSettings } from './flows.ts';
import { ivrSettings, publishedFlows, queueReferences } from './flows.ts';
import type { TrunkDialling } from './sip-accounts.ts';
import type { Tenant } from './tenants.ts';
import { currentTenant } from './tenants.ts';

/** A trunk that takes calls from some addresses without a challenge. */
export interface InboundTrunk {
  readonly id: string;
  /** The addresses and networks (CIDR) it accepts calls from. */
  readonly networks: BlockList;
}

/** What calls need of the tenant's SIP trunks. */
export interface TenantTrunks {
  /** The trunks with inbound addresses, in the order of their names. */
  readonly inbound: readonly InboundTrunk[];
  /** Whether any trunk authenticates its carrier's calls with digest. */
  readonly hasDigest: boolean;
  /** The first trunk (by name) with outbound settings: where outbound calls leave. */
  readonly outbound: TrunkDialling | undefined;
}

/**
 * What a new call reads before its flow starts: the tenant (its settings, time zone, country), its published
 * flows, IVR settings, queue names and trunks.
 */
export interface TenantConfiguration {
  readonly tenant: Tenant;
  /** The published version of every flow, parsed, by key. */
  readonly published: Readonly<Record<string, Flow>>;
  readonly ivrSettings: IvrSettings;
  /** Every way flows may name a queue, with the queue id it means (`queueReferences`). */
  readonly queueReferences: ReadonlyMap<string, string>;
  readonly trunks: TenantTrunks;
}

/** The ids of the tenant's trunks that take calls from `address` without a challenge, in name order. */
export function trunksAccepting(trunks: TenantTrunks, address: string): string[] {
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  return trunks.inbound.filter((trunk) => trunk.networks.check(address, family)).map((trunk) => trunk.id);
}

/** A tenant's configuration as kept, with what says whether `current` may answer it without a query. */
interface Entry {
  readonly version: string;
  readonly configuration: TenantConfiguration;
  /** Kept current by announcements: read while listening, with none for the tenant and no lost connection since. */
  readonly isKeptCurrent: boolean;
  /** The listening connection it was read under (`#listenings`). */
  readonly listening: number;
}

/** The channel on which a moved configuration version is announced (migration 0017). */
const CONFIGURATION_CHANNEL = 'centralita_configuration';

/**
 * Each tenant's `TenantConfiguration`, kept in memory with the tenant's configuration version (migrations
 * 0011 and 0014: triggers move it whenever the tenant's row, flows, flow versions, queues or trunks are
 * written, by any server of the installation). A read asks the database for the version only, one small
 * query (or none, when the caller already holds the version: `at`), and reads and parses everything again
 * when it has moved. A call therefore never runs a flow older than the last one published before it
 * arrived. A cache that `watch`es also hears each moved version announced (migration 0017), so `current`
 * needs no query at all while nothing was announced.
 */
export class TenantConfigurationCache {
  readonly #entries = new Map<string, Entry>();
  /** Announcements heard per tenant: a read that overlaps one cannot tell whether it saw the change. */
  readonly #announcements = new Map<string, number>();
  /** Whether announcements arrive now. */
  #isListening = false;
  /** Counts listening connections: a lost one loses the announcements sent while it was down. */
  #listenings = 0;

  /** Whether moved versions are heard now (`watch`): then `current` answers from memory. */
  get isListening(): boolean {
    return this.#isListening;
  }

  /**
   * Listens for moved configuration versions on a connection of its own (`Database.listen`), so that
   * `current` answers from memory while nothing moved. Close what it returns to stop.
   */
  watch(database: Database): Listening {
    return database.listen(CONFIGURATION_CHANNEL, {
      onNotification: (tenantId) => {
        this.#announcements.set(tenantId, (this.#announcements.get(tenantId) ?? 0) + 1);
        this.#entries.delete(tenantId);
      },
      onListening: (isListening) => {
        this.#isListening = isListening;
        this.#listenings += 1;
      },
    });
  }

  /**
   * The configuration kept for the tenant if it is the one of `version` (read together with something else,
   * such as the dialled number's tenant), else undefined: then `read` it.
   */
  at(tenantId: string, version: string): TenantConfiguration | undefined {
    const cached = this.#entries.get(tenantId);
    return cached?.version === version ? cached.configuration : undefined;
  }

  /**
   * The tenant's current configuration outside any transaction: one query without a transaction for the
   * version, and a tenant transaction to read everything only when it moved.
   */
  async current(database: Database, context: TenantContext): Promise<TenantConfiguration> {
    const cached = this.#entries.get(context.tenantId);
    if (cached?.isKeptCurrent === true && this.#isListening && cached.listening === this.#listenings)
      return cached.configuration;
    const row = await database.readAsSystem(
      async (tx) =>
        (
          await tx.query<{ version: string }>(
            'SELECT configuration_version::text AS version FROM tenants WHERE id = $1',
            [context.tenantId],
          )
        ).rows[0],
    );
    return (
      (row === undefined ? undefined : this.at(context.tenantId, row.version)) ??
      (await database.inTenant(context, (tx) => this.read(tx)))
    );
  }

  /** The tenant's configuration as of this transaction (a tenant transaction). */
  async read(tx: Tx): Promise<TenantConfiguration> {
    const tenantId = tx.tenantId;
    if (tenantId === undefined) throw new Error('a tenant configuration is read in a tenant transaction');
    // Taken before the version is asked for: an announcement heard from now on may be of a change this read
    // did not see.
    const isListening = this.#isListening;
    const listening = this.#listenings;
    const announcements = this.#announcements.get(tenantId) ?? 0;
    const entry = (version: string, configuration: TenantConfiguration): Entry => ({
      version,
      configuration,
      isKeptCurrent:
        isListening &&
        listening === this.#listenings &&
        announcements === (this.#announcements.get(tenantId) ?? 0),
      listening,
    });
    const row = (
      await tx.query<{ version: string }>(
        'SELECT configuration_version::text AS version FROM tenants WHERE id = app_current_tenant()',
      )
    ).rows[0];
    const version = row?.version ?? '';
    const cached = this.#entries.get(tenantId);
    if (cached?.version === version) {
      if (!cached.isKeptCurrent) this.#entries.set(tenantId, entry(version, cached.configuration));
      return cached.configuration;
    }
    const configuration: TenantConfiguration = deepFreeze({
      tenant: await currentTenant(tx),
      published: await publishedFlows(tx),
      ivrSettings: await ivrSettings(tx),
      queueReferences: await queueReferences(tx),
      trunks: await tenantTrunks(tx),
    });
    // Read in one transaction after the version: if a change committed in between, what was read is newer
    // than `version`, and the next call sees a newer version and reads again.
    this.#entries.set(tenantId, entry(version, configuration));
    return configuration;
  }
}

/** The current tenant's trunks, one query. */
async function tenantTrunks(tx: Tx): Promise<TenantTrunks> {
  const rows = (
    await tx.query<{
      id: string;
      inboundAddresses: string[];
      hasDigest: boolean;
      host: string | null;
      port: number | null;
      transport: TrunkDialling['transport'];
      username: string | null;
      secret: string | null;
    }>(
      `SELECT id, inbound_addresses::text[] AS "inboundAddresses", inbound_username IS NOT NULL AS "hasDigest",
              outbound_host AS host, outbound_port AS port, outbound_transport AS transport,
              outbound_username AS username, outbound_secret AS secret
         FROM sip_trunks ORDER BY lower(name), id`,
    )
  ).rows;
  const inbound: InboundTrunk[] = [];
  for (const row of rows) {
    if (row.inboundAddresses.length === 0) continue;
    const networks = new BlockList();
    for (const cidr of row.inboundAddresses) {
      // PostgreSQL writes a cidr as network/prefix.
      const [network = '', prefix = ''] = cidr.split('/');
      const family = isIPv4(network) ? 'ipv4' : 'ipv6';
      networks.addSubnet(network, Number(prefix === '' ? (family === 'ipv4' ? 32 : 128) : prefix), family);
    }
    inbound.push({ id: row.id, networks });
  }
  const out = rows.find((row) => row.host !== null);
  return {
    inbound,
    hasDigest: rows.some((row) => row.hasDigest),
    outbound:
      out?.host == null
        ? undefined
        : {
            trunkId: out.id,
            host: out.host,
            port: out.port,
            transport: out.transport,
            username: out.username,
            secret: out.secret,
          },
  };
}

/** Shared between calls: frozen, so no call can change another's configuration by accident. */
function deepFreeze<T>(value: T): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.isFrozen(value) ||
    value instanceof Map ||
    value instanceof Date ||
    value instanceof BlockList
  )
    return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
