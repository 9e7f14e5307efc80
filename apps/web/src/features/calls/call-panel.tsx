import { useCallback, useEffect, useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import type { StreamState } from '../../app/event-stream.tsx';
import type { ApiClient } from '../../app/api-client.ts';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CustomerProfile } from '../customers/customer-profile.tsx';
import { KnowledgeSearch } from '../knowledge/knowledge-search.tsx';
import { CallScript } from './call-script.tsx';
import { DeskKeypad, RecordingControl } from './call-tools.tsx';
import { ConsultControls } from './consult-controls.tsx';
import { HelpRequestControl } from './help-request.tsx';
import { WrapUpForm } from './wrap-up-form.tsx';
import { contactToRestore, nextCall } from './current-call.ts';
import type { CurrentCall, WorkItemView } from './current-call.ts';
import { usePhoneText } from '../../app/phone-text.ts';

/** A queue a connected call can be transferred to. */
interface QueueOption {
  readonly id: string;
  readonly name: string;
}

/** An IVR flow a connected call can be transferred to (`GET /api/transfer-targets/flows`). */
interface FlowOption {
  readonly key: string;
  readonly name: string;
}

/**
 * The call the server says the agent is busy with, for a desktop opened (or reconnected) mid-call: the
 * contact from the agent's live state, the caller and customer from its interaction, hold from its call.
 */
async function restoredCall(api: ApiClient): Promise<CurrentCall | undefined> {
  const state = await api.get<{ readonly work?: readonly WorkItemView[] }>('/api/agents/me/state');
  const found = contactToRestore(state.work ?? []);
  if (found === undefined) return undefined;
  const interaction = await api.get<{ readonly customerId: string | null; readonly remoteAddress: string }>(
    `/api/interactions/${found.contactId}`,
  );
  const live =
    found.phase === 'connected'
      ? await api
          .get<{ readonly isHeld: boolean }>(`/api/interactions/${found.contactId}/call`)
          .catch(() => undefined)
      : undefined;
  return {
    interactionId: found.contactId,
    phase: found.phase,
    isHeld: live?.isHeld === true,
    callerId: interaction.remoteAddress === '' ? null : interaction.remoteAddress,
    customerId: interaction.customerId,
    isNewCustomer: false,
  };
}

/**
 * The agent's current call: the screen pop while the phone rings (the customer's profile, last contacts and
 * open tickets, from the `ContactOffered` event that reaches only this agent), then hold, transfer (to a queue,
 * a number or an IVR flow) and hang up while connected, asking a supervisor for help on the call and in its
 * wrap-up, and the wrap-up form (disposition and notes) that frees the agent. A desktop
 * opened or reconnected mid-call picks the call up from the agent's live state.
 */
export function CallPanel(props: { readonly streamState: StreamState }): ReactNode {
  const { t } = useI18n();
  const phone = usePhoneText();
  const { api, user } = useSession();
  const [call, setCall] = useState<CurrentCall | null>(null);
  const [queues, setQueues] = useState<readonly QueueOption[]>([]);
  const [flows, setFlows] = useState<readonly FlowOption[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setIsBusy] = useState(false);

  useDomainEvents((event) => {
    if (event.type === 'ContactOffered' && event.data.agentId === user.id) setError(null);
    setCall((current) => nextCall(current, event, user.id));
  });

  // Events missed while the stream was not open (a reload, a dropped connection) are caught up from the
  // live state. A call known to be in wrap-up stays: after a transfer or a placed call the routing engine
  // does not hold that wrap-up, the agent still has to file it.
  useEffect(() => {
    if (props.streamState !== 'open') return;
    let isCurrent = true;
    restoredCall(api).then(
      (restored) => {
        if (!isCurrent) return;
        setCall((current) => {
          if (restored === undefined) return current?.phase === 'wrapUp' ? current : null;
          if (current?.interactionId !== restored.interactionId) return restored;
          return { ...current, phase: restored.phase, isHeld: restored.isHeld };
        });
      },
      // Not an agent (404), or the server is restarting: the live events drive the panel.
      () => undefined,
    );
    return () => {
      isCurrent = false;
    };
  }, [api, props.streamState]);

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
    api.get<FlowOption[]>('/api/transfer-targets/flows').then(setFlows, () => {
      setFlows([]);
    });
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

  // A blind transfer to an IVR flow: the caller hears the menu, and CallTransferred moves the panel to wrap-up.
  const transferToFlow = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const flowKey = new FormData(event.currentTarget).get('flowKey');
    if (typeof flowKey !== 'string' || flowKey === '') return;
    act(() => api.post(`${base}/transfer`, { flowKey }));
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
            ? t('calls.ringing', {
                caller: call.callerId === null ? t('calls.withheld') : phone(call.callerId),
              })
            : call.phase === 'connected'
              ? t(call.isHeld ? 'calls.onHold' : 'calls.connected', {
                  caller: call.callerId === null ? t('calls.withheld') : phone(call.callerId),
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
            {flows.length > 0 && (
              <form className="inline" onSubmit={transferToFlow}>
                <label>
                  {t('calls.transferToFlow')}{' '}
                  <select name="flowKey" defaultValue="">
                    <option value="" disabled>
                      {t('calls.chooseFlow')}
                    </option>
                    {flows.map((flow) => (
                      <option key={flow.key} value={flow.key}>
                        {flow.name}
                      </option>
                    ))}
                  </select>
                </label>{' '}
                <button type="submit" disabled={isBusy}>
                  {t('calls.transferFlow')}
                </button>
              </form>
            )}
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
      {call.phase !== 'ringing' && <HelpRequestControl interactionId={call.interactionId} />}
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
