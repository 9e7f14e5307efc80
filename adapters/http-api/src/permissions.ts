import type { Role } from '@centralita/store';

/**
 * What a route demands. `public`: anyone; `authenticated`: any signed-in user or API key; the rest are
 * permissions granted to roles below. docs/security.md shows the same matrix, and a test keeps both and the
 * running server in step.
 */
export const permissions = [
  'tenant:read',
  'tenant:manage',
  'users:read',
  'users:manage',
  'teams:manage',
  'queues:read',
  'queues:manage',
  'customers:read',
  'customers:write',
  'customers:delete',
  'interactions:read',
  'interactions:write',
  'tickets:read',
  'tickets:write',
  'ticket-statuses:manage',
  'api-keys:manage',
  'audit:read',
  'events:subscribe',
  'flows:read',
  'flows:manage',
  'agents:monitor',
  'agents:manage',
  'queues:monitor',
  'telephony:read',
  'telephony:manage',
  'calls:control',
  'calls:monitor',
  'reports:read',
  'reports:read-own',
  'billing:read',
  'kb:read',
  'kb:manage',
  'scripts:manage',
] as const;
export type Permission = (typeof permissions)[number];
export type RouteAccess = Permission | 'public' | 'authenticated';

const everyone: readonly Role[] = ['admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst'];
const contactHandlers: readonly Role[] = ['admin', 'manager', 'team_lead', 'agent'];
const supervisors: readonly Role[] = ['admin', 'manager', 'team_lead'];

/** Which roles hold each permission. */
export const grantedRoles: Readonly<Record<Permission, readonly Role[]>> = {
  'tenant:read': everyone,
  'tenant:manage': ['admin'],
  'users:read': [...supervisors, 'trainer', 'analyst'],
  'users:manage': ['admin'],
  'teams:manage': ['admin', 'manager'],
  'queues:read': everyone,
  'queues:manage': ['admin', 'manager'],
  'customers:read': everyone,
  'customers:write': contactHandlers,
  'customers:delete': ['admin', 'manager'],
  'interactions:read': everyone,
  'interactions:write': contactHandlers,
  'tickets:read': everyone,
  'tickets:write': contactHandlers,
  'ticket-statuses:manage': ['admin'],
  'api-keys:manage': ['admin'],
  'audit:read': ['admin', 'manager'],
  'events:subscribe': everyone,
  // Team leads, trainers and analysts read the IVR (what callers hear, where they go) and may run the
  // flow tester; agents do not see configuration. Changing what callers hear is for admins and managers.
  'flows:read': [...supervisors, 'trainer', 'analyst'],
  'flows:manage': ['admin', 'manager'],
  'agents:monitor': supervisors,
  'agents:manage': supervisors,
  'queues:monitor': [...supervisors, 'trainer', 'analyst'],
  // Supervisors see whose phone is registered and which numbers and trunks exist (never a secret);
  // trunks and numbers decide where calls go, so only admins and managers change them.
  'telephony:read': supervisors,
  'telephony:manage': ['admin', 'manager'],
  // Agents control their own calls; supervisors any call of the tenant (the route checks which).
  'calls:control': contactHandlers,
  // Listening to, whispering in and taking over other people's calls is for those who lead agents.
  'calls:monitor': supervisors,
  // Reports of the whole tenant are for those who lead, coach or analyse; every user sees their own
  // figures as an agent (/api/reports/me/…, where the agent is always the caller). What clients are
  // charged is for admins, managers and analysts.
  'reports:read': [...supervisors, 'trainer', 'analyst'],
  'reports:read-own': everyone,
  'billing:read': ['admin', 'manager', 'analyst'],
  // Everyone reads the knowledge base; those who train and lead the center write it.
  'kb:read': everyone,
  'kb:manage': ['admin', 'manager', 'trainer'],
  // What agents say on each queue's calls is set by those who train and lead them.
  'scripts:manage': ['admin', 'manager', 'trainer'],
};

/** True when `role` may use a route demanding `access`. */
export function isAllowed(role: Role, access: RouteAccess): boolean {
  if (access === 'public' || access === 'authenticated') return true;
  return grantedRoles[access].includes(role);
}

/** Every permission a role holds (the web app hides what the user cannot do). */
export function permissionsOf(role: Role): Permission[] {
  return permissions.filter((permission) => grantedRoles[permission].includes(role));
}
