import type {
  BillingPlan,
  Granularity,
  Language,
  ReportSettings,
  SlaMetric,
  SlaTarget,
  TenantSettings,
} from '../../app/api-types.ts';
import type { MessageKey } from '../../i18n/catalog.ts';
import { formatMoneyInput, parseMoney } from './money-input.ts';
import { slaTargetOfText, slaTargetText } from './sla-target-units.ts';

/** The currencies offered in the select; a stored one not in the list is offered too. */
export const commonCurrencies = ['EUR', 'USD', 'MXN', 'COP', 'ARS', 'CLP', 'PEN', 'GBP'] as const;

/** The billing increments offered; any other stored value shows as a custom one. */
export const commonBillingIncrements = ['1', '6', '30', '60'] as const;

/** What a billing plan can be, "none" being no plan (`billing: null`). */
export type BillingKind = 'none' | BillingPlan['kind'];

export const billingKinds: readonly BillingKind[] = ['none', 'per-contact', 'per-minute', 'flat'];

/** One SLA target row as typed: the target in the unit of its metric (% or s). */
export interface SlaTargetRow {
  readonly id: string;
  readonly metric: SlaMetric;
  readonly comparison: SlaTarget['comparison'];
  readonly target: string;
  readonly per: Granularity | 'period';
  /** Empty: every queue. */
  readonly queueIds: readonly string[];
}

/** The report, money, billing and SLA fields of the tenant screen, as typed (text until saved). */
export interface ReportSettingsForm {
  readonly shortAbandonSeconds: string;
  /** One of `commonBillingIncrements`, or "custom" with `billingIncrementCustom`. */
  readonly billingIncrement: string;
  readonly billingIncrementCustom: string;
  readonly billingMinimumSeconds: string;
  readonly currency: string;
  readonly agentHour: string;
  readonly telephonyMinute: string;
  /** Amount typed for each disposition code. */
  readonly dispositionValues: Readonly<Record<string, string>>;
  readonly billingKind: BillingKind;
  readonly pricePerContact: string;
  readonly pricePerMinute: string;
  readonly monthlyFee: string;
  readonly includedContacts: string;
  readonly overagePerContact: string;
  readonly slaTargets: readonly SlaTargetRow[];
}

/** The form showing what is stored, defaults where nothing is. */
export function reportSettingsForm(settings: TenantSettings, language: Language): ReportSettingsForm {
  const reports = settings.reports ?? {};
  const currency = settings.currency ?? 'EUR';
  const money = (minor: number | undefined): string =>
    minor === undefined ? '' : formatMoneyInput(minor, language, currency);
  const increment = String(reports.billingIncrementSeconds ?? 1);
  const isCommonIncrement = (commonBillingIncrements as readonly string[]).includes(increment);
  const plan = settings.billing ?? null;
  return {
    shortAbandonSeconds: String(reports.shortAbandonSeconds ?? 5),
    billingIncrement: isCommonIncrement ? increment : 'custom',
    billingIncrementCustom: isCommonIncrement ? '' : increment,
    billingMinimumSeconds: String(reports.billingMinimumSeconds ?? 0),
    currency,
    agentHour: money(reports.costRates?.agentHourMinor),
    telephonyMinute: money(reports.costRates?.telephonyMinuteMinor),
    dispositionValues: Object.fromEntries(
      Object.entries(reports.dispositionValuesMinor ?? {}).map(([code, minor]) => [code, money(minor)]),
    ),
    billingKind: plan?.kind ?? 'none',
    pricePerContact: money(plan?.kind === 'per-contact' ? plan.pricePerContactMinor : undefined),
    pricePerMinute: money(plan?.kind === 'per-minute' ? plan.pricePerMinuteMinor : undefined),
    monthlyFee: money(plan?.kind === 'flat' ? plan.monthlyFeeMinor : undefined),
    includedContacts:
      plan?.kind === 'flat' && plan.includedContacts !== undefined ? String(plan.includedContacts) : '',
    overagePerContact: money(plan?.kind === 'flat' ? plan.overagePerContactMinor : undefined),
    slaTargets: (settings.sla?.targets ?? []).map((target) => ({
      id: target.id,
      metric: target.metric,
      comparison: target.comparison,
      target: slaTargetText(target.metric, target.target, language, currency),
      per: target.per,
      queueIds: target.queueIds ?? [],
    })),
  };
}

/** A problem with a typed field, its message a key of report-settings-messages.ts. */
export interface FormProblem {
  readonly field: string;
  readonly messageKey: MessageKey;
}

/** The settings the tenant screen sends for these fields: top-level keys, each complete. */
export interface ReportSettingsPatch {
  readonly currency: string;
  readonly reports: ReportSettings;
  readonly billing: BillingPlan | null;
  readonly sla: { readonly targets: readonly SlaTarget[] };
}

/**
 * The settings to send, or what is wrong with the form. The server replaces a whole top-level key and
 * merges only one level of `reports`, so every key is sent complete: `reports` starts from what is stored,
 * keeping the report settings this screen does not edit.
 */
export function reportSettingsPatch(
  form: ReportSettingsForm,
  stored: TenantSettings,
  language: Language,
):
  | { readonly ok: true; readonly settings: ReportSettingsPatch }
  | { readonly ok: false; readonly problems: readonly FormProblem[] } {
  const problems: FormProblem[] = [];
  const amount = (text: string, field: string): number | undefined => {
    const parsed = parseMoney(text, language, form.currency);
    if (parsed.kind === 'invalid') problems.push({ field, messageKey: 'reportSettings.invalidAmount' });
    return parsed.kind === 'amount' ? parsed.minor : undefined;
  };
  const required = (text: string, field: string): number => {
    const minor = amount(text, field);
    if (minor === undefined && text.trim() === '')
      problems.push({ field, messageKey: 'reportSettings.amountRequired' });
    return minor ?? 0;
  };

  const agentHourMinor = amount(form.agentHour, 'settings.reports.costRates.agentHourMinor');
  const telephonyMinuteMinor = amount(
    form.telephonyMinute,
    'settings.reports.costRates.telephonyMinuteMinor',
  );
  const isAgentHourEmpty = form.agentHour.trim() === '';
  if (isAgentHourEmpty !== (form.telephonyMinute.trim() === ''))
    problems.push({
      field: 'settings.reports.costRates',
      messageKey: 'reportSettings.costRatesBothOrNeither',
    });

  const dispositionValuesMinor: Record<string, number> = {};
  for (const [code, text] of Object.entries(form.dispositionValues)) {
    const minor = amount(text, `settings.reports.dispositionValuesMinor.${code}`);
    if (minor !== undefined) dispositionValuesMinor[code] = minor;
  }

  let billing: BillingPlan | null = null;
  switch (form.billingKind) {
    case 'none':
      break;
    case 'per-contact':
      billing = {
        kind: 'per-contact',
        pricePerContactMinor: required(form.pricePerContact, 'settings.billing.pricePerContactMinor'),
      };
      break;
    case 'per-minute':
      billing = {
        kind: 'per-minute',
        pricePerMinuteMinor: required(form.pricePerMinute, 'settings.billing.pricePerMinuteMinor'),
      };
      break;
    case 'flat': {
      const overage = amount(form.overagePerContact, 'settings.billing.overagePerContactMinor');
      billing = {
        kind: 'flat',
        monthlyFeeMinor: required(form.monthlyFee, 'settings.billing.monthlyFeeMinor'),
        ...(form.includedContacts.trim() === '' ? {} : { includedContacts: Number(form.includedContacts) }),
        ...(overage === undefined ? {} : { overagePerContactMinor: overage }),
      };
      break;
    }
  }

  const targets: SlaTarget[] = form.slaTargets.map((row, index) => {
    const target = slaTargetOfText(row.metric, row.target, language, form.currency);
    if (target === null)
      problems.push({
        field: `settings.sla.targets.${index}.target`,
        messageKey: 'reportSettings.invalidTarget',
      });
    return {
      id: row.id,
      metric: row.metric,
      comparison: row.comparison,
      target: target ?? 0,
      per: row.per,
      ...(row.queueIds.length === 0 ? {} : { queueIds: row.queueIds }),
    };
  });

  if (problems.length > 0) return { ok: false, problems };
  // Cleared cost rates are sent as null: the server merges `reports` with what it has, so leaving them out
  // would keep the old rates.
  const storedReports = stored.reports ?? {};
  const increment = form.billingIncrement === 'custom' ? form.billingIncrementCustom : form.billingIncrement;
  return {
    ok: true,
    settings: {
      currency: form.currency,
      reports: {
        ...storedReports,
        shortAbandonSeconds: Number(form.shortAbandonSeconds),
        billingIncrementSeconds: Number(increment),
        billingMinimumSeconds: Number(form.billingMinimumSeconds),
        costRates:
          agentHourMinor === undefined || telephonyMinuteMinor === undefined
            ? null
            : { agentHourMinor, telephonyMinuteMinor },
        dispositionValuesMinor,
      },
      billing,
      sla: { targets },
    },
  };
}

/** An id for a new SLA target; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newSlaTargetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `sla-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
