import type { Language, SlaMetric } from '../../app/api-types.ts';
import { slaUnitOf } from '../../app/sla-metrics.ts';
import { formatDecimal, formatMoneyInput, parseDecimal, parseMoney } from './money-input.ts';

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
