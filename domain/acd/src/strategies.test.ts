import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput, StrategyName } from './routing-config.ts';
import { RoutingHarness } from './routing-harness.ts';

type Strategy = StrategyName | { readonly type: StrategyName; readonly agentOrder?: string[] };

function center(
  strategy: Strategy,
  agents: RoutingConfigInput['agents'],
  extra: object = {},
): RoutingHarness {
  return new RoutingHarness({
    queues: [{ id: 'q', strategy, channels: ['voice', 'chat'], ...extra }],
    agents,
  });
}

const three = [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }];

/** The agent the contact rang, after it arrives now. */
function offeredTo(h: RoutingHarness, contactId: string, channel: 'voice' | 'chat' = 'voice'): string {
  h.arrive(contactId, 'q', { channel });
  const ringing = h.ringingFor(contactId);
  expect(ringing).toHaveLength(1);
  return ringing[0]!;
}

/** Arrives, is answered by whoever it rings, and ends at once. */
function handleAtOnce(h: RoutingHarness, contactId: string): string {
  const agent = offeredTo(h, contactId);
  h.accept(contactId, agent);
  h.end(contactId);
  return agent;
}

describe('strategies', () => {
  it('longest-idle: the agent free the longest gets the contact', () => {
    const h = center('longest-idle', three);
    h.login('a2');
    h.advanceTo(1_000);
    h.login('a1');
    h.advanceTo(2_000);
    h.login('a3');
    h.advanceTo(5_000);
    expect(handleAtOnce(h, 'c1')).toBe('a2');
    h.advanceBy(1_000);
    expect(handleAtOnce(h, 'c2')).toBe('a1');
    h.advanceBy(1_000);
    expect(handleAtOnce(h, 'c3')).toBe('a3');
    h.advanceBy(1_000);
    // a2 was freed first (at 5 s), so it is the longest idle again.
    expect(handleAtOnce(h, 'c4')).toBe('a2');
  });

  it('least-occupied: a chat goes to the agent with the fewest chats open', () => {
    const h = center('least-occupied', [
      { id: 'a1', capacity: { chat: 3 } },
      { id: 'a2', capacity: { chat: 3 } },
    ]);
    h.login('a1', 'a2');
    const accept = (c: string): string => {
      const agent = offeredTo(h, c, 'chat');
      h.accept(c, agent);
      return agent;
    };
    expect([accept('c1'), accept('c2'), accept('c3')]).toEqual(['a1', 'a2', 'a1']);
    h.advanceBy(1_000);
    h.end('c2');
    // a1 has two chats open, a2 none.
    expect(accept('c4')).toBe('a2');
    expect(accept('c5')).toBe('a2');
    expect(accept('c6')).toBe('a1');
  });

  it('least-talk-time: the agent with the least talk today, even if freed later', () => {
    const h = center('least-talk-time', [{ id: 'a1' }, { id: 'a2' }]);
    h.login('a1', 'a2');
    h.accept('c1', offeredTo(h, 'c1'));
    h.advanceTo(400_000);
    expect(offeredTo(h, 'c2')).toBe('a2');
    h.accept('c2', 'a2');
    h.advanceTo(500_000);
    h.end('c1'); // a1: 500 s of talk, free since 500 s
    h.advanceTo(520_000);
    h.end('c2'); // a2: 120 s of talk, free since 520 s
    h.advanceTo(1_000_000);
    expect(offeredTo(h, 'c3')).toBe('a2');
  });

  it('fewest-contacts: the agent who handled the fewest contacts today', () => {
    const h = center('fewest-contacts', [{ id: 'a1' }, { id: 'a2' }]);
    h.login('a1', 'a2');
    expect(handleAtOnce(h, 'c1')).toBe('a1');
    h.advanceTo(5_000);
    h.accept('c2', offeredTo(h, 'c2'));
    h.advanceTo(20_000);
    expect(handleAtOnce(h, 'c3')).toBe('a1');
    h.advanceTo(500_000);
    h.end('c2');
    h.advanceTo(600_000);
    // a1 has handled two and has been free longer; a2 has handled one.
    expect(offeredTo(h, 'c4')).toBe('a2');
  });

  it('round-robin: takes turns in the configured order and remembers whose turn it is', () => {
    const h = center({ type: 'round-robin', agentOrder: ['a3', 'a1', 'a2'] }, three);
    h.login('a1', 'a2', 'a3');
    h.accept('c1', offeredTo(h, 'c1')); // a3 stays on the call
    expect(h.ringing.size).toBe(0);
    expect(handleAtOnce(h, 'c2')).toBe('a1');
    expect(handleAtOnce(h, 'c3')).toBe('a2');
    // Next would be a3 (busy), so the turn passes on to a1.
    expect(handleAtOnce(h, 'c4')).toBe('a1');
    expect(handleAtOnce(h, 'c5')).toBe('a2');
  });

  it('fixed-order: always the first available agent in the list', () => {
    const h = center({ type: 'fixed-order', agentOrder: ['a3', 'a1', 'a2'] }, three);
    h.login('a1', 'a2', 'a3');
    expect(offeredTo(h, 'c1')).toBe('a3');
    h.accept('c1', 'a3');
    expect(handleAtOnce(h, 'c2')).toBe('a1');
    expect(handleAtOnce(h, 'c3')).toBe('a1');
  });

  it('ring-all: every available agent rings, the first to accept wins and the rest stop ringing', () => {
    const h = center('ring-all', three);
    h.login('a1', 'a2', 'a3');
    h.arrive('c1', 'q');
    expect(h.ringingFor('c1').sort()).toEqual(['a1', 'a2', 'a3']);
    h.accept('c1', 'a2');
    expect(h.ringing.size).toBe(0);
    expect(h.commandsOf('WithdrawOffer').map((c) => [c.agentId, c.reason])).toEqual([
      ['a1', 'answered-elsewhere'],
      ['a3', 'answered-elsewhere'],
    ]);
    expect(h.accept('c1', 'a1').rejection?.code).toBe('ACD_OFFER_NOT_FOUND');
    // The two who lost the race are free again: the next contact rings both.
    h.arrive('c2', 'q');
    expect(h.ringingFor('c2').sort()).toEqual(['a1', 'a3']);
  });

  it('ring-all: misses nobody in particular was expected to answer do not count as missed offers', () => {
    const h = new RoutingHarness({
      missedOffersBeforeNotReady: 1,
      queues: [{ id: 'q', strategy: 'ring-all', offerTimeoutMs: 10_000 }],
      agents: three,
    });
    h.login('a1', 'a2', 'a3');
    h.arrive('c1', 'q');
    h.advanceBy(10_000);
    expect(h.factsOf('AgentPresenceChanged').filter((f) => f.to.kind === 'break')).toEqual([]);
  });

  it('random: uniform over available agents, replayable with the same seed', () => {
    const run = (seed: number): string[] => {
      const h = new RoutingHarness({ queues: [{ id: 'q', strategy: 'random' }], agents: three }, { seed });
      h.login('a1', 'a2', 'a3');
      return Array.from({ length: 2_400 }, (_, i) => handleAtOnce(h, `c${i}`));
    };
    const picks = run(11);
    expect(run(11)).toEqual(picks);
    expect(run(12)).not.toEqual(picks);
    for (const agent of ['a1', 'a2', 'a3']) {
      expect(Math.abs(picks.filter((p) => p === agent).length - 800)).toBeLessThan(90);
    }
  });

  it('weighted-random: each agent is picked in proportion to its weight', () => {
    const h = new RoutingHarness(
      {
        queues: [{ id: 'q', strategy: 'weighted-random' }],
        agents: [
          { id: 'a1', weight: 1 },
          { id: 'a2', weight: 2 },
          { id: 'a3', weight: 7 },
        ],
      },
      { seed: 5 },
    );
    h.login('a1', 'a2', 'a3');
    const picks = Array.from({ length: 3_000 }, (_, i) => handleAtOnce(h, `c${i}`));
    const share = (agent: string): number => picks.filter((p) => p === agent).length / picks.length;
    expect(share('a1')).toBeCloseTo(0.1, 1);
    expect(share('a2')).toBeCloseTo(0.2, 1);
    expect(share('a3')).toBeCloseTo(0.7, 1);
  });

  it('best-skill: the highest level in the queue’s skills first', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', strategy: 'best-skill', requiredSkills: [{ skill: 'billing', minLevel: 2 }] }],
      agents: [
        { id: 'a1', skills: { billing: 3 } },
        { id: 'a2', skills: { billing: 9 } },
        { id: 'a3', skills: { billing: 6 } },
        { id: 'a4', skills: { billing: 1 } },
      ],
    });
    h.login('a1', 'a2', 'a3', 'a4');
    expect(offeredTo(h, 'c1')).toBe('a2');
    h.accept('c1', 'a2');
    expect(offeredTo(h, 'c2')).toBe('a3');
    h.accept('c2', 'a3');
    expect(offeredTo(h, 'c3')).toBe('a1');
    h.accept('c3', 'a1');
    // a4 is below the minimum level: the next contact waits.
    h.arrive('c4', 'q');
    expect(h.ringingFor('c4')).toEqual([]);
  });
});
