import type { AgentId, InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from './routing-config.ts';
import { RoutingHarness } from './routing-harness.ts';

// Issue #7, found by the property test (FC_SEED=657052838): an agent with several slots (chat, capacity 3)
// can have several offers ringing. When the missed-offer rule (or the agent, or a supervisor) took them off
// `available`, only the contacts already waiting faced the queue's `whenNoAgents`; the offers still ringing
// rang out later and their contacts came back into a pool with nobody, where they waited forever although
// the queue refuses or overflows. Now every offer still ringing at an agent who leaves is withdrawn at once,
// and any contact back in line after ringing (timed out, declined, withdrawn) meets `whenNoAgents` then.

type QueueInput = RoutingConfigInput['queues'][number];

const id = (s: string): InteractionId => s as InteractionId;

/**
 * Chat queue `q` (skill `front`, nobody-available, offers ring 30 s) with `rules`, and a1, who holds three
 * chats at once; a1 signs in and c1, c2, c3 arrive at 0, 1 and 2 s and all ring at her.
 */
function threeChatsRinging(
  rules: Partial<QueueInput>,
  options: {
    missedOffersBeforeNotReady: number;
    agents?: RoutingConfigInput['agents'];
    otherQueues?: QueueInput[];
  },
) {
  const h = new RoutingHarness({
    missedOffersBeforeNotReady: options.missedOffersBeforeNotReady,
    reofferDelayMs: 5_000,
    queues: [
      {
        id: 'q',
        channels: ['chat'],
        noAgentsMeans: 'nobody-available',
        requiredSkills: [{ skill: 'front' }],
        offerTimeoutMs: 30_000,
        ...rules,
      },
      ...(options.otherQueues ?? []),
    ],
    agents: options.agents ?? [{ id: 'a1', skills: { front: 1 }, capacity: { chat: 3 } }],
  });
  h.login('a1');
  h.arrive('c1', 'q', { channel: 'chat' });
  h.advanceTo(1_000);
  h.arrive('c2', 'q', { channel: 'chat' });
  h.advanceTo(2_000);
  h.arrive('c3', 'q', { channel: 'chat' });
  expect(h.ringingAt('a1')).toEqual(['c1', 'c2', 'c3']);
  return h;
}

function finishedNoAgents(h: RoutingHarness): [string, number][] {
  return h
    .factsOf('ContactFinished')
    .filter((f) => f.outcome === 'overflowed' && f.detail === 'no-agents')
    .map((f) => [f.contactId, f.atMs]);
}

function withdrawals(h: RoutingHarness): [string, string, string][] {
  return h.commandsOf('WithdrawOffer').map((c) => [c.contactId, c.agentId, c.reason]);
}

/** Nothing is left behind: no contact, no work, no ringing, no timer, and nothing more ever happens. */
function expectNothingLeft(h: RoutingHarness): void {
  expect(h.state.contacts.size).toBe(0);
  expect(h.ringing.size).toBe(0);
  const a1 = h.state.agents.get('a1' as AgentId);
  expect(a1?.work.size).toBe(0);
  expect(a1?.load.chat).toBe(0);
  expect(h.pendingTimerCount()).toBe(0);
  const commandsBefore = h.commands.length;
  h.advanceBy(3_600_000);
  expect(h.commands.slice(commandsBefore)).toEqual([]);
  expect(h.rejections).toEqual([]);
}

describe('offers ringing at an agent who leaves (issue #7)', () => {
  it('withdraws all 3 chats of a 3-slot agent put on a break by missed offers, and overflows each', () => {
    const h = threeChatsRinging(
      { whenNoAgents: 'overflow', overflow: { type: 'voicemail' } },
      { missedOffersBeforeNotReady: 1 },
    );
    h.advanceTo(30_000);
    // c1 rang out; that miss put a1 on a break, so c2 and c3 stop ringing at once instead of ringing out.
    expect(h.factsOf('AgentPresenceChanged').at(-1)).toMatchObject({
      agentId: 'a1',
      to: { kind: 'break', reason: 'missed-offer' },
      cause: { by: 'system' },
      atMs: 30_000,
    });
    expect(withdrawals(h)).toEqual([
      ['c1', 'a1', 'timed-out'],
      ['c2', 'a1', 'agent-unavailable'],
      ['c3', 'a1', 'agent-unavailable'],
    ]);
    expect(
      h
        .factsOf('AgentActivityChanged')
        .filter((f) => f.to === 'idle')
        .map((f) => [f.contactId, f.from, f.cause]),
    ).toEqual([
      ['c1', 'ringing', { by: 'system', reason: 'offer-timeout' }],
      ['c2', 'ringing', { by: 'system', reason: 'agent-unavailable' }],
      ['c3', 'ringing', { by: 'system', reason: 'agent-unavailable' }],
    ]);
    // Nobody is available for q any more: each one follows the queue's overflow, with reason no-agents.
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c1', 'c2', 'c3']);
    expect(finishedNoAgents(h)).toEqual([
      ['c1', 30_000],
      ['c2', 30_000],
      ['c3', 30_000],
    ]);
    expect(h.state.queues.get('q' as never)?.today).toMatchObject({ offered: 3, overflowed: 3 });
    // Only the offer that rang out counts as missed; the two taken back did not ring out.
    expect(h.state.agents.get('a1' as AgentId)?.today.missedOffers).toBe(1);
    expectNothingLeft(h);
  });

  it('rejects them in a refusing queue, together with the chat that already waited in line', () => {
    const h = threeChatsRinging({ whenNoAgents: 'refuse' }, { missedOffersBeforeNotReady: 2 });
    h.advanceTo(30_000);
    // c1 rang out (first miss): it skips a1 for 5 s and waits, a1 still being available.
    expect(h.state.contacts.get(id('c1'))?.stage).toBe('queued');
    expect(h.ringingAt('a1')).toEqual(['c2', 'c3']);
    h.advanceTo(31_000);
    // c2 rang out (second miss): a1 goes on a break, c3 is withdrawn, and all three are refused.
    expect(withdrawals(h)).toEqual([
      ['c1', 'a1', 'timed-out'],
      ['c2', 'a1', 'timed-out'],
      ['c3', 'a1', 'agent-unavailable'],
    ]);
    expect(h.commandsOf('RejectContact').map((c) => [c.contactId, c.reason])).toEqual([
      ['c2', 'no-agents'],
      ['c3', 'no-agents'],
      ['c1', 'no-agents'],
    ]);
    expect(finishedNoAgents(h).map(([contactId]) => contactId)).toEqual(['c2', 'c3', 'c1']);
    expect(h.state.queues.get('q' as never)?.today).toMatchObject({ offered: 3, overflowed: 3 });
    expectNothingLeft(h);
  });

  it('withdraws every chat ringing at an agent a supervisor puts on a break; each moves on', () => {
    const h = threeChatsRinging(
      { whenNoAgents: 'overflow', overflow: { type: 'queue', queueId: 'backup' } },
      {
        missedOffersBeforeNotReady: 3,
        agents: [
          { id: 'a1', skills: { front: 1 }, capacity: { chat: 3 } },
          { id: 'b1', skills: { backup: 1 }, capacity: { chat: 2 } },
        ],
        otherQueues: [{ id: 'backup', channels: ['chat'], requiredSkills: [{ skill: 'backup' }] }],
      },
    );
    h.login('b1');
    h.advanceTo(4_000);
    h.send({
      type: 'PresenceSelected',
      agentId: 'a1' as AgentId,
      presence: { kind: 'break', reason: 'meeting' },
      selectedBy: 'supervisor',
    });
    expect(withdrawals(h)).toEqual([
      ['c1', 'a1', 'agent-unavailable'],
      ['c2', 'a1', 'agent-unavailable'],
      ['c3', 'a1', 'agent-unavailable'],
    ]);
    expect(h.factsOf('ContactMoved').map((f) => [f.contactId, f.toQueueId, f.reason])).toEqual([
      ['c1', 'backup', 'no-agents'],
      ['c2', 'backup', 'no-agents'],
      ['c3', 'backup', 'no-agents'],
    ]);
    // In backup, with their seniority: b1 (two slots) takes the first two, the third waits its turn.
    expect(h.ringingAt('b1')).toEqual(['c1', 'c2']);
    expect(h.state.contacts.get(id('c3'))).toMatchObject({ stage: 'queued', seniorityFromMs: 2_000 });
    expect(h.state.queues.get('q' as never)?.today).toMatchObject({ offered: 3, overflowed: 3 });
    expect(h.rejections).toEqual([]);
  });

  it('gives the withdrawn chats to another available agent of the pool instead of turning them away', () => {
    const h = threeChatsRinging(
      { whenNoAgents: 'overflow', overflow: { type: 'voicemail' } },
      {
        missedOffersBeforeNotReady: 1,
        agents: [
          { id: 'a1', skills: { front: 1 }, capacity: { chat: 3 } },
          { id: 'a2', skills: { front: 1 }, capacity: { chat: 3 } },
        ],
      },
    );
    h.advanceTo(3_000);
    h.login('a2');
    expect(h.ringingAt('a2')).toEqual([]);
    h.advanceTo(30_000);
    expect(withdrawals(h)).toEqual([
      ['c1', 'a1', 'timed-out'],
      ['c2', 'a1', 'agent-unavailable'],
      ['c3', 'a1', 'agent-unavailable'],
    ]);
    expect(h.ringingAt('a2')).toEqual(['c1', 'c2', 'c3']);
    expect(h.commandsOf('SendToVoicemail')).toEqual([]);
    expect(finishedNoAgents(h)).toEqual([]);
  });

  it('keeps them in line in a queue that joins, for when the agent is back', () => {
    const h = threeChatsRinging({ whenNoAgents: 'join' }, { missedOffersBeforeNotReady: 1 });
    h.advanceTo(30_000);
    expect(h.ringing.size).toBe(0);
    expect([...h.state.contacts.values()].map((c) => [c.id, c.stage])).toEqual([
      ['c1', 'queued'],
      ['c2', 'queued'],
      ['c3', 'queued'],
    ]);
    h.advanceTo(40_000);
    h.login('a1');
    expect(h.ringingAt('a1')).toEqual(['c1', 'c2', 'c3']);
    expect(h.factsOf('ContactFinished')).toEqual([]);
  });
});

describe('a contact back in line after ringing meets whenNoAgents (issue #7)', () => {
  /**
   * Voice queue `q` (needs `sales`, overflows to voicemail when nobody is available); c1 rings a1, then a
   * supervisor's change takes `sales` away from a1. The offer under way is kept (reconfigure never pulls
   * a ringing offer), so a1 is the last one who can still answer c1, and q's pool is now empty.
   */
  function lastAgentLosesTheSkillWhileRinging() {
    const queue: QueueInput = {
      id: 'q',
      requiredSkills: [{ skill: 'sales' }],
      whenNoAgents: 'overflow',
      noAgentsMeans: 'nobody-available',
      overflow: { type: 'voicemail' },
      offerTimeoutMs: 20_000,
    };
    const h = new RoutingHarness({ queues: [queue], agents: [{ id: 'a1', skills: { sales: 1 } }] });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceTo(3_000);
    h.reconfigure({ queues: [queue], agents: [{ id: 'a1', skills: { support: 1 } }] });
    expect(h.ringingAt('a1')).toEqual(['c1']);
    expect(h.state.contacts.get(id('c1'))?.stage).toBe('offered');
    return h;
  }

  it('overflows a contact declined by the last agent who could answer it', () => {
    const h = lastAgentLosesTheSkillWhileRinging();
    h.advanceTo(5_000);
    h.decline('c1', 'a1');
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c1', queueId: 'q' },
    ]);
    expect(h.factsOf('ContactFinished')).toEqual([
      {
        type: 'ContactFinished',
        contactId: 'c1',
        queueId: 'q',
        channel: 'voice',
        outcome: 'overflowed',
        detail: 'no-agents',
        waitMs: 5_000,
        atMs: 5_000,
      },
    ]);
    expect(h.state.agents.get('a1' as AgentId)?.today.declinedOffers).toBe(1);
    expect(h.state.contacts.size).toBe(0);
    expect(h.pendingTimerCount()).toBe(0);
    expect(h.rejections).toEqual([]);
  });

  it('overflows it the same way when that offer rings out', () => {
    const h = lastAgentLosesTheSkillWhileRinging();
    h.advanceTo(20_000);
    expect(h.commandsOf('WithdrawOffer')).toEqual([
      { type: 'WithdrawOffer', contactId: 'c1', agentId: 'a1', reason: 'timed-out' },
    ]);
    expect(finishedNoAgents(h)).toEqual([['c1', 20_000]]);
    expect(h.state.contacts.size).toBe(0);
    expect(h.pendingTimerCount()).toBe(0);
  });

  it('keeps a contact declined by an agent who stays available (a decline is not "nobody here")', () => {
    const h = new RoutingHarness({
      reofferDelayMs: 5_000,
      queues: [
        {
          id: 'q',
          whenNoAgents: 'overflow',
          noAgentsMeans: 'nobody-available',
          overflow: { type: 'voicemail' },
        },
      ],
      agents: [{ id: 'a1' }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    h.decline('c1', 'a1');
    expect(h.state.contacts.get(id('c1'))?.stage).toBe('queued');
    expect(h.ringingAt('a1')).toEqual([]);
    h.advanceTo(5_000);
    expect(h.ringingAt('a1')).toEqual(['c1']);
    expect(h.factsOf('ContactFinished')).toEqual([]);
  });
});
