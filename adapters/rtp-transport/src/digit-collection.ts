import type { DtmfDigit } from '@centralita/media';

/** What to collect: lengths, end keys and the two timeouts of an IVR input. */
export interface DigitCollectionSpec {
  readonly minDigits: number;
  readonly maxDigits: number;
  /** Keys that end the input early (usually "#"); they are not part of the digits. Empty: none. */
  readonly terminators: string;
  /** How long to wait for the first key, from the start (or from the end of the prompt). */
  readonly firstDigitTimeoutMs: number;
  /** How long to wait for each following key. */
  readonly interDigitTimeoutMs: number;
}

/** Why a collection ended. */
export type DigitCollectionEndReason =
  'max-digits' | 'terminator' | 'first-digit-timeout' | 'inter-digit-timeout' | 'cancelled';

/** The outcome reported to the call layer. */
export interface DigitCollectionResult {
  readonly digits: string;
  /** The end key pressed, if the input ended with one. */
  readonly terminator: DtmfDigit | undefined;
  readonly reason: DigitCollectionEndReason;
  /** True when the number of digits is within [minDigits, maxDigits] and the input was not cancelled. */
  readonly isValid: boolean;
}

/** The collection's state: waiting, collecting (at least one key) or finished. */
export type DigitCollectionState =
  | {
      readonly stage: 'waiting' | 'collecting';
      readonly spec: DigitCollectionSpec;
      readonly digits: string;
      /** When the running timeout expires; undefined while timers are held (a prompt is playing). */
      readonly deadlineMs: number | undefined;
    }
  | { readonly stage: 'finished'; readonly result: DigitCollectionResult };

/** What can happen to a collection. */
export type DigitCollectionInput =
  | { readonly kind: 'digit'; readonly digit: DtmfDigit; readonly atMs: number }
  /** Time passed (the media tick). */
  | { readonly kind: 'time'; readonly nowMs: number }
  /** The prompt that held the timers ended: start the first-digit timeout now. */
  | { readonly kind: 'release-timers'; readonly atMs: number }
  | { readonly kind: 'cancel' };

/** The next state, and the result when this input ended the collection. */
export interface DigitCollectionStep {
  readonly state: DigitCollectionState;
  readonly result: DigitCollectionResult | undefined;
}

/**
 * A collection starting at `nowMs`. With `isTimerHeld` (a prompt is playing), keys are collected
 * at once but the first-digit timeout starts only on `release-timers`, as an IVR menu expects: the
 * caller has the whole prompt plus the timeout to answer.
 */
export function startDigitCollection(
  spec: DigitCollectionSpec,
  nowMs: number,
  isTimerHeld: boolean,
): DigitCollectionState {
  return {
    stage: 'waiting',
    spec,
    digits: '',
    deadlineMs: isTimerHeld ? undefined : nowMs + spec.firstDigitTimeoutMs,
  };
}

function finish(
  spec: DigitCollectionSpec,
  digits: string,
  reason: DigitCollectionEndReason,
  terminator?: DtmfDigit,
): DigitCollectionStep {
  const isValid =
    reason !== 'cancelled' && digits.length >= spec.minDigits && digits.length <= spec.maxDigits;
  const result: DigitCollectionResult = { digits, terminator, reason, isValid };
  return { state: { stage: 'finished', result }, result };
}

/** The transition function of digit collection (the only place its state changes). */
export function nextDigitCollection(
  state: DigitCollectionState,
  input: DigitCollectionInput,
): DigitCollectionStep {
  if (state.stage === 'finished') return { state, result: undefined };
  const { spec, digits } = state;
  switch (input.kind) {
    case 'digit': {
      if (spec.terminators.includes(input.digit)) return finish(spec, digits, 'terminator', input.digit);
      const collected = digits + input.digit;
      if (collected.length >= spec.maxDigits) return finish(spec, collected, 'max-digits');
      return {
        state: {
          stage: 'collecting',
          spec,
          digits: collected,
          deadlineMs: input.atMs + spec.interDigitTimeoutMs,
        },
        result: undefined,
      };
    }
    case 'time': {
      if (state.deadlineMs === undefined || input.nowMs < state.deadlineMs)
        return { state, result: undefined };
      return finish(spec, digits, state.stage === 'waiting' ? 'first-digit-timeout' : 'inter-digit-timeout');
    }
    case 'release-timers': {
      if (state.deadlineMs !== undefined) return { state, result: undefined };
      const timeoutMs = state.stage === 'waiting' ? spec.firstDigitTimeoutMs : spec.interDigitTimeoutMs;
      return { state: { ...state, deadlineMs: input.atMs + timeoutMs }, result: undefined };
    }
    case 'cancel':
      return finish(spec, digits, 'cancelled');
  }
}
