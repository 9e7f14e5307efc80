/**
 * Reports (docs/metrics.md, "Reports: how summaries are kept"): the projection of domain_events into
 * summary rows, and the reports, drill-downs and exports read from them.
 */
export {
  readCheckpoint,
  readEventsAfter,
  latestSeq,
  projectPending,
  setEventAside,
  applyEvents,
  advanceAgentTime,
  settleFirstContacts,
  projectorBatchSize,
} from './reports-projection.ts';
export type { StoredEvent, ApplyResult, ProjectResult } from './reports-projection.ts';
export {
  reportDimensions,
  contactFigures,
  calendarOf,
  startOfLocalDate,
  reportTimeZone,
  summaryRows,
  summaryReport,
  contactsBehind,
  monthlyStatement,
  slaResults,
} from './reports-queries.ts';
export type {
  ReportDimension,
  ReportFilters,
  SummaryQuery,
  ReportLine,
  SummaryReport,
  DrillDownQuery,
  ContactBehind,
} from './reports-queries.ts';
export { reportCsv } from './reports-csv.ts';
export { leaderboardOf } from './reports-leaderboard.ts';
/** What the leaderboard ranks by (domain/reporting's). */
export { leaderboardOrders } from '@centralita/reporting';
/** What `settings.reports.fcrSameMatter` may be (domain/reporting's, for the edge to validate against). */
export { fcrSameMatterValues } from '@centralita/reporting';
/** The figures an SLA target may name and the values its target may take (for the edge to validate against). */
export { slaMetrics, slaTargetRange } from '@centralita/reporting';
/** The interval lengths reports come in (domain/reporting's, for the edge to validate against). */
export { granularities } from '@centralita/reporting';
import { granularities as calendarGranularities } from '@centralita/reporting';
/** Every granularity a report takes: the calendar's intervals and `period` (the whole range as one line). */
export const reportGranularities = [...calendarGranularities, 'period'] as const;
export type {
  BillingPlan,
  CostRates,
  Granularity,
  Figures,
  SlaMetric,
  SlaTarget,
  SummaryField,
  TimeZoneCalendar,
} from '@centralita/reporting';
