import type { MessageKey } from '../i18n/catalog.ts';
import type { Tenant } from './api-types.ts';

/** Where the navigation groups a screen. */
export type RouteSection = 'work' | 'admin' | 'hidden';

/** A screen of the app: its path pattern, what it needs, and how the navigation names it. */
export interface RouteDefinition {
  readonly id: string;
  readonly pattern: string;
  /** Every permission the role needs to use the screen (the API would refuse it otherwise). */
  readonly requires: readonly string[];
  readonly section: RouteSection;
  readonly label: MessageKey;
  /** A tenant setting that must be switched on for the screen to exist (the leaderboard). */
  readonly tenantSwitch?: 'leaderboard';
}

/** Every screen, in navigation order. */
export const routeDefinitions: readonly RouteDefinition[] = [
  {
    id: 'customers',
    pattern: '/customers',
    requires: ['customers:read'],
    section: 'work',
    label: 'nav.customers',
  },
  {
    id: 'identify',
    pattern: '/identify',
    requires: ['customers:write'],
    section: 'work',
    label: 'nav.identify',
  },
  {
    id: 'myDay',
    pattern: '/my-day',
    requires: ['tickets:read', 'interactions:read'],
    section: 'work',
    label: 'nav.myDay',
  },
  {
    id: 'wallboard',
    pattern: '/wallboard',
    requires: ['queues:monitor'],
    section: 'work',
    label: 'nav.wallboard',
  },
  {
    id: 'knowledge',
    pattern: '/knowledge',
    requires: ['kb:read'],
    section: 'work',
    label: 'nav.knowledge',
  },
  {
    id: 'reports',
    pattern: '/reports',
    requires: ['reports:read'],
    section: 'work',
    label: 'nav.reports',
  },
  {
    id: 'commercial',
    pattern: '/reports/commercial',
    requires: ['reports:read'],
    section: 'work',
    label: 'nav.commercial',
  },
  {
    id: 'leaderboard',
    pattern: '/leaderboard',
    requires: ['reports:read-own'],
    section: 'work',
    label: 'nav.leaderboard',
    tenantSwitch: 'leaderboard',
  },
  {
    id: 'customer',
    pattern: '/customers/:id',
    requires: ['customers:read'],
    section: 'hidden',
    label: 'nav.customers',
  },
  {
    id: 'ticket',
    pattern: '/tickets/:id',
    requires: ['tickets:read'],
    section: 'hidden',
    label: 'nav.customers',
  },
  { id: 'users', pattern: '/admin/users', requires: ['users:read'], section: 'admin', label: 'nav.users' },
  {
    id: 'queues',
    pattern: '/admin/queues',
    requires: ['queues:manage'],
    section: 'admin',
    label: 'nav.queues',
  },
  { id: 'flows', pattern: '/admin/flows', requires: ['flows:read'], section: 'admin', label: 'nav.flows' },
  {
    id: 'flow',
    pattern: '/admin/flows/:key',
    requires: ['flows:read'],
    section: 'hidden',
    label: 'nav.flows',
  },
  { id: 'teams', pattern: '/admin/teams', requires: ['users:read'], section: 'admin', label: 'nav.teams' },
  {
    id: 'dispositions',
    pattern: '/admin/dispositions',
    requires: ['queues:manage'],
    section: 'admin',
    label: 'nav.dispositions',
  },
  {
    id: 'hours',
    pattern: '/admin/hours',
    requires: ['flows:manage'],
    section: 'admin',
    label: 'nav.hours',
  },
  {
    id: 'scripts',
    pattern: '/admin/scripts',
    requires: ['scripts:manage', 'queues:read'],
    section: 'admin',
    label: 'nav.scripts',
  },
  {
    id: 'telephony',
    pattern: '/admin/telephony',
    requires: ['telephony:read'],
    section: 'admin',
    label: 'nav.telephony',
  },
  {
    id: 'tenant',
    pattern: '/admin/tenant',
    requires: ['tenant:manage'],
    section: 'admin',
    label: 'nav.tenant',
  },
];

/** Whether a role with these permissions may use the screen. */
export function isRouteAllowed(
  route: RouteDefinition,
  permissions: ReadonlySet<string>,
  tenant: Tenant | null,
): boolean {
  if (route.tenantSwitch !== undefined && tenant?.settings[route.tenantSwitch]?.enabled !== true)
    return false;
  return route.requires.every((permission) => permissions.has(permission));
}
