import type { ReactNode } from 'react';
import type { FollowUp, Interaction, Page } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useDispositionLabels } from '../calls/use-dispositions.ts';
import { MyFigures } from '../reports/my-figures.tsx';
import { formatDuration, summariseHandleTime } from './handle-time.ts';
import { usePhoneText } from '../../app/phone-text.ts';

interface MyDay {
  readonly followUps: Page<FollowUp>;
  readonly contacts: Page<Interaction>;
}

/** Midnight today in the browser's time zone, as an instant. */
function startOfToday(): string {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return today.toISOString();
}

/** My pending follow-up tasks and the contacts I handled today. */
export function MyDayPage(): ReactNode {
  const { t, formatDateTime } = useI18n();
  const { api, user } = useSession();
  const canWrite = useCan('tickets:write');
  const dispositionLabel = useDispositionLabels();
  const phone = usePhoneText();
  const loaded = useLoad<MyDay>(async () => {
    const [followUps, contacts] = await Promise.all([
      api.get<Page<FollowUp>>('/api/follow-ups', {
        mine: true,
        status: 'pending',
        sort: 'dueAt',
        limit: 100,
      }),
      api.get<Page<Interaction>>('/api/interactions', { agentId: user.id, from: startOfToday(), limit: 100 }),
    ]);
    return { followUps, contacts };
  }, user.id);

  const markDone = (followUp: FollowUp): void => {
    api.patch(`/api/follow-ups/${followUp.id}`, { status: 'done' }).then(loaded.reload, loaded.reload);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('myDay.title')}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.data !== null && (
        <Summary contacts={loaded.data.contacts.items} pendingCount={loaded.data.followUps.total} />
      )}
      <MyFigures />
      {loaded.data !== null && (
        <div className="profile-grid">
          <section className="card" aria-labelledby="follow-ups-title">
            <h2 id="follow-ups-title">{t('myDay.followUps', { count: loaded.data.followUps.total })}</h2>
            {loaded.data.followUps.items.length === 0 ? (
              <p className="muted">{t('myDay.noFollowUps')}</p>
            ) : (
              <ul className="plain" data-testid="my-follow-ups">
                {loaded.data.followUps.items.map((followUp) => (
                  <li key={followUp.id} className="follow-up">
                    <span>
                      <Link to={`/tickets/${followUp.ticketId}`}>#{followUp.ticketNumber}</Link>{' '}
                      {followUp.description}
                    </span>
                    <span className="muted">{formatDateTime(followUp.dueAt)}</span>
                    {canWrite && (
                      <button
                        type="button"
                        onClick={() => {
                          markDone(followUp);
                        }}
                      >
                        {t('myDay.markDone')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="contacts-title">
            <h2 id="contacts-title">{t('myDay.contacts', { count: loaded.data.contacts.total })}</h2>
            {loaded.data.contacts.items.length === 0 ? (
              <p className="muted">{t('myDay.noContacts')}</p>
            ) : (
              <ul className="plain">
                {loaded.data.contacts.items.map((contact) => {
                  const who = contact.customerName ?? phone(contact.remoteAddress);
                  return (
                    <li key={contact.id} data-testid="my-contact">
                      {formatDateTime(contact.startedAt)} · {t(`channel.${contact.channel}`)} ·{' '}
                      {contact.customerId === null ? (
                        who
                      ) : (
                        <Link to={`/customers/${contact.customerId}`}>{who}</Link>
                      )}
                      {contact.subject !== '' && ` · ${contact.subject}`}
                      {contact.disposition !== null && (
                        <span className="muted"> · {dispositionLabel(contact.disposition)}</span>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        </div>
      )}
    </section>
  );
}

function Summary(props: {
  readonly contacts: readonly Interaction[];
  readonly pendingCount: number;
}): ReactNode {
  const { t } = useI18n();
  const { handledCount, averageHandleTimeMs } = summariseHandleTime(props.contacts);
  return (
    <dl className="summary" data-testid="my-day-summary">
      <div>
        <dt>{t('myDay.handled')}</dt>
        <dd>{handledCount}</dd>
      </div>
      <div>
        <dt>{t('myDay.averageHandleTime')}</dt>
        <dd>{averageHandleTimeMs === null ? '—' : formatDuration(averageHandleTimeMs)}</dd>
      </div>
      <div>
        <dt>{t('myDay.pending')}</dt>
        <dd>{props.pendingCount}</dd>
      </div>
    </dl>
  );
}
