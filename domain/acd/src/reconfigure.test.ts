import type { AgentId, InteractionId, QueueId, UserId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from './routing-config.ts';
import { RoutingHarness } from './routing-harness.ts';
import { agentStatistics, queueStatistics } from './statistics.ts';

// Issue #7: a configuration change (a queue's settings, skills, staff) must not lose anyone. `reconfigure`
// builds the state for the new configuration and carries over every contact, offer, agent's work and
// counter, on the same timers.

type QueueInput = RoutingConfigInput['queues'][number];
type AgentInput = NonNullable<RoutingConfigInput['agents']>[number];

const contact = (id: string): InteractionId => id as InteractionId;
const agent = (id: string): AgentId => id as AgentId;
const queue = (id: string): QueueId => id as QueueId;

function config(queues: QueueInput[], agents: AgentInput[]): RoutingConfigInput {
  return { queues, agents };
}

/** The engine holds exactly the timers the harness will fire: none lost, none orphaned. */
function expectTimersInStep(h: RoutingHarness): void {
  expect(h.pendingTimerIds()).toEqual([...h.state.timers.keys()].sort());
}

/** The contacts offered to the agent since the `sinceCommand`-th command. */
function offersTo(h: RoutingHarness, agentId: string, sinceCommand: number): string[] {
  return h.commands
    .slice(sinceCommand)
    .flatMap((c) => (c.type === 'OfferContact' && c.agentId === agentId ? [c.contactId] : []));
}

/** Serves the agent's calls one by one (accept, end) and returns the order they were offered in. */
function serveAll(h: RoutingHarness, agentId: string, count: number): string[] {
  const served: string[] = [];
  for (let i = 0; i < count; i++) {
    const [next] = h.ringingAt(agentId);
    if (next === undefined) break;
    served.push(next);
    h.accept(next, agentId);
    h.advanceBy(60_000);
    h.end(next);
  }
  return served;
}

describe('reconfigure: callers waiting during a configuration change (issue #7)', () => {
  it('keeps waiting callers in line, in the same order, and offers them when the agent frees up', () => {
    const q: QueueInput = { id: 'q', maxWaitMs: 3_600_000 };
    const h = new RoutingHarness(config([q, { id: 'other' }], [{ id: 'a1' }]));
    h.login('a1');
    h.arrive('c0', 'q');
    h.accept('c0', 'a1');
    h.advanceTo(1_000);
    h.arrive('c1', 'q');
    h.advanceTo(2_000);
    h.arrive('c2', 'q');
    h.advanceTo(3_000);
    h.arrive('c3', 'q', { customerPriority: 5 });
    h.advanceTo(4_000);
    const before = h.state.contacts.get(contact('c2'));

    const change = h.reconfigure(config([{ ...q, offerTimeoutMs: 15_000 }, { id: 'other' }], [{ id: 'a1' }]));

    // Nothing to tell the callers or the agent, nothing to record: they do not notice.
    expect(change.commands).toEqual([]);
    expect(change.facts).toEqual([]);
    expect(h.rejections).toEqual([]);
    expectTimersInStep(h);
    expect(queueStatistics(h.state, queue('q'))).toMatchObject({ waiting: 3, longestWaitMs: 3_000 });
    const after = h.state.contacts.get(contact('c2'));
    expect(after).not.toBe(before);
    expect(after).toMatchObject({
      stage: 'queued',
      queuedAtMs: 2_000,
      seniorityFromMs: 2_000,
      priority: 0,
      timers: before?.timers,
    });

    h.end('c0');
    expect(serveAll(h, 'a1', 3)).toEqual(['c3', 'c1', 'c2']);
    expect(h.state.contacts.size).toBe(0);
    expectTimersInStep(h);
  });

  it('fires the maximum wait at the original deadline, or at the new one measured from when the caller joined', () => {
    const q: QueueInput = { id: 'q', maxWaitMs: 60_000, overflow: { type: 'voicemail' } };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }]));
    h.arrive('c1', 'q');
    h.advanceTo(5_000);
    h.arrive('c2', 'q');
    h.advanceTo(10_000);
    h.arrive('c3', 'q');
    h.advanceTo(20_000);
    // An unrelated setting changes: the timers stay as they were.
    h.reconfigure(config([{ ...q, priority: 3 }], [{ id: 'a1' }]));
    expectTimersInStep(h);
    h.advanceTo(59_999);
    expect(h.commandsOf('SendToVoicemail')).toEqual([]);
    h.advanceTo(60_000);
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c1']);

    // The maximum wait itself changes: 90 s from when each caller joined (c2 at 95 s, c3 at 100 s)...
    h.reconfigure(config([{ ...q, maxWaitMs: 90_000 }], [{ id: 'a1' }]));
    expectTimersInStep(h);
    h.advanceTo(94_999);
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c1']);
    h.advanceTo(95_000);
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c1', 'c2']);
    // ...and a deadline the new setting puts in the past fires at once.
    h.reconfigure(config([{ ...q, maxWaitMs: 30_000 }], [{ id: 'a1' }]));
    h.advanceTo(95_000);
    expect(h.commandsOf('SendToVoicemail').map((c) => c.contactId)).toEqual(['c1', 'c2', 'c3']);
    expect(h.factsOf('ContactFinished').map((f) => [f.contactId, f.waitMs, f.detail])).toEqual([
      ['c1', 60_000, 'max-wait'],
      ['c2', 90_000, 'max-wait'],
      ['c3', 85_000, 'max-wait'],
    ]);
    // No maximum wait any more: the caller waits.
    h.arrive('c4', 'q');
    h.reconfigure(config([{ ...q, maxWaitMs: undefined }], [{ id: 'a1' }]));
    h.advanceBy(3_600_000);
    expect(h.state.contacts.get(contact('c4'))?.stage).toBe('queued');
    expectTimersInStep(h);
  });

  it('goes on with escalation from the step reached, on the times measured from when the caller joined', () => {
    const q: QueueInput = {
      id: 'q',
      escalation: [
        { afterMs: 10_000, action: { type: 'raise-priority', by: 5 } },
        { afterMs: 30_000, action: { type: 'raise-priority', by: 7 } },
      ],
    };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }]));
    h.arrive('c1', 'q');
    h.advanceTo(15_000);
    expect(h.state.contacts.get(contact('c1'))?.priority).toBe(5);
    h.reconfigure(config([{ ...q, priority: 1 }], [{ id: 'a1' }]));
    // The queue's new priority, plus what escalation raised.
    expect(h.state.contacts.get(contact('c1'))?.priority).toBe(6);
    h.advanceTo(29_999);
    expect(h.factsOf('EscalationApplied')).toHaveLength(1);
    h.advanceTo(30_000);
    expect(h.factsOf('EscalationApplied').map((f) => [f.stepIndex, f.atMs])).toEqual([
      [0, 10_000],
      [1, 30_000],
    ]);
    expect(h.state.contacts.get(contact('c1'))?.priority).toBe(13);
    expectTimersInStep(h);
  });

  it('re-times the next escalation step when its time changes, from when the caller joined', () => {
    const step = (afterMs: number, by: number) => ({
      afterMs,
      action: { type: 'raise-priority' as const, by },
    });
    const q: QueueInput = { id: 'q', escalation: [step(10_000, 5), step(30_000, 7)] };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }]));
    h.advanceTo(2_000);
    h.arrive('c1', 'q');
    h.advanceTo(15_000);
    h.reconfigure(config([{ ...q, escalation: [step(10_000, 5), step(40_000, 7)] }], [{ id: 'a1' }]));
    expectTimersInStep(h);
    h.advanceTo(41_999);
    expect(h.factsOf('EscalationApplied')).toHaveLength(1);
    h.advanceTo(42_000);
    expect(h.factsOf('EscalationApplied').map((f) => [f.stepIndex, f.atMs])).toEqual([
      [0, 12_000],
      [1, 42_000],
    ]);
    expect(h.state.contacts.get(contact('c1'))?.priority).toBe(12);
  });

  it('keeps announcing on the same rhythm, and follows a change of announcements', () => {
    const q: QueueInput = { id: 'q', announcements: { firstAfterMs: 20_000, everyMs: 60_000 } };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }]));
    h.arrive('c1', 'q');
    h.advanceTo(10_000);
    h.reconfigure(config([{ ...q, priority: 2 }], [{ id: 'a1' }]));
    h.advanceTo(80_000);
    expect(h.commandsOf('AnnounceQueuePosition')).toHaveLength(2);
    h.reconfigure(
      config([{ ...q, announcements: { firstAfterMs: 20_000, everyMs: 30_000 } }], [{ id: 'a1' }]),
    );
    h.advanceTo(109_999);
    expect(h.commandsOf('AnnounceQueuePosition')).toHaveLength(2);
    h.advanceTo(110_000);
    expect(h.commandsOf('AnnounceQueuePosition')).toHaveLength(3);
    h.reconfigure(config([{ id: 'q' }], [{ id: 'a1' }]));
    h.advanceTo(1_000_000);
    expect(h.commandsOf('AnnounceQueuePosition')).toHaveLength(3);
    expectTimersInStep(h);
  });

  it('offers a waiting caller at once when an added skill makes an agent eligible', () => {
    const french: QueueInput = { id: 'fr', requiredSkills: [{ skill: 'french', minLevel: 3 }] };
    const h = new RoutingHarness(config([french], [{ id: 'a1', skills: { sales: 5 } }]));
    h.login('a1');
    h.arrive('c1', 'fr');
    expect(h.ringingFor('c1')).toEqual([]);
    const mark = h.commands.length;

    h.reconfigure(config([french], [{ id: 'a1', skills: { sales: 5, french: 4 } }]));

    expect(offersTo(h, 'a1', mark)).toEqual(['c1']);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('ringing');
    h.accept('c1', 'a1');
    expect(h.rejections).toEqual([]);
    expectTimersInStep(h);
  });

  it('offers a waiting caller at once when the queue stops requiring a skill nobody available has', () => {
    const q: QueueInput = { id: 'q', requiredSkills: [{ skill: 'german' }] };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }, { id: 'a2', skills: { german: 2 } }]));
    h.login('a1');
    h.arrive('c1', 'q');
    const mark = h.commands.length;
    h.reconfigure(config([{ id: 'q' }], [{ id: 'a1' }, { id: 'a2', skills: { german: 2 } }]));
    expect(offersTo(h, 'a1', mark)).toEqual(['c1']);
  });
});

describe('reconfigure: agents’ work and today’s figures survive (issue #7)', () => {
  it('ends a wrap-up in progress on time, or on the new length measured from its start', () => {
    const q: QueueInput = { id: 'q', wrapUpMs: 30_000 };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }, { id: 'a2' }]));
    h.login('a1', 'a2');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.arrive('c2', 'q');
    h.accept('c2', 'a2');
    h.advanceTo(10_000);
    h.end('c1');
    h.end('c2');
    h.advanceTo(20_000);
    // A caller waits while both agents wrap up.
    h.arrive('c3', 'q');

    h.reconfigure(config([{ ...q, priority: 1 }], [{ id: 'a1' }, { id: 'a2' }]));
    expect(h.state.agents.get(agent('a1'))?.status).toBe('wrap-up');
    expect(h.ringingFor('c3')).toEqual([]);
    h.advanceTo(39_999);
    expect(h.ringingFor('c3')).toEqual([]);
    h.advanceTo(40_000);
    // a1 freed first (configuration order breaks the tie) and takes the waiting caller.
    expect(h.ringingFor('c3')).toEqual(['a1']);
    expect(h.factsOf('AgentActivityChanged').filter((f) => f.to === 'idle' && f.from === 'wrap-up')).toEqual([
      expect.objectContaining({ agentId: 'a1', atMs: 40_000 }),
      expect.objectContaining({ agentId: 'a2', atMs: 40_000 }),
    ]);
    expectTimersInStep(h);

    // Another round: a longer wrap-up applies to the one in progress, from its start.
    h.accept('c3', 'a1');
    h.advanceTo(50_000);
    h.end('c3');
    h.advanceTo(55_000);
    h.reconfigure(config([{ ...q, wrapUpMs: 60_000 }], [{ id: 'a1' }, { id: 'a2' }]));
    h.advanceTo(109_999);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('wrap-up');
    h.advanceTo(110_000);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('idle');
    // Until the agent ends it: no timer.
    h.arrive('c4', 'q');
    h.accept('c4', 'a2');
    h.end('c4');
    h.reconfigure(config([{ ...q, wrapUpMs: null }], [{ id: 'a1' }, { id: 'a2' }]));
    h.advanceBy(3_600_000);
    expect(h.state.agents.get(agent('a2'))?.status).toBe('wrap-up');
    h.send({ type: 'WrapUpEnded', agentId: agent('a2'), contactId: contact('c4') });
    expect(h.state.agents.get(agent('a2'))?.status).toBe('idle');
    expect(h.rejections).toEqual([]);
    expectTimersInStep(h);
  });

  it('keeps today’s counters for the wallboard, per queue and per agent', () => {
    const q: QueueInput = {
      id: 'q',
      serviceLevel: { thresholdMs: 20_000, target: 0.8 },
      offerTimeoutMs: 10_000,
    };
    const agents: AgentInput[] = [{ id: 'a1' }, { id: 'a2' }];
    const h = new RoutingHarness({ queues: [q], agents, missedOffersBeforeNotReady: 5 });
    h.login('a1');
    h.arrive('c1', 'q');
    h.advanceTo(5_000);
    h.accept('c1', 'a1');
    h.advanceTo(65_000);
    h.end('c1');
    h.arrive('c2', 'q');
    h.advanceTo(75_000); // a1 misses it
    h.abandon('c2');
    h.arrive('c3', 'q');
    h.advanceTo(76_000);
    const queueBefore = queueStatistics(h.state, queue('q'), 76_000);
    const agentBefore = agentStatistics(h.state, agent('a1'), 76_000);
    expect(queueBefore).toMatchObject({ offered: 3, answered: 1, abandoned: 1 });
    expect(agentBefore).toMatchObject({ contactsHandled: 1, talkTimeMs: 60_000, missedOffers: 1 });

    h.reconfigure({ queues: [{ ...q, maxSize: 10 }], agents, missedOffersBeforeNotReady: 5 });

    expect(queueStatistics(h.state, queue('q'), 76_000)).toEqual(queueBefore);
    expect(agentStatistics(h.state, agent('a1'), 76_000)).toEqual(agentBefore);
    expect(h.state.agents.get(agent('a1'))?.consecutiveMissedOffers).toBe(1);
    expect(h.state.agents.get(agent('a2'))?.presence).toEqual({ kind: 'offline' });
    expect(h.state.agents.get(agent('a1'))?.presence).toEqual({ kind: 'available' });
  });

  it('keeps an offer ringing: it can be accepted, or times out when it was due', () => {
    const q: QueueInput = { id: 'q', offerTimeoutMs: 20_000 };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }, { id: 'a2' }]));
    h.login('a1', 'a2');
    h.arrive('c1', 'q');
    h.arrive('c2', 'q');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    expect(h.ringingFor('c2')).toEqual(['a2']);
    h.advanceTo(5_000);
    h.reconfigure(config([{ ...q, offerTimeoutMs: 5_000 }], [{ id: 'a1' }, { id: 'a2' }]));
    expect(h.commandsOf('WithdrawOffer')).toEqual([]);
    h.accept('c1', 'a1');
    expect(h.rejections).toEqual([]);
    // The offer keeps the expiry the agent's phone was given.
    h.advanceTo(19_999);
    expect(h.ringingFor('c2')).toEqual(['a2']);
    h.advanceTo(20_000);
    expect(h.commandsOf('WithdrawOffer')).toEqual([
      { type: 'WithdrawOffer', contactId: 'c2', agentId: 'a2', reason: 'timed-out' },
    ]);
    expectTimersInStep(h);
  });

  it('keeps a callback in line and a callback being placed', () => {
    const h = new RoutingHarness(config([{ id: 'q', callbackConnectTimeoutMs: 30_000 }], [{ id: 'a1' }]));
    h.login('a1');
    h.arrive('c0', 'q');
    h.accept('c0', 'a1');
    h.arrive('c1', 'q');
    h.send({ type: 'CallbackRequested', contactId: contact('c1') });
    h.reconfigure(config([{ id: 'q', callbackConnectTimeoutMs: 30_000 }], [{ id: 'a1' }]));
    expect(h.state.contacts.get(contact('c1'))).toMatchObject({ stage: 'callback-queued', isCallback: true });
    h.end('c0');
    expect(h.commandsOf('PlaceCallback')).toEqual([
      { type: 'PlaceCallback', contactId: 'c1', agentId: 'a1' },
    ]);
    h.advanceTo(10_000);
    h.reconfigure(config([{ id: 'q', callbackConnectTimeoutMs: 30_000, priority: 1 }], [{ id: 'a1' }]));
    h.send({ type: 'CallbackConnected', contactId: contact('c1') });
    h.end('c1');
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({ contactId: 'c1', outcome: 'called-back' });
    expect(h.rejections).toEqual([]);
  });

  it('keeps engagements and help requests', () => {
    const q: QueueInput = { id: 'q', wrapUpMs: null };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }, { id: 'a2' }]));
    h.login('a1', 'a2');
    h.send({ type: 'AgentEngaged', agentId: agent('a2'), contactId: contact('out-1'), channel: 'voice' });
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.send({ type: 'AgentAskedForHelp', agentId: agent('a1'), contactId: contact('c1'), note: 'baja' });
    h.advanceTo(5_000);
    h.arrive('c2', 'q');

    h.reconfigure(config([{ ...q, priority: 4 }], [{ id: 'a1' }, { id: 'a2' }]));

    // a2 is still busy with the call outside the queues: the waiting caller is not offered to them.
    expect(h.state.agents.get(agent('a2'))?.status).toBe('on-contact');
    expect(h.ringingFor('c2')).toEqual([]);
    expect(h.state.agents.get(agent('a1'))?.work.get(contact('c1'))?.help).toEqual({
      kind: 'open',
      note: 'baja',
      requestedAtMs: 0,
    });
    h.send({
      type: 'SupervisorAttendedHelpRequest',
      contactId: contact('c1'),
      supervisorId: 'sup' as UserId,
    });
    expect(h.factsOf('HelpAttended')).toHaveLength(1);
    h.send({ type: 'AgentDisengaged', agentId: agent('a2'), contactId: contact('out-1') });
    expect(h.ringingFor('c2')).toEqual(['a2']);
    expect(h.rejections).toEqual([]);
  });

  it('keeps the round-robin turn', () => {
    const q: QueueInput = { id: 'q', strategy: { type: 'round-robin', agentOrder: ['a1', 'a2', 'a3'] } };
    const agents: AgentInput[] = [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }];
    const h = new RoutingHarness(config([q], agents));
    h.login('a1', 'a2', 'a3');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.end('c1');
    h.reconfigure(config([{ ...q, priority: 1 }], agents));
    h.arrive('c2', 'q');
    expect(h.ringingFor('c2')).toEqual(['a2']);
  });
});

describe('reconfigure: removed agents and deleted queues (issue #7)', () => {
  it('signs out an agent no longer configured, keeping their call; a ringing offer goes to someone else', () => {
    const q: QueueInput = { id: 'q', wrapUpMs: 10_000 };
    const h = new RoutingHarness(config([q], [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }]));
    h.login('a1', 'a2');
    h.arrive('c1', 'q');
    h.accept('c1', 'a1');
    h.arrive('c2', 'q');
    expect(h.ringingFor('c2')).toEqual(['a2']);
    h.presence('a3', { kind: 'available' });
    const mark = h.commands.length;

    // a1 (on a call) and a2 (ringing) are disabled.
    h.reconfigure(config([q], [{ id: 'a3' }]));

    expect(h.commands.slice(mark)).toContainEqual({
      type: 'WithdrawOffer',
      contactId: 'c2',
      agentId: 'a2',
      reason: 'agent-unavailable',
    });
    expect(h.ringingFor('c2')).toEqual(['a3']);
    expect(h.factsOf('AgentPresenceChanged').slice(-2)).toEqual([
      expect.objectContaining({
        agentId: 'a1',
        to: { kind: 'offline' },
        cause: { by: 'system', reason: 'removed-from-routing' },
      }),
      expect.objectContaining({
        agentId: 'a2',
        to: { kind: 'offline' },
        cause: { by: 'system', reason: 'removed-from-routing' },
      }),
    ]);
    // a1's call goes on; a2, free, is forgotten.
    expect(h.state.agents.has(agent('a2'))).toBe(false);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('on-contact');
    expect(h.commands.slice(mark).filter((c) => c.type === 'DisconnectContact')).toEqual([]);
    h.arrive('c3', 'q');
    h.end('c1');
    expect(h.state.agents.get(agent('a1'))?.status).toBe('wrap-up');
    h.advanceTo(10_000);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('offline');
    expect(h.ringingAt('a1')).toEqual([]);
    expect(h.factsOf('ContactFinished').find((f) => f.contactId === 'c1')).toMatchObject({
      outcome: 'answered',
    });
    // Once free they leave the state at the next change.
    h.reconfigure(config([q], [{ id: 'a3' }]));
    expect(h.state.agents.has(agent('a1'))).toBe(false);
    expect(h.rejections).toEqual([]);
    expectTimersInStep(h);
  });

  it('keeps an agent no longer configured while they are engaged outside the queues', () => {
    const h = new RoutingHarness(config([{ id: 'q' }], [{ id: 'a1' }, { id: 'a2' }]));
    h.login('a1');
    h.send({ type: 'AgentEngaged', agentId: agent('a1'), contactId: contact('out-1'), channel: 'voice' });
    h.reconfigure(config([{ id: 'q' }], [{ id: 'a2' }]));
    expect(h.state.agents.get(agent('a1'))).toMatchObject({
      status: 'on-contact',
      presence: { kind: 'offline' },
    });
    h.arrive('c1', 'q');
    h.send({ type: 'AgentDisengaged', agentId: agent('a1'), contactId: contact('out-1') });
    expect(h.ringingFor('c1')).toEqual([]);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('offline');
    expect(h.rejections).toEqual([]);
  });

  it('moves a deleted queue’s callers to its overflow queue with their seniority, ringing ones included', () => {
    const old: QueueInput = {
      id: 'old',
      overflow: { type: 'queue', queueId: 'backup' },
      requiredSkills: [{ skill: 'x' }],
    };
    const backup: QueueInput = { id: 'backup' };
    const agents: AgentInput[] = [{ id: 'a1', skills: { x: 1 } }, { id: 'a2' }];
    const h = new RoutingHarness(config([old, backup], agents));
    h.login('a1');
    h.arrive('c1', 'old');
    h.advanceTo(1_000);
    h.arrive('c2', 'old');
    h.advanceTo(2_000);
    h.arrive('c3', 'old');
    expect(h.ringingFor('c1')).toEqual(['a1']);
    h.advanceTo(10_000);

    h.reconfigure(config([backup], agents));

    expect(h.commandsOf('WithdrawOffer')).toEqual([
      { type: 'WithdrawOffer', contactId: 'c1', agentId: 'a1', reason: 'requeued' },
    ]);
    expect(h.factsOf('ContactMoved').map((f) => [f.contactId, f.fromQueueId, f.toQueueId, f.reason])).toEqual(
      [
        ['c1', 'old', 'backup', 'queue-deleted'],
        ['c2', 'old', 'backup', 'queue-deleted'],
        ['c3', 'old', 'backup', 'queue-deleted'],
      ],
    );
    // a1 serves the backup queue too (no skills required) and takes the most senior caller.
    expect(h.ringingFor('c1')).toEqual(['a1']);
    expect(h.state.contacts.get(contact('c2'))).toMatchObject({ stage: 'queued', seniorityFromMs: 1_000 });
    expect(queueStatistics(h.state, queue('backup'))).toMatchObject({ offered: 3, waiting: 2 });
    expectTimersInStep(h);
  });

  it('takes a deleted queue’s callers out of it when it has no overflow queue, and lets its calls finish', () => {
    const old: QueueInput = {
      id: 'old',
      overflow: { type: 'voicemail' },
      wrapUpMs: 15_000,
      maxWaitMs: 600_000,
    };
    const h = new RoutingHarness(config([old, { id: 'other' }], [{ id: 'a1' }]));
    h.login('a1');
    h.arrive('c1', 'old');
    h.accept('c1', 'a1');
    h.arrive('c2', 'old');
    h.send({ type: 'CallbackRequested', contactId: contact('c2') });
    h.arrive('c3', 'old');
    h.advanceTo(30_000);

    h.reconfigure(config([{ id: 'other' }], [{ id: 'a1' }]));

    // Not its voicemail: the message would be a ticket of a queue that no longer exists.
    expect(h.commandsOf('SendToVoicemail')).toEqual([]);
    expect(h.commandsOf('DisconnectContact')).toEqual([
      { type: 'DisconnectContact', contactId: 'c2', reason: 'queue-deleted' },
      { type: 'DisconnectContact', contactId: 'c3', reason: 'queue-deleted' },
    ]);
    expect(h.factsOf('ContactFinished').map((f) => [f.contactId, f.outcome, f.detail])).toEqual([
      ['c2', 'overflowed', 'queue-deleted'],
      ['c3', 'overflowed', 'queue-deleted'],
    ]);
    // The call in progress goes on, under the deleted queue's wrap-up.
    expect(h.state.contacts.get(contact('c1'))?.stage).toBe('connected');
    h.advanceTo(40_000);
    h.end('c1');
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({
      contactId: 'c1',
      queueId: 'old',
      outcome: 'answered',
      talkMs: 40_000,
    });
    h.advanceTo(54_999);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('wrap-up');
    h.advanceTo(55_000);
    expect(h.state.agents.get(agent('a1'))?.status).toBe('idle');
    expect(h.state.contacts.size).toBe(0);
    expect(h.rejections).toEqual([]);
    expectTimersInStep(h);
  });

  it('sends a deleted queue’s callers to its overflow destination', () => {
    const old: QueueInput = { id: 'old', overflow: { type: 'destination', destination: 'flow' } };
    const h = new RoutingHarness(config([old, { id: 'other' }], []));
    h.arrive('c1', 'old');
    h.reconfigure(config([{ id: 'other' }], []));
    expect(h.commandsOf('RouteToDestination')).toEqual([
      { type: 'RouteToDestination', contactId: 'c1', destination: 'flow' },
    ]);
  });

  it('turns waiting callers away as new arrivals would when a change leaves their pool with nobody', () => {
    const q: QueueInput = { id: 'q', whenNoAgents: 'overflow', overflow: { type: 'voicemail' } };
    const h = new RoutingHarness(config([q], [{ id: 'a1', skills: { x: 1 } }]));
    h.login('a1');
    h.arrive('c0', 'q');
    h.accept('c0', 'a1');
    h.arrive('c1', 'q');
    // The queue now requires a skill nobody has.
    h.reconfigure(config([{ ...q, requiredSkills: [{ skill: 'y' }] }], [{ id: 'a1', skills: { x: 1 } }]));
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c1', queueId: 'q' },
    ]);
    expect(h.state.contacts.get(contact('c0'))?.stage).toBe('connected');
  });

  it('refuses a configuration dated before the state, changing nothing', () => {
    const h = new RoutingHarness(config([{ id: 'q' }], []), { startMs: 10_000 });
    h.nowMs = 5_000;
    const before = h.state;
    h.reconfigure(config([{ id: 'q', priority: 1 }], []));
    expect(h.rejections.map((r) => r.code)).toEqual(['ACD_CLOCK_WENT_BACKWARDS']);
    expect(h.state).toBe(before);
  });
});
