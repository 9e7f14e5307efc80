import { normalizeChannelAddress, normalizePhoneNumber } from '@centralita/crm';
import type { IdentityKind } from '@centralita/crm';
import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage, orderBy } from './paging.ts';
import { StoreError } from './store-error.ts';
import { currentTenant, first } from './tenants.ts';

/** One address that identifies a customer on a channel, stored normalised. */
export interface CustomerIdentity {
  readonly id: string;
  readonly kind: IdentityKind;
  readonly address: string;
  readonly label: string;
  readonly isPrimary: boolean;
}

/** A customer of a tenant with every address that identifies them. */
export interface Customer {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly company: string;
  readonly language: 'es' | 'en';
  readonly tags: readonly string[];
  readonly customFields: Record<string, unknown>;
  readonly isVerified: boolean;
  readonly isVip: boolean;
  readonly notes: string;
  readonly identities: readonly CustomerIdentity[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A customer's first and last name in SQL (null when both are empty), of the customers row aliased `c`. */
export const customerNameSql = `nullif(trim(c.first_name || ' ' || c.last_name), '')`;

const customerColumns = `c.id, c.first_name AS "firstName", c.last_name AS "lastName",
  ${customerNameSql} AS "displayName", c.company, c.language, c.tags,
  c.custom_fields AS "customFields", c.is_verified AS "isVerified", c.is_vip AS "isVip", c.notes,
  coalesce((SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'address', i.address, 'label', i.label,
                                              'isPrimary', i.is_primary) ORDER BY i.is_primary DESC, i.created_at, i.id)
            FROM customer_identities i WHERE i.customer_id = c.id), '[]'::json) AS identities,
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export interface IdentityInput {
  readonly kind: IdentityKind;
  readonly address: string;
  readonly label?: string | undefined;
  readonly isPrimary?: boolean | undefined;
}

export interface CustomerInput {
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly company?: string | undefined;
  readonly language?: 'es' | 'en' | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly customFields?: Record<string, unknown> | undefined;
  readonly isVerified?: boolean | undefined;
  readonly isVip?: boolean | undefined;
  readonly notes?: string | undefined;
}

function normalizeIdentity(input: IdentityInput, defaultCountry: string, field: string): IdentityInput {
  const normalized = normalizeChannelAddress(input.kind, input.address, defaultCountry, field);
  if (!normalized.ok)
    throw new StoreError('STORE_INVALID_INPUT', normalized.error.message, normalized.error.field);
  return { ...input, address: normalized.value };
}

/** A customer row as selected: the display name is null when the customer has no name yet. */
type CustomerRow = Omit<Customer, 'displayName'> & { readonly displayName: string | null };

/** An unnamed customer (an unknown caller) is shown by their first address. */
function withDisplayName(row: CustomerRow): Customer {
  return { ...row, displayName: row.displayName ?? row.identities[0]?.address ?? '' };
}

export async function getCustomer(tx: Tx, id: string): Promise<Customer> {
  const row = (
    await tx.query<CustomerRow>(`SELECT ${customerColumns} FROM customers c WHERE c.id = $1`, [id])
  ).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such customer');
  return withDisplayName(row);
}

/** Creates a customer and their identities, normalising every address with the tenant's country. */
export async function createCustomer(
  tx: Tx,
  input: CustomerInput & { readonly identities?: readonly IdentityInput[] | undefined },
): Promise<Customer> {
  const tenant = await currentTenant(tx);
  const identities = (input.identities ?? []).map((identity, index) =>
    normalizeIdentity(identity, tenant.defaultCountry, `identities[${index}].address`),
  );
  const row = first(
    (
      await tx.query<{ id: string }>(
        `INSERT INTO customers (tenant_id, first_name, last_name, company, language, tags, custom_fields, is_verified, is_vip, notes)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          input.firstName ?? '',
          input.lastName ?? '',
          input.company ?? '',
          input.language ?? tenant.defaultLanguage,
          input.tags ?? [],
          JSON.stringify(input.customFields ?? {}),
          input.isVerified ?? true,
          input.isVip ?? false,
          input.notes ?? '',
        ],
      )
    ).rows,
  );
  const seen = new Set<string>();
  for (const [index, identity] of identities.entries()) {
    const key = `${identity.kind}:${identity.address}`;
    if (seen.has(key)) {
      throw new StoreError(
        'STORE_INVALID_INPUT',
        'the same address is listed twice',
        `identities[${index}].address`,
      );
    }
    seen.add(key);
    await insertIdentity(tx, row.id, identity, index === 0 || identity.isPrimary === true);
  }
  return getCustomer(tx, row.id);
}

async function insertIdentity(
  tx: Tx,
  customerId: string,
  identity: IdentityInput,
  isPrimary: boolean,
): Promise<string> {
  const result = await tx.query<{ id: string }>(
    `INSERT INTO customer_identities (tenant_id, customer_id, kind, address, label, is_primary)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING id`,
    [customerId, identity.kind, identity.address, identity.label ?? '', isPrimary],
  );
  return first(result.rows).id;
}

export async function updateCustomer(tx: Tx, id: string, changes: CustomerInput): Promise<Customer> {
  const result = await tx.query(
    `UPDATE customers SET first_name = coalesce($2, first_name), last_name = coalesce($3, last_name),
       company = coalesce($4, company), language = coalesce($5, language), tags = coalesce($6, tags),
       custom_fields = CASE WHEN $7::jsonb IS NULL THEN custom_fields ELSE custom_fields || $7::jsonb END,
       is_verified = coalesce($8, is_verified), is_vip = coalesce($9, is_vip), notes = coalesce($10, notes)
     WHERE id = $1`,
    [
      id,
      changes.firstName ?? null,
      changes.lastName ?? null,
      changes.company ?? null,
      changes.language ?? null,
      changes.tags ?? null,
      changes.customFields === undefined ? null : JSON.stringify(changes.customFields),
      changes.isVerified ?? null,
      changes.isVip ?? null,
      changes.notes ?? null,
    ],
  );
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such customer');
  return getCustomer(tx, id);
}

export async function deleteCustomer(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM customers WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such customer');
}

export async function addIdentity(tx: Tx, customerId: string, identity: IdentityInput): Promise<Customer> {
  const tenant = await currentTenant(tx);
  await getCustomer(tx, customerId);
  const normalized = normalizeIdentity(identity, tenant.defaultCountry, 'address');
  if (normalized.isPrimary === true) {
    await tx.query('UPDATE customer_identities SET is_primary = false WHERE customer_id = $1 AND kind = $2', [
      customerId,
      normalized.kind,
    ]);
  }
  await insertIdentity(tx, customerId, normalized, normalized.isPrimary === true);
  return getCustomer(tx, customerId);
}

export async function removeIdentity(tx: Tx, customerId: string, identityId: string): Promise<Customer> {
  const result = await tx.query('DELETE FROM customer_identities WHERE id = $1 AND customer_id = $2', [
    identityId,
    customerId,
  ]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such identity on this customer');
  return getCustomer(tx, customerId);
}

export interface CustomerQuery extends PageRequest {
  /** Free text: a name, company, e-mail address, or a phone number in any format. */
  readonly search?: string | undefined;
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly tag?: string | undefined;
  readonly isVip?: boolean | undefined;
}

/** Lists customers; phone numbers are matched whatever way they are written. */
export async function listCustomers(tx: Tx, query: CustomerQuery): Promise<Page<Customer>> {
  const tenant = await currentTenant(tx);
  const conditions = new Conditions();
  if (query.phone !== undefined) {
    const phone = normalizePhoneNumber(query.phone, tenant.defaultCountry, 'phone');
    if (!phone.ok) throw new StoreError('STORE_INVALID_INPUT', phone.error.message, 'phone');
    conditions.add(
      `EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.kind IN ('phone', 'whatsapp') AND i.address = $?)`,
      phone.value,
    );
  }
  if (query.email !== undefined) {
    conditions.add(
      `EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.kind = 'email' AND i.address = lower(trim($?)))`,
      query.email,
    );
  }
  if (query.tag !== undefined) conditions.add('$? = ANY (c.tags)', query.tag);
  if (query.isVip !== undefined) conditions.add('c.is_vip = $?', query.isVip);
  if (query.search !== undefined && query.search.trim() !== '') {
    const search = query.search.trim();
    const text = conditions.next(escapeLike(search));
    const alternatives = [
      `c.search_text LIKE '%' || app_fold(${text}) || '%'`,
      `EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.address LIKE '%' || lower(${text}) || '%')`,
    ];
    const phone = normalizePhoneNumber(search, tenant.defaultCountry);
    if (phone.ok) {
      alternatives.push(
        `EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.address = ${conditions.next(phone.value)})`,
      );
    }
    // Part of a number ("345 678") matches the digits of stored numbers, whatever spaces were typed.
    const digits = search.replace(/\D/g, '').replace(/^0+/, '');
    if (/^[-+0-9 ()./]+$/.test(search) && digits.length >= 4) {
      alternatives.push(
        `EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.kind IN ('phone', 'whatsapp') AND i.address LIKE '%' || ${conditions.next(digits)} || '%')`,
      );
    }
    conditions.addRaw(`(${alternatives.join(' OR ')})`);
  }
  const order = orderBy(
    query.sort,
    {
      lastName: 'c.last_name',
      firstName: 'c.first_name',
      company: 'c.company',
      createdAt: 'c.created_at',
      updatedAt: 'c.updated_at',
    },
    'lastName',
    'c.id',
  );
  return fetchPage<CustomerRow, Customer>(
    tx,
    { select: customerColumns, from: `customers c`, order },
    conditions,
    query,
    withDisplayName,
  );
}

/** Escapes LIKE's wildcards so that a search for "50%" looks for those characters. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/** The customer an address identifies, if any. */
export async function findCustomerIdByAddress(
  tx: Tx,
  kind: IdentityKind,
  address: string,
): Promise<string | undefined> {
  const kinds = kind === 'phone' || kind === 'whatsapp' ? ['phone', 'whatsapp'] : [kind];
  const result = await tx.query<{ customerId: string }>(
    `SELECT customer_id AS "customerId" FROM customer_identities WHERE kind = ANY ($1) AND address = $2
     ORDER BY (kind = $3) DESC, created_at LIMIT 1`,
    [kinds, address, kind],
  );
  return result.rows[0]?.customerId;
}
