/** The weekdays a schedule lists, Monday first (the flow's keys). */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** An opening interval, HH:MM to HH:MM (to excluded; 24:00 is the end of the day). */
export interface Interval {
  readonly from: string;
  readonly to: string;
}

/** A flow's weekly schedule: a weekday left out is closed. */
export type WeeklySchedule = Partial<Record<Weekday, readonly Interval[]>>;

/** A holiday as the flow stores it: `YYYY-MM-DD`, or `--MM-DD` for the same date every year. */
export interface Holiday {
  readonly date: string;
  readonly name?: string;
}

/** A holiday as the form edits it: a calendar date, whether it repeats every year, and its name. */
export interface HolidayRow {
  readonly date: string;
  readonly isEveryYear: boolean;
  readonly name: string;
}

/** Between the stored form of a holiday and the form's row. */
export const hoursCalendar = {
  /** A yearly holiday shows on `year`'s date. */
  toRow(holiday: Holiday, year: number): HolidayRow {
    const isEveryYear = holiday.date.startsWith('--');
    return {
      date: isEveryYear ? `${String(year).padStart(4, '0')}${holiday.date.slice(1)}` : holiday.date,
      isEveryYear,
      name: holiday.name ?? '',
    };
  },
  /** A yearly holiday keeps only its month and day; an empty name is left out. */
  fromRow(row: HolidayRow): Holiday {
    const date =
      row.isEveryYear && /^\d{4}-\d{2}-\d{2}$/.test(row.date) ? `--${row.date.slice(5)}` : row.date;
    return row.name.trim() === '' ? { date } : { date, name: row.name.trim() };
  },
};

/**
 * The schedules and holiday calendars a flow's nodes use (`businessHours` and `holiday` conditions, at any
 * depth: inside `not`, `all`, `any`), which the screen must not let anyone remove.
 */
export function referencedNames(nodes: unknown): {
  readonly schedules: ReadonlySet<string>;
  readonly calendars: ReadonlySet<string>;
} {
  const schedules = new Set<string>();
  const calendars = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (record['kind'] === 'businessHours' && typeof record['schedule'] === 'string')
      schedules.add(record['schedule']);
    if (record['kind'] === 'holiday' && typeof record['calendar'] === 'string')
      calendars.add(record['calendar']);
    for (const child of Object.values(record)) visit(child);
  };
  visit(nodes);
  return { schedules, calendars };
}
