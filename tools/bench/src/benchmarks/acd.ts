import { SeededRandom } from '@centralita/kernel';
import { createAcdRouter, createNaiveReferenceRouter, readScenario, runSimulation } from '@centralita/sim';
import type { Router, Scenario } from '@centralita/sim';
import { erlangC } from '@centralita/wfm';

/**
 * `npm run bench -- acd`: the routing engine under a large skills-based load, against a naive router that
 * scans every agent on every event, in the same run and on the same simulated workload.
 *
 * Workload: groups of 25 agents; group i masters skill s_i (level 6) and backs up s_{i+1} (level 3), so every
 * agent has two skills and every queue q_i (requiring s_i) has 50 agents. Poisson arrivals at 90 % load,
 * exponential 3-minute talk times, patient callers. At 5,000 agents: 200 skills, 200 queues, 25 calls/s.
 * The same workload at 50 and 500 agents shows whether decision latency stays flat as the center grows.
 *
 * Options: --minutes N (simulated minutes per run, default 20: the first 5 fill the center from empty), --skip-naive.
 */
const groupSize = 25;
const handleSeconds = 180;
const load = 0.9;

function centerScenario(agents: number, minutes: number): Scenario {
  const groups = agents / groupSize;
  const perQueueErlangs = (agents * load) / groups;
  const queues = Array.from({ length: groups }, (_, i) => ({
    id: `q${i}`,
    requiredSkills: [{ skill: `s${i}` }],
    wrapUpMs: 0,
    offerTimeoutMs: 30_000,
  }));
  const agentGroups = Array.from({ length: groups }, (_, i) => ({
    name: `g${i}`,
    count: groupSize,
    skills: { [`s${i}`]: 6, [`s${(i + 1) % groups}`]: 3 },
    answerDelaySeconds: 0,
  }));
  const traffic = Object.fromEntries(
    queues.map((q) => [
      q.id,
      {
        arrivals: { perHour: (perQueueErlangs * 3_600) / handleSeconds },
        handleTime: { distribution: 'exponential', meanSeconds: handleSeconds },
      },
    ]),
  );
  const scenario = readScenario({
    name: `${agents} agents at 90 %`,
    seed: 4_242 + agents,
    durationHours: minutes / 60,
    warmUpMinutes: Math.min(5, minutes / 2),
    routing: { queues },
    agentGroups,
    traffic,
  });
  if (!scenario.ok) throw new Error(`benchmark scenario is invalid: ${JSON.stringify(scenario.error)}`);
  return scenario.value;
}

interface Timing {
  readonly decisions: number;
  readonly routerSeconds: number;
  readonly latenciesMs: Float64Array;
}

/** Wraps a router to time every decision (high-resolution clock, about 0.1 µs overhead). */
function timed(router: Router, capacity: number): { router: Router; result: () => Timing } {
  const latencies = new Float64Array(capacity);
  let count = 0;
  let totalNs = 0n;
  return {
    router: {
      name: router.name,
      queueAgentIds: (queueId) => router.queueAgentIds(queueId),
      decide: (event, nowMs) => {
        const start = process.hrtime.bigint();
        const decision = router.decide(event, nowMs);
        const elapsed = process.hrtime.bigint() - start;
        totalNs += elapsed;
        if (count < capacity) latencies[count] = Number(elapsed) / 1e6;
        count++;
        return decision;
      },
    },
    result: () => ({
      decisions: count,
      routerSeconds: Number(totalNs) / 1e9,
      latenciesMs: latencies.slice(0, Math.min(count, capacity)),
    }),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function runTimed(
  scenario: Scenario,
  kind: 'acd' | 'naive-reference',
  progress: (m: string) => void,
): Timing & { p50: number; p99: number; eventsPerS: number } {
  const created =
    kind === 'acd'
      ? {
          ok: true as const,
          value: createAcdRouter(scenario.routing, new SeededRandom(scenario.seed), scenario.opensAtMs),
        }
      : createNaiveReferenceRouter(scenario.routing, scenario.opensAtMs);
  if (!created.ok) throw new Error(`cannot build the ${kind} router: ${created.error.join('; ')}`);
  const wrapper = timed(created.value, 5_000_000);
  let lastTenth = -1;
  const run = runSimulation(scenario, {
    router: wrapper.router,
    onProgress: (p) => {
      const tenth = Math.floor(p.fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        progress(`${kind}: ${scenario.name} ${tenth * 10} % (${p.contacts} contacts)`);
      }
    },
  });
  if (!run.ok) throw new Error(run.error.join('\n'));
  if (run.value.rejections > 0) throw new Error(`${kind} refused ${run.value.rejections} events`);
  const timing = wrapper.result();
  const sorted = timing.latenciesMs.slice().sort();
  return {
    ...timing,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    eventsPerS: timing.decisions / timing.routerSeconds,
  };
}

function singleQueueServiceLevelError(progress: (m: string) => void): number {
  const agents = 5;
  const erlangs = 3;
  const scenario = readScenario({
    name: 'M/M/5 at 60 %',
    seed: 20_260_101,
    durationHours: 2_500,
    warmUpMinutes: 120,
    routing: { queues: [{ id: 'q', wrapUpMs: 0, offerTimeoutMs: 86_400_000 }] },
    agentGroups: [{ name: 'agent', count: agents, answerDelaySeconds: 0 }],
    traffic: {
      q: {
        arrivals: { perHour: (erlangs * 3_600) / handleSeconds },
        handleTime: { distribution: 'exponential', meanSeconds: handleSeconds },
      },
    },
  });
  if (!scenario.ok) throw new Error(JSON.stringify(scenario.error));
  progress('single queue against Erlang C (about 150,000 calls)');
  const run = runSimulation(scenario.value);
  const theory = erlangC({
    trafficErlangs: erlangs,
    agents,
    averageHandleTimeMs: handleSeconds * 1_000,
    serviceLevelThresholdMs: 20_000,
  });
  const simulated = run.ok ? run.value.queues[0]?.serviceLevel : undefined;
  if (!theory.ok || simulated === undefined) throw new Error('single-queue comparison failed');
  return Math.abs(simulated - theory.value.serviceLevel) * 100;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export async function run(options: {
  readonly args: readonly string[];
  readonly progress: (message: string) => void;
}): Promise<Record<string, unknown>> {
  const minutesArg = options.args.indexOf('--minutes');
  const minutes = minutesArg >= 0 ? Number(options.args[minutesArg + 1]) : 20;
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes takes a positive number');
  const skipNaive = options.args.includes('--skip-naive');
  // An unmeasured pass first, so that the first measured run does not pay for the JIT compiler's warm-up.
  options.progress('warming up');
  runTimed(centerScenario(500, minutes), 'acd', () => undefined);
  const p99ByAgents: Record<string, number> = {};
  for (const agents of [50, 500]) {
    const result = runTimed(centerScenario(agents, minutes), 'acd', options.progress);
    p99ByAgents[agents] = round(result.p99, 4);
  }
  const large = centerScenario(5_000, minutes);
  const acd = runTimed(large, 'acd', options.progress);
  p99ByAgents['5000'] = round(acd.p99, 4);
  options.progress(
    `acd at 5,000 agents: ${acd.decisions} events, p50 ${acd.p50.toFixed(4)} ms, p99 ${acd.p99.toFixed(4)} ms, ${Math.round(acd.eventsPerS)} events/s`,
  );
  const naive = skipNaive ? undefined : runTimed(large, 'naive-reference', options.progress);
  if (naive)
    options.progress(
      `naive at 5,000 agents: ${naive.decisions} events, p99 ${naive.p99.toFixed(3)} ms, ${Math.round(naive.eventsPerS)} events/s`,
    );
  const slErrorPp = singleQueueServiceLevelError(options.progress);
  await Promise.resolve();
  return {
    p50_decision_ms: round(acd.p50, 4),
    p99_decision_ms: round(acd.p99, 4),
    events_per_s: Math.round(acd.eventsPerS),
    naive_events_per_s: naive ? Math.round(naive.eventsPerS) : null,
    ratio: naive ? round(acd.eventsPerS / naive.eventsPerS, 1) : null,
    sl_error_pp: round(slErrorPp, 2),
    p99_decision_ms_by_agents: p99ByAgents,
    events: acd.decisions,
    simulated_minutes: minutes,
  };
}
