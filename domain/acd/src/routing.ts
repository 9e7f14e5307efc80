import { changeActivity, startWork } from './agent-changes.ts';
import { pickAgents } from './agent-selection.ts';
import type { WithdrawReason } from './commands.ts';
import { changeStage } from './contact-changes.ts';
import { pickContactForAgent } from './contact-selection.ts';
import type { DecisionContext } from './decision-context.ts';
import { cancelTimer, startTimer } from './decision-context.ts';
import type { ChangeCause } from './facts.ts';
import { turnAwayIfNoAgents } from './queue-entry.ts';
import type { AgentRecord, ContactRecord } from './routing-state.ts';
import { rankInQueue } from './routing-state.ts';
import { addToWaiting, isWaiting, removeFromWaiting } from './waiting-contacts.ts';

const routedBySystem: ChangeCause = { by: 'system', reason: 'routed' };

/** Rings the agents for a queued contact (one agent, or several for ring-all) and arms the offer timeout. */
function offerContact(ctx: DecisionContext, contact: ContactRecord, agents: readonly AgentRecord[]): void {
  if (!changeStage(ctx, contact, { type: 'offer' })) return;
  removeFromWaiting(contact);
  const config = contact.queue.config;
  const expiresAtMs = ctx.nowMs + config.offerTimeoutMs;
  for (const agent of agents) {
    startWork(
      ctx,
      agent,
      { contactId: contact.id, queue: contact.queue, channel: contact.channel },
      { type: 'offer' },
      routedBySystem,
    );
    contact.assignedAgents.push(agent);
    ctx.commands.push({
      type: 'OfferContact',
      contactId: contact.id,
      agentId: agent.id,
      queueId: contact.queue.id,
      channel: contact.channel,
      expiresAtMs,
    });
  }
  const first = agents[0];
  if (first !== undefined) contact.pool.lastOfferedRank = rankInQueue(contact.queue, first);
  contact.timers.offer = startTimer(ctx, { kind: 'offer-timeout', contactId: contact.id }, expiresAtMs);
}

/** Reserves an agent for a callback whose turn has come, then asks the call layer to place it. */
function reserveForCallback(ctx: DecisionContext, contact: ContactRecord, agent: AgentRecord): void {
  if (!changeStage(ctx, contact, { type: 'reserve' })) return;
  removeFromWaiting(contact);
  startWork(
    ctx,
    agent,
    { contactId: contact.id, queue: contact.queue, channel: contact.channel },
    { type: 'reserve' },
    { by: 'system', reason: 'callback-turn' },
  );
  contact.assignedAgents.push(agent);
  ctx.commands.push({ type: 'PlaceCallback', contactId: contact.id, agentId: agent.id });
  contact.timers.callback = startTimer(
    ctx,
    { kind: 'callback-connect', contactId: contact.id },
    ctx.nowMs + contact.queue.config.callbackConnectTimeoutMs,
  );
}

/** Tries to give a waiting contact to an agent of its pool now, by its queue's strategy. */
export function routeContact(ctx: DecisionContext, contact: ContactRecord): void {
  if (!isWaiting(contact)) return;
  const agents = pickAgents(ctx, contact);
  const first = agents[0];
  if (first === undefined) return;
  if (contact.stage === 'callback-queued') reserveForCallback(ctx, contact, first);
  else offerContact(ctx, contact, agents);
}

/** Gives a freed agent the best waiting contacts across their pools, as long as capacity remains. */
export function findWorkForAgent(ctx: DecisionContext, agent: AgentRecord): void {
  for (;;) {
    const contact = pickContactForAgent(agent, ctx.nowMs);
    if (contact === undefined) return;
    if (contact.stage === 'callback-queued') reserveForCallback(ctx, contact, agent);
    else offerContact(ctx, contact, [agent]);
    if (ctx.defect !== undefined) return;
  }
}

/**
 * Ends one agent's ringing (or reservation) for a contact: declined, timed out or withdrawn. The agent's
 * slot returns to idle; the runtime is told to stop ringing unless the agent declined it themselves.
 */
export function endOffer(
  ctx: DecisionContext,
  contact: ContactRecord,
  agent: AgentRecord,
  how: 'decline' | 'offer-timeout' | 'withdraw',
  reason: WithdrawReason,
  cause: ChangeCause,
): void {
  const item = agent.work.get(contact.id);
  if (item === undefined) return;
  changeActivity(ctx, agent, item, { type: how }, cause);
  const index = contact.assignedAgents.indexOf(agent);
  if (index >= 0) contact.assignedAgents.splice(index, 1);
  if (how !== 'decline')
    ctx.commands.push({ type: 'WithdrawOffer', contactId: contact.id, agentId: agent.id, reason });
}

/**
 * Puts an offered contact whose offers all ended back in line with its seniority intact; the agents who
 * let it go are skipped for `reofferDelayMs`, after which a timer makes it eligible for them again.
 */
export function requeueAfterOffers(
  ctx: DecisionContext,
  contact: ContactRecord,
  skipped: readonly AgentRecord[],
): void {
  cancelTimer(ctx, contact.timers.offer);
  contact.timers.offer = undefined;
  if (!changeStage(ctx, contact, { type: 'offers-lapsed' })) return;
  const delayMs = ctx.state.config.reofferDelayMs;
  if (delayMs > 0 && skipped.length > 0) {
    for (const agent of skipped) contact.excludedUntil.set(agent, ctx.nowMs + delayMs);
    cancelTimer(ctx, contact.timers.reoffer);
    contact.timers.reoffer = startTimer(ctx, { kind: 'reoffer', contactId: contact.id }, ctx.nowMs + delayMs);
  }
  addToWaiting(contact);
}

/**
 * A contact whose offers all ended (declined, timed out, withdrawn) goes back in line like any returning
 * contact (`requeueAfterOffers`), then meets its queue's `whenNoAgents` rule exactly as at the door: when
 * its pool has nobody (by `noAgentsMeans`) a 'refuse' or 'overflow' queue turns it away
 * (`turnAwayIfNoAgents`); otherwise, or wherever that sends it, it is routed. The one path back into line
 * after ringing, so a contact that was ringing while its pool emptied (and so escaped the sweep of waiting
 * contacts) cannot be left waiting for agents who are gone.
 */
export function returnToLine(
  ctx: DecisionContext,
  contact: ContactRecord,
  skipped: readonly AgentRecord[],
): void {
  requeueAfterOffers(ctx, contact, skipped);
  if (!isWaiting(contact)) return;
  turnAwayIfNoAgents(ctx, contact);
  routeContact(ctx, contact);
}

/**
 * Takes back every offer still ringing at an agent who is no longer ready (they chose a break or offline,
 * a supervisor chose it for them, or the missed-offer rule put them on a break): each stops ringing
 * (`WithdrawOffer`, reason `agent-unavailable`) at once rather than ringing out on an empty desk, and each
 * contact no longer ringing anyone returns to line (`returnToLine`). An agent with several offers ringing
 * (a chat agent with capacity 3) loses them all. Reservations for callbacks being placed run their course.
 */
export function withdrawOffersRingingAt(ctx: DecisionContext, agent: AgentRecord, cause: ChangeCause): void {
  for (const item of [...agent.work.values()]) {
    if (item.activity !== 'ringing') continue;
    const contact = ctx.state.contacts.get(item.contactId);
    if (contact === undefined) continue;
    endOffer(ctx, contact, agent, 'withdraw', 'agent-unavailable', cause);
    if (contact.assignedAgents.length === 0) returnToLine(ctx, contact, []);
  }
}
