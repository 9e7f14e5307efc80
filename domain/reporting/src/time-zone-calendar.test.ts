import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, madrid } from './test-events.ts';
import type { Granularity, TimeZoneCalendar } from './time-zone-calendar.ts';
import { granularities, timeZoneCalendar } from './time-zone-calendar.ts';

const hourMs = 3_600_000;

function calendarOf(timeZone: string): TimeZoneCalendar {
  const calendar = timeZoneCalendar(timeZone);
  if (!calendar.ok) throw new Error(timeZone);
  return calendar.value;
}

describe('local intervals in Europe/Madrid', () => {
  const calendar = madrid();

  it('buckets an instant into its local 15, 30 and 60-minute interval', () => {
    const instant = at('2025-01-15T11:37:12+01:00');
    expect(calendar.intervalOf(instant, '15min')).toEqual({
      startMs: at('2025-01-15T11:30:00+01:00'),
      endMs: at('2025-01-15T11:45:00+01:00'),
    });
    expect(calendar.intervalStartOf(instant, '30min')).toBe(at('2025-01-15T11:30:00+01:00'));
    expect(calendar.intervalStartOf(instant, '60min')).toBe(at('2025-01-15T11:00:00+01:00'));
    expect(calendar.label(calendar.intervalStartOf(instant, '60min'))).toEqual({
      date: '2025-01-15',
      time: '11:00',
      utcOffsetMinutes: 60,
    });
  });

  it('gives the day clocks go forward 23 hours, without a 02:00 interval', () => {
    const day = calendar.intervalOf(at('2025-03-30T12:00:00+02:00'), 'day');
    expect(day).toEqual({ startMs: at('2025-03-30T00:00:00+01:00'), endMs: at('2025-03-31T00:00:00+02:00') });
    expect(day.endMs - day.startMs).toBe(23 * hourMs);
    const hours = calendar.intervalsBetween(day.startMs, day.endMs, '60min');
    expect(hours).toHaveLength(23);
    expect(hours.map((h) => calendar.label(h.startMs).time).slice(0, 4)).toEqual([
      '00:00',
      '01:00',
      '03:00',
      '04:00',
    ]);
    expect(calendar.intervalsBetween(day.startMs, day.endMs, '15min')).toHaveLength(92);
  });

  it('gives the day clocks go back 25 hours, with the repeated 02:00 hour as two intervals', () => {
    const day = calendar.intervalOf(at('2025-10-26T12:00:00+01:00'), 'day');
    expect(day).toEqual({ startMs: at('2025-10-26T00:00:00+02:00'), endMs: at('2025-10-27T00:00:00+01:00') });
    expect(day.endMs - day.startMs).toBe(25 * hourMs);
    const hours = calendar.intervalsBetween(day.startMs, day.endMs, '60min');
    expect(hours).toHaveLength(25);
    expect(hours.every((h) => h.endMs - h.startMs === hourMs)).toBe(true);
    expect(hours.slice(1, 5).map((h) => calendar.label(h.startMs))).toEqual([
      { date: '2025-10-26', time: '01:00', utcOffsetMinutes: 120 },
      { date: '2025-10-26', time: '02:00', utcOffsetMinutes: 120 },
      { date: '2025-10-26', time: '02:00', utcOffsetMinutes: 60 },
      { date: '2025-10-26', time: '03:00', utcOffsetMinutes: 60 },
    ]);
    // 02:30 summer time and 02:30 winter time are an hour apart and in different intervals.
    expect(calendar.intervalStartOf(at('2025-10-26T02:30:00+02:00'), '60min')).toBe(
      at('2025-10-26T02:00:00+02:00'),
    );
    expect(calendar.intervalStartOf(at('2025-10-26T02:30:00+01:00'), '60min')).toBe(
      at('2025-10-26T02:00:00+01:00'),
    );
    expect(calendar.intervalsBetween(day.startMs, day.endMs, '30min')).toHaveLength(50);
  });

  it('starts ISO weeks on Monday and months on the 1st, at local midnight', () => {
    expect(calendar.intervalOf(at('2025-10-26T23:59:59+01:00'), 'week')).toEqual({
      startMs: at('2025-10-20T00:00:00+02:00'),
      endMs: at('2025-10-27T00:00:00+01:00'),
    });
    expect(calendar.intervalOf(at('2025-10-15T10:00:00+02:00'), 'month')).toEqual({
      startMs: at('2025-10-01T00:00:00+02:00'),
      endMs: at('2025-11-01T00:00:00+01:00'),
    });
    // Midnight belongs to the day it starts; a millisecond before, to the previous day.
    expect(calendar.intervalStartOf(at('2025-01-01T00:00:00+01:00'), 'day')).toBe(
      at('2025-01-01T00:00:00+01:00'),
    );
    expect(calendar.intervalStartOf(at('2025-01-01T00:00:00+01:00') - 1, 'month')).toBe(
      at('2024-12-01T00:00:00+01:00'),
    );
  });

  it('splits a call that crosses midnight between the two days', () => {
    const shares = calendar.split(at('2025-01-31T23:50:00+01:00'), at('2025-02-01T00:10:00+01:00'), 'day');
    expect(shares).toEqual([
      { intervalStartMs: at('2025-01-31T00:00:00+01:00'), ms: 10 * 60_000 },
      { intervalStartMs: at('2025-02-01T00:00:00+01:00'), ms: 10 * 60_000 },
    ]);
  });

  it('splits a duration across the hour clocks go back: 90 minutes of wall clock 01:45-02:15 is 90 real minutes', () => {
    const shares = calendar.split(at('2025-10-26T01:45:00+02:00'), at('2025-10-26T02:15:00+01:00'), '60min');
    expect(shares.map((s) => s.ms / 60_000)).toEqual([15, 60, 15]);
  });
});

describe('time zones with unusual changes', () => {
  it('puts Kolkata hours on the half hour of UTC', () => {
    const calendar = calendarOf('Asia/Kolkata');
    expect(calendar.intervalStartOf(at('2025-05-01T10:10:00Z'), '60min')).toBe(at('2025-05-01T09:30:00Z'));
  });

  it('keeps Santiago days whole when clocks go back at midnight into the previous day', () => {
    const calendar = calendarOf('America/Santiago');
    // 2025-04-06 00:00 -03 became 2025-04-05 23:00 -04: Saturday has 25 hours, Sunday starts once.
    const saturday = calendar.intervalOf(at('2025-04-05T12:00:00-03:00'), 'day');
    expect(saturday.endMs - saturday.startMs).toBe(25 * hourMs);
    expect(saturday.endMs).toBe(at('2025-04-06T00:00:00-04:00'));
    // 2025-09-07 00:00 -04 became 01:00 -03: Sunday starts at 01:00 and has 23 hours.
    const sunday = calendar.intervalOf(at('2025-09-07T12:00:00-03:00'), 'day');
    expect(sunday.startMs).toBe(at('2025-09-07T01:00:00-03:00'));
    expect(sunday.endMs - sunday.startMs).toBe(23 * hourMs);
  });

  it('refuses a time zone Intl does not know', () => {
    const calendar = timeZoneCalendar('Europe/Atlantis');
    expect(calendar.ok).toBe(false);
    if (!calendar.ok) expect(calendar.error.code).toBe('REPORTING_TIME_ZONE_UNKNOWN');
  });
});

describe('interval properties', () => {
  const zones = [
    'Europe/Madrid',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/New_York',
  ];
  const calendars = new Map(zones.map((zone) => [zone, calendarOf(zone)]));
  const instant = fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') });
  const zone = fc.constantFrom(...zones);
  const granularity = fc.constantFrom(...granularities);
  const subDayMs: Partial<Record<Granularity, number>> = {
    '15min': 900_000,
    '30min': 1_800_000,
    '60min': 3_600_000,
  };

  it('tiles time: every instant is in exactly one interval and the next starts where it ends', () => {
    fc.assert(
      fc.property(zone, granularity, instant, (name, g, t) => {
        const calendar = calendars.get(name) as TimeZoneCalendar;
        const interval = calendar.intervalOf(t, g);
        expect(interval.startMs).toBeLessThanOrEqual(t);
        expect(interval.endMs).toBeGreaterThan(t);
        expect(calendar.intervalOf(interval.startMs, g)).toEqual(interval);
        expect(calendar.intervalOf(interval.endMs, g).startMs).toBe(interval.endMs);
        expect(calendar.intervalOf(interval.startMs - 1, g).endMs).toBe(interval.startMs);
        const lengthMs = subDayMs[g];
        if (lengthMs !== undefined) expect(interval.endMs - interval.startMs).toBeLessThanOrEqual(lengthMs);
      }),
      { numRuns: 400 },
    );
  });

  it('nests: an interval lies inside the day, week and month of its start, so finer rows roll up', () => {
    fc.assert(
      fc.property(
        zone,
        fc.constantFrom<Granularity>('15min', '30min', '60min', 'day'),
        instant,
        (name, g, t) => {
          const calendar = calendars.get(name) as TimeZoneCalendar;
          const interval = calendar.intervalOf(t, g);
          for (const coarse of ['day', 'week', 'month'] as const) {
            const outer = calendar.intervalOf(interval.startMs, coarse);
            expect(interval.endMs).toBeLessThanOrEqual(outer.endMs);
          }
          expect(calendar.intervalOf(interval.startMs, '60min').startMs).toBeLessThanOrEqual(
            interval.startMs,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('conserves a split duration, with every share inside its interval', () => {
    fc.assert(
      fc.property(
        zone,
        granularity,
        instant,
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        (name, g, start, length) => {
          const calendar = calendars.get(name) as TimeZoneCalendar;
          const shares = calendar.split(start, start + length, g);
          expect(shares.reduce((sum, s) => sum + s.ms, 0)).toBe(length);
          for (const share of shares) {
            expect(share.ms).toBeGreaterThan(0);
            expect(calendar.intervalStartOf(share.intervalStartMs, g)).toBe(share.intervalStartMs);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
