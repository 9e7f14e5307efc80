import type { AgentId, InteractionId } from '@centralita/kernel';
import type { Activity, PresenceKind, ReportingEvent } from './events.ts';
import { compareEvents } from './events.ts';

/** An agent's state at one instant: the chosen presence and the activity of each contact slot in use. */
export interface AgentState {
  readonly presence: PresenceKind;
  /** Activities other than idle, by contact. */
  readonly activities: ReadonlyMap<InteractionId, Activity>;
}

/** A stretch of time in which an agent's state did not change as far as reports care. */
export interface AgentSegment {
  readonly startMs: number;
  readonly endMs: number;
  readonly presence: PresenceKind;
  /** Handling at least one contact: connected (talk or hold) or in wrap-up. */
  readonly isBusy: boolean;
}

/** An agent's time over a window, and the state at its end to start the next window from. */
export interface AgentTimeline {
  readonly agentId: AgentId;
  readonly fromMs: number;
  readonly toMs: number;
  readonly segments: readonly AgentSegment[];
  readonly endState: AgentState;
}

function isBusy(activities: ReadonlyMap<InteractionId, Activity>): boolean {
  for (const activity of activities.values()) {
    if (activity === 'on-contact' || activity === 'wrap-up') return true;
  }
  return false;
}

/**
 * Folds an agent's presence and activity events over [fromMs, toMs). The state at `fromMs` is
 * `initial` (the previous window's end state) or, without it, what the window's first events say they
 * changed from; an agent with no presence event in the window then counts as offline, so chain windows
 * with `endState`. Events outside the window and other agents' events are ignored; order does not matter.
 */
export function foldAgentTimeline(
  agentId: AgentId,
  events: readonly ReportingEvent[],
  window: { readonly fromMs: number; readonly toMs: number },
  initial?: AgentState,
): AgentTimeline {
  const mine = events
    .filter(
      (e): e is Extract<ReportingEvent, { type: 'AgentPresenceChanged' | 'AgentActivityChanged' }> =>
        (e.type === 'AgentPresenceChanged' || e.type === 'AgentActivityChanged') &&
        e.agentId === agentId &&
        e.atMs >= window.fromMs &&
        e.atMs < window.toMs,
    )
    .sort(compareEvents);

  let presence: PresenceKind = initial?.presence ?? 'offline';
  const activities = new Map<InteractionId, Activity>(initial?.activities ?? []);
  if (initial === undefined) {
    const firstPresence = mine.find((e) => e.type === 'AgentPresenceChanged');
    if (firstPresence !== undefined) presence = firstPresence.from.kind;
    for (const event of mine) {
      if (event.type !== 'AgentActivityChanged' || activities.has(event.contactId)) continue;
      activities.set(event.contactId, event.from);
    }
    for (const [contactId, activity] of activities) if (activity === 'idle') activities.delete(contactId);
  }

  const segments: AgentSegment[] = [];
  let cursor = window.fromMs;
  const close = (untilMs: number): void => {
    if (untilMs <= cursor) return;
    const busy = isBusy(activities);
    const previous = segments[segments.length - 1];
    if (previous !== undefined && previous.presence === presence && previous.isBusy === busy) {
      segments[segments.length - 1] = { ...previous, endMs: untilMs };
    } else {
      segments.push({ startMs: cursor, endMs: untilMs, presence, isBusy: busy });
    }
    cursor = untilMs;
  };
  for (const event of mine) {
    close(event.atMs);
    if (event.type === 'AgentPresenceChanged') {
      presence = event.to.kind;
    } else if (event.to === 'idle') {
      activities.delete(event.contactId);
    } else {
      activities.set(event.contactId, event.to);
    }
  }
  close(window.toMs);
  return {
    agentId,
    fromMs: window.fromMs,
    toMs: window.toMs,
    segments,
    endState: { presence, activities },
  };
}
