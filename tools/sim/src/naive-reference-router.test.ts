import { describe, expect, it } from 'vitest';
import type { SimulationReport } from './simulation-report.ts';
import { createNaiveReferenceRouter } from './naive-reference-router.ts';
import { readScenario } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { runSimulation } from './simulation.ts';

/** The benchmark's workload in small: agents with two skills each, one queue per skill, 90 % load. */
function benchLike(agents: number, skills: number): Scenario {
  const handleSeconds = 300;
  const perQueuePerHour = (0.9 * agents * 3_600) / handleSeconds / skills;
  const scenario = readScenario({
    name: 'bench-like',
    seed: 99,
    durationHours: 3,
    routing: {
      queues: Array.from({ length: skills }, (_, i) => ({
        id: `q${i}`,
        requiredSkills: [{ skill: `s${i}` }],
        wrapUpMs: 5_000,
        offerTimeoutMs: 10_000,
        priority: i % 3 === 0 ? 1 : 0,
        weight: i % 2 === 0 ? 2 : 1,
      })),
    },
    agentGroups: Array.from({ length: skills }, (_, i) => ({
      name: `team${i}`,
      count: agents / skills,
      skills: {
        [`s${i}`]: 5,
        [`s${(i * 7 + 3) % skills === i ? (i + 1) % skills : (i * 7 + 3) % skills}`]: 4,
      },
      answerDelaySeconds: 2,
      missProbability: 0.03,
    })),
    traffic: Object.fromEntries(
      Array.from({ length: skills }, (_, i) => [
        `q${i}`,
        {
          arrivals: { perHour: perQueuePerHour },
          handleTime: { distribution: 'exponential', meanSeconds: handleSeconds },
          patience: { distribution: 'exponential', meanSeconds: 180 },
          vipShare: 0.1,
        },
      ]),
    ),
  });
  if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
  return scenario.value;
}

/** The report without what legitimately differs: the router's name, the real time taken, and the
 * number of events (the naive router leaves stale timers to fire as no-ops instead of cancelling them). */
function withoutRunDetails(
  report: SimulationReport,
): Omit<SimulationReport, 'router' | 'wallClockMs' | 'decisions'> {
  const { router: _router, wallClockMs: _wall, decisions: _decisions, ...rest } = report;
  return rest;
}

describe('naive reference router', () => {
  it('makes exactly the decisions the ACD makes on the benchmark workload (it only scans more)', () => {
    const scenario = benchLike(300, 30);
    const fast = runSimulation(scenario);
    const naive = runSimulation(scenario, { router: 'naive-reference' });
    if (!fast.ok || !naive.ok) throw new Error('run refused');
    expect(naive.value.router).toBe('naive-reference');
    expect(fast.value.contacts).toBeGreaterThan(8_000);
    expect(fast.value.rejections).toBe(0);
    // Missed offers happened, so timeouts, re-offers and missed-offer breaks were exercised too.
    expect(fast.value.queues.reduce((n, q) => n + q.abandoned, 0)).toBeGreaterThan(0);
    expect(withoutRunDetails(naive.value)).toEqual(withoutRunDetails(fast.value));
  });

  it('agrees with the ACD when chat agents with three slots miss offers and are put on a break', () => {
    const scenario = readScenario({
      name: 'chat-misses',
      seed: 7,
      durationHours: 2,
      routing: {
        missedOffersBeforeNotReady: 2,
        queues: [
          { id: 'chat', channels: ['chat'], requiredSkills: [{ skill: 'chat' }], offerTimeoutMs: 15_000 },
        ],
      },
      agentGroups: [
        {
          name: 'chatters',
          count: 12,
          skills: { chat: 5 },
          capacity: { chat: 3 },
          answerDelaySeconds: 3,
          missProbability: 0.2,
        },
      ],
      traffic: {
        chat: {
          channel: 'chat',
          arrivals: { perHour: 400 },
          handleTime: { distribution: 'exponential', meanSeconds: 240 },
          patience: { distribution: 'exponential', meanSeconds: 600 },
        },
      },
    });
    if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
    const fast = runSimulation(scenario.value);
    const naive = runSimulation(scenario.value, { router: 'naive-reference' });
    if (!fast.ok || !naive.ok) throw new Error('run refused');
    expect(fast.value.contacts).toBeGreaterThan(500);
    expect(withoutRunDetails(naive.value)).toEqual(withoutRunDetails(fast.value));
  });

  it('refuses settings it does not implement, naming them', () => {
    const scenario = readScenario({
      routing: {
        queues: [
          { id: 'a', strategy: 'ring-all', maxWaitMs: 60_000 },
          { id: 'b', escalation: [{ afterMs: 1_000, action: { type: 'offer-callback' } }] },
        ],
      },
    });
    if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
    const router = createNaiveReferenceRouter(scenario.value.routing, 0);
    expect(router.ok ? [] : router.error).toEqual([
      'queues[0].strategy: only longest-idle is implemented',
      'queues[0].maxWaitMs: not implemented',
      'queues[1].escalation: not implemented',
    ]);
  });
});
