import type { AgentId, InteractionId, QueueId, UserId } from '@centralita/kernel';
import type { AgentActivity } from './agent-activity.ts';
import type { Channel } from './channel.ts';
import type { Presence } from './agent-presence.ts';
import type { ContactOutcome } from './contact-stage.ts';
import type { EscalationAction } from './routing-config.ts';
import type { OverflowReason } from './commands.ts';

/** What the engine records as having happened: the source of reports, wallboards and audits. */
export type RoutingFact =
  | AgentPresenceChanged
  | AgentActivityChanged
  | AgentEngagementChanged
  | ContactQueued
  | ContactAnswered
  | ContactMoved
  | EscalationApplied
  | ContactFinished
  | HelpRequested
  | HelpWithdrawn
  | HelpAttended;

/** Who or what caused a change, and why. Every agent state change carries one. */
export interface ChangeCause {
  readonly by: 'agent' | 'supervisor' | 'system' | 'customer';
  readonly reason: string;
}

/** An agent's presence changed. */
export interface AgentPresenceChanged {
  readonly type: 'AgentPresenceChanged';
  readonly agentId: AgentId;
  readonly from: Presence;
  readonly to: Presence;
  readonly cause: ChangeCause;
  readonly atMs: number;
}

/** An agent's activity for one contact changed (`idle` means the slot is free again). */
export interface AgentActivityChanged {
  readonly type: 'AgentActivityChanged';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
  readonly from: AgentActivity;
  readonly to: AgentActivity;
  readonly cause: ChangeCause;
  readonly atMs: number;
}

/** An agent became busy with a contact outside the queues, or free of it. */
export interface AgentEngagementChanged {
  readonly type: 'AgentEngagementChanged';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
  readonly isEngaged: boolean;
  readonly atMs: number;
}

/** A contact joined a queue. */
export interface ContactQueued {
  readonly type: 'ContactQueued';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  /** 1-based position at entry. */
  readonly position: number;
  /** Estimated wait at entry, when one exists (some agent logged in). */
  readonly estimatedWaitMs: number | undefined;
  readonly atMs: number;
}

/** An agent answered (accepted) a contact, or its callback connected. */
export interface ContactAnswered {
  readonly type: 'ContactAnswered';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly agentId: AgentId;
  /** Time in this queue before the answer. */
  readonly waitMs: number;
  readonly atMs: number;
}

/** A contact left one queue for another (overflow, escalation, transfer), keeping its seniority. */
export interface ContactMoved {
  readonly type: 'ContactMoved';
  readonly contactId: InteractionId;
  readonly fromQueueId: QueueId;
  readonly toQueueId: QueueId;
  readonly reason: OverflowReason | 'transfer';
  readonly atMs: number;
}

/** An escalation step was applied to a waiting contact. */
export interface EscalationApplied {
  readonly type: 'EscalationApplied';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly stepIndex: number;
  readonly action: EscalationAction;
  readonly atMs: number;
}

/** A contact left the ACD for good, with its outcome. */
export interface ContactFinished {
  readonly type: 'ContactFinished';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly outcome: ContactOutcome;
  /** For overflows: why. For unreached callbacks: `customer-not-reached`. */
  readonly detail?: string;
  /** Time in the last queue before being answered or leaving. */
  readonly waitMs: number;
  /** Time connected to an agent, for answered contacts and reached callbacks. */
  readonly talkMs?: number;
  readonly atMs: number;
}

// The help facts name the contact `interactionId`, like the call layer's facts about the same interaction
// (CallHeld, RecordingPaused…): they belong to the interaction's stream of events.

/** An agent asked a supervisor for help with a contact. */
export interface HelpRequested {
  readonly type: 'HelpRequested';
  readonly agentId: AgentId;
  readonly interactionId: InteractionId;
  readonly note: string | null;
  readonly atMs: number;
}

/**
 * An open help request ended without a supervisor: the agent withdrew it (`agent`), or their work on the
 * contact ended (`work-ended`: the after-call work finished, or the contact left them).
 */
export interface HelpWithdrawn {
  readonly type: 'HelpWithdrawn';
  readonly agentId: AgentId;
  readonly interactionId: InteractionId;
  readonly reason: 'agent' | 'work-ended';
  /** How long the request was open. */
  readonly openMs: number;
  readonly atMs: number;
}

/** A supervisor attended an agent's help request. */
export interface HelpAttended {
  readonly type: 'HelpAttended';
  readonly agentId: AgentId;
  readonly interactionId: InteractionId;
  readonly supervisorId: UserId;
  /** How long the agent waited for the supervisor. */
  readonly waitedMs: number;
  readonly atMs: number;
}
