import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedSet } from './ordered-set.ts';

describe('OrderedSet', () => {
  it('behaves like a sorted array under any sequence of inserts and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 300 }),
        (ops) => {
          const set = new OrderedSet<number>(
            (a, b) => a - b,
            (n) => n + 1,
          );
          const model: number[] = [];
          for (const [isInsert, value] of ops) {
            const present = model.includes(value);
            if (isInsert && !present) {
              set.insert(value);
              model.push(value);
              model.sort((a, b) => a - b);
            } else if (!isInsert) {
              expect(set.delete(value)).toBe(present);
              if (present) model.splice(model.indexOf(value), 1);
            }
          }
          expect([...set]).toEqual(model);
          expect(set.size).toBe(model.length);
          expect(set.first()).toBe(model[0]);
          expect(set.totalWeight).toBe(model.reduce((s, n) => s + n + 1, 0));
          model.forEach((value, i) => {
            expect(set.at(i)).toBe(value);
            expect(set.rankOf(value)).toBe(i);
          });
          expect(set.rankOf(1_000)).toBe(-1);
          const pivot = 30;
          expect(set.firstWhere((n) => n >= pivot)).toBe(model.find((n) => n >= pivot));
        },
      ),
    );
  });

  it('picks by weight: each item owns a slice of the total as wide as its weight', () => {
    const set = new OrderedSet<{ id: number; w: number }>(
      (a, b) => a.id - b.id,
      (x) => x.w,
    );
    set.insert({ id: 1, w: 1 });
    set.insert({ id: 2, w: 3 });
    set.insert({ id: 3, w: 6 });
    expect(set.atWeight(0)?.id).toBe(1);
    expect(set.atWeight(0.99)?.id).toBe(1);
    expect(set.atWeight(1)?.id).toBe(2);
    expect(set.atWeight(3.99)?.id).toBe(2);
    expect(set.atWeight(4)?.id).toBe(3);
    expect(set.atWeight(9.999)?.id).toBe(3);
  });

  it('stays shallow with 100,000 ascending inserts (no degenerate list)', () => {
    const set = new OrderedSet<number>((a, b) => a - b);
    for (let i = 0; i < 100_000; i++) set.insert(i);
    expect(set.at(77_777)).toBe(77_777);
    for (let i = 0; i < 100_000; i += 2) set.delete(i);
    expect(set.size).toBe(50_000);
    expect(set.first()).toBe(1);
  });
});
