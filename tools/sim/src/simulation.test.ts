import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { RoutingFact } from '@centralita/acd';
import { formatReport } from './format-report.ts';
import { createAcdRouter } from './router.ts';
import type { Router } from './router.ts';
import { parseScenario, readScenario } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { runSimulation } from './simulation.ts';
import type { SimulationProgress } from './simulation.ts';
import type { SimulationReport } from './simulation-report.ts';

function shipped(file: string): Scenario {
  const result = parseScenario(readFileSync(new URL(`../scenarios/${file}`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function run(
  scenario: Scenario,
  onProgress?: (p: SimulationProgress) => void,
  onFact?: (fact: RoutingFact) => void,
): SimulationReport {
  const result = runSimulation(scenario, {
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(onFact === undefined ? {} : { onFact }),
  });
  if (!result.ok) throw new Error(result.error.join('\n'));
  return result.value;
}

describe('runSimulation', () => {
  it('simulates a 12-hour day of a 500-agent center in seconds', () => {
    const progress: number[] = [];
    const report = run(shipped('large-center.yaml'), (p) => progress.push(p.fraction));
    expect(report.agents).toHaveLength(500);
    expect(report.contacts).toBeGreaterThan(50_000);
    expect(report.rejections).toBe(0);
    expect(report.unfinished).toBe(0);
    expect(report.wallClockMs).toBeLessThan(15_000);
    // Ten equal queues at roughly 85 % occupancy: service levels in a sane band, all agents used.
    for (const queue of report.queues) {
      expect(queue.serviceLevel).toBeGreaterThan(0.6);
      expect(queue.occupancy).toBeGreaterThan(0.75);
    }
    expect(progress.length).toBeGreaterThan(40);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });

  it('replays exactly with the same seed, and differs with another', () => {
    const scenario = shipped('example-day.yaml');
    const strip = ({ wallClockMs: _wall, ...rest }: SimulationReport): object => rest;
    const first = run(scenario);
    expect(strip(run(scenario))).toEqual(strip(first));
    expect(strip(run({ ...scenario, seed: scenario.seed + 1 }))).not.toEqual(strip(first));
  });

  it('runs the example day with every feature in play, leaving no contact behind', () => {
    const report = run(shipped('example-day.yaml'));
    expect(report.rejections).toBe(0);
    expect(report.unfinished).toBe(0);
    const byId = new Map(report.queues.map((q) => [q.queueId as string, q]));
    expect(byId.get('support')?.calledBack).toBeGreaterThan(0);
    expect(byId.get('billing-es')?.serviceLevel).toBeGreaterThan(0.9);
    for (const queue of report.queues) {
      expect(
        queue.answered + queue.abandoned + queue.overflowed + queue.calledBack + queue.movedOut,
      ).toBeLessThanOrEqual(queue.offered + 200);
    }
    // Chat agents hold up to three chats: more talk time than working time.
    const chat = report.agents.find((a) => a.agentId === 'chat-es-1');
    expect(chat?.talkMs).toBeGreaterThan(12 * 3_600_000);
  });

  it('follows shifts and breaks: agents work only in their shifts, less their breaks', () => {
    const scenario = readScenario({
      opensAt: '08:00',
      durationHours: 4,
      routing: { breakReasons: ['lunch'], queues: [{ id: 'q' }] },
      agentGroups: [
        { name: 'early', count: 1, answerDelaySeconds: 0, shifts: [{ start: '08:00', end: '10:00' }] },
        {
          name: 'late',
          count: 1,
          answerDelaySeconds: 0,
          shifts: [{ start: '10:00', end: '12:30' }],
          breaks: [{ at: '11:00', minutes: 30, reason: 'lunch' }],
        },
      ],
      traffic: { q: { arrivals: { perHour: 6 }, handleTime: { distribution: 'fixed', seconds: 60 } } },
    });
    if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
    const report = run(scenario.value);
    const early = report.agents.find((a) => a.agentId === 'early-1');
    const late = report.agents.find((a) => a.agentId === 'late-1');
    // Busy + idle time is the time logged in and not on break, up to closing at 12:00 (when the last
    // contact is done): 08:00-10:00, and 10:00-12:00 less the 30-minute lunch.
    expect((early!.busyMs + early!.idleMs) / 3_600_000).toBeCloseTo(2, 2);
    expect((late!.busyMs + late!.idleMs) / 3_600_000).toBeCloseTo(1.5, 1);
    expect(report.queues[0]?.answered).toBe(report.contacts);
  });

  it('drives a router supplied by the caller, for example one that times every decision', () => {
    const scenario = shipped('example-day.yaml');
    const inner = createAcdRouter(scenario.routing, new SeededRandom(1), scenario.opensAtMs);
    let timed = 0;
    const router: Router = {
      name: 'timed-acd',
      decide: (event, nowMs) => {
        timed += 1;
        return inner.decide(event, nowMs);
      },
      queueAgentIds: (queueId) => inner.queueAgentIds(queueId),
    };
    const result = runSimulation(scenario, { router });
    expect(result.ok && result.value.router).toBe('timed-acd');
    expect(result.ok && result.value.decisions).toBe(timed);
  });

  it('formats a readable report', () => {
    const text = formatReport(run(shipped('example-day.yaml')), { maxAgents: 3 });
    expect(text).toMatch(/^Scenario: Example day/);
    expect(text).toContain('queue       offered  answered  abandoned');
    expect(text).toMatch(/\nsales\s+\d+\s+\d+/);
    expect(text).toContain('busiest 3 shown');
    expect(text.split('\n').filter((line) => /^(sales|support|chat-es)-\d+\s/.test(line))).toHaveLength(3);
  });

  it('states every fact to onFact in time order, and runs until after-call work ended by hand is over', () => {
    const scenario = shipped('example-day.yaml');
    const facts: RoutingFact[] = [];
    const report = run({ ...scenario, seed: 7 }, undefined, (fact) => facts.push(fact));
    const times = facts.map((fact) => fact.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const finished = new Set(
      facts.flatMap((fact) => (fact.type === 'ContactFinished' ? [fact.contactId] : [])),
    );
    const queued = new Set(facts.flatMap((fact) => (fact.type === 'ContactQueued' ? [fact.contactId] : [])));
    expect(report.unfinished).toBe(0);
    expect(finished).toEqual(queued);
    // Every contact slot an agent took ends idle again: none is left in wrap-up (or anything else) at the end,
    // including the queue whose agents end their after-call work by hand.
    const open = new Map<string, string>();
    for (const fact of facts) {
      if (fact.type !== 'AgentActivityChanged') continue;
      const key = `${fact.agentId}|${fact.contactId}`;
      if (fact.to === 'idle') open.delete(key);
      else open.set(key, fact.to);
    }
    expect([...open.values()]).toEqual([]);
    expect(
      facts.some((fact) => fact.type === 'AgentActivityChanged' && fact.cause.reason === 'wrap-up-ended'),
    ).toBe(true);
  });
});
