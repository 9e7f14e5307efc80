import type { DecisionContext } from './decision-context.ts';
import { startTimer } from './decision-context.ts';
import { armNextEscalation, overflowContact } from './queue-entry.ts';
import type { ContactRecord } from './routing-state.ts';
import { reindexContact } from './waiting-contacts.ts';

/**
 * Applies the contact's next escalation step when its timer fires. Steps act on contacts waiting in
 * line; while the contact is ringing an agent the step waits one offer timeout and tries again, so an
 * answer about to happen is never pulled away. The caller routes the contact afterwards.
 */
export function applyNextEscalation(ctx: DecisionContext, contact: ContactRecord): void {
  contact.timers.escalation = undefined;
  if (contact.stage === 'offered') {
    contact.timers.escalation = startTimer(
      ctx,
      { kind: 'escalation', contactId: contact.id },
      ctx.nowMs + contact.queue.config.offerTimeoutMs,
    );
    return;
  }
  if (contact.stage !== 'queued') return;
  const stepIndex = contact.escalationStepsDone;
  const step = contact.queue.config.escalation[stepIndex];
  if (step === undefined) return;
  contact.escalationStepsDone += 1;
  ctx.facts.push({
    type: 'EscalationApplied',
    contactId: contact.id,
    queueId: contact.queue.id,
    stepIndex,
    action: step.action,
    atMs: ctx.nowMs,
  });
  const action = step.action;
  switch (action.type) {
    case 'relax-skills':
      contact.relaxLevelsBy += action.levelsBy;
      reindexContact(ctx.state, contact, contact.queue);
      break;
    case 'add-queue-agents': {
      const other = ctx.state.queues.get(action.queueId);
      if (other !== undefined && !contact.addedQueues.includes(other)) {
        contact.addedQueues = [...contact.addedQueues, other];
        reindexContact(ctx.state, contact, contact.queue);
      }
      break;
    }
    case 'raise-priority':
      contact.escalationPriority += action.by;
      reindexContact(ctx.state, contact, contact.queue);
      break;
    case 'offer-callback':
      ctx.commands.push({ type: 'OfferCallbackToCaller', contactId: contact.id });
      break;
    case 'offer-voicemail':
      ctx.commands.push({ type: 'OfferVoicemailToCaller', contactId: contact.id });
      break;
    case 'route-elsewhere':
      overflowContact(ctx, contact, 'escalation', action.target);
      return;
  }
  armNextEscalation(ctx, contact);
}
