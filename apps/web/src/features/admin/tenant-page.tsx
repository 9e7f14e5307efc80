import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { ApiError } from '../../app/api-client.ts';
import { fcrSameMatterValues } from '../../app/api-types.ts';
import type { FcrSameMatter, Language, Tenant } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ReportSettingsFields } from './report-settings-fields.tsx';
import { reportSettingsForm, reportSettingsPatch } from './report-settings-form.ts';
import type { ReportSettingsForm } from './report-settings-form.ts';
import { LanguageCheckboxes } from './language-checkboxes.tsx';

/**
 * The tenant's name, default country (for phone numbers written without a country code), language and time
 * zone, recording, languages, leaderboard, and how its reports count, cost, bill and judge the SLA.
 */
export function AdminTenantPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const loaded = useLoad(() => api.get<Tenant>('/api/tenant'), 'tenant');
  return (
    <section>
      <h1 tabIndex={-1}>{t('tenant.title')}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.data !== null && (
        <TenantForm key={loaded.data.id} tenant={loaded.data} onSaved={loaded.reload} />
      )}
    </section>
  );
}

function TenantForm(props: { readonly tenant: Tenant; readonly onSaved: () => void }): ReactNode {
  const { t, language } = useI18n();
  const { api, reloadTenant } = useSession();
  const [name, setName] = useState(props.tenant.name);
  const [defaultCountry, setDefaultCountry] = useState(props.tenant.defaultCountry);
  const [defaultLanguage, setDefaultLanguage] = useState<Language>(props.tenant.defaultLanguage);
  const [timeZone, setTimeZone] = useState(props.tenant.timeZone);
  const stored = props.tenant.settings;
  const [policy, setPolicy] = useState<'all' | 'none'>(stored.recording?.policy ?? 'all');
  const [retentionDays, setRetentionDays] = useState(String(stored.recording?.retentionDays ?? 365));
  const [agentCanPause, setAgentCanPause] = useState(stored.recording?.agentCanPause ?? true);
  const [languages, setLanguages] = useState<readonly Language[]>(stored.languages ?? ['es', 'en']);
  const [hasLeaderboard, setLeaderboard] = useState(stored.leaderboard?.enabled ?? false);
  const [fcrWindowDays, setFcrWindowDays] = useState(String(stored.reports?.fcrWindowDays ?? 7));
  const [fcrSameMatter, setFcrSameMatter] = useState<FcrSameMatter>(
    stored.reports?.fcrSameMatter ?? 'any-contact',
  );
  const [reportForm, setReportForm] = useState<ReportSettingsForm>(() =>
    reportSettingsForm(stored, language),
  );
  const [error, setError] = useState<unknown>(null);
  const [isSaved, setSaved] = useState(false);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const reportSettings = reportSettingsPatch(reportForm, stored, language);
    if (!reportSettings.ok) {
      setError(
        new ApiError(
          400,
          'HTTP_VALIDATION_FAILED',
          t('reportSettings.invalidForm'),
          reportSettings.problems.map((problem) => ({
            field: problem.field,
            message: t(problem.messageKey),
          })),
          null,
        ),
      );
      return;
    }
    api
      .patch('/api/tenant', {
        name: name.trim(),
        defaultCountry: defaultCountry.trim().toUpperCase(),
        defaultLanguage,
        timeZone: timeZone.trim(),
        settings: {
          recording: { policy, retentionDays: Number(retentionDays), agentCanPause },
          languages,
          leaderboard: { enabled: hasLeaderboard },
          // Complete, with the report settings this screen does not show (report-settings-form.ts).
          reports: {
            ...reportSettings.settings.reports,
            fcrWindowDays: Number(fcrWindowDays),
            fcrSameMatter,
          },
          currency: reportSettings.settings.currency,
          billing: reportSettings.settings.billing,
          sla: reportSettings.settings.sla,
        },
      })
      .then(() => {
        setSaved(true);
        reloadTenant();
        props.onSaved();
      }, setError);
  };

  return (
    <form onSubmit={save} className="card stacked tenant-settings">
      <label>
        {t('tenant.name')}
        <input
          name="name"
          value={name}
          required
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
      </label>
      <label>
        {t('tenant.country')}
        <input
          name="defaultCountry"
          value={defaultCountry}
          required
          pattern="[A-Za-z]{2}"
          maxLength={2}
          onChange={(event) => {
            setDefaultCountry(event.target.value);
          }}
        />
      </label>
      <label>
        {t('tenant.language')}
        <select
          name="defaultLanguage"
          value={defaultLanguage}
          onChange={(event) => {
            setDefaultLanguage(event.target.value === 'en' ? 'en' : 'es');
          }}
        >
          <option value="es">Español</option>
          <option value="en">English</option>
        </select>
      </label>
      <label>
        {t('tenant.timeZone')}
        <input
          name="timeZone"
          value={timeZone}
          required
          placeholder="Europe/Madrid"
          onChange={(event) => {
            setTimeZone(event.target.value);
          }}
        />
      </label>
      <fieldset>
        <legend>{t('tenant.recording')}</legend>
        <label>
          {t('tenant.recordingPolicy')}
          <select
            name="recordingPolicy"
            value={policy}
            onChange={(event) => {
              setPolicy(event.target.value === 'none' ? 'none' : 'all');
            }}
          >
            <option value="all">{t('tenant.recordAll')}</option>
            <option value="none">{t('tenant.recordNone')}</option>
          </select>
        </label>
        <label>
          {t('tenant.retentionDays')}
          <input
            name="retentionDays"
            type="number"
            min={1}
            max={3650}
            required
            value={retentionDays}
            onChange={(event) => {
              setRetentionDays(event.target.value);
            }}
          />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            name="agentCanPause"
            checked={agentCanPause}
            onChange={(event) => {
              setAgentCanPause(event.target.checked);
            }}
          />
          {t('tenant.agentCanPause')}
        </label>
      </fieldset>
      <LanguageCheckboxes legend={t('tenant.languages')} value={languages} onChange={setLanguages} />
      <label className="checkbox">
        <input
          type="checkbox"
          name="leaderboard"
          checked={hasLeaderboard}
          onChange={(event) => {
            setLeaderboard(event.target.checked);
          }}
        />
        {t('tenant.leaderboard')}
      </label>
      <fieldset>
        <legend>{t('reportSettings.title')}</legend>
        <label>
          {t('reportSettings.fcrWindowDays')}
          <input
            name="fcrWindowDays"
            type="number"
            min={1}
            max={90}
            required
            value={fcrWindowDays}
            onChange={(event) => {
              setFcrWindowDays(event.target.value);
            }}
          />
        </label>
        <label>
          {t('reportSettings.fcrSameMatter')}
          <select
            name="fcrSameMatter"
            value={fcrSameMatter}
            onChange={(event) => {
              setFcrSameMatter(event.target.value === 'same-queue' ? 'same-queue' : 'any-contact');
            }}
          >
            {fcrSameMatterValues.map((value) => (
              <option key={value} value={value}>
                {t(`reportSettings.fcrSameMatter.${value}`)}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">{t('reportSettings.appliesFromNow')}</p>
      </fieldset>
      <ReportSettingsFields
        form={reportForm}
        onChange={(patch) => {
          setReportForm((previous) => ({ ...previous, ...patch }));
        }}
      />
      <ErrorMessage error={error} />
      {isSaved && (
        <p role="status" className="notice">
          {t('common.saved')}
        </p>
      )}
      <button type="submit" className="primary">
        {t('common.save')}
      </button>
    </form>
  );
}
