import { describe, expect, it } from 'vitest';
import type { LocalDateTime } from './local-time.ts';
import { localDateTime } from './local-time.ts';
import { holidayCalendarSchema, holidayOn, isOpenAt, weeklyScheduleSchema } from './business-calendar.ts';

const office = weeklyScheduleSchema.parse({
  mon: [
    { from: '09:00', to: '14:00' },
    { from: '16:00', to: '19:00' },
  ],
  fri: [{ from: '09:00', to: '15:00' }],
  sun: [{ from: '00:00', to: '24:00' }],
});

function madrid(iso: string): LocalDateTime {
  const local = localDateTime(Date.parse(iso), 'Europe/Madrid');
  if (!local.ok) throw new Error('bad zone');
  return local.value;
}

describe('isOpenAt', () => {
  it('opens at the first minute and closes at the last, with a lunch break', () => {
    // Monday 2025-06-02, CEST (UTC+2).
    expect(isOpenAt(office, madrid('2025-06-02T06:59:00Z'))).toBe(false); // 08:59
    expect(isOpenAt(office, madrid('2025-06-02T07:00:00Z'))).toBe(true); // 09:00
    expect(isOpenAt(office, madrid('2025-06-02T12:30:00Z'))).toBe(false); // 14:30
    expect(isOpenAt(office, madrid('2025-06-02T16:59:00Z'))).toBe(true); // 18:59
    expect(isOpenAt(office, madrid('2025-06-02T17:00:00Z'))).toBe(false); // 19:00
    expect(isOpenAt(office, madrid('2025-06-03T10:00:00Z'))).toBe(false); // Tuesday: closed all day
  });

  it('follows the local clock across the spring change (Madrid, 2025-03-30)', () => {
    // Friday before the change is CET: 08:00Z is 09:00. Monday after is CEST: 07:00Z is 09:00.
    expect(isOpenAt(office, madrid('2025-03-28T07:59:00Z'))).toBe(false);
    expect(isOpenAt(office, madrid('2025-03-28T08:00:00Z'))).toBe(true);
    expect(isOpenAt(office, madrid('2025-03-31T06:59:00Z'))).toBe(false);
    expect(isOpenAt(office, madrid('2025-03-31T07:00:00Z'))).toBe(true);
    // Sunday, the day of the change, is open around the clock: the skipped hour makes no gap.
    for (const iso of [
      '2025-03-29T23:00:00Z',
      '2025-03-30T00:59:00Z',
      '2025-03-30T01:00:00Z',
      '2025-03-30T21:59:00Z',
    ]) {
      expect(isOpenAt(office, madrid(iso))).toBe(true);
    }
  });

  it('follows the local clock across the autumn change (Madrid, 2025-10-26)', () => {
    // Friday before is CEST: 07:00Z is 09:00. Monday after is CET: 07:00Z is 08:00, 08:00Z is 09:00.
    expect(isOpenAt(office, madrid('2025-10-24T07:00:00Z'))).toBe(true);
    expect(isOpenAt(office, madrid('2025-10-27T07:00:00Z'))).toBe(false);
    expect(isOpenAt(office, madrid('2025-10-27T08:00:00Z'))).toBe(true);
    // Sunday 26 lasts 25 hours; every one of them is open, the last ends at 23:00Z.
    expect(isOpenAt(office, madrid('2025-10-25T22:00:00Z'))).toBe(true);
    expect(isOpenAt(office, madrid('2025-10-26T22:59:00Z'))).toBe(true);
    expect(isOpenAt(office, madrid('2025-10-26T23:00:00Z'))).toBe(false); // Monday 00:00
  });

  it('refuses intervals that end before they start or use impossible times', () => {
    expect(weeklyScheduleSchema.safeParse({ mon: [{ from: '19:00', to: '09:00' }] }).success).toBe(false);
    expect(weeklyScheduleSchema.safeParse({ mon: [{ from: '9:00', to: '24:30' }] }).success).toBe(false);
    expect(weeklyScheduleSchema.safeParse({ monday: [] }).success).toBe(false);
  });
});

describe('holidayOn', () => {
  const spain = holidayCalendarSchema.parse([
    { date: '--12-25', name: 'Navidad' },
    { date: '2025-04-18', name: 'Viernes Santo' },
  ]);

  it('matches yearly and one-off dates on the local date, not the UTC date', () => {
    expect(holidayOn(spain, madrid('2027-12-25T10:00:00Z'))?.name).toBe('Navidad');
    expect(holidayOn(spain, madrid('2025-04-18T10:00:00Z'))?.name).toBe('Viernes Santo');
    expect(holidayOn(spain, madrid('2026-04-18T10:00:00Z'))).toBeUndefined();
    // 23:30Z on 24 December is already Christmas in Madrid; 23:30Z on the 25th is the 26th.
    expect(holidayOn(spain, madrid('2025-12-24T23:30:00Z'))?.name).toBe('Navidad');
    expect(holidayOn(spain, madrid('2025-12-25T23:30:00Z'))).toBeUndefined();
  });

  it('refuses malformed dates', () => {
    expect(holidayCalendarSchema.safeParse([{ date: '25/12' }]).success).toBe(false);
    expect(holidayCalendarSchema.safeParse([{ date: '2025-13-01' }]).success).toBe(false);
  });
});
