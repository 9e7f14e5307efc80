import { useCallback, useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import type { DomainEvent } from '../../app/event-stream.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerProfile } from '../customers/customer-profile.tsx';
import { KnowledgeSearch } from '../knowledge/knowledge-search.tsx';
import { CallScript } from './call-script.tsx';
import { DeskKeypad, RecordingControl } from './call-tools.tsx';
import { ConsultControls } from './consult-controls.tsx';
import { WrapUpForm } from './wrap-up-form.tsx';

/** What the agent is doing with their current contact, as the call panel shows it. */
type CallPhase = 'ringing' | 'connected' | 'wrapUp';

interface CurrentCall {
  readonly interactionId: string;
  readonly phase: CallPhase;
  readonly isHeld: boolean;
  readonly callerId: string | null;
  readonly customerId: string | null;
  readonly isNewCustomer: boolean;
}

interface QueueOption {
  readonly id: string;
  readonly name: string;
}

function offeredCall(event: DomainEvent): CurrentCall | undefined {
  const data = event.data;
  if (typeof data.interactionId !== 'string') return undefined;
  const screenPop = data.screenPop as
    { readonly isNewCustomer?: boolean; readonly customer?: { readonly id?: string } } | null | undefined;
  return {
    interactionId: data.interactionId,
    phase: 'ringing',
    isHeld: false,
    callerId: typeof data.callerId === 'string' ? data.callerId : null,
    customerId: screenPop?.customer?.id ?? null,
    isNewCustomer: screenPop?.isNewCustomer === true,
  };
}

/**
 * The agent's current call: the screen pop while the phone rings (the customer's profile, last contacts and
 * open tickets, from the `ContactOffered` event that reaches only this agent), then hold, transfer to a queue
 * and hang up while connected, and the wrap-up form (disposition and notes) that frees the agent.
 */
export function CallPanel(): ReactNode {
  const { t } = useI18n();
  const { api, user } = useSession();
  const [call, setCall] = useState<CurrentCall | null>(null);
  const [queues, setQueues] = useState<readonly QueueOption[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);

  useDomainEvents((event) => {
    const data = event.data;
    if (event.type === 'ContactOffered' && data.agentId === user.id) {
      const offered = offeredCall(event);
      if (offered !== undefined) {
        setError(null);
        setCall(offered);
      }
      return;
    }
    if (call === null) return;
    const isThisCall = data.interactionId === call.interactionId || data.contactId === call.interactionId;
    if (!isThisCall) return;
    if (event.type === 'AgentActivityChanged' && data.agentId === user.id) {
      if (data.to === 'on-contact') setCall({ ...call, phase: 'connected' });
      else if (data.to === 'wrap-up') setCall({ ...call, phase: 'wrapUp', isHeld: false });
      // Back to idle from ringing: the offer was withdrawn (the caller hung up, or it rang out).
      else if (data.to === 'idle' && data.from === 'ringing') setCall(null);
    } else if (
      // Handed to a colleague or a number (attended or blind transfer) or taken over by a supervisor: the
      // agent's part is over.
      (event.type === 'CallTransferred' && data.targetKind !== 'queue' && data.fromAgentId === user.id) ||
      (event.type === 'CallTakenOver' && data.fromAgentId === user.id)
    )
      setCall({ ...call, phase: 'wrapUp', isHeld: false });
    else if (event.type === 'CallHeld') setCall({ ...call, isHeld: true });
    else if (event.type === 'CallResumed') setCall({ ...call, isHeld: false });
    else if (event.type === 'CallEnded' && call.phase !== 'ringing')
      setCall({ ...call, phase: 'wrapUp', isHeld: false });
  });

  useEffect(() => {
    if (call?.phase !== 'connected') return;
    api.get<{ items: QueueOption[] }>('/api/queues', { limit: 100 }).then(
      (page) => {
        setQueues(page.items);
      },
      () => {
        setQueues([]);
      },
    );
  }, [api, call?.phase]);

  const act = useCallback((work: () => Promise<unknown>, after?: () => void) => {
    setIsBusy(true);
    setError(null);
    work().then(
      () => {
        setIsBusy(false);
        after?.();
      },
      (reason: unknown) => {
        setIsBusy(false);
        setError(reason);
      },
    );
  }, []);

  if (call === null) return null;
  const base = `/api/interactions/${call.interactionId}`;

  const transfer = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const queueId = new FormData(event.currentTarget).get('queueId');
    if (typeof queueId !== 'string' || queueId === '') return;
    act(
      () => api.post(`${base}/transfer`, { queueId }),
      () => {
        setCall(null);
      },
    );
  };

  // A blind transfer to a number: the CallTransferred event that follows moves the panel to wrap-up.
  const transferToNumber = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const number = new FormData(event.currentTarget).get('number');
    if (typeof number !== 'string' || number.trim() === '') return;
    act(() => api.post(`${base}/transfer`, { number: number.trim() }));
  };

  const wrapUp = (body: object): void => {
    act(
      () => api.post(`${base}/wrap-up`, body),
      () => {
        setCall(null);
      },
    );
  };

  return (
    <section
      className={`call-panel ${call.phase}`}
      aria-labelledby="call-panel-title"
      data-phase={call.phase}
    >
      <header>
        <h2 id="call-panel-title" role="status">
          {call.phase === 'ringing'
            ? t('calls.ringing', { caller: call.callerId ?? t('calls.withheld') })
            : call.phase === 'connected'
              ? t(call.isHeld ? 'calls.onHold' : 'calls.connected', {
                  caller: call.callerId ?? t('calls.withheld'),
                })
              : t('calls.wrapUp')}
        </h2>
        {call.phase === 'ringing' && (
          <div className="call-controls">
            <button
              type="button"
              className="primary"
              disabled={isBusy}
              onClick={() => {
                act(() => api.post(`${base}/answer`));
              }}
            >
              {t('calls.answer')}
            </button>
          </div>
        )}
        {call.phase === 'connected' && (
          <div className="call-controls">
            <button
              type="button"
              disabled={isBusy}
              onClick={() => {
                act(() => api.post(`${base}/${call.isHeld ? 'resume' : 'hold'}`));
              }}
            >
              {t(call.isHeld ? 'calls.resume' : 'calls.hold')}
            </button>
            <form className="inline" onSubmit={transfer}>
              <label>
                {t('calls.transferTo')}{' '}
                <select name="queueId" defaultValue="">
                  <option value="" disabled>
                    {t('calls.chooseQueue')}
                  </option>
                  {queues.map((queue) => (
                    <option key={queue.id} value={queue.id}>
                      {queue.name}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <button type="submit" disabled={isBusy}>
                {t('calls.transfer')}
              </button>
            </form>
            <form className="inline" onSubmit={transferToNumber}>
              <label>
                {t('calls.transferToNumber')}{' '}
                <input name="number" type="tel" required maxLength={32} size={14} />
              </label>{' '}
              <button type="submit" disabled={isBusy}>
                {t('calls.transferNumber')}
              </button>
            </form>
            <button
              type="button"
              className="danger"
              disabled={isBusy}
              onClick={() => {
                act(() => api.post(`${base}/hangup`));
              }}
            >
              {t('calls.hangUp')}
            </button>
          </div>
        )}
      </header>
      <ErrorMessage error={error} />
      {call.phase === 'connected' && (
        <>
          <RecordingControl interactionId={call.interactionId} />
          <DeskKeypad interactionId={call.interactionId} />
          <ConsultControls interactionId={call.interactionId} />
        </>
      )}
      {call.phase !== 'wrapUp' && <CallScript interactionId={call.interactionId} />}
      {call.phase !== 'ringing' && <KnowledgeSearch isCompact />}
      {call.phase === 'wrapUp' && (
        <WrapUpForm customerId={call.customerId} isBusy={isBusy} onSubmit={wrapUp} />
      )}
      {call.customerId !== null && (
        <div className="screen-pop">
          {call.isNewCustomer && <p className="notice">{t('calls.newCustomer')}</p>}
          <CustomerProfile customerId={call.customerId} />
        </div>
      )}
    </section>
  );
}
