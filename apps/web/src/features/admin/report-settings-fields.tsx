import type { ReactNode } from 'react';
import { granularities } from '../../app/api-types.ts';
import type { Page, SlaTarget } from '../../app/api-types.ts';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import {
  billingKinds,
  commonBillingIncrements,
  commonCurrencies,
  newSlaTargetId,
} from './report-settings-form.ts';
import type { BillingKind, ReportSettingsForm, SlaTargetRow } from './report-settings-form.ts';
import { isSlaMetric, slaMetricUnits, slaUnitOf } from '../../app/sla-metrics.ts';

interface Disposition {
  readonly code: string;
  readonly labelEs: string;
  readonly labelEn: string;
  readonly isActive: boolean;
}

interface QueueOption {
  readonly id: string;
  readonly name: string;
}

const slaPers: readonly SlaTarget['per'][] = [...granularities, 'period'];

type Change = (patch: Partial<ReportSettingsForm>) => void;

/**
 * The report counting, money, billing and SLA sections of the tenant screen. Amounts are typed in major
 * units of the tenant's currency; the form becomes settings in report-settings-form.ts.
 */
export function ReportSettingsFields(props: {
  readonly form: ReportSettingsForm;
  readonly onChange: Change;
}): ReactNode {
  return (
    <>
      <CountingFields {...props} />
      <MoneyFields {...props} />
      <BillingFields {...props} />
      <SlaFields {...props} />
    </>
  );
}

function CountingFields({
  form,
  onChange,
}: {
  readonly form: ReportSettingsForm;
  readonly onChange: Change;
}) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('reportSettings.counting')}</legend>
      <label>
        {t('reportSettings.shortAbandonSeconds')}
        <input
          name="shortAbandonSeconds"
          type="number"
          min={0}
          max={600}
          step={1}
          required
          value={form.shortAbandonSeconds}
          onChange={(event) => {
            onChange({ shortAbandonSeconds: event.target.value });
          }}
        />
      </label>
      <label>
        {t('reportSettings.billingIncrement')}
        <select
          name="billingIncrement"
          value={form.billingIncrement}
          onChange={(event) => {
            onChange({ billingIncrement: event.target.value });
          }}
        >
          {commonBillingIncrements.map((seconds) => (
            <option key={seconds} value={seconds}>
              {t(`reportSettings.billingIncrement.${seconds}`)}
            </option>
          ))}
          <option value="custom">{t('reportSettings.billingIncrement.custom')}</option>
        </select>
      </label>
      {form.billingIncrement === 'custom' && (
        <label>
          {t('reportSettings.billingIncrementCustom')}
          <input
            name="billingIncrementCustom"
            type="number"
            min={1}
            max={3600}
            step={1}
            required
            value={form.billingIncrementCustom}
            onChange={(event) => {
              onChange({ billingIncrementCustom: event.target.value });
            }}
          />
        </label>
      )}
      <label>
        {t('reportSettings.billingMinimumSeconds')}
        <input
          name="billingMinimumSeconds"
          type="number"
          min={0}
          max={3600}
          step={1}
          required
          value={form.billingMinimumSeconds}
          onChange={(event) => {
            onChange({ billingMinimumSeconds: event.target.value });
          }}
        />
      </label>
      <p className="muted">{t('reportSettings.countingHint')}</p>
    </fieldset>
  );
}

/** A text field for an amount in major units ("18,50"): the number keyboard on phones, parsed on save. */
function MoneyField(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly isRequired?: boolean;
  readonly onChange: (value: string) => void;
}): ReactNode {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        inputMode="decimal"
        autoComplete="off"
        className="amount"
        required={props.isRequired}
        value={props.value}
        onChange={(event) => {
          props.onChange(event.target.value);
        }}
      />
    </label>
  );
}

function MoneyFields({ form, onChange }: { readonly form: ReportSettingsForm; readonly onChange: Change }) {
  const { t, language } = useI18n();
  const { api } = useSession();
  const dispositions = useLoad(
    () => api.get<Disposition[]>('/api/dispositions', { includeInactive: true }),
    'dispositions',
  );
  const currency = form.currency;
  const currencies: readonly string[] = (commonCurrencies as readonly string[]).includes(currency)
    ? commonCurrencies
    : [currency, ...commonCurrencies];
  // Retired dispositions show only when they have a value; a value for a code that is no disposition (set
  // through the API) shows under its code, so it can be seen and cleared.
  const known = dispositions.data ?? [];
  const listed: readonly Disposition[] =
    dispositions.data === null
      ? []
      : [
          ...known.filter(
            (disposition) => disposition.isActive || form.dispositionValues[disposition.code] !== undefined,
          ),
          ...Object.keys(form.dispositionValues)
            .filter((code) => !known.some((disposition) => disposition.code === code))
            .map((code) => ({ code, labelEs: code, labelEn: code, isActive: true })),
        ];
  return (
    <fieldset>
      <legend>{t('reportSettings.money')}</legend>
      <label>
        {t('reportSettings.currency')}
        <select
          name="currency"
          value={currency}
          onChange={(event) => {
            onChange({ currency: event.target.value });
          }}
        >
          {currencies.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </label>
      <MoneyField
        label={t('reportSettings.agentHour', { currency })}
        name="agentHourCost"
        value={form.agentHour}
        onChange={(agentHour) => {
          onChange({ agentHour });
        }}
      />
      <MoneyField
        label={t('reportSettings.telephonyMinute', { currency })}
        name="telephonyMinuteCost"
        value={form.telephonyMinute}
        onChange={(telephonyMinute) => {
          onChange({ telephonyMinute });
        }}
      />
      <p className="muted">{t('reportSettings.costRatesHint')}</p>
      <fieldset className="disposition-values">
        <legend>{t('reportSettings.dispositionValues', { currency })}</legend>
        {dispositions.data !== null && listed.length === 0 && (
          <p className="muted">{t('reportSettings.noDispositions')}</p>
        )}
        {listed.map((disposition) => {
          const label = language === 'es' ? disposition.labelEs : disposition.labelEn;
          return (
            <label key={disposition.code}>
              <span>
                {label}
                {label !== disposition.code && (
                  <>
                    {' '}
                    <code>{disposition.code}</code>
                  </>
                )}{' '}
                {!disposition.isActive && <span className="muted">{t('reportSettings.retired')}</span>}
              </span>
              <input
                name={`dispositionValue-${disposition.code}`}
                inputMode="decimal"
                autoComplete="off"
                className="amount"
                aria-label={t('reportSettings.dispositionValue', { label, currency })}
                value={form.dispositionValues[disposition.code] ?? ''}
                onChange={(event) => {
                  onChange({
                    dispositionValues: { ...form.dispositionValues, [disposition.code]: event.target.value },
                  });
                }}
              />
            </label>
          );
        })}
      </fieldset>
    </fieldset>
  );
}

function BillingFields({ form, onChange }: { readonly form: ReportSettingsForm; readonly onChange: Change }) {
  const { t } = useI18n();
  const currency = form.currency;
  return (
    <fieldset>
      <legend>{t('reportSettings.billing')}</legend>
      <label>
        {t('reportSettings.billingKind')}
        <select
          name="billingKind"
          value={form.billingKind}
          onChange={(event) => {
            const kind = billingKinds.find((value) => value === event.target.value);
            if (kind !== undefined) onChange({ billingKind: kind satisfies BillingKind });
          }}
        >
          {billingKinds.map((kind) => (
            <option key={kind} value={kind}>
              {t(`reportSettings.billingKind.${kind}`)}
            </option>
          ))}
        </select>
      </label>
      {form.billingKind === 'per-contact' && (
        <MoneyField
          label={t('reportSettings.pricePerContact', { currency })}
          name="pricePerContact"
          value={form.pricePerContact}
          isRequired
          onChange={(pricePerContact) => {
            onChange({ pricePerContact });
          }}
        />
      )}
      {form.billingKind === 'per-minute' && (
        <MoneyField
          label={t('reportSettings.pricePerMinute', { currency })}
          name="pricePerMinute"
          value={form.pricePerMinute}
          isRequired
          onChange={(pricePerMinute) => {
            onChange({ pricePerMinute });
          }}
        />
      )}
      {form.billingKind === 'flat' && (
        <>
          <MoneyField
            label={t('reportSettings.monthlyFee', { currency })}
            name="monthlyFee"
            value={form.monthlyFee}
            isRequired
            onChange={(monthlyFee) => {
              onChange({ monthlyFee });
            }}
          />
          <label>
            {t('reportSettings.includedContacts')}
            <input
              name="includedContacts"
              type="number"
              min={0}
              step={1}
              value={form.includedContacts}
              onChange={(event) => {
                onChange({ includedContacts: event.target.value });
              }}
            />
          </label>
          <MoneyField
            label={t('reportSettings.overagePerContact', { currency })}
            name="overagePerContact"
            value={form.overagePerContact}
            onChange={(overagePerContact) => {
              onChange({ overagePerContact });
            }}
          />
        </>
      )}
    </fieldset>
  );
}

function SlaFields({ form, onChange }: { readonly form: ReportSettingsForm; readonly onChange: Change }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queues = useLoad(
    () => api.get<Page<QueueOption>>('/api/queues', { limit: 200, sort: 'name' }),
    'queues',
  );
  const setRow = (index: number, patch: Partial<SlaTargetRow>): void => {
    onChange({
      slaTargets: form.slaTargets.map((row, at) => (at === index ? { ...row, ...patch } : row)),
    });
  };
  return (
    <fieldset>
      <legend>{t('reportSettings.sla')}</legend>
      {form.slaTargets.length === 0 && <p className="muted">{t('reportSettings.slaNone')}</p>}
      {form.slaTargets.map((row, index) => {
        const number = index + 1;
        const unit = slaUnitOf(row.metric) ?? 'score';
        return (
          <fieldset key={row.id} className="sla-target" data-id={row.id}>
            <legend>{t('reportSettings.slaTarget', { number })}</legend>
            <label>
              {t('reportSettings.slaMetric')}
              <select
                name="slaMetric"
                value={row.metric}
                onChange={(event) => {
                  const metric = event.target.value;
                  if (isSlaMetric(metric)) setRow(index, { metric });
                }}
              >
                {slaMetricUnits.map(({ metric }) => (
                  <option key={metric} value={metric}>
                    {t(`reportSettings.metric.${metric}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('reportSettings.slaComparison')}
              <select
                name="slaComparison"
                value={row.comparison}
                onChange={(event) => {
                  setRow(index, { comparison: event.target.value === 'at-most' ? 'at-most' : 'at-least' });
                }}
              >
                <option value="at-least">{t('reportSettings.slaComparison.at-least')}</option>
                <option value="at-most">{t('reportSettings.slaComparison.at-most')}</option>
              </select>
            </label>
            <label>
              {t('reportSettings.slaValue', {
                unit: t(`reportSettings.slaUnit.${unit}`, { currency: form.currency }),
              })}
              <input
                name="slaTarget"
                inputMode="decimal"
                autoComplete="off"
                className="amount"
                required
                value={row.target}
                onChange={(event) => {
                  setRow(index, { target: event.target.value });
                }}
              />
            </label>
            <label>
              {t('reportSettings.slaPer')}
              <select
                name="slaPer"
                value={row.per}
                onChange={(event) => {
                  const per = slaPers.find((value) => value === event.target.value);
                  if (per !== undefined) setRow(index, { per });
                }}
              >
                {slaPers.map((per) => (
                  <option key={per} value={per}>
                    {t(`reportSettings.slaPer.${per}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('reportSettings.slaQueues')}
              <select
                name="slaQueues"
                multiple
                size={Math.min(5, Math.max(2, queues.data?.items.length ?? 2))}
                value={[...row.queueIds]}
                onChange={(event) => {
                  setRow(index, {
                    queueIds: Array.from(event.target.selectedOptions, (option) => option.value),
                  });
                }}
              >
                {(queues.data?.items ?? []).map((queue) => (
                  <option key={queue.id} value={queue.id}>
                    {queue.name}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              onClick={() => {
                onChange({ slaTargets: form.slaTargets.filter((_, at) => at !== index) });
              }}
            >
              {t('reportSettings.slaRemove', { number })}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() => {
          onChange({
            slaTargets: [
              ...form.slaTargets,
              {
                id: newSlaTargetId(),
                metric: 'serviceLevelOfOffered',
                comparison: 'at-least',
                target: '',
                per: 'day',
                queueIds: [],
              },
            ],
          });
        }}
      >
        {t('reportSettings.slaAdd')}
      </button>
    </fieldset>
  );
}
