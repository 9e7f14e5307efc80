import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { TicketSummary } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { navigate } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** Opens a ticket for a customer, then shows it. */
export function NewTicketForm(props: { readonly customerId: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const create = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .post<TicketSummary>('/api/tickets', {
        customerId: props.customerId,
        subject: subject.trim(),
        description: description.trim(),
      })
      .then(
        (ticket) => {
          navigate(`/tickets/${ticket.id}`);
        },
        (failure: unknown) => {
          setBusy(false);
          setError(failure);
        },
      );
  };

  return (
    <form onSubmit={create} aria-labelledby="new-ticket-title" className="stacked" data-testid="new-ticket">
      <h3 id="new-ticket-title">{t('tickets.new')}</h3>
      <label>
        {t('tickets.subject')}
        <input
          name="subject"
          value={subject}
          required
          maxLength={500}
          onChange={(event) => {
            setSubject(event.target.value);
          }}
        />
      </label>
      <label>
        {t('tickets.description')}
        <textarea
          name="description"
          value={description}
          rows={2}
          onChange={(event) => {
            setDescription(event.target.value);
          }}
        />
      </label>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={isBusy}>
        {t('tickets.create')}
      </button>
    </form>
  );
}
