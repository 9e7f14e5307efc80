import { useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { AgentState, HelpRequest } from '../presence/agent-state.ts';

/** The events about a help request; any of them for this contact and agent reloads the request. */
const helpEventTypes = new Set(['HelpRequested', 'HelpWithdrawn', 'HelpAttended']);

/** The longest note the server takes. */
const noteMaxLength = 280;

/**
 * "Ask for help" in the call panel (on the call and in its wrap-up): the agent asks a supervisor for help
 * with an optional note, sees the request pending and may withdraw it, and sees who attended it. The
 * request is read from the agent's live state, so a reloaded desktop shows it too.
 */
export function HelpRequestControl(props: { readonly interactionId: string }): ReactNode {
  const { t } = useI18n();
  const { api, user } = useSession();
  const [help, setHelp] = useState<HelpRequest | null>(null);
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);
  const base = `/api/interactions/${props.interactionId}/help`;

  useEffect(() => {
    let isCurrent = true;
    api.get<AgentState>('/api/agents/me/state').then(
      (state) => {
        if (isCurrent)
          setHelp(state.work?.find((item) => item.contactId === props.interactionId)?.help ?? null);
      },
      // Not an agent, or the server is restarting: nothing to show.
      () => undefined,
    );
    return () => {
      isCurrent = false;
    };
  }, [api, props.interactionId, generation]);

  useDomainEvents((event) => {
    if (
      helpEventTypes.has(event.type) &&
      event.data.interactionId === props.interactionId &&
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
