import { describe, expect, it } from 'vitest';
import { erlangA } from '@centralita/wfm';
import { readScenario } from './scenario.ts';
import { runSimulation } from './simulation.ts';

/**
 * Proof against queueing theory with impatient callers (M/M/c+M): exponential patience with a 2-minute
 * mean. Service level (answered in time / all callers) and abandonment must match Erlang A within ±1
 * percentage point, with a 95 % confidence interval narrower than that. Seeded and deterministic.
 */
describe('M/M/c+M through the ACD engine matches Erlang A', () => {
  it('4 agents, 3 Erlangs, 3-minute calls, 2-minute patience', () => {
    const agents = 4;
    const trafficErlangs = 3;
    const handleSeconds = 180;
    const patienceSeconds = 120;
    const scenario = readScenario({
      name: 'M/M/4+M at 75 %',
      seed: 20_260_202,
      durationHours: 1_500, // about 90,000 calls
      warmUpMinutes: 120,
      routing: { queues: [{ id: 'q', wrapUpMs: 0, offerTimeoutMs: 86_400_000 }] },
      agentGroups: [{ name: 'agent', count: agents, answerDelaySeconds: 0 }],
      traffic: {
        q: {
          arrivals: { perHour: (trafficErlangs * 3_600) / handleSeconds },
          handleTime: { distribution: 'exponential', meanSeconds: handleSeconds },
          patience: { distribution: 'exponential', meanSeconds: patienceSeconds },
        },
      },
    });
    if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
    const run = runSimulation(scenario.value);
    if (!run.ok) throw new Error(run.error.join('\n'));
    const [queue] = run.value.queues;
    const theory = erlangA({
      trafficErlangs,
      agents,
      averageHandleTimeMs: handleSeconds * 1_000,
      serviceLevelThresholdMs: 20_000,
      averagePatienceMs: patienceSeconds * 1_000,
    });
    if (!theory.ok || queue?.serviceLevel === undefined || queue.serviceLevelCi95 === undefined) {
      throw new Error('nothing to compare');
    }
    const summary =
      `simulated SL ${(queue.serviceLevel * 100).toFixed(2)} % ± ${(queue.serviceLevelCi95 * 100).toFixed(2)} pp, ` +
      `abandoned ${((queue.abandonmentRate ?? 0) * 100).toFixed(2)} % over ${run.value.contacts} calls; ` +
      `Erlang A ${(theory.value.serviceLevel * 100).toFixed(2)} %, abandoned ${(theory.value.probabilityOfAbandonment * 100).toFixed(2)} %`;
    expect(run.value.contacts, summary).toBeGreaterThan(85_000);
    expect(Math.abs(queue.serviceLevel - theory.value.serviceLevel), summary).toBeLessThanOrEqual(0.01);
    expect(queue.serviceLevelCi95, summary).toBeLessThan(0.01);
    expect(
      Math.abs(queue.abandonmentRate! - theory.value.probabilityOfAbandonment),
      summary,
    ).toBeLessThanOrEqual(0.01);
    expect(queue.averageSpeedOfAnswerMs! / theory.value.averageSpeedOfAnswerMs).toBeCloseTo(1, 1);
    expect(run.value.rejections).toBe(0);
  });
});
