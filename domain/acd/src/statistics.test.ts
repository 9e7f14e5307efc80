import type { AgentId, QueueId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';
import { agentStatistics, estimatedWaitTime, queueAgentIds, queueStatistics } from './statistics.ts';

const q = 'q' as QueueId;

describe('real-time statistics', () => {
  function day(): RoutingHarness {
    const h = new RoutingHarness({
      queues: [{ id: 'q', serviceLevel: { thresholdMs: 20_000, target: 0.8 }, wrapUpMs: 10_000 }],
      agents: [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }],
    });
    h.login('a1');
    h.presence('a3', { kind: 'break', reason: 'lunch' });
    for (const c of ['c1', 'c2', 'c3', 'c4']) h.arrive(c, 'q'); // c1 rings a1 at once
    h.advanceTo(5_000);
    h.accept('c1', 'a1'); // answered after 5 s
    h.advanceTo(10_000);
    h.abandon('c3'); // gave up after 10 s
    h.advanceTo(30_000);
    h.login('a2');
    h.accept('c2', 'a2'); // answered after 30 s
    h.advanceTo(40_000);
    h.abandon('c4'); // gave up after 40 s
    h.advanceTo(65_000);
    h.end('c1'); // 60 s talk, then 10 s wrap-up
    h.advanceTo(70_000);
    return h;
  }

  it('reports service level, ASA, abandonment and handle time so far today', () => {
    const stats = queueStatistics(day().state, q);
    expect(stats).toMatchObject({
      offered: 4,
      answered: 2,
      abandoned: 2,
      waiting: 0,
      serviceLevel: 1 / 4,
      averageSpeedOfAnswerMs: 17_500,
      abandonmentRate: 0.5,
      serviceLevelTarget: 0.8,
    });
  });

  it('counts the queue’s agents by state with the longest time in that state', () => {
    const h = day();
    const stats = queueStatistics(h.state, q, h.nowMs);
    expect(stats?.agents).toMatchObject({
      'wrap-up': { count: 1, longestInStatusMs: 5_000 },
      'on-contact': { count: 1, longestInStatusMs: 40_000 },
      break: { count: 1, longestInStatusMs: 70_000 },
      idle: { count: 0 },
    });
  });

  it('reports the longest current wait and an estimated wait for a newcomer', () => {
    const h = day();
    h.arrive('c5', 'q');
    h.advanceTo(74_000); // a1 is still wrapping up, a2 on a call
    const stats = queueStatistics(h.state, q, h.nowMs);
    expect(stats?.waiting).toBe(1);
    expect(stats?.longestWaitMs).toBe(4_000);
    // No contact has finished wrap-up yet, so the default 3-minute handle time applies; two agents
    // are ready and a newcomer would be 2nd in line: 2 × 180 s / 2.
    expect(estimatedWaitTime(h.state, q, 'voice')).toBe(180_000);
    h.advanceTo(75_000); // c1's wrap-up ends: handle time 70 s; c5 rings a1
    h.arrive('c6', 'q');
    expect(estimatedWaitTime(h.state, q, 'voice')).toBe(70_000);
    expect(estimatedWaitTime(h.state, q, 'chat')).toBeUndefined();
  });

  it('tracks each agent’s work, talk time and occupancy', () => {
    const h = day();
    h.advanceTo(75_000);
    const a1 = agentStatistics(h.state, 'a1' as AgentId);
    expect(a1).toMatchObject({
      status: 'idle',
      contactsHandled: 1,
      talkTimeMs: 60_000,
      wrapUpTimeMs: 10_000,
      timeInStatusMs: 0,
    });
    // 5 s ringing + 60 s talking + 10 s wrap-up out of 75 s logged in.
    expect(a1?.occupancy).toBe(1);
    h.advanceTo(150_000);
    expect(agentStatistics(h.state, 'a1' as AgentId, 150_000)?.occupancy).toBeCloseTo(75 / 150, 12);
    expect(agentStatistics(h.state, 'a2' as AgentId)?.work).toMatchObject([
      { contactId: 'c2', activity: 'on-contact' },
    ]);
  });

  it('lists the agents who can serve a queue', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', requiredSkills: [{ skill: 'x', minLevel: 4 }] }],
      agents: [
        { id: 'low', skills: { x: 3 } },
        { id: 'b', skills: { x: 4 } },
        { id: 'a', skills: { x: 9 } },
      ],
    });
    expect(queueAgentIds(h.state, q)).toEqual(['b', 'a']);
    expect(queueAgentIds(h.state, 'none' as QueueId)).toEqual([]);
  });

  it('starts a new day from zero, keeping who is doing what', () => {
    const h = day();
    h.send({ type: 'StatisticsReset' });
    expect(queueStatistics(h.state, q)).toMatchObject({ offered: 0, answered: 0, serviceLevel: undefined });
    expect(agentStatistics(h.state, 'a2' as AgentId)).toMatchObject({
      status: 'on-contact',
      contactsHandled: 0,
    });
  });
});
