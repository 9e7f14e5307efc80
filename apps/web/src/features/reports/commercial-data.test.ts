import { describe, expect, it } from 'vitest';
import {
  csvDocument,
  csvField,
  currencyOf,
  formatMoney,
  formatQuantity,
  formatSlaValue,
  formatWindow,
  metricKindOf,
  previousMonth,
  slaCsv,
  slaStatusOf,
  statementCsv,
  wallClock,
} from './commercial-data.ts';
import type { BillingStatement, SlaResult } from './commercial-types.ts';

// Intl separates an amount from its currency sign with a no-break space; the tests spell it out.
const nbsp = '\u00A0';

/** The CSV's rows as fields, for a CSV without quoted line breaks. */
function rowsOf(csv: string): string[][] {
  expect(csv.startsWith('\uFEFF')).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  return csv
    .slice(1, -2)
    .split('\r\n')
    .map((line) => line.split(','));
}

describe('previousMonth', () => {
  it('is the calendar month before today’s, across a year', () => {
    expect(previousMonth('2026-12-06')).toBe('2026-11');
    expect(previousMonth('2026-10-31')).toBe('2026-09');
    expect(previousMonth('2027-01-01')).toBe('2026-12');
  });
});

describe('money', () => {
  it('is the tenant’s currency, EUR when it has none or an unreadable one', () => {
    expect(currencyOf({ currency: 'USD' })).toBe('USD');
    expect(currencyOf({})).toBe('EUR');
    expect(currencyOf(undefined)).toBe('EUR');
    expect(currencyOf({ currency: 'euro' })).toBe('EUR');
  });

  it('reads minor units as the reader writes money', () => {
    expect(formatMoney(123_456, 'EUR', 'es')).toBe(`1234,56${nbsp}€`);
    expect(formatMoney(12_345_678, 'EUR', 'es')).toBe(`123.456,78${nbsp}€`);
    expect(formatMoney(45, 'EUR', 'es')).toBe(`0,45${nbsp}€`);
    expect(formatMoney(123_456, 'EUR', 'en')).toBe('€1,234.56');
    expect(formatMoney(123_456, 'USD', 'en')).toBe('US$1,234.56');
    // The yen has no minor unit: 1500 minor units are 1500 yen.
    expect(formatMoney(1_500, 'JPY', 'es')).toBe(`1500${nbsp}JPY`);
  });

  it('shows a quantity of minutes with at most two decimals', () => {
    expect(formatQuantity(1234.5678, 'es')).toBe('1234,57');
    expect(formatQuantity(12_345, 'en')).toBe('12,345');
  });
});

describe('SLA figures', () => {
  it('are read as the reports screen reads them: shares, times, money and scores', () => {
    expect(metricKindOf('serviceLevelOfAnswered')).toBe('share');
    expect(metricKindOf('averageSpeedOfAnswerMs')).toBe('duration');
    expect(metricKindOf('revenuePerContactMinor')).toBe('money');
    expect(metricKindOf('costPerContactMinor')).toBe('money');
    expect(metricKindOf('nps')).toBe('score');
    expect(formatSlaValue('serviceLevelOfAnswered', 0.8, 'EUR', 'es')).toBe('80 %');
    expect(formatSlaValue('averageSpeedOfAnswerMs', 20_000, 'EUR', 'es')).toBe('0:20');
    expect(formatSlaValue('averageHandleTimeMs', 3_725_000, 'EUR', 'en')).toBe('1:02:05');
    expect(formatSlaValue('revenuePerContactMinor', 250, 'EUR', 'es')).toBe(`2,50${nbsp}€`);
    expect(formatSlaValue('qualityScore', 87.25, 'EUR', 'es')).toBe('87,3');
    expect(formatSlaValue('nps', null, 'EUR', 'es')).toBe('—');
  });

  it('say met, breached or no data', () => {
    const result = (isMet: boolean | null): SlaResult => ({
      target: { id: 'sl', metric: 'abandonmentRate', comparison: 'at-most', target: 0.05, per: 'day' },
      actual: null,
      isMet,
      windowsMeasured: 0,
      breaches: [],
    });
    expect(slaStatusOf(result(true))).toBe('met');
    expect(slaStatusOf(result(false))).toBe('breached');
    expect(slaStatusOf(result(null))).toBe('no-data');
  });
});

describe('windows on the tenant’s wall clock', () => {
  // 2026-03-29 is the day Madrid goes from UTC+1 to UTC+2: 23 hours long.
  const dayStartMs = Date.UTC(2026, 2, 28, 23);
  const dayEndMs = Date.UTC(2026, 2, 29, 22);

  it('reads an instant in the time zone', () => {
    expect(wallClock(dayStartMs, 'Europe/Madrid')).toEqual({ date: '2026-03-29', time: '00:00' });
    expect(wallClock(dayEndMs, 'Europe/Madrid')).toEqual({ date: '2026-03-30', time: '00:00' });
    expect(wallClock(dayStartMs, 'UTC')).toEqual({ date: '2026-03-28', time: '23:00' });
  });

  it('words a day as its date, a part of a day with its hours, a week by its first and last day', () => {
    expect(formatWindow({ startMs: dayStartMs, endMs: dayEndMs }, 'day', 'Europe/Madrid', 'es')).toBe(
      '29 mar 2026',
    );
    const quarter = { startMs: Date.UTC(2026, 2, 30, 7, 15), endMs: Date.UTC(2026, 2, 30, 7, 30) };
    expect(formatWindow(quarter, '15min', 'Europe/Madrid', 'es')).toBe('30 mar 2026 9:15–9:30');
    expect(formatWindow(quarter, '15min', 'Europe/Madrid', 'en')).toBe('30 Mar 2026 09:15–09:30');
    const week = { startMs: Date.UTC(2026, 2, 22, 23), endMs: Date.UTC(2026, 2, 29, 22) };
    expect(formatWindow(week, 'week', 'Europe/Madrid', 'en')).toBe('23 Mar 2026 – 29 Mar 2026');
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes or line breaks, and defuses formulas', () => {
    expect(csvField('Soporte, técnico')).toBe('"Soporte, técnico"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(
      csvDocument([
        ['a', 1],
        ['ñ', null],
      ]),
    ).toBe('\uFEFFa,1\r\nñ,\r\n');
  });

  it('lists a statement’s lines and total, amounts in minor units and as decimals', () => {
    const statement: BillingStatement = {
      periodStartMs: Date.UTC(2026, 9, 31, 23),
      periodEndMs: Date.UTC(2026, 10, 30, 23),
      billableContacts: 130,
      billedSeconds: 9_000,
      lines: [
        { item: 'monthly-fee', quantity: 1, unitPriceMinor: 150_000, amountMinor: 150_000 },
        { item: 'contacts-over-included', quantity: 30, unitPriceMinor: 125, amountMinor: 3_750 },
      ],
      totalMinor: 153_750,
    };
    expect(rowsOf(statementCsv(statement, '2026-11', 'EUR'))).toEqual([
      ['month', 'item', 'quantity', 'unit_price_minor', 'amount_minor', 'unit_price', 'amount', 'currency'],
      ['2026-11', 'monthly-fee', '1', '150000', '150000', '1500.00', '1500.00', 'EUR'],
      ['2026-11', 'contacts-over-included', '30', '125', '3750', '1.25', '37.50', 'EUR'],
      ['2026-11', 'total', '', '', '153750', '', '1537.50', 'EUR'],
    ]);
  });

  it('lists each SLA target and each breached window under it, on the tenant’s wall clock', () => {
    const results: SlaResult[] = [
      {
        target: {
          id: 'sl-daily',
          metric: 'serviceLevelOfAnswered',
          comparison: 'at-least',
          target: 0.8,
          per: 'day',
          queueIds: ['q1', 'q2'],
        },
        actual: 0.75,
        isMet: false,
        windowsMeasured: 2,
        breaches: [{ startMs: Date.UTC(2026, 10, 30, 23), endMs: Date.UTC(2026, 11, 1, 23), actual: 0.6 }],
      },
      {
        target: { id: 'aband', metric: 'abandonmentRate', comparison: 'at-most', target: 0.1, per: 'period' },
        actual: null,
        isMet: null,
        windowsMeasured: 0,
        breaches: [],
      },
    ];
    const csv = slaCsv(results, {
      timeZone: 'Europe/Madrid',
      queueNames: new Map([['q1', 'Soporte técnico']]),
    });
    expect(rowsOf(csv)).toEqual([
      [
        'row',
        'target_id',
        'metric',
        'comparison',
        'target',
        'per',
        'queues',
        'actual',
        'status',
        'windows_measured',
        'window_start',
        'window_end',
        'window_actual',
      ],
      [
        'target',
        'sl-daily',
        'serviceLevelOfAnswered',
        'at-least',
        '0.8',
        'day',
        'Soporte técnico; q2',
        '0.75',
        'breached',
        '2',
        '',
        '',
        '',
      ],
      [
        'breach',
        'sl-daily',
        'serviceLevelOfAnswered',
        'at-least',
        '0.8',
        'day',
        'Soporte técnico; q2',
        '',
        '',
        '',
        '2026-12-01 00:00',
        '2026-12-02 00:00',
        '0.6',
      ],
      ['target', 'aband', 'abandonmentRate', 'at-most', '0.1', 'period', '', '', 'no-data', '0', '', '', ''],
    ]);
  });
});
