import { changePresence } from './agent-changes.ts';
import { poolForContact, poolWithoutAgents } from './agent-pool.ts';
import type { Decision } from './decide.ts';
import type { DecisionContext } from './decision-context.ts';
import { cancelTimer, newDecisionContext, startTimer } from './decision-context.ts';
import { acdError } from './errors.ts';
import type { ChangeCause } from './facts.ts';
import type { OverflowTarget, QueueConfig, RoutingConfig } from './routing-config.ts';
import { armNextEscalation, overflowContact, turnAwayIfNoAgents } from './queue-entry.ts';
import { endOffer, requeueAfterOffers, routeContact } from './routing.ts';
import type {
  AgentRecord,
  ContactRecord,
  ContactTimers,
  QueueRecord,
  RoutingState,
  TimerPurpose,
} from './routing-state.ts';
import {
  assembleRoutingState,
  buildAgentRecord,
  buildQueueRecord,
  compareContactsForService,
} from './routing-state.ts';
import { addToWaiting, isWaiting } from './waiting-contacts.ts';

const removedFromRouting: ChangeCause = { by: 'system', reason: 'removed-from-routing' };
const queueDeleted: ChangeCause = { by: 'system', reason: 'queue-deleted' };

/** Where the state being built finds what the old one pointed at. */
interface Carry {
  readonly previous: RoutingState;
  readonly state: RoutingState;
  /** Records of deleted queues, for the contacts and work they still hold (not in `state.queues`). */
  readonly deletedQueues: Map<QueueRecord['id'], QueueRecord>;
}

/** The new state's record of a queue of the old state: the same id, or a detached record when it was deleted. */
function queueFor(carry: Carry, old: QueueRecord): QueueRecord {
  const current = carry.state.queues.get(old.id);
  if (current !== undefined) return current;
  let deleted = carry.deletedQueues.get(old.id);
  if (deleted === undefined) {
    deleted = buildQueueRecord(old.config, old.ordinal);
    Object.assign(deleted.today, old.today);
    carry.deletedQueues.set(old.id, deleted);
  }
  return deleted;
}

function isQueueDeleted(carry: Carry, queue: QueueRecord): boolean {
  return !carry.state.queues.has(queue.id);
}

/** Copies what an agent is doing and has done today onto its record in the new state. */
function carryAgent(agent: AgentRecord, old: AgentRecord | undefined): AgentRecord {
  if (old === undefined) return agent;
  agent.presence = old.presence;
  agent.presenceSinceMs = old.presenceSinceMs;
  agent.status = old.status;
  agent.statusSinceMs = old.statusSinceMs;
  agent.lastFreedAtMs = old.lastFreedAtMs;
  agent.consecutiveMissedOffers = old.consecutiveMissedOffers;
  const { timeByStatusMs, ...counters } = old.today;
  Object.assign(agent.today, counters);
  Object.assign(agent.today.timeByStatusMs, timeByStatusMs);
  Object.assign(agent.load, old.load);
  for (const [contactId, channel] of old.engagements) agent.engagements.set(contactId, channel);
  return agent;
}

/**
 * The agent records of the new state: every configured agent (carrying its live state when it existed),
 * then the agents no longer configured (disabled, no skills left, no longer an agent) who are still busy:
 * they keep their work, but with no skills and no capacity they join no pool, so nothing new is offered to
 * them. Agents no longer configured and free are left out.
 */
function carryAgents(previous: RoutingState, config: RoutingConfig, nowMs: number): AgentRecord[] {
  const agentList = config.agents.map((agent, i) =>
    carryAgent(buildAgentRecord(agent, i, nowMs), previous.agents.get(agent.id)),
  );
  const configured = new Set(config.agents.map((agent) => agent.id));
  for (const old of previous.agentList) {
    if (configured.has(old.id) || (old.work.size === 0 && old.engagements.size === 0)) continue;
    const departing = buildAgentRecord({ ...old.config, skills: {}, capacity: {} }, agentList.length, nowMs);
    agentList.push(carryAgent(departing, old));
  }
  return agentList;
}

/** The agents' work items, pointing at the new state's queues; a wrap-up whose length changed is re-timed. */
function carryWork(ctx: DecisionContext, carry: Carry): void {
  for (const agent of carry.state.agentList) {
    const old = carry.previous.agents.get(agent.id);
    if (old === undefined) continue;
    for (const oldItem of old.work.values()) {
      const item = { ...oldItem, queue: queueFor(carry, oldItem.queue) };
      agent.work.set(item.contactId, item);
      const wrapUpMs = item.queue.config.wrapUpMs;
      if (item.activity !== 'wrap-up' || wrapUpMs === oldItem.queue.config.wrapUpMs) continue;
      // Measured from the start of the wrap-up; null: until the agent ends it; 0: it ends now.
      cancelTimer(ctx, item.wrapUpTimerId);
      item.wrapUpTimerId =
        wrapUpMs === null
          ? undefined
          : startTimer(
              ctx,
              { kind: 'wrap-up', agentId: agent.id, contactId: item.contactId },
              item.sinceMs + wrapUpMs,
            );
    }
  }
}

/** A contact of the old state in the new one: same place in line, priority from the new queue settings. */
function carryContact(carry: Carry, old: ContactRecord): ContactRecord {
  const state = carry.state;
  const queue = queueFor(carry, old.queue);
  const addedQueues = old.addedQueues.flatMap((q) => state.queues.get(q.id) ?? []);
  const requirements = {
    queue,
    channel: old.channel,
    extraSkills: old.extraSkills,
    language: old.language,
    relaxLevelsBy: old.relaxLevelsBy,
    addedQueues,
  };
  const excludedUntil = new Map<AgentRecord, number>();
  for (const [agent, untilMs] of old.excludedUntil) {
    const current = state.agents.get(agent.id);
    if (current !== undefined) excludedUntil.set(current, untilMs);
  }
  return {
    ...old,
    queue,
    addedQueues,
    priority: queue.config.priority + old.customerPriority + old.escalationPriority,
    pool: isQueueDeleted(carry, queue)
      ? poolWithoutAgents(queue, old.channel)
      : poolForContact(state, requirements),
    // Assigned agents have work for the contact, so they are all carried.
    assignedAgents: old.assignedAgents.flatMap((agent) => state.agents.get(agent.id) ?? []),
    excludedUntil,
    timers: { ...old.timers },
  };
}

const timerField = {
  'offer-timeout': 'offer',
  'max-wait': 'maxWait',
  escalation: 'escalation',
  announcement: 'announcement',
  reoffer: 'reoffer',
  'callback-connect': 'callback',
} as const satisfies Record<Exclude<TimerPurpose['kind'], 'wrap-up'>, keyof ContactTimers>;

/** Whether the new state still holds the timer for what it was started for. */
function isTimerHeld(state: RoutingState, timerId: string, purpose: TimerPurpose): boolean {
  switch (purpose.kind) {
    case 'wrap-up':
      return state.agents.get(purpose.agentId)?.work.get(purpose.contactId)?.wrapUpTimerId === timerId;
    case 'offer-timeout':
    case 'max-wait':
    case 'escalation':
    case 'announcement':
    case 'reoffer':
    case 'callback-connect':
      return state.contacts.get(purpose.contactId)?.timers[timerField[purpose.kind]] === timerId;
  }
}

function isSameSetting(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Re-arms a waiting caller's queue timers whose setting changed, from the same starting point as before:
 * the maximum wait and the next escalation step from when the caller joined the queue (a deadline already
 * past fires at once), the announcements from the first one if it is still ahead, else one period from now.
 * Unchanged settings keep their timers as they are. The offer timeout, the re-offer delay and a callback's
 * connect timeout are never re-armed: they belong to an offer or a callback already under way.
 */
function rearmQueueTimers(ctx: DecisionContext, contact: ContactRecord, was: QueueConfig): void {
  if (contact.isCallback || (contact.stage !== 'queued' && contact.stage !== 'offered')) return;
  const config = contact.queue.config;
  const timers = contact.timers;
  if (config.maxWaitMs !== was.maxWaitMs) {
    cancelTimer(ctx, timers.maxWait);
    timers.maxWait =
      config.maxWaitMs === undefined
        ? undefined
        : startTimer(ctx, { kind: 'max-wait', contactId: contact.id }, contact.queuedAtMs + config.maxWaitMs);
  }
  const step = contact.escalationStepsDone;
  if (!isSameSetting(config.escalation[step], was.escalation[step])) {
    cancelTimer(ctx, timers.escalation);
    timers.escalation = undefined;
    armNextEscalation(ctx, contact);
  }
  if (!isSameSetting(config.announcements, was.announcements)) {
    cancelTimer(ctx, timers.announcement);
    timers.announcement = undefined;
    const settings = config.announcements;
    if (settings !== undefined) {
      const firstAtMs = contact.queuedAtMs + settings.firstAfterMs;
      timers.announcement = startTimer(
        ctx,
        { kind: 'announcement', contactId: contact.id },
        firstAtMs > ctx.nowMs ? firstAtMs : ctx.nowMs + settings.everyMs,
      );
    }
  }
}

/** Takes back the offers ringing at an agent who is no longer configured, putting their contacts back in line. */
function withdrawRinging(ctx: DecisionContext, agent: AgentRecord): void {
  for (const item of [...agent.work.values()]) {
    const contact = ctx.state.contacts.get(item.contactId);
    if (item.activity !== 'ringing' || contact === undefined) continue;
    endOffer(ctx, contact, agent, 'withdraw', 'agent-unavailable', removedFromRouting);
    if (contact.assignedAgents.length === 0) requeueAfterOffers(ctx, contact, []);
  }
}

/**
 * Where the contacts of a deleted queue go: its overflow queue when that still exists (with their
 * seniority), its overflow destination (a number, or on in the flow); otherwise (disconnect, voicemail, an
 * overflow queue deleted too) out of the queue, which for a call means on in its flow after the queue node.
 * Not its voicemail: the message would become a ticket of a queue that no longer exists.
 */
function targetAfterDeletion(state: RoutingState, overflow: OverflowTarget): OverflowTarget {
  switch (overflow.type) {
    case 'queue':
      return state.queues.has(overflow.queueId) ? overflow : { type: 'disconnect' };
    case 'destination':
      return overflow;
    case 'voicemail':
    case 'disconnect':
      return { type: 'disconnect' };
  }
}

/** A deleted queue's contact that no agent has answered leaves it (ringing offers are taken back first). */
function leaveDeletedQueue(ctx: DecisionContext, contact: ContactRecord): void {
  if (contact.stage === 'offered') {
    for (const agent of [...contact.assignedAgents])
      endOffer(ctx, contact, agent, 'withdraw', 'requeued', queueDeleted);
    requeueAfterOffers(ctx, contact, []);
  }
  if (!isWaiting(contact)) return;
  overflowContact(
    ctx,
    contact,
    'queue-deleted',
    targetAfterDeletion(ctx.state, contact.queue.config.overflow),
  );
}

/**
 * Signs out the agents no longer configured: those kept for their work (`carryAgents`) by `changePresence`,
 * taking back the offers ringing at them; those left out of the new state (they were free) by a fact alone.
 * An agent kept only for a ringing offer is free once it is taken back, so it is left out too.
 */
function signOutRemovedAgents(ctx: DecisionContext, previous: RoutingState, agentList: AgentRecord[]): void {
  const configured = new Set(ctx.state.config.agents.map((agent) => agent.id));
  for (const old of previous.agentList) {
    if (configured.has(old.id)) continue;
    const agent = ctx.state.agents.get(old.id);
    if (agent === undefined) {
      if (old.presence.kind !== 'offline') {
        ctx.facts.push({
          type: 'AgentPresenceChanged',
          agentId: old.id,
          from: old.presence,
          to: { kind: 'offline' },
          cause: removedFromRouting,
          atMs: ctx.nowMs,
        });
      }
      continue;
    }
    if (agent.presence.kind !== 'offline')
      changePresence(ctx, agent, { type: 'select', presence: { kind: 'offline' } }, removedFromRouting);
    withdrawRinging(ctx, agent);
    if (agent.work.size === 0 && agent.engagements.size === 0) {
      ctx.state.agents.delete(agent.id);
      agentList.splice(agentList.indexOf(agent), 1);
    }
  }
}

/**
 * Moves the routing engine to a new configuration (queues, skills and staff changed) without losing anyone.
 * Returns a new state, built from `config`, that carries over everything live in `previous`, and the
 * commands and facts the change calls for. `previous` is left as it was (the new state goes on with its
 * Random); use only the returned state.
 *
 * Kept: every contact with its stage, place in line (seniority, time of entry, escalation reached, customer
 * priority; the queue's priority is the new one), offers ringing and callbacks being placed, and its timers
 * under the same ids (re-armed where their setting changed, see `rearmQueueTimers`); every agent's
 * presence, work (ringing, reserved, on a contact, wrap-up with its timer), engagements, help requests,
 * missed-offer count and today's counters; every queue's counters and round-robin turn. Pools are rebuilt
 * from the new skills, so agents may gain or lose queues.
 *
 * Changed: agents no longer configured are signed out (offers ringing at them go back in line); those
 * still busy stay, with their calls, wrap-up and engagements, until free, but are offered nothing new. A
 * deleted queue's unanswered contacts leave it (`targetAfterDeletion`, reason `queue-deleted`); its connected
 * contacts and callbacks being placed finish as they would have, under its old settings. Then, as a new
 * arrival would be, callers in a pool left with nobody face the queue's `whenNoAgents`, and every waiting
 * contact, in service order, is offered to an agent who may now take it.
 *
 * Timer ids go on from `previous`, so a runtime keeps its real timers: each one either still fires into the
 * new state for the same purpose, or comes back in a CancelTimer.
 */
export function reconfigure(previous: RoutingState, config: RoutingConfig, nowMs: number): Decision {
  if (nowMs < previous.nowMs) {
    const rejection = acdError(
      'ACD_CLOCK_WENT_BACKWARDS',
      `reconfiguration at ${nowMs} ms is before ${previous.nowMs} ms`,
    );
    return { state: previous, commands: [], facts: [], rejection };
  }
  const agentList = carryAgents(previous, config, nowMs);
  const state = assembleRoutingState(config, previous.random, nowMs, agentList);
  state.nextTimerNumber = previous.nextTimerNumber;
  state.nextContactOrdinal = previous.nextContactOrdinal;
  for (const [timerId, purpose] of previous.timers) state.timers.set(timerId, purpose);
  for (const queue of state.queues.values()) {
    const old = previous.queues.get(queue.id);
    if (old !== undefined) Object.assign(queue.today, old.today);
  }
  const carry: Carry = { previous, state, deletedQueues: new Map() };
  const ctx = newDecisionContext(state, nowMs);

  carryWork(ctx, carry);
  const contacts = [...previous.contacts.values()]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((old) => {
      const contact = carryContact(carry, old);
      state.contacts.set(contact.id, contact);
      if (isWaiting(contact)) addToWaiting(contact);
      return { contact, was: old.queue.config };
    });
  // Round robin's turn, for the base pools and those of escalated or particular contacts alike.
  for (const pool of state.pools.values()) {
    pool.lastOfferedRank = previous.pools.get(pool.key)?.lastOfferedRank ?? pool.lastOfferedRank;
  }
  for (const [timerId, purpose] of state.timers) {
    if (!isTimerHeld(state, timerId, purpose)) cancelTimer(ctx, timerId);
  }
  for (const { contact, was } of contacts) {
    if (!isQueueDeleted(carry, contact.queue)) rearmQueueTimers(ctx, contact, was);
  }

  signOutRemovedAgents(ctx, previous, agentList);

  for (const { contact } of contacts) {
    if (isQueueDeleted(carry, contact.queue)) leaveDeletedQueue(ctx, contact);
  }
  // As new arrivals would: callers in a pool left with nobody face `whenNoAgents` (those a deletion just
  // moved passed that door already), then every waiting contact, in service order, is offered if it can be.
  const waiting = [...state.contacts.values()].filter(isWaiting).sort(compareContactsForService);
  for (const contact of waiting) turnAwayIfNoAgents(ctx, contact);
  for (const contact of waiting) routeContact(ctx, contact);
  return { state, commands: ctx.commands, facts: ctx.facts, rejection: ctx.defect };
}
