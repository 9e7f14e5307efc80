import type { DtmfDigit } from '@centralita/media';
import { DTMF_DIGITS } from '@centralita/media';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  DigitCollectionInput,
  DigitCollectionResult,
  DigitCollectionSpec,
  DigitCollectionState,
} from './digit-collection.ts';
import { nextDigitCollection, startDigitCollection } from './digit-collection.ts';

const spec: DigitCollectionSpec = {
  minDigits: 2,
  maxDigits: 4,
  terminators: '#',
  firstDigitTimeoutMs: 5000,
  interDigitTimeoutMs: 3000,
};

/** Feeds inputs in order; returns the result of the input that ended the collection, if any. */
function run(
  state: DigitCollectionState,
  inputs: readonly DigitCollectionInput[],
): DigitCollectionResult | undefined {
  let current = state;
  for (const input of inputs) {
    const step = nextDigitCollection(current, input);
    if (step.result !== undefined) return step.result;
    current = step.state;
  }
  return undefined;
}

const digit = (d: DtmfDigit, atMs: number): DigitCollectionInput => ({ kind: 'digit', digit: d, atMs });

describe('digit collection', () => {
  it('ends at the terminator, without it in the digits', () => {
    const result = run(startDigitCollection(spec, 0, false), [
      digit('1', 100),
      digit('2', 200),
      digit('#', 300),
    ]);
    expect(result).toEqual({ digits: '12', terminator: '#', reason: 'terminator', isValid: true });
  });

  it('reports a terminator before the minimum as invalid', () => {
    const result = run(startDigitCollection(spec, 0, false), [digit('1', 100), digit('#', 200)]);
    expect(result).toEqual({ digits: '1', terminator: '#', reason: 'terminator', isValid: false });
  });

  it('ends at the maximum length without waiting', () => {
    const result = run(
      startDigitCollection(spec, 0, false),
      ['1', '2', '3', '4'].map((d, i) => digit(d as DtmfDigit, i)),
    );
    expect(result).toEqual({ digits: '1234', terminator: undefined, reason: 'max-digits', isValid: true });
  });

  it('times out waiting for the first digit', () => {
    const state = startDigitCollection(spec, 1000, false);
    expect(run(state, [{ kind: 'time', nowMs: 5999 }])).toBeUndefined();
    expect(run(state, [{ kind: 'time', nowMs: 6000 }])).toEqual({
      digits: '',
      terminator: undefined,
      reason: 'first-digit-timeout',
      isValid: false,
    });
  });

  it('times out between digits, valid once the minimum is reached', () => {
    const state = startDigitCollection(spec, 0, false);
    expect(run(state, [digit('1', 100), digit('2', 200), { kind: 'time', nowMs: 3199 }])).toBeUndefined();
    expect(run(state, [digit('1', 100), digit('2', 200), { kind: 'time', nowMs: 3200 }])).toEqual({
      digits: '12',
      terminator: undefined,
      reason: 'inter-digit-timeout',
      isValid: true,
    });
  });

  it('holds the first-digit timeout while a prompt plays, and starts it when the prompt ends', () => {
    const state = startDigitCollection(spec, 0, true);
    expect(run(state, [{ kind: 'time', nowMs: 60_000 }])).toBeUndefined();
    const inputs: DigitCollectionInput[] = [
      { kind: 'release-timers', atMs: 60_000 },
      { kind: 'time', nowMs: 64_999 },
    ];
    expect(run(state, inputs)).toBeUndefined();
    expect(run(state, [...inputs, { kind: 'time', nowMs: 65_000 }])?.reason).toBe('first-digit-timeout');
  });

  it('keeps what was typed when cancelled, as an invalid result', () => {
    expect(
      run(startDigitCollection(spec, 0, false), [digit('1', 1), digit('2', 2), { kind: 'cancel' }]),
    ).toEqual({
      digits: '12',
      terminator: undefined,
      reason: 'cancelled',
      isValid: false,
    });
  });

  it('ignores everything once finished', () => {
    const done = nextDigitCollection(startDigitCollection(spec, 0, false), { kind: 'cancel' }).state;
    expect(nextDigitCollection(done, digit('1', 5))).toEqual({ state: done, result: undefined });
  });

  it('never reports more than maxDigits, and valid means within the bounds (property)', () => {
    const key = fc.constantFrom(...DTMF_DIGITS);
    const input = fc.oneof(
      key.map((d) => ({ kind: 'digit' as const, digit: d, atMs: 0 })),
      fc.integer({ min: 0, max: 20_000 }).map((nowMs) => ({ kind: 'time' as const, nowMs })),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(input),
        (min, extra, inputs) => {
          const bounds = { ...spec, minDigits: min, maxDigits: min + extra - 1 || 1 };
          if (bounds.minDigits > bounds.maxDigits) return;
          const result = run(startDigitCollection(bounds, 0, false), inputs);
          if (result === undefined) return;
          expect(result.digits.length).toBeLessThanOrEqual(bounds.maxDigits);
          expect(result.digits).not.toContain('#');
          expect(result.isValid).toBe(result.digits.length >= bounds.minDigits);
        },
      ),
    );
  });
});
