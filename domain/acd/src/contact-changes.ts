import type { ContactOutcome, ContactTrigger } from './contact-stage.ts';
import { nextContactStage } from './contact-stage.ts';
import type { DecisionContext } from './decision-context.ts';
import { cancelTimer } from './decision-context.ts';
import { acdError } from './errors.ts';
import type { ContactRecord } from './routing-state.ts';
import { removeFromWaiting } from './waiting-contacts.ts';

/** Moves a contact through `nextContactStage`; records a defect and returns false when illegal. */
export function changeStage(ctx: DecisionContext, contact: ContactRecord, trigger: ContactTrigger): boolean {
  const next = nextContactStage(contact.stage, trigger);
  if (!next.ok) {
    ctx.defect ??= acdError(
      'ACD_ILLEGAL_TRANSITION',
      `contact-stage: no transition from "${next.error.from}" on "${next.error.trigger}" for ${contact.id}`,
    );
    return false;
  }
  contact.stage = next.value;
  return true;
}

/** Cancels the timers that belong to the contact's stay in its current queue. */
export function cancelQueueTimers(ctx: DecisionContext, contact: ContactRecord): void {
  const timers = contact.timers;
  cancelTimer(ctx, timers.maxWait);
  cancelTimer(ctx, timers.escalation);
  cancelTimer(ctx, timers.announcement);
  cancelTimer(ctx, timers.reoffer);
  timers.maxWait = undefined;
  timers.escalation = undefined;
  timers.announcement = undefined;
  timers.reoffer = undefined;
}

/**
 * Ends a contact's life in the ACD with an outcome: stage `ended`, timers cancelled, out of every set,
 * forgotten, and a ContactFinished fact for reporting. Abandons and called-back counts are kept here;
 * answers and overflows are counted where they happen.
 */
export function finishContact(
  ctx: DecisionContext,
  contact: ContactRecord,
  outcome: ContactOutcome,
  details: { readonly detail?: string; readonly talkMs?: number } = {},
): void {
  if (!changeStage(ctx, contact, { type: 'finish', outcome })) return;
  removeFromWaiting(contact);
  cancelQueueTimers(ctx, contact);
  cancelTimer(ctx, contact.timers.offer);
  cancelTimer(ctx, contact.timers.callback);
  ctx.state.contacts.delete(contact.id);
  const queue = contact.queue;
  const waitMs = (contact.answeredAtMs ?? ctx.nowMs) - contact.queuedAtMs;
  if (outcome === 'abandoned') {
    queue.today.abandoned += 1;
    if (waitMs <= queue.config.serviceLevel.thresholdMs) queue.today.abandonedWithinThreshold += 1;
  }
  if (outcome === 'called-back') queue.today.calledBack += 1;
  ctx.facts.push({
    type: 'ContactFinished',
    contactId: contact.id,
    queueId: queue.id,
    channel: contact.channel,
    outcome,
    ...(details.detail === undefined ? {} : { detail: details.detail }),
    waitMs,
    ...(details.talkMs === undefined ? {} : { talkMs: details.talkMs }),
    atMs: ctx.nowMs,
  });
}
