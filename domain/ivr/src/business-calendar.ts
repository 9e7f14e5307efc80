import { z } from 'zod';
import type { LocalDateTime, Weekday } from './local-time.ts';

const clockTimePattern = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

/** "HH:MM" to minutes since midnight ("24:00" is 1440, the end of the day). */
export function minutesOfClockTime(time: string): number {
  const [hours, minutes] = time.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** An opening interval in local time: open from `from` (included) until `to` (excluded). */
export const openingIntervalSchema = z
  .strictObject({
    from: z.string().regex(clockTimePattern, 'a time is HH:MM, 00:00 to 24:00'),
    to: z.string().regex(clockTimePattern, 'a time is HH:MM, 00:00 to 24:00'),
  })
  .refine(
    (interval) => minutesOfClockTime(interval.from) < minutesOfClockTime(interval.to),
    'an interval ends after it starts; split one that crosses midnight in two days',
  );

const dayHours = z.array(openingIntervalSchema).max(8).optional();

/** Opening hours per weekday, in the tenant's time zone; a day left out is closed all day. */
export const weeklyScheduleSchema = z.strictObject({
  mon: dayHours,
  tue: dayHours,
  wed: dayHours,
  thu: dayHours,
  fri: dayHours,
  sat: dayHours,
  sun: dayHours,
});

/** A weekly schedule of opening hours. */
export type WeeklySchedule = z.output<typeof weeklyScheduleSchema>;

/** True when the local time falls inside one of that weekday's intervals. */
export function isOpenAt(schedule: WeeklySchedule, local: LocalDateTime): boolean {
  const intervals = schedule[local.weekday satisfies Weekday] ?? [];
  return intervals.some(
    (interval) =>
      minutesOfClockTime(interval.from) <= local.minuteOfDay &&
      local.minuteOfDay < minutesOfClockTime(interval.to),
  );
}

/**
 * A holiday: one date ("2025-04-18", Good Friday that year) or the same date every year ("--12-25",
 * the ISO 8601 form for a month and day without a year).
 */
export const holidaySchema = z.strictObject({
  date: z
    .string()
    .regex(
      /^(?:[0-9]{4}|-)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$/,
      'a date is YYYY-MM-DD, or --MM-DD for every year',
    ),
  name: z.string().min(1).optional(),
});

/** A list of holidays. */
export const holidayCalendarSchema = z.array(holidaySchema);

/** A calendar of holidays. */
export type HolidayCalendar = z.output<typeof holidayCalendarSchema>;

/** The holiday falling on the local date, if any. */
export function holidayOn(
  calendar: HolidayCalendar,
  local: LocalDateTime,
): z.output<typeof holidaySchema> | undefined {
  const monthDay = `${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
  const exact = `${String(local.year).padStart(4, '0')}-${monthDay}`;
  return calendar.find((holiday) => holiday.date === exact || holiday.date === `--${monthDay}`);
}
