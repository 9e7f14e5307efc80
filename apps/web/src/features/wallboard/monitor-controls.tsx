import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { AgentState } from '../presence/agent-state.ts';

type Mode = 'listen' | 'whisper' | 'barge';
const modes: readonly Mode[] = ['listen', 'whisper', 'barge'];

interface LiveCall {
  readonly companion: {
    readonly kind: string;
    readonly userId: string;
    readonly mode: string;
    readonly isAnswered: boolean;
  } | null;
}

/**
 * A supervisor's controls for one agent's call on the wallboard: their phone joins to listen, whisper to
 * the agent or barge in (switching modes during the call), take the call over, or leave it.
 */
export function MonitorControls(props: { readonly agent: AgentState }): ReactNode {
  const { t } = useI18n();
  const { api, user } = useSession();
  const interactionId = props.agent.contactIds?.[0];
  const [live, setLive] = useState<LiveCall['companion']>(null);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);

  useEffect(() => {
    setLive(null);
    setError(null);
  }, [interactionId]);

  if (interactionId === undefined) return null;
  const base = `/api/interactions/${interactionId}`;
  const mine = live !== null && live.userId === user.id ? live : null;

  const act = (work: () => Promise<LiveCall>): void => {
    setIsBusy(true);
    setError(null);
    work().then(
      (answer) => {
        setIsBusy(false);
        setLive(answer.companion);
      },
      (reason: unknown) => {
        setIsBusy(false);
        setError(reason);
      },
    );
  };

  return (
    <div
      className="monitor-controls"
      role="group"
      aria-label={t('monitor.controls', { name: props.agent.name })}
      data-testid="monitor-controls"
    >
      {modes.map((mode) => (
        <button
          key={mode}
          type="button"
          disabled={isBusy}
          aria-pressed={mine?.mode === mode}
          onClick={() => {
            act(() => api.post<LiveCall>(`${base}/monitor`, { mode }));
          }}
        >
          {t(`monitor.${mode}`)}
        </button>
      ))}
      {mine !== null && (
        <>
          <button
            type="button"
            disabled={isBusy || !mine.isAnswered}
            onClick={() => {
              act(() => api.post<LiveCall>(`${base}/takeover`));
            }}
          >
            {t('monitor.takeover')}
          </button>
          <button
            type="button"
            className="danger"
            disabled={isBusy}
            onClick={() => {
              act(() => api.delete<LiveCall>(`${base}/monitor`));
            }}
          >
            {t('monitor.stop')}
          </button>
          <span role="status" className="muted">
            {mine.isAnswered
              ? t('monitor.active', { mode: t(`monitor.mode.${mine.mode as Mode}`) })
              : t('monitor.ringing')}
          </span>
        </>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
