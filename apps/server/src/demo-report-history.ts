import type { PastEvent } from '@centralita/store';
import type { HistoryContact, HistoryFact } from './demo-history.ts';

/** A past call of the demo as the seed stored its interaction. */
export interface DemoCall {
  readonly contact: HistoryContact;
  readonly interactionId: string;
  readonly customerId: string;
  /** The caller's number (E.164). */
  readonly from: string;
  /** The outcome the agent chose at wrap-up (a sale is worth `settings.reports.dispositionValuesMinor`). */
  readonly disposition: string | null;
}

/** Events at the same instant keep the order a live call records them in. */
const Step = { Received: 0, Routing: 1, Call: 2, Wrapped: 3 } as const;
type Step = (typeof Step)[keyof typeof Step];

/**
 * The event log the demo's past calls would have left: the routing engine's own facts (queued, offered,
 * answered, finished, and every agent's presence and activity, as the live routing writes them) and the
 * call layer's (received, answered, ended, and the disposition saved at wrap-up), in time order. The
 * report projector folds them like live ones, so the demo's reports (yesterday's service level, handle
 * times and occupancy by agent) have figures from the first start.
 */
export function demoHistoryEvents(
  facts: readonly HistoryFact[],
  interactionOf: ReadonlyMap<string, string>,
  calls: readonly DemoCall[],
): PastEvent[] {
  const timed: { readonly atMs: number; readonly step: Step; readonly event: PastEvent }[] = [];
  const add = (atMs: number, step: Step, type: string, data: unknown): void => {
    timed.push({ atMs, step, event: { type, occurredAt: new Date(atMs), data } });
  };
  for (const { fact, contactKey } of facts) {
    const { type, atMs, ...data } = fact;
    if (contactKey === undefined) {
      add(atMs, Step.Routing, type, data);
      continue;
    }
    const interactionId = interactionOf.get(contactKey);
    if (interactionId !== undefined) add(atMs, Step.Routing, type, { ...data, contactId: interactionId });
  }
  for (const { contact, interactionId, customerId, from, disposition } of calls) {
    add(contact.startedAtMs, Step.Received, 'CallReceived', {
      interactionId,
      direction: 'inbound',
      channel: 'voice',
      customerId,
      from,
      to: null,
      trunkId: null,
    });
    const answered = contact.answered;
    if (answered === null) {
      add(contact.endedAtMs, Step.Call, 'CallEnded', { interactionId, cause: 'caller-hangup' });
      continue;
    }
    add(answered.atMs, Step.Call, 'CallAnswered', { interactionId, by: 'agent', agentId: answered.agentId });
    add(answered.endedAtMs, Step.Call, 'CallEnded', {
      interactionId,
      cause: answered.endedAtMs % 3 === 0 ? 'agent-hangup' : 'caller-hangup',
      agentId: answered.agentId,
    });
    // Wrapping up records the interaction's disposition, as PATCH /api/interactions/:id does.
    add(answered.wrapUpEndedAtMs, Step.Wrapped, 'InteractionUpdated', {
      interactionId,
      status: 'completed',
      disposition,
    });
  }
  // A stable sort: facts of one instant stay in the order the engine stated them.
  timed.sort((a, b) => a.atMs - b.atMs || a.step - b.step);
  return timed.map((item) => item.event);
}
