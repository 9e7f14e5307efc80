import { useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** The call as `GET /api/interactions/:id/call` and the call controls answer it. */
interface LiveCall {
  readonly recording: 'off' | 'on' | 'paused';
}

const keypadKeys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/**
 * A keypad for the other party of a connected call: keys pressed one by one, or a string typed and sent at
 * once (an extension, a reference for a supplier's menu). They go out as RFC 4733 events.
 */
export function DeskKeypad(props: { readonly interactionId: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [sent, setSent] = useState('');
  const [error, setError] = useState<unknown>(null);

  const send = (digits: string): void => {
    setError(null);
    api.post(`/api/interactions/${props.interactionId}/dtmf`, { digits }).then(() => {
      setSent((before) => (before + digits).slice(-32));
    }, setError);
  };
  const submit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('digits');
    if (typeof value === 'string' && value.trim() !== '') {
      send(value.trim());
      event.currentTarget.reset();
    }
  };

  return (
    <details className="keypad">
      <summary>{t('keypad.title')}</summary>
      <div className="keypad-keys" role="group" aria-label={t('keypad.title')}>
        {keypadKeys.map((key) => (
          <button
            key={key}
            type="button"
            onClick={() => {
              send(key);
            }}
          >
            {key}
          </button>
        ))}
      </div>
      <form className="inline" onSubmit={submit}>
        <label>
          {t('keypad.digits')}{' '}
          <input name="digits" pattern="[0-9*#A-Da-d]{1,32}" maxLength={32} inputMode="tel" />
        </label>{' '}
        <button type="submit">{t('keypad.send')}</button>
      </form>
      {sent !== '' && <p role="status">{t('keypad.sent', { digits: sent })}</p>}
      <ErrorMessage error={error} />
    </details>
  );
}

/** Whether the call is being recorded, and the pause/resume switch (card numbers must not be recorded). */
export function RecordingControl(props: { readonly interactionId: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [recording, setRecording] = useState<LiveCall['recording']>('off');
  const [error, setError] = useState<unknown>(null);
  const base = `/api/interactions/${props.interactionId}`;

  useEffect(() => {
    api.get<LiveCall>(`${base}/call`).then(
      (live) => {
        setRecording(live.recording);
      },
      () => {
        setRecording('off');
      },
    );
  }, [api, base]);

  if (recording === 'off') return null;
  const toggle = (): void => {
    setError(null);
    api.post<LiveCall>(`${base}/recording/${recording === 'on' ? 'pause' : 'resume'}`).then((live) => {
      setRecording(live.recording);
    }, setError);
  };
  return (
    <div className={`recording-control ${recording}`}>
      <span role="status" className="recording-state">
        {t(recording === 'on' ? 'recording.on' : 'recording.paused')}
      </span>{' '}
      <button type="button" onClick={toggle}>
        {t(recording === 'on' ? 'recording.pause' : 'recording.resume')}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
