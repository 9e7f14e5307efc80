import { normalizeChannelAddress } from '@centralita/crm';
import type { IdentityKind, ScreenPop, ScreenPopInteraction, ScreenPopTicket } from '@centralita/crm';
import type { Tx } from './database.ts';
import { createCustomer, findCustomerIdByAddress, getCustomer } from './customers.ts';
import { StoreError } from './store-error.ts';
import { currentTenant } from './tenants.ts';
import type { Tenant } from './tenants.ts';

/** How many past interactions the screen pop shows. */
const recentInteractionLimit = 10;

/**
 * Finds the customer an address belongs to, whatever its formatting, or creates a new customer flagged
 * unverified with that address; returns what the agent sees while the phone rings. `tenant`: the current
 * tenant's country and language when the caller already holds them (else they are read).
 */
export async function identifyCustomer(
  tx: Tx,
  kind: IdentityKind,
  rawAddress: string,
  tenant?: Pick<Tenant, 'defaultCountry' | 'defaultLanguage'>,
): Promise<ScreenPop> {
  tenant ??= await currentTenant(tx);
  const normalized = normalizeChannelAddress(kind, rawAddress, tenant.defaultCountry, 'address');
  if (!normalized.ok) throw new StoreError('STORE_INVALID_INPUT', normalized.error.message, 'address');
  // Two callers from one unknown number at the same moment must create one customer, not two.
  await tx.query('SELECT pg_advisory_xact_lock(hashtext(app_current_tenant()::text || $1))', [
    `${kind}:${normalized.value}`,
  ]);
  const existingId = await findCustomerIdByAddress(tx, kind, normalized.value);
  if (existingId !== undefined) {
    return { isNewCustomer: false, ...(await screenPopFor(tx, existingId)) };
  }
  const created = await createCustomer(tx, {
    isVerified: false,
    language: tenant.defaultLanguage,
    identities: [{ kind, address: normalized.value, label: '' }],
  });
  tx.recordEvent('CustomerCreated', {
    customerId: created.id,
    reason: 'identified',
    kind,
    address: normalized.value,
  });
  return { isNewCustomer: true, ...(await screenPopFor(tx, created.id)) };
}

/** The screen-pop data of a known customer. */
export async function screenPopFor(tx: Tx, customerId: string): Promise<Omit<ScreenPop, 'isNewCustomer'>> {
  const customer = await getCustomer(tx, customerId);
  const interactions = await tx.query<ScreenPopInteraction>(
    `SELECT x.id, x.channel, x.direction, x.status, x.started_at AS "startedAt", q.name AS "queueName",
            u.display_name AS "agentName", x.disposition, x.subject
     FROM interactions x LEFT JOIN queues q ON q.id = x.queue_id LEFT JOIN users u ON u.id = x.agent_id
     WHERE x.customer_id = $1 ORDER BY x.started_at DESC, x.id LIMIT $2`,
    [customerId, recentInteractionLimit],
  );
  const tickets = await tx.query<ScreenPopTicket>(
    `SELECT t.id, t.number::int AS number, t.subject, t.status, t.priority, t.due_at AS "dueAt"
     FROM tickets t JOIN ticket_statuses ts ON ts.tenant_id = t.tenant_id AND ts.code = t.status
     WHERE t.customer_id = $1 AND ts.category IN ('open', 'needs_follow_up') ORDER BY t.updated_at DESC, t.id`,
    [customerId],
  );
  return {
    customer: {
      id: customer.id,
      firstName: customer.firstName,
      lastName: customer.lastName,
      company: customer.company,
      language: customer.language,
      tags: customer.tags,
      isVip: customer.isVip,
      isVerified: customer.isVerified,
      identities: customer.identities.map((i) => ({ kind: i.kind, address: i.address, label: i.label })),
    },
    recentInteractions: interactions.rows.map((row) => ({
      ...row,
      startedAt: new Date(row.startedAt).toISOString(),
    })),
    openTickets: tickets.rows.map((row) => ({
      ...row,
      dueAt: row.dueAt === null ? null : new Date(row.dueAt).toISOString(),
    })),
  };
}
