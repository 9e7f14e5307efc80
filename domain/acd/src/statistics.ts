import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { AgentActivity } from './agent-activity.ts';
import { occupancySoFar } from './agent-pool.ts';
import type { Presence } from './agent-presence.ts';
import type { Channel } from './channel.ts';
import type { ContactStage } from './contact-stage.ts';
import { averageHandleTimeMs, estimateWaitMs } from './estimated-wait.ts';
import type { AgentRecord, AgentStatus, RoutingState } from './routing-state.ts';
import { agentStatuses } from './routing-state.ts';

/** Agents of a queue in one headline state. */
export interface StatusCount {
  readonly count: number;
  /** The longest time any of them has been in this state, ms. */
  readonly longestInStatusMs: number;
}

/** Real-time figures for one queue: what a wallboard shows. Rates are undefined until there is data. */
export interface QueueStatistics {
  readonly queueId: QueueId;
  /** Callers waiting on the line. */
  readonly waiting: number;
  /** Callbacks keeping their place in line. */
  readonly waitingCallbacks: number;
  /** How long the longest-waiting contact has been in this queue, ms (0 when nobody waits). */
  readonly longestWaitMs: number;
  /** Agents who can serve the queue, by headline state. */
  readonly agents: Readonly<Record<AgentStatus, StatusCount>>;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly overflowed: number;
  readonly callbacksRequested: number;
  readonly calledBack: number;
  /** Answered within the threshold / (answered + abandoned), today. */
  readonly serviceLevel: number | undefined;
  readonly serviceLevelTarget: number;
  readonly serviceLevelThresholdMs: number;
  /** Average wait of answered contacts today, ms. */
  readonly averageSpeedOfAnswerMs: number | undefined;
  /** Abandoned / (answered + abandoned), today. */
  readonly abandonmentRate: number | undefined;
  /** Talk + wrap-up per handled contact today (the configured default before the first one), ms. */
  readonly averageHandleTimeMs: number;
  /** Estimated wait for a caller joining now, ms; undefined when no agent is ready. */
  readonly estimatedWaitMs: number | undefined;
}

/** One contact an agent is working on, as seen from outside. */
export interface AgentWorkView {
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly activity: AgentActivity;
  readonly sinceMs: number;
}

/** Real-time figures for one agent. */
export interface AgentStatistics {
  readonly agentId: AgentId;
  readonly presence: Presence;
  readonly status: AgentStatus;
  readonly timeInStatusMs: number;
  readonly work: readonly AgentWorkView[];
  readonly contactsHandled: number;
  readonly talkTimeMs: number;
  readonly wrapUpTimeMs: number;
  readonly missedOffers: number;
  readonly declinedOffers: number;
  /** Busy time / (busy + idle) today; breaks and offline time are left out. */
  readonly occupancy: number;
  /** Time in each headline state today, ms, including the current one up to now. */
  readonly timeByStatusMs: Readonly<Record<AgentStatus, number>>;
}

/** One contact being routed, as seen from outside. */
export interface ContactView {
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly stage: ContactStage;
  readonly priority: number;
  readonly seniorityFromMs: number;
  readonly queuedAtMs: number;
  readonly isCallback: boolean;
  /** Agents ringing for, reserved by or connected to it. */
  readonly agentIds: readonly AgentId[];
}

function ratio(numerator: number, denominator: number): number | undefined {
  return denominator > 0 ? numerator / denominator : undefined;
}

/** Real-time statistics for a queue, at `nowMs` (default: the time of the last event). */
export function queueStatistics(
  state: RoutingState,
  queueId: QueueId,
  nowMs: number = state.nowMs,
): QueueStatistics | undefined {
  const queue = state.queues.get(queueId);
  if (queue === undefined) return undefined;
  let waitingCallbacks = 0;
  for (const contact of queue.waiting) if (contact.isCallback) waitingCallbacks += 1;
  const oldest = queue.waitingByEntry.first();

  const members = new Set<AgentRecord>();
  for (const pool of queue.basePools.values()) for (const agent of pool.members) members.add(agent);
  const counts = Object.fromEntries(
    agentStatuses.map((s) => [s, { count: 0, longestInStatusMs: 0 }]),
  ) as Record<AgentStatus, { count: number; longestInStatusMs: number }>;
  for (const agent of members) {
    const entry = counts[agent.status];
    entry.count += 1;
    entry.longestInStatusMs = Math.max(entry.longestInStatusMs, nowMs - agent.statusSinceMs);
  }

  const t = queue.today;
  const finished = t.answered + t.abandoned;
  const channel = queue.config.channels[0];
  const basePool = channel === undefined ? undefined : queue.basePools.get(channel);
  return {
    queueId,
    waiting: queue.waiting.size - waitingCallbacks,
    waitingCallbacks,
    longestWaitMs: oldest === undefined ? 0 : nowMs - oldest.queuedAtMs,
    agents: counts,
    offered: t.offered,
    answered: t.answered,
    abandoned: t.abandoned,
    overflowed: t.overflowed,
    callbacksRequested: t.callbacksRequested,
    calledBack: t.calledBack,
    serviceLevel: ratio(t.answeredWithinThreshold, finished),
    serviceLevelTarget: queue.config.serviceLevel.target,
    serviceLevelThresholdMs: queue.config.serviceLevel.thresholdMs,
    averageSpeedOfAnswerMs: ratio(t.answerWaitTotalMs, t.answered),
    abandonmentRate: ratio(t.abandoned, finished),
    averageHandleTimeMs: averageHandleTimeMs(queue),
    estimatedWaitMs:
      basePool === undefined ? undefined : estimateWaitMs(queue, basePool, queue.waiting.size + 1),
  };
}

/**
 * Estimated wait for a contact that would join the queue now on `channel` (what the IVR reads out):
 * undefined when the queue is unknown, does not serve the channel, or nobody is ready.
 */
export function estimatedWaitTime(
  state: RoutingState,
  queueId: QueueId,
  channel: Channel,
): number | undefined {
  const queue = state.queues.get(queueId);
  const pool = queue?.basePools.get(channel);
  if (queue === undefined || pool === undefined) return undefined;
  return estimateWaitMs(queue, pool, queue.waiting.size + 1);
}

/** Real-time statistics for an agent, at `nowMs` (default: the time of the last event). */
export function agentStatistics(
  state: RoutingState,
  agentId: AgentId,
  nowMs: number = state.nowMs,
): AgentStatistics | undefined {
  const agent = state.agents.get(agentId);
  if (agent === undefined) return undefined;
  const current = nowMs - Math.max(agent.statusSinceMs, agent.today.countedFromMs);
  const timeByStatusMs = { ...agent.today.timeByStatusMs };
  timeByStatusMs[agent.status] += Math.max(0, current);
  return {
    agentId,
    presence: agent.presence,
    status: agent.status,
    timeInStatusMs: nowMs - agent.statusSinceMs,
    work: [...agent.work.values()].map((item) => ({
      contactId: item.contactId,
      queueId: item.queue.id,
      channel: item.channel,
      activity: item.activity,
      sinceMs: item.sinceMs,
    })),
    contactsHandled: agent.today.contactsHandled,
    talkTimeMs: agent.today.talkTimeMs,
    wrapUpTimeMs: agent.today.wrapUpTimeMs,
    missedOffers: agent.today.missedOffers,
    declinedOffers: agent.today.declinedOffers,
    occupancy: occupancySoFar(agent, nowMs),
    timeByStatusMs,
  };
}

/** A contact being routed, or undefined when unknown or finished. */
export function contactView(state: RoutingState, contactId: InteractionId): ContactView | undefined {
  const contact = state.contacts.get(contactId);
  if (contact === undefined) return undefined;
  return {
    contactId,
    queueId: contact.queue.id,
    channel: contact.channel,
    stage: contact.stage,
    priority: contact.priority,
    seniorityFromMs: contact.seniorityFromMs,
    queuedAtMs: contact.queuedAtMs,
    isCallback: contact.isCallback,
    agentIds: contact.assignedAgents.map((agent) => agent.id),
  };
}

/** The agents who meet a queue's own requirements on any channel it serves, in configuration order. */
export function queueAgentIds(state: RoutingState, queueId: QueueId): AgentId[] {
  const queue = state.queues.get(queueId);
  if (queue === undefined) return [];
  const members = new Set<AgentRecord>();
  for (const pool of queue.basePools.values()) for (const agent of pool.members) members.add(agent);
  return [...members].sort((a, b) => a.ordinal - b.ordinal).map((agent) => agent.id);
}
