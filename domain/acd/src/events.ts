import type { AgentId, InteractionId, QueueId, UserId } from '@centralita/kernel';
import type { Channel } from './channel.ts';
import type { Presence } from './agent-presence.ts';
import type { SkillRequirement } from './routing-config.ts';

/**
 * Everything the routing engine reacts to: past-tense facts reported by agents' desktops, the call and
 * chat layers, and the runtime's timers. A contact is the ACD's view of one interaction, so its id is the
 * InteractionId.
 */
export type RoutingEvent =
  | PresenceSelected
  | ContactArrived
  | ContactAbandoned
  | OfferAccepted
  | OfferDeclined
  | ContactEnded
  | WrapUpEnded
  | ContactTransferred
  | CallbackRequested
  | CallbackConnected
  | CallbackFailed
  | VoicemailChosen
  | FlowOverflowDue
  | TimerFired
  | StatisticsReset
  | AgentEngaged
  | AgentDisengaged
  | AgentAskedForHelp
  | AgentWithdrewHelpRequest
  | SupervisorAttendedHelpRequest;

/** The agent asks a supervisor for help with a contact they are on or wrapping up, optionally saying why. */
export interface AgentAskedForHelp {
  readonly type: 'AgentAskedForHelp';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
  readonly note?: string | undefined;
}

/** The agent no longer needs the help they asked for with that contact. */
export interface AgentWithdrewHelpRequest {
  readonly type: 'AgentWithdrewHelpRequest';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
}

/** A supervisor attended the open help requests about a contact. */
export interface SupervisorAttendedHelpRequest {
  readonly type: 'SupervisorAttendedHelpRequest';
  readonly contactId: InteractionId;
  readonly supervisorId: UserId;
}

/**
 * The agent is busy with a contact the queues did not route (a call they placed, an internal call, a
 * consultation): while engaged they count as on a contact and get no offers on that channel.
 */
export interface AgentEngaged {
  readonly type: 'AgentEngaged';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
  readonly channel: Channel;
}

/** That contact is over: the agent is free again (if nothing else holds them). */
export interface AgentDisengaged {
  readonly type: 'AgentDisengaged';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
}

/** An agent (or a supervisor for them) chose a presence: available, on break with a reason, or offline. */
export interface PresenceSelected {
  readonly type: 'PresenceSelected';
  readonly agentId: AgentId;
  readonly presence: Presence;
  /** Who chose it; defaults to the agent. */
  readonly selectedBy?: 'agent' | 'supervisor';
}

/** A contact entered a queue (from the IVR, a chat widget, the dialer, a transfer from outside). */
export interface ContactArrived {
  readonly type: 'ContactArrived';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  /** Customer priority, added to the queue's priority (VIPs get, say, 10). */
  readonly customerPriority?: number;
  /** A language the agent must speak, on top of the queue's own. */
  readonly language?: string;
  /** Skills this contact needs on top of the queue's (set by the IVR, for example). */
  readonly requiredSkills?: readonly SkillRequirement[];
  /** When the contact first started waiting anywhere; keeps its seniority across transfers. */
  readonly seniorityFromMs?: number;
}

/** The customer hung up (or closed the chat) before an agent answered. */
export interface ContactAbandoned {
  readonly type: 'ContactAbandoned';
  readonly contactId: InteractionId;
}

/** The agent accepted the offer. */
export interface OfferAccepted {
  readonly type: 'OfferAccepted';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
}

/** The agent declined the offer (their phone refused it, or was busy), or it never reached them. */
export interface OfferDeclined {
  readonly type: 'OfferDeclined';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
  /**
   * Set when the offer never reached the agent, so it is not counted as a decline in their figures:
   * `no-phone` when the agent has no registered phone to ring (an available agent then goes on
   * `break: no-phone`, so calls stop being offered to them until they choose available again), `server`
   * when the server could not ring it (its database or media failed).
   */
  readonly unreachable?: 'no-phone' | 'server';
}

/** The conversation ended (either side hung up or closed). For a waiting contact this is an abandon. */
export interface ContactEnded {
  readonly type: 'ContactEnded';
  readonly contactId: InteractionId;
}

/** The agent ended wrap-up by hand (queues with `wrapUpMs: null`, or early). */
export interface WrapUpEnded {
  readonly type: 'WrapUpEnded';
  readonly agentId: AgentId;
  readonly contactId: InteractionId;
}

/** The contact moves to another queue, keeping its seniority (waiting, or blind-transferred by an agent). */
export interface ContactTransferred {
  readonly type: 'ContactTransferred';
  readonly contactId: InteractionId;
  readonly toQueueId: QueueId;
}

/** The caller asked to be called back; the contact leaves the line but keeps its place. */
export interface CallbackRequested {
  readonly type: 'CallbackRequested';
  readonly contactId: InteractionId;
}

/** The callback placed for a reserved agent reached the customer. */
export interface CallbackConnected {
  readonly type: 'CallbackConnected';
  readonly contactId: InteractionId;
}

/** The callback could not reach the customer. */
export interface CallbackFailed {
  readonly type: 'CallbackFailed';
  readonly contactId: InteractionId;
}

/** The caller chose to leave a voicemail instead of waiting. */
export interface VoicemailChosen {
  readonly type: 'VoicemailChosen';
  readonly contactId: InteractionId;
}

/**
 * The IVR's own overflow of a waiting contact (a queue node's `overflow.afterWaitMs`): the contact leaves the
 * queue (counted as overflowed) and its flow goes on at the node's `next`.
 */
export interface FlowOverflowDue {
  readonly type: 'FlowOverflowDue';
  readonly contactId: InteractionId;
}

/** A timer the engine asked for with StartTimer has expired. */
export interface TimerFired {
  readonly type: 'TimerFired';
  readonly timerId: string;
}

/** A new reporting day starts: today's counters go back to zero (the runtime sends it at local midnight). */
export interface StatisticsReset {
  readonly type: 'StatisticsReset';
}
