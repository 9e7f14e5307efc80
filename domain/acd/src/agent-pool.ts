import type { Channel } from './channel.ts';
import { OrderedSet } from './ordered-set.ts';
import type { SkillRequirement } from './routing-config.ts';
import type {
  AgentEntry,
  AgentPool,
  AgentRecord,
  ContactRecord,
  QueueRecord,
  RequirementSet,
  RoutingState,
} from './routing-state.ts';
import { compareContactsForService, rankInQueue } from './routing-state.ts';

/** How many contacts of a channel the agent can hold at once (0 when the channel is not theirs). */
export function capacityOf(agent: AgentRecord, channel: Channel): number {
  return agent.config.capacity[channel] ?? 0;
}

/** Whether the agent can take one more contact of this channel right now. */
export function isAvailableOn(agent: AgentRecord, channel: Channel): boolean {
  return agent.presence.kind === 'available' && agent.load[channel] < capacityOf(agent, channel);
}

/**
 * Whether nobody who could serve the pool's contacts is there, as its queue's `noAgentsMeans` reads it:
 * nobody signed in (agents on a break count as there), or nobody available.
 */
export function hasNoAgents(pool: AgentPool): boolean {
  return pool.owner.config.noAgentsMeans === 'nobody-available'
    ? pool.readyCount === 0
    : pool.loggedInCount === 0;
}

function meetsSet(agent: AgentRecord, set: RequirementSet): boolean {
  if (set.language !== undefined && !agent.languages.has(set.language)) return false;
  for (const requirement of set.skills) {
    if ((agent.skills.get(requirement.skill) ?? 0) < requirement.minLevel) return false;
  }
  return true;
}

function signature(sets: readonly RequirementSet[]): string {
  const parts = sets.map((set) => {
    const skills = set.skills
      .map((r) => `${r.skill}>=${r.minLevel}`)
      .sort()
      .join(',');
    return `${skills}@${set.language ?? ''}`;
  });
  return [...new Set(parts)].sort().join(';');
}

/**
 * The contact's pool: its queue's base pool for the channel when nothing about the contact differs from
 * the queue (the common case, and free), else the pool for its own requirements, built on first use.
 */
export function poolForContact(
  state: RoutingState,
  contact: Parameters<typeof requirementsForContact>[0] & { readonly channel: Channel },
): AgentPool {
  const isPlain =
    contact.extraSkills.length === 0 &&
    contact.language === undefined &&
    contact.relaxLevelsBy === 0 &&
    contact.addedQueues.length === 0;
  const base = isPlain ? contact.queue.basePools.get(contact.channel) : undefined;
  return base ?? ensurePool(state, contact.queue, contact.channel, requirementsForContact(contact));
}

/**
 * The requirement sets a contact's agents must meet: its queue's skills plus its own, lowered by the
 * levels escalation has relaxed, in its language (the contact's, else the queue's); or, once escalation
 * has added other queues' agents, any of those queues' own requirements.
 */
export function requirementsForContact(contact: {
  readonly queue: QueueRecord;
  readonly extraSkills: readonly SkillRequirement[];
  readonly language: string | undefined;
  readonly relaxLevelsBy: number;
  readonly addedQueues: readonly QueueRecord[];
}): RequirementSet[] {
  const minLevels = new Map<string, number>();
  for (const r of [...contact.queue.config.requiredSkills, ...contact.extraSkills]) {
    minLevels.set(r.skill, Math.max(minLevels.get(r.skill) ?? 1, r.minLevel));
  }
  const skills = [...minLevels].map(([skill, minLevel]) => ({
    skill,
    minLevel: Math.max(1, minLevel - contact.relaxLevelsBy),
  }));
  return [
    { skills, language: contact.language ?? contact.queue.config.language },
    ...contact.addedQueues.map((q) => ({ skills: q.config.requiredSkills, language: q.config.language })),
  ];
}

function compareEntries(a: AgentEntry, b: AgentEntry): number {
  return a.k1 - b.k1 || a.k2 - b.k2 || a.k3 - b.k3 || a.agent.ordinal - b.agent.ordinal;
}

/** Share of today's working time spent on contacts (reserved, ringing, talking, wrapping up). */
export function occupancySoFar(agent: AgentRecord, nowMs: number): number {
  const t = agent.today.timeByStatusMs;
  const current = nowMs - Math.max(agent.statusSinceMs, agent.today.countedFromMs);
  const add = (status: string): number => (agent.status === status ? current : 0);
  const busy =
    t.reserved +
    t.ringing +
    t['on-contact'] +
    t['wrap-up'] +
    add('reserved') +
    add('ringing') +
    add('on-contact') +
    add('wrap-up');
  const working = busy + t.idle + add('idle');
  return working > 0 ? busy / working : 0;
}

/**
 * The strategy's sort key for an available agent (smallest first); ties fall to configuration order.
 * Keys only change when the agent's work changes, which is exactly when entries are rebuilt.
 */
function strategyKey(pool: AgentPool, agent: AgentRecord, nowMs: number): [number, number, number] {
  const strategy = pool.owner.config.strategy;
  switch (strategy.type) {
    case 'longest-idle':
      return [agent.lastFreedAtMs, 0, 0];
    case 'least-occupied':
      return [
        agent.load[pool.channel] / capacityOf(agent, pool.channel),
        occupancySoFar(agent, nowMs),
        agent.lastFreedAtMs,
      ];
    case 'least-talk-time':
      return [agent.today.talkTimeMs, agent.lastFreedAtMs, 0];
    case 'fewest-contacts':
      return [agent.today.contactsHandled, agent.lastFreedAtMs, 0];
    case 'round-robin':
    case 'fixed-order':
      return [rankInQueue(pool.owner, agent), 0, 0];
    case 'ring-all':
    case 'random':
    case 'weighted-random':
      return [0, 0, 0];
    case 'best-skill': {
      let score = 0;
      for (const r of pool.owner.config.requiredSkills) score += agent.skills.get(r.skill) ?? 0;
      return [-score, agent.lastFreedAtMs, 0];
    }
  }
}

/** Rebuilds the agent's entries in every pool it belongs to: out where busy, in (re-keyed) where free. */
export function refreshAgentEntries(agent: AgentRecord, nowMs: number): void {
  for (const pool of agent.pools) {
    const old = agent.entries.get(pool);
    if (old !== undefined) {
      pool.available.delete(old);
      agent.entries.delete(pool);
    }
    if (isAvailableOn(agent, pool.channel)) {
      const [k1, k2, k3] = strategyKey(pool, agent, nowMs);
      const entry: AgentEntry = { agent, k1, k2, k3, weight: agent.config.weight };
      pool.available.insert(entry);
      agent.entries.set(pool, entry);
    }
  }
}

/**
 * The pool for a queue, channel and requirements, built on first use. Building looks only at agents who
 * have the rarest required skill (or at everyone when no skill is required); afterwards the pool is kept
 * up to date incrementally as agents change, so routing never scans agents again.
 */
export function ensurePool(
  state: RoutingState,
  owner: QueueRecord,
  channel: Channel,
  requirements: readonly RequirementSet[],
): AgentPool {
  const key = `${owner.id}|${channel}|${signature(requirements)}`;
  const existing = state.pools.get(key);
  if (existing !== undefined) return existing;
  const pool: AgentPool = {
    key,
    owner,
    channel,
    requirements,
    members: [],
    available: new OrderedSet(compareEntries, (entry) => entry.weight),
    waiting: new OrderedSet<ContactRecord>(compareContactsForService),
    loggedInCount: 0,
    readyCount: 0,
    lastOfferedRank: -1,
  };
  state.pools.set(key, pool);

  const candidates = new Set<AgentRecord>();
  for (const set of requirements) {
    let narrowest: readonly AgentRecord[] = state.agentList;
    for (const r of set.skills) {
      const holders = state.agentsBySkill.get(r.skill) ?? [];
      if (holders.length < narrowest.length) narrowest = holders;
    }
    for (const agent of narrowest) candidates.add(agent);
  }
  const members = [...candidates]
    .filter((agent) => capacityOf(agent, channel) > 0 && requirements.some((set) => meetsSet(agent, set)))
    .sort((a, b) => a.ordinal - b.ordinal);
  for (const agent of members) {
    pool.members.push(agent);
    agent.pools.push(pool);
    if (agent.presence.kind !== 'offline') pool.loggedInCount += 1;
    if (agent.presence.kind === 'available') pool.readyCount += 1;
  }
  for (const agent of members) refreshAgentEntries(agent, state.nowMs);
  return pool;
}

/**
 * A pool nobody is a member of, outside the state's pools, for the contacts of a queue `reconfigure` finds
 * deleted: the unanswered ones leave it at once, the others (connected, a callback being placed) only finish.
 * Nothing is ever routed from it.
 */
export function poolWithoutAgents(owner: QueueRecord, channel: Channel): AgentPool {
  return {
    key: `${owner.id}|${channel}|deleted`,
    owner,
    channel,
    requirements: [],
    members: [],
    available: new OrderedSet(compareEntries, (entry) => entry.weight),
    waiting: new OrderedSet<ContactRecord>(compareContactsForService),
    loggedInCount: 0,
    readyCount: 0,
    lastOfferedRank: -1,
  };
}
