import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../../app/api-client.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useDomainEvents } from '../../app/event-stream.tsx';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { breakReasonHint, breakReasonText, formatClock, knownStatus } from './agent-state.ts';
import type { AgentState } from './agent-state.ts';
import { useNowMs } from './use-now.ts';

/** The state as loaded, with the browser time it was read, so the time in status can tick from it. */
interface Snapshot {
  readonly state: AgentState;
  readonly readAtMs: number;
}

/**
 * The top bar's presence control for users who take contacts: presence, status and time in status, and a
 * choice of available, a break with one of the tenant's reasons, or offline. Others (404) see nothing.
 */
export function PresenceControl(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const nowMs = useNowMs();
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [error, setError] = useState<unknown>(null);

  // The answer to a change carries no break reasons; keep the ones already known.
  const show = useCallback((state: AgentState) => {
    setSnapshot((previous) => ({
      state: { ...state, breakReasons: state.breakReasons ?? previous?.state.breakReasons ?? [] },
      readAtMs: Date.now(),
    }));
  }, []);
  const load = useCallback(() => {
    api.get<AgentState>('/api/agents/me/state').then(show, (reason: unknown) => {
      if (!(reason instanceof ApiError && reason.status === 404)) setError(reason);
    });
  }, [api, show]);

  useEffect(load, [load]);

  const agentId = snapshot?.state.agentId ?? null;
  useDomainEvents((event) => {
    if (agentId === null) return;
    if (
      (event.type === 'AgentPresenceChanged' || event.type === 'AgentActivityChanged') &&
      event.data.agentId === agentId
    )
      load();
  });

  if (snapshot === null) return error === null ? null : <ErrorMessage error={error} />;
  const { state } = snapshot;
  const breakReasons = state.breakReasons ?? [];

  const choose = (value: string): void => {
    setError(null);
    const body =
      value === 'available' || value === 'offline'
        ? { presence: value }
        : { presence: 'break', reason: value.slice('break:'.length) };
    api.put<AgentState>('/api/agents/me/presence', body).then(show, setError);
  };
  const current =
    state.presence.kind === 'break' ? `break:${state.presence.reason ?? ''}` : state.presence.kind;
  const status = knownStatus(state.status);
  const breakReason = state.presence.kind === 'break' ? (state.presence.reason ?? '') : undefined;
  const hint = breakReason === undefined ? undefined : breakReasonHint(breakReason, t);

  return (
    <div className={`presence ${state.presence.kind}`} data-testid="presence">
      <select
        aria-label={t('presence.label')}
        value={current}
        onChange={(event) => {
          choose(event.target.value);
        }}
      >
        <option value="available">{t('presence.available')}</option>
        {breakReasons.map((reason) => (
          <option key={reason} value={`break:${reason}`}>
            {t('presence.breakWith', { reason })}
          </option>
        ))}
        {breakReason !== undefined && !breakReasons.includes(breakReason) && (
          <option value={current}>
            {t('presence.breakWith', { reason: breakReasonText(breakReason, t) })}
          </option>
        )}
        <option value="offline">{t('presence.offline')}</option>
      </select>
      <span className="presence-status" role="status" data-testid="presence-status" data-status={status}>
        {t(`agentStatus.${status}`)} ·{' '}
        {status === 'wrap-up' && typeof state.wrapUpEndsInMs === 'number'
          ? t('presence.wrapUpLeft', {
              left: formatClock(Math.max(0, state.wrapUpEndsInMs - (nowMs - snapshot.readAtMs))),
            })
          : formatClock(state.timeInStatusMs + nowMs - snapshot.readAtMs)}
      </span>
      {hint !== undefined && (
        <p className="presence-hint" role="alert" data-testid="presence-hint">
          {hint}
        </p>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
