import type { TenantId } from '@centralita/kernel';

/** The six roles of a tenant's staff. docs/security.md says what each may do. */
export const roles = ['admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst'] as const;
export type Role = (typeof roles)[number];

/** Who is acting: recorded on every write by the audit triggers. */
export type Actor =
  | { readonly type: 'user'; readonly id: string; readonly role: Role }
  | { readonly type: 'api_key'; readonly id: string; readonly role: Role }
  | { readonly type: 'system'; readonly id: string };

/** Everything a tenant-scoped unit of work needs to know about its caller. */
export interface TenantContext {
  readonly tenantId: TenantId;
  readonly actor: Actor;
  readonly requestId?: string;
}
