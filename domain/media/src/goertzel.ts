/**
 * The Goertzel algorithm: the power of one frequency over a block of samples, as one DFT bin,
 * in N multiply-adds and no buffers. The frequency need not fall on a bin centre: the recurrence
 * coefficient is computed for the exact frequency, so this is the DTFT magnitude at that frequency.
 */

/** The recurrence coefficient 2·cos(2πf/fs) for a frequency. */
export function goertzelCoefficient(frequencyHz: number, sampleRateHz: number): number {
  return 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRateHz);
}

/**
 * |X(f)|² over `samples[start, start + length)`. A sine of amplitude A at exactly f gives about
 * (A·N/2)².
 */
export function goertzelPower(
  samples: ArrayLike<number>,
  frequencyHz: number,
  sampleRateHz: number,
  start = 0,
  length: number = samples.length - start,
): number {
  const coefficient = goertzelCoefficient(frequencyHz, sampleRateHz);
  let s1 = 0;
  let s2 = 0;
  const end = start + length;
  for (let i = start; i < end; i++) {
    const s0 = (samples[i] ?? 0) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/**
 * The amplitude of the sinusoid at `frequencyHz` in the block, estimated as 2·|X(f)|/N. Good for
 * asking "is this test tone in this signal, and how loud": tests use it on mixer outputs and
 * recorded channels.
 */
export function toneAmplitude(
  samples: ArrayLike<number>,
  frequencyHz: number,
  sampleRateHz: number,
  start = 0,
  length: number = samples.length - start,
): number {
  if (length <= 0) return 0;
  return (
    (2 * Math.sqrt(Math.max(0, goertzelPower(samples, frequencyHz, sampleRateHz, start, length)))) / length
  );
}
