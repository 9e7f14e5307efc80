/** The report periods the screen offers. */
export type PeriodPreset = 'today' | 'yesterday' | 'last7' | 'last30' | 'thisMonth' | 'custom';

/** A range of local dates, `from` included and `to` excluded (what `/api/reports/…` takes). */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** `YYYY-MM-DD` plus `days` (negative to go back), by the calendar. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Today's date on a time zone's wall clock. */
export function localToday(timeZone: string, now: Date): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The local dates a preset covers, given today's date in the report's time zone. */
export function presetRange(preset: Exclude<PeriodPreset, 'custom'>, today: string): DateRange {
  switch (preset) {
    case 'today':
      return { from: today, to: addDays(today, 1) };
    case 'yesterday':
      return { from: addDays(today, -1), to: today };
    case 'last7':
      return { from: addDays(today, -7), to: today };
    case 'last30':
      return { from: addDays(today, -30), to: today };
    case 'thisMonth':
      return { from: `${today.slice(0, 8)}01`, to: addDays(today, 1) };
  }
}

/** One cell of the hour × weekday heatmap. */
export interface HeatCell {
  /** 0 Monday … 6 Sunday. */
  readonly weekday: number;
  readonly hour: number;
  readonly value: number;
}

/**
 * Contacts offered by weekday and hour of the day, from hourly report lines (labelled on the report's wall
 * clock): every weekday × hour cell, zero where nothing happened.
 */
export function heatmapCells(
  lines: readonly {
    readonly label: { readonly date: string; readonly time: string };
    readonly value: number;
  }[],
): HeatCell[] {
  const sums = new Map<string, number>();
  for (const line of lines) {
    const [year, month, day] = line.label.date.split('-').map(Number) as [number, number, number];
    const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
    const hour = Number(line.label.time.slice(0, 2));
    const key = `${String(weekday)}:${String(hour)}`;
    sums.set(key, (sums.get(key) ?? 0) + line.value);
  }
  const cells: HeatCell[] = [];
  for (let weekday = 0; weekday < 7; weekday++)
    for (let hour = 0; hour < 24; hour++)
      cells.push({ weekday, hour, value: sums.get(`${String(weekday)}:${String(hour)}`) ?? 0 });
  return cells;
}

/** Sorts rows by a numeric column, missing values last whichever the direction. */
export function sortByFigure<T>(
  rows: readonly T[],
  valueOf: (row: T) => number | null,
  direction: 'asc' | 'desc',
): T[] {
  return [...rows].sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return direction === 'asc' ? x - y : y - x;
  });
}

/** Milliseconds as m:ss (or h:mm:ss from an hour). */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${String(hours)}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${String(minutes)}:${seconds}`;
}

/** A share as a whole percentage, or a dash when there is nothing to divide by. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${String(Math.round(share * 100))} %`;
}

/** How the chart's intervals are cut. */
export type IntervalGranularity = '15min' | '30min' | '60min' | 'day' | 'week' | 'month';

/** More intervals than this are drawn as the report gives them (an empty one is not worth a bar then). */
const maxFilledIntervals = 3_000;

/**
 * Every interval of a range as the report labels it on the wall clock (`YYYY-MM-DD` and `HH:MM`): the minutes
 * of each day, each day, each ISO week from its Monday, each month from its first day. A day when clocks
 * change still lists 24 hours (the report's own labels take precedence in `withEmptyIntervals`).
 */
export function intervalLabels(
  range: DateRange,
  granularity: IntervalGranularity,
): { readonly date: string; readonly time: string }[] {
  const labels: { date: string; time: string }[] = [];
  const pad = (value: number): string => String(value).padStart(2, '0');
  if (granularity === 'month') {
    for (let date = `${range.from.slice(0, 8)}01`; date < range.to;) {
      labels.push({ date, time: '00:00' });
      const [year, month] = date.split('-').map(Number) as [number, number];
      date = month === 12 ? `${String(year + 1)}-01-01` : `${String(year)}-${pad(month + 1)}-01`;
      if (labels.length > maxFilledIntervals) break;
    }
    return labels;
  }
  if (granularity === 'week') {
    const [year, month, day] = range.from.split('-').map(Number) as [number, number, number];
    const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
    for (let date = addDays(range.from, -weekday); date < range.to; date = addDays(date, 7)) {
      labels.push({ date, time: '00:00' });
      if (labels.length > maxFilledIntervals) break;
    }
    return labels;
  }
  const stepMinutes = granularity === 'day' ? 1_440 : Number(granularity.replace('min', ''));
  for (let date = range.from; date < range.to; date = addDays(date, 1)) {
    for (let minute = 0; minute < 1_440; minute += stepMinutes) {
      labels.push({ date, time: `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}` });
      if (labels.length > maxFilledIntervals) return labels;
    }
  }
  return labels;
}

/**
 * The report's lines with the intervals it left out (no contacts) put back as `empty(label)`, in time order, so
 * a chart shows a quiet hour as zero instead of closing the gap. Lines the range does not name (a repeated
 * hour when clocks go back) keep their place by label.
 */
export function withEmptyIntervals<
  T extends { readonly label: { readonly date: string; readonly time: string } },
>(
  lines: readonly T[],
  range: DateRange,
  granularity: IntervalGranularity,
  empty: (label: { readonly date: string; readonly time: string }) => T,
): T[] {
  const labels = intervalLabels(range, granularity);
  if (labels.length > maxFilledIntervals) return [...lines];
  const key = (label: { readonly date: string; readonly time: string }): string =>
    `${label.date} ${label.time}`;
  const present = new Set(lines.map((line) => key(line.label)));
  const filled = [...lines, ...labels.filter((label) => !present.has(key(label))).map(empty)];
  return filled.sort((a, b) => (key(a.label) < key(b.label) ? -1 : key(a.label) > key(b.label) ? 1 : 0));
}
