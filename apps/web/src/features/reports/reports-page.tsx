import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import type { MessageKey } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { DateRange, PeriodPreset } from './report-data.ts';
import { PeriodFields } from './period-fields.tsx';
import {
  addDays,
  formatDuration,
  formatShare,
  heatmapCells,
  localToday,
  presetRange,
  sortByFigure,
  withEmptyIntervals,
} from './report-data.ts';

/** The figures of a report line (docs/metrics.md defines each). */
interface Figures {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly handled: number;
  readonly averageSpeedOfAnswerMs: number | null;
  readonly averageHandleTimeMs: number | null;
  readonly averageTalkMs: number | null;
  readonly averageHoldMs: number | null;
  readonly averageWrapUpMs: number | null;
  readonly serviceLevelOfOffered: number | null;
  readonly abandonmentRate: number | null;
  readonly firstContactResolution: number | null;
  readonly occupancy: number | null;
}

/** The figures of an interval without contacts (the chart draws it as zero). */
const noFigures: Figures = {
  offered: 0,
  answered: 0,
  abandoned: 0,
  handled: 0,
  averageSpeedOfAnswerMs: null,
  averageHandleTimeMs: null,
  averageTalkMs: null,
  averageHoldMs: null,
  averageWrapUpMs: null,
  serviceLevelOfOffered: null,
  abandonmentRate: null,
  firstContactResolution: null,
  occupancy: null,
};

interface ReportLine {
  readonly label: { readonly date: string; readonly time: string };
  readonly agentId: string | null;
  readonly agentName: string | null;
  readonly figures: Figures;
}

interface Report {
  readonly timeZone: string;
  readonly lines: readonly ReportLine[];
  readonly total: { readonly figures: Figures };
}

interface ContactBehind {
  readonly contactId: string;
  readonly arrivedAt: string;
  readonly interaction: { readonly customerId: string | null; readonly status: string } | null;
}

const presets: readonly PeriodPreset[] = ['today', 'yesterday', 'last7', 'last30', 'thisMonth', 'custom'];
const granularities = ['60min', '30min', '15min', 'day', 'week', 'month'] as const;
type ChartGranularity = (typeof granularities)[number];

type AgentColumn = 'handled' | 'averageHandleTimeMs' | 'averageTalkMs' | 'averageHoldMs' | 'averageWrapUpMs';
const agentColumns: readonly {
  readonly key: AgentColumn;
  readonly label: MessageKey;
  readonly isTime: boolean;
}[] = [
  { key: 'handled', label: 'reports.handled', isTime: false },
  { key: 'averageHandleTimeMs', label: 'reports.aht', isTime: true },
  { key: 'averageTalkMs', label: 'reports.talk', isTime: true },
  { key: 'averageHoldMs', label: 'reports.hold', isTime: true },
  { key: 'averageWrapUpMs', label: 'reports.acw', isTime: true },
];

function queryString(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

/**
 * Reports for supervisors, trainers and analysts: a period (yesterday, the last 7 days…), a queue and an
 * interval; the headline figures with the contacts behind them, a chart per interval, an hour × weekday
 * heatmap, agents sortable by any figure, and CSV downloads of what is shown.
 */
export function ReportsPage(): ReactNode {
  const { t, language } = useI18n();
  const { api, tenant } = useSession();
  const timeZone = tenant?.timeZone ?? 'UTC';
  const today = localToday(timeZone, new Date());
  const [preset, setPreset] = useState<PeriodPreset>('yesterday');
  const [custom, setCustom] = useState({ from: addDays(today, -7), to: addDays(today, -1) });
  const [queueId, setQueueId] = useState('');
  const [granularity, setGranularity] = useState<ChartGranularity>('60min');
  const [sort, setSort] = useState<{ column: AgentColumn; direction: 'asc' | 'desc' }>({
    column: 'averageHandleTimeMs',
    direction: 'desc',
  });
  const [drillDown, setDrillDown] = useState<'abandoned' | 'answered' | null>(null);

  const range: DateRange =
    preset === 'custom' ? { from: custom.from, to: addDays(custom.to, 1) } : presetRange(preset, today);
  const filter: Record<string, string> = {
    from: range.from,
    to: range.to,
    ...(queueId === '' ? {} : { queueId }),
  };
  const key = JSON.stringify(filter);
  const queues = useLoad(
    () => api.get<{ items: { id: string; name: string }[] }>('/api/queues', { limit: 100 }),
    '',
  );
  const summary = useLoad(
    () => api.get<Report>('/api/reports/summary', { ...filter, granularity }),
    `${key}|${granularity}`,
  );
  const hourly = useLoad(
    () => api.get<Report>('/api/reports/summary', { ...filter, granularity: '60min' }),
    key,
  );
  const agents = useLoad(
    () => api.get<Report>('/api/reports/summary', { ...filter, granularity: 'period', groupBy: 'agent' }),
    key,
  );
  const contacts = useLoad(
    () =>
      drillDown === null
        ? Promise.resolve(null)
        : api.get<{ items: ContactBehind[]; total: number }>('/api/reports/contacts', {
            ...filter,
            figure: drillDown,
            limit: 50,
          }),
    `${key}|${drillDown ?? ''}`,
  );

  const total = summary.data?.total.figures;
  const agentRows = sortByFigure(
    (agents.data?.lines ?? []).filter((line) => line.agentId !== null && line.figures.handled > 0),
    (line) => line.figures[sort.column],
    sort.direction,
  );
  const csv = `/api/reports/summary?${queryString({ ...filter, granularity, format: 'csv' })}`;
  const pdf = `/api/reports/summary?${queryString({ ...filter, granularity, format: 'pdf', language })}`;
  const agentsCsv = `/api/reports/summary?${queryString({ ...filter, granularity: 'period', groupBy: 'agent', format: 'csv' })}`;

  return (
    <section className="reports" aria-labelledby="reports-title">
      <h1 id="reports-title">{t('reports.title')}</h1>
      <p>
        <Link to="/reports/commercial">{t('commercial.openFromReports')}</Link>
      </p>
      <form
        className="card report-filters"
        aria-label={t('reports.filters')}
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <PeriodFields
          presets={presets}
          preset={preset}
          onPreset={(next) => {
            setPreset(next);
            // Hours for a day, days for longer periods: the chart stays readable.
            setGranularity(next === 'today' || next === 'yesterday' ? '60min' : 'day');
          }}
          custom={custom}
          onCustom={setCustom}
        />
        <label>
          {t('reports.queue')}
          <select
            name="queueId"
            value={queueId}
            onChange={(event) => {
              setQueueId(event.target.value);
            }}
          >
            <option value="">{t('reports.allQueues')}</option>
            {(queues.data?.items ?? []).map((queue) => (
              <option key={queue.id} value={queue.id}>
                {queue.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.granularity')}
          <select
            name="granularity"
            value={granularity}
            onChange={(event) => {
              setGranularity(event.target.value as ChartGranularity);
            }}
          >
            {granularities.map((value) => (
              <option key={value} value={value}>
                {t(`reports.granularity.${value}`)}
              </option>
            ))}
          </select>
        </label>
        <a className="button" href={csv} download>
          {t('reports.exportCsv')}
        </a>
        <a className="button" href={pdf} download>
          {t('reports.exportPdf')}
        </a>
      </form>
      <ErrorMessage error={summary.error ?? agents.error ?? hourly.error} />
      {total !== undefined && (
        <>
          <p className="muted" data-testid="report-range">
            {t('reports.summary', {
              from: range.from,
              to: addDays(range.to, -1),
              timeZone: summary.data?.timeZone ?? timeZone,
            })}
          </p>
          <dl className="report-kpis" data-testid="report-kpis">
            <Kpi id="offered" label={t('reports.offered')} value={String(total.offered)} />
            <Kpi
              id="answered"
              label={t('reports.answered')}
              value={String(total.answered)}
              onDrillDown={
                total.answered > 0
                  ? () => {
                      setDrillDown('answered');
                    }
                  : undefined
              }
            />
            <Kpi
              id="abandoned"
              label={t('reports.abandoned')}
              value={String(total.abandoned)}
              onDrillDown={
                total.abandoned > 0
                  ? () => {
                      setDrillDown('abandoned');
                    }
                  : undefined
              }
            />
            <Kpi
              id="serviceLevel"
              label={t('reports.serviceLevel')}
              value={formatShare(total.serviceLevelOfOffered)}
            />
            <Kpi id="asa" label={t('reports.asa')} value={formatDuration(total.averageSpeedOfAnswerMs)} />
            <Kpi id="aht" label={t('reports.aht')} value={formatDuration(total.averageHandleTimeMs)} />
            <Kpi id="acw" label={t('reports.acw')} value={formatDuration(total.averageWrapUpMs)} />
            <Kpi
              id="abandonmentRate"
              label={t('reports.abandonmentRate')}
              value={formatShare(total.abandonmentRate)}
            />
            <Kpi id="fcr" label={t('reports.fcr')} value={formatShare(total.firstContactResolution)} />
          </dl>
          {drillDown !== null && (
            <section className="card" aria-labelledby="drill-down-title" data-testid="drill-down">
              <h2 id="drill-down-title">
                {t('reports.drillDown', {
                  figure: t(drillDown === 'abandoned' ? 'reports.abandoned' : 'reports.answered'),
                })}
              </h2>
              <button
                type="button"
                onClick={() => {
                  setDrillDown(null);
                }}
              >
                {t('reports.drillDownClose')}
              </button>
              {contacts.data != null && (
                <>
                  <p className="muted">
                    {t('reports.contactsShown', {
                      shown: contacts.data.items.length,
                      total: contacts.data.total,
                    })}
                  </p>
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">{t('reports.contactArrived')}</th>
                        <th scope="col">{t('reports.contactStatus')}</th>
                        <th scope="col">{t('reports.contactCustomer')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {contacts.data.items.map((contact) => (
                        <tr key={contact.contactId}>
                          <td>{new Date(contact.arrivedAt).toLocaleString()}</td>
                          <td>{contact.interaction?.status ?? '—'}</td>
                          <td>
                            {contact.interaction?.customerId != null ? (
                              <Link to={`/customers/${contact.interaction.customerId}`}>
                                {t('reports.openCustomer')}
                              </Link>
                            ) : (
                              '—'
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </section>
          )}
          {total.offered === 0 && <p className="notice">{t('reports.noData')}</p>}
          <VolumeChart
            lines={withEmptyIntervals(summary.data?.lines ?? [], range, granularity, (label) => ({
              label,
              agentId: null,
              agentName: null,
              figures: noFigures,
            }))}
          />
          <Heatmap lines={hourly.data?.lines ?? []} />
          <section className="card" aria-labelledby="report-agents">
            <h2 id="report-agents">{t('reports.agents')}</h2>
            <a href={agentsCsv} download>
              {t('reports.exportAgentsCsv')}
            </a>
            <table className="table" data-testid="report-agents">
              <thead>
                <tr>
                  <th scope="col">{t('reports.agent')}</th>
                  {agentColumns.map((column) => (
                    <th
                      key={column.key}
                      scope="col"
                      aria-sort={
                        sort.column === column.key
                          ? sort.direction === 'asc'
                            ? 'ascending'
                            : 'descending'
                          : 'none'
                      }
                    >
                      <button
                        type="button"
                        className="link"
                        aria-label={t('reports.sortBy', { column: t(column.label) })}
                        onClick={() => {
                          setSort({
                            column: column.key,
                            direction:
                              sort.column === column.key && sort.direction === 'desc' ? 'asc' : 'desc',
                          });
                        }}
                      >
                        {t(column.label)}
                        {sort.column === column.key ? (sort.direction === 'desc' ? ' ▼' : ' ▲') : ''}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {agentRows.map((line) => (
                  <tr key={line.agentId} data-agent={line.agentName}>
                    <td>{line.agentName}</td>
                    {agentColumns.map((column) => (
                      <td key={column.key} data-column={column.key}>
                        {column.isTime
                          ? formatDuration(line.figures[column.key])
                          : String(line.figures[column.key] ?? '—')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}

function Kpi(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onDrillDown?: (() => void) | undefined;
}): ReactNode {
  const { t } = useI18n();
  return (
    <div data-kpi={props.id}>
      <dt>{props.label}</dt>
      <dd>
        {props.value}
        {props.onDrillDown !== undefined && (
          <>
            {' '}
            <button
              type="button"
              className="link"
              aria-label={`${t('reports.drillDownOpen')}: ${props.label}`}
              onClick={props.onDrillDown}
            >
              {t('reports.drillDownOpen')}
            </button>
          </>
        )}
      </dd>
    </div>
  );
}

/** Offered (bars) and answered (inner bars) per interval, with the service level as a line (0–100 %). */
function VolumeChart(props: { readonly lines: readonly ReportLine[] }): ReactNode {
  const { t } = useI18n();
  const lines = props.lines;
  if (lines.length === 0) return null;
  const width = 720;
  const height = 220;
  const left = 36;
  const bottom = 28;
  const top = 10;
  const plotHeight = height - bottom - top;
  const max = Math.max(1, ...lines.map((line) => line.figures.offered));
  const step = (width - left) / lines.length;
  const y = (value: number): number => top + plotHeight - (value / max) * plotHeight;
  const slPoints = lines
    .map((line, index) =>
      line.figures.serviceLevelOfOffered === null
        ? null
        : `${String(left + step * index + step / 2)},${String(top + plotHeight * (1 - line.figures.serviceLevelOfOffered))}`,
    )
    .filter((point): point is string => point !== null);
  const labelEvery = Math.max(1, Math.ceil(lines.length / 12));
  const isOneDay = new Set(lines.map((line) => line.label.date)).size === 1;
  const tickOf = (line: ReportLine): string =>
    isOneDay
      ? line.label.time
      : line.label.time === '00:00'
        ? line.label.date.slice(5)
        : `${line.label.date.slice(5)} ${line.label.time}`;
  return (
    <figure className="card report-chart">
      <figcaption id="volume-chart-title">{t('reports.volumeChart')}</figcaption>
      <svg
        viewBox={`0 0 ${String(width)} ${String(height)}`}
        role="img"
        aria-labelledby="volume-chart-title volume-chart-desc"
      >
        <desc id="volume-chart-desc">{t('reports.volumeChartDesc')}</desc>
        <line x1={left} y1={top + plotHeight} x2={width} y2={top + plotHeight} className="axis" />
        <text x={left - 4} y={top + 8} textAnchor="end" className="tick">
          {max}
        </text>
        <text x={left - 4} y={top + plotHeight} textAnchor="end" className="tick">
          0
        </text>
        {lines.map((line, index) => {
          const x = left + step * index;
          const barWidth = Math.max(1, step * 0.8);
          return (
            <g key={`${line.label.date} ${line.label.time}`}>
              <rect
                x={x + step * 0.1}
                y={y(line.figures.offered)}
                width={barWidth}
                height={top + plotHeight - y(line.figures.offered)}
                className="bar-offered"
              >
                <title>{`${line.label.date} ${line.label.time}: ${String(line.figures.offered)} / ${String(line.figures.answered)}`}</title>
              </rect>
              <rect
                x={x + step * 0.25}
                y={y(line.figures.answered)}
                width={Math.max(1, step * 0.5)}
                height={top + plotHeight - y(line.figures.answered)}
                className="bar-answered"
              />
              {index % labelEvery === 0 && (
                <text x={x + step / 2} y={height - 8} textAnchor="middle" className="tick">
                  {tickOf(line)}
                </text>
              )}
            </g>
          );
        })}
        {slPoints.length > 1 && <polyline points={slPoints.join(' ')} className="line-sl" />}
        {/* The service level's own scale, on the right: 0 to 100 %. */}
        <line x1={width - 1} y1={top} x2={width - 1} y2={top + plotHeight} className="axis-sl" />
        <text x={width - 4} y={top + 8} textAnchor="end" className="tick tick-sl">
          100 %
        </text>
        <text x={width - 4} y={top + plotHeight - 3} textAnchor="end" className="tick tick-sl">
          0 %
        </text>
      </svg>
      <ul className="chart-legend" data-testid="volume-chart-legend">
        <li>
          <span className="swatch swatch-offered" aria-hidden="true" />
          {t('reports.offered')}
        </li>
        <li>
          <span className="swatch swatch-answered" aria-hidden="true" />
          {t('reports.answered')}
        </li>
        <li>
          <span className="swatch swatch-sl" aria-hidden="true" />
          {t('reports.serviceLevelScale')}
        </li>
      </ul>
    </figure>
  );
}

/** Offered contacts by weekday (rows, Monday first) and hour (columns), darker for more. */
function Heatmap(props: { readonly lines: readonly ReportLine[] }): ReactNode {
  const { t } = useI18n();
  const cells = heatmapCells(props.lines.map((line) => ({ label: line.label, value: line.figures.offered })));
  const max = Math.max(1, ...cells.map((cell) => cell.value));
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  return (
    <section className="card report-heatmap" aria-labelledby="heatmap-title">
      <h2 id="heatmap-title">{t('reports.heatmap')}</h2>
      <table className="heatmap" data-testid="heatmap">
        <thead>
          <tr>
            <th scope="col" />
            {hours.map((hour) => (
              <th key={hour} scope="col">
                {String(hour).padStart(2, '0')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[0, 1, 2, 3, 4, 5, 6].map((weekday) => (
            <tr key={weekday}>
              <th scope="row">{t(`reports.weekday.${String(weekday)}` as MessageKey)}</th>
              {hours.map((hour) => {
                const value =
                  cells.find((cell) => cell.weekday === weekday && cell.hour === hour)?.value ?? 0;
                return (
                  <td
                    key={hour}
                    style={{
                      background: `rgba(11, 92, 173, ${String(value === 0 ? 0 : 0.15 + (0.85 * value) / max)})`,
                    }}
                    title={String(value)}
                  >
                    <span className="sr-only">{value}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
