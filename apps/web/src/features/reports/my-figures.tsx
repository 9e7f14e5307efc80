import type { ReactNode } from 'react';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDuration, formatShare, localToday, presetRange } from './report-data.ts';

interface OwnFigures {
  readonly handled: number;
  readonly averageHandleTimeMs: number | null;
  readonly averageTalkMs: number | null;
  readonly averageWrapUpMs: number | null;
  readonly occupancy: number | null;
}

/** The signed-in user's own figures over the last 7 days, from the reports (`/api/reports/me/summary`). */
export function MyFigures(): ReactNode {
  const { t } = useI18n();
  const { api, tenant } = useSession();
  const canRead = useCan('reports:read-own');
  const range = presetRange('last7', localToday(tenant?.timeZone ?? 'UTC', new Date()));
  const loaded = useLoad(
    () =>
      canRead
        ? api.get<{ total: { figures: OwnFigures } }>('/api/reports/me/summary', {
            ...range,
            granularity: 'period',
          })
        : Promise.resolve(null),
    `${range.from}|${String(canRead)}`,
  );
  const figures = loaded.data?.total.figures;
  if (figures === undefined) return null;
  return (
    <section className="card" aria-labelledby="my-figures-title" data-testid="my-figures">
      <h2 id="my-figures-title">
        {t('reports.myFigures')} · {t('reports.period.last7')}
      </h2>
      <dl className="report-kpis">
        <div data-kpi="handled">
          <dt>{t('reports.handled')}</dt>
          <dd>{figures.handled}</dd>
        </div>
        <div data-kpi="aht">
          <dt>{t('reports.aht')}</dt>
          <dd>{formatDuration(figures.averageHandleTimeMs)}</dd>
        </div>
        <div data-kpi="talk">
          <dt>{t('reports.talk')}</dt>
          <dd>{formatDuration(figures.averageTalkMs)}</dd>
        </div>
        <div data-kpi="acw">
          <dt>{t('reports.acw')}</dt>
          <dd>{formatDuration(figures.averageWrapUpMs)}</dd>
        </div>
        <div data-kpi="occupancy">
          <dt>{t('reports.occupancy')}</dt>
          <dd>{formatShare(figures.occupancy)}</dd>
        </div>
      </dl>
    </section>
  );
}
