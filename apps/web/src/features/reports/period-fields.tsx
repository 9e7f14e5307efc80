import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import type { PeriodPreset } from './report-data.ts';

/** The period of a report: a preset (yesterday, last 7 days…) or, for `custom`, two dates. */
export function PeriodFields(props: {
  readonly presets: readonly PeriodPreset[];
  readonly preset: PeriodPreset;
  readonly onPreset: (preset: PeriodPreset) => void;
  readonly custom: { readonly from: string; readonly to: string };
  readonly onCustom: (custom: { readonly from: string; readonly to: string }) => void;
}): ReactNode {
  const { t } = useI18n();
  const { custom, onCustom } = props;
  return (
    <>
      <label>
        {t('reports.period')}
        <select
          name="period"
          value={props.preset}
          onChange={(event) => {
            props.onPreset(event.target.value as PeriodPreset);
          }}
        >
          {props.presets.map((value) => (
            <option key={value} value={value}>
              {t(`reports.period.${value}`)}
            </option>
          ))}
        </select>
      </label>
      {props.preset === 'custom' && (
        <>
          <label>
            {t('reports.from')}
            <input
              type="date"
              name="from"
              value={custom.from}
              onChange={(event) => {
                onCustom({ ...custom, from: event.target.value });
              }}
            />
          </label>
          <label>
            {t('reports.to')}
            <input
              type="date"
              name="to"
              value={custom.to}
              onChange={(event) => {
                onCustom({ ...custom, to: event.target.value });
              }}
            />
          </label>
        </>
      )}
    </>
  );
}
