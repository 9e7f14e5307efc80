import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/catalog.ts';

/** A colleague as `GET /api/colleagues` lists them. */
interface Colleague {
  readonly id: string;
  readonly displayName: string;
  readonly extension: string;
  readonly role: string;
  readonly status: string;
}

/** The call's third party as `GET /api/interactions/:id/call` shows it. */
export interface LiveCompanion {
  readonly kind: 'supervisor' | 'colleague';
  readonly userId: string;
  readonly mode: string;
  readonly isAnswered: boolean;
}

interface LiveCall {
  readonly companion: LiveCompanion | null;
}

/** Events that change the call's third party: the live view is read again when one arrives. */
const companionEvents = new Set([
  'ConsultStarted',
  'ConferenceStarted',
  'ConsultEnded',
  'CompanionUnreachable',
  'SupervisionStarted',
  'SupervisionEnded',
  'CallTransferred',
]);

const statusKeys = new Set([
  'available',
  'idle',
  'on-contact',
  'ringing',
  'reserved',
  'wrap-up',
  'break',
  'offline',
  'not-routed',
]);

/**
 * Consulting a colleague during a call: a searchable directory with everyone's live status (available
 * first), then, while the customer holds, a three-way conference, the attended transfer, or the end of the
 * consultation.
 */
export function ConsultControls(props: { readonly interactionId: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [companion, setCompanion] = useState<LiveCompanion | null>(null);
  const [colleagues, setColleagues] = useState<readonly Colleague[]>([]);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);
  const base = `/api/interactions/${props.interactionId}`;

  const refresh = useCallback(() => {
    api.get<LiveCall>(`${base}/call`).then(
      (live) => {
        setCompanion(live.companion);
      },
      () => {
        setCompanion(null);
      },
    );
  }, [api, base]);

  useEffect(refresh, [refresh]);

  useEffect(() => {
    const query = search.trim();
    api.get<Colleague[]>('/api/colleagues', query === '' ? {} : { search: query }).then(
      (found) => {
        setColleagues(found);
      },
      (reason: unknown) => {
        setError(reason);
      },
    );
  }, [api, search]);

  useDomainEvents((event) => {
    if (companionEvents.has(event.type) && event.data.interactionId === props.interactionId) refresh();
  });

  const act = (work: () => Promise<LiveCall | null>): void => {
    setIsBusy(true);
    setError(null);
    work().then(
      (live) => {
        setIsBusy(false);
        if (live !== null) setCompanion(live.companion);
      },
      (reason: unknown) => {
        setIsBusy(false);
        setError(reason);
      },
    );
  };

  const nameOf = (userId: string): string =>
    colleagues.find((colleague) => colleague.id === userId)?.displayName ?? userId;

  if (companion?.kind === 'supervisor') return null;
  if (companion !== null) {
    const name = nameOf(companion.userId);
    const headline: MessageKey = !companion.isAnswered
      ? 'consult.ringing'
      : companion.mode === 'conference'
        ? 'consult.inConference'
        : 'consult.talking';
    return (
      <div
        className="consult"
        data-testid="consult"
        data-mode={companion.isAnswered ? companion.mode : 'ringing'}
      >
        <p role="status">{t(headline, { name })}</p>
        <div className="call-controls">
          {companion.isAnswered && companion.mode === 'consult' && (
            <button
              type="button"
              disabled={isBusy}
              onClick={() => {
                act(() => api.post<LiveCall>(`${base}/consult/conference`));
              }}
            >
              {t('consult.conference')}
            </button>
          )}
          {companion.isAnswered && (
            <button
              type="button"
              disabled={isBusy}
              onClick={() => {
                act(() => api.post<LiveCall>(`${base}/consult/transfer`));
              }}
            >
              {t('consult.transfer', { name })}
            </button>
          )}
          <button
            type="button"
            className="danger"
            disabled={isBusy}
            onClick={() => {
              act(() => api.delete<LiveCall>(`${base}/consult`));
            }}
          >
            {t('consult.end')}
          </button>
        </div>
        <ErrorMessage error={error} />
      </div>
    );
  }

  return (
    <details className="consult" data-testid="consult">
      <summary>{t('consult.title')}</summary>
      <label>
        {t('consult.search')}{' '}
        <input
          type="search"
          name="colleagueSearch"
          placeholder={t('consult.searchPlaceholder')}
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
          }}
        />
      </label>
      {colleagues.length === 0 ? (
        <p className="muted">{t('consult.none')}</p>
      ) : (
        <ul className="colleagues" data-testid="colleagues">
          {colleagues.slice(0, 12).map((colleague) => (
            <li key={colleague.id} data-status={colleague.status}>
              <span>
                {colleague.displayName} <span className="muted">({colleague.extension})</span>{' '}
                <span className={`badge status-${colleague.status}`}>
                  {statusKeys.has(colleague.status)
                    ? t(`consult.status.${colleague.status}` as MessageKey)
                    : colleague.status}
                </span>
              </span>{' '}
              <button
                type="button"
                disabled={isBusy}
                aria-label={t('consult.callName', { name: colleague.displayName })}
                onClick={() => {
                  act(() => api.post<LiveCall>(`${base}/consult`, { userId: colleague.id }));
                }}
              >
                {t('consult.call')}
              </button>{' '}
              <button
                type="button"
                disabled={isBusy}
                aria-label={t('consult.transferBlindName', { name: colleague.displayName })}
                onClick={() => {
                  act(() =>
                    api
                      .post<LiveCall>(`${base}/transfer`, { extension: colleague.extension })
                      .then(() => null),
                  );
                }}
              >
                {t('consult.transferBlind')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={error} />
    </details>
  );
}
