import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../../app/api-client.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import type { MessageKey } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import {
  currencyOf,
  formatMoney,
  formatQuantity,
  formatSlaValue,
  formatWindow,
  localeOf,
  previousMonth,
  slaCsv,
  slaStatusOf,
  statementCsv,
} from './commercial-data.ts';
import type { SlaStatus } from './commercial-data.ts';
import type { BillingStatement, SlaResult } from './commercial-types.ts';
import { addDays, formatDuration, localToday, presetRange } from './report-data.ts';
import type { DateRange, PeriodPreset } from './report-data.ts';
import { PeriodFields } from './period-fields.tsx';

const presets: readonly PeriodPreset[] = ['yesterday', 'last7', 'last30', 'thisMonth', 'custom'];

/** More breached windows than this start folded away. */
const breachesShownOpen = 5;

const statusMark: Readonly<Record<SlaStatus, string>> = { met: '✓', breached: '✗', 'no-data': '–' };

/** Saves text as a file the way a download link would. */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob once the download starts; give it time before letting it go.
  window.setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 60_000);
}

/**
 * What the client is charged and promised: the monthly statement under the tenant's billing plan (for roles
 * with billing:read) and every SLA target judged over a range with its breached windows, each downloadable as
 * CSV and printable.
 */
export function CommercialPage(): ReactNode {
  const { t } = useI18n();
  const { permissions } = useSession();
  return (
    <section className="commercial" aria-labelledby="commercial-title">
      <div className="commercial-head">
        <h1 id="commercial-title">{t('commercial.title')}</h1>
        <button
          type="button"
          className="no-print"
          onClick={() => {
            window.print();
          }}
        >
          {t('commercial.print')}
        </button>
      </div>
      {permissions.has('billing:read') && <StatementSection />}
      <SlaSection />
    </section>
  );
}

/** Where an admin sets what this screen reads, named as the navigation names it. */
function TenantSettingsHint(props: { readonly message: MessageKey; readonly testId: string }): ReactNode {
  const { t } = useI18n();
  const { permissions } = useSession();
  return (
    <div className="notice" role="status" data-testid={props.testId}>
      <p>{t(props.message, { screen: t('nav.tenant') })}</p>
      {permissions.has('tenant:manage') && <Link to="/admin/tenant">{t('nav.tenant')}</Link>}
    </div>
  );
}

function StatementSection(): ReactNode {
  const { t, language } = useI18n();
  const { api, tenant } = useSession();
  const timeZone = tenant?.timeZone ?? 'UTC';
  const currency = currencyOf(tenant?.settings);
  const [month, setMonth] = useState(() => previousMonth(localToday(timeZone, new Date())));
  const isMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const statement = useLoad(
    () =>
      isMonth
        ? api.get<BillingStatement>('/api/reports/billing', { month })
        : Promise.resolve<BillingStatement | null>(null),
    month,
  );
  const isWithoutPlan =
    statement.error instanceof ApiError &&
    statement.error.status === 404 &&
    statement.error.code === 'STORE_NOT_FOUND';
  const data = statement.data;
  const money = (amountMinor: number): string => formatMoney(amountMinor, currency, language);
  const date = new Intl.DateTimeFormat(localeOf(language), { timeZone, dateStyle: 'long' });

  return (
    <section className="card" aria-labelledby="statement-title" data-testid="statement">
      <h2 id="statement-title">{t('commercial.statement')}</h2>
      <form
        className="report-filters no-print"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          {t('commercial.month')}
          <input
            type="month"
            name="month"
            value={month}
            onChange={(event) => {
              setMonth(event.target.value);
            }}
          />
        </label>
        <button
          type="button"
          disabled={data === null}
          onClick={() => {
            if (data !== null) download(`statement-${month}.csv`, statementCsv(data, month, currency));
          }}
        >
          {t('commercial.downloadCsv')}
        </button>
      </form>
      {isWithoutPlan ? (
        <TenantSettingsHint message="commercial.noPlan" testId="no-plan" />
      ) : (
        <ErrorMessage error={statement.error} />
      )}
      {data !== null && (
        <>
          <p className="muted">
            {t('commercial.statementPeriod', {
              from: date.format(new Date(data.periodStartMs)),
              to: date.format(new Date(data.periodEndMs - 1)),
              timeZone,
            })}
          </p>
          <dl className="report-kpis">
            <div data-kpi="billableContacts">
              <dt>{t('commercial.billableContacts')}</dt>
              <dd>{formatQuantity(data.billableContacts, language)}</dd>
            </div>
            <div data-kpi="billedTime">
              <dt>{t('commercial.billedTime')}</dt>
              <dd>{formatDuration(data.billedSeconds * 1000)}</dd>
            </div>
          </dl>
          <table className="table statement-lines" data-testid="statement-lines">
            <thead>
              <tr>
                <th scope="col">{t('commercial.item')}</th>
                <th scope="col" className="number">
                  {t('commercial.quantity')}
                </th>
                <th scope="col" className="number">
                  {t('commercial.unitPrice')}
                </th>
                <th scope="col" className="number">
                  {t('commercial.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.lines.map((line) => (
                <tr key={line.item} data-item={line.item}>
                  <th scope="row">{t(`commercial.item.${line.item}`)}</th>
                  <td className="number" data-column="quantity">
                    {formatQuantity(line.quantity, language)}
                  </td>
                  <td className="number" data-column="unitPrice">
                    {money(line.unitPriceMinor)}
                  </td>
                  <td className="number" data-column="amount">
                    {money(line.amountMinor)}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-testid="statement-total">
                <th scope="row" colSpan={3}>
                  {t('commercial.total')}
                </th>
                <td className="number">{money(data.totalMinor)}</td>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </section>
  );
}

function SlaSection(): ReactNode {
  const { t, language } = useI18n();
  const { api, tenant } = useSession();
  const timeZone = tenant?.timeZone ?? 'UTC';
  const currency = currencyOf(tenant?.settings);
  const today = localToday(timeZone, new Date());
  const [preset, setPreset] = useState<PeriodPreset>('last7');
  const [custom, setCustom] = useState({ from: addDays(today, -7), to: addDays(today, -1) });
  const range: DateRange =
    preset === 'custom' ? { from: custom.from, to: addDays(custom.to, 1) } : presetRange(preset, today);
  const sla = useLoad(
    () => api.get<{ results: SlaResult[] }>('/api/reports/sla', { from: range.from, to: range.to }),
    `${range.from}|${range.to}`,
  );
  const queues = useLoad(
    () => api.get<{ items: { id: string; name: string }[] }>('/api/queues', { limit: 100 }),
    '',
  );
  const queueNames = new Map((queues.data?.items ?? []).map((queue) => [queue.id, queue.name]));
  const results = sla.data?.results ?? null;
  const value = (result: SlaResult, actual: number | null): string =>
    formatSlaValue(result.target.metric, actual, currency, language);

  return (
    <section className="card" aria-labelledby="sla-title" data-testid="sla">
      <h2 id="sla-title">{t('commercial.sla')}</h2>
      <form
        className="report-filters no-print"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <PeriodFields
          presets={presets}
          preset={preset}
          onPreset={setPreset}
          custom={custom}
          onCustom={setCustom}
        />
        <button
          type="button"
          disabled={results === null || results.length === 0}
          onClick={() => {
            if (results !== null)
              download(
                `sla-${range.from}-${addDays(range.to, -1)}.csv`,
                slaCsv(results, { timeZone, queueNames }),
              );
          }}
        >
          {t('commercial.downloadCsv')}
        </button>
      </form>
      <ErrorMessage error={sla.error} />
      {results !== null && (
        <p className="muted" data-testid="sla-range">
          {t('commercial.slaRange', { from: range.from, to: addDays(range.to, -1), timeZone })}
        </p>
      )}
      {results?.length === 0 && <TenantSettingsHint message="commercial.noTargets" testId="no-targets" />}
      {results !== null && results.length > 0 && (
        <table className="table sla-results" data-testid="sla-results">
          <thead>
            <tr>
              <th scope="col">{t('commercial.target')}</th>
              <th scope="col">{t('commercial.queues')}</th>
              <th scope="col" className="number">
                {t('commercial.actual')}
              </th>
              <th scope="col">{t('commercial.status')}</th>
              <th scope="col">{t('commercial.breachedWindows')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result) => {
              const target = result.target;
              const status = slaStatusOf(result);
              const summary = t('commercial.windowsSummary', {
                breached: result.breaches.length,
                measured: result.windowsMeasured,
              });
              return (
                <tr key={target.id} data-target={target.id} data-status={status}>
                  <th scope="row" data-column="promise">
                    {t('commercial.promise', {
                      metric: t(`commercial.metric.${target.metric}`),
                      comparison: target.comparison === 'at-least' ? '≥' : '≤',
                      target: value(result, target.target),
                      per: t(`commercial.per.${target.per}`),
                    })}
                  </th>
                  <td data-column="queues">
                    {target.queueIds === undefined || target.queueIds.length === 0
                      ? t('commercial.allQueues')
                      : target.queueIds
                          .map(
                            (id) =>
                              queueNames.get(id) ??
                              (queues.data === null ? '…' : t('commercial.deletedQueue')),
                          )
                          .join(', ')}
                  </td>
                  <td className="number" data-column="actual">
                    {value(result, result.actual)}
                  </td>
                  <td data-column="status">
                    <span className={`sla-status sla-${status}`}>
                      <span aria-hidden="true">{statusMark[status]}</span> {t(`commercial.status.${status}`)}
                    </span>
                  </td>
                  <td data-column="breaches">
                    {result.breaches.length === 0 ? (
                      <span className="muted">{t('commercial.noBreaches')}</span>
                    ) : (
                      <details open={result.breaches.length <= breachesShownOpen}>
                        <summary>{summary}</summary>
                        <ul className="sla-breaches">
                          {result.breaches.map((breach) => (
                            <li key={breach.startMs}>
                              <span data-column="window">
                                {formatWindow(breach, target.per, timeZone, language)}
                              </span>
                              {': '}
                              <strong data-column="windowActual">{value(result, breach.actual)}</strong>
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
