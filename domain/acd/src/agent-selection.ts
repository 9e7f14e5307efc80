import type { DecisionContext } from './decision-context.ts';
import type { AgentEntry, AgentRecord, ContactRecord } from './routing-state.ts';

/**
 * Whether the agent must be skipped for this contact now: they recently declined or missed it, or they
 * still hold it (wrapping up after transferring it back into a queue).
 */
export function isExcluded(contact: ContactRecord, agent: AgentRecord, nowMs: number): boolean {
  const until = contact.excludedUntil.get(agent);
  return (until !== undefined && until > nowMs) || agent.work.has(contact.id);
}

/** Walks the available set in order from `start` (wrapping), returning the first agent not excluded. */
function firstEligibleFrom(
  ctx: DecisionContext,
  contact: ContactRecord,
  entries: { at(i: number): AgentEntry | undefined; readonly size: number },
  start: number,
): AgentRecord | undefined {
  for (let step = 0; step < entries.size; step++) {
    const entry = entries.at((start + step) % entries.size);
    if (entry !== undefined && !isExcluded(contact, entry.agent, ctx.nowMs)) return entry.agent;
  }
  return undefined;
}

/**
 * The agent(s) the contact's queue strategy picks from the contact's pool, without looking at agents who
 * are not available: the pool keeps them ordered by the strategy's key, so a pick is O(log n) (plus one
 * step per recently-declined agent skipped). Ring-all returns every available agent.
 */
export function pickAgents(ctx: DecisionContext, contact: ContactRecord): AgentRecord[] {
  const pool = contact.pool;
  const available = pool.available;
  if (available.size === 0) return [];
  const strategy = pool.owner.config.strategy;
  let picked: AgentRecord | undefined;
  switch (strategy.type) {
    case 'ring-all': {
      const all: AgentRecord[] = [];
      for (const entry of available) if (!isExcluded(contact, entry.agent, ctx.nowMs)) all.push(entry.agent);
      return all;
    }
    case 'random':
      picked = firstEligibleFrom(
        ctx,
        contact,
        available,
        Math.floor(ctx.state.random.next() * available.size),
      );
      break;
    case 'weighted-random': {
      const entry = available.atWeight(ctx.state.random.next() * available.totalWeight);
      const rank = entry === undefined ? 0 : available.rankOf(entry);
      picked = firstEligibleFrom(ctx, contact, available, Math.max(0, rank));
      break;
    }
    case 'round-robin': {
      // Memory: continue after the agent offered last, wrapping to the start of the order.
      const next = available.firstWhere((entry) => entry.k1 > pool.lastOfferedRank);
      const start = next === undefined ? 0 : available.rankOf(next);
      picked = firstEligibleFrom(ctx, contact, available, start);
      break;
    }
    case 'longest-idle':
    case 'least-occupied':
    case 'least-talk-time':
    case 'fewest-contacts':
    case 'fixed-order':
    case 'best-skill':
      picked = firstEligibleFrom(ctx, contact, available, 0);
      break;
  }
  return picked === undefined ? [] : [picked];
}
