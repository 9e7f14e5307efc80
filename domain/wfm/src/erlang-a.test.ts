import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangA } from './erlang-a.ts';
import type { ErlangAMetrics } from './erlang-a.ts';
import { erlangC } from './erlang-c.ts';
import type { ErlangCMetrics } from './erlang-c.ts';

const handleMs = 180_000;

function metricsA(load: number, agents: number, patienceMs: number, thresholdMs = 20_000): ErlangAMetrics {
  const result = erlangA({
    trafficErlangs: load,
    agents,
    averageHandleTimeMs: handleMs,
    serviceLevelThresholdMs: thresholdMs,
    averagePatienceMs: patienceMs,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function metricsC(load: number, agents: number, thresholdMs = 20_000): ErlangCMetrics {
  const result = erlangC({
    trafficErlangs: load,
    agents,
    averageHandleTimeMs: handleMs,
    serviceLevelThresholdMs: thresholdMs,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/**
 * An independent reference: the M/M/n+M birth–death chain truncated far out, and the waiting time of a
 * tagged arrival integrated numerically (RK4) over the chain "callers ahead of me". Nothing here shares
 * code or closed forms with erlang-a.ts. Time is in handle times.
 */
function bruteForce(load: number, agents: number, theta: number, threshold: number) {
  const maxAhead = 160;
  const weights: number[] = [1];
  for (let k = 1; k <= agents + maxAhead; k++) {
    const deathRate = Math.min(k, agents) + Math.max(0, k - agents) * theta;
    weights.push((weights[k - 1]! * load) / deathRate);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  let waiting = 0;
  let queueLength = 0;
  for (let k = agents; k < weights.length; k++) {
    waiting += weights[k]!;
    queueLength += (k - agents) * weights[k]!;
  }
  const probabilityOfWaiting = waiting / total;
  const probabilityOfAbandonment = (theta * queueLength) / total / load;

  // p[j]: probability that the tagged arrival still waits with j callers ahead of it.
  let p = Array.from({ length: maxAhead + 1 }, (_, j) => weights[agents + j]! / total);
  const derivative = (q: number[]): number[] =>
    q.map((value, j) => -(agents + (j + 1) * theta) * value + (agents + (j + 1) * theta) * (q[j + 1] ?? 0));
  const dt = threshold / Math.ceil(threshold / 0.002);
  let t = 0;
  let servedWithinThreshold = 0;
  let served = 0;
  let servedWaitSum = 0;
  while (p.reduce((s, v) => s + v, 0) > 1e-12 && t < 200) {
    const k1 = derivative(p);
    const k2 = derivative(p.map((v, j) => v + (dt / 2) * k1[j]!));
    const k3 = derivative(p.map((v, j) => v + (dt / 2) * k2[j]!));
    const k4 = derivative(p.map((v, j) => v + dt * k3[j]!));
    const next = p.map((v, j) => v + (dt / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!));
    // Serving rate is n·p0; trapezoid rule for the served mass and for ∫ t dServed.
    const servedStep = (dt / 2) * agents * (p[0]! + next[0]!);
    served += servedStep;
    servedWaitSum += (dt / 2) * agents * (t * p[0]! + (t + dt) * next[0]!);
    t += dt;
    if (t <= threshold + dt / 2) servedWithinThreshold = served;
    p = next;
  }
  const answered = 1 - probabilityOfWaiting + served;
  return {
    probabilityOfWaiting,
    probabilityOfAbandonment,
    servedAfterWaiting: served,
    serviceLevel: 1 - probabilityOfWaiting + servedWithinThreshold,
    averageSpeedOfAnswer: servedWaitSum / answered,
  };
}

describe('erlangA', () => {
  it.each([
    { load: 2.5, agents: 3, patienceInHandleTimes: 2, threshold: 0.25 },
    { load: 0.8, agents: 1, patienceInHandleTimes: 0.5, threshold: 0.1 },
    { load: 6, agents: 5, patienceInHandleTimes: 0.5, threshold: 0.2 },
    { load: 4, agents: 8, patienceInHandleTimes: 4, threshold: 0.05 },
  ])('agrees with a brute-force birth–death solution: $load E on $agents agents', (c) => {
    const theta = 1 / c.patienceInHandleTimes;
    const reference = bruteForce(c.load, c.agents, theta, c.threshold);
    const computed = metricsA(c.load, c.agents, c.patienceInHandleTimes * handleMs, c.threshold * handleMs);
    expect(computed.probabilityOfWaiting).toBeCloseTo(reference.probabilityOfWaiting, 9);
    expect(computed.probabilityOfAbandonment).toBeCloseTo(reference.probabilityOfAbandonment, 9);
    // Callers who waited either hang up or get an agent: the two routes to the reference agree.
    expect(reference.servedAfterWaiting).toBeCloseTo(
      reference.probabilityOfWaiting - reference.probabilityOfAbandonment,
      6,
    );
    expect(computed.serviceLevel).toBeCloseTo(reference.serviceLevel, 6);
    expect(computed.averageSpeedOfAnswerMs / handleMs).toBeCloseTo(reference.averageSpeedOfAnswer, 5);
    expect(computed.averageWaitMs).toBeCloseTo(
      computed.probabilityOfAbandonment * c.patienceInHandleTimes * handleMs,
      6,
    );
  });

  it('converges to Erlang C as patience grows without bound', () => {
    const c = metricsC(10, 12);
    let previousGap = Number.POSITIVE_INFINITY;
    for (const patienceInHandleTimes of [1, 10, 100, 1_000, 10_000, 100_000]) {
      const a = metricsA(10, 12, patienceInHandleTimes * handleMs);
      const gap = Math.max(
        Math.abs(a.serviceLevel - c.serviceLevel),
        Math.abs(a.probabilityOfWaiting - c.probabilityOfWaiting),
        Math.abs(a.averageSpeedOfAnswerMs - c.averageSpeedOfAnswerMs) / c.averageSpeedOfAnswerMs,
      );
      expect(gap).toBeLessThan(previousGap);
      previousGap = gap;
    }
    expect(previousGap).toBeLessThan(1e-4);
    expect(metricsA(10, 12, 1e12 * handleMs).serviceLevel).toBeCloseTo(c.serviceLevel, 9);
  });

  it('loses fewer callers and answers more in time as agents are added', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 300, noNaN: true }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 10_000, max: 1_800_000 }),
        (load, agents, patienceMs) => {
          const fewer = metricsA(load, agents, patienceMs);
          const more = metricsA(load, agents + 1, patienceMs);
          // 1e-9: deep in overload the service level is ~1e-12 and its last digits are rounding noise.
          expect(more.probabilityOfAbandonment).toBeLessThanOrEqual(fewer.probabilityOfAbandonment + 1e-9);
          expect(more.serviceLevel).toBeGreaterThanOrEqual(fewer.serviceLevel - 1e-9);
          for (const value of [
            fewer.probabilityOfWaiting,
            fewer.probabilityOfAbandonment,
            fewer.serviceLevel,
          ]) {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('makes callers wait less often than Erlang C, because impatient callers shorten the queue', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 300, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 10_000, max: 1_800_000 }),
        (load, extra, patienceMs) => {
          const agents = Math.floor(load) + extra;
          expect(metricsA(load, agents, patienceMs).probabilityOfWaiting).toBeLessThanOrEqual(
            metricsC(load, agents).probabilityOfWaiting + 1e-12,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stays finite and sane at 5,000 agents, in balance and overloaded', () => {
    const balanced = metricsA(5_000, 5_000, 120_000);
    expect(balanced.serviceLevel).toBeGreaterThan(0.9);
    expect(balanced.serviceLevel).toBeLessThan(1);
    expect(balanced.probabilityOfAbandonment).toBeGreaterThan(0);
    expect(balanced.probabilityOfAbandonment).toBeLessThan(0.05);
    // Overloaded by 20 %, a large center sheds the excess: P(ab) tends to 1 - n/A (the fluid limit).
    const overloaded = metricsA(6_000, 5_000, handleMs);
    expect(overloaded.probabilityOfAbandonment).toBeCloseTo(1 / 6, 2);
    expect(overloaded.occupancy).toBeGreaterThan(0.99);
    // Nearly infinite patience while overloaded: the queue holds days of work, still no NaN.
    const patient = metricsA(6_000, 5_000, 1e12);
    expect(Object.values(patient).every(Number.isFinite)).toBe(true);
  });

  it('answers everyone at once when there is no traffic, and names a bad patience', () => {
    expect(metricsA(0, 3, 60_000)).toMatchObject({
      probabilityOfWaiting: 0,
      serviceLevel: 1,
      probabilityOfAbandonment: 0,
    });
    const bad = erlangA({
      trafficErlangs: 1,
      agents: 2,
      averageHandleTimeMs: 1_000,
      serviceLevelThresholdMs: 0,
      averagePatienceMs: 0,
    });
    expect(bad.ok ? undefined : bad.error).toMatchObject({
      code: 'WFM_DURATION_INVALID',
      field: 'averagePatienceMs',
    });
  });
});
