import { isAvailableOn } from './agent-pool.ts';
import { isExcluded } from './agent-selection.ts';
import type { AgentRecord, ContactRecord } from './routing-state.ts';

/**
 * The contact a freed agent takes: across every pool the agent serves, the highest priority first, then
 * the longest effective wait, where effective wait = time since seniority × the queue's weight (so a
 * weight-2 queue's contacts count double). Only the head of each pool is looked at, because each pool
 * keeps its waiting contacts in service order; contacts that recently timed out on this agent are skipped.
 */
export function pickContactForAgent(agent: AgentRecord, nowMs: number): ContactRecord | undefined {
  if (agent.presence.kind !== 'available') return undefined;
  let best: ContactRecord | undefined = undefined;
  let bestEffectiveWait = 0;
  for (const pool of agent.pools) {
    if (pool.waiting.size === 0 || !isAvailableOn(agent, pool.channel)) continue;
    let head = pool.waiting.first();
    if (head !== undefined && isExcluded(head, agent, nowMs)) {
      head = undefined;
      for (const contact of pool.waiting) {
        if (!isExcluded(contact, agent, nowMs)) {
          head = contact;
          break;
        }
      }
    }
    if (head === undefined) continue;
    const effectiveWait = (nowMs - head.seniorityFromMs) * pool.owner.config.weight;
    const isBetter =
      best === undefined ||
      head.priority > best.priority ||
      (head.priority === best.priority &&
        (effectiveWait > bestEffectiveWait ||
          (effectiveWait === bestEffectiveWait && head.ordinal < best.ordinal)));
    if (isBetter) {
      best = head;
      bestEffectiveWait = effectiveWait;
    }
  }
  return best;
}
