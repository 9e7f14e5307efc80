import type { SlaMetric } from './api-types.ts';

/**
 * How a target is typed: rates as percentages (stored as fractions 0–1), times in seconds (stored in
 * milliseconds), scores as they are (NPS −100…100, quality 0–100), money in major units (stored minor).
 */
export type SlaUnit = 'percent' | 'seconds' | 'score' | 'money';

/** Every metric a target can be set on, the most used first, with the unit it is typed in. */
export const slaMetricUnits: readonly { readonly metric: SlaMetric; readonly unit: SlaUnit }[] = [
  { metric: 'serviceLevelOfAnswered', unit: 'percent' },
  { metric: 'serviceLevelOfOffered', unit: 'percent' },
  { metric: 'serviceLevelAbandonsMet', unit: 'percent' },
  { metric: 'serviceLevelAbandonsExcluded', unit: 'percent' },
  { metric: 'abandonmentRate', unit: 'percent' },
  { metric: 'abandonmentRateExcludingShort', unit: 'percent' },
  { metric: 'averageSpeedOfAnswerMs', unit: 'seconds' },
  { metric: 'averageHandleTimeMs', unit: 'seconds' },
  { metric: 'firstContactResolution', unit: 'percent' },
  { metric: 'csat', unit: 'percent' },
  { metric: 'nps', unit: 'score' },
  { metric: 'occupancy', unit: 'percent' },
  { metric: 'utilization', unit: 'percent' },
  { metric: 'averageWaitMs', unit: 'seconds' },
  { metric: 'averageAbandonWaitMs', unit: 'seconds' },
  { metric: 'longestWaitMs', unit: 'seconds' },
  { metric: 'averageTalkMs', unit: 'seconds' },
  { metric: 'averageHoldMs', unit: 'seconds' },
  { metric: 'averageWrapUpMs', unit: 'seconds' },
  { metric: 'transferRate', unit: 'percent' },
  { metric: 'escalationRate', unit: 'percent' },
  { metric: 'resolutionRate', unit: 'percent' },
  { metric: 'averageTimeToResolveMs', unit: 'seconds' },
  { metric: 'qualityScore', unit: 'score' },
  { metric: 'revenuePerContactMinor', unit: 'money' },
  { metric: 'costPerContactMinor', unit: 'money' },
];

const unitByMetric: ReadonlyMap<string, SlaUnit> = new Map(
  slaMetricUnits.map(({ metric, unit }) => [metric, unit]),
);

/** The unit a metric's target is typed in; undefined for a name that is no SLA metric. */
export function slaUnitOf(metric: string): SlaUnit | undefined {
  return unitByMetric.get(metric);
}

/** Whether a name is a metric a target can be set on. */
export function isSlaMetric(metric: string): metric is SlaMetric {
  return unitByMetric.has(metric);
}
