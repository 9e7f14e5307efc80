import type { Figures } from '@centralita/reporting';
import type { SummaryReport } from './reports-queries.ts';

/** The figures a CSV export has as columns, in the order of docs/metrics.md. */
const figureColumns: readonly (keyof Figures)[] = [
  'contacts',
  'contactsConnected',
  'offered',
  'answered',
  'abandoned',
  'shortAbandoned',
  'movedOut',
  'overflowed',
  'callbacksReached',
  'callbacksNotReached',
  'missedOffers',
  'declinedOffers',
  'handled',
  'averageSpeedOfAnswerMs',
  'averageWaitMs',
  'averageAbandonWaitMs',
  'longestWaitMs',
  'averageHandleTimeMs',
  'averageTalkMs',
  'averageHoldMs',
  'averageWrapUpMs',
  'serviceLevelOfAnswered',
  'serviceLevelOfOffered',
  'serviceLevelAbandonsMet',
  'serviceLevelAbandonsExcluded',
  'abandonmentRate',
  'abandonmentRateExcludingShort',
  'occupancy',
  'utilization',
  'transferRate',
  'escalationRate',
  'firstContactResolution',
  'resolutionRate',
  'averageTimeToResolveMs',
  'csat',
  'nps',
  'qualityScore',
  'billableContacts',
  'billedMinutes',
  'revenuePerContactMinor',
  'costPerContactMinor',
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a spreadsheet
 * would run as a formula (a queue or agent named "=HYPERLINK(…)") is prefixed with an apostrophe.
 */
function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * A report as CSV: one line per interval and group, with the interval's start as an instant and as the
 * report's wall clock reads it, then every figure (empty when there is nothing to divide by), and a
 * last line with the total of the selection.
 */
export function reportCsv(report: SummaryReport): string {
  const header = [
    'interval_start',
    'local_date',
    'local_time',
    'utc_offset_minutes',
    'queue_id',
    'queue',
    'agent_id',
    'agent',
    'channel',
    'direction',
    ...figureColumns,
  ];
  const lines = [header.join(',')];
  for (const line of report.lines) {
    lines.push(
      [
        line.intervalStart.toISOString(),
        line.label.date,
        line.label.time,
        line.label.utcOffsetMinutes,
        line.queueId,
        line.queueName,
        line.agentId,
        line.agentName,
        line.channel,
        line.direction,
        ...figureColumns.map((name) => line.figures[name]),
      ]
        .map(field)
        .join(','),
    );
  }
  lines.push(
    ['total', '', '', '', '', '', '', '', '', '', ...figureColumns.map((name) => report.total.figures[name])]
      .map(field)
      .join(','),
  );
  return `${lines.join('\r\n')}\r\n`;
}
