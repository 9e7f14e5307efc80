import { useEffect, useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { Page, Queue, Ticket } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { Link } from '../../app/router.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import type { MessageKey } from '../../i18n/catalog.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useTicketStatuses } from './use-ticket-statuses.ts';

/** A ticket: its status (built-in and the tenant's own), its details (priority, assignee, queue, due date), notes and follow-up tasks. */
export function TicketPage(props: { readonly ticketId: string }): ReactNode {
  const { t, formatDateTime } = useI18n();
  const { api } = useSession();
  const canWrite = useCan('tickets:write');
  const loaded = useLoad(() => api.get<Ticket>(`/api/tickets/${props.ticketId}`), props.ticketId);
  const ticket = loaded.data;
  useDomainEvents((event) => {
    if (event.type === 'TicketUpdated' && event.data.ticketId === props.ticketId) loaded.reload();
  });

  return (
    <section>
      <h1 tabIndex={-1}>
        {ticket === null
          ? t('tickets.title')
          : t('tickets.heading', { number: ticket.number, subject: ticket.subject })}
      </h1>
      <ErrorMessage error={loaded.error} />
      {ticket !== null && (
        <>
          <p>
            <Link to={`/customers/${ticket.customerId}`}>{ticket.customerName}</Link>
            <span className="muted"> · {formatDateTime(ticket.createdAt)}</span>
          </p>
          {ticket.description !== '' && <p className="notes">{ticket.description}</p>}
          <div className="profile-grid">
            <div className="card">
              <StatusForm ticket={ticket} canWrite={canWrite} onSaved={loaded.reload} />
              {/* Started afresh from each stored version of the ticket (after a save, or another user's change). */}
              <DetailsForm
                key={ticket.updatedAt}
                ticket={ticket}
                canWrite={canWrite}
                onSaved={loaded.reload}
              />
              <h2>{t('tickets.followUps')}</h2>
              {ticket.followUps.length === 0 ? (
                <p className="muted">{t('tickets.noFollowUps')}</p>
              ) : (
                <ul className="plain" data-testid="ticket-follow-ups">
                  {ticket.followUps.map((followUp) => (
                    <li key={followUp.id}>
                      {followUp.description} — {formatDateTime(followUp.dueAt)}{' '}
                      <span className="badge">{t(`followUp.${followUp.status}`)}</span>
                    </li>
                  ))}
                </ul>
              )}
              {canWrite && <FollowUpForm ticketId={ticket.id} onSaved={loaded.reload} />}
            </div>
            <div className="card">
              <h2>{t('tickets.notes')}</h2>
              {ticket.notes.length === 0 ? (
                <p className="muted">{t('tickets.noNotes')}</p>
              ) : (
                <ul className="plain notes-list" data-testid="ticket-notes">
                  {ticket.notes.map((note) => (
                    <li key={note.id}>
                      <p>{note.body}</p>
                      <p className="muted">
                        {note.authorName ?? ''} · {formatDateTime(note.createdAt)}
                      </p>
                    </li>
                  ))}
                </ul>
              )}
              {canWrite && <NoteForm ticketId={ticket.id} onSaved={loaded.reload} />}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function StatusForm(props: {
  readonly ticket: Ticket;
  readonly canWrite: boolean;
  readonly onSaved: () => void;
}): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const { statuses, labelOf } = useTicketStatuses();
  const [status, setStatus] = useState(props.ticket.status);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);
  useEffect(() => {
    setStatus(props.ticket.status);
  }, [props.ticket.status]);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api.patch(`/api/tickets/${props.ticket.id}`, { status }).then(
      () => {
        setBusy(false);
        props.onSaved();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <form onSubmit={save} className="stacked" aria-labelledby="status-title">
      <h2 id="status-title">{t('tickets.status')}</h2>
      <p>
        <span className={`badge status-${props.ticket.statusCategory}`} data-testid="ticket-status">
          {labelOf(props.ticket.status)}
        </span>
      </p>
      {props.canWrite && (
        <div className="inline-form">
          <label className="grow">
            {t('tickets.newStatus')}
            <select
              name="status"
              value={status}
              onChange={(event) => {
                setStatus(event.target.value);
              }}
            >
              {statuses.map((candidate) => (
                <option key={candidate.code} value={candidate.code}>
                  {labelOf(candidate.code)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={isBusy || status === props.ticket.status}>
            {t('tickets.changeStatus')}
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}

const priorities = ['low', 'normal', 'high', 'urgent'] as const;

/** A time as a `datetime-local` value in the browser's time zone. */
function toLocalInput(at: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${String(at.getFullYear())}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

interface Colleague {
  readonly id: string;
  readonly displayName: string;
}

/**
 * What the ticket is about and who has it: subject, description, priority, assignee (the user or a colleague who
 * takes calls), queue and due date. Read-only without `tickets:write`; one PATCH of what changed.
 */
function DetailsForm(props: {
  readonly ticket: Ticket;
  readonly canWrite: boolean;
  readonly onSaved: () => void;
}): ReactNode {
  const { t, formatDateTime } = useI18n();
  const { api, user } = useSession();
  const { ticket } = props;
  const queues = useLoad(() => api.get<Page<Queue>>('/api/queues', { limit: 100 }), 'ticket-queues');
  const colleagues = useLoad(
    () => (props.canWrite ? api.get<Colleague[]>('/api/colleagues') : Promise.resolve([])),
    'ticket-colleagues',
  );
  const initial = {
    subject: ticket.subject,
    description: ticket.description,
    priority: ticket.priority,
    assigneeId: ticket.assigneeId ?? '',
    queueId: ticket.queueId ?? '',
    due: ticket.dueAt === null ? '' : toLocalInput(new Date(ticket.dueAt)),
  };
  const [values, setValues] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const queueName = queues.data?.items.find((queue) => queue.id === ticket.queueId)?.name;
  if (!props.canWrite) {
    return (
      <dl className="fields ticket-details" data-testid="ticket-details">
        <dt>{t('tickets.priority')}</dt>
        <dd>{t(`tickets.priority.${ticket.priority}` as MessageKey)}</dd>
        <dt>{t('tickets.assignee')}</dt>
        <dd>{ticket.assigneeName ?? t('tickets.unassigned')}</dd>
        <dt>{t('tickets.queue')}</dt>
        <dd>{queueName ?? '—'}</dd>
        <dt>{t('tickets.ticketDue')}</dt>
        <dd>{ticket.dueAt === null ? '—' : formatDateTime(ticket.dueAt)}</dd>
      </dl>
    );
  }

  // The assignee may be someone no longer among the colleagues (signed out of calls, no extension): kept listed.
  const people: Colleague[] = [{ id: user.id, displayName: user.displayName }, ...(colleagues.data ?? [])];
  if (ticket.assigneeId !== null && !people.some((person) => person.id === ticket.assigneeId))
    people.push({ id: ticket.assigneeId, displayName: ticket.assigneeName ?? ticket.assigneeId });
  const changes: Record<string, unknown> = {};
  if (values.subject.trim() !== initial.subject) changes['subject'] = values.subject.trim();
  if (values.description !== initial.description) changes['description'] = values.description;
  if (values.priority !== initial.priority) changes['priority'] = values.priority;
  if (values.assigneeId !== initial.assigneeId) changes['assigneeId'] = values.assigneeId || null;
  if (values.queueId !== initial.queueId) changes['queueId'] = values.queueId || null;
  // A datetime-local value is the browser's local time; the API wants an instant.
  if (values.due !== initial.due)
    changes['dueAt'] = values.due === '' ? null : new Date(values.due).toISOString();

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api.patch(`/api/tickets/${ticket.id}`, changes).then(
      () => {
        setBusy(false);
        props.onSaved();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };
  const set = (change: Partial<typeof values>): void => {
    setValues({ ...values, ...change });
  };

  return (
    <form onSubmit={save} className="stacked" aria-labelledby="details-title" data-testid="ticket-details">
      <h2 id="details-title">{t('tickets.details')}</h2>
      <label>
        {t('tickets.subject')}
        <input
          name="ticketSubject"
          value={values.subject}
          required
          maxLength={500}
          onChange={(event) => {
            set({ subject: event.target.value });
          }}
        />
      </label>
      <label>
        {t('tickets.description')}
        <textarea
          name="ticketDescription"
          value={values.description}
          rows={3}
          maxLength={20_000}
          onChange={(event) => {
            set({ description: event.target.value });
          }}
        />
      </label>
      <div className="row">
        <label>
          {t('tickets.priority')}
          <select
            name="priority"
            value={values.priority}
            onChange={(event) => {
              set({ priority: event.target.value });
            }}
          >
            {priorities.map((priority) => (
              <option key={priority} value={priority}>
                {t(`tickets.priority.${priority}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('tickets.assignee')}
          <select
            name="assigneeId"
            value={values.assigneeId}
            onChange={(event) => {
              set({ assigneeId: event.target.value });
            }}
          >
            <option value="">{t('tickets.unassigned')}</option>
            {people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.displayName}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          {t('tickets.queue')}
          <select
            name="queueId"
            value={values.queueId}
            onChange={(event) => {
              set({ queueId: event.target.value });
            }}
          >
            <option value="">—</option>
            {(queues.data?.items ?? []).map((queue) => (
              <option key={queue.id} value={queue.id}>
                {queue.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('tickets.ticketDue')}
          <input
            name="ticketDueAt"
            type="datetime-local"
            value={values.due}
            onChange={(event) => {
              set({ due: event.target.value });
            }}
          />
        </label>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" disabled={isBusy || Object.keys(changes).length === 0}>
        {t('tickets.saveDetails')}
      </button>
    </form>
  );
}

function NoteForm(props: { readonly ticketId: string; readonly onSaved: () => void }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setError(null);
    api.post(`/api/tickets/${props.ticketId}/notes`, { body: body.trim() }).then(() => {
      setBody('');
      props.onSaved();
    }, setError);
  };

  return (
    <form onSubmit={save} className="stacked">
      <label>
        {t('tickets.note')}
        <textarea
          name="note"
          value={body}
          rows={3}
          required
          onChange={(event) => {
            setBody(event.target.value);
          }}
        />
      </label>
      <ErrorMessage error={error} />
      <button type="submit">{t('tickets.addNote')}</button>
    </form>
  );
}

/** The value of a `datetime-local` input for a time: tomorrow at 10:00 by default. */
function defaultDueLocal(): string {
  const due = new Date();
  due.setDate(due.getDate() + 1);
  due.setHours(10, 0, 0, 0);
  return toLocalInput(due);
}

function FollowUpForm(props: { readonly ticketId: string; readonly onSaved: () => void }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [description, setDescription] = useState('');
  const [due, setDue] = useState(defaultDueLocal);
  const [error, setError] = useState<unknown>(null);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setError(null);
    // A datetime-local value is the browser's local time; the API wants an instant.
    const dueAt = new Date(due).toISOString();
    api
      .post(`/api/tickets/${props.ticketId}/follow-ups`, { description: description.trim(), dueAt })
      .then(() => {
        setDescription('');
        props.onSaved();
      }, setError);
  };

  return (
    <form onSubmit={save} className="stacked" aria-labelledby="follow-up-title" data-testid="follow-up-form">
      <h3 id="follow-up-title">{t('tickets.newFollowUp')}</h3>
      <label>
        {t('tickets.followUpDescription')}
        <input
          name="followUpDescription"
          value={description}
          required
          onChange={(event) => {
            setDescription(event.target.value);
          }}
        />
      </label>
      <label>
        {t('tickets.dueAt')}
        <input
          name="dueAt"
          type="datetime-local"
          value={due}
          required
          onChange={(event) => {
            setDue(event.target.value);
          }}
        />
      </label>
      <ErrorMessage error={error} />
      <button type="submit">{t('tickets.addFollowUp')}</button>
    </form>
  );
}
