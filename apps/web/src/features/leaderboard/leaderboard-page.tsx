import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDuration, formatShare, localToday, presetRange } from '../reports/report-data.ts';

type Order = 'handled' | 'resolution' | 'csat' | 'quality';
type Period = 'today' | 'last7' | 'thisMonth';

interface Line {
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  readonly teamName: string | null;
  readonly handled: number;
  readonly averageHandleTimeMs: number | null;
  readonly resolution: number | null;
  readonly csat: number | null;
  readonly csatResponses: number;
  readonly qualityScore: number | null;
}

interface Board {
  readonly agents: readonly Line[];
  readonly teams: readonly Line[];
}

/** The ordered figure of a line as a 0-1 share, for its bar. */
function barShare(line: Line, order: Order, best: number): number {
  const value =
    order === 'handled'
      ? line.handled
      : order === 'resolution'
        ? line.resolution
        : order === 'csat'
          ? line.csat
          : line.qualityScore;
  return value === null || best <= 0 ? 0 : value / best;
}

function bestOf(lines: readonly Line[], order: Order): number {
  return lines.reduce((best, line) => Math.max(best, barShare(line, order, 1)), 0);
}

/**
 * The leaderboard a tenant can switch on: agents and teams over today, the last 7 days or this month, ranked by
 * contacts handled, resolution, CSAT or quality, with a bar for the figure ranked by and the signed-in agent's
 * own row marked.
 */
export function LeaderboardPage(): ReactNode {
  const { t } = useI18n();
  const { api, user, tenant } = useSession();
  const [period, setPeriod] = useState<Period>('last7');
  const [order, setOrder] = useState<Order>('handled');
  const range = presetRange(period, localToday(tenant?.timeZone ?? 'Europe/Madrid', new Date()));
  const board = useLoad(
    () => api.get<Board>('/api/leaderboard', { from: range.from, to: range.to, orderBy: order }),
    `leaderboard-${period}-${order}`,
  );

  const table = (lines: readonly Line[], kind: 'agents' | 'teams'): ReactNode => {
    const best = bestOf(lines, order);
    return (
      <table className="table leaderboard" data-testid={`leaderboard-${kind}`}>
        <caption>{t(kind === 'agents' ? 'leaderboard.agents' : 'leaderboard.teams')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('leaderboard.rank')}</th>
            <th scope="col">{t(kind === 'agents' ? 'leaderboard.agent' : 'leaderboard.team')}</th>
            {kind === 'agents' && <th scope="col">{t('leaderboard.team')}</th>}
            <th scope="col">{t('leaderboard.handled')}</th>
            <th scope="col">{t('leaderboard.aht')}</th>
            <th scope="col">{t('leaderboard.resolution')}</th>
            <th scope="col">{t('leaderboard.csat')}</th>
            <th scope="col">{t('leaderboard.quality')}</th>
            <th scope="col" aria-hidden="true" />
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => {
            const isMe = kind === 'agents' && line.id === user.id;
            return (
              <tr key={line.id} className={isMe ? 'is-me' : ''}>
                <td>{line.rank}</td>
                <th scope="row">
                  {line.name} {isMe && <span className="muted">{t('leaderboard.you')}</span>}
                </th>
                {kind === 'agents' && <td>{line.teamName ?? '—'}</td>}
                <td>{line.handled}</td>
                <td>{formatDuration(line.averageHandleTimeMs)}</td>
                <td>{formatShare(line.resolution)}</td>
                <td title={t('leaderboard.answers', { count: line.csatResponses })}>
                  {formatShare(line.csat)}
                </td>
                <td>{line.qualityScore === null ? '—' : String(Math.round(line.qualityScore))}</td>
                <td className="bar-cell" aria-hidden="true">
                  <span
                    className="bar"
                    style={{ width: `${String(Math.round(barShare(line, order, best) * 100))}%` }}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('leaderboard.title')}</h1>
      <p className="muted">{t('leaderboard.intro')}</p>
      <div className="row report-filters">
        <label>
          {t('leaderboard.period')}
          <select
            value={period}
            onChange={(event) => {
              const value = event.target.value;
              setPeriod(value === 'today' || value === 'thisMonth' ? value : 'last7');
            }}
          >
            <option value="today">{t('leaderboard.today')}</option>
            <option value="last7">{t('leaderboard.last7')}</option>
            <option value="thisMonth">{t('leaderboard.thisMonth')}</option>
          </select>
        </label>
        <label>
          {t('leaderboard.orderBy')}
          <select
            value={order}
            onChange={(event) => {
              const value = event.target.value;
              setOrder(value === 'resolution' || value === 'csat' || value === 'quality' ? value : 'handled');
            }}
          >
            <option value="handled">{t('leaderboard.handled')}</option>
            <option value="resolution">{t('leaderboard.resolution')}</option>
            <option value="csat">{t('leaderboard.csat')}</option>
            <option value="quality">{t('leaderboard.quality')}</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={board.error} />
      {board.data !== null &&
        (board.data.agents.length === 0 ? (
          <p className="muted">{t('leaderboard.empty')}</p>
        ) : (
          <>
            {table(board.data.agents, 'agents')}
            {board.data.teams.length > 0 && table(board.data.teams, 'teams')}
          </>
        ))}
    </section>
  );
}
