import type { AgentId, QueueId } from '@centralita/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SummaryRow, SummaryValues } from './summary-row.ts';
import {
  addValues,
  applyChange,
  contributionChanges,
  emptyValues,
  mergeRows,
  regroup,
  subtractValues,
  summaryFields,
  totalOf,
  valuesOf,
} from './summary-row.ts';
import { at, madrid } from './test-events.ts';

const valuesArb: fc.Arbitrary<SummaryValues> = fc
  .tuple(...summaryFields.map(() => fc.integer({ min: 0, max: 10_000 })))
  .map(
    (numbers) =>
      Object.fromEntries(summaryFields.map((field, i) => [field, numbers[i] ?? 0])) as SummaryValues,
  );

const rowArb: fc.Arbitrary<SummaryRow> = fc.record({
  key: fc.record({
    intervalStartMs: fc.constantFrom(0, 900_000, 1_800_000),
    queueId: fc.constantFrom(null, 'q1' as QueueId, 'q2' as QueueId),
    agentId: fc.constantFrom(null, 'ana' as AgentId),
    channel: fc.constantFrom(null, 'voice' as const, 'chat' as const),
    direction: fc.constantFrom(null, 'inbound' as const),
  }),
  values: valuesArb,
});

describe('summary rows', () => {
  it('merge to the same rows in any order', () => {
    fc.assert(
      fc.property(
        fc
          .array(rowArb, { maxLength: 30 })
          .chain((rows) =>
            fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })),
          ),
        ([rows, shuffled]) => {
          expect(mergeRows(shuffled)).toEqual(mergeRows(rows));
          expect(totalOf(shuffled)).toEqual(totalOf(rows));
        },
      ),
    );
  });

  it('merge into totals of their own, leaving the rows merged as they were', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), (rows) => {
        const copies = structuredClone(rows);
        const merged = mergeRows(rows);
        expect(rows).toEqual(copies);
        // Each key's total is the sum of its rows (the maximum by maximum), added one by one.
        for (const row of merged) {
          const same = copies.filter((r) => JSON.stringify(r.key) === JSON.stringify(row.key));
          expect(row.values).toEqual(totalOf(same));
        }
      }),
    );
  });

  it('take back what was added: subtracting a part restores the sums', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, (a, b) => {
        const { values } = subtractValues(addValues(a, b), b);
        for (const field of summaryFields) {
          if (field !== 'longestWaitMs') expect(values[field]).toBe(a[field]);
        }
      }),
    );
  });

  it('say when a maximum can no longer be trusted after taking a part out, and when it can', () => {
    const total = valuesOf({ waited: 3, longestWaitMs: 90_000 });
    expect(subtractValues(total, valuesOf({ waited: 1, longestWaitMs: 90_000 })).isMaximumStale).toBe(true);
    expect(subtractValues(total, valuesOf({ waited: 1, longestWaitMs: 10_000 })).isMaximumStale).toBe(false);
    // Nothing left to wait: the maximum is zero, exactly.
    expect(subtractValues(total, valuesOf({ waited: 3, longestWaitMs: 90_000 }))).toEqual({
      values: emptyValues,
      isMaximumStale: false,
    });
    // A re-folded contact that still holds the maximum keeps it exact.
    const change = {
      key: { intervalStartMs: 0, queueId: null, agentId: null, channel: null, direction: null },
      before: valuesOf({ waited: 1, longestWaitMs: 90_000 }),
      after: valuesOf({ waited: 1, longestWaitMs: 95_000, escalated: 1 }),
    };
    expect(applyChange(total, change)).toEqual({
      values: valuesOf({ waited: 3, longestWaitMs: 95_000, escalated: 1 }),
      isMaximumStale: false,
    });
  });

  it("pair a record's old and new contributions by key and leave out keys that did not change", () => {
    const key = (queueId: string) => ({
      intervalStartMs: 0,
      queueId: queueId as QueueId,
      agentId: null,
      channel: null,
      direction: null,
    });
    const changes = contributionChanges(
      [
        { key: key('q1'), values: valuesOf({ offered: 1 }) },
        { key: key('q2'), values: valuesOf({ contacts: 1 }) },
      ],
      [
        { key: key('q2'), values: valuesOf({ contacts: 1 }) },
        { key: key('q3'), values: valuesOf({ offered: 1 }) },
      ],
    );
    expect(changes).toEqual([
      { key: key('q1'), before: valuesOf({ offered: 1 }), after: emptyValues },
      { key: key('q3'), before: emptyValues, after: valuesOf({ offered: 1 }) },
    ]);
  });

  it('roll 15-minute rows up into hours and days, across the day clocks go forward', () => {
    const calendar = madrid();
    const row = (iso: string, offered: number): SummaryRow => ({
      key: {
        intervalStartMs: at(iso),
        queueId: 'q1' as QueueId,
        agentId: 'ana' as AgentId,
        channel: 'voice',
        direction: 'inbound',
      },
      values: valuesOf({ offered }),
    });
    const rows = [
      row('2025-03-30T01:45:00+01:00', 1),
      row('2025-03-30T03:00:00+02:00', 2),
      row('2025-03-30T03:45:00+02:00', 4),
      row('2025-03-31T00:00:00+02:00', 8),
    ];
    const hourly = regroup(rows, { queue: true }, { calendar, granularity: '60min' });
    expect(
      hourly.map((r) => [calendar.label(r.key.intervalStartMs).time, r.key.agentId, r.values.offered]),
    ).toEqual([
      ['01:00', null, 1],
      ['03:00', null, 6],
      ['00:00', null, 8],
    ]);
    const daily = regroup(rows, {}, { calendar, granularity: 'day' });
    expect(daily.map((r) => [calendar.label(r.key.intervalStartMs).date, r.values.offered])).toEqual([
      ['2025-03-30', 7],
      ['2025-03-31', 8],
    ]);
  });
});
