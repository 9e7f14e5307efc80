import { HttpProblem } from './problem.ts';
/** An agent's presence as the API shows it. */
export type PresenceView =
  | { readonly kind: 'offline' }
  | { readonly kind: 'available' }
  | { readonly kind: 'break'; readonly reason: string };

/** An agent's live state: presence (chosen) and status (driven by the system), with today's figures. */
export interface AgentStateView {
  readonly agentId: string;
  readonly name: string;
  readonly presence: PresenceView;
  /** Headline state: offline, available, break, reserved, ringing, on-contact, wrap-up… */
  readonly status: string;
  readonly timeInStatusMs: number;
  readonly contactsHandled: number;
  readonly talkTimeMs: number;
  readonly missedOffers: number;
  readonly occupancy: number;
  readonly queueIds: readonly string[];
  /** Time left of a timed after-call work (null: not in wrap-up, or until the agent ends it). */
  readonly wrapUpEndsInMs: number | null;
  /** The contacts the agent is talking to right now (a supervisor can monitor these calls). */
  readonly contactIds: readonly string[];
  /** Every contact the routing engine holds the agent for: reserved, ringing, on-contact or wrap-up. */
  readonly work: readonly WorkItemView[];
}

/** One contact an agent is held for, with their request for help about it. */
export interface WorkItemView {
  readonly contactId: string;
  readonly activity: string;
  /** The agent's request for a supervisor's help with this contact (null: none, or withdrawn). */
  readonly help: HelpRequestView | null;
}

/** An agent's request for a supervisor's help with a contact, as the API shows it. */
export interface HelpRequestView {
  /** open: waiting for a supervisor; attended: a supervisor marked it attended. */
  readonly state: 'open' | 'attended';
  readonly note: string | null;
  /** Time since the agent asked. */
  readonly timeSinceRequestMs: number;
  /** The supervisor who attended it; null while open. */
  readonly attendedBy: { readonly userId: string; readonly name: string } | null;
}

/** A queue's live figures: what a wallboard shows. */
export interface QueueStatsView {
  readonly queueId: string;
  readonly name: string;
  readonly waiting: number;
  readonly longestWaitMs: number;
  readonly agentsByStatus: Readonly<
    Record<string, { readonly count: number; readonly longestInStatusMs: number }>
  >;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly serviceLevel: number | null;
  readonly serviceLevelTarget: number;
  readonly serviceLevelThresholdMs: number;
  readonly averageSpeedOfAnswerMs: number | null;
  readonly abandonmentRate: number | null;
  readonly estimatedWaitMs: number | null;
}

/** Why a presence change was refused. */
export interface RoutingRefusal {
  readonly code: string;
  readonly message: string;
  readonly field?: string | undefined;
}

/** The live routing engine, as the HTTP API uses it (implemented by the server's routing runtime). */
export interface RoutingPort {
  /** The user's live state, or undefined when the user does not take contacts (no skills, not an agent). */
  agentState(tenantId: string, userId: string): Promise<AgentStateView | undefined>;
  agentStates(tenantId: string): Promise<readonly AgentStateView[]>;
  breakReasons(tenantId: string): Promise<readonly string[]>;
  queueStats(tenantId: string): Promise<readonly QueueStatsView[]>;
  selectPresence(
    tenantId: string,
    userId: string,
    presence: PresenceView,
    selectedBy: 'agent' | 'supervisor',
  ): Promise<
    | { readonly ok: true; readonly value: AgentStateView }
    | { readonly ok: false; readonly error: RoutingRefusal }
  >;
  /**
   * The agent asks a supervisor for help with a contact they are on or wrapping up; refused when it is not
   * such a contact of theirs, or they already asked.
   */
  askForHelp(
    tenantId: string,
    agentId: string,
    contactId: string,
    note: string | undefined,
  ): Promise<RoutingRefusal | undefined>;
  /** The agent withdraws their open request for help; refused when there is none. */
  withdrawHelpRequest(
    tenantId: string,
    agentId: string,
    contactId: string,
  ): Promise<RoutingRefusal | undefined>;
  /** A supervisor marks the open requests for help about a contact attended; refused when there are none. */
  attendHelpRequest(
    tenantId: string,
    contactId: string,
    supervisorId: string,
  ): Promise<RoutingRefusal | undefined>;
  /** The agent finished the after-call work of a contact; refused when they are not in its wrap-up. */
  endWrapUp(tenantId: string, agentId: string, contactId: string): Promise<RoutingRefusal | undefined>;
}

/**
 * The routing engine of a server that runs one; a server without live routing (an API-only process) answers
 * the routes that need it with 503.
 */
export function requireRouting(routing: RoutingPort | undefined): RoutingPort {
  if (!routing)
    throw new HttpProblem(503, 'HTTP_ROUTING_UNAVAILABLE', 'Live routing is not running on this server.');
  return routing;
}
