import type { AgentId, InteractionId } from '@centralita/kernel';
import type { CallEndCause, IllegalCallTransition } from './inbound-call.ts';

/**
 * A call an agent places from the desktop (click-to-call): the agent's own phone rings first; once the
 * agent picks up, the other party is called (a number through a trunk, or a colleague's extension) while
 * the agent hears ringback; when it answers, the two legs are bridged.
 */
export type OutboundCallPhase =
  | { readonly kind: 'ringingAgent' }
  | { readonly kind: 'dialing' }
  | { readonly kind: 'connected'; readonly connectedAtMs: number }
  | { readonly kind: 'ended'; readonly cause: CallEndCause; readonly endedAtMs: number };

export interface OutboundCall {
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
  readonly agentLegId: string;
  readonly remoteLegId: string;
  /** Record the conversation once both answer (outbound to customers; never internal calls). */
  readonly isRecorded: boolean;
  readonly phase: OutboundCallPhase;
}

export type OutboundCallEvent =
  | { readonly type: 'AgentLegAnswered'; readonly atMs: number }
  | { readonly type: 'AgentLegFailed'; readonly statusCode: number; readonly atMs: number }
  | { readonly type: 'RemoteLegRinging'; readonly atMs: number }
  | { readonly type: 'RemoteLegAnswered'; readonly atMs: number }
  | { readonly type: 'RemoteLegFailed'; readonly statusCode: number; readonly atMs: number }
  | { readonly type: 'AgentHungUp'; readonly atMs: number }
  | { readonly type: 'RemoteHungUp'; readonly atMs: number }
  /** Nobody refreshed the session of a leg (RFC 4028): we already sent its BYE. */
  | { readonly type: 'SessionExpired'; readonly isAgentLeg: boolean; readonly atMs: number }
  /** The desktop's hang-up button, or a leg that lost its media. */
  | { readonly type: 'HangUpRequested'; readonly atMs: number };

export type OutboundCallCommand =
  | { readonly type: 'InviteRemote'; readonly remoteLegId: string }
  | { readonly type: 'PlayRingback'; readonly legId: string }
  | { readonly type: 'StopPlayback'; readonly legId: string }
  | { readonly type: 'BridgeLegs'; readonly agentLegId: string; readonly remoteLegId: string }
  | { readonly type: 'StartRecording'; readonly customerLegId: string; readonly agentLegId: string }
  | { readonly type: 'StopRecording' }
  /** CANCEL while unanswered, BYE once answered. */
  | { readonly type: 'EndLeg'; readonly legId: string }
  | { readonly type: 'RecordFact'; readonly fact: OutboundCallFact };

export type OutboundCallFact =
  | { readonly type: 'CallAnswered'; readonly by: 'customer'; readonly atMs: number }
  | {
      readonly type: 'CallEnded';
      readonly cause: CallEndCause;
      readonly agentId: AgentId;
      /** The other party's final answer when the call never connected (486 busy, 480, 408...). */
      readonly failureStatusCode: number | undefined;
      readonly talkMs: number;
      readonly heldMs: number;
      readonly atMs: number;
    };

export type OutboundCallTransition =
  | { readonly ok: true; readonly call: OutboundCall; readonly commands: readonly OutboundCallCommand[] }
  | { readonly ok: false; readonly error: IllegalCallTransition };

/** A new click-to-call: the caller has already sent the INVITE to the agent's phone. */
export function startOutboundCall(input: Omit<OutboundCall, 'phase'>): OutboundCall {
  return { ...input, phase: { kind: 'ringingAgent' } };
}

function end(
  call: OutboundCall,
  cause: CallEndCause,
  atMs: number,
  commands: readonly OutboundCallCommand[],
  failureStatusCode?: number,
): OutboundCallTransition {
  const talkMs = call.phase.kind === 'connected' ? atMs - call.phase.connectedAtMs : 0;
  return {
    ok: true,
    call: { ...call, phase: { kind: 'ended', cause, endedAtMs: atMs } },
    commands: [
      ...commands,
      {
        type: 'RecordFact',
        fact: { type: 'CallEnded', cause, agentId: call.agentId, failureStatusCode, talkMs, heldMs: 0, atMs },
      },
    ],
  };
}

/**
 * The transition function of a click-to-call (pure). Either side hanging up ends the other; a failure of
 * the other party (busy, no answer) hangs up the agent's phone after the failure is recorded.
 */
export function nextOutboundCall(call: OutboundCall, event: OutboundCallEvent): OutboundCallTransition {
  const phase = call.phase;
  const unchanged: OutboundCallTransition = { ok: true, call, commands: [] };
  if (phase.kind === 'ended') return unchanged;
  const stopRecording: OutboundCallCommand[] = call.isRecorded ? [{ type: 'StopRecording' }] : [];
  switch (event.type) {
    case 'AgentLegAnswered':
      if (phase.kind !== 'ringingAgent') return unchanged;
      return {
        ok: true,
        call: { ...call, phase: { kind: 'dialing' } },
        commands: [
          { type: 'PlayRingback', legId: call.agentLegId },
          { type: 'InviteRemote', remoteLegId: call.remoteLegId },
        ],
      };
    case 'AgentLegFailed':
      if (phase.kind !== 'ringingAgent') return unchanged;
      return end(call, 'failed', event.atMs, [], event.statusCode);
    case 'RemoteLegRinging':
      return unchanged;
    case 'RemoteLegAnswered': {
      if (phase.kind !== 'dialing')
        return { ok: true, call, commands: [{ type: 'EndLeg', legId: call.remoteLegId }] };
      return {
        ok: true,
        call: { ...call, phase: { kind: 'connected', connectedAtMs: event.atMs } },
        commands: [
          { type: 'StopPlayback', legId: call.agentLegId },
          { type: 'BridgeLegs', agentLegId: call.agentLegId, remoteLegId: call.remoteLegId },
          ...(call.isRecorded
            ? [
                {
                  type: 'StartRecording' as const,
                  customerLegId: call.remoteLegId,
                  agentLegId: call.agentLegId,
                },
              ]
            : []),
          { type: 'RecordFact', fact: { type: 'CallAnswered', by: 'customer', atMs: event.atMs } },
        ],
      };
    }
    case 'RemoteLegFailed':
      if (phase.kind !== 'dialing') return unchanged;
      return end(call, 'failed', event.atMs, [{ type: 'EndLeg', legId: call.agentLegId }], event.statusCode);
    case 'AgentHungUp':
      return end(call, 'agent-hangup', event.atMs, [
        ...stopRecording,
        ...(phase.kind === 'ringingAgent' ? [] : [{ type: 'EndLeg' as const, legId: call.remoteLegId }]),
      ]);
    case 'RemoteHungUp':
      return end(call, 'caller-hangup', event.atMs, [
        ...stopRecording,
        { type: 'EndLeg', legId: call.agentLegId },
      ]);
    case 'SessionExpired':
      return end(call, 'session-expired', event.atMs, [
        ...stopRecording,
        { type: 'EndLeg', legId: event.isAgentLeg ? call.remoteLegId : call.agentLegId },
      ]);
    case 'HangUpRequested':
      return end(call, 'agent-hangup', event.atMs, [
        ...stopRecording,
        { type: 'EndLeg', legId: call.agentLegId },
        ...(phase.kind === 'ringingAgent' ? [] : [{ type: 'EndLeg' as const, legId: call.remoteLegId }]),
      ]);
  }
}
