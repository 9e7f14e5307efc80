/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (standard tables). */
const tQuantiles975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** A 95 % confidence interval: the estimate and its half-width. */
export interface ConfidenceInterval {
  readonly estimate: number;
  readonly halfWidth: number;
}

/**
 * The method of batch means: a long simulation is cut into consecutive batches whose ratios are nearly
 * independent, so the spread of the batch ratios gives an honest interval for the overall ratio even
 * though successive contacts' waits are correlated. `numerators[i] / denominators[i]` is batch i; empty
 * batches are skipped. Undefined with fewer than two usable batches.
 */
export function batchMeansInterval(
  numerators: readonly number[],
  denominators: readonly number[],
): ConfidenceInterval | undefined {
  const ratios: number[] = [];
  let totalNumerator = 0;
  let totalDenominator = 0;
  numerators.forEach((n, i) => {
    const d = denominators[i] ?? 0;
    if (d > 0) ratios.push(n / d);
    totalNumerator += n;
    totalDenominator += d;
  });
  if (ratios.length < 2 || totalDenominator === 0) return undefined;
  const mean = ratios.reduce((s, r) => s + r, 0) / ratios.length;
  const variance = ratios.reduce((s, r) => s + (r - mean) ** 2, 0) / (ratios.length - 1);
  const t = tQuantiles975[Math.min(ratios.length - 1, tQuantiles975.length) - 1] ?? 1.96;
  return { estimate: totalNumerator / totalDenominator, halfWidth: t * Math.sqrt(variance / ratios.length) };
}
