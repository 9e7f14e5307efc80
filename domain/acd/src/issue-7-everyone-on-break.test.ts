import type { InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from './routing-config.ts';
import { RoutingHarness } from './routing-harness.ts';

// Issue #7: callers already waiting when the last agent of their pool goes on a break (nobody-available)
// or signs out (nobody-signed-in) leave the queue as a new arrival would, instead of waiting forever.

type QueueInput = RoutingConfigInput['queues'][number];

const id = (s: string): InteractionId => s as InteractionId;

/**
 * One queue and agent a1, who is on a call with c1 while c2 and c3 wait behind it (with a maximum wait,
 * so that the timers they leave behind can be checked).
 */
function busyQueue(queue: Partial<QueueInput>, agents: RoutingConfigInput['agents'] = [{ id: 'a1' }]) {
  const h = new RoutingHarness({
    queues: [
      { id: 'q', maxWaitMs: 600_000, overflow: { type: 'voicemail' }, ...queue },
      { id: 'backup', requiredSkills: [{ skill: 'backup' }] },
    ],
    agents,
  });
  h.login('a1');
  h.arrive('c1', 'q');
  h.accept('c1', 'a1');
  h.advanceTo(1_000);
  h.arrive('c2', 'q');
  h.advanceTo(2_000);
  h.arrive('c3', 'q');
  h.advanceTo(10_000);
  return h;
}

function stageOf(h: RoutingHarness, contactId: string): string | undefined {
  return h.state.contacts.get(id(contactId))?.stage;
}

function finishedNoAgents(h: RoutingHarness): string[] {
  return h
    .factsOf('ContactFinished')
    .filter((f) => f.outcome === 'overflowed' && f.detail === 'no-agents')
    .map((f) => f.contactId);
}

describe('callers waiting when the last agent leaves (issue #7)', () => {
  it('overflows waiting callers when the last available agent goes on a break (nobody-available)', () => {
    const h = busyQueue({ whenNoAgents: 'overflow', noAgentsMeans: 'nobody-available' });
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c2', queueId: 'q' },
      { type: 'SendToVoicemail', contactId: 'c3', queueId: 'q' },
    ]);
    expect(h.factsOf('ContactFinished').slice(-2)).toEqual([
      {
        type: 'ContactFinished',
        contactId: 'c2',
        queueId: 'q',
        channel: 'voice',
        outcome: 'overflowed',
        detail: 'no-agents',
        waitMs: 9_000,
        atMs: 10_000,
      },
      {
        type: 'ContactFinished',
        contactId: 'c3',
        queueId: 'q',
        channel: 'voice',
        outcome: 'overflowed',
        detail: 'no-agents',
        waitMs: 8_000,
        atMs: 10_000,
      },
    ]);
    const queue = h.state.queues.get('q' as never);
    expect(queue?.today).toMatchObject({ offered: 3, overflowed: 2 });
    expect(queue?.waiting.size).toBe(0);
    // The call in progress goes on; the callers' maximum-wait timers went with them.
    expect(stageOf(h, 'c1')).toBe('connected');
    const commandsBefore = h.commands.length;
    h.advanceTo(700_000);
    expect(h.commands.slice(commandsBefore)).toEqual([]);
    expect(h.rejections).toEqual([]);
  });

  it('moves them to an overflow queue with their seniority, where an agent takes them', () => {
    const h = busyQueue(
      {
        whenNoAgents: 'overflow',
        noAgentsMeans: 'nobody-available',
        overflow: { type: 'queue', queueId: 'backup' },
      },
      [{ id: 'a1' }, { id: 'b1', skills: { backup: 1 } }],
    );
    // b1 serves q too (q needs no skill), so a1 and b1 both answer: b1 takes a call of another queue.
    h.login('b1');
    expect(h.ringingAt('b1')).toEqual(['c2']);
    h.accept('c2', 'b1');
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(stageOf(h, 'c3')).toBe('queued'); // b1 is still available (busy, not on a break)
    h.presence('b1', { kind: 'break', reason: 'lunch' });
    // Now nobody is available for q: c3 moves to backup (whose pool is b1, on a break, and who joins).
    expect(h.factsOf('ContactMoved')).toEqual([
      {
        type: 'ContactMoved',
        contactId: 'c3',
        fromQueueId: 'q',
        toQueueId: 'backup',
        reason: 'no-agents',
        atMs: 10_000,
      },
    ]);
    expect(h.state.contacts.get(id('c3'))).toMatchObject({ stage: 'queued', seniorityFromMs: 2_000 });
    h.login('b1');
    expect(h.ringingAt('b1')).toEqual([]); // b1 is on c2 (capacity 1)
    h.end('c2');
    expect(h.ringingAt('b1')).toEqual(['c3']);
  });

  it('takes back the caller ringing the agent who goes on a break, and overflows it with the others', () => {
    const h = new RoutingHarness({
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
    expect(h.ringingAt('a1')).toEqual(['c1']);
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(h.commandsOf('WithdrawOffer')).toEqual([
      { type: 'WithdrawOffer', contactId: 'c1', agentId: 'a1', reason: 'agent-unavailable' },
    ]);
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c1', queueId: 'q' },
    ]);
    expect(h.state.contacts.size).toBe(0);
  });

  it('does the same when the system puts the last agent on a break after missed offers', () => {
    const h = new RoutingHarness({
      missedOffersBeforeNotReady: 1,
      queues: [
        {
          id: 'q',
          whenNoAgents: 'overflow',
          noAgentsMeans: 'nobody-available',
          overflow: { type: 'voicemail' },
          offerTimeoutMs: 15_000,
        },
      ],
      agents: [{ id: 'a1' }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceTo(15_000);
    expect(h.factsOf('AgentPresenceChanged').at(-1)).toMatchObject({
      agentId: 'a1',
      to: { kind: 'break', reason: 'missed-offer' },
    });
    expect(finishedNoAgents(h)).toEqual(['c1']);
  });

  it('with nobody-signed-in, a break keeps them waiting and signing out moves them', () => {
    const h = busyQueue({ whenNoAgents: 'overflow', noAgentsMeans: 'nobody-signed-in' });
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(stageOf(h, 'c2')).toBe('queued');
    expect(stageOf(h, 'c3')).toBe('queued');
    expect(finishedNoAgents(h)).toEqual([]);
    h.advanceTo(20_000);
    h.presence('a1', { kind: 'offline' });
    expect(finishedNoAgents(h)).toEqual(['c2', 'c3']);
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c2', 'c3']);
  });

  it('rejects them when the queue refuses', () => {
    const h = busyQueue({ whenNoAgents: 'refuse', noAgentsMeans: 'nobody-available' });
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(h.commandsOf('RejectContact')).toEqual([
      { type: 'RejectContact', contactId: 'c2', reason: 'no-agents' },
      { type: 'RejectContact', contactId: 'c3', reason: 'no-agents' },
    ]);
    expect(h.commandsOf('SendToVoicemail')).toEqual([]);
    expect(finishedNoAgents(h)).toEqual(['c2', 'c3']);
    expect(h.state.queues.get('q' as never)?.today.overflowed).toBe(2);
  });

  it('keeps callbacks in line for when someone comes back', () => {
    const h = busyQueue({ whenNoAgents: 'overflow', noAgentsMeans: 'nobody-available' });
    h.send({ type: 'CallbackRequested', contactId: id('c2') });
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(finishedNoAgents(h)).toEqual(['c3']);
    expect(stageOf(h, 'c2')).toBe('callback-queued');
    h.end('c1');
    h.login('a1');
    expect(h.commandsOf('PlaceCallback')).toEqual([
      { type: 'PlaceCallback', contactId: 'c2', agentId: 'a1' },
    ]);
  });

  it('leaves a caller ringing an agent of its wider pool while the queue’s own agents leave', () => {
    // After 5 s c2 also reaches the help queue's agents (escalation), and rings h1; a1 is the queue's own.
    const h = new RoutingHarness({
      queues: [
        {
          id: 'q',
          requiredSkills: [{ skill: 'sales' }],
          whenNoAgents: 'overflow',
          noAgentsMeans: 'nobody-available',
          overflow: { type: 'voicemail' },
          escalation: [{ afterMs: 5_000, action: { type: 'add-queue-agents', queueId: 'help' } }],
        },
        { id: 'help', requiredSkills: [{ skill: 'help' }] },
      ],
      agents: [
        { id: 'a1', skills: { sales: 1 } },
        { id: 'h1', skills: { help: 1 } },
        { id: 'h2', skills: { help: 1 } },
      ],
    });
    h.login('a1', 'h1');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.arrive('c2', 'q');
    h.advanceTo(5_000);
    expect(h.ringingAt('h1')).toEqual(['c2']);
    h.arrive('c3', 'q');
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    // c3 waited for a1 alone and leaves; c2 keeps ringing h1.
    expect(finishedNoAgents(h)).toEqual(['c3']);
    expect(stageOf(h, 'c2')).toBe('offered');
    expect(h.ringingAt('h1')).toEqual(['c2']);
    expect(h.commandsOf('WithdrawOffer')).toEqual([]);
  });

  it('leaves callers of a queue that joins where they are', () => {
    const h = busyQueue({ whenNoAgents: 'join', noAgentsMeans: 'nobody-available' });
    h.presence('a1', { kind: 'offline' });
    expect(stageOf(h, 'c2')).toBe('queued');
    expect(stageOf(h, 'c3')).toBe('queued');
    expect(h.factsOf('ContactFinished')).toEqual([]);
  });

  it('keeps them while another agent of the pool is available, and moves them when she leaves too', () => {
    const h = busyQueue({ whenNoAgents: 'overflow', noAgentsMeans: 'nobody-available' }, [
      { id: 'a1' },
      { id: 'a2' },
    ]);
    h.login('a2');
    h.accept('c2', 'a2');
    expect(stageOf(h, 'c3')).toBe('queued');
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(stageOf(h, 'c3')).toBe('queued');
    expect(finishedNoAgents(h)).toEqual([]);
    h.presence('a2', { kind: 'break', reason: 'training' });
    expect(finishedNoAgents(h)).toEqual(['c3']);
    expect(stageOf(h, 'c1')).toBe('connected');
    expect(stageOf(h, 'c2')).toBe('connected');
  });

  it('sends them through the overflow queue’s own door: with nobody there either, on to its target', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'q',
          whenNoAgents: 'overflow',
          noAgentsMeans: 'nobody-available',
          overflow: { type: 'queue', queueId: 'night' },
        },
        {
          id: 'night',
          whenNoAgents: 'refuse',
          noAgentsMeans: 'nobody-available',
          requiredSkills: [{ skill: 'night' }],
        },
      ],
      agents: [{ id: 'a1' }, { id: 'n1', skills: { night: 1 } }],
    });
    h.login('a1');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.arrive('c2', 'q');
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    expect(h.factsOf('ContactMoved').map((f) => [f.contactId, f.toQueueId, f.reason])).toEqual([
      ['c2', 'night', 'no-agents'],
    ]);
    expect(h.commandsOf('RejectContact')).toEqual([
      { type: 'RejectContact', contactId: 'c2', reason: 'no-agents' },
    ]);
    expect(h.state.queues.get('q' as never)?.today.overflowed).toBe(1);
    expect(h.state.queues.get('night' as never)?.today).toMatchObject({ offered: 1, overflowed: 1 });
  });
});
