import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatDuration,
  heatmapCells,
  intervalLabels,
  withEmptyIntervals,
  localToday,
  presetRange,
  sortByFigure,
} from './report-data.ts';

describe('report periods', () => {
  it('reads yesterday, the last 7 and 30 days and this month from today’s local date', () => {
    expect(presetRange('yesterday', '2026-03-01')).toEqual({ from: '2026-02-28', to: '2026-03-01' });
    expect(presetRange('last7', '2026-12-05')).toEqual({ from: '2026-11-28', to: '2026-12-05' });
    expect(presetRange('thisMonth', '2026-12-05')).toEqual({ from: '2026-12-01', to: '2026-12-06' });
    expect(presetRange('today', '2026-12-31')).toEqual({ from: '2026-12-31', to: '2027-01-01' });
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('takes today in the report’s time zone, not the browser’s', () => {
    const lateEvening = new Date('2026-12-05T23:30:00Z');
    expect(localToday('Europe/Madrid', lateEvening)).toBe('2026-12-06');
    expect(localToday('America/New_York', lateEvening)).toBe('2026-12-05');
  });
});

describe('the hour × weekday heatmap', () => {
  it('adds hourly figures into weekday and hour cells, Monday first, every cell present', () => {
    const cells = heatmapCells([
      { label: { date: '2026-11-30', time: '09:00' }, value: 4 },
      { label: { date: '2026-12-07', time: '09:00' }, value: 6 },
      { label: { date: '2026-12-06', time: '17:00' }, value: 2 },
    ]);
    expect(cells).toHaveLength(7 * 24);
    expect(cells.find((c) => c.weekday === 0 && c.hour === 9)?.value).toBe(10);
    expect(cells.find((c) => c.weekday === 6 && c.hour === 17)?.value).toBe(2);
    expect(cells.filter((c) => c.value > 0)).toHaveLength(2);
  });
});

describe('sorting and formatting', () => {
  it('sorts by a figure with the missing ones last', () => {
    const rows = [{ v: 3 }, { v: null }, { v: 9 }];
    expect(sortByFigure(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual([9, 3, null]);
    expect(sortByFigure(rows, (r) => r.v, 'asc').map((r) => r.v)).toEqual([3, 9, null]);
  });

  it('writes durations as m:ss and h:mm:ss', () => {
    expect(formatDuration(65_400)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('empty intervals on the chart', () => {
  const zero = (label: { date: string; time: string }) => ({ label, offered: 0 });

  it('puts back the hours without contacts as zero, in time order', () => {
    const lines = [
      { label: { date: '2026-12-04', time: '10:00' }, offered: 5 },
      { label: { date: '2026-12-04', time: '13:00' }, offered: 2 },
    ];
    const filled = withEmptyIntervals(lines, { from: '2026-12-04', to: '2026-12-05' }, '60min', zero);
    expect(filled).toHaveLength(24);
    expect(filled.slice(9, 14).map((line) => [line.label.time, line.offered])).toEqual([
      ['09:00', 0],
      ['10:00', 5],
      ['11:00', 0],
      ['12:00', 0],
      ['13:00', 2],
    ]);
  });

  it('cuts days, ISO weeks from their Monday and months from their first day', () => {
    expect(intervalLabels({ from: '2026-12-01', to: '2026-12-04' }, 'day').map((l) => l.date)).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
    ]);
    // 2 December 2026 is a Wednesday: its week starts on Monday 30 November.
    expect(intervalLabels({ from: '2026-12-02', to: '2026-12-15' }, 'week').map((l) => l.date)).toEqual([
      '2026-11-30',
      '2026-12-07',
      '2026-12-14',
    ]);
    expect(intervalLabels({ from: '2026-11-15', to: '2027-02-01' }, 'month').map((l) => l.date)).toEqual([
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
    ]);
    expect(intervalLabels({ from: '2026-12-04', to: '2026-12-05' }, '15min')).toHaveLength(96);
  });
});
