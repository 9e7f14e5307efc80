import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { breakReasonText, formatClock, knownStatus, openHelpRequest } from '../presence/agent-state.ts';
import type { AgentState } from '../presence/agent-state.ts';
import { HelpMarker } from './help-marker.tsx';
import { MonitorControls } from './monitor-controls.tsx';
import { useNowMs } from '../presence/use-now.ts';
import { serviceLevelGrade, wallboardStatuses } from './queue-stats.ts';
import type { QueueStats } from './queue-stats.ts';

/** The safety-net poll, in case an event is lost (a reconnecting stream). */
const pollMs = 5000;
/** Events arrive in bursts (an offer, ringing, answer); one refetch per burst. */
const debounceMs = 250;
/** The events that change what the board shows: agents' presence and activity, requests for help. */
const boardEventTypes = new Set([
  'AgentPresenceChanged',
  'AgentActivityChanged',
  'HelpRequested',
  'HelpWithdrawn',
  'HelpAttended',
]);

interface Board {
  readonly queues: readonly QueueStats[];
  readonly agents: readonly AgentState[] | null;
  readonly readAtMs: number;
}

/** The class on `<body>` that hides the navigation and enlarges the type. */
const largeScreenClass = 'large-screen';

/** The supervisor's live view: one card per queue and, for those who may monitor agents, the agents. */
export function WallboardPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canMonitorAgents = useCan('agents:monitor');
  const canManageAgents = useCan('agents:manage');
  const breakReasons = useLoad(
    () => (canManageAgents ? api.get<string[]>('/api/break-reasons') : Promise.resolve([])),
    'break-reasons',
  );
  const canMonitorCalls = useCan('calls:monitor');
  const [generation, setGeneration] = useState(0);
  const [isLargeScreen, setIsLargeScreen] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const nowMs = useNowMs();
  const loaded = useLoad<Board>(async () => {
    const [queues, agents] = await Promise.all([
      api.get<QueueStats[]>('/api/queue-stats'),
      canMonitorAgents ? api.get<AgentState[]>('/api/agent-states') : Promise.resolve(null),
    ]);
    return { queues, agents, readAtMs: Date.now() };
  }, `${generation}`);

  // Keep what is on screen while a refetch is under way, so the board does not flicker every 5 s.
  const [board, setBoard] = useState<Board | null>(null);
  useEffect(() => {
    if (loaded.data !== null) setBoard(loaded.data);
  }, [loaded.data]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      setGeneration((value) => value + 1);
    }, pollMs);
    return () => {
      window.clearInterval(timer);
    };
  }, []);

  const debounceTimer = useRef<number | undefined>(undefined);
  useEffect(
    () => () => {
      window.clearTimeout(debounceTimer.current);
    },
    [],
  );
  useDomainEvents((event) => {
    if (!boardEventTypes.has(event.type)) return;
    window.clearTimeout(debounceTimer.current);
    debounceTimer.current = window.setTimeout(() => {
      setGeneration((value) => value + 1);
    }, debounceMs);
  });

  useEffect(() => {
    document.body.classList.toggle(largeScreenClass, isLargeScreen);
    return () => {
      document.body.classList.remove(largeScreenClass);
    };
  }, [isLargeScreen]);

  const force = (agent: AgentState, body: { presence: 'break' | 'offline'; reason?: string }): void => {
    setActionError(null);
    api.put(`/api/agents/${agent.agentId}/presence`, body).then(() => {
      setGeneration((value) => value + 1);
    }, setActionError);
  };

  const sinceReadMs = board === null ? 0 : Math.max(0, nowMs - board.readAtMs);
  const reload = (): void => {
    setGeneration((value) => value + 1);
  };

  return (
    <section className="wallboard" data-testid="wallboard">
      <div className="wallboard-head">
        <h1 tabIndex={-1}>{t('wallboard.title')}</h1>
        <button
          type="button"
          aria-pressed={isLargeScreen}
          onClick={() => {
            setIsLargeScreen((value) => !value);
          }}
        >
          {isLargeScreen ? t('wallboard.exitLargeScreen') : t('wallboard.largeScreen')}
        </button>
      </div>
      <ErrorMessage error={loaded.error} />
      <ErrorMessage error={actionError} />
      {board !== null && board.queues.length === 0 && <p className="muted">{t('wallboard.noQueues')}</p>}
      {board !== null && (
        <div className="queue-cards">
          {board.queues.map((queue) => (
            <QueueCard key={queue.queueId} queue={queue} />
          ))}
        </div>
      )}
      {board?.agents != null && (
        <section className="card" aria-labelledby="wallboard-agents">
          <h2 id="wallboard-agents">{t('wallboard.agents')}</h2>
          <table className="table" data-testid="agent-states">
            <thead>
              <tr>
                <th scope="col">{t('wallboard.agent')}</th>
                <th scope="col">{t('wallboard.presence')}</th>
                <th scope="col">{t('wallboard.status')}</th>
                <th scope="col">{t('wallboard.timeInStatus')}</th>
                <th scope="col">{t('wallboard.contactsHandled')}</th>
                {canManageAgents && <th scope="col">{t('common.actions')}</th>}
                {canMonitorCalls && <th scope="col">{t('monitor.column')}</th>}
              </tr>
            </thead>
            <tbody>
              {board.agents.map((agent) => (
                <AgentRow
                  key={agent.agentId}
                  agent={agent}
                  sinceReadMs={sinceReadMs}
                  onForce={canManageAgents ? force : null}
                  canMonitorCalls={canMonitorCalls}
                  breakReasons={breakReasons.data ?? []}
                  onHelpAttended={reload}
                />
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

function QueueCard(props: { readonly queue: QueueStats }): ReactNode {
  const { t } = useI18n();
  const { queue } = props;
  const grade = serviceLevelGrade(queue);
  const pct = (share: number): number => Math.round(share * 100);
  return (
    <article className={`card queue-card sl-${grade}`} data-testid="queue-card" data-queue={queue.name}>
      <h2>{queue.name}</h2>
      <dl className="summary">
        <div>
          <dt>{t('wallboard.waiting')}</dt>
          <dd data-testid="waiting">{queue.waiting}</dd>
        </div>
        <div>
          <dt>{t('wallboard.longestWait')}</dt>
          <dd>{formatClock(queue.longestWaitMs)}</dd>
        </div>
        <div>
          <dt>{t('wallboard.asa')}</dt>
          <dd>{queue.averageSpeedOfAnswerMs === null ? '—' : formatClock(queue.averageSpeedOfAnswerMs)}</dd>
        </div>
        <div>
          <dt>{t('wallboard.abandoned')}</dt>
          <dd>{queue.abandoned}</dd>
        </div>
      </dl>
      <p className="service-level">
        <span>
          {t('wallboard.serviceLevel')}:{' '}
          <strong>{queue.serviceLevel === null ? '—' : `${pct(queue.serviceLevel)} %`}</strong> (
          {t('wallboard.serviceLevelGoal', {
            pct: pct(queue.serviceLevelTarget),
            seconds: Math.round(queue.serviceLevelThresholdMs / 1000),
          })}
          )
        </span>
        <span className="sl-bar" aria-hidden="true">
          <span className="sl-fill" style={{ width: `${pct(queue.serviceLevel ?? 0)}%` }} />
          <span className="sl-target" style={{ left: `${pct(queue.serviceLevelTarget)}%` }} />
        </span>
        <span className="muted">
          {t('wallboard.answeredOf', { answered: queue.answered, offered: queue.offered })}
        </span>
      </p>
      <h3>{t('wallboard.agentsByStatus')}</h3>
      <ul className="status-counts" data-testid="agents-by-status">
        {wallboardStatuses.map((status) => (
          <li key={status} data-status={status}>
            <span>{t(`agentStatus.${status}`)}</span>{' '}
            <strong>{queue.agentsByStatus[status]?.count ?? 0}</strong>
          </li>
        ))}
      </ul>
    </article>
  );
}

function AgentRow(props: {
  readonly agent: AgentState;
  readonly sinceReadMs: number;
  readonly onForce:
    ((agent: AgentState, body: { presence: 'break' | 'offline'; reason?: string }) => void) | null;
  readonly canMonitorCalls: boolean;
  readonly breakReasons: readonly string[];
  readonly onHelpAttended: () => void;
}): ReactNode {
  const { t } = useI18n();
  const { agent, onForce } = props;
  const [reason, setReason] = useState('');
  const presence =
    agent.presence.kind === 'break'
      ? t('presence.breakWith', { reason: breakReasonText(agent.presence.reason ?? '', t) })
      : t(`presence.${agent.presence.kind}`);
  return (
    <tr data-agent={agent.name} className={openHelpRequest(agent) === undefined ? undefined : 'asks-help'}>
      <td>{agent.name}</td>
      <td data-testid="agent-presence">{presence}</td>
      <td data-testid="agent-status">{t(`agentStatus.${knownStatus(agent.status)}`)}</td>
      <td>{formatClock(agent.timeInStatusMs + props.sinceReadMs)}</td>
      <td>{agent.contactsHandled}</td>
      {onForce !== null && agent.presence.kind === 'offline' && (
        // Signing in is the agent's own act: nothing to force on an agent who is signed out.
        <td className="muted">—</td>
      )}
      {onForce !== null && agent.presence.kind !== 'offline' && (
        <td>
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              onForce(agent, { presence: 'break', reason: reason.trim() });
            }}
          >
            <select
              name="reason"
              aria-label={t('wallboard.breakReason', { name: agent.name })}
              value={reason}
              required
              onChange={(event) => {
                setReason(event.target.value);
              }}
            >
              <option value="" disabled>
                {t('wallboard.reasonPlaceholder')}
              </option>
              {props.breakReasons.map((breakReason) => (
                <option key={breakReason} value={breakReason}>
                  {breakReason}
                </option>
              ))}
            </select>
            <button type="submit">{t('wallboard.forceBreak')}</button>
            <button
              type="button"
              onClick={() => {
                onForce(agent, { presence: 'offline' });
              }}
            >
              {t('wallboard.forceLogout')}
            </button>
          </form>
        </td>
      )}
      {props.canMonitorCalls && (
        <td>
          <HelpMarker agent={agent} sinceReadMs={props.sinceReadMs} onAttended={props.onHelpAttended} />
          <MonitorControls agent={agent} />
        </td>
      )}
    </tr>
  );
}
