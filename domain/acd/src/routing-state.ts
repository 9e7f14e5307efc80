import type { AgentId, InteractionId, QueueId, Random } from '@centralita/kernel';
import type { AgentActivity } from './agent-activity.ts';
import type { Presence } from './agent-presence.ts';
import type { Channel } from './channel.ts';
import type { ContactStage } from './contact-stage.ts';
import type { HelpRequest } from './help-request.ts';
import { ensurePool } from './agent-pool.ts';
import { OrderedSet } from './ordered-set.ts';
import type { AgentConfig, QueueConfig, RoutingConfig, SkillRequirement } from './routing-config.ts';

/** An agent's headline state for wallboards: presence when free, else the busiest activity. */
export type AgentStatus = 'offline' | 'break' | AgentActivity;

/** Every headline state, in wallboard order. */
export const agentStatuses: readonly AgentStatus[] = [
  'offline',
  'break',
  'idle',
  'reserved',
  'ringing',
  'on-contact',
  'wrap-up',
];

/** One contact an agent is working on: one slot of their capacity on that channel. */
export interface WorkItem {
  readonly contactId: InteractionId;
  readonly queue: QueueRecord;
  readonly channel: Channel;
  activity: AgentActivity;
  sinceMs: number;
  connectedAtMs: number | undefined;
  /** Talk time, known once the conversation ends (wrap-up adds to it for the handle time). */
  talkMs: number;
  wrapUpTimerId: string | undefined;
  /** The agent's request for a supervisor's help with this contact, if they made one. */
  help: HelpRequest | undefined;
}

/** Today's counters for an agent. */
export interface AgentCounters {
  contactsHandled: number;
  talkTimeMs: number;
  wrapUpTimeMs: number;
  missedOffers: number;
  declinedOffers: number;
  readonly timeByStatusMs: Record<AgentStatus, number>;
  countedFromMs: number;
}

/** An agent's place in one pool's ordered set of available agents; the key is frozen while inside. */
export interface AgentEntry {
  readonly agent: AgentRecord;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
  readonly weight: number;
}

/** The engine's record of one agent. */
export interface AgentRecord {
  readonly id: AgentId;
  readonly ordinal: number;
  readonly config: AgentConfig;
  readonly skills: ReadonlyMap<string, number>;
  readonly languages: ReadonlySet<string>;
  presence: Presence;
  presenceSinceMs: number;
  status: AgentStatus;
  statusSinceMs: number;
  readonly work: Map<InteractionId, WorkItem>;
  /** Contacts outside the queues that keep the agent busy (`AgentEngaged`), with their channel. */
  readonly engagements: Map<InteractionId, Channel>;
  readonly load: Record<Channel, number>;
  /** When the agent last became free (for longest-idle). */
  lastFreedAtMs: number;
  consecutiveMissedOffers: number;
  readonly today: AgentCounters;
  /** Pools this agent qualifies for, on any channel. */
  readonly pools: AgentPool[];
  /** The agent's current entry in each pool where it is available. */
  readonly entries: Map<AgentPool, AgentEntry>;
}

/** Today's counters for a queue. */
export interface QueueCounters {
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  abandonedWithinThreshold: number;
  overflowed: number;
  callbacksRequested: number;
  calledBack: number;
  answerWaitTotalMs: number;
  handled: number;
  handleTotalMs: number;
}

/** The engine's record of one queue. */
export interface QueueRecord {
  readonly id: QueueId;
  readonly ordinal: number;
  readonly config: QueueConfig;
  /** Waiting contacts (callers and callbacks) in service order: priority, then seniority. */
  readonly waiting: OrderedSet<ContactRecord>;
  /** Waiting contacts by time of entry into this queue, for the longest wait. */
  readonly waitingByEntry: OrderedSet<ContactRecord>;
  /** Rank of the agents listed in a fixed-order or round-robin `agentOrder` (see rankInQueue). */
  readonly agentRank: ReadonlyMap<AgentId, number>;
  /** The pool of agents meeting the queue's own requirements, per channel served. */
  readonly basePools: Map<Channel, AgentPool>;
  readonly today: QueueCounters;
}

/** A set of requirements an agent must all meet: skills at levels, and a language. */
export interface RequirementSet {
  readonly skills: readonly SkillRequirement[];
  readonly language: string | undefined;
}

/**
 * The agents that may take contacts of one queue on one channel under one set of requirements, with
 * the available ones ordered by the queue's strategy key, and the contacts waiting for them in service
 * order. A contact's pool changes when escalation relaxes or widens its requirements.
 */
export interface AgentPool {
  readonly key: string;
  readonly owner: QueueRecord;
  readonly channel: Channel;
  /** An agent qualifies when it meets any one of these sets. */
  readonly requirements: readonly RequirementSet[];
  readonly members: AgentRecord[];
  readonly available: OrderedSet<AgentEntry>;
  readonly waiting: OrderedSet<ContactRecord>;
  loggedInCount: number;
  readyCount: number;
  /** Round robin's memory: the rank of the agent offered last. */
  lastOfferedRank: number;
}

/** Timers the engine has asked for, by purpose. */
export type TimerPurpose =
  | { readonly kind: 'offer-timeout'; readonly contactId: InteractionId }
  | { readonly kind: 'wrap-up'; readonly agentId: AgentId; readonly contactId: InteractionId }
  | { readonly kind: 'max-wait'; readonly contactId: InteractionId }
  | { readonly kind: 'escalation'; readonly contactId: InteractionId }
  | { readonly kind: 'announcement'; readonly contactId: InteractionId }
  | { readonly kind: 'reoffer'; readonly contactId: InteractionId }
  | { readonly kind: 'callback-connect'; readonly contactId: InteractionId };

/** The timers a contact holds, so that they can be cancelled when it moves on. */
export interface ContactTimers {
  maxWait: string | undefined;
  escalation: string | undefined;
  announcement: string | undefined;
  offer: string | undefined;
  reoffer: string | undefined;
  callback: string | undefined;
}

/** The engine's record of one contact being routed. */
export interface ContactRecord {
  readonly id: InteractionId;
  readonly ordinal: number;
  readonly channel: Channel;
  queue: QueueRecord;
  stage: ContactStage;
  readonly customerPriority: number;
  escalationPriority: number;
  /** Queue priority + customer priority + escalation raises; higher is served first. */
  priority: number;
  readonly seniorityFromMs: number;
  queuedAtMs: number;
  readonly language: string | undefined;
  readonly extraSkills: readonly SkillRequirement[];
  relaxLevelsBy: number;
  addedQueues: QueueRecord[];
  pool: AgentPool;
  /** Agents ringing for, reserved by, or connected to this contact (more than one only for ring-all). */
  readonly assignedAgents: AgentRecord[];
  /** Agents who declined or missed it, and until when they are skipped. */
  readonly excludedUntil: Map<AgentRecord, number>;
  escalationStepsDone: number;
  readonly timers: ContactTimers;
  overflowHops: number;
  isCallback: boolean;
  answeredAtMs: number | undefined;
}

/**
 * Everything the engine knows. It is owned by the engine: `decide` updates it in place and returns it
 * (copying 5,000 agents per event would cost more than the decision itself), so a caller hands it to
 * `decide` and uses only what comes back. Same configuration, same events, same seed: same decisions.
 */
export interface RoutingState {
  readonly config: RoutingConfig;
  readonly random: Random;
  nowMs: number;
  nextTimerNumber: number;
  nextContactOrdinal: number;
  readonly agents: Map<AgentId, AgentRecord>;
  readonly agentList: readonly AgentRecord[];
  readonly agentsBySkill: ReadonlyMap<string, readonly AgentRecord[]>;
  readonly queues: Map<QueueId, QueueRecord>;
  readonly contacts: Map<InteractionId, ContactRecord>;
  readonly pools: Map<string, AgentPool>;
  readonly timers: Map<string, TimerPurpose>;
  readonly breakReasons: ReadonlySet<string>;
}

function emptyStatusTimes(): Record<AgentStatus, number> {
  return { offline: 0, break: 0, idle: 0, reserved: 0, ringing: 0, 'on-contact': 0, 'wrap-up': 0 };
}

/** Fresh per-queue counters. */
export function emptyQueueCounters(): QueueCounters {
  return {
    offered: 0,
    answered: 0,
    answeredWithinThreshold: 0,
    abandoned: 0,
    abandonedWithinThreshold: 0,
    overflowed: 0,
    callbacksRequested: 0,
    calledBack: 0,
    answerWaitTotalMs: 0,
    handled: 0,
    handleTotalMs: 0,
  };
}

/** Fresh per-agent counters starting at `fromMs`. */
export function emptyAgentCounters(fromMs: number): AgentCounters {
  return {
    contactsHandled: 0,
    talkTimeMs: 0,
    wrapUpTimeMs: 0,
    missedOffers: 0,
    declinedOffers: 0,
    timeByStatusMs: emptyStatusTimes(),
    countedFromMs: fromMs,
  };
}

/** Service order: higher priority first, then the longest seniority, then arrival order. */
export function compareContactsForService(a: ContactRecord, b: ContactRecord): number {
  return b.priority - a.priority || a.seniorityFromMs - b.seniorityFromMs || a.ordinal - b.ordinal;
}

function compareContactsByEntry(a: ContactRecord, b: ContactRecord): number {
  return a.queuedAtMs - b.queuedAtMs || a.ordinal - b.ordinal;
}

/** A fresh record for a configured queue: nobody waiting, no pools yet, nothing counted today. */
export function buildQueueRecord(config: QueueConfig, ordinal: number): QueueRecord {
  const agentRank = new Map<AgentId, number>();
  const order =
    config.strategy.type === 'fixed-order' || config.strategy.type === 'round-robin'
      ? (config.strategy.agentOrder ?? [])
      : [];
  order.forEach((id, i) => {
    if (!agentRank.has(id)) agentRank.set(id, i);
  });
  return {
    id: config.id,
    ordinal,
    config,
    waiting: new OrderedSet(compareContactsForService),
    waitingByEntry: new OrderedSet(compareContactsByEntry),
    agentRank,
    basePools: new Map(),
    today: emptyQueueCounters(),
  };
}

/** An agent's place in the queue's fixed order: listed agents first, the rest after in configuration order. */
export function rankInQueue(
  queue: QueueRecord,
  agent: { readonly id: AgentId; readonly ordinal: number },
): number {
  return queue.agentRank.get(agent.id) ?? queue.agentRank.size + agent.ordinal;
}

/** A fresh record for a configured agent: offline, free, nothing counted today, in no pool yet. */
export function buildAgentRecord(config: AgentConfig, ordinal: number, nowMs: number): AgentRecord {
  return {
    id: config.id,
    ordinal,
    config,
    skills: new Map(Object.entries(config.skills)),
    languages: new Set(config.languages),
    presence: { kind: 'offline' },
    presenceSinceMs: nowMs,
    status: 'offline',
    statusSinceMs: nowMs,
    work: new Map(),
    engagements: new Map(),
    load: { voice: 0, chat: 0, email: 0, sms: 0 },
    lastFreedAtMs: nowMs,
    consecutiveMissedOffers: 0,
    today: emptyAgentCounters(nowMs),
    pools: [],
    entries: new Map(),
  };
}

/**
 * The initial state for a validated configuration: every agent offline, no contacts. `random` feeds the
 * random and weighted-random strategies; seed it for replayable runs.
 */
export function createRoutingState(config: RoutingConfig, random: Random, nowMs: number): RoutingState {
  const agentList = config.agents.map((agent, i) => buildAgentRecord(agent, i, nowMs));
  return assembleRoutingState(config, random, nowMs, agentList);
}

/**
 * A state for a configuration around the given agent records (ordinals 0..n-1, in order), with no contacts:
 * `createRoutingState` passes fresh ones; `reconfigure` passes records that already carry the agents'
 * presence, load and counters, so that the pools built here count and order them as they are.
 */
export function assembleRoutingState(
  config: RoutingConfig,
  random: Random,
  nowMs: number,
  agentList: readonly AgentRecord[],
): RoutingState {
  const agentsBySkill = new Map<string, AgentRecord[]>();
  for (const agent of agentList) {
    for (const skill of agent.skills.keys()) {
      const list = agentsBySkill.get(skill);
      if (list === undefined) agentsBySkill.set(skill, [agent]);
      else list.push(agent);
    }
  }
  const reasons = new Set(config.breakReasons);
  const state: RoutingState = {
    config,
    random,
    nowMs,
    nextTimerNumber: 1,
    nextContactOrdinal: 0,
    agents: new Map(agentList.map((agent) => [agent.id, agent])),
    agentList,
    agentsBySkill,
    queues: new Map(config.queues.map((queue, i) => [queue.id, buildQueueRecord(queue, i)])),
    contacts: new Map(),
    pools: new Map(),
    timers: new Map(),
    breakReasons: reasons,
  };
  // Build every queue's base pools up front, so the first contact of the day is as fast as the rest.
  for (const queue of state.queues.values()) {
    for (const channel of queue.config.channels) {
      const requirements = [{ skills: queue.config.requiredSkills, language: queue.config.language }];
      queue.basePools.set(channel, ensurePool(state, queue, channel, requirements));
    }
  }
  return state;
}
