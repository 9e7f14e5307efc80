import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../app/event-stream.tsx';
import { contactToRestore, nextCall } from './current-call.ts';
import type { CurrentCall } from './current-call.ts';

const me = 'agent-lucia';
const offer: DomainEvent = {
  type: 'ContactOffered',
  data: {
    agentId: me,
    interactionId: 'call-1',
    callerId: '+34600111222',
    screenPop: { isNewCustomer: false, customer: { id: 'customer-7' } },
  },
};
const activity = (from: string, to: string, contactId = 'call-1', agentId = me): DomainEvent => ({
  type: 'AgentActivityChanged',
  data: { agentId, contactId, from, to },
});

function replay(events: readonly DomainEvent[], from: CurrentCall | null = null): CurrentCall | null {
  return events.reduce<CurrentCall | null>((current, event) => nextCall(current, event, me), from);
}

describe('the call panel’s current call', () => {
  it('is connected when the offer and the phone’s answer arrive in one burst', () => {
    expect(replay([offer, activity('ringing', 'on-contact')])).toMatchObject({
      interactionId: 'call-1',
      phase: 'connected',
      callerId: '+34600111222',
      customerId: 'customer-7',
    });
  });

  it('goes on hold and back, then to wrap-up when the call ends', () => {
    const held = replay([
      offer,
      activity('ringing', 'on-contact'),
      { type: 'CallHeld', data: { interactionId: 'call-1' } },
    ]);
    expect(held?.isHeld).toBe(true);
    const ended = replay([{ type: 'CallEnded', data: { interactionId: 'call-1' } }], held);
    expect(ended).toMatchObject({ phase: 'wrapUp', isHeld: false });
  });

  it('is cleared when the offer is withdrawn, and ignores other agents’ and other calls’ events', () => {
    expect(replay([offer, activity('ringing', 'idle')])).toBeNull();
    const ringing = replay([offer]);
    expect(replay([activity('ringing', 'on-contact', 'call-1', 'agent-carlos')], ringing)).toBe(ringing);
    expect(replay([activity('ringing', 'on-contact', 'call-2')], ringing)).toBe(ringing);
    expect(replay([{ ...offer, data: { ...offer.data, agentId: 'agent-carlos' } }])).toBeNull();
  });

  it('moves to wrap-up when the agent hands the call to a colleague, not when it goes back to a queue', () => {
    const connected = replay([offer, activity('ringing', 'on-contact')]);
    const toColleague: DomainEvent = {
      type: 'CallTransferred',
      data: { interactionId: 'call-1', targetKind: 'agent', fromAgentId: me },
    };
    expect(replay([toColleague], connected)?.phase).toBe('wrapUp');
    const toQueue: DomainEvent = {
      type: 'CallTransferred',
      data: { interactionId: 'call-1', targetKind: 'queue', fromAgentId: me },
    };
    expect(replay([toQueue], connected)?.phase).toBe('connected');
  });
});

describe('a call the agent placed from the desktop', () => {
  const placed = (agentId = me, placedFrom: string | null = 'desktop'): DomainEvent => ({
    type: 'CallReceived',
    data: {
      interactionId: 'call-9',
      direction: 'outbound',
      agentId,
      to: '+34600999888',
      customerId: 'customer-3',
      ...(placedFrom === null ? {} : { placedFrom }),
    },
  });

  it('rings, is connected when the other party answers, and is wrapped up when it ends', () => {
    const ringing = replay([placed()]);
    expect(ringing).toMatchObject({ interactionId: 'call-9', phase: 'ringing', callerId: '+34600999888' });
    // The IVR answering a call dialled on a phone is not the other party.
    expect(
      replay([{ type: 'CallAnswered', data: { interactionId: 'call-9', by: 'ivr' } }], ringing)?.phase,
    ).toBe('ringing');
    const connected = replay(
      [{ type: 'CallAnswered', data: { interactionId: 'call-9', by: 'customer' } }],
      ringing,
    );
    expect(connected).toMatchObject({ phase: 'connected', customerId: 'customer-3' });
    expect(replay([{ type: 'CallEnded', data: { interactionId: 'call-9' } }], connected)?.phase).toBe(
      'wrapUp',
    );
  });

  it('is not shown for another agent’s call or one dialled on the phone', () => {
    expect(replay([placed('agent-carlos')])).toBeNull();
    expect(replay([placed(me, null)])).toBeNull();
  });
});

describe('the contact a reopened desktop shows', () => {
  it('prefers the call being talked on, then the ringing one, then the wrap-up', () => {
    expect(
      contactToRestore([
        { contactId: 'a', activity: 'wrap-up' },
        { contactId: 'b', activity: 'on-contact' },
        { contactId: 'c', activity: 'ringing' },
      ]),
    ).toEqual({ contactId: 'b', phase: 'connected' });
    expect(
      contactToRestore([
        { contactId: 'a', activity: 'wrap-up' },
        { contactId: 'c', activity: 'ringing' },
      ]),
    ).toEqual({ contactId: 'c', phase: 'ringing' });
    expect(contactToRestore([{ contactId: 'a', activity: 'wrap-up' }])).toEqual({
      contactId: 'a',
      phase: 'wrapUp',
    });
  });

  it('has nothing to show for a free agent or one only reserved for a callback', () => {
    expect(contactToRestore([])).toBeUndefined();
    expect(contactToRestore([{ contactId: 'a', activity: 'reserved' }])).toBeUndefined();
  });
});
