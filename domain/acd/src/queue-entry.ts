import { hasNoAgents } from './agent-pool.ts';
import type { OverflowReason } from './commands.ts';
import { cancelQueueTimers, changeStage, finishContact } from './contact-changes.ts';
import type { DecisionContext } from './decision-context.ts';
import { startTimer } from './decision-context.ts';
import { estimateWaitMs } from './estimated-wait.ts';
import type { OverflowTarget } from './routing-config.ts';
import type { ContactRecord, QueueRecord } from './routing-state.ts';
import { addToWaiting, isWaiting, reindexContact, removeFromWaiting } from './waiting-contacts.ts';

/** Overflow hops allowed per contact; the configuration forbids loops, this bounds long chains. */
const maxOverflowHops = 10;

/** Arms the timer for the next escalation step not yet applied, if any. */
export function armNextEscalation(ctx: DecisionContext, contact: ContactRecord): void {
  const step = contact.queue.config.escalation[contact.escalationStepsDone];
  if (step === undefined || contact.isCallback) return;
  contact.timers.escalation = startTimer(
    ctx,
    { kind: 'escalation', contactId: contact.id },
    contact.queuedAtMs + step.afterMs,
  );
}

/**
 * The queue's `whenNoAgents` rule for one contact, shared by the door (`admitContact`), by contacts
 * already waiting when their pool's last agent leaves (`turnAwayFromEmptiedPools` in decide.ts) and by
 * contacts back in line after ringing (`returnToLine` in routing.ts): when the contact's pool has nobody
 * by the queue's `noAgentsMeans`, 'refuse' rejects it (RejectContact) and 'overflow' sends it to the
 * queue's overflow target, both with reason `no-agents` and counted as an overflow. Returns false,
 * changing nothing, when the rule does not apply: a 'join' queue, a callback (it keeps its place until
 * someone returns), or somebody there.
 */
export function turnAwayIfNoAgents(ctx: DecisionContext, contact: ContactRecord): boolean {
  const config = contact.queue.config;
  if (config.whenNoAgents === 'join' || contact.isCallback || !hasNoAgents(contact.pool)) return false;
  if (config.whenNoAgents === 'refuse') {
    contact.queue.today.overflowed += 1;
    ctx.commands.push({ type: 'RejectContact', contactId: contact.id, reason: 'no-agents' });
    finishContact(ctx, contact, 'overflowed', { detail: 'no-agents' });
  } else {
    overflowContact(ctx, contact, 'no-agents', config.overflow);
  }
  return true;
}

/**
 * Takes a contact into a queue: applies the queue's door rules (nobody there: `turnAwayIfNoAgents`; full:
 * overflow), then puts it in line, arms its max-wait, escalation and announcement timers and records
 * ContactQueued. Overflowing to another queue re-enters here. The caller routes the contact afterwards if it
 * is still waiting.
 */
export function admitContact(ctx: DecisionContext, contact: ContactRecord, queue: QueueRecord): void {
  contact.queuedAtMs = ctx.nowMs;
  contact.escalationStepsDone = 0;
  contact.escalationPriority = 0;
  contact.relaxLevelsBy = 0;
  contact.addedQueues = [];
  contact.excludedUntil.clear();
  reindexContact(ctx.state, contact, queue);
  queue.today.offered += 1;
  const config = queue.config;
  if (turnAwayIfNoAgents(ctx, contact)) return;
  if (config.maxSize !== undefined && queue.waiting.size >= config.maxSize) {
    overflowContact(ctx, contact, 'queue-full', config.overflow);
    return;
  }

  addToWaiting(contact);
  if (!contact.isCallback) {
    if (config.maxWaitMs !== undefined) {
      contact.timers.maxWait = startTimer(
        ctx,
        { kind: 'max-wait', contactId: contact.id },
        ctx.nowMs + config.maxWaitMs,
      );
    }
    if (config.announcements !== undefined) {
      contact.timers.announcement = startTimer(
        ctx,
        { kind: 'announcement', contactId: contact.id },
        ctx.nowMs + config.announcements.firstAfterMs,
      );
    }
    armNextEscalation(ctx, contact);
  }
  const position = queue.waiting.rankOf(contact) + 1;
  ctx.facts.push({
    type: 'ContactQueued',
    contactId: contact.id,
    queueId: queue.id,
    position,
    estimatedWaitMs: estimateWaitMs(queue, contact.pool, position),
    atMs: ctx.nowMs,
  });
}

/**
 * Moves a waiting (or connected, for a blind transfer) contact to another queue with its seniority,
 * recording ContactMoved; the target queue's door rules apply.
 */
export function moveContact(
  ctx: DecisionContext,
  contact: ContactRecord,
  to: QueueRecord,
  reason: OverflowReason | 'transfer',
): void {
  removeFromWaiting(contact);
  cancelQueueTimers(ctx, contact);
  if (!changeStage(ctx, contact, { type: 'move' })) return;
  ctx.facts.push({
    type: 'ContactMoved',
    contactId: contact.id,
    fromQueueId: contact.queue.id,
    toQueueId: to.id,
    reason,
    atMs: ctx.nowMs,
  });
  admitContact(ctx, contact, to);
}

/**
 * Sends a waiting contact to an overflow target: another queue (seniority kept), voicemail, an outside
 * destination, or a disconnect after the closing message. Counted as an overflow of the queue it leaves.
 */
export function overflowContact(
  ctx: DecisionContext,
  contact: ContactRecord,
  reason: OverflowReason,
  target: OverflowTarget,
): void {
  const queue = contact.queue;
  queue.today.overflowed += 1;
  removeFromWaiting(contact);
  cancelQueueTimers(ctx, contact);
  switch (target.type) {
    case 'queue': {
      const next = ctx.state.queues.get(target.queueId);
      if (next !== undefined && contact.overflowHops < maxOverflowHops && isWaiting(contact)) {
        contact.overflowHops += 1;
        moveContact(ctx, contact, next, reason);
        return;
      }
      ctx.commands.push({ type: 'DisconnectContact', contactId: contact.id, reason });
      break;
    }
    case 'voicemail':
      ctx.commands.push({ type: 'SendToVoicemail', contactId: contact.id, queueId: queue.id });
      break;
    case 'destination':
      ctx.commands.push({
        type: 'RouteToDestination',
        contactId: contact.id,
        destination: target.destination,
      });
      break;
    case 'disconnect':
      ctx.commands.push({ type: 'DisconnectContact', contactId: contact.id, reason });
      break;
  }
  finishContact(ctx, contact, 'overflowed', { detail: reason });
}
