import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { Companion, CompanionEvent, CompanionFact } from './companion.ts';
import { nextCompanion } from './companion.ts';
import type { CallErrorCode } from './errors.ts';

/**
 * Why a call ended, as call records and reports name it:
 * - `caller-hangup`: the customer hung up (BYE, or CANCEL before we answered);
 * - `agent-hangup`: the agent hung up;
 * - `system-hangup`: the flow ended the call (a hangup node, an overflow with nowhere to go);
 * - `failed`: a leg failed (no media, a transport error, the customer's side stopped answering);
 * - `session-expired`: the customer's side stopped refreshing the session (RFC 4028 §10) and we hung up.
 */
export type CallEndCause = 'caller-hangup' | 'agent-hangup' | 'system-hangup' | 'failed' | 'session-expired';

/** Where an inbound call is. The customer's leg is answered (anchored at Centralita) in every phase. */
export type InboundCallPhase =
  /** The IVR runs the flow: prompts, digits, identification. */
  | { readonly kind: 'ivr' }
  /** Waiting in a queue with music on hold; no agent has the offer. */
  | { readonly kind: 'queued'; readonly queueId: QueueId; readonly queuedAtMs: number }
  /** An agent's phone is being called (the ACD's offer). */
  | {
      readonly kind: 'offering';
      readonly queueId: QueueId;
      readonly queuedAtMs: number;
      readonly agentId: AgentId;
      readonly agentLegId: string;
      readonly isRinging: boolean;
    }
  /** The agent answered: the two legs are bridged. */
  | {
      readonly kind: 'connected';
      /** The queue the call came through; undefined for a call the agent placed (`adoptConnectedCall`). */
      readonly queueId: QueueId | undefined;
      readonly agentId: AgentId;
      readonly agentLegId: string;
      readonly connectedAtMs: number;
      readonly isHeld: boolean;
      readonly holdStartedAtMs: number | undefined;
      readonly heldMs: number;
      /** A supervisor or a colleague on a third leg (see companion.ts), while there is one. */
      readonly companion: Companion | undefined;
      /**
       * The ACD connected this agent (it hears when the contact ends). False once the call was handed over
       * to a supervisor or a colleague: the ACD's contact ended when the first agent left.
       */
      readonly isAcdContact: boolean;
    }
  /**
   * The flow transferred the caller to an extension or a number outside the ACD: the other party's leg is
   * being called (`isConnected` false, the caller hears music) or talks with the caller.
   */
  | {
      readonly kind: 'transferred';
      readonly legId: string;
      readonly isConnected: boolean;
      readonly connectedAtMs: number | undefined;
      /**
       * Set when an agent transferred the caller (blind transfer): if the other party does not answer, the
       * caller goes back to this queue instead of to the flow.
       */
      readonly fallbackQueueId?: QueueId;
      /**
       * Set when the queue's own overflow sent the caller there (the flow is not waiting for the outcome): no
       * word goes to the flow, and an unanswered transfer ends the call rather than overflowing again.
       */
      readonly isFromQueue?: boolean;
    }
  | { readonly kind: 'ended'; readonly cause: CallEndCause; readonly endedAtMs: number };

/** Where the flow sends a caller outside the ACD. */
export type FlowTransferTarget =
  | { readonly kind: 'extension'; readonly extension: string }
  | { readonly kind: 'external'; readonly number: string };

/** One inbound call: the customer's leg, and the agent's leg while there is one. */
export interface InboundCall {
  readonly interactionId: InteractionId;
  readonly customerLegId: string;
  readonly phase: InboundCallPhase;
  /** Agent legs made so far, to name the next one. */
  readonly agentLegCount: number;
  /** Record the conversation once bridged (the tenant's and the queue's policy, decided by the caller). */
  readonly isRecorded: boolean;
}

/** What happens to an inbound call. Times are epoch ms. */
export type InboundCallEvent =
  /** The flow put the caller in a queue (the IVR's `Enqueue`). */
  | { readonly type: 'Enqueued'; readonly queueId: QueueId; readonly atMs: number }
  /** The ACD offers the call to an agent (`OfferContact`). */
  | { readonly type: 'AgentOffered'; readonly agentId: AgentId; readonly atMs: number }
  /** The agent's phone rings (180/183). */
  | { readonly type: 'AgentLegRinging'; readonly agentLegId: string; readonly atMs: number }
  /** The agent's phone answered (2xx, ACK sent). */
  | { readonly type: 'AgentLegAnswered'; readonly agentLegId: string; readonly atMs: number }
  /** The agent's phone refused, was busy, did not answer or could not be reached. */
  | {
      readonly type: 'AgentLegFailed';
      readonly agentLegId: string;
      readonly statusCode: number;
      readonly atMs: number;
      /**
       * Set when no phone was rung at all: `no-phone` when the agent has none registered, `server` when the
       * server could not ring it (its database or media failed).
       */
      readonly notRung?: 'no-phone' | 'server';
    }
  /** The ACD took the offer back (timed out, answered elsewhere, agent unavailable). */
  | { readonly type: 'OfferWithdrawn'; readonly agentId: AgentId; readonly atMs: number }
  /** The ACD connected the contact to the agent who accepted (`ConnectContact`). */
  | { readonly type: 'ContactConnected'; readonly agentId: AgentId; readonly atMs: number }
  /** The ACD sent the contact out of the queue (overflow): the flow continues. */
  | { readonly type: 'QueueLeft'; readonly atMs: number }
  /** The routing engine sends the waiting caller to a number or extension (the queue's overflow destination). */
  | { readonly type: 'QueueDestinationRequested'; readonly target: FlowTransferTarget; readonly atMs: number }
  /** The routing engine sends the waiting caller to the queue's voicemail (an overflow or escalation rule). */
  | { readonly type: 'QueueVoicemailRequested'; readonly atMs: number }
  /**
   * The waiting caller took the callback the queue offered (the ACD keeps their place as a callback): they
   * hear a confirmation and the line is hung up, with no abandonment.
   */
  | { readonly type: 'QueueCallbackAccepted'; readonly atMs: number }
  | { readonly type: 'CustomerHungUp'; readonly atMs: number }
  | { readonly type: 'AgentHungUp'; readonly agentLegId: string; readonly atMs: number }
  /** The agent hangs up from the desktop: both phones are hung up. */
  | { readonly type: 'HangUpRequested'; readonly atMs: number }
  /** The flow ended the call. */
  | { readonly type: 'FlowHungUp'; readonly atMs: number }
  /**
   * A leg failed for good (no media for too long, a transport error); `isSessionExpired` when nobody refreshed
   * its session in time (RFC 4028 §10) and we already sent BYE.
   */
  | {
      readonly type: 'LegFailed';
      readonly legId: string;
      readonly atMs: number;
      readonly isSessionExpired?: boolean;
    }
  /** The agent (phone or desktop) holds or resumes the customer. */
  | { readonly type: 'HoldRequested'; readonly atMs: number }
  | { readonly type: 'ResumeRequested'; readonly atMs: number }
  /** The flow transfers the caller to an extension or a number (the IVR's transfer node). */
  | { readonly type: 'FlowTransferRequested'; readonly target: FlowTransferTarget; readonly atMs: number }
  | { readonly type: 'TransferLegAnswered'; readonly legId: string; readonly atMs: number }
  | {
      readonly type: 'TransferLegFailed';
      readonly legId: string;
      readonly statusCode: number;
      readonly atMs: number;
    }
  | { readonly type: 'TransferLegHungUp'; readonly legId: string; readonly atMs: number }
  /** The agent sends the customer to a queue (blind transfer); the customer keeps their seniority. */
  | { readonly type: 'TransferToQueueRequested'; readonly queueId: QueueId; readonly atMs: number }
  /**
   * The agent sends the customer to an extension or a number without talking to them first (the desktop, or
   * REFER from the phone): the agent is released at once and the customer hears music while it rings.
   */
  | { readonly type: 'BlindTransferRequested'; readonly target: FlowTransferTarget; readonly atMs: number }
  /**
   * The agent sends the customer to an IVR flow (a survey, a payment line, another menu): the agent is
   * released and the flow runs for the caller from its entry, where it may queue them again.
   */
  | { readonly type: 'TransferToFlowRequested'; readonly flowKey: string; readonly atMs: number }
  /**
   * The agent's phone completed an attended transfer to an outside number it called on its second line
   * (REFER with Replaces, RFC 5589 §7): that call's leg through the trunk (`legId`) takes the customer, and
   * the agent leaves. From then on the call is like a blind transfer that was answered.
   */
  | {
      readonly type: 'PhoneTransferredToNumber';
      readonly number: string;
      readonly legId: string;
      readonly atMs: number;
    }
  | CompanionEvent;

/** What the call layer must do for the decider. */
export type InboundCallCommand =
  | { readonly type: 'PlayMusicOnHold'; readonly legId: string }
  | { readonly type: 'StopMusicOnHold'; readonly legId: string }
  /** Call the agent's registered phone on a new leg. */
  | { readonly type: 'InviteAgent'; readonly agentId: AgentId; readonly agentLegId: string }
  /** Call an extension's phone or a number through the trunk on a new leg. */
  | { readonly type: 'InviteTransferTarget'; readonly legId: string; readonly target: FlowTransferTarget }
  /** CANCEL the agent's INVITE (still ringing), or BYE if it already answered. */
  | { readonly type: 'CancelAgentLeg'; readonly agentLegId: string }
  | { readonly type: 'HangUpLeg'; readonly legId: string }
  /** The caller leaves a message for the queue: a prompt, a beep, then the recording (a ticket at the end). */
  | { readonly type: 'StartQueueVoicemail'; readonly queueId: QueueId }
  /** Run the flow for the caller from its entry (the agent transferred them to it). */
  | { readonly type: 'StartFlow'; readonly flowKey: string }
  /** Tell the caller they will be called back without losing their place, then hang up. */
  | { readonly type: 'ConfirmQueueCallback'; readonly queueId: QueueId }
  | { readonly type: 'BridgeLegs'; readonly customerLegId: string; readonly agentLegId: string }
  /** Call a supervisor's or a colleague's registered phone on a new leg. */
  | {
      readonly type: 'InviteCompanion';
      readonly legId: string;
      readonly userId: AgentId;
      readonly kind: Companion['kind'];
    }
  /** Relay two legs other than the customer's (the agent and a consulted colleague). */
  | { readonly type: 'BridgePair'; readonly legIds: readonly [string, string] }
  /** Break whatever bridge a leg is in (the other leg hears silence until it is bridged again). */
  | { readonly type: 'UnbridgeLeg'; readonly legId: string }
  /**
   * Put the three legs in one conference with the hear/speak matrix of the mode (docs/media.md): listen,
   * whisper and barge for a supervisor; barge (everyone hears everyone) for a three-way conference.
   */
  | {
      readonly type: 'JoinConference';
      readonly customerLegId: string;
      readonly agentLegId: string;
      readonly companionLegId: string;
      readonly mode: 'listen' | 'whisper' | 'barge';
    }
  | { readonly type: 'SetConferenceMode'; readonly mode: 'listen' | 'whisper' | 'barge' }
  /** Take every leg out of the conference (it ends with its last member). */
  | { readonly type: 'LeaveConference'; readonly legIds: readonly string[] }
  | { readonly type: 'StartRecording'; readonly customerLegId: string; readonly agentLegId: string }
  | { readonly type: 'StopRecording' }
  /** Put the customer on hold (music, bridge broken) or take them off. */
  | { readonly type: 'HoldCustomer'; readonly customerLegId: string }
  | { readonly type: 'ResumeCustomer'; readonly customerLegId: string; readonly agentLegId: string }
  /** Tell the ACD. */
  | {
      readonly type: 'TellRouting';
      readonly event:
        | { readonly type: 'ContactArrived'; readonly queueId: QueueId }
        | { readonly type: 'ContactAbandoned' }
        | { readonly type: 'ContactEnded' }
        | { readonly type: 'OfferAccepted'; readonly agentId: AgentId }
        | {
            readonly type: 'OfferDeclined';
            readonly agentId: AgentId;
            readonly unreachable?: 'no-phone' | 'server';
          }
        | { readonly type: 'ContactTransferred'; readonly toQueueId: QueueId };
    }
  /** Tell the IVR interpreter (the call left the flow, or comes back to it). */
  | {
      readonly type: 'TellIvr';
      readonly event:
        'AnsweredByAgent' | 'QueueOverflowed' | 'CallerHungUp' | 'TransferCompleted' | 'TransferFailed';
    }
  /** A fact for the event stream and the call record. */
  | { readonly type: 'RecordFact'; readonly fact: InboundCallFact };

/** Facts the decider records (stored as domain events). */
export type InboundCallFact =
  | CompanionFact
  | { readonly type: 'CallHeld'; readonly agentId: AgentId; readonly atMs: number }
  | {
      readonly type: 'CallResumed';
      readonly agentId: AgentId;
      readonly heldMs: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'CallTransferred';
      readonly fromAgentId: AgentId;
      readonly kind: 'blind' | 'attended';
      readonly targetKind: 'queue' | 'agent' | 'extension' | 'number' | 'flow';
      readonly targetId: string;
      /** Time the customer spent with the agent who transferred, hold included. */
      readonly talkMs: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'CallEnded';
      readonly cause: CallEndCause;
      readonly agentId: AgentId | undefined;
      /** Time bridged to the agent, hold included. */
      readonly talkMs: number;
      readonly heldMs: number;
      readonly atMs: number;
    };

/** An event that does not fit the call's phase: nothing changes. */
export interface IllegalCallTransition {
  readonly code: CallErrorCode;
  readonly message: string;
}

export type InboundCallTransition =
  | { readonly ok: true; readonly call: InboundCall; readonly commands: readonly InboundCallCommand[] }
  | { readonly ok: false; readonly error: IllegalCallTransition };

/** A new inbound call, answered and handed to the IVR. */
export function startInboundCall(input: {
  readonly interactionId: InteractionId;
  readonly customerLegId: string;
  readonly isRecorded: boolean;
}): InboundCall {
  return { ...input, phase: { kind: 'ivr' }, agentLegCount: 0 };
}

/**
 * A call that is already connected when this decider takes it over: one the agent placed (click-to-call),
 * so that it can be held, transferred, consulted on and monitored like a call that came in. The other
 * party's leg plays the customer's part; no queue is behind it, and it is the ACD's contact only when it is
 * a callback the ACD asked for.
 */
export function adoptConnectedCall(input: {
  readonly interactionId: InteractionId;
  readonly customerLegId: string;
  readonly agentId: AgentId;
  readonly agentLegId: string;
  readonly connectedAtMs: number;
  readonly isRecorded: boolean;
  readonly isAcdContact: boolean;
}): InboundCall {
  return {
    interactionId: input.interactionId,
    customerLegId: input.customerLegId,
    isRecorded: input.isRecorded,
    agentLegCount: 0,
    phase: {
      kind: 'connected',
      queueId: undefined,
      agentId: input.agentId,
      agentLegId: input.agentLegId,
      connectedAtMs: input.connectedAtMs,
      isHeld: false,
      holdStartedAtMs: undefined,
      heldMs: 0,
      companion: undefined,
      isAcdContact: input.isAcdContact,
    },
  };
}

/** @internal The call in a new phase with the commands that take it there. */
export function next(
  call: InboundCall,
  phase: InboundCallPhase,
  commands: readonly InboundCallCommand[],
): InboundCallTransition {
  return { ok: true, call: { ...call, phase }, commands };
}

/** @internal */
export function unchanged(
  call: InboundCall,
  commands: readonly InboundCallCommand[] = [],
): InboundCallTransition {
  return { ok: true, call, commands };
}

/** @internal */
export function illegal(call: InboundCall, event: InboundCallEvent): InboundCallTransition {
  return {
    ok: false,
    error: {
      code: 'CALL_UNEXPECTED_EVENT',
      message: `event ${event.type} does not fit a call in phase ${call.phase.kind}`,
    },
  };
}

/**
 * The caller passed on to a party outside the ACD: a new transfer leg (`<customer>-t<n>`) is called while the
 * caller waits; `origin` says what happens if it does not answer (back to a queue, the call ends, or the flow).
 */
function transferring(
  call: InboundCall,
  origin: { readonly fallbackQueueId?: QueueId; readonly isFromQueue?: boolean },
  target: FlowTransferTarget,
  before: readonly InboundCallCommand[],
): InboundCallTransition {
  const legId = `${call.customerLegId}-t${String(call.agentLegCount + 1)}`;
  return {
    ok: true,
    call: {
      ...call,
      agentLegCount: call.agentLegCount + 1,
      phase: { kind: 'transferred', legId, isConnected: false, connectedAtMs: undefined, ...origin },
    },
    commands: [...before, { type: 'InviteTransferTarget', legId, target }],
  };
}

/** @internal The call ends: the cause, the talk and hold time of the phase it ends in. */
export function ended(
  call: InboundCall,
  cause: CallEndCause,
  atMs: number,
  commands: readonly InboundCallCommand[],
): InboundCallTransition {
  const phase = call.phase;
  const agentId = phase.kind === 'connected' || phase.kind === 'offering' ? phase.agentId : undefined;
  const heldMs =
    phase.kind === 'connected'
      ? phase.heldMs + (phase.holdStartedAtMs === undefined ? 0 : atMs - phase.holdStartedAtMs)
      : 0;
  const talkMs =
    phase.kind === 'connected'
      ? atMs - phase.connectedAtMs
      : phase.kind === 'transferred' && phase.connectedAtMs !== undefined
        ? atMs - phase.connectedAtMs
        : 0;
  return next(call, { kind: 'ended', cause, endedAtMs: atMs }, [
    ...commands,
    {
      type: 'RecordFact',
      fact: {
        type: 'CallEnded',
        cause,
        agentId: phase.kind === 'connected' ? agentId : undefined,
        talkMs,
        heldMs,
        atMs,
      },
    },
  ]);
}

/** The ACD hears that its contact ended, unless it already did when the first agent handed the call over. */
/**
 * @internal The commands of a hand-over: the agent leaves a connected call and `toLegId` takes the customer.
 * The agent's recording closes and the next one opens, `release` takes the agent out of the media (a bridge
 * or a conference), the agent's phone is hung up unless it already is, a hold ends with the hand-over,
 * `handedOver` is recorded, and the ACD's contact ends with the agent. Used for attended transfers (from
 * the desktop or the phone, to a colleague or a number) and a supervisor's takeover.
 */
export function handOverCommands(
  call: InboundCall,
  phase: Extract<InboundCallPhase, { kind: 'connected' }>,
  toLegId: string,
  release: InboundCallCommand,
  isAgentGone: boolean,
  handedOver: InboundCallFact,
  atMs: number,
): InboundCallCommand[] {
  const heldMs = phase.isHeld && phase.holdStartedAtMs !== undefined ? atMs - phase.holdStartedAtMs : 0;
  return [
    ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
    release,
    ...(phase.isHeld ? [{ type: 'StopMusicOnHold' as const, legId: call.customerLegId }] : []),
    ...(isAgentGone ? [] : [{ type: 'HangUpLeg' as const, legId: phase.agentLegId }]),
    { type: 'BridgeLegs', customerLegId: call.customerLegId, agentLegId: toLegId },
    ...(call.isRecorded
      ? [{ type: 'StartRecording' as const, customerLegId: call.customerLegId, agentLegId: toLegId }]
      : []),
    // A customer held during a consultation comes off hold with whoever takes them: the hold was the agent's.
    ...(phase.isHeld
      ? [
          {
            type: 'RecordFact' as const,
            fact: { type: 'CallResumed' as const, agentId: phase.agentId, heldMs, atMs },
          },
        ]
      : []),
    { type: 'RecordFact', fact: handedOver },
    ...routingEnded(phase),
  ];
}

function routingEnded(phase: { readonly isAcdContact: boolean }): InboundCallCommand[] {
  return phase.isAcdContact ? [{ type: 'TellRouting', event: { type: 'ContactEnded' } }] : [];
}

/**
 * The one transition function of an inbound call (pure): the phase it is in and an event give the next
 * phase and the commands for the call layer. The ACD decides who gets the call and the IVR what the
 * caller hears; this decides what happens to the legs: music while queued, calling the agent's phone,
 * cancelling it when the offer is withdrawn or the caller leaves, bridging and recording on answer, and
 * ending the other leg when one side hangs up. Races are answered here too: an agent phone that answers
 * after its offer was withdrawn is hung up; a failure of a leg no longer wanted is ignored.
 */
export function nextInboundCall(call: InboundCall, event: InboundCallEvent): InboundCallTransition {
  const phase = call.phase;
  if (phase.kind === 'ended') {
    // Late answers from a phone we already gave up on still must not leave it off-hook.
    if (event.type === 'AgentLegAnswered')
      return unchanged(call, [{ type: 'HangUpLeg', legId: event.agentLegId }]);
    if (
      event.type === 'AgentLegFailed' ||
      event.type === 'AgentLegRinging' ||
      event.type === 'OfferWithdrawn' ||
      event.type === 'CustomerHungUp' ||
      event.type === 'AgentHungUp' ||
      event.type === 'LegFailed' ||
      event.type === 'TransferLegFailed' ||
      event.type === 'TransferLegHungUp'
    )
      return unchanged(call);
    if (event.type === 'TransferLegAnswered')
      return unchanged(call, [{ type: 'HangUpLeg', legId: event.legId }]);
    return illegal(call, event);
  }
  const withCompanion = nextCompanion(call, event);
  if (withCompanion !== undefined) return withCompanion;
  switch (event.type) {
    case 'Enqueued':
      if (phase.kind !== 'ivr') return illegal(call, event);
      return next(call, { kind: 'queued', queueId: event.queueId, queuedAtMs: event.atMs }, [
        { type: 'PlayMusicOnHold', legId: call.customerLegId },
        { type: 'TellRouting', event: { type: 'ContactArrived', queueId: event.queueId } },
      ]);

    case 'AgentOffered': {
      if (phase.kind !== 'queued') return illegal(call, event);
      const agentLegId = `${call.customerLegId}-a${String(call.agentLegCount + 1)}`;
      return {
        ok: true,
        call: {
          ...call,
          agentLegCount: call.agentLegCount + 1,
          phase: {
            kind: 'offering',
            queueId: phase.queueId,
            queuedAtMs: phase.queuedAtMs,
            agentId: event.agentId,
            agentLegId,
            isRinging: false,
          },
        },
        commands: [{ type: 'InviteAgent', agentId: event.agentId, agentLegId }],
      };
    }

    case 'AgentLegRinging':
      if (phase.kind !== 'offering' || phase.agentLegId !== event.agentLegId) return unchanged(call);
      return next(call, { ...phase, isRinging: true }, []);

    case 'AgentLegAnswered':
      if (phase.kind !== 'offering' || phase.agentLegId !== event.agentLegId)
        // Answered after we cancelled it (the 200 crossed our CANCEL): hang that phone up.
        return unchanged(call, [{ type: 'HangUpLeg', legId: event.agentLegId }]);
      return unchanged(call, [
        { type: 'TellRouting', event: { type: 'OfferAccepted', agentId: phase.agentId } },
      ]);

    case 'ContactConnected': {
      if (phase.kind !== 'offering' || phase.agentId !== event.agentId) return illegal(call, event);
      const commands: InboundCallCommand[] = [
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        { type: 'BridgeLegs', customerLegId: call.customerLegId, agentLegId: phase.agentLegId },
      ];
      if (call.isRecorded)
        commands.push({
          type: 'StartRecording',
          customerLegId: call.customerLegId,
          agentLegId: phase.agentLegId,
        });
      commands.push({ type: 'TellIvr', event: 'AnsweredByAgent' });
      return next(
        call,
        {
          kind: 'connected',
          queueId: phase.queueId,
          agentId: phase.agentId,
          agentLegId: phase.agentLegId,
          connectedAtMs: event.atMs,
          isHeld: false,
          holdStartedAtMs: undefined,
          heldMs: 0,
          companion: undefined,
          isAcdContact: true,
        },
        commands,
      );
    }

    case 'AgentLegFailed':
      if (phase.kind !== 'offering' || phase.agentLegId !== event.agentLegId) return unchanged(call);
      return next(call, { kind: 'queued', queueId: phase.queueId, queuedAtMs: phase.queuedAtMs }, [
        {
          type: 'TellRouting',
          event: {
            type: 'OfferDeclined',
            agentId: phase.agentId,
            ...(event.notRung === undefined ? {} : { unreachable: event.notRung }),
          },
        },
      ]);

    case 'OfferWithdrawn':
      if (phase.kind !== 'offering' || phase.agentId !== event.agentId) return unchanged(call);
      return next(call, { kind: 'queued', queueId: phase.queueId, queuedAtMs: phase.queuedAtMs }, [
        { type: 'CancelAgentLeg', agentLegId: phase.agentLegId },
      ]);

    case 'QueueLeft':
      if (phase.kind === 'offering')
        return next(call, { kind: 'ivr' }, [
          { type: 'CancelAgentLeg', agentLegId: phase.agentLegId },
          { type: 'StopMusicOnHold', legId: call.customerLegId },
          { type: 'TellIvr', event: 'QueueOverflowed' },
        ]);
      if (phase.kind !== 'queued') return illegal(call, event);
      return next(call, { kind: 'ivr' }, [
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        { type: 'TellIvr', event: 'QueueOverflowed' },
      ]);

    case 'QueueDestinationRequested':
      if (phase.kind !== 'queued' && phase.kind !== 'offering') return illegal(call, event);
      // The caller keeps hearing the queue's music while the destination rings.
      return transferring(
        call,
        { isFromQueue: true },
        event.target,
        phase.kind === 'offering' ? [{ type: 'CancelAgentLeg', agentLegId: phase.agentLegId }] : [],
      );

    case 'QueueVoicemailRequested': {
      if (phase.kind !== 'queued' && phase.kind !== 'offering') return illegal(call, event);
      const voicemail = { type: 'StartQueueVoicemail' as const, queueId: phase.queueId };
      return next(call, { kind: 'ivr' }, [
        ...(phase.kind === 'offering'
          ? [{ type: 'CancelAgentLeg' as const, agentLegId: phase.agentLegId }]
          : []),
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        voicemail,
      ]);
    }

    case 'QueueCallbackAccepted':
      if (phase.kind !== 'queued' && phase.kind !== 'offering') return illegal(call, event);
      // Out of the queue: from here a hang-up is the end of the call, not an abandonment.
      return next(call, { kind: 'ivr' }, [
        ...(phase.kind === 'offering'
          ? [{ type: 'CancelAgentLeg' as const, agentLegId: phase.agentLegId }]
          : []),
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        { type: 'ConfirmQueueCallback', queueId: phase.queueId },
      ]);

    case 'CustomerHungUp':
    case 'FlowHungUp':
    case 'LegFailed': {
      const cause: CallEndCause =
        event.type === 'CustomerHungUp'
          ? 'caller-hangup'
          : event.type === 'FlowHungUp'
            ? 'system-hangup'
            : event.isSessionExpired === true
              ? 'session-expired'
              : 'failed';
      const isAgentLeg =
        event.type === 'LegFailed' &&
        (phase.kind === 'connected' || phase.kind === 'offering') &&
        event.legId === phase.agentLegId;
      if (isAgentLeg && phase.kind === 'offering')
        return next(call, { kind: 'queued', queueId: phase.queueId, queuedAtMs: phase.queuedAtMs }, [
          { type: 'CancelAgentLeg', agentLegId: phase.agentLegId },
          { type: 'TellRouting', event: { type: 'OfferDeclined', agentId: phase.agentId } },
        ]);
      const hangUpCustomer: InboundCallCommand[] =
        event.type === 'CustomerHungUp' ? [] : [{ type: 'HangUpLeg', legId: call.customerLegId }];
      switch (phase.kind) {
        case 'ivr':
          return ended(call, cause, event.atMs, [
            ...hangUpCustomer,
            { type: 'TellIvr', event: 'CallerHungUp' },
          ]);
        case 'queued':
          return ended(call, cause, event.atMs, [
            ...hangUpCustomer,
            { type: 'TellRouting', event: { type: 'ContactAbandoned' } },
            { type: 'TellIvr', event: 'CallerHungUp' },
          ]);
        case 'offering':
          return ended(call, cause, event.atMs, [
            ...hangUpCustomer,
            { type: 'CancelAgentLeg', agentLegId: phase.agentLegId },
            { type: 'TellRouting', event: { type: 'ContactAbandoned' } },
            { type: 'TellIvr', event: 'CallerHungUp' },
          ]);
        case 'transferred': {
          const isTransferLeg = event.type === 'LegFailed' && event.legId === phase.legId;
          return ended(call, cause, event.atMs, [
            ...(call.isRecorded && phase.isConnected ? [{ type: 'StopRecording' as const }] : []),
            ...(isTransferLeg ? [{ type: 'HangUpLeg' as const, legId: call.customerLegId }] : hangUpCustomer),
            ...(isTransferLeg
              ? []
              : [
                  phase.isConnected
                    ? { type: 'HangUpLeg' as const, legId: phase.legId }
                    : { type: 'CancelAgentLeg' as const, agentLegId: phase.legId },
                ]),
          ]);
        }
        case 'connected':
          // The recording is closed first: ending a leg would cut it short.
          return ended(call, cause, event.atMs, [
            ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
            ...(isAgentLeg ? [{ type: 'HangUpLeg' as const, legId: call.customerLegId }] : hangUpCustomer),
            ...(isAgentLeg ? [] : [{ type: 'HangUpLeg' as const, legId: phase.agentLegId }]),
            ...routingEnded(phase),
          ]);
      }
      return illegal(call, event);
    }

    case 'AgentHungUp':
      if (phase.kind !== 'connected' || phase.agentLegId !== event.agentLegId) return unchanged(call);
      return ended(call, 'agent-hangup', event.atMs, [
        ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
        { type: 'HangUpLeg', legId: call.customerLegId },
        ...routingEnded(phase),
      ]);

    case 'HangUpRequested':
      if (phase.kind !== 'connected') return illegal(call, event);
      return ended(call, 'agent-hangup', event.atMs, [
        ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
        { type: 'HangUpLeg', legId: call.customerLegId },
        { type: 'HangUpLeg', legId: phase.agentLegId },
        ...routingEnded(phase),
      ]);

    case 'HoldRequested':
      if (phase.kind !== 'connected') return illegal(call, event);
      if (phase.isHeld) return unchanged(call);
      return next(call, { ...phase, isHeld: true, holdStartedAtMs: event.atMs }, [
        { type: 'HoldCustomer', customerLegId: call.customerLegId },
        { type: 'RecordFact', fact: { type: 'CallHeld', agentId: phase.agentId, atMs: event.atMs } },
      ]);

    case 'FlowTransferRequested':
      if (phase.kind !== 'ivr') return illegal(call, event);
      return transferring(call, {}, event.target, [{ type: 'PlayMusicOnHold', legId: call.customerLegId }]);

    case 'TransferLegAnswered':
      if (phase.kind !== 'transferred' || phase.legId !== event.legId)
        return unchanged(call, [{ type: 'HangUpLeg', legId: event.legId }]);
      if (phase.isConnected) return unchanged(call);
      return next(call, { ...phase, isConnected: true, connectedAtMs: event.atMs }, [
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        { type: 'BridgeLegs', customerLegId: call.customerLegId, agentLegId: phase.legId },
        ...(call.isRecorded
          ? [{ type: 'StartRecording' as const, customerLegId: call.customerLegId, agentLegId: phase.legId }]
          : []),
        ...(phase.isFromQueue === true
          ? []
          : [{ type: 'TellIvr' as const, event: 'TransferCompleted' as const }]),
      ]);

    case 'TransferLegFailed':
      if (phase.kind !== 'transferred' || phase.legId !== event.legId || phase.isConnected)
        return unchanged(call);
      if (phase.fallbackQueueId !== undefined)
        // Nobody took the agent's blind transfer: the caller waits in the queue again, music still playing.
        return next(call, { kind: 'queued', queueId: phase.fallbackQueueId, queuedAtMs: event.atMs }, [
          { type: 'TellRouting', event: { type: 'ContactArrived', queueId: phase.fallbackQueueId } },
        ]);
      // The queue's overflow destination did not answer: the caller has been passed on once, the call ends.
      if (phase.isFromQueue === true)
        return ended(call, 'system-hangup', event.atMs, [
          { type: 'StopMusicOnHold', legId: call.customerLegId },
          { type: 'HangUpLeg', legId: call.customerLegId },
        ]);
      // The flow goes on at the node's onFailure (or the tenant fallback).
      return next(call, { kind: 'ivr' }, [
        { type: 'StopMusicOnHold', legId: call.customerLegId },
        { type: 'TellIvr', event: 'TransferFailed' },
      ]);

    case 'TransferLegHungUp':
      if (phase.kind !== 'transferred' || phase.legId !== event.legId) return unchanged(call);
      return ended(call, 'agent-hangup', event.atMs, [
        ...(call.isRecorded && phase.isConnected ? [{ type: 'StopRecording' as const }] : []),
        { type: 'HangUpLeg', legId: call.customerLegId },
      ]);

    case 'BlindTransferRequested':
      if (phase.kind !== 'connected') return illegal(call, event);
      // Nobody answering sends the caller back to their queue; a call without one (placed) then ends.
      return transferring(
        call,
        phase.queueId === undefined ? { isFromQueue: true } : { fallbackQueueId: phase.queueId },
        event.target,
        [
          ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
          { type: 'HangUpLeg', legId: phase.agentLegId },
          ...(phase.isHeld ? [] : [{ type: 'HoldCustomer' as const, customerLegId: call.customerLegId }]),
          {
            type: 'RecordFact',
            fact: {
              type: 'CallTransferred',
              fromAgentId: phase.agentId,
              kind: 'blind',
              targetKind: event.target.kind === 'extension' ? 'extension' : 'number',
              targetId: event.target.kind === 'extension' ? event.target.extension : event.target.number,
              talkMs: event.atMs - phase.connectedAtMs,
              atMs: event.atMs,
            },
          },
          // The ACD's contact ends before the target is called: a target that cannot be called at all sends the
          // caller straight back to the queue, as a new arrival.
          ...routingEnded(phase),
        ],
      );

    case 'TransferToFlowRequested':
      if (phase.kind !== 'connected') return illegal(call, event);
      // The agent's part ends as in a blind transfer; the caller hears the flow next, not music.
      return next(call, { kind: 'ivr' }, [
        ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
        { type: 'HangUpLeg', legId: phase.agentLegId },
        ...(phase.isHeld ? [{ type: 'StopMusicOnHold' as const, legId: call.customerLegId }] : []),
        {
          type: 'RecordFact',
          fact: {
            type: 'CallTransferred',
            fromAgentId: phase.agentId,
            kind: 'blind',
            targetKind: 'flow',
            targetId: event.flowKey,
            talkMs: event.atMs - phase.connectedAtMs,
            atMs: event.atMs,
          },
        },
        ...routingEnded(phase),
        { type: 'StartFlow', flowKey: event.flowKey },
      ]);

    case 'PhoneTransferredToNumber':
      if (phase.kind !== 'connected' || phase.companion !== undefined || event.legId === phase.agentLegId)
        return illegal(call, event);
      return next(
        call,
        // Nobody to go back to if the number hangs up: the call ends with it.
        {
          kind: 'transferred',
          legId: event.legId,
          isConnected: true,
          connectedAtMs: event.atMs,
          isFromQueue: true,
        },
        handOverCommands(
          call,
          phase,
          event.legId,
          { type: 'UnbridgeLeg', legId: phase.agentLegId },
          false,
          {
            type: 'CallTransferred',
            fromAgentId: phase.agentId,
            kind: 'attended',
            targetKind: 'number',
            targetId: event.number,
            talkMs: event.atMs - phase.connectedAtMs,
            atMs: event.atMs,
          },
          event.atMs,
        ),
      );

    case 'TransferToQueueRequested': {
      if (phase.kind !== 'connected') return illegal(call, event);
      // The agent's part ends here: their recording closes and their leg is hung up; the ACD queues the
      // contact again with its original seniority and the caller hears music until the next agent answers.
      return next(call, { kind: 'queued', queueId: event.queueId, queuedAtMs: event.atMs }, [
        ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
        { type: 'HangUpLeg', legId: phase.agentLegId },
        { type: 'PlayMusicOnHold', legId: call.customerLegId },
        {
          type: 'RecordFact',
          fact: {
            type: 'CallTransferred',
            fromAgentId: phase.agentId,
            kind: 'blind',
            targetKind: 'queue',
            targetId: event.queueId,
            talkMs: event.atMs - phase.connectedAtMs,
            atMs: event.atMs,
          },
        },
        // The ACD moves its own contact with its seniority; any other call (handed over, placed) arrives anew.
        {
          type: 'TellRouting',
          event: phase.isAcdContact
            ? { type: 'ContactTransferred', toQueueId: event.queueId }
            : { type: 'ContactArrived', queueId: event.queueId },
        },
      ]);
    }

    case 'ResumeRequested': {
      if (phase.kind !== 'connected') return illegal(call, event);
      if (!phase.isHeld || phase.holdStartedAtMs === undefined) return unchanged(call);
      const heldMs = event.atMs - phase.holdStartedAtMs;
      return next(
        call,
        { ...phase, isHeld: false, holdStartedAtMs: undefined, heldMs: phase.heldMs + heldMs },
        [
          { type: 'ResumeCustomer', customerLegId: call.customerLegId, agentLegId: phase.agentLegId },
          {
            type: 'RecordFact',
            fact: { type: 'CallResumed', agentId: phase.agentId, heldMs, atMs: event.atMs },
          },
        ],
      );
    }

    // Handled by nextCompanion while connected; they fit no other phase.
    case 'CompanionRequested':
    case 'CompanionLegAnswered':
    case 'CompanionLegFailed':
    case 'CompanionHungUp':
    case 'CompanionEndRequested':
    case 'CompanionModeRequested':
    case 'AgentLeaveRequested':
    case 'AttendedTransferFromPhone':
      return illegal(call, event);
  }
}
