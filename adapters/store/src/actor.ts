import type { TenantId } from '@centralita/kernel';

/** The six roles of a tenant's staff. docs/security.md says what each may do. */
export const roles = ['admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst'] as const;
export type Role = (typeof roles)[number];

/** Who is acting: recorded on every write by the audit triggers. */
export type Actor =
  | { readonly type: 'user'; readonly id: string; readonly role: Role }
  | { readonly type: 'api_key'; readonly id: string; readonly role: Role }
  | { readonly type: 'system'; readonly id: string };

/**
 * The call layer, as an actor. Its own inserts and updates of interactions are its calls' progress, recorded as
 * domain events; the audit log leaves them out (migration 0018), and keeps everyone else's changes.
 */
export const callLayerActor = { type: 'system', id: 'calls' } as const satisfies Actor;

/** Everything a tenant-scoped unit of work needs to know about its caller. */
export interface TenantContext {
  readonly tenantId: TenantId;
  readonly actor: Actor;
  readonly requestId?: string;
}
