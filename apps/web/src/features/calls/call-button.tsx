import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/**
 * Click-to-call next to a phone number: the agent's own phone rings first, then the number is called through
 * the tenant's trunk (`POST /api/calls`); the call panel takes it from there. Only for users who take calls.
 */
export function CallButton(props: { readonly number: string }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canCall = useCan('calls:control');
  const [state, setState] = useState<'idle' | 'calling' | 'placed'>('idle');
  const [error, setError] = useState<unknown>(null);
  if (!canCall) return null;
  return (
    <>
      {' '}
      <button
        type="button"
        className="link"
        disabled={state === 'calling'}
        aria-label={t('calls.callNumber', { number: props.number })}
        onClick={() => {
          setError(null);
          setState('calling');
          api.post('/api/calls', { number: props.number }).then(
            () => {
              setState('placed');
            },
            (reason: unknown) => {
              setState('idle');
              setError(reason);
            },
          );
        }}
      >
        {t(state === 'placed' ? 'calls.placed' : 'calls.call')}
      </button>
      <ErrorMessage error={error} />
    </>
  );
}
