import { domainError, err, ok } from '@centralita/kernel';
import type { DomainError, Result } from '@centralita/kernel';
import type { ReportingErrorCode } from './errors.ts';

/** The interval lengths reports are kept and shown in. */
export const granularities = ['15min', '30min', '60min', 'day', 'week', 'month'] as const;

/** One interval length: 15, 30 or 60 minutes, a local day, an ISO week (Monday to Sunday), a calendar month. */
export type Granularity = (typeof granularities)[number];

/** An interval of local time as instants: [startMs, endMs), epoch milliseconds. */
export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

/** The part of a duration that falls in one interval. */
export interface IntervalShare {
  readonly intervalStartMs: number;
  readonly ms: number;
}

/** How an instant reads on the tenant's wall clock: for labels and charts. */
export interface LocalLabel {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** `HH:MM`, 24-hour. */
  readonly time: string;
  /** Offset from UTC in force at that instant, minutes (Madrid: 60 in winter, 120 in summer). */
  readonly utcOffsetMinutes: number;
}

/**
 * The tenant's calendar: every report bucket comes from here. Intervals are keyed by the instant they
 * start, so the two 02:00-03:00 hours of the night clocks go back are two different intervals.
 */
export interface TimeZoneCalendar {
  readonly timeZone: string;
  /** The interval of `granularity` that contains `atMs`. */
  intervalOf(atMs: number, granularity: Granularity): Interval;
  /** The start of the interval that contains `atMs`. */
  intervalStartOf(atMs: number, granularity: Granularity): number;
  /** Every interval that overlaps [fromMs, toMs), in order. */
  intervalsBetween(fromMs: number, toMs: number, granularity: Granularity): Interval[];
  /** [startMs, endMs) cut at interval boundaries; the shares add up to endMs - startMs. */
  split(startMs: number, endMs: number, granularity: Granularity): IntervalShare[];
  /** The wall-clock reading at `atMs`. */
  label(atMs: number): LocalLabel;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;
/** Offsets are looked up per UTC quarter hour: every clock change since 1972 falls on one. */
const blockMs = 15 * minuteMs;

const subDayMs: Readonly<Record<'15min' | '30min' | '60min', number>> = {
  '15min': 15 * minuteMs,
  '30min': 30 * minuteMs,
  '60min': 60 * minuteMs,
};

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * A calendar for an IANA time zone (`Europe/Madrid`). Intl supplies the zone's rules; the arithmetic is
 * on epoch milliseconds, so nothing here reads the machine's clock or its own time zone.
 */
export function timeZoneCalendar(
  timeZone: string,
): Result<TimeZoneCalendar, DomainError<ReportingErrorCode>> {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    // Intl throws a RangeError for a zone it does not know: bad tenant data, not a bug here.
    return err(domainError('REPORTING_TIME_ZONE_UNKNOWN', `unknown time zone "${timeZone}"`, 'timeZone'));
  }

  /** Offset (wall clock minus UTC) at one instant, straight from Intl. */
  const exactOffsetMs = (atMs: number): number => {
    const parts = format.formatToParts(atMs);
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of parts) {
      const value = Number(part.value);
      if (part.type === 'year') year = value;
      else if (part.type === 'month') month = value;
      else if (part.type === 'day') day = value;
      else if (part.type === 'hour') hour = value;
      else if (part.type === 'minute') minute = value;
      else if (part.type === 'second') second = value;
    }
    // Contact-center data starts well after year 100, so Date.UTC's two-digit-year rule never applies.
    const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
    const wholeSecondMs = atMs - (((atMs % 1000) + 1000) % 1000);
    return wallMs - wholeSecondMs;
  };

  // A zone changes its offset at most once in a quarter hour, at a whole second. Checking both ends of a
  // block tells whether one value holds for all of it.
  const offsetByBlock = new Map<number, number>();
  const offsetMs = (atMs: number): number => {
    const block = Math.floor(atMs / blockMs);
    let cached = offsetByBlock.get(block);
    if (cached === undefined) {
      const first = exactOffsetMs(block * blockMs);
      const last = exactOffsetMs(block * blockMs + blockMs - 1000);
      cached = first === last ? first : Number.NaN;
      // The cache only grows with the span of time reported on; keep it bounded all the same.
      if (offsetByBlock.size > 200_000) offsetByBlock.clear();
      offsetByBlock.set(block, cached);
    }
    return Number.isNaN(cached) ? exactOffsetMs(atMs) : cached;
  };

  /** The first instant in (lo, hi] whose offset differs from lo's; the caller knows hi's does. */
  const firstChangeAfter = (lo: number, hi: number): number => {
    const before = offsetMs(lo);
    let low = lo;
    let high = hi;
    while (high - low > 1) {
      const mid = low + Math.floor((high - low) / 2);
      if (offsetMs(mid) === before) low = mid;
      else high = mid;
    }
    return high;
  };

  /**
   * The earliest instant whose wall clock reads `wallMs` (as if it were UTC). When the clock skips that
   * reading (spring forward), the instant it jumps past it. When the reading happens twice (fall back),
   * the first time.
   */
  const firstInstantOfWall = (wallMs: number): number => {
    const offsetBefore = offsetMs(wallMs - 2 * dayMs);
    const offsetAfter = offsetMs(wallMs + 2 * dayMs);
    const candidates = [wallMs - offsetBefore, wallMs - offsetAfter].sort((a, b) => a - b);
    for (const instant of candidates) if (instant + offsetMs(instant) === wallMs) return instant;
    // A gap: the clock jumps forward over wallMs somewhere between the two candidates.
    const [early, late] = candidates as [number, number];
    return offsetMs(early) === offsetMs(late) ? late : firstChangeAfter(early, late);
  };

  const intervalOf = (atMs: number, granularity: Granularity): Interval => {
    const offset = offsetMs(atMs);
    const wallMs = atMs + offset;
    if (granularity === '15min' || granularity === '30min' || granularity === '60min') {
      // Sub-day intervals are cut at every change of offset as well, so none is ever longer than its
      // length and an hour repeated when clocks go back is its own interval.
      const lengthMs = subDayMs[granularity];
      const wallStart = Math.floor(wallMs / lengthMs) * lengthMs;
      let startMs = wallStart - offset;
      if (offsetMs(startMs) !== offset) startMs = firstChangeAfter(startMs, atMs);
      let endMs = wallStart + lengthMs - offset;
      if (offsetMs(endMs - 1) !== offset) endMs = firstChangeAfter(atMs, endMs - 1);
      return { startMs, endMs };
    }
    const wall = wallPeriodOf(wallMs, granularity);
    return { startMs: firstInstantOfWall(wall.startMs), endMs: firstInstantOfWall(wall.endMs) };
  };

  const intervalsBetween = (fromMs: number, toMs: number, granularity: Granularity): Interval[] => {
    const intervals: Interval[] = [];
    let cursor = fromMs;
    while (cursor < toMs) {
      const interval = intervalOf(cursor, granularity);
      intervals.push(interval);
      cursor = interval.endMs;
    }
    return intervals;
  };

  return ok({
    timeZone,
    intervalOf,
    intervalStartOf: (atMs, granularity) => intervalOf(atMs, granularity).startMs,
    intervalsBetween,
    split: (startMs, endMs, granularity) =>
      intervalsBetween(startMs, endMs, granularity).map((interval) => ({
        intervalStartMs: interval.startMs,
        ms: Math.min(interval.endMs, endMs) - Math.max(interval.startMs, startMs),
      })),
    label: (atMs) => {
      const offset = offsetMs(atMs);
      const wall = new Date(atMs + offset);
      return {
        date: `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1, 2)}-${pad(wall.getUTCDate(), 2)}`,
        time: `${pad(wall.getUTCHours(), 2)}:${pad(wall.getUTCMinutes(), 2)}`,
        utcOffsetMinutes: offset / minuteMs,
      };
    },
  });
}

/** The local day, ISO week or month containing a wall-clock reading, as wall-clock readings. */
function wallPeriodOf(wallMs: number, granularity: 'day' | 'week' | 'month'): Interval {
  const days = Math.floor(wallMs / dayMs);
  const civil = new Date(days * dayMs);
  switch (granularity) {
    case 'day':
      return { startMs: days * dayMs, endMs: (days + 1) * dayMs };
    case 'week': {
      // ISO 8601 weeks start on Monday; getUTCDay counts from Sunday.
      const startDay = days - ((civil.getUTCDay() + 6) % 7);
      return { startMs: startDay * dayMs, endMs: (startDay + 7) * dayMs };
    }
    case 'month':
      return {
        startMs: Date.UTC(civil.getUTCFullYear(), civil.getUTCMonth(), 1),
        endMs: Date.UTC(civil.getUTCFullYear(), civil.getUTCMonth() + 1, 1),
      };
  }
}
