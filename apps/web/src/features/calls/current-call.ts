import type { DomainEvent } from '../../app/event-stream.tsx';

/** What the agent is doing with their current contact, as the call panel shows it. */
export type CallPhase = 'ringing' | 'connected' | 'wrapUp';

/** The call the panel is about. */
export interface CurrentCall {
  readonly interactionId: string;
  readonly phase: CallPhase;
  readonly isHeld: boolean;
  readonly callerId: string | null;
  readonly customerId: string | null;
  readonly isNewCustomer: boolean;
}

function offeredCall(event: DomainEvent): CurrentCall | undefined {
  const data = event.data;
  if (typeof data.interactionId !== 'string') return undefined;
  const screenPop = data.screenPop as
    { readonly isNewCustomer?: boolean; readonly customer?: { readonly id?: string } } | null | undefined;
  return {
    interactionId: data.interactionId,
    phase: 'ringing',
    isHeld: false,
    callerId: typeof data.callerId === 'string' ? data.callerId : null,
    customerId: screenPop?.customer?.id ?? null,
    isNewCustomer: screenPop?.isNewCustomer === true,
  };
}

/** A call the agent placed from the desktop (click-to-call): their own phone rings first. */
function placedCall(event: DomainEvent): CurrentCall | undefined {
  const data = event.data;
  if (typeof data.interactionId !== 'string') return undefined;
  return {
    interactionId: data.interactionId,
    phase: 'ringing',
    isHeld: false,
    callerId: typeof data.to === 'string' ? data.to : null,
    customerId: typeof data.customerId === 'string' ? data.customerId : null,
    isNewCustomer: false,
  };
}

/**
 * The panel's call after one live event, from the one before it. Pure, and applied as a state updater, so
 * events that arrive together (an offer and the phone's answer in the same burst) each see the previous
 * one's result instead of a stale render's.
 */
export function nextCall(
  current: CurrentCall | null,
  event: DomainEvent,
  userId: string,
): CurrentCall | null {
  const data = event.data;
  if (event.type === 'ContactOffered' && data.agentId === userId) return offeredCall(event) ?? current;
  if (event.type === 'CallReceived' && data.agentId === userId && data.placedFrom === 'desktop')
    return placedCall(event) ?? current;
  if (current === null) return null;
  const isThisCall = data.interactionId === current.interactionId || data.contactId === current.interactionId;
  if (!isThisCall) return current;
  switch (event.type) {
    case 'AgentActivityChanged':
      if (data.agentId !== userId) return current;
      if (data.to === 'on-contact') return { ...current, phase: 'connected' };
      if (data.to === 'wrap-up') return { ...current, phase: 'wrapUp', isHeld: false };
      // Back to idle from ringing: the offer was withdrawn (the caller hung up, or it rang out).
      if (data.to === 'idle' && data.from === 'ringing') return null;
      return current;
    // Handed to a colleague or a number (attended or blind transfer) or taken over by a supervisor: the
    // agent's part is over.
    case 'CallTransferred':
      return data.targetKind !== 'queue' && data.fromAgentId === userId
        ? { ...current, phase: 'wrapUp', isHeld: false }
        : current;
    case 'CallTakenOver':
      return data.fromAgentId === userId ? { ...current, phase: 'wrapUp', isHeld: false } : current;
    // The other party of a call the agent placed answered.
    case 'CallAnswered':
      return data.by === 'customer' && current.phase === 'ringing'
        ? { ...current, phase: 'connected' }
        : current;
    case 'CallHeld':
      return { ...current, isHeld: true };
    case 'CallResumed':
      return { ...current, isHeld: false };
    case 'CallEnded':
      return current.phase === 'ringing' ? current : { ...current, phase: 'wrapUp', isHeld: false };
    default:
      return current;
  }
}

/** One of the agent's contacts as `GET /api/agents/me/state` lists them. */
export interface WorkItemView {
  readonly contactId: string;
  readonly activity: string;
}

const phaseOfActivity: Readonly<Record<string, CallPhase>> = {
  ringing: 'ringing',
  'on-contact': 'connected',
  'wrap-up': 'wrapUp',
};
const phaseRank: Readonly<Record<CallPhase, number>> = { connected: 3, ringing: 2, wrapUp: 1 };

/**
 * The contact a freshly opened (or reconnected) desktop should show: the one the agent is talking on,
 * else the one ringing, else the one being wrapped up. Undefined when the agent has none.
 */
export function contactToRestore(
  work: readonly WorkItemView[],
): { readonly contactId: string; readonly phase: CallPhase } | undefined {
  let best: { contactId: string; phase: CallPhase } | undefined = undefined;
  for (const item of work) {
    const phase = phaseOfActivity[item.activity];
    if (phase === undefined) continue;
    if (best === undefined || phaseRank[phase] > phaseRank[best.phase])
      best = { contactId: item.contactId, phase };
  }
  return best;
}
