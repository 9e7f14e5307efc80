import type { AgentId, InteractionId } from '@centralita/kernel';
import {
  changeActivity,
  changePresence,
  disengageAgent,
  engageAgent,
  resetAgentDay,
} from './agent-changes.ts';
import { nextAgentPresence, systemBreakReasons } from './agent-presence.ts';
import type { RoutingCommand } from './commands.ts';
import { cancelQueueTimers, changeStage, finishContact } from './contact-changes.ts';
import type { DecisionContext } from './decision-context.ts';
import { cancelTimer, newDecisionContext, startTimer } from './decision-context.ts';
import { acdError } from './errors.ts';
import type { AcdError } from './errors.ts';
import { applyNextEscalation } from './escalation.ts';
import { estimateWaitMs } from './estimated-wait.ts';
import { nextHelpRequest } from './help-request.ts';
import type {
  AgentAskedForHelp,
  AgentWithdrewHelpRequest,
  CallbackConnected,
  CallbackFailed,
  CallbackRequested,
  ContactArrived,
  ContactTransferred,
  OfferAccepted,
  OfferDeclined,
  PresenceSelected,
  RoutingEvent,
  SupervisorAttendedHelpRequest,
  TimerFired,
  VoicemailChosen,
  FlowOverflowDue,
  WrapUpEnded,
} from './events.ts';
import type { ChangeCause, RoutingFact } from './facts.ts';
import { poolForContact } from './agent-pool.ts';
import { admitContact, moveContact, overflowContact, turnAwayIfNoAgents } from './queue-entry.ts';
import {
  endOffer,
  findWorkForAgent,
  requeueAfterOffers,
  returnToLine,
  routeContact,
  withdrawOffersRingingAt,
} from './routing.ts';
import type { AgentRecord, ContactRecord, RoutingState, WorkItem } from './routing-state.ts';
import { emptyQueueCounters } from './routing-state.ts';

/** What `decide` returns: the (same, updated) state, the commands to carry out, the facts to record. */
export interface Decision {
  readonly state: RoutingState;
  readonly commands: readonly RoutingCommand[];
  readonly facts: readonly RoutingFact[];
  /** Set when the event was refused (it changed nothing), or when an internal transition was illegal. */
  readonly rejection: AcdError | undefined;
}

const byCustomer = (reason: string): ChangeCause => ({ by: 'customer', reason });
const bySystem = (reason: string): ChangeCause => ({ by: 'system', reason });
const byAgent = (reason: string): ChangeCause => ({ by: 'agent', reason });

function findAgent(state: RoutingState, id: AgentId): AgentRecord | AcdError {
  return state.agents.get(id) ?? acdError('ACD_AGENT_NOT_FOUND', `no agent "${id}"`, 'agentId');
}

function findContact(state: RoutingState, id: InteractionId): ContactRecord | AcdError {
  return (
    state.contacts.get(id) ??
    acdError('ACD_CONTACT_NOT_FOUND', `no contact "${id}" being routed`, 'contactId')
  );
}

function isError(value: object): value is AcdError {
  return 'code' in value;
}

function illegal(what: string): AcdError {
  return acdError('ACD_ILLEGAL_TRANSITION', what);
}

/** Ends every pending offer of a contact (it leaves the agents' screens) and returns the agents freed. */
function withdrawAllOffers(
  ctx: DecisionContext,
  contact: ContactRecord,
  reason: 'abandoned' | 'agent-unavailable' | 'requeued',
  cause: ChangeCause,
): AgentRecord[] {
  const freed = [...contact.assignedAgents];
  for (const agent of freed) endOffer(ctx, contact, agent, 'withdraw', reason, cause);
  return freed;
}

function findWorkForAll(ctx: DecisionContext, agents: readonly AgentRecord[]): void {
  for (const agent of agents) findWorkForAgent(ctx, agent);
}

function onPresenceSelected(ctx: DecisionContext, event: PresenceSelected): AcdError | undefined {
  const agent = findAgent(ctx.state, event.agentId);
  if (isError(agent)) return agent;
  const presence = event.presence;
  if (
    presence.kind === 'break' &&
    !ctx.state.breakReasons.has(presence.reason) &&
    !systemBreakReasons.includes(presence.reason)
  ) {
    return acdError(
      'ACD_BREAK_REASON_UNKNOWN',
      `break reason "${presence.reason}" is not configured`,
      'presence.reason',
    );
  }
  if (!nextAgentPresence(agent.presence, { type: 'select', presence }).ok) {
    return illegal(`agent "${agent.id}" already has that presence`);
  }
  // Signing in is the agent's own act (their desk, their phone): a supervisor may put a signed-in agent on a
  // break or sign them out, not bring a signed-out one in, which would count them as there for the queues.
  if (event.selectedBy === 'supervisor' && agent.presence.kind === 'offline') {
    return illegal(`agent "${agent.id}" is signed out: only they can sign in`);
  }
  changePresence(
    ctx,
    agent,
    { type: 'select', presence },
    { by: event.selectedBy ?? 'agent', reason: 'selected' },
  );
  if (presence.kind === 'available') {
    findWorkForAgent(ctx, agent);
    return undefined;
  }
  // Not ready any more: take back whatever is ringing, and give it to someone else.
  withdrawOffersRingingAt(ctx, agent, bySystem('agent-unavailable'));
  return undefined;
}

function onContactArrived(ctx: DecisionContext, event: ContactArrived): AcdError | undefined {
  const state = ctx.state;
  const queue = state.queues.get(event.queueId);
  if (queue === undefined) return acdError('ACD_QUEUE_NOT_FOUND', `no queue "${event.queueId}"`, 'queueId');
  if (!queue.config.channels.includes(event.channel)) {
    return acdError(
      'ACD_CHANNEL_NOT_SERVED',
      `queue "${queue.id}" does not serve ${event.channel}`,
      'channel',
    );
  }
  if (state.contacts.has(event.contactId)) {
    return acdError(
      'ACD_CONTACT_ALREADY_EXISTS',
      `contact "${event.contactId}" is already being routed`,
      'contactId',
    );
  }
  const seed = {
    queue,
    channel: event.channel,
    extraSkills: event.requiredSkills ?? [],
    language: event.language,
    relaxLevelsBy: 0,
    addedQueues: [],
  };
  const contact: ContactRecord = {
    id: event.contactId,
    ordinal: state.nextContactOrdinal++,
    channel: event.channel,
    queue,
    stage: 'queued',
    customerPriority: event.customerPriority ?? 0,
    escalationPriority: 0,
    priority: 0,
    seniorityFromMs: Math.min(event.seniorityFromMs ?? ctx.nowMs, ctx.nowMs),
    queuedAtMs: ctx.nowMs,
    language: event.language,
    extraSkills: seed.extraSkills,
    relaxLevelsBy: 0,
    addedQueues: [],
    pool: poolForContact(state, seed),
    assignedAgents: [],
    excludedUntil: new Map(),
    escalationStepsDone: 0,
    timers: {
      maxWait: undefined,
      escalation: undefined,
      announcement: undefined,
      offer: undefined,
      reoffer: undefined,
      callback: undefined,
    },
    overflowHops: 0,
    isCallback: false,
    answeredAtMs: undefined,
  };
  state.contacts.set(contact.id, contact);
  admitContact(ctx, contact, queue);
  routeContact(ctx, contact);
  return undefined;
}

/** The conversation ended: the agent goes to wrap-up (or straight back), and the contact is finished. */
function endConversation(ctx: DecisionContext, contact: ContactRecord): void {
  const agent = contact.assignedAgents[0];
  const item = agent?.work.get(contact.id);
  if (agent === undefined || item === undefined) return;
  const talkMs = ctx.nowMs - (item.connectedAtMs ?? ctx.nowMs);
  releaseAfterConversation(ctx, agent, item, talkMs);
  finishContact(ctx, contact, contact.isCallback ? 'called-back' : 'answered', { talkMs });
  findWorkForAgent(ctx, agent);
}

/** Moves the agent's slot to wrap-up (timed, or by hand when `wrapUpMs` is null) or straight to idle. */
function releaseAfterConversation(
  ctx: DecisionContext,
  agent: AgentRecord,
  item: WorkItem,
  talkMs: number,
): void {
  const wrapUpMs = item.queue.config.wrapUpMs;
  const isWrapUpRequired = wrapUpMs !== 0;
  item.talkMs = talkMs;
  agent.today.contactsHandled += 1;
  agent.today.talkTimeMs += talkMs;
  if (!isWrapUpRequired) {
    item.queue.today.handled += 1;
    item.queue.today.handleTotalMs += talkMs;
  }
  changeActivity(ctx, agent, item, { type: 'contact-ended', isWrapUpRequired }, bySystem('contact-ended'));
  if (wrapUpMs !== null && wrapUpMs > 0) {
    item.wrapUpTimerId = startTimer(
      ctx,
      { kind: 'wrap-up', agentId: agent.id, contactId: item.contactId },
      ctx.nowMs + wrapUpMs,
    );
  }
}

function finishWrapUp(ctx: DecisionContext, agent: AgentRecord, item: WorkItem, cause: ChangeCause): void {
  const wrapMs = ctx.nowMs - item.sinceMs;
  agent.today.wrapUpTimeMs += wrapMs;
  item.queue.today.handled += 1;
  item.queue.today.handleTotalMs += item.talkMs + wrapMs;
  cancelTimer(ctx, item.wrapUpTimerId);
  changeActivity(ctx, agent, item, { type: 'wrap-up-ended' }, cause);
}

function callbackFailed(ctx: DecisionContext, contact: ContactRecord, reason: string): void {
  const agent = contact.assignedAgents[0];
  const item = agent?.work.get(contact.id);
  if (agent !== undefined && item !== undefined) {
    changeActivity(ctx, agent, item, { type: 'withdraw' }, byCustomer(reason));
    contact.assignedAgents.length = 0;
  }
  finishContact(ctx, contact, 'called-back', { detail: 'customer-not-reached' });
  if (agent !== undefined) findWorkForAgent(ctx, agent);
}

function onContactGone(ctx: DecisionContext, contactId: InteractionId): AcdError | undefined {
  const contact = findContact(ctx.state, contactId);
  if (isError(contact)) return contact;
  switch (contact.stage) {
    case 'queued':
    case 'callback-queued':
      finishContact(ctx, contact, 'abandoned');
      return undefined;
    case 'offered': {
      const freed = withdrawAllOffers(ctx, contact, 'abandoned', byCustomer('abandoned'));
      finishContact(ctx, contact, 'abandoned');
      findWorkForAll(ctx, freed);
      return undefined;
    }
    case 'connected':
      endConversation(ctx, contact);
      return undefined;
    case 'callback-reserved':
      callbackFailed(ctx, contact, 'callback-ended');
      return undefined;
    case 'ended':
      return illegal(`contact "${contact.id}" has already ended`);
  }
}

function findOffer(
  ctx: DecisionContext,
  event: OfferAccepted | OfferDeclined,
): [ContactRecord, AgentRecord, WorkItem] | AcdError {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  const agent = findAgent(ctx.state, event.agentId);
  if (isError(agent)) return agent;
  const item = agent.work.get(contact.id);
  if (contact.stage !== 'offered' || item === undefined || item.activity !== 'ringing') {
    return acdError('ACD_OFFER_NOT_FOUND', `agent "${agent.id}" has no pending offer for "${contact.id}"`);
  }
  return [contact, agent, item];
}

function onOfferAccepted(ctx: DecisionContext, event: OfferAccepted): AcdError | undefined {
  const found = findOffer(ctx, event);
  if (!Array.isArray(found)) return found;
  const [contact, agent, item] = found;
  changeStage(ctx, contact, { type: 'accept' });
  changeActivity(ctx, agent, item, { type: 'accept' }, byAgent('accepted'));
  item.connectedAtMs = ctx.nowMs;
  agent.consecutiveMissedOffers = 0;
  const others = contact.assignedAgents.filter((other) => other !== agent);
  for (const other of others)
    endOffer(ctx, contact, other, 'withdraw', 'answered-elsewhere', bySystem('answered-elsewhere'));
  cancelTimer(ctx, contact.timers.offer);
  contact.timers.offer = undefined;
  cancelQueueTimers(ctx, contact);
  contact.answeredAtMs = ctx.nowMs;
  const queue = contact.queue;
  const waitMs = ctx.nowMs - contact.queuedAtMs;
  queue.today.answered += 1;
  queue.today.answerWaitTotalMs += waitMs;
  if (waitMs <= queue.config.serviceLevel.thresholdMs) queue.today.answeredWithinThreshold += 1;
  ctx.commands.push({ type: 'ConnectContact', contactId: contact.id, agentId: agent.id });
  ctx.facts.push({
    type: 'ContactAnswered',
    contactId: contact.id,
    queueId: queue.id,
    agentId: agent.id,
    waitMs,
    atMs: ctx.nowMs,
  });
  findWorkForAll(ctx, others);
  return undefined;
}

function onOfferDeclined(ctx: DecisionContext, event: OfferDeclined): AcdError | undefined {
  const found = findOffer(ctx, event);
  if (!Array.isArray(found)) return found;
  const [contact, agent] = found;
  const unreachable = event.unreachable;
  endOffer(
    ctx,
    contact,
    agent,
    'decline',
    'requeued',
    unreachable === undefined ? byAgent('declined') : bySystem('agent-unreachable'),
  );
  if (unreachable === undefined) agent.today.declinedOffers += 1;
  // No phone to ring: every call offered would find none, so the agent stops being offered calls (before the
  // contact goes back in line, so that its queue sees the pool as it now is) and learns why.
  const isPutOnBreak =
    unreachable === 'no-phone' &&
    agent.presence.kind === 'available' &&
    changePresence(ctx, agent, { type: 'no-phone' }, bySystem('no registered phone'));
  if (contact.assignedAgents.length === 0) returnToLine(ctx, contact, [agent]);
  if (isPutOnBreak) {
    withdrawOffersRingingAt(ctx, agent, bySystem('agent-unavailable'));
    return undefined;
  }
  findWorkForAgent(ctx, agent);
  return undefined;
}

function onWrapUpEnded(ctx: DecisionContext, event: WrapUpEnded): AcdError | undefined {
  const agent = findAgent(ctx.state, event.agentId);
  if (isError(agent)) return agent;
  const item = agent.work.get(event.contactId);
  if (item === undefined || item.activity !== 'wrap-up') {
    return acdError(
      'ACD_WORK_NOT_FOUND',
      `agent "${agent.id}" is not wrapping up "${event.contactId}"`,
      'contactId',
    );
  }
  finishWrapUp(ctx, agent, item, byAgent('wrap-up-ended'));
  findWorkForAgent(ctx, agent);
  return undefined;
}

/** The agent's work item for a contact they are on or wrapping up: where a help request lives. */
function workNeedingHelp(
  ctx: DecisionContext,
  event: AgentAskedForHelp | AgentWithdrewHelpRequest,
): { agent: AgentRecord; item: WorkItem } | AcdError {
  const agent = findAgent(ctx.state, event.agentId);
  if (isError(agent)) return agent;
  const item = agent.work.get(event.contactId);
  if (item === undefined || (item.activity !== 'on-contact' && item.activity !== 'wrap-up')) {
    return acdError(
      'ACD_WORK_NOT_FOUND',
      `agent "${agent.id}" is neither on nor wrapping up "${event.contactId}"`,
      'contactId',
    );
  }
  return { agent, item };
}

function onAgentAskedForHelp(ctx: DecisionContext, event: AgentAskedForHelp): AcdError | undefined {
  const found = workNeedingHelp(ctx, event);
  if (isError(found)) return found;
  const { agent, item } = found;
  const next = nextHelpRequest(item.help, { type: 'ask', note: event.note, atMs: ctx.nowMs });
  if (!next.ok) return illegal(`agent "${agent.id}" already asked for help with "${item.contactId}"`);
  item.help = next.value;
  ctx.facts.push({
    type: 'HelpRequested',
    agentId: agent.id,
    interactionId: item.contactId,
    note: event.note ?? null,
    atMs: ctx.nowMs,
  });
  return undefined;
}

function onAgentWithdrewHelpRequest(
  ctx: DecisionContext,
  event: AgentWithdrewHelpRequest,
): AcdError | undefined {
  const found = workNeedingHelp(ctx, event);
  if (isError(found)) return found;
  const { agent, item } = found;
  const requestedAtMs = item.help?.requestedAtMs ?? ctx.nowMs;
  const next = nextHelpRequest(item.help, { type: 'withdraw' });
  if (!next.ok) return illegal(`agent "${agent.id}" has no open request for help with "${item.contactId}"`);
  item.help = next.value;
  ctx.facts.push({
    type: 'HelpWithdrawn',
    agentId: agent.id,
    interactionId: item.contactId,
    reason: 'agent',
    openMs: ctx.nowMs - requestedAtMs,
    atMs: ctx.nowMs,
  });
  return undefined;
}

/**
 * A supervisor attends every open request about the contact: usually one, but after a transfer the agent
 * who passed it on (in wrap-up) and the one who took it may both have asked.
 */
function onSupervisorAttendedHelpRequest(
  ctx: DecisionContext,
  event: SupervisorAttendedHelpRequest,
): AcdError | undefined {
  let attended = 0;
  for (const agent of ctx.state.agentList) {
    const item = agent.work.get(event.contactId);
    if (item?.help?.kind !== 'open') continue;
    const requestedAtMs = item.help.requestedAtMs;
    const next = nextHelpRequest(item.help, {
      type: 'attend',
      supervisorId: event.supervisorId,
      atMs: ctx.nowMs,
    });
    if (!next.ok) continue;
    item.help = next.value;
    attended += 1;
    ctx.facts.push({
      type: 'HelpAttended',
      agentId: agent.id,
      interactionId: item.contactId,
      supervisorId: event.supervisorId,
      waitedMs: ctx.nowMs - requestedAtMs,
      atMs: ctx.nowMs,
    });
  }
  return attended > 0 ? undefined : illegal(`nobody is waiting for help with "${event.contactId}"`);
}

function onContactTransferred(ctx: DecisionContext, event: ContactTransferred): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  const to = ctx.state.queues.get(event.toQueueId);
  if (to === undefined) return acdError('ACD_QUEUE_NOT_FOUND', `no queue "${event.toQueueId}"`, 'toQueueId');
  if (!to.config.channels.includes(contact.channel)) {
    return acdError(
      'ACD_CHANNEL_NOT_SERVED',
      `queue "${to.id}" does not serve ${contact.channel}`,
      'toQueueId',
    );
  }
  switch (contact.stage) {
    case 'queued':
    case 'callback-queued':
      moveContact(ctx, contact, to, 'transfer');
      routeContact(ctx, contact);
      return undefined;
    case 'offered': {
      const freed = withdrawAllOffers(ctx, contact, 'requeued', bySystem('transferred'));
      requeueAfterOffers(ctx, contact, []);
      moveContact(ctx, contact, to, 'transfer');
      routeContact(ctx, contact);
      findWorkForAll(ctx, freed);
      return undefined;
    }
    case 'connected': {
      const agent = contact.assignedAgents[0];
      const item = agent?.work.get(contact.id);
      if (agent !== undefined && item !== undefined) {
        releaseAfterConversation(ctx, agent, item, ctx.nowMs - (item.connectedAtMs ?? ctx.nowMs));
      }
      contact.assignedAgents.length = 0;
      contact.answeredAtMs = undefined;
      moveContact(ctx, contact, to, 'transfer');
      routeContact(ctx, contact);
      if (agent !== undefined) findWorkForAgent(ctx, agent);
      return undefined;
    }
    case 'callback-reserved':
    case 'ended':
      return illegal(`contact "${contact.id}" cannot be transferred while ${contact.stage}`);
  }
}

function onCallbackRequested(ctx: DecisionContext, event: CallbackRequested): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  if (contact.stage !== 'queued' && contact.stage !== 'offered') {
    return illegal(`contact "${contact.id}" cannot ask for a callback while ${contact.stage}`);
  }
  let freed: AgentRecord[] = [];
  if (contact.stage === 'offered') {
    freed = withdrawAllOffers(ctx, contact, 'requeued', byCustomer('callback-requested'));
    requeueAfterOffers(ctx, contact, []);
  }
  // The caller hangs up but keeps their place: same seniority, same priority, no more announcements.
  changeStage(ctx, contact, { type: 'callback-requested' });
  contact.isCallback = true;
  // Timers that concern a caller on hold go; the re-offer timer stays (it still guards a decliner).
  for (const timerId of [contact.timers.maxWait, contact.timers.escalation, contact.timers.announcement]) {
    cancelTimer(ctx, timerId);
  }
  contact.timers.maxWait = undefined;
  contact.timers.escalation = undefined;
  contact.timers.announcement = undefined;
  contact.queue.today.callbacksRequested += 1;
  routeContact(ctx, contact);
  findWorkForAll(ctx, freed);
  return undefined;
}

function onCallbackConnected(ctx: DecisionContext, event: CallbackConnected): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  const agent = contact.assignedAgents[0];
  const item = agent?.work.get(contact.id);
  if (contact.stage !== 'callback-reserved' || agent === undefined || item === undefined) {
    return illegal(`contact "${contact.id}" has no callback being placed`);
  }
  changeStage(ctx, contact, { type: 'callback-connected' });
  changeActivity(ctx, agent, item, { type: 'callback-connected' }, byCustomer('callback-answered'));
  item.connectedAtMs = ctx.nowMs;
  cancelTimer(ctx, contact.timers.callback);
  contact.timers.callback = undefined;
  contact.answeredAtMs = ctx.nowMs;
  ctx.commands.push({ type: 'ConnectContact', contactId: contact.id, agentId: agent.id });
  ctx.facts.push({
    type: 'ContactAnswered',
    contactId: contact.id,
    queueId: contact.queue.id,
    agentId: agent.id,
    waitMs: ctx.nowMs - contact.queuedAtMs,
    atMs: ctx.nowMs,
  });
  return undefined;
}

function onCallbackFailed(ctx: DecisionContext, event: CallbackFailed): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  if (contact.stage !== 'callback-reserved')
    return illegal(`contact "${contact.id}" has no callback being placed`);
  callbackFailed(ctx, contact, 'callback-not-answered');
  return undefined;
}

function onVoicemailChosen(ctx: DecisionContext, event: VoicemailChosen): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  if (contact.stage !== 'queued' && contact.stage !== 'offered') {
    return illegal(`contact "${contact.id}" cannot choose voicemail while ${contact.stage}`);
  }
  let freed: AgentRecord[] = [];
  if (contact.stage === 'offered') {
    freed = withdrawAllOffers(ctx, contact, 'requeued', byCustomer('voicemail-chosen'));
    requeueAfterOffers(ctx, contact, []);
  }
  overflowContact(ctx, contact, 'voicemail-chosen', { type: 'voicemail' });
  findWorkForAll(ctx, freed);
  return undefined;
}

function onFlowOverflowDue(ctx: DecisionContext, event: FlowOverflowDue): AcdError | undefined {
  const contact = findContact(ctx.state, event.contactId);
  if (isError(contact)) return contact;
  if (contact.stage !== 'queued' && contact.stage !== 'offered') {
    return illegal(`contact "${contact.id}" cannot overflow to its flow while ${contact.stage}`);
  }
  let freed: AgentRecord[] = [];
  if (contact.stage === 'offered') {
    freed = withdrawAllOffers(ctx, contact, 'requeued', bySystem('flow-overflow'));
    requeueAfterOffers(ctx, contact, []);
  }
  overflowContact(ctx, contact, 'max-wait', { type: 'destination', destination: 'flow' });
  findWorkForAll(ctx, freed);
  return undefined;
}

function onOfferTimeout(ctx: DecisionContext, contact: ContactRecord): void {
  contact.timers.offer = undefined;
  if (contact.stage !== 'offered') return;
  const missed = [...contact.assignedAgents];
  const isRingAll = contact.queue.config.strategy.type === 'ring-all';
  const limit = ctx.state.config.missedOffersBeforeNotReady;
  const putOnBreak: AgentRecord[] = [];
  for (const agent of missed) {
    endOffer(ctx, contact, agent, 'offer-timeout', 'timed-out', bySystem('offer-timeout'));
    agent.today.missedOffers += 1;
    // With ring-all nobody in particular was expected to answer, so misses there do not count.
    if (isRingAll) continue;
    agent.consecutiveMissedOffers += 1;
    if (agent.consecutiveMissedOffers < limit || agent.presence.kind !== 'available') continue;
    const cause = bySystem(`${limit} offers missed in a row`);
    if (changePresence(ctx, agent, { type: 'missed-offers' }, cause)) putOnBreak.push(agent);
  }
  returnToLine(ctx, contact, missed);
  // The agent is not at their desk: their other offers (a chat agent holds several) stop ringing now
  // instead of ringing out one by one, and go back in line like this one.
  for (const agent of putOnBreak) withdrawOffersRingingAt(ctx, agent, bySystem('agent-unavailable'));
  findWorkForAll(ctx, missed);
}

function announce(ctx: DecisionContext, contact: ContactRecord): void {
  const settings = contact.queue.config.announcements;
  contact.timers.announcement = undefined;
  if (settings === undefined || contact.isCallback) return;
  if (contact.stage === 'queued') {
    const position = contact.queue.waiting.rankOf(contact) + 1;
    const estimate = estimateWaitMs(contact.queue, contact.pool, position);
    ctx.commands.push({
      type: 'AnnounceQueuePosition',
      contactId: contact.id,
      ...(settings.includePosition ? { position } : {}),
      ...(settings.includeEstimatedWait && estimate !== undefined ? { estimatedWaitMs: estimate } : {}),
    });
  }
  if (contact.stage === 'queued' || contact.stage === 'offered') {
    contact.timers.announcement = startTimer(
      ctx,
      { kind: 'announcement', contactId: contact.id },
      ctx.nowMs + settings.everyMs,
    );
  }
}

function onTimerFired(ctx: DecisionContext, event: TimerFired): AcdError | undefined {
  const purpose = ctx.state.timers.get(event.timerId);
  // A timer cancelled after the runtime had already fired it: nothing left to do.
  if (purpose === undefined) return undefined;
  ctx.state.timers.delete(event.timerId);
  if (purpose.kind === 'wrap-up') {
    const agent = ctx.state.agents.get(purpose.agentId);
    const item = agent?.work.get(purpose.contactId);
    if (agent === undefined || item === undefined || item.wrapUpTimerId !== event.timerId) return undefined;
    item.wrapUpTimerId = undefined;
    finishWrapUp(ctx, agent, item, bySystem('wrap-up-timer'));
    findWorkForAgent(ctx, agent);
    return undefined;
  }
  const contact = ctx.state.contacts.get(purpose.contactId);
  if (contact === undefined) return undefined;
  switch (purpose.kind) {
    case 'offer-timeout':
      onOfferTimeout(ctx, contact);
      break;
    case 'max-wait':
      contact.timers.maxWait = undefined;
      if (contact.stage === 'offered') {
        // Ringing an agent right now: look again once that offer has run its course.
        contact.timers.maxWait = startTimer(
          ctx,
          { kind: 'max-wait', contactId: contact.id },
          ctx.nowMs + contact.queue.config.offerTimeoutMs,
        );
      } else if (contact.stage === 'queued') {
        overflowContact(ctx, contact, 'max-wait', contact.queue.config.overflow);
        routeContact(ctx, contact);
      }
      break;
    case 'escalation':
      applyNextEscalation(ctx, contact);
      routeContact(ctx, contact);
      break;
    case 'announcement':
      announce(ctx, contact);
      break;
    case 'reoffer':
      contact.timers.reoffer = undefined;
      for (const [agent, until] of contact.excludedUntil)
        if (until <= ctx.nowMs) contact.excludedUntil.delete(agent);
      routeContact(ctx, contact);
      break;
    case 'callback-connect':
      contact.timers.callback = undefined;
      if (contact.stage === 'callback-reserved') callbackFailed(ctx, contact, 'callback-timeout');
      break;
  }
  return undefined;
}

/**
 * Contacts waiting in a pool whose last agent left during this event (as its queue's `noAgentsMeans` counts
 * them: signed out, or also on a break) leave the queue as a new arrival would: `whenNoAgents` 'refuse' or
 * 'overflow' (reason `no-agents`); 'join' queues and callbacks keep them. Like Asterisk's `leavewhenempty`,
 * nobody waits for agents who are gone. It runs once the event is handled. Contacts ringing an agent are not
 * in line and are not pulled; when their offers end (answered elsewhere aside) they come back through
 * `returnToLine`, which applies the same rule then, so one ringing the agent who leaves (its offer is
 * withdrawn at once) leaves with the others.
 *
 * No grace period: presence changes only when an agent or supervisor chooses it (or after missed offers),
 * never on a dropped connection, so there is no flapping to ride out; and a caller arriving a second later
 * is turned away at the door at once, so waiting callers are treated the same.
 */
function turnAwayFromEmptiedPools(ctx: DecisionContext): void {
  for (const pool of ctx.emptiedPools) {
    for (const contact of [...pool.waiting]) {
      if (turnAwayIfNoAgents(ctx, contact)) routeContact(ctx, contact);
    }
  }
}

function onStatisticsReset(ctx: DecisionContext): void {
  for (const queue of ctx.state.queues.values()) Object.assign(queue.today, emptyQueueCounters());
  for (const agent of ctx.state.agentList) resetAgentDay(agent, ctx.nowMs);
}

function handle(ctx: DecisionContext, event: RoutingEvent): AcdError | undefined {
  switch (event.type) {
    case 'PresenceSelected':
      return onPresenceSelected(ctx, event);
    case 'ContactArrived':
      return onContactArrived(ctx, event);
    case 'ContactAbandoned':
    case 'ContactEnded':
      return onContactGone(ctx, event.contactId);
    case 'OfferAccepted':
      return onOfferAccepted(ctx, event);
    case 'OfferDeclined':
      return onOfferDeclined(ctx, event);
    case 'WrapUpEnded':
      return onWrapUpEnded(ctx, event);
    case 'ContactTransferred':
      return onContactTransferred(ctx, event);
    case 'CallbackRequested':
      return onCallbackRequested(ctx, event);
    case 'CallbackConnected':
      return onCallbackConnected(ctx, event);
    case 'CallbackFailed':
      return onCallbackFailed(ctx, event);
    case 'VoicemailChosen':
      return onVoicemailChosen(ctx, event);
    case 'FlowOverflowDue':
      return onFlowOverflowDue(ctx, event);
    case 'TimerFired':
      return onTimerFired(ctx, event);
    case 'StatisticsReset':
      onStatisticsReset(ctx);
      return undefined;
    case 'AgentEngaged': {
      const agent = findAgent(ctx.state, event.agentId);
      if (isError(agent)) return agent;
      engageAgent(ctx, agent, event.contactId, event.channel);
      return undefined;
    }
    case 'AgentAskedForHelp':
      return onAgentAskedForHelp(ctx, event);
    case 'AgentWithdrewHelpRequest':
      return onAgentWithdrewHelpRequest(ctx, event);
    case 'SupervisorAttendedHelpRequest':
      return onSupervisorAttendedHelpRequest(ctx, event);
    case 'AgentDisengaged': {
      const agent = findAgent(ctx.state, event.agentId);
      if (isError(agent)) return agent;
      if (disengageAgent(ctx, agent, event.contactId)) findWorkForAgent(ctx, agent);
      return undefined;
    }
  }
}

/**
 * The routing engine: takes the state, one event and the time it happened, and returns the commands to
 * carry out and the facts to record. Time and randomness are inputs (`nowMs`, the state's Random), timers
 * are commands, so a day of routing replays exactly on a virtual clock. A refused event changes nothing
 * and comes back with `rejection` set.
 */
export function decide(state: RoutingState, event: RoutingEvent, nowMs: number): Decision {
  if (nowMs < state.nowMs) {
    const rejection = acdError(
      'ACD_CLOCK_WENT_BACKWARDS',
      `event at ${nowMs} ms is before ${state.nowMs} ms`,
    );
    return { state, commands: [], facts: [], rejection };
  }
  state.nowMs = nowMs;
  const ctx = newDecisionContext(state, nowMs);
  const rejection = handle(ctx, event);
  turnAwayFromEmptiedPools(ctx);
  return { state, commands: ctx.commands, facts: ctx.facts, rejection: rejection ?? ctx.defect };
}
