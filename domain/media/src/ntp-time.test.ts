import { describe, expect, it } from 'vitest';
import { compactNtpFromUnixMs, ntpFromUnixMs, ntpMiddle32, unixMsFromNtp } from './ntp-time.ts';

describe('NTP time', () => {
  it('puts the Unix epoch at 2 208 988 800 s after the NTP epoch', () => {
    expect(ntpFromUnixMs(0)).toEqual({ seconds: 2_208_988_800, fraction: 0 });
    expect(ntpFromUnixMs(1500)).toEqual({ seconds: 2_208_988_801, fraction: 2 ** 31 });
  });

  it('round-trips milliseconds', () => {
    for (const ms of [0, 1, 999, 1_700_000_000_123])
      expect(unixMsFromNtp(ntpFromUnixMs(ms))).toBeCloseTo(ms, 3);
  });

  it('takes the middle 32 bits for LSR (16.16 seconds)', () => {
    expect(ntpMiddle32({ seconds: 0x1234_5678, fraction: 0x9abc_def0 })).toBe(0x5678_9abc);
    const a = compactNtpFromUnixMs(1_700_000_000_000);
    const b = compactNtpFromUnixMs(1_700_000_000_250);
    expect(b - a).toBe(0.25 * 65_536);
  });
});
