import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formText } from './form-text.ts';

interface CallScript {
  readonly id: string;
  readonly name: string;
  readonly bodyEs: string;
  readonly bodyEn: string;
  readonly isActive: boolean;
  readonly queueIds: readonly string[];
}

interface QueueOption {
  readonly id: string;
  readonly name: string;
}

/** The placeholders the server fills in (domain/crm call-script.ts); `customer.custom.<key>` as well. */
const fields = [
  'customer.firstName',
  'customer.lastName',
  'customer.displayName',
  'customer.company',
  'customer.phone',
  'customer.email',
  'customer.openTickets',
  'customer.custom.<clave>',
  'agent.name',
  'agent.firstName',
  'queue.name',
  'tenant.name',
] as const;

/**
 * Call scripts: write one in Spanish and English with placeholders, choose the queues that follow it (a queue
 * follows one script: choosing it here moves it), edit, retire or restore. The API refuses an unknown
 * placeholder naming the body it is in.
 */
export function ScriptsPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const scripts = useLoad(
    () => api.get<CallScript[]>('/api/call-scripts', { includeInactive: true }),
    'call-scripts',
  );
  const queues = useLoad(() => api.get<{ items: QueueOption[] }>('/api/queues', { limit: 100 }), 'queues');
  const [editing, setEditing] = useState<CallScript | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [isSaved, setSaved] = useState(false);
  const queueList = queues.data?.items ?? [];
  const queueName = (id: string): string => queueList.find((queue) => queue.id === id)?.name ?? id;

  const save = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: formText(form.get('name')).trim(),
      bodyEs: formText(form.get('bodyEs')),
      bodyEn: formText(form.get('bodyEn')),
      queueIds: form.getAll('queueIds').filter((value): value is string => typeof value === 'string'),
    };
    setError(null);
    setSaved(false);
    const request =
      editing === 'new' || editing === null
        ? api.post('/api/call-scripts', body)
        : api.patch(`/api/call-scripts/${editing.id}`, body);
    request.then(() => {
      setSaved(true);
      setEditing(null);
      scripts.reload();
    }, setError);
  };

  const toggle = (script: CallScript): void => {
    setError(null);
    api
      .patch(`/api/call-scripts/${script.id}`, { isActive: !script.isActive })
      .then(scripts.reload, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('scripts.title')}</h1>
      <p className="muted">{t('scripts.intro')}</p>
      <ErrorMessage error={scripts.error ?? queues.error} />
      {isSaved && (
        <p role="status" className="notice">
          {t('scripts.saved')}
        </p>
      )}
      <table className="table" data-testid="call-scripts">
        <thead>
          <tr>
            <th scope="col">{t('scripts.name')}</th>
            <th scope="col">{t('scripts.queues')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {(scripts.data ?? []).map((script) => (
            <tr key={script.id} className={script.isActive ? '' : 'muted'}>
              <td>
                {script.name} {!script.isActive && <em>({t('scripts.retired')})</em>}
              </td>
              <td>
                {script.queueIds.length === 0
                  ? t('scripts.noQueues')
                  : script.queueIds.map(queueName).join(', ')}
              </td>
              <td>
                <button
                  type="button"
                  aria-label={t('scripts.editNamed', { name: script.name })}
                  onClick={() => {
                    setSaved(false);
                    setEditing(script);
                  }}
                >
                  ✎
                </button>{' '}
                <button
                  type="button"
                  onClick={() => {
                    toggle(script);
                  }}
                >
                  {t(script.isActive ? 'scripts.retireNamed' : 'scripts.restoreNamed', { name: script.name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {scripts.data?.length === 0 && <p className="muted">{t('scripts.empty')}</p>}
      {editing === null ? (
        <button
          type="button"
          className="primary"
          onClick={() => {
            setSaved(false);
            setEditing('new');
          }}
        >
          {t('scripts.new')}
        </button>
      ) : (
        <form
          key={editing === 'new' ? 'new' : editing.id}
          className="card stacked"
          onSubmit={save}
          aria-label={editing === 'new' ? t('scripts.new') : t('scripts.edit', { name: editing.name })}
        >
          <h2>{editing === 'new' ? t('scripts.new') : t('scripts.edit', { name: editing.name })}</h2>
          <label>
            {t('scripts.name')}
            <input
              name="name"
              required
              maxLength={120}
              defaultValue={editing === 'new' ? '' : editing.name}
            />
          </label>
          <label>
            {t('scripts.bodyEs')}
            <textarea
              name="bodyEs"
              rows={8}
              maxLength={20_000}
              defaultValue={editing === 'new' ? '' : editing.bodyEs}
            />
          </label>
          <label>
            {t('scripts.bodyEn')}
            <textarea
              name="bodyEn"
              rows={8}
              maxLength={20_000}
              defaultValue={editing === 'new' ? '' : editing.bodyEn}
            />
          </label>
          <p className="muted">
            {t('scripts.fields')}:{' '}
            {fields.map((field) => (
              <code key={field}>{`{{${field}}} `}</code>
            ))}
          </p>
          <fieldset>
            <legend>{t('scripts.queues')}</legend>
            {queueList.map((queue) => (
              <label key={queue.id} className="checkbox">
                <input
                  type="checkbox"
                  name="queueIds"
                  value={queue.id}
                  defaultChecked={editing !== 'new' && editing.queueIds.includes(queue.id)}
                />
                {queue.name}
              </label>
            ))}
          </fieldset>
          <ErrorMessage error={error} />
          <div className="row">
            <button type="submit" className="primary">
              {t('scripts.save')}
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(null);
                setError(null);
              }}
            >
              {t('scripts.cancel')}
            </button>
          </div>
        </form>
      )}
      {editing === null && <ErrorMessage error={error} />}
    </section>
  );
}
