import { describe, expect, it } from 'vitest';
import { HousekeepingRota } from './housekeeping-rota.ts';

/** The ticks in 0..ticks-1 at which each member was due. */
function dueTicks<T>(rota: HousekeepingRota<T>, ticks: number): Map<T, number[]> {
  const seen = new Map<T, number[]>();
  for (let tick = 0; tick < ticks; tick++) {
    for (const member of rota.due(tick)) seen.set(member, [...(seen.get(member) ?? []), tick]);
  }
  return seen;
}

describe('HousekeepingRota', () => {
  it('makes each member due once every period, and each tick do an even share', () => {
    const rota = new HousekeepingRota<number>(5);
    for (let leg = 0; leg < 400; leg++) rota.add(leg);
    for (let tick = 0; tick < 5; tick++) expect(rota.due(tick).size).toBe(80);
    const seen = dueTicks(rota, 100);
    expect(seen.size).toBe(400);
    for (const ticks of seen.values()) {
      expect(ticks).toHaveLength(20);
      for (let i = 1; i < ticks.length; i++) expect((ticks[i] ?? 0) - (ticks[i - 1] ?? 0)).toBe(5);
    }
  });

  it('forgets deleted members and fills the emptiest tick with new ones', () => {
    const rota = new HousekeepingRota<string>(5);
    for (let leg = 0; leg < 10; leg++) rota.add(`leg-${String(leg)}`);
    // Both legs due at tick 3 hang up.
    const hungUp = [...rota.due(3)];
    expect(hungUp).toHaveLength(2);
    for (const leg of hungUp) rota.delete(leg);
    expect(rota.due(3).size).toBe(0);
    expect([...dueTicks(rota, 10).keys()]).not.toContain(hungUp[0]);
    // The next calls' legs go where the gap is, so no other tick takes three.
    rota.add('new-1');
    rota.add('new-2');
    expect([...rota.due(3)]).toEqual(['new-1', 'new-2']);
  });

  it('lets a member be deleted while the due ones are being visited', () => {
    const rota = new HousekeepingRota<number>(2);
    for (let leg = 0; leg < 6; leg++) rota.add(leg);
    const visited: number[] = [];
    for (const leg of rota.due(0)) {
      visited.push(leg);
      rota.delete(leg);
    }
    expect(visited).toHaveLength(3);
    expect(rota.due(0).size).toBe(0);
  });

  it('refuses a period that is not a whole number of ticks', () => {
    expect(() => new HousekeepingRota(0)).toThrow(RangeError);
    expect(() => new HousekeepingRota(2.5)).toThrow(RangeError);
  });
});
