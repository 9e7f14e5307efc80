import type { Language } from '../../app/api-types.ts';
import { minorDigitsOf } from '../../app/money.ts';
import { slaUnitOf } from '../../app/sla-metrics.ts';
import type { SlaUnit } from '../../app/sla-metrics.ts';
import { formatDuration, formatShare } from './report-data.ts';
import type { BillingStatement, SlaMetric, SlaResult, SlaWindow } from './commercial-types.ts';

/** The calendar month before today's (`YYYY-MM`), given today's local date (`YYYY-MM-DD`). */
export function previousMonth(today: string): string {
  const [year, month] = today.split('-').map(Number) as [number, number];
  return month === 1 ? `${String(year - 1)}-12` : `${String(year)}-${String(month - 1).padStart(2, '0')}`;
}

/** The tenant's currency (`settings.currency`, ISO 4217); EUR when it has none. */
export function currencyOf(settings: Readonly<Record<string, unknown>> | undefined): string {
  const currency = settings?.['currency'];
  return typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'EUR';
}

/** The locale the app formats numbers and dates in for a UI language. */
export function localeOf(language: Language): string {
  return language === 'es' ? 'es-ES' : 'en-GB';
}

/** An amount in minor units (cents) as the reader writes money: `1.234,56 €` in Spanish, `€1,234.56` in English. */
export function formatMoney(amountMinor: number, currency: string, language: Language): string {
  const digits = minorDigitsOf(currency);
  return new Intl.NumberFormat(localeOf(language), { style: 'currency', currency }).format(
    amountMinor / 10 ** digits,
  );
}

/** A quantity (contacts, or minutes with a fraction) with at most two decimals, in the reader's language. */
export function formatQuantity(quantity: number, language: Language): string {
  return new Intl.NumberFormat(localeOf(language), { maximumFractionDigits: 2 }).format(quantity);
}

/** How a figure is read: a share (80 %), a time (1:05), money, or a score (NPS, quality). */
export type MetricKind = 'share' | 'duration' | 'money' | 'score';

/** How the figure an SLA target is set on is read (docs/metrics.md: rates are fractions, times milliseconds). */
export function metricKindOf(metric: SlaMetric): MetricKind {
  // The unit its target is typed in (app/sla-metrics.ts) tells how the figure reads.
  return kindByUnit[slaUnitOf(metric) ?? 'score'];
}

const kindByUnit: Readonly<Record<SlaUnit, MetricKind>> = {
  percent: 'share',
  seconds: 'duration',
  money: 'money',
  score: 'score',
};

/** A value of an SLA figure formatted as the reports screen formats that figure; a dash for nothing measured. */
export function formatSlaValue(
  metric: SlaMetric,
  value: number | null,
  currency: string,
  language: Language,
): string {
  if (value === null) return '—';
  switch (metricKindOf(metric)) {
    case 'share':
      return formatShare(value);
    case 'duration':
      return formatDuration(value);
    case 'money':
      return formatMoney(value, currency, language);
    case 'score':
      return new Intl.NumberFormat(localeOf(language), { maximumFractionDigits: 1 }).format(value);
  }
}

/** What a target's result says: met, breached, or nothing to judge. */
export type SlaStatus = 'met' | 'breached' | 'no-data';

export function slaStatusOf(result: SlaResult): SlaStatus {
  return result.isMet === null ? 'no-data' : result.isMet ? 'met' : 'breached';
}

/** An instant on a time zone's wall clock, `YYYY-MM-DD` and `HH:MM`. */
export function wallClock(ms: number, timeZone: string): { readonly date: string; readonly time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((candidate) => candidate.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
  };
}

/**
 * A judged window [startMs, endMs) for the reader, in the tenant's time zone: the day for a day, the hours
 * for a part of a day, the first and last day for a week, a month or the whole range.
 */
export function formatWindow(
  window: { readonly startMs: number; readonly endMs: number },
  per: SlaWindow,
  timeZone: string,
  language: Language,
): string {
  const locale = localeOf(language);
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' });
  const start = new Date(window.startMs);
  // The end is exclusive: the last day of a week is the day of its last instant.
  const last = new Date(window.endMs - 1);
  switch (per) {
    case '15min':
    case '30min':
    case '60min':
      return `${date.format(start)} ${time.format(start)}–${time.format(new Date(window.endMs))}`;
    case 'day':
      return date.format(start);
    case 'week':
    case 'month':
    case 'period':
      return `${date.format(start)} – ${date.format(last)}`;
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading `=+-@` is defused. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  // A spreadsheet would run a field starting with = + - @ as a formula (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A CSV document: CRLF lines, with a byte-order mark so Excel reads the UTF-8 accents right. */
export function csvDocument(rows: readonly (readonly (string | number | null)[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** Minor units as a plain decimal of the currency with a dot (1234 cents → `12.34`), for spreadsheets. */
function majorUnits(amountMinor: number, currency: string): string {
  const digits = minorDigitsOf(currency);
  return (amountMinor / 10 ** digits).toFixed(digits);
}

/**
 * A statement as CSV, one row per line and a total row: codes and plain numbers (as the reports' CSV), amounts
 * both in minor units and as decimals of the currency.
 */
export function statementCsv(statement: BillingStatement, month: string, currency: string): string {
  const rows: (string | number | null)[][] = [
    ['month', 'item', 'quantity', 'unit_price_minor', 'amount_minor', 'unit_price', 'amount', 'currency'],
  ];
  for (const line of statement.lines)
    rows.push([
      month,
      line.item,
      line.quantity,
      line.unitPriceMinor,
      line.amountMinor,
      majorUnits(line.unitPriceMinor, currency),
      majorUnits(line.amountMinor, currency),
      currency,
    ]);
  rows.push([
    month,
    'total',
    null,
    null,
    statement.totalMinor,
    null,
    majorUnits(statement.totalMinor, currency),
    currency,
  ]);
  return csvDocument(rows);
}

/**
 * SLA results as CSV: a `target` row per target (its promise, the actual over the range, its status) and a
 * `breach` row per breached window under it, the window on the tenant's wall clock. Figures are plain
 * numbers as the API gives them (fractions, milliseconds, minor units).
 */
export function slaCsv(
  results: readonly SlaResult[],
  options: { readonly timeZone: string; readonly queueNames: ReadonlyMap<string, string> },
): string {
  const rows: (string | number | null)[][] = [
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
  ];
  const local = (ms: number): string => {
    const clock = wallClock(ms, options.timeZone);
    return `${clock.date} ${clock.time}`;
  };
  for (const result of results) {
    const target = result.target;
    const promise = [
      target.id,
      target.metric,
      target.comparison,
      target.target,
      target.per,
      (target.queueIds ?? []).map((id) => options.queueNames.get(id) ?? id).join('; '),
    ];
    rows.push([
      'target',
      ...promise,
      result.actual,
      slaStatusOf(result),
      result.windowsMeasured,
      null,
      null,
      null,
    ]);
    for (const breach of result.breaches)
      rows.push([
        'breach',
        ...promise,
        null,
        null,
        null,
        local(breach.startMs),
        local(breach.endMs),
        breach.actual,
      ]);
  }
  return csvDocument(rows);
}
