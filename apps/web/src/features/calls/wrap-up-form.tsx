import { useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import type { TicketSummary } from '../../app/api-types.ts';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useTicketStatuses } from '../tickets/use-ticket-statuses.ts';

/** A wrap-up outcome of the tenant (`GET /api/dispositions`). */
interface Disposition {
  readonly code: string;
  readonly labelEs: string;
  readonly labelEn: string;
}

type TicketMode = 'none' | 'create' | 'update';

/** What `POST /api/interactions/:id/wrap-up` takes. */
interface WrapUpBody {
  readonly disposition: string | null;
  readonly wrapUpNotes: string;
  readonly ticket?:
    | { readonly action: 'create'; readonly subject: string; readonly status?: string }
    | {
        readonly action: 'update';
        readonly ticketId: string;
        readonly status?: string;
        readonly note?: string;
      };
  readonly followUp?: { readonly description: string; readonly dueAt: string };
}

/** Tomorrow at 09:00 local time, as a `datetime-local` value: the usual time for a follow-up call. */
function tomorrowMorning(): string {
  const date = new Date();
  date.setDate(date.getDate() + 1);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T09:00`;
}

/**
 * The after-call work: outcome and notes, and optionally a ticket (a new one about this contact, or one of the
 * customer's open tickets with a new status and a note) with a follow-up task for the agent. One request: the
 * server keeps all of it or nothing.
 */
export function WrapUpForm(props: {
  readonly customerId: string | null;
  readonly isBusy: boolean;
  readonly onSubmit: (body: WrapUpBody) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { api } = useSession();
  const { statuses, labelOf } = useTicketStatuses();
  const [dispositions, setDispositions] = useState<readonly Disposition[]>([]);
  const [openTickets, setOpenTickets] = useState<readonly TicketSummary[]>([]);
  const [mode, setMode] = useState<TicketMode>('none');
  const [hasFollowUp, setHasFollowUp] = useState(false);

  useEffect(() => {
    api.get<Disposition[]>('/api/dispositions').then(setDispositions, () => {
      setDispositions([]);
    });
  }, [api]);

  useEffect(() => {
    if (props.customerId === null) return;
    api.get<{ items: TicketSummary[] }>('/api/tickets', { customerId: props.customerId, limit: 50 }).then(
      (page) => {
        setOpenTickets(page.items);
      },
      () => {
        setOpenTickets([]);
      },
    );
  }, [api, props.customerId]);

  const closedCodes = new Set(statuses.filter((status) => status.category === 'closed').map((s) => s.code));
  const stillOpen = openTickets.filter((ticket) => !closedCodes.has(ticket.status));

  const submit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string): string => {
      const value = form.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    const status = text('ticketStatus');
    const ticket: WrapUpBody['ticket'] =
      mode === 'create'
        ? { action: 'create', subject: text('ticketSubject'), ...(status === '' ? {} : { status }) }
        : mode === 'update'
          ? {
              action: 'update',
              ticketId: text('ticketId'),
              ...(status === '' ? {} : { status }),
              ...(text('ticketNote') === '' ? {} : { note: text('ticketNote') }),
            }
          : undefined;
    const dueAt = text('followUpDue');
    props.onSubmit({
      disposition: text('disposition') === '' ? null : text('disposition'),
      wrapUpNotes: text('notes'),
      ...(ticket === undefined ? {} : { ticket }),
      ...(ticket !== undefined && hasFollowUp && dueAt !== ''
        ? { followUp: { description: text('followUpText'), dueAt: new Date(dueAt).toISOString() } }
        : {}),
    });
  };

  return (
    <form className="wrap-up" onSubmit={submit}>
      <label>
        {t('calls.disposition')}
        <select name="disposition" defaultValue="">
          <option value="">{t('calls.chooseDisposition')}</option>
          {dispositions.map((disposition) => (
            <option key={disposition.code} value={disposition.code}>
              {language === 'es' ? disposition.labelEs : disposition.labelEn}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('calls.notes')}
        <textarea name="notes" rows={3} maxLength={10_000} />
      </label>
      <fieldset className="wrap-up-ticket">
        <legend>{t('wrapUp.ticket')}</legend>
        {props.customerId === null ? (
          <p className="muted">{t('wrapUp.noCustomer')}</p>
        ) : (
          <>
            <div className="ticket-modes" role="radiogroup" aria-label={t('wrapUp.ticket')}>
              {(['none', 'create', 'update'] as const).map((option) => (
                <label key={option} className="checkbox">
                  <input
                    type="radio"
                    name="ticketMode"
                    value={option}
                    checked={mode === option}
                    disabled={option === 'update' && stillOpen.length === 0}
                    onChange={() => {
                      setMode(option);
                    }}
                  />{' '}
                  {t(
                    option === 'none'
                      ? 'wrapUp.ticketNone'
                      : option === 'create'
                        ? 'wrapUp.ticketCreate'
                        : 'wrapUp.ticketUpdate',
                  )}
                </label>
              ))}
            </div>
            {stillOpen.length === 0 && <p className="muted">{t('wrapUp.noOpenTickets')}</p>}
            {mode === 'create' && (
              <label>
                {t('wrapUp.subject')}
                <input name="ticketSubject" required maxLength={500} />
              </label>
            )}
            {mode === 'update' && (
              <>
                <label>
                  {t('wrapUp.chooseTicket')}
                  <select name="ticketId" required defaultValue={stillOpen[0]?.id ?? ''}>
                    {stillOpen.map((ticket) => (
                      <option key={ticket.id} value={ticket.id}>
                        #{ticket.number} {ticket.subject} ({labelOf(ticket.status)})
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t('wrapUp.ticketNote')}
                  <textarea name="ticketNote" rows={2} maxLength={20_000} />
                </label>
              </>
            )}
            {mode !== 'none' && (
              <>
                <label>
                  {t('wrapUp.status')}
                  <select name="ticketStatus" defaultValue="">
                    <option value="">{t('wrapUp.keepStatus')}</option>
                    {statuses.map((status) => (
                      <option key={status.code} value={status.code}>
                        {labelOf(status.code)}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    name="hasFollowUp"
                    checked={hasFollowUp}
                    onChange={(event) => {
                      setHasFollowUp(event.target.checked);
                    }}
                  />{' '}
                  {t('wrapUp.followUp')}
                </label>
                {hasFollowUp && (
                  <>
                    <label>
                      {t('wrapUp.followUpDue')}
                      <input
                        name="followUpDue"
                        type="datetime-local"
                        required
                        defaultValue={tomorrowMorning()}
                      />
                    </label>
                    <label>
                      {t('wrapUp.followUpText')}
                      <input name="followUpText" required maxLength={2_000} />
                    </label>
                  </>
                )}
              </>
            )}
          </>
        )}
      </fieldset>
      <button type="submit" disabled={props.isBusy}>
        {t('calls.endWrapUp')}
      </button>
    </form>
  );
}
