import type { AgentId } from '@centralita/kernel';
import type {
  InboundCall,
  InboundCallCommand,
  InboundCallEvent,
  InboundCallTransition,
} from './inbound-call.ts';
import { ended, handOverCommands, illegal, next, unchanged } from './inbound-call.ts';

/** How a supervisor joins a call (docs/media.md, the hear/speak matrix). */
export type SupervisionMode = 'listen' | 'whisper' | 'barge';

/**
 * A third party on a connected call:
 * - a **supervisor** listening (hears both, says nothing), whispering (only the agent hears them) or barging
 *   in (everyone hears everyone); they can take the call over, and the agent leaves;
 * - a **colleague** the agent consults while the customer holds (`consult`), then brings into a three-way
 *   conference (`conference`), or hands the customer to (attended transfer).
 */
export interface Companion {
  readonly kind: 'supervisor' | 'colleague';
  readonly userId: AgentId;
  readonly legId: string;
  readonly mode: SupervisionMode | 'consult' | 'conference';
  /** The companion's phone answered (before that it rings). */
  readonly isAnswered: boolean;
  readonly answeredAtMs: number | undefined;
}

/** What happens to a companion. Times are epoch ms. */
export type CompanionEvent =
  /** A supervisor asks to monitor the call, or the agent to consult a colleague (the customer is held). */
  | {
      readonly type: 'CompanionRequested';
      readonly kind: Companion['kind'];
      readonly userId: AgentId;
      /** For a supervisor: listen, whisper or barge. A colleague always starts with a consultation. */
      readonly mode: SupervisionMode | 'consult';
      readonly atMs: number;
    }
  | { readonly type: 'CompanionLegAnswered'; readonly legId: string; readonly atMs: number }
  | {
      readonly type: 'CompanionLegFailed';
      readonly legId: string;
      readonly statusCode: number;
      readonly atMs: number;
    }
  | { readonly type: 'CompanionHungUp'; readonly legId: string; readonly atMs: number }
  /** The supervisor stops monitoring, or the agent ends the consultation (the companion's phone is hung up). */
  | { readonly type: 'CompanionEndRequested'; readonly atMs: number }
  /** A supervisor switches between listen, whisper and barge; a consultation becomes a conference. */
  | {
      readonly type: 'CompanionModeRequested';
      readonly mode: SupervisionMode | 'conference';
      readonly atMs: number;
    }
  /**
   * The agent leaves and the companion stays with the customer: a supervisor's takeover, or the completion
   * of an attended transfer to the consulted colleague.
   */
  | { readonly type: 'AgentLeaveRequested'; readonly atMs: number }
  /**
   * The agent's phone completed an attended transfer of its own (REFER with Replaces, RFC 5589 §7): it held
   * the customer, called a colleague on a second call, and now hands the customer to them. The colleague's
   * leg of that second call, `legId` (answered at `consultedAtMs`), becomes this call's agent leg.
   */
  | {
      readonly type: 'AttendedTransferFromPhone';
      readonly colleagueId: AgentId;
      readonly legId: string;
      readonly consultedAtMs: number;
      readonly atMs: number;
    };

/** Facts about companions (stored as domain events). */
export type CompanionFact =
  | {
      readonly type: 'SupervisionStarted';
      readonly supervisorId: AgentId;
      readonly agentId: AgentId;
      readonly mode: SupervisionMode;
      readonly atMs: number;
    }
  | {
      readonly type: 'SupervisionModeChanged';
      readonly supervisorId: AgentId;
      readonly mode: SupervisionMode;
      readonly atMs: number;
    }
  | {
      readonly type: 'SupervisionEnded';
      readonly supervisorId: AgentId;
      readonly durationMs: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'ConsultStarted';
      readonly agentId: AgentId;
      readonly colleagueId: AgentId;
      readonly atMs: number;
    }
  | {
      readonly type: 'ConferenceStarted';
      readonly agentId: AgentId;
      readonly colleagueId: AgentId;
      readonly atMs: number;
    }
  | {
      readonly type: 'ConsultEnded';
      readonly agentId: AgentId;
      readonly colleagueId: AgentId;
      readonly durationMs: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'CompanionUnreachable';
      readonly kind: Companion['kind'];
      readonly userId: AgentId;
      readonly statusCode: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'CallTakenOver';
      readonly fromAgentId: AgentId;
      readonly supervisorId: AgentId;
      readonly talkMs: number;
      readonly atMs: number;
    };

type Connected = Extract<InboundCall['phase'], { kind: 'connected' }>;
type Fact = Extract<InboundCallCommand, { type: 'RecordFact' }>;

const companionEventTypes: ReadonlySet<InboundCallEvent['type']> = new Set([
  'CompanionRequested',
  'CompanionLegAnswered',
  'CompanionLegFailed',
  'CompanionHungUp',
  'CompanionEndRequested',
  'CompanionModeRequested',
  'AgentLeaveRequested',
  'AttendedTransferFromPhone',
]);

function fact(value: CompanionFact): Fact {
  return { type: 'RecordFact', fact: value };
}

/** Whether the companion is in a conference with both (rather than bridged with the agent alone). */
function isInConference(companion: Companion): boolean {
  return companion.isAnswered && companion.mode !== 'consult';
}

/** The fact that a companion who talked has left. */
function leftFact(phase: Connected, companion: Companion, atMs: number): Fact {
  const durationMs = atMs - (companion.answeredAtMs ?? atMs);
  return fact(
    companion.kind === 'supervisor'
      ? { type: 'SupervisionEnded', supervisorId: companion.userId, durationMs, atMs }
      : {
          type: 'ConsultEnded',
          agentId: phase.agentId,
          colleagueId: companion.userId,
          durationMs,
          atMs,
        },
  );
}

/** The companion's leg is gone (hung up, failed or hung up by us): the media goes back to two parties. */
function companionLeft(
  call: InboundCall,
  phase: Connected,
  companion: Companion,
  atMs: number,
  hangUp: readonly InboundCallCommand[],
): InboundCallTransition {
  if (!companion.isAnswered)
    return next(call, { ...phase, companion: undefined }, [
      ...hangUp,
      fact({
        type: 'CompanionUnreachable',
        kind: companion.kind,
        userId: companion.userId,
        statusCode: 487,
        atMs,
      }),
    ]);
  const media: InboundCallCommand[] = isInConference(companion)
    ? [
        { type: 'LeaveConference', legIds: [call.customerLegId, phase.agentLegId, companion.legId] },
        { type: 'BridgeLegs', customerLegId: call.customerLegId, agentLegId: phase.agentLegId },
      ]
    : // A consultation: the agent is alone again; the customer stays on hold until the agent resumes.
      [{ type: 'UnbridgeLeg', legId: phase.agentLegId }];
  return next(call, { ...phase, companion: undefined }, [
    ...hangUp,
    ...media,
    leftFact(phase, companion, atMs),
  ]);
}

/** The agent leaves; the companion stays with the customer (takeover, or an attended transfer completed). */
function agentLeaves(
  call: InboundCall,
  phase: Connected,
  companion: Companion,
  atMs: number,
  isAgentGone: boolean,
): InboundCallTransition {
  const talkMs = atMs - phase.connectedAtMs;
  const commands = handOverCommands(
    call,
    phase,
    companion.legId,
    isInConference(companion)
      ? { type: 'LeaveConference', legIds: [call.customerLegId, phase.agentLegId, companion.legId] }
      : { type: 'UnbridgeLeg', legId: phase.agentLegId },
    isAgentGone,
    companion.kind === 'supervisor'
      ? { type: 'CallTakenOver', fromAgentId: phase.agentId, supervisorId: companion.userId, talkMs, atMs }
      : {
          type: 'CallTransferred',
          fromAgentId: phase.agentId,
          kind: 'attended',
          targetKind: 'agent',
          targetId: companion.userId,
          talkMs,
          atMs,
        },
    atMs,
  );
  return next(
    call,
    {
      ...phase,
      agentId: companion.userId,
      agentLegId: companion.legId,
      connectedAtMs: atMs,
      isHeld: false,
      holdStartedAtMs: undefined,
      heldMs: 0,
      companion: undefined,
      isAcdContact: false,
    },
    commands,
  );
}

/** The whole call ends while a companion is on it: every leg is hung up. */
function endAll(
  call: InboundCall,
  phase: Connected,
  companion: Companion,
  cause: Parameters<typeof ended>[1],
  atMs: number,
  goneLegId: string | undefined,
): InboundCallTransition {
  const hangUp = (legId: string): InboundCallCommand[] =>
    legId === goneLegId ? [] : [{ type: 'HangUpLeg', legId }];
  return ended(call, cause, atMs, [
    ...(call.isRecorded ? [{ type: 'StopRecording' as const }] : []),
    ...hangUp(call.customerLegId),
    ...hangUp(phase.agentLegId),
    ...(companion.isAnswered
      ? [...hangUp(companion.legId), leftFact(phase, companion, atMs)]
      : [{ type: 'CancelAgentLeg' as const, agentLegId: companion.legId }]),
    ...(phase.isAcdContact
      ? [{ type: 'TellRouting' as const, event: { type: 'ContactEnded' as const } }]
      : []),
  ]);
}

/**
 * The transitions of a connected call with a third party (pure), used by `nextInboundCall`: the companion
 * events themselves, and the events whose meaning changes while a companion is on the call (a hangup, hold,
 * a transfer). Undefined when the event is not the companion's business.
 */
export function nextCompanion(call: InboundCall, event: InboundCallEvent): InboundCallTransition | undefined {
  const phase = call.phase;
  const isCompanionEvent = companionEventTypes.has(event.type);
  if (phase.kind !== 'connected') return isCompanionEvent ? illegal(call, event) : undefined;
  const companion = phase.companion;

  if (event.type === 'CompanionRequested') {
    if (companion !== undefined) return illegal(call, event);
    if ((event.kind === 'colleague') !== (event.mode === 'consult')) return illegal(call, event);
    if (event.kind === 'supervisor' && phase.isHeld) return illegal(call, event);
    const legId = `${call.customerLegId}-s${String(call.agentLegCount + 1)}`;
    const hold: InboundCallCommand[] =
      event.kind === 'colleague' && !phase.isHeld
        ? [
            { type: 'HoldCustomer', customerLegId: call.customerLegId },
            { type: 'RecordFact', fact: { type: 'CallHeld', agentId: phase.agentId, atMs: event.atMs } },
          ]
        : [];
    return {
      ok: true,
      call: {
        ...call,
        agentLegCount: call.agentLegCount + 1,
        phase: {
          ...phase,
          ...(hold.length > 0 ? { isHeld: true, holdStartedAtMs: event.atMs } : {}),
          companion: {
            kind: event.kind,
            userId: event.userId,
            legId,
            mode: event.mode,
            isAnswered: false,
            answeredAtMs: undefined,
          },
        },
      },
      commands: [...hold, { type: 'InviteCompanion', legId, userId: event.userId, kind: event.kind }],
    };
  }

  if (event.type === 'AttendedTransferFromPhone') {
    // The phone consulted on a call of its own, so the call cannot have a third party already.
    if (companion !== undefined || event.legId === phase.agentLegId) return illegal(call, event);
    const colleague: Companion = {
      kind: 'colleague',
      userId: event.colleagueId,
      legId: event.legId,
      mode: 'consult',
      isAnswered: true,
      answeredAtMs: event.consultedAtMs,
    };
    const handedOver = agentLeaves(call, { ...phase, companion: colleague }, colleague, event.atMs, false);
    if (!handedOver.ok) return handedOver;
    const consulted = fact({
      type: 'ConsultStarted',
      agentId: phase.agentId,
      colleagueId: event.colleagueId,
      atMs: event.consultedAtMs,
    });
    return { ...handedOver, commands: [consulted, ...handedOver.commands] };
  }

  if (companion === undefined) {
    if (event.type === 'CompanionLegAnswered')
      return unchanged(call, [{ type: 'HangUpLeg', legId: event.legId }]);
    if (event.type === 'CompanionLegFailed' || event.type === 'CompanionHungUp') return unchanged(call);
    return isCompanionEvent ? illegal(call, event) : undefined;
  }

  switch (event.type) {
    case 'CompanionLegAnswered': {
      if (event.legId !== companion.legId || companion.isAnswered)
        return unchanged(call, [{ type: 'HangUpLeg', legId: event.legId }]);
      const joined: Companion = { ...companion, isAnswered: true, answeredAtMs: event.atMs };
      if (companion.kind === 'colleague')
        return next(call, { ...phase, companion: joined }, [
          { type: 'BridgePair', legIds: [phase.agentLegId, companion.legId] },
          fact({
            type: 'ConsultStarted',
            agentId: phase.agentId,
            colleagueId: companion.userId,
            atMs: event.atMs,
          }),
        ]);
      const mode = companion.mode as SupervisionMode;
      return next(call, { ...phase, companion: joined }, [
        {
          type: 'JoinConference',
          customerLegId: call.customerLegId,
          agentLegId: phase.agentLegId,
          companionLegId: companion.legId,
          mode,
        },
        fact({
          type: 'SupervisionStarted',
          supervisorId: companion.userId,
          agentId: phase.agentId,
          mode,
          atMs: event.atMs,
        }),
      ]);
    }

    case 'CompanionLegFailed':
      if (event.legId !== companion.legId) return unchanged(call);
      if (companion.isAnswered) return companionLeft(call, phase, companion, event.atMs, []);
      return next(call, { ...phase, companion: undefined }, [
        fact({
          type: 'CompanionUnreachable',
          kind: companion.kind,
          userId: companion.userId,
          statusCode: event.statusCode,
          atMs: event.atMs,
        }),
      ]);

    case 'CompanionHungUp':
      if (event.legId !== companion.legId) return unchanged(call);
      return companionLeft(call, phase, companion, event.atMs, []);

    case 'CompanionEndRequested':
      return companionLeft(call, phase, companion, event.atMs, [
        companion.isAnswered
          ? { type: 'HangUpLeg', legId: companion.legId }
          : { type: 'CancelAgentLeg', agentLegId: companion.legId },
      ]);

    case 'CompanionModeRequested': {
      if (!companion.isAnswered) return illegal(call, event);
      if (companion.kind === 'supervisor') {
        if (event.mode === 'conference') return illegal(call, event);
        if (event.mode === companion.mode) return unchanged(call);
        return next(call, { ...phase, companion: { ...companion, mode: event.mode } }, [
          { type: 'SetConferenceMode', mode: event.mode },
          fact({
            type: 'SupervisionModeChanged',
            supervisorId: companion.userId,
            mode: event.mode,
            atMs: event.atMs,
          }),
        ]);
      }
      if (event.mode !== 'conference') return illegal(call, event);
      if (companion.mode === 'conference') return unchanged(call);
      // The consultation becomes a three-way conference: the customer comes off hold into it.
      const heldMs = phase.holdStartedAtMs === undefined ? 0 : event.atMs - phase.holdStartedAtMs;
      return next(
        call,
        {
          ...phase,
          isHeld: false,
          holdStartedAtMs: undefined,
          heldMs: phase.heldMs + heldMs,
          companion: { ...companion, mode: 'conference' },
        },
        [
          { type: 'UnbridgeLeg', legId: phase.agentLegId },
          { type: 'StopMusicOnHold', legId: call.customerLegId },
          {
            type: 'JoinConference',
            customerLegId: call.customerLegId,
            agentLegId: phase.agentLegId,
            companionLegId: companion.legId,
            mode: 'barge',
          },
          {
            type: 'RecordFact',
            fact: { type: 'CallResumed', agentId: phase.agentId, heldMs, atMs: event.atMs },
          },
          fact({
            type: 'ConferenceStarted',
            agentId: phase.agentId,
            colleagueId: companion.userId,
            atMs: event.atMs,
          }),
        ],
      );
    }

    case 'AgentLeaveRequested':
      if (!companion.isAnswered) return illegal(call, event);
      return agentLeaves(call, phase, companion, event.atMs, false);

    case 'AgentHungUp':
      if (event.agentLegId !== phase.agentLegId) return unchanged(call);
      // In a three-way conversation the other two carry on without the agent; otherwise the call ends.
      if (companion.isAnswered && (companion.mode === 'conference' || companion.mode === 'barge'))
        return agentLeaves(call, phase, companion, event.atMs, true);
      return endAll(call, phase, companion, 'agent-hangup', event.atMs, event.agentLegId);

    case 'CustomerHungUp':
      return endAll(call, phase, companion, 'caller-hangup', event.atMs, call.customerLegId);
    case 'FlowHungUp':
      return endAll(call, phase, companion, 'system-hangup', event.atMs, undefined);
    case 'HangUpRequested':
      return endAll(call, phase, companion, 'agent-hangup', event.atMs, undefined);
    case 'LegFailed':
      if (event.legId === companion.legId)
        return companion.isAnswered
          ? companionLeft(call, phase, companion, event.atMs, [{ type: 'HangUpLeg', legId: companion.legId }])
          : next(call, { ...phase, companion: undefined }, [
              { type: 'CancelAgentLeg', agentLegId: companion.legId },
            ]);
      return endAll(
        call,
        phase,
        companion,
        event.isSessionExpired === true ? 'session-expired' : 'failed',
        event.atMs,
        undefined,
      );

    case 'HoldRequested':
      // A consultation already holds the customer; with a supervisor or in a conference there is no hold.
      return companion.kind === 'colleague' && companion.mode === 'consult'
        ? unchanged(call)
        : illegal(call, event);
    case 'ResumeRequested':
    case 'TransferToQueueRequested':
    case 'BlindTransferRequested':
    case 'TransferToFlowRequested':
    case 'PhoneTransferredToNumber':
      return illegal(call, event);
    // Not the companion's business: the plain transitions apply.
    case 'Enqueued':
    case 'AgentOffered':
    case 'AgentLegRinging':
    case 'AgentLegAnswered':
    case 'AgentLegFailed':
    case 'OfferWithdrawn':
    case 'ContactConnected':
    case 'QueueLeft':
    case 'QueueVoicemailRequested':
    case 'QueueCallbackAccepted':
    case 'QueueDestinationRequested':
    case 'FlowTransferRequested':
    case 'TransferLegAnswered':
    case 'TransferLegFailed':
    case 'TransferLegHungUp':
      return undefined;
  }
}
