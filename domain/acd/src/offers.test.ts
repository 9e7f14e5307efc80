import type { AgentId, InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';
import { agentStatistics } from './statistics.ts';

describe('offers', () => {
  it('holds a contact for one agent until the offer times out, then offers it to the next agent', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', offerTimeoutMs: 15_000 }],
      agents: [{ id: 'a1' }, { id: 'a2' }],
    });
    h.login('a1', 'a2');
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.advanceBy(14_999);
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.advanceBy(1);
    expect(h.commandsOf('WithdrawOffer')).toEqual([
      { type: 'WithdrawOffer', contactId: 'c1', agentId: 'a1', reason: 'timed-out' },
    ]);
    expect(h.ringingFor('c1')).toEqual(['a2']);
    expect(
      h
        .factsOf('AgentActivityChanged')
        .filter((f) => f.agentId === 'a1')
        .map((f) => [f.from, f.to, f.cause]),
    ).toEqual([
      ['idle', 'ringing', { by: 'system', reason: 'routed' }],
      ['ringing', 'idle', { by: 'system', reason: 'offer-timeout' }],
    ]);
  });

  it('puts an agent on break with reason "missed offer" after N unanswered offers in a row', () => {
    const h = new RoutingHarness({
      missedOffersBeforeNotReady: 2,
      reofferDelayMs: 0,
      queues: [{ id: 'q', offerTimeoutMs: 10_000 }],
      agents: [{ id: 'a1' }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceBy(10_000);
    // Still available after one miss: the contact comes straight back to a1.
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.advanceBy(10_000);
    expect(h.ringingFor('c1')).toEqual([]);
    expect(h.factsOf('AgentPresenceChanged').at(-1)).toEqual({
      type: 'AgentPresenceChanged',
      agentId: 'a1',
      from: { kind: 'available' },
      to: { kind: 'break', reason: 'missed-offer' },
      cause: { by: 'system', reason: '2 offers missed in a row' },
      atMs: 20_000,
    });
    // Back to available, the agent gets the waiting contact again.
    h.login('a1');
    expect(h.ringingFor('c1')).toEqual(['a1']);
  });

  it('answering resets the missed-offer count', () => {
    const h = new RoutingHarness({
      missedOffersBeforeNotReady: 2,
      reofferDelayMs: 0,
      queues: [{ id: 'q', offerTimeoutMs: 10_000 }],
      agents: [{ id: 'a1' }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceBy(10_000);
    h.accept('c1', 'a1');
    h.end('c1');
    h.arrive('c2', 'q');
    h.advanceBy(10_000);
    expect(h.ringingFor('c2')).toEqual(['a1']);
  });

  it('skips an agent who declined for the re-offer delay, then offers the contact to them again', () => {
    const h = new RoutingHarness({ reofferDelayMs: 5_000, queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.decline('c1', 'a1');
    expect(h.ringingFor('c1')).toEqual([]);
    h.arrive('c2', 'q');
    // The decliner is free for other contacts.
    expect(h.ringingFor('c2')).toEqual(['a1']);
    h.decline('c2', 'a1');
    h.advanceBy(5_000);
    expect(h.ringingAt('a1')).toEqual(['c1']);
    expect(h.rejections).toEqual([]);
  });

  it('does not count an offer that never reached the agent (no phone, a server failure) as their decline', () => {
    const h = new RoutingHarness({
      reofferDelayMs: 5_000,
      queues: [{ id: 'q' }],
      agents: [{ id: 'a1' }, { id: 'a2' }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.send({
      type: 'OfferDeclined',
      contactId: 'c1' as InteractionId,
      agentId: 'a1' as AgentId,
      unreachable: 'server',
    });
    const unreachable = h.factsOf('AgentActivityChanged').find((f) => f.from === 'ringing');
    expect(unreachable?.cause).toEqual({ by: 'system', reason: 'agent-unreachable' });
    expect(agentStatistics(h.state, 'a1' as AgentId)?.declinedOffers).toBe(0);
    // The caller goes back in line and is offered again, like after a decline.
    h.login('a2');
    expect(h.ringingFor('c1')).toEqual(['a2']);
    // A phone that refuses (busy, decline) is the agent's answer, and counts.
    h.arrive('c2', 'q');
    const [ringing] = h.ringingFor('c2');
    h.decline('c2', ringing ?? '');
    expect(agentStatistics(h.state, (ringing ?? '') as AgentId)?.declinedOffers).toBe(1);
  });

  it('puts an available agent with no registered phone on a no-phone break: calls stop going to them, and their chat offers go elsewhere', () => {
    const h = new RoutingHarness({
      reofferDelayMs: 5_000,
      queues: [{ id: 'calls' }, { id: 'chat', channels: ['chat'] }],
      agents: [
        { id: 'a1', capacity: { voice: 1, chat: 1 } },
        { id: 'a2', capacity: { voice: 1, chat: 1 } },
      ],
    });
    h.login('a1');
    h.arrive('chat1', 'chat', { channel: 'chat' });
    h.arrive('c1', 'calls');
    expect(h.ringingAt('a1').sort()).toEqual(['c1', 'chat1']);
    h.send({
      type: 'OfferDeclined',
      contactId: 'c1' as InteractionId,
      agentId: 'a1' as AgentId,
      unreachable: 'no-phone',
    });
    expect(h.factsOf('AgentPresenceChanged').at(-1)).toMatchObject({
      agentId: 'a1',
      from: { kind: 'available' },
      to: { kind: 'break', reason: 'no-phone' },
      cause: { by: 'system', reason: 'no registered phone' },
    });
    // Not their decline, and nothing rings at them any more: not this call after the re-offer delay, nor
    // the chat (taken back at once, not left to ring out).
    expect(agentStatistics(h.state, 'a1' as AgentId)?.declinedOffers).toBe(0);
    expect(h.ringingAt('a1')).toEqual([]);
    h.advanceBy(60_000);
    expect(h.ringingAt('a1')).toEqual([]);
    // Both contacts still wait in line, and go to the next agent who becomes available.
    h.login('a2');
    expect(h.ringingAt('a2').sort()).toEqual(['c1', 'chat1']);
    // Once the agent has registered a phone and chooses available again, calls reach them again.
    h.login('a1');
    h.arrive('c2', 'calls');
    expect(h.ringingFor('c2')).toEqual(['a1']);
    // When the server could not ring a phone (its database or media failed), the agent stays available.
    h.send({
      type: 'OfferDeclined',
      contactId: 'c2' as InteractionId,
      agentId: 'a1' as AgentId,
      unreachable: 'server',
    });
    expect(h.factsOf('AgentPresenceChanged').at(-1)).toMatchObject({
      agentId: 'a1',
      to: { kind: 'available' },
    });
  });

  it('never offers more than an agent’s capacity per channel', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'chat', channels: ['chat'] }, { id: 'calls' }],
      agents: [{ id: 'a1', capacity: { chat: 2, voice: 1 } }],
    });
    h.login('a1');
    for (const c of ['c1', 'c2', 'c3']) h.arrive(c, 'chat', { channel: 'chat' });
    expect(h.ringingAt('a1')).toEqual(['c1', 'c2']);
    h.accept('c1', 'a1');
    h.accept('c2', 'a1');
    // Voice capacity is separate: a call still reaches the agent.
    h.arrive('v1', 'calls');
    expect(h.ringingAt('a1')).toEqual(['v1']);
    h.end('c1');
    expect(h.ringingAt('a1')).toEqual(['v1', 'c3']);
  });

  it('takes back a ringing offer when the agent goes on break, and gives it to someone else', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }, { id: 'a2' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.login('a2');
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(h.commandsOf('WithdrawOffer').at(-1)).toMatchObject({
      agentId: 'a1',
      reason: 'agent-unavailable',
    });
    expect(h.ringingFor('c1')).toEqual(['a2']);
  });

  it('lets an agent finish a call after choosing offline, then gives them nothing more', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.presence('a1', { kind: 'offline' });
    h.arrive('c2', 'q');
    h.end('c1');
    expect(h.ringing.size).toBe(0);
    expect(h.factsOf('ContactFinished').map((f) => [f.contactId, f.outcome])).toEqual([['c1', 'answered']]);
  });

  it('withdraws the offer when the caller hangs up while ringing, and counts an abandon', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceBy(3_000);
    h.abandon('c1');
    expect(h.commandsOf('WithdrawOffer').at(-1)).toMatchObject({ agentId: 'a1', reason: 'abandoned' });
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({
      contactId: 'c1',
      outcome: 'abandoned',
      waitMs: 3_000,
    });
  });

  it('times wrap-up, or waits for the agent to end it when the queue says so', () => {
    const h = new RoutingHarness({
      queues: [
        { id: 'timed', wrapUpMs: 30_000 },
        { id: 'manual', wrapUpMs: null },
      ],
      agents: [{ id: 'a1' }],
    });
    h.login('a1');
    h.arrive('c1', 'timed');
    h.accept('c1', 'a1');
    h.end('c1');
    h.arrive('c2', 'manual');
    h.advanceBy(29_999);
    expect(h.ringingFor('c2')).toEqual([]);
    h.advanceBy(1);
    expect(h.ringingFor('c2')).toEqual(['a1']);
    h.accept('c2', 'a1');
    h.end('c2');
    h.arrive('c3', 'timed');
    h.advanceBy(3_600_000);
    expect(h.ringingFor('c3')).toEqual([]);
    h.send({ type: 'WrapUpEnded', agentId: 'a1' as never, contactId: 'c2' as never });
    expect(h.ringingFor('c3')).toEqual(['a1']);
  });
});
