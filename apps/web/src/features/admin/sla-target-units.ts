import type { Language, SlaMetric } from '../../app/api-types.ts';
import { formatDecimal, formatMoneyInput, parseDecimal, parseMoney } from './money-input.ts';

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

/** A stored target as its field shows it: 0.8 → "80" (%), 20000 → "20" (s), 250 → "2,50" (€ in Spanish). */
export function slaTargetText(
  metric: SlaMetric,
  target: number,
  language: Language,
  currency: string,
): string {
  switch (slaUnitOf(metric) ?? 'score') {
    case 'percent':
      return formatDecimal(target * 100, language, 4);
    case 'seconds':
      return formatDecimal(target / 1000, language, 3);
    case 'score':
      return formatDecimal(target, language, 4);
    case 'money':
      return formatMoneyInput(target, language, currency);
  }
}

/** A typed target as stored ("80" % → 0.8, "20" s → 20000); null when it is no number or out of range. */
export function slaTargetOfText(
  metric: SlaMetric,
  text: string,
  language: Language,
  currency: string,
): number | null {
  const unit = slaUnitOf(metric) ?? 'score';
  if (unit === 'money') {
    const money = parseMoney(text, language, currency);
    return money.kind === 'amount' ? money.minor : null;
  }
  const value = parseDecimal(text, language);
  if (value === null) return null;
  switch (unit) {
    case 'percent':
      // 7 / 100 is 0.07000000000000001 in binary: keep what the user meant.
      return value >= 0 && value <= 100 ? Number((value / 100).toFixed(8)) : null;
    case 'seconds':
      return value >= 0 ? Math.round(value * 1000) : null;
    case 'score':
      return metric === 'nps'
        ? value >= -100 && value <= 100
          ? value
          : null
        : value >= 0 && value <= 100
          ? value
          : null;
  }
}
