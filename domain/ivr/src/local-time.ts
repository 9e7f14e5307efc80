import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';

/** Days of the week as schedules name them. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** The wall-clock date and time in a time zone at one instant. */
export interface LocalDateTime {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  /** 1 to 31. */
  readonly day: number;
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0 to 1439. */
  readonly minuteOfDay: number;
}

const weekdays: Readonly<Record<string, Weekday>> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/**
 * The wall-clock time in `timeZone` (IANA, e.g. Europe/Madrid) at `nowMs`. Intl applies the zone's
 * rules from the tz database, so DST days come out right: in Madrid 2025-03-30 01:00Z is 03:00 local
 * (02:00-02:59 never happens) and 2025-10-26 00:30Z and 01:30Z are both 02:30 local.
 */
export function localDateTime(
  nowMs: number,
  timeZone: string,
): Result<LocalDateTime, { readonly timeZone: string }> {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(nowMs);
  } catch {
    // Intl throws a RangeError for a zone it does not know; that is bad tenant data, not a bug here.
    return err({ timeZone });
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const weekday = weekdays[part('weekday')];
  if (weekday === undefined) return err({ timeZone });
  return ok({
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    weekday,
    minuteOfDay: Number(part('hour')) * 60 + Number(part('minute')),
  });
}

/** True when Intl knows the IANA time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  return localDateTime(0, timeZone).ok;
}
