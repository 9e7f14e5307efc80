import { describe, expect, it } from 'vitest';
import { mulawToLinear } from './g711.ts';
import { ZERO_DBM0_PEAK_AMPLITUDE, amplitudeFromDbm0, dbm0FromAmplitude } from './signal-level.ts';

describe('signal levels', () => {
  it('puts the G.711 digital milliwatt at 0 dBm0', () => {
    // The µ-law digital milliwatt's peak sample (±20 860) is sin(67.5°) of its amplitude.
    const amplitude = mulawToLinear(0x8b) / Math.sin((3 * Math.PI) / 8);
    expect(dbm0FromAmplitude(amplitude)).toBeCloseTo(0, 0);
    expect(amplitudeFromDbm0(0)).toBe(ZERO_DBM0_PEAK_AMPLITUDE);
    expect(amplitudeFromDbm0(-20)).toBeCloseTo(ZERO_DBM0_PEAK_AMPLITUDE / 10, 6);
  });
});
