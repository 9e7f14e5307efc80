import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangA } from './erlang-a.ts';
import { erlangC } from './erlang-c.ts';
import {
  agentsForServiceLevel,
  agentsForServiceLevelWithAbandonment,
  offeredTrafficErlangs,
} from './staffing.ts';

describe('agentsForServiceLevel', () => {
  it('staffs the classic 100 calls per half hour at 80/20 with 14 agents', () => {
    const load = offeredTrafficErlangs(200, 180_000);
    expect(load).toBeCloseTo(10, 12);
    const result = agentsForServiceLevel({
      trafficErlangs: load,
      averageHandleTimeMs: 180_000,
      serviceLevelThresholdMs: 20_000,
      targetServiceLevel: 0.8,
    });
    expect(result.ok && result.value.agents).toBe(14);
  });

  it('returns the fewest agents that meet the target', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 2_000, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0.05, max: 0.99, noNaN: true }),
        (load, thresholdMs, target) => {
          const input = {
            trafficErlangs: load,
            averageHandleTimeMs: 240_000,
            serviceLevelThresholdMs: thresholdMs,
            targetServiceLevel: target,
          };
          const result = agentsForServiceLevel(input);
          if (!result.ok) throw new Error(result.error.message);
          expect(result.value.metrics.serviceLevel).toBeGreaterThanOrEqual(target);
          const fewer = result.value.agents - 1;
          if (fewer >= 1) {
            const check = erlangC({ ...input, agents: fewer });
            expect(check.ok && check.value.serviceLevel).toBeLessThan(target);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('adds agents to respect an occupancy ceiling', () => {
    const result = agentsForServiceLevel({
      trafficErlangs: 100,
      averageHandleTimeMs: 300_000,
      serviceLevelThresholdMs: 20_000,
      targetServiceLevel: 0.8,
      maxOccupancy: 0.85,
    });
    expect(result.ok && result.value.agents).toBe(Math.ceil(100 / 0.85));
  });

  it('sizes a 4,900 Erlang center in a blink', () => {
    const result = agentsForServiceLevel({
      trafficErlangs: 4_900,
      averageHandleTimeMs: 180_000,
      serviceLevelThresholdMs: 20_000,
      targetServiceLevel: 0.8,
    });
    expect(result.ok && result.value.agents).toBeGreaterThan(4_900);
    expect(result.ok && result.value.agents).toBeLessThan(4_950);
  });

  it('refuses a target of 100 %', () => {
    const result = agentsForServiceLevel({
      trafficErlangs: 5,
      averageHandleTimeMs: 1_000,
      serviceLevelThresholdMs: 0,
      targetServiceLevel: 1,
    });
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: 'WFM_TARGET_INVALID',
      field: 'targetServiceLevel',
    });
  });
});

describe('agentsForServiceLevelWithAbandonment', () => {
  it('returns the fewest agents for which Erlang A meets the target', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.integer({ min: 15_000, max: 900_000 }),
        fc.double({ min: 0.3, max: 0.95, noNaN: true }),
        (load, patienceMs, target) => {
          const input = {
            trafficErlangs: load,
            averageHandleTimeMs: 240_000,
            serviceLevelThresholdMs: 30_000,
            targetServiceLevel: target,
            averagePatienceMs: patienceMs,
          };
          const result = agentsForServiceLevelWithAbandonment(input);
          if (!result.ok) throw new Error(result.error.message);
          expect(result.value.metrics.serviceLevel).toBeGreaterThanOrEqual(target);
          const fewer = result.value.agents - 1;
          if (fewer >= 1) {
            const check = erlangA({ ...input, agents: fewer });
            expect(check.ok && check.value.serviceLevel).toBeLessThan(target);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
