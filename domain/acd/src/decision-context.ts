import type { RoutingCommand } from './commands.ts';
import type { AcdError } from './errors.ts';
import type { RoutingFact } from './facts.ts';
import type { AgentPool, RoutingState, TimerPurpose } from './routing-state.ts';

/** What one call to `decide` accumulates while it handles an event. */
export interface DecisionContext {
  readonly state: RoutingState;
  readonly nowMs: number;
  readonly commands: RoutingCommand[];
  readonly facts: RoutingFact[];
  /** Set when an internal transition was refused: a bug, surfaced as a rejection rather than a throw. */
  defect: AcdError | undefined;
  /**
   * Pools left with no agents during this event (by their queue's `noAgentsMeans`): their waiting contacts
   * face the queue's `whenNoAgents` rule once the event is handled.
   */
  readonly emptiedPools: Set<AgentPool>;
}

/** A fresh context for one event. */
export function newDecisionContext(state: RoutingState, nowMs: number): DecisionContext {
  return { state, nowMs, commands: [], facts: [], defect: undefined, emptiedPools: new Set() };
}

/** Asks the runtime for a timer and remembers what it is for; returns its id. */
export function startTimer(ctx: DecisionContext, purpose: TimerPurpose, atMs: number): string {
  const timerId = `acd-${ctx.state.nextTimerNumber}`;
  ctx.state.nextTimerNumber += 1;
  ctx.state.timers.set(timerId, purpose);
  ctx.commands.push({ type: 'StartTimer', timerId, atMs: Math.max(atMs, ctx.nowMs) });
  return timerId;
}

/** Forgets a timer (if still pending) and tells the runtime it may drop it. */
export function cancelTimer(ctx: DecisionContext, timerId: string | undefined): void {
  if (timerId === undefined || !ctx.state.timers.delete(timerId)) return;
  ctx.commands.push({ type: 'CancelTimer', timerId });
}
