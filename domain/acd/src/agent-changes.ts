import type { ActivityTrigger } from './agent-activity.ts';
import { nextAgentActivity } from './agent-activity.ts';
import type { Presence, PresenceTrigger } from './agent-presence.ts';
import { nextAgentPresence } from './agent-presence.ts';
import { hasNoAgents, refreshAgentEntries } from './agent-pool.ts';
import type { DecisionContext } from './decision-context.ts';
import { acdError } from './errors.ts';
import type { ChangeCause } from './facts.ts';
import type { IllegalTransition } from './illegal-transition.ts';
import type { AgentRecord, AgentStatus, WorkItem } from './routing-state.ts';

const activityRank = { idle: 0, 'wrap-up': 1, reserved: 2, ringing: 3, 'on-contact': 4 } as const;

function headlineStatus(agent: AgentRecord): AgentStatus {
  let best: WorkItem | undefined = undefined;
  for (const item of agent.work.values()) {
    if (best === undefined || activityRank[item.activity] > activityRank[best.activity]) best = item;
  }
  if (agent.engagements.size > 0 && (best === undefined || best.activity !== 'on-contact'))
    return 'on-contact';
  if (best !== undefined && best.activity !== 'idle') return best.activity;
  switch (agent.presence.kind) {
    case 'available':
      return 'idle';
    case 'break':
      return 'break';
    case 'offline':
      return 'offline';
  }
}

/** Re-derives the headline status, charging the time spent in the previous one to today's counters. */
function updateStatus(ctx: DecisionContext, agent: AgentRecord): void {
  const status = headlineStatus(agent);
  if (status === agent.status) return;
  const since = Math.max(agent.statusSinceMs, agent.today.countedFromMs);
  agent.today.timeByStatusMs[agent.status] += Math.max(0, ctx.nowMs - since);
  agent.status = status;
  agent.statusSinceMs = ctx.nowMs;
}

function recordDefect(ctx: DecisionContext, illegal: IllegalTransition): void {
  ctx.defect ??= acdError(
    'ACD_ILLEGAL_TRANSITION',
    `${illegal.machine}: no transition from "${illegal.from}" on "${illegal.trigger}"`,
  );
}

/**
 * Moves an agent's presence through `nextAgentPresence`, records the change with its cause, keeps the
 * pools' logged-in and ready counts and the agent's availability entries in step, and notes the pools the
 * agent leaves with nobody (`ctx.emptiedPools`). Returns false (and records a defect) when the transition
 * does not exist.
 */
export function changePresence(
  ctx: DecisionContext,
  agent: AgentRecord,
  trigger: PresenceTrigger,
  cause: ChangeCause,
): boolean {
  const next = nextAgentPresence(agent.presence, trigger);
  if (!next.ok) {
    recordDefect(ctx, next.error);
    return false;
  }
  const from: Presence = agent.presence;
  const to = next.value;
  const wasLoggedIn = from.kind !== 'offline';
  const isLoggedIn = to.kind !== 'offline';
  const wasReady = from.kind === 'available';
  const isReady = to.kind === 'available';
  const isLeaving = (wasLoggedIn && !isLoggedIn) || (wasReady && !isReady);
  for (const pool of agent.pools) {
    pool.loggedInCount += Number(isLoggedIn) - Number(wasLoggedIn);
    pool.readyCount += Number(isReady) - Number(wasReady);
    if (isLeaving && hasNoAgents(pool)) ctx.emptiedPools.add(pool);
  }
  agent.presence = to;
  agent.presenceSinceMs = ctx.nowMs;
  if (isReady && !wasReady) {
    agent.consecutiveMissedOffers = 0;
    if (agent.work.size === 0) agent.lastFreedAtMs = ctx.nowMs;
  }
  ctx.facts.push({ type: 'AgentPresenceChanged', agentId: agent.id, from, to, cause, atMs: ctx.nowMs });
  updateStatus(ctx, agent);
  refreshAgentEntries(agent, ctx.nowMs);
  return true;
}

/**
 * Moves one work item's activity through `nextAgentActivity` and records it with its cause. A work item
 * that returns to idle is removed and frees its capacity slot. Keeps load, status and availability
 * entries in step. Returns false (and records a defect) when the transition does not exist.
 */
export function changeActivity(
  ctx: DecisionContext,
  agent: AgentRecord,
  item: WorkItem,
  trigger: ActivityTrigger,
  cause: ChangeCause,
): boolean {
  const next = nextAgentActivity(item.activity, trigger);
  if (!next.ok) {
    recordDefect(ctx, next.error);
    return false;
  }
  const from = item.activity;
  item.activity = next.value;
  item.sinceMs = ctx.nowMs;
  ctx.facts.push({
    type: 'AgentActivityChanged',
    agentId: agent.id,
    contactId: item.contactId,
    from,
    to: item.activity,
    cause,
    atMs: ctx.nowMs,
  });
  if (item.activity === 'idle') {
    // The work on the contact is over (wrap-up ended, or it left the agent): so is a request for help.
    if (item.help?.kind === 'open') {
      ctx.facts.push({
        type: 'HelpWithdrawn',
        agentId: agent.id,
        interactionId: item.contactId,
        reason: 'work-ended',
        openMs: ctx.nowMs - item.help.requestedAtMs,
        atMs: ctx.nowMs,
      });
    }
    item.help = undefined;
    agent.work.delete(item.contactId);
    agent.load[item.channel] -= 1;
    agent.lastFreedAtMs = ctx.nowMs;
  }
  updateStatus(ctx, agent);
  refreshAgentEntries(agent, ctx.nowMs);
  return true;
}

/** Opens a new work item (a slot leaving idle) for the agent and moves it by `trigger` (offer or reserve). */
export function startWork(
  ctx: DecisionContext,
  agent: AgentRecord,
  item: Omit<WorkItem, 'activity' | 'sinceMs' | 'connectedAtMs' | 'talkMs' | 'wrapUpTimerId' | 'help'>,
  trigger: ActivityTrigger,
  cause: ChangeCause,
): WorkItem {
  const work: WorkItem = {
    ...item,
    activity: 'idle',
    sinceMs: ctx.nowMs,
    connectedAtMs: undefined,
    talkMs: 0,
    wrapUpTimerId: undefined,
    help: undefined,
  };
  agent.work.set(work.contactId, work);
  agent.load[work.channel] += 1;
  changeActivity(ctx, agent, work, trigger, cause);
  return work;
}

/** Restarts today's counters (StatisticsReset), charging time so far to the day that ends. */
export function resetAgentDay(agent: AgentRecord, nowMs: number): void {
  const t = agent.today;
  t.contactsHandled = 0;
  t.talkTimeMs = 0;
  t.wrapUpTimeMs = 0;
  t.missedOffers = 0;
  t.declinedOffers = 0;
  for (const key of Object.keys(t.timeByStatusMs) as AgentStatus[]) t.timeByStatusMs[key] = 0;
  t.countedFromMs = nowMs;
}

/**
 * The agent is busy with a contact outside the queues: it takes a slot of its channel (so no offer comes
 * while they have no other free slot) and shows them on a contact. False when already engaged with it.
 */
export function engageAgent(
  ctx: DecisionContext,
  agent: AgentRecord,
  contactId: WorkItem['contactId'],
  channel: WorkItem['channel'],
): boolean {
  if (agent.engagements.has(contactId)) return false;
  agent.engagements.set(contactId, channel);
  agent.load[channel] += 1;
  ctx.facts.push({
    type: 'AgentEngagementChanged',
    agentId: agent.id,
    contactId,
    isEngaged: true,
    atMs: ctx.nowMs,
  });
  updateStatus(ctx, agent);
  refreshAgentEntries(agent, ctx.nowMs);
  return true;
}

/** The contact outside the queues is over: its slot is free again. False when the agent was not engaged. */
export function disengageAgent(
  ctx: DecisionContext,
  agent: AgentRecord,
  contactId: WorkItem['contactId'],
): boolean {
  const channel = agent.engagements.get(contactId);
  if (channel === undefined) return false;
  agent.engagements.delete(contactId);
  agent.load[channel] -= 1;
  agent.lastFreedAtMs = ctx.nowMs;
  ctx.facts.push({
    type: 'AgentEngagementChanged',
    agentId: agent.id,
    contactId,
    isEngaged: false,
    atMs: ctx.nowMs,
  });
  updateStatus(ctx, agent);
  refreshAgentEntries(agent, ctx.nowMs);
  return true;
}
