import { describe, expect, it } from 'vitest';
import { erlangC } from '@centralita/wfm';
import { readScenario } from './scenario.ts';
import { runSimulation } from './simulation.ts';

/**
 * Proof against queueing theory: one queue, Poisson arrivals, exponential talk times, patient callers,
 * agents who answer at once (M/M/c). The simulator drives the real ACD engine; its service level must
 * match Erlang C within ±1 percentage point, with a 95 % confidence interval (batch means) narrower than
 * that. Seeded, so the run is the same every time.
 */
describe('M/M/c through the ACD engine matches Erlang C', () => {
  it('5 agents, 3 Erlangs, 3-minute calls, 80/20: service level, ASA and occupancy', () => {
    const agents = 5;
    const trafficErlangs = 3;
    const handleSeconds = 180;
    const scenario = readScenario({
      name: 'M/M/5 at 60 %',
      seed: 20_260_101,
      durationHours: 2_500, // about 150,000 calls
      warmUpMinutes: 120,
      routing: { queues: [{ id: 'q', wrapUpMs: 0, offerTimeoutMs: 86_400_000 }] },
      agentGroups: [{ name: 'agent', count: agents, answerDelaySeconds: 0 }],
      traffic: {
        q: {
          arrivals: { perHour: (trafficErlangs * 3_600) / handleSeconds },
          handleTime: { distribution: 'exponential', meanSeconds: handleSeconds },
        },
      },
    });
    if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
    const run = runSimulation(scenario.value);
    if (!run.ok) throw new Error(run.error.join('\n'));
    const [queue] = run.value.queues;
    const theory = erlangC({
      trafficErlangs,
      agents,
      averageHandleTimeMs: handleSeconds * 1_000,
      serviceLevelThresholdMs: 20_000,
    });
    if (!theory.ok || queue?.serviceLevel === undefined || queue.serviceLevelCi95 === undefined) {
      throw new Error('nothing to compare');
    }
    const summary =
      `simulated SL ${(queue.serviceLevel * 100).toFixed(2)} % ± ${(queue.serviceLevelCi95 * 100).toFixed(2)} pp ` +
      `over ${run.value.contacts} calls; Erlang C ${(theory.value.serviceLevel * 100).toFixed(2)} %`;
    expect(run.value.contacts, summary).toBeGreaterThan(140_000);
    expect(Math.abs(queue.serviceLevel - theory.value.serviceLevel), summary).toBeLessThanOrEqual(0.01);
    expect(queue.serviceLevelCi95, summary).toBeLessThan(0.01);
    expect(queue.averageSpeedOfAnswerMs! / theory.value.averageSpeedOfAnswerMs).toBeCloseTo(1, 1);
    expect(Math.abs(queue.occupancy! - theory.value.occupancy)).toBeLessThan(0.01);
    expect(queue.abandoned).toBe(0);
    expect(run.value.rejections).toBe(0);
  });
});
