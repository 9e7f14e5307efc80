import { poolForContact } from './agent-pool.ts';
import type { ContactRecord, QueueRecord, RoutingState } from './routing-state.ts';

/** Whether the contact is waiting for an agent (a caller on the line, or a callback keeping its place). */
export function isWaiting(contact: ContactRecord): boolean {
  return contact.stage === 'queued' || contact.stage === 'callback-queued';
}

/** Puts a contact in its queue's and its pool's waiting sets. */
export function addToWaiting(contact: ContactRecord): void {
  contact.queue.waiting.insert(contact);
  contact.queue.waitingByEntry.insert(contact);
  contact.pool.waiting.insert(contact);
}

/** Takes a contact out of its queue's and its pool's waiting sets (no-op when not there). */
export function removeFromWaiting(contact: ContactRecord): void {
  contact.queue.waiting.delete(contact);
  contact.queue.waitingByEntry.delete(contact);
  contact.pool.waiting.delete(contact);
}

/** Recomputes priority and pool after a queue change or an escalation, keeping the waiting sets right. */
export function reindexContact(state: RoutingState, contact: ContactRecord, queue: QueueRecord): void {
  const wasWaiting = isWaiting(contact) && contact.queue.waiting.delete(contact);
  if (wasWaiting) {
    contact.queue.waitingByEntry.delete(contact);
    contact.pool.waiting.delete(contact);
  }
  contact.queue = queue;
  contact.priority = queue.config.priority + contact.customerPriority + contact.escalationPriority;
  contact.pool = poolForContact(state, contact);
  if (wasWaiting) addToWaiting(contact);
}
