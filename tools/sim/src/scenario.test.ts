import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatScenarioError } from './scenario-error.ts';
import { parseScenario, readScenario } from './scenario.ts';

const minimal = {
  routing: { queues: [{ id: 'sales' }] },
  agentGroups: [{ name: 'team', count: 2 }],
  traffic: { sales: { arrivals: { perHour: 30 }, handleTime: { meanSeconds: 120 } } },
};

function errorsOf(data: unknown): string[] {
  const result = readScenario(data);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return result.error.map(formatScenarioError);
}

describe('scenario files', () => {
  it('reads the shipped examples', () => {
    for (const file of ['example-day.yaml', 'large-center.yaml']) {
      const result = parseScenario(readFileSync(new URL(`../scenarios/${file}`, import.meta.url), 'utf8'));
      expect(result.ok ? [] : result.error.map(formatScenarioError)).toEqual([]);
    }
  });

  it('fills defaults and expands agent groups into agents', () => {
    const result = readScenario(minimal);
    if (!result.ok) throw new Error(result.error.map(formatScenarioError).join('\n'));
    expect(result.value).toMatchObject({ seed: 1, opensAtMs: 0, durationMs: 24 * 3_600_000, warmUpMs: 0 });
    expect(result.value.routing.agents.map((a) => a.id)).toEqual(['team-1', 'team-2']);
    expect(result.value.traffic[0]).toMatchObject({
      channel: 'voice',
      arrivals: { kind: 'poisson', perHour: 30 },
      handleTime: { distribution: 'exponential', meanMs: 120_000 },
      patience: undefined,
    });
  });

  it('names the path of every problem', () => {
    expect(
      errorsOf({
        ...minimal,
        duration: 5,
        agentGroups: [{ name: 'team', count: 0, shifts: [{ start: '9am', end: '17:00' }] }],
        traffic: {
          sales: { arrivals: { perHour: -3 }, handleTime: { distribution: 'weibull', meanSeconds: 120 } },
          refunds: { arrivals: { perHour: 10 }, handleTime: { meanSeconds: 60 } },
        },
      }),
    ).toEqual([
      'duration: unknown setting "duration" (expected one of: name, seed, opensAt, durationHours, warmUpMinutes, routing, agentGroups, traffic)',
      'agentGroups[0].count: must be at least 1, got 0',
      'agentGroups[0].shifts[0].start: expected a time of day like "08:30", got "9am"',
      'traffic.sales.arrivals.perHour: must be at least 0, got -3',
      'traffic.sales.handleTime.distribution: expected one of exponential, lognormal, fixed, got "weibull"',
      'traffic.refunds: no queue "refunds" in routing.queues',
    ]);
  });

  it('reports routing problems under routing., and agent problems under their group', () => {
    expect(
      errorsOf({
        ...minimal,
        routing: { queues: [{ id: 'sales', strategy: 'fastest-first' }] },
        agentGroups: [{ name: 'team', count: 3, skills: { sales: 12 } }],
      }),
    ).toEqual([
      "routing.queues[0].strategy.type: Invalid discriminator value. Expected 'longest-idle' | 'least-occupied' | 'least-talk-time' | 'fewest-contacts' | 'round-robin' | 'fixed-order' | 'ring-all' | 'random' | 'weighted-random' | 'best-skill'",
      'agentGroups[0].skills.sales: Too big: expected number to be <=10',
    ]);
  });

  it('checks that traffic uses a channel its queue serves and breaks use known reasons', () => {
    expect(
      errorsOf({
        ...minimal,
        agentGroups: [{ name: 'team', count: 1, breaks: [{ at: '12:00', minutes: 30, reason: 'siesta' }] }],
        traffic: { sales: { channel: 'chat', arrivals: { perHour: 5 }, handleTime: { meanSeconds: 60 } } },
      }),
    ).toEqual([
      'traffic.sales.channel: queue "sales" does not serve chat',
      'agentGroups[0].breaks[0].reason: "siesta" is not in routing.breakReasons',
    ]);
  });

  it('points at the line of a YAML syntax error', () => {
    const result = parseScenario('name: broken\nrouting:\n  queues: [ { id: a }\n');
    expect(result.ok ? [] : result.error.map((e) => e.path)).toEqual([
      expect.stringMatching(/^line \d+, column \d+$/),
    ]);
  });
});
