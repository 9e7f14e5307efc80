import { harmonicSpan, logRisingFactorial } from './special-functions.ts';

/** What {@link sumKummerSeries} returns. */
export interface KummerSum {
  /** ln Σ_{k>=0} T_k with T_k = u^k / ((a + 1)(a + 2)…(a + k)); this is ln M(1, a + 1, u). */
  readonly logSum: number;
  /**
   * Σ T_k w_k / Σ T_k with w_k = a / (a + k + 1) · Σ_{j=1..k+1} 1 / (a + j); only when asked for, else 0.
   * In the Erlang A model (time in units of patience) it is the mean of exp(-V)·V over the queue lengths an
   * arrival finds, where V is the time it would wait to reach an agent.
   */
  readonly meanWaitWeight: number;
}

const relativeTolerance = 1e-17;
/** A safety bound on terms per direction; realistic inputs need a few thousand at most. */
const maxTermsPerDirection = 50_000_000;

/**
 * Sums Kummer's series M(1, a + 1, u) = Σ u^k / (a + 1)_k for a > 0, u >= 0, without overflow.
 *
 * The terms rise while k < u - a and fall after, so the sum starts at the largest term (the mode), is
 * carried in units of that term, and walks outwards in both directions until the rest of the geometric
 * tail is below 1e-17 of the total. Its logarithm is then ln T_mode + ln(relative sum). No factorial is
 * ever formed; at a = 5,000 / u = 5,000 it takes a few hundred terms.
 */
export function sumKummerSeries(a: number, u: number, isWaitWeightWanted: boolean): KummerSum {
  if (u === 0) return { logSum: 0, meanWaitWeight: isWaitWeightWanted ? a / (a + 1) / (a + 1) : 0 };
  const mode = u > a ? Math.floor(u - a) : 0;
  const logModeTerm = mode === 0 ? 0 : mode * Math.log(u) - logRisingFactorial(a + 1, mode);
  const weightAt = (k: number, harmonic: number): number => (a / (a + k + 1)) * harmonic;

  const harmonicAtMode = isWaitWeightWanted ? harmonicSpan(a, mode + 1) : 0;
  let sum = 1;
  let weighted = isWaitWeightWanted ? weightAt(mode, harmonicAtMode) : 0;

  // Forward from the mode: T_{k+1} = T_k · u / (a + k + 1), ratios below 1 and falling.
  let term = 1;
  let harmonic = harmonicAtMode;
  for (let k = mode, steps = 0; steps < maxTermsPerDirection; steps++) {
    const ratio = u / (a + k + 1);
    term *= ratio;
    k += 1;
    sum += term;
    if (isWaitWeightWanted) {
      harmonic += 1 / (a + k + 1);
      weighted += term * weightAt(k, harmonic);
    }
    if (term * ratio <= relativeTolerance * sum * (1 - ratio)) break;
  }

  // Backward from the mode: T_{k-1} = T_k · (a + k) / u, ratios below 1 and falling as k drops.
  term = 1;
  harmonic = harmonicAtMode;
  for (let k = mode; k > 0 && mode - k < maxTermsPerDirection;) {
    const ratio = (a + k) / u;
    term *= ratio;
    if (isWaitWeightWanted) harmonic -= 1 / (a + k + 1);
    k -= 1;
    sum += term;
    if (isWaitWeightWanted) weighted += term * weightAt(k, harmonic);
    if (term * ratio <= relativeTolerance * sum * (1 - ratio)) break;
  }

  return { logSum: logModeTerm + Math.log(sum), meanWaitWeight: isWaitWeightWanted ? weighted / sum : 0 };
}
