import type { AgentId, QueueId, Random } from '@centralita/kernel';
import { createRoutingState, decide, queueAgentIds } from '@centralita/acd';
import type { AcdError, RoutingCommand, RoutingConfig, RoutingEvent, RoutingFact } from '@centralita/acd';

/** What a router answers to one event. */
export interface RouterDecision {
  readonly commands: readonly RoutingCommand[];
  readonly facts: readonly RoutingFact[];
  readonly rejection: AcdError | undefined;
}

/**
 * Anything the simulator can drive: the ACD engine itself, or the naive reference router that the
 * benchmark compares it with. Both speak the ACD's events, commands and facts.
 */
export interface Router {
  readonly name: string;
  decide(event: RoutingEvent, nowMs: number): RouterDecision;
  /** The agents able to serve a queue, for per-queue occupancy. */
  queueAgentIds(queueId: QueueId): readonly AgentId[];
}

/** The production routing engine (@centralita/acd) behind the Router interface: the same code the server runs. */
export function createAcdRouter(config: RoutingConfig, random: Random, startMs: number): Router {
  const state = createRoutingState(config, random, startMs);
  return {
    name: 'acd',
    decide: (event, nowMs) => decide(state, event, nowMs),
    queueAgentIds: (queueId) => queueAgentIds(state, queueId),
  };
}
