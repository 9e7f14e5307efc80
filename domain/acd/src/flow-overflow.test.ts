import type { InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';

const due = (contactId: string) =>
  ({ type: 'FlowOverflowDue', contactId: contactId as InteractionId }) as const;

describe('the IVR’s own overflow after a wait', () => {
  it('takes a waiting contact out of the queue as overflowed and hands it back to its flow', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.arrive('c1', 'q');
    h.advanceBy(60_000);
    h.send(due('c1'));
    expect(h.commandsOf('RouteToDestination')).toEqual([
      { type: 'RouteToDestination', contactId: 'c1', destination: 'flow' },
    ]);
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({ contactId: 'c1', outcome: 'overflowed' });
    // Gone from the queue: an agent who logs in now is offered nothing.
    h.login('a1');
    expect(h.ringingAt('a1')).toEqual([]);
  });

  it('withdraws an offer that is ringing and frees the agent', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.send(due('c1'));
    expect(h.commandsOf('WithdrawOffer')).toEqual([
      expect.objectContaining({ contactId: 'c1', agentId: 'a1' }),
    ]);
    h.arrive('c2', 'q');
    expect(h.ringingFor('c2')).toEqual(['a1']);
  });

  it('refuses a contact that is already with an agent', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    expect(h.send(due('c1')).rejection?.code).toBe('ACD_ILLEGAL_TRANSITION');
  });
});
