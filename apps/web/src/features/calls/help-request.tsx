import { useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { AgentState, HelpRequest } from '../presence/agent-state.ts';

/**
 * The events after which the request is read again, when they are about this contact and agent: the help
 * events, and activity changes (the work on the contact may have ended, and a request with it).
 */
const reloadEventTypes = new Set(['HelpRequested', 'HelpWithdrawn', 'HelpAttended', 'AgentActivityChanged']);

/** What the agent's live state says about the contact: no work on it (nothing to ask), or its request. */
type HelpState =
  { readonly isWorking: false } | { readonly isWorking: true; readonly help: HelpRequest | null };

/** Activities in which the agent may ask for help with the contact. */
const helpActivities = new Set(['on-contact', 'wrap-up']);

/** The longest note the server takes. */
const noteMaxLength = 280;

/**
 * "Ask for help" in the call panel (on the call and in its wrap-up): the agent asks a supervisor for help
 * with an optional note, sees the request pending and may withdraw it, and sees who attended it. The
 * request is read from the agent's live state, so a reloaded desktop shows it too; when the routing engine
 * holds no work of the agent on the contact (a queue without after-call work, once the call is over) there
 * is nothing to ask about and nothing is shown.
 */
export function HelpRequestControl(props: { readonly interactionId: string }): ReactNode {
  const { t } = useI18n();
  const { api, user } = useSession();
  const [state, setState] = useState<HelpState>({ isWorking: false });
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);
  const base = `/api/interactions/${props.interactionId}/help`;

  useEffect(() => {
    let isCurrent = true;
    api.get<AgentState>('/api/agents/me/state').then(
      (agent) => {
        if (!isCurrent) return;
        const item = agent.work?.find((work) => work.contactId === props.interactionId);
        setState(
          item !== undefined && helpActivities.has(item.activity)
            ? { isWorking: true, help: item.help ?? null }
            : { isWorking: false },
        );
      },
      // Not an agent, or the server is restarting: nothing to show.
      () => {
        if (isCurrent) setState({ isWorking: false });
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [api, props.interactionId, generation]);

  useDomainEvents((event) => {
    if (
      reloadEventTypes.has(event.type) &&
      (event.data.interactionId ?? event.data.contactId) === props.interactionId &&
      event.data.agentId === user.id
    )
      setGeneration((value) => value + 1);
  });

  const act = (work: () => Promise<unknown>): void => {
    setIsBusy(true);
    setError(null);
    work().then(
      () => {
        setIsBusy(false);
        setGeneration((value) => value + 1);
      },
      (reason: unknown) => {
        setIsBusy(false);
        setError(reason);
      },
    );
  };

  const ask = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const note = new FormData(event.currentTarget).get('note');
    const text = typeof note === 'string' ? note.trim() : '';
    act(() => api.post(base, text === '' ? {} : { note: text }));
  };

  if (!state.isWorking) return null;
  const help = state.help;
  return (
    <div className="help-request" data-testid="help-request" data-state={help?.state ?? 'none'}>
      {help?.state === 'open' ? (
        <>
          <span role="status" className="help-pending">
            {t('help.pending')}
            {help.note !== null && <q>{help.note}</q>}
          </span>{' '}
          <button
            type="button"
            disabled={isBusy}
            onClick={() => {
              act(() => api.delete(base));
            }}
          >
            {t('help.withdraw')}
          </button>
        </>
      ) : (
        <>
          {help?.attendedBy != null && (
            <span role="status" className="help-attended">
              {t('help.attendedBy', { name: help.attendedBy.name })}
            </span>
          )}
          <form className="inline" onSubmit={ask}>
            <label>
              {t('help.note')}{' '}
              <input
                name="note"
                maxLength={noteMaxLength}
                size={24}
                placeholder={t('help.notePlaceholder')}
              />
            </label>{' '}
            <button type="submit" disabled={isBusy}>
              {t('help.ask')}
            </button>
          </form>
        </>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
