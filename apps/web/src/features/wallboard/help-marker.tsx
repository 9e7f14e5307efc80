import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatClock, openHelpRequest } from '../presence/agent-state.ts';
import type { AgentState } from '../presence/agent-state.ts';

/**
 * On an agent's wallboard row, next to the monitoring controls: the agent asks for help, since when and
 * why, and the supervisor's "attended" button. Nothing when the agent has no open request.
 */
export function HelpMarker(props: {
  readonly agent: AgentState;
  /** Time since the agent states were read, so the waiting time ticks between reads. */
  readonly sinceReadMs: number;
  /** Called once the request is marked attended (the board reloads). */
  readonly onAttended: () => void;
}): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);
  const open = openHelpRequest(props.agent);
  if (open === undefined) return null;

  const attend = (): void => {
    setIsBusy(true);
    setError(null);
    api.post(`/api/interactions/${open.contactId}/help/attended`).then(
      () => {
        setIsBusy(false);
        props.onAttended();
      },
      (reason: unknown) => {
        setIsBusy(false);
        setError(reason);
      },
    );
  };

  return (
    <div className="help-marker" data-testid="help-marker">
      <strong className="help-flag">{t('help.marker')}</strong>{' '}
      <span className="muted">
        {t('help.since', { time: formatClock(open.help.timeSinceRequestMs + props.sinceReadMs) })}
      </span>
      {open.help.note !== null && <q className="help-note">{open.help.note}</q>}
      <button
        type="button"
        className="primary"
        disabled={isBusy}
        aria-label={t('help.attendedFor', { name: props.agent.name })}
        onClick={attend}
      >
        {t('help.attended')}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
