/** Sample rate of everything inside the engine: narrowband telephony. */
export const TELEPHONY_SAMPLE_RATE_HZ = 8000;
/** One media tick. */
export const FRAME_MS = 20;
/** Samples in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;

/**
 * Peak amplitude, in 16-bit linear units, of a sine at 0 dBm0. G.711 µ-law overloads at +3.17 dBm0,
 * which is the largest decoded value 8159 in 14-bit units (32 636 in 16-bit), so 0 dBm0 is
 * 32 636 / 10^(3.17/20). The G.711 digital milliwatt decodes to the same level within a step.
 */
export const ZERO_DBM0_PEAK_AMPLITUDE = 32_636 / 10 ** (3.17 / 20);

/** Peak amplitude of a sine at `levelDbm0`. */
export function amplitudeFromDbm0(levelDbm0: number): number {
  return ZERO_DBM0_PEAK_AMPLITUDE * 10 ** (levelDbm0 / 20);
}

/** The level in dBm0 of a sine with this peak amplitude (-Infinity for 0). */
export function dbm0FromAmplitude(peakAmplitude: number): number {
  return 20 * Math.log10(peakAmplitude / ZERO_DBM0_PEAK_AMPLITUDE);
}
