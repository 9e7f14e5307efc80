import type { AgentId, InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';
import { agentStatistics } from './statistics.ts';

const engaged = (agentId: string, contactId: string) =>
  ({
    type: 'AgentEngaged',
    agentId: agentId as AgentId,
    contactId: contactId as InteractionId,
    channel: 'voice',
  }) as const;
const disengaged = (agentId: string, contactId: string) =>
  ({ type: 'AgentDisengaged', agentId: agentId as AgentId, contactId: contactId as InteractionId }) as const;

describe('agents busy outside the queues', () => {
  it('gets no offer while on a call they placed, shows on a contact, and gets the waiting call once it ends', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.send(engaged('a1', 'placed-1'));
    expect(agentStatistics(h.state, 'a1' as AgentId, h.nowMs)?.status).toBe('on-contact');
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1')).toEqual([]);
    h.advanceBy(30_000);
    h.send(disengaged('a1', 'placed-1'));
    expect(h.ringingFor('c1')).toEqual(['a1']);
    expect(h.factsOf('AgentEngagementChanged').map((fact) => [fact.contactId, fact.isEngaged])).toEqual([
      ['placed-1', true],
      ['placed-1', false],
    ]);
  });

  it('counts an engagement once, and ignores the end of one it never had', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.send(engaged('a1', 'placed-1'));
    h.send(engaged('a1', 'placed-1'));
    h.send(disengaged('a1', 'placed-1'));
    h.send(disengaged('a1', 'placed-1'));
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    expect(h.factsOf('AgentEngagementChanged')).toHaveLength(2);
  });

  it('refuses an engagement of someone the engine does not route', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    expect(h.send(engaged('nobody', 'placed-1')).rejection?.code).toBe('ACD_AGENT_NOT_FOUND');
  });
});
