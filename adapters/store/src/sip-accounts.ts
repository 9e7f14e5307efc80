import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

// ---------------------------------------------------------------------------------------------------
// Credentials (digest HA1 only, never the password)
// ---------------------------------------------------------------------------------------------------

/**
 * A tenant's SIP domain and digest realm: its slug under the installation's SIP domain
 * (`demo` + `pbx.example.com` -> `demo.pbx.example.com`). Phones register to it; the registrar finds the
 * tenant from it.
 */
export function sipRealm(tenantSlug: string, sipDomain: string): string {
  return `${tenantSlug}.${sipDomain}`.toLowerCase();
}

/** Digest HA1 values of a SIP password (RFC 7616 §3.4.2, RFC 8760), computed by the caller. */
export interface DigestHa1 {
  /** The user part the HA1 values were computed over (the user's extension for users). */
  readonly username: string;
  readonly realm: string;
  /** Lower-case hex MD5 of `username:realm:password`. */
  readonly ha1Md5: string;
  /** Lower-case hex SHA-256 of `username:realm:password`. */
  readonly ha1Sha256: string;
}

/** A user's SIP account as the registrar needs it. */
export interface SipAccount extends DigestHa1 {
  readonly userId: string;
}

/**
 * Sets a user's SIP credentials. The username must be the user's current extension: a user without one
 * cannot register a phone (`STORE_INVALID_STATE`, field `extension`).
 */
export async function setSipCredentials(tx: Tx, userId: string, ha1: DigestHa1): Promise<void> {
  const user = (
    await tx.query<{ extension: string | null }>('SELECT extension FROM users WHERE id = $1', [userId])
  ).rows[0];
  if (!user) throw new StoreError('STORE_NOT_FOUND', 'no such user');
  if (user.extension === null || user.extension !== ha1.username) {
    throw new StoreError(
      'STORE_INVALID_STATE',
      'the user needs an extension (the SIP username) before a SIP password can be set',
      'extension',
    );
  }
  await tx.query(
    `INSERT INTO sip_credentials (tenant_id, user_id, username, realm, ha1_md5, ha1_sha256)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5)
     ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, realm = excluded.realm,
       ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256`,
    [userId, ha1.username, ha1.realm, ha1.ha1Md5, ha1.ha1Sha256],
  );
}

/** Removes a user's SIP credentials and registrations: their phones can no longer register. */
export async function deleteSipCredentials(tx: Tx, userId: string): Promise<void> {
  await tx.query('DELETE FROM sip_bindings WHERE user_id = $1', [userId]);
  const result = await tx.query('DELETE FROM sip_credentials WHERE user_id = $1', [userId]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'this user has no SIP password');
}

/** True when the user has SIP credentials. */
export async function hasSipCredentials(tx: Tx, userId: string): Promise<boolean> {
  const result = await tx.query('SELECT 1 FROM sip_credentials WHERE user_id = $1', [userId]);
  return result.rows.length > 0;
}

/**
 * The enabled user whose extension is `username`, with credentials computed over that extension and
 * `realm`; undefined otherwise (unknown user, disabled, extension changed, realm changed).
 */
export async function findSipAccount(
  tx: Tx,
  username: string,
  realm: string,
): Promise<SipAccount | undefined> {
  const result = await tx.query<SipAccount>(
    `SELECT c.user_id AS "userId", c.username, c.realm, c.ha1_md5 AS "ha1Md5", c.ha1_sha256 AS "ha1Sha256"
     FROM sip_credentials c JOIN users u ON u.id = c.user_id
     WHERE c.username = $1 AND c.realm = $2 AND u.extension = c.username AND NOT u.is_disabled`,
    [username, realm],
  );
  return result.rows[0];
}

// ---------------------------------------------------------------------------------------------------
// Registration bindings (RFC 3261 §10)
// ---------------------------------------------------------------------------------------------------

/** The transports a binding can have been registered over. */
export type BindingTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** One registered contact of a user's phone. */
export interface SipBinding {
  readonly id: string;
  readonly userId: string;
  readonly contactUri: string;
  /** Where the REGISTER came from: calls to a phone behind NAT go there. */
  readonly transport: BindingTransport;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string;
  readonly registeredAt: Date;
  readonly expiresAt: Date;
  /** RFC 5626: the phone's `+sip.instance` (unquoted) when it registered this flow with outbound; else null. */
  readonly instanceId: string | null;
  /** RFC 5626: the flow's reg-id, with `instanceId`; else null. */
  readonly regId: number | null;
  /** RFC 3327: the proxies the REGISTER came through (its Path values, topmost first); empty when direct. */
  readonly path: readonly string[];
}

/** A binding to add or refresh. */
export interface BindingInput {
  readonly userId: string;
  readonly contactUri: string;
  readonly transport: BindingTransport;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string;
  readonly expiresAt: Date;
  /** RFC 5626: a flow binding is keyed by instance and reg-id (both or neither) instead of its Contact URI. */
  readonly flow?: { readonly instanceId: string; readonly regId: number } | undefined;
  /** RFC 3327: the REGISTER's Path values, topmost first (none when the phone registered directly). */
  readonly path?: readonly string[] | undefined;
}

const bindingColumns = `id, user_id AS "userId", contact_uri AS "contactUri", transport,
  source_address AS "sourceAddress", source_port AS "sourcePort", call_id AS "callId", cseq::float8 AS cseq,
  user_agent AS "userAgent", registered_at AS "registeredAt", expires_at AS "expiresAt",
  instance_id AS "instanceId", reg_id AS "regId", path`;

/** A user's bindings that have not expired at `now`, soonest to expire last. */
export async function listBindings(tx: Tx, userId: string, now: Date): Promise<SipBinding[]> {
  const result = await tx.query<SipBinding>(
    `SELECT ${bindingColumns} FROM sip_bindings WHERE user_id = $1 AND expires_at > $2
     ORDER BY expires_at DESC, contact_uri`,
    [userId, now],
  );
  return result.rows;
}

/**
 * Adds a binding, or refreshes the user's binding with the same contact URI; a flow binding (RFC 5626 §6)
 * refreshes or replaces the one of the same instance and reg-id, Contact URI included, and counts as newly
 * registered (the call layer rings an instance's most recently registered flow).
 */
export async function saveBinding(tx: Tx, input: BindingInput): Promise<void> {
  const conflict =
    input.flow === undefined
      ? 'ON CONFLICT (user_id, contact_uri) WHERE reg_id IS NULL'
      : 'ON CONFLICT (user_id, instance_id, reg_id) WHERE reg_id IS NOT NULL';
  await tx.query(
    `INSERT INTO sip_bindings (tenant_id, user_id, contact_uri, transport, source_address, source_port, call_id,
       cseq, user_agent, expires_at, instance_id, reg_id, path)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ${conflict} DO UPDATE SET contact_uri = excluded.contact_uri, transport = excluded.transport,
       source_address = excluded.source_address, source_port = excluded.source_port, call_id = excluded.call_id,
       cseq = excluded.cseq, user_agent = excluded.user_agent, expires_at = excluded.expires_at, path = excluded.path,
       registered_at = CASE WHEN excluded.reg_id IS NULL THEN sip_bindings.registered_at ELSE now() END`,
    [
      input.userId,
      input.contactUri,
      input.transport,
      input.sourceAddress,
      input.sourcePort,
      input.callId,
      input.cseq,
      input.userAgent.slice(0, 512),
      input.expiresAt,
      input.flow?.instanceId ?? null,
      input.flow?.regId ?? null,
      input.path ?? [],
    ],
  );
}

/** Removes one plain binding of a user (Expires: 0 for that contact); flow bindings go by `removeFlowBinding`. */
export async function removeBinding(tx: Tx, userId: string, contactUri: string): Promise<void> {
  await tx.query('DELETE FROM sip_bindings WHERE user_id = $1 AND contact_uri = $2 AND reg_id IS NULL', [
    userId,
    contactUri,
  ]);
}

/** Removes the binding of one flow of a phone (RFC 5626 §6: Expires 0 with that instance and reg-id). */
export async function removeFlowBinding(
  tx: Tx,
  userId: string,
  flow: { readonly instanceId: string; readonly regId: number },
): Promise<void> {
  await tx.query('DELETE FROM sip_bindings WHERE user_id = $1 AND instance_id = $2 AND reg_id = $3', [
    userId,
    flow.instanceId,
    flow.regId,
  ]);
}

/** Removes every binding of a user (`Contact: *` with Expires: 0). */
export async function removeAllBindings(tx: Tx, userId: string): Promise<void> {
  await tx.query('DELETE FROM sip_bindings WHERE user_id = $1', [userId]);
}

/** Deletes bindings expired at `now` in every tenant (system transaction); returns how many. */
export async function sweepExpiredBindings(tx: Tx, now: Date): Promise<number> {
  const result = await tx.query('DELETE FROM sip_bindings WHERE expires_at <= $1', [now]);
  return result.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------------
// Trunks
// ---------------------------------------------------------------------------------------------------

/** The transports an outbound trunk can use. */
export type TrunkTransport = 'udp' | 'tcp' | 'tls';

/**
 * Where and how calls leave through a trunk. The secret is write-only: only whether one is set shows. A null
 * port or transport is left to DNS: the host is located with RFC 3263 (NAPTR, SRV, then A/AAAA).
 */
export interface TrunkOutbound {
  readonly host: string;
  readonly port: number | null;
  readonly transport: TrunkTransport | null;
  readonly username: string | null;
  readonly hasSecret: boolean;
}

/** A carrier connection of a tenant, as the API shows it (never a secret or an HA1). */
export interface SipTrunk {
  readonly id: string;
  readonly name: string;
  /** Addresses and networks (CIDR) whose calls the trunk accepts without a challenge. */
  readonly inboundAddresses: readonly string[];
  /** The digest username the carrier authenticates with, when it does. */
  readonly inboundUsername: string | null;
  readonly outbound: TrunkOutbound | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Outbound settings to write; `secret` undefined keeps the stored one, null clears it. */
export interface TrunkOutboundInput {
  readonly host: string;
  readonly port?: number | null | undefined;
  readonly transport?: TrunkTransport | null | undefined;
  readonly username?: string | null | undefined;
  readonly secret?: string | null | undefined;
}

/** A trunk to create. */
export interface NewTrunk {
  readonly name: string;
  readonly inboundAddresses?: readonly string[] | undefined;
  /** Inbound digest credentials as HA1 values (null: none). */
  readonly inboundCredentials?: DigestHa1 | null | undefined;
  readonly outbound?: TrunkOutboundInput | null | undefined;
}

/** Changes to a trunk; undefined keeps a field. */
export type TrunkChanges = Partial<NewTrunk>;

interface TrunkRow {
  id: string;
  name: string;
  inboundAddresses: string[];
  inboundUsername: string | null;
  outboundHost: string | null;
  outboundPort: number | null;
  outboundTransport: TrunkTransport | null;
  outboundUsername: string | null;
  hasSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const trunkColumns = `id, name, inbound_addresses::text[] AS "inboundAddresses", inbound_username AS "inboundUsername",
  outbound_host AS "outboundHost", outbound_port AS "outboundPort", outbound_transport AS "outboundTransport",
  outbound_username AS "outboundUsername", outbound_secret IS NOT NULL AS "hasSecret",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function trunkOf(row: TrunkRow): SipTrunk {
  return {
    id: row.id,
    name: row.name,
    inboundAddresses: row.inboundAddresses,
    inboundUsername: row.inboundUsername,
    outbound:
      row.outboundHost === null
        ? null
        : {
            host: row.outboundHost,
            port: row.outboundPort,
            transport: row.outboundTransport,
            username: row.outboundUsername,
            hasSecret: row.hasSecret,
          },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function withNameConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFLICT')
      throw new StoreError('STORE_CONFLICT', 'a trunk with this name already exists', 'name');
    throw error;
  }
}

/** The tenant's trunks, by name. */
export async function listTrunks(tx: Tx): Promise<SipTrunk[]> {
  return (
    await tx.query<TrunkRow>(`SELECT ${trunkColumns} FROM sip_trunks ORDER BY lower(name), id`)
  ).rows.map(trunkOf);
}

/** One trunk. */
export async function getTrunk(tx: Tx, id: string): Promise<SipTrunk> {
  const row = (await tx.query<TrunkRow>(`SELECT ${trunkColumns} FROM sip_trunks WHERE id = $1`, [id]))
    .rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such trunk');
  return trunkOf(row);
}

/** Creates a trunk. */
export async function createTrunk(tx: Tx, input: NewTrunk): Promise<SipTrunk> {
  const inserted = await withNameConflict(() =>
    tx.query<{ id: string }>(
      `INSERT INTO sip_trunks (tenant_id, name, inbound_addresses) VALUES (app_current_tenant(), $1, $2::cidr[])
       RETURNING id`,
      [input.name, input.inboundAddresses ?? []],
    ),
  );
  const id = first(inserted.rows).id;
  await updateTrunk(tx, id, { inboundCredentials: input.inboundCredentials, outbound: input.outbound });
  return getTrunk(tx, id);
}

/** Changes a trunk; the outbound secret is kept unless a new one (or null) is given. */
export async function updateTrunk(tx: Tx, id: string, changes: TrunkChanges): Promise<SipTrunk> {
  await getTrunk(tx, id);
  if (changes.name !== undefined || changes.inboundAddresses !== undefined) {
    await withNameConflict(() =>
      tx.query(
        `UPDATE sip_trunks SET name = coalesce($2, name), inbound_addresses = coalesce($3::cidr[], inbound_addresses)
         WHERE id = $1`,
        [id, changes.name ?? null, changes.inboundAddresses ?? null],
      ),
    );
  }
  if (changes.inboundCredentials !== undefined) {
    const credentials = changes.inboundCredentials;
    await tx.query(
      `UPDATE sip_trunks SET inbound_username = $2, inbound_realm = $3, inbound_ha1_md5 = $4, inbound_ha1_sha256 = $5
       WHERE id = $1`,
      [
        id,
        credentials?.username ?? null,
        credentials?.realm ?? null,
        credentials?.ha1Md5 ?? null,
        credentials?.ha1Sha256 ?? null,
      ],
    );
  }
  if (changes.outbound !== undefined) {
    const outbound = changes.outbound;
    await tx.query(
      `UPDATE sip_trunks SET outbound_host = $2, outbound_port = $3, outbound_transport = $4,
         outbound_username = $5,
         outbound_secret = CASE WHEN $6::boolean THEN $7 ELSE outbound_secret END
       WHERE id = $1`,
      [
        id,
        outbound?.host ?? null,
        outbound?.port ?? null,
        outbound?.transport ?? null,
        outbound?.username ?? null,
        // No outbound at all clears the secret; otherwise undefined keeps it.
        outbound === null || outbound.secret !== undefined,
        outbound === null ? null : (outbound.secret ?? null),
      ],
    );
  }
  return getTrunk(tx, id);
}

/** Deletes a trunk. */
export async function deleteTrunk(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM sip_trunks WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such trunk');
}

/** A trunk whose carrier authenticates its calls with digest: its id and HA1 values (never shown by the API). */
export interface TrunkInboundCredentials extends DigestHa1 {
  readonly trunkId: string;
  readonly trunkName: string;
}

/** The current tenant's trunk that authenticates inbound calls as `username`, if any. */
export async function trunkByInboundUsername(
  tx: Tx,
  username: string,
): Promise<TrunkInboundCredentials | undefined> {
  const result = await tx.query<TrunkInboundCredentials>(
    `SELECT id AS "trunkId", name AS "trunkName", inbound_username AS username, inbound_realm AS realm,
            inbound_ha1_md5 AS "ha1Md5", inbound_ha1_sha256 AS "ha1Sha256"
       FROM sip_trunks WHERE inbound_username = $1 ORDER BY id LIMIT 1`,
    [username],
  );
  return result.rows[0];
}

// ---------------------------------------------------------------------------------------------------
// DIDs
// ---------------------------------------------------------------------------------------------------

/** A number callers dial, and the flow that answers it. */
export interface Did {
  readonly id: string;
  /** E.164, e.g. +34910000000. */
  readonly number: string;
  readonly flowKey: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A DID to create. */
export interface NewDid {
  readonly number: string;
  readonly flowKey: string;
  readonly description?: string | undefined;
}

/** Where a number leads, across tenants (what the SIP service asks when a call arrives). */
export interface DidRoute {
  readonly tenantId: string;
  readonly number: string;
  readonly flowKey: string;
}

const didColumns = `id, number, flow_key AS "flowKey", description, created_at AS "createdAt", updated_at AS "updatedAt"`;

async function translateDidErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFLICT')
      throw new StoreError('STORE_CONFLICT', 'this number is already in use', 'number');
    if (error instanceof StoreError && error.code === 'STORE_REFERENCE_NOT_FOUND')
      throw new StoreError('STORE_REFERENCE_NOT_FOUND', 'no flow with this key', 'flowKey');
    throw error;
  }
}

/** The tenant's DIDs, by number. */
export async function listDids(tx: Tx): Promise<Did[]> {
  return (await tx.query<Did>(`SELECT ${didColumns} FROM dids ORDER BY number`)).rows;
}

/** One DID. */
export async function getDid(tx: Tx, id: string): Promise<Did> {
  const row = (await tx.query<Did>(`SELECT ${didColumns} FROM dids WHERE id = $1`, [id])).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such number');
  return row;
}

/** Maps a number to a flow of this tenant; `STORE_CONFLICT` (field `number`) when any tenant has it. */
export async function createDid(tx: Tx, input: NewDid): Promise<Did> {
  const result = await translateDidErrors(() =>
    tx.query<Did>(
      `INSERT INTO dids (tenant_id, number, flow_key, description) VALUES (app_current_tenant(), $1, $2, $3)
       RETURNING ${didColumns}`,
      [input.number, input.flowKey, input.description ?? ''],
    ),
  );
  return first(result.rows);
}

/** Changes a DID; undefined keeps a field. */
export async function updateDid(tx: Tx, id: string, changes: Partial<NewDid>): Promise<Did> {
  const result = await translateDidErrors(() =>
    tx.query<Did>(
      `UPDATE dids SET number = coalesce($2, number), flow_key = coalesce($3, flow_key),
         description = coalesce($4, description)
       WHERE id = $1 RETURNING ${didColumns}`,
      [id, changes.number ?? null, changes.flowKey ?? null, changes.description ?? null],
    ),
  );
  const row = result.rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such number');
  return row;
}

/** Deletes a DID. */
export async function deleteDid(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM dids WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such number');
}

/** A dialled number's route with its tenant's configuration version (`TenantConfigurationCache.at`). */
export interface DidRouteAndVersion extends DidRoute {
  readonly configurationVersion: string;
}

/**
 * Where the first of `numbers` that is a DID leads (the same digits may be dialled with or without `+`),
 * with its tenant's configuration version: one query for what an arriving call needs first.
 */
export async function findFirstDidRoute(
  tx: Tx,
  numbers: readonly string[],
): Promise<DidRouteAndVersion | undefined> {
  const result = await tx.query<DidRouteAndVersion>(
    `SELECT d.tenant_id AS "tenantId", d.number, d.flow_key AS "flowKey",
            t.configuration_version::text AS "configurationVersion"
       FROM dids d JOIN tenants t ON t.id = d.tenant_id
      WHERE d.number = ANY ($1::text[])
      ORDER BY array_position($1::text[], d.number) LIMIT 1`,
    [numbers],
  );
  return result.rows[0];
}

/** The tenant and flow of one number (`findFirstDidRoute` with a single candidate). */
export async function findDidRoute(tx: Tx, number: string): Promise<DidRoute | undefined> {
  const route = await findFirstDidRoute(tx, [number]);
  return route && { tenantId: route.tenantId, number: route.number, flowKey: route.flowKey };
}

/** What the call layer needs to send calls out through a trunk: where, and the credentials to answer its challenge. */
export interface TrunkDialling {
  readonly trunkId: string;
  readonly host: string;
  /** Null: located by DNS (RFC 3263). */
  readonly port: number | null;
  readonly transport: TrunkTransport | null;
  readonly username: string | null;
  /** The stored secret (never shown by the API): the carrier's digest challenges are answered with it. */
  readonly secret: string | null;
}

/** The tenant's first trunk with outbound settings (by name), with its secret; undefined when none has them. */
export async function outboundTrunk(tx: Tx): Promise<TrunkDialling | undefined> {
  const result = await tx.query<TrunkDialling>(
    `SELECT id AS "trunkId", outbound_host AS host, outbound_port AS port, outbound_transport AS transport,
            outbound_username AS username, outbound_secret AS secret
     FROM sip_trunks WHERE outbound_host IS NOT NULL ORDER BY lower(name), id LIMIT 1`,
  );
  return result.rows[0];
}

/** The enabled user with this extension, if any. */
export async function userIdByExtension(tx: Tx, extension: string): Promise<string | undefined> {
  const result = await tx.query<{ id: string }>(
    'SELECT id FROM users WHERE extension = $1 AND NOT is_disabled',
    [extension],
  );
  return result.rows[0]?.id;
}
