import { describe, expect, it } from 'vitest';
import { reports } from '@centralita/store';
import { granularities } from '../../app/api-types.ts';
import type { TenantSettings } from '../../app/api-types.ts';
import { reportSettingsForm, reportSettingsPatch } from './report-settings-form.ts';
import { slaMetricUnits } from '../../app/sla-metrics.ts';
import { slaTargetOfText, slaTargetText } from './sla-target-units.ts';

describe('SLA targets as typed', () => {
  it('types rates as percentages and stores fractions', () => {
    expect(slaTargetOfText('serviceLevelOfOffered', '80', 'es', 'EUR')).toBe(0.8);
    expect(slaTargetOfText('abandonmentRate', '7', 'en', 'EUR')).toBe(0.07);
    expect(slaTargetOfText('csat', '92,5', 'es', 'EUR')).toBe(0.925);
    expect(slaTargetText('abandonmentRate', 0.07, 'es', 'EUR')).toBe('7');
    expect(slaTargetText('csat', 0.925, 'es', 'EUR')).toBe('92,5');
    expect(slaTargetOfText('occupancy', '101', 'es', 'EUR')).toBeNull();
  });

  it('types times in seconds and stores milliseconds', () => {
    expect(slaTargetOfText('averageSpeedOfAnswerMs', '20', 'es', 'EUR')).toBe(20_000);
    expect(slaTargetOfText('averageHandleTimeMs', '300,5', 'es', 'EUR')).toBe(300_500);
    expect(slaTargetText('averageHandleTimeMs', 300_500, 'en', 'EUR')).toBe('300.5');
    expect(slaTargetOfText('averageSpeedOfAnswerMs', '-1', 'es', 'EUR')).toBeNull();
  });

  it('types scores as they are and revenue as money', () => {
    expect(slaTargetOfText('nps', '-20', 'es', 'EUR')).toBe(-20);
    expect(slaTargetOfText('nps', '-101', 'es', 'EUR')).toBeNull();
    expect(slaTargetOfText('qualityScore', '85', 'es', 'EUR')).toBe(85);
    expect(slaTargetOfText('revenuePerContactMinor', '2,50', 'es', 'EUR')).toBe(250);
    expect(slaTargetText('revenuePerContactMinor', 250, 'es', 'EUR')).toBe('2,50');
    expect(slaTargetOfText('nps', 'mucho', 'es', 'EUR')).toBeNull();
  });

  it('offers every metric the server takes, once, typed in the unit of its scale', () => {
    // The browser bundle cannot import domain/reporting: this holds the copy in step with it.
    const metrics = slaMetricUnits.map(({ metric }) => metric);
    expect(new Set(metrics).size).toBe(metrics.length);
    expect([...metrics].sort()).toEqual([...reports.slaMetrics].sort());
    for (const { metric, unit } of slaMetricUnits) {
      const { min, max } = reports.slaTargetRange(metric);
      const expected =
        max === 1 ? 'percent' : max === 100 ? 'score' : metric.endsWith('Minor') ? 'money' : 'seconds';
      expect([metric, unit, min]).toEqual([metric, expected, metric === 'nps' ? -100 : 0]);
    }
    expect(granularities).toEqual(reports.granularities);
  });
});

const stored: TenantSettings = {
  currency: 'EUR',
  reports: {
    fcrWindowDays: 10,
    someFutureKey: { keep: true },
    shortAbandonSeconds: 8,
    billingIncrementSeconds: 45,
    costRates: { agentHourMinor: 1800, telephonyMinuteMinor: 2 },
    dispositionValuesMinor: { sale: 2500 },
  },
  billing: { kind: 'flat', monthlyFeeMinor: 150_000, includedContacts: 1000 },
  sla: {
    targets: [
      { id: 'a', metric: 'serviceLevelOfOffered', comparison: 'at-least', target: 0.8, per: 'day' },
      {
        id: 'b',
        metric: 'averageHandleTimeMs',
        comparison: 'at-most',
        target: 300_000,
        per: 'period',
        queueIds: ['q1'],
      },
    ],
  },
};

describe('the report settings form', () => {
  it('shows what is stored, in the user’s language', () => {
    const form = reportSettingsForm(stored, 'es');
    expect(form).toMatchObject({
      shortAbandonSeconds: '8',
      billingIncrement: 'custom',
      billingIncrementCustom: '45',
      billingMinimumSeconds: '0',
      agentHour: '18,00',
      telephonyMinute: '0,02',
      dispositionValues: { sale: '25,00' },
      billingKind: 'flat',
      monthlyFee: '1500,00',
      includedContacts: '1000',
      overagePerContact: '',
    });
    expect(form.slaTargets.map((row) => [row.id, row.target, row.queueIds])).toEqual([
      ['a', '80', []],
      ['b', '300', ['q1']],
    ]);
  });

  it('shows the defaults when nothing is stored', () => {
    expect(reportSettingsForm({}, 'en')).toMatchObject({
      shortAbandonSeconds: '5',
      billingIncrement: '1',
      billingMinimumSeconds: '0',
      currency: 'EUR',
      agentHour: '',
      billingKind: 'none',
      slaTargets: [],
    });
  });

  it('sends the stored settings back unchanged, report settings it does not show included', () => {
    const patch = reportSettingsPatch(reportSettingsForm(stored, 'es'), stored, 'es');
    expect(patch).toEqual({
      ok: true,
      settings: {
        currency: 'EUR',
        reports: { ...stored.reports, billingMinimumSeconds: 0 },
        billing: stored.billing,
        sla: stored.sla,
      },
    });
  });

  it('sends what was typed: Spanish "18,50" is 1850, no plan is null, cleared rates are null', () => {
    const form = {
      ...reportSettingsForm(stored, 'es'),
      billingIncrement: '6',
      agentHour: '',
      telephonyMinute: '',
      dispositionValues: { sale: '', upgrade: '18,50' },
      billingKind: 'none' as const,
      slaTargets: [],
    };
    const patch = reportSettingsPatch(form, stored, 'es');
    expect(patch.ok && patch.settings).toEqual({
      currency: 'EUR',
      reports: {
        fcrWindowDays: 10,
        someFutureKey: { keep: true },
        shortAbandonSeconds: 8,
        billingIncrementSeconds: 6,
        billingMinimumSeconds: 0,
        costRates: null,
        dispositionValuesMinor: { upgrade: 1850 },
      },
      billing: null,
      sla: { targets: [] },
    });
  });

  it('names each field that is wrong', () => {
    const form = {
      ...reportSettingsForm({}, 'en'),
      agentHour: '18.00',
      dispositionValues: { sale: 'lots' },
      billingKind: 'per-minute' as const,
      slaTargets: [
        {
          id: 'x',
          metric: 'serviceLevelOfOffered' as const,
          comparison: 'at-least' as const,
          target: '120',
          per: 'day' as const,
          queueIds: [],
        },
      ],
    };
    const patch = reportSettingsPatch(form, {}, 'en');
    expect(patch.ok ? [] : patch.problems.map((problem) => [problem.field, problem.messageKey])).toEqual([
      ['settings.reports.costRates', 'reportSettings.costRatesBothOrNeither'],
      ['settings.reports.dispositionValuesMinor.sale', 'reportSettings.invalidAmount'],
      ['settings.billing.pricePerMinuteMinor', 'reportSettings.amountRequired'],
      ['settings.sla.targets.0.target', 'reportSettings.invalidTarget'],
    ]);
  });
});
