/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** A 64-bit NTP timestamp (RFC 3550 §4) as two unsigned 32-bit halves, so no BigInt is needed. */
export interface NtpTimestamp {
  /** Whole seconds since 1900, modulo 2^32. */
  readonly seconds: number;
  /** Fraction of a second in units of 2^-32 s. */
  readonly fraction: number;
}

/** The NTP timestamp for a Unix time in milliseconds (the kind a Clock gives). */
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  const wholeSeconds = Math.floor(unixMs / 1000);
  const remainderMs = unixMs - wholeSeconds * 1000;
  return {
    seconds: (wholeSeconds + NTP_UNIX_OFFSET_S) >>> 0,
    fraction: Math.floor((remainderMs / 1000) * 2 ** 32) >>> 0,
  };
}

/** The Unix time in milliseconds for an NTP timestamp (assumes the era that contains 1970-2036). */
export function unixMsFromNtp(ntp: NtpTimestamp): number {
  return (ntp.seconds - NTP_UNIX_OFFSET_S) * 1000 + (ntp.fraction / 2 ** 32) * 1000;
}

/**
 * The middle 32 bits of an NTP timestamp (16.16 fixed point seconds): the form RTCP uses for LSR
 * and for round-trip arithmetic (RFC 3550 §6.4.1).
 */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/** The compact (16.16) NTP time for a Unix time in milliseconds. */
export function compactNtpFromUnixMs(unixMs: number): number {
  return ntpMiddle32(ntpFromUnixMs(unixMs));
}
