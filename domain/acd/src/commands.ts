import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { Channel } from './channel.ts';

/** Everything the routing engine asks the rest of the system to do. Imperatives; the runtime carries them out. */
export type RoutingCommand =
  | OfferContact
  | WithdrawOffer
  | ConnectContact
  | PlaceCallback
  | AnnounceQueuePosition
  | OfferCallbackToCaller
  | OfferVoicemailToCaller
  | RejectContact
  | SendToVoicemail
  | RouteToDestination
  | DisconnectContact
  | StartTimer
  | CancelTimer;

/** Present the contact to the agent (ring the phone, pop the chat) until `expiresAtMs`. */
export interface OfferContact {
  readonly type: 'OfferContact';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly expiresAtMs: number;
}

/** Why an offer is withdrawn. */
export type WithdrawReason =
  'answered-elsewhere' | 'abandoned' | 'timed-out' | 'agent-unavailable' | 'requeued';

/** Stop presenting the contact to the agent. */
export interface WithdrawOffer {
  readonly type: 'WithdrawOffer';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
  readonly reason: WithdrawReason;
}

/** Connect the contact to the agent who accepted it. */
export interface ConnectContact {
  readonly type: 'ConnectContact';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
}

/** An agent is reserved for this callback: place the call and report CallbackConnected or CallbackFailed. */
export interface PlaceCallback {
  readonly type: 'PlaceCallback';
  readonly contactId: InteractionId;
  readonly agentId: AgentId;
}

/** Tell the waiting caller their position and/or estimated wait (a prompt for calls, a message for chats). */
export interface AnnounceQueuePosition {
  readonly type: 'AnnounceQueuePosition';
  readonly contactId: InteractionId;
  /** 1-based position, when the queue announces positions. */
  readonly position?: number;
  /** Estimated wait in ms, when the queue announces it and an estimate exists. */
  readonly estimatedWaitMs?: number;
}

/** Offer the waiting caller a callback; their answer comes back as CallbackRequested. */
export interface OfferCallbackToCaller {
  readonly type: 'OfferCallbackToCaller';
  readonly contactId: InteractionId;
}

/** Offer the waiting caller voicemail; their answer comes back as VoicemailChosen. */
export interface OfferVoicemailToCaller {
  readonly type: 'OfferVoicemailToCaller';
  readonly contactId: InteractionId;
}

/** Refuse the contact at the door (queue configured to refuse when no agent is logged in). */
export interface RejectContact {
  readonly type: 'RejectContact';
  readonly contactId: InteractionId;
  readonly reason: 'no-agents';
}

/** Send the contact to the queue's voicemail. */
export interface SendToVoicemail {
  readonly type: 'SendToVoicemail';
  readonly contactId: InteractionId;
  readonly queueId: QueueId;
}

/** Send the contact out of the ACD to a configured destination (a number, a SIP URI, an IVR flow). */
export interface RouteToDestination {
  readonly type: 'RouteToDestination';
  readonly contactId: InteractionId;
  readonly destination: string;
}

/** End the contact (after the call layer plays its closing message). */
export interface DisconnectContact {
  readonly type: 'DisconnectContact';
  readonly contactId: InteractionId;
  readonly reason: OverflowReason;
}

/** Why a contact overflowed its queue. */
export type OverflowReason =
  | 'max-wait'
  | 'queue-full'
  | 'no-agents'
  | 'escalation'
  | 'voicemail-chosen'
  /** The queue was deleted while the contact waited in it (`reconfigure`). */
  | 'queue-deleted';

/** Start a timer; when it expires, feed back TimerFired{ timerId }. */
export interface StartTimer {
  readonly type: 'StartTimer';
  readonly timerId: string;
  readonly atMs: number;
}

/** The timer is no longer needed; a TimerFired for it is ignored anyway. */
export interface CancelTimer {
  readonly type: 'CancelTimer';
  readonly timerId: string;
}
