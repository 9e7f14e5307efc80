import { parseRoutingConfig } from '@centralita/acd';
import type { RoutingConfig, RoutingConfigInput } from '@centralita/acd';
import { directory, tenants, users } from '@centralita/store';
import type { Tx } from '@centralita/store';
import { queueAcdSettings } from './queue-acd-settings.ts';

/** Break reasons a tenant gets until it configures its own (`settings.breakReasons`). */
export const defaultBreakReasons = ['lunch', 'coffee', 'training', 'meeting', 'coaching'] as const;

/** Stands in for the queues of a tenant that has none yet (the engine needs one); never shown. */
export const placeholderQueueId = 'no-queues-yet';

/** A tenant's routing configuration, with the display names of its queues and staff. */
export interface TenantConfiguration {
  readonly config: RoutingConfig;
  readonly names: Map<string, string>;
  readonly breakReasons: readonly string[];
}

/**
 * The tenant's queues, skills and staff as a validated routing configuration (what the live routing engine
 * runs, and what the demo's history was simulated with), with display names.
 */
export async function readTenantRouting(tx: Tx): Promise<TenantConfiguration> {
  const tenant = await tenants.currentTenant(tx);
  // Every queue and every enabled user, page by page: a large center has thousands of agents.
  const queues = await everyPage((offset) => directory.listQueues(tx, { limit: 200, offset }));
  const staff = await everyPage((offset) => users.listUsers(tx, { limit: 200, offset, isDisabled: false }));
  const configured = tenant.settings.breakReasons;
  const reasons =
    Array.isArray(configured) && configured.every((r) => typeof r === 'string') && configured.length > 0
      ? configured
      : [...defaultBreakReasons];
  const queueIds = new Set(queues.map((queue) => queue.id));
  const input: RoutingConfigInput = {
    breakReasons: reasons,
    queues: queues.map((queue) => ({
      ...queueAcdSettings(queue.settings, queueIds),
      id: queue.id,
      name: queue.name,
      requiredSkills: queue.skills.map((skill) => ({ skill: skill.skillId, minLevel: skill.minLevel })),
      serviceLevel: {
        thresholdMs: queue.serviceLevelThresholdS * 1_000,
        target: Math.min(1, Math.max(0.01, queue.serviceLevelTargetPct / 100)),
      },
    })),
    agents: staff
      .filter((user) => user.skills.length > 0 && (user.role === 'agent' || user.role === 'team_lead'))
      .map((user) => ({
        id: user.id,
        name: user.displayName,
        skills: Object.fromEntries(user.skills.map((skill) => [skill.skillId, skill.level])),
        languages: [...user.languages],
      })),
  };
  const names = new Map<string, string>([
    ...queues.map((q): [string, string] => [q.id, q.name]),
    ...staff.map((u): [string, string] => [u.id, u.displayName]),
  ]);
  const parsed = parseRoutingConfig(
    input.queues.length === 0 ? { ...input, queues: [{ id: placeholderQueueId }] } : input,
  );
  if (!parsed.ok)
    throw new Error(
      `the tenant's routing configuration is invalid: ${parsed.error.map((e) => `${e.field ?? ''} ${e.message}`).join('; ')}`,
    );
  return { config: parsed.value, names, breakReasons: reasons };
}

/** All rows of a paged listing, fetching pages of 200 until a short one. */
async function everyPage<T>(
  page: (offset: number) => Promise<{ readonly items: readonly T[] }>,
): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += 200) {
    const { items } = await page(offset);
    rows.push(...items);
    if (items.length < 200) return rows;
  }
}
