import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { InboundCall, InboundCallCommand, InboundCallEvent } from './inbound-call.ts';
import { adoptConnectedCall, nextInboundCall, startInboundCall } from './inbound-call.ts';

const queueId = 'q-support' as QueueId;
const lucia = 'agent-lucia' as AgentId;
const pablo = 'agent-pablo' as AgentId;

function run(
  events: readonly InboundCallEvent[],
  isRecorded = true,
): { call: InboundCall; commands: InboundCallCommand[] } {
  let call = startInboundCall({ interactionId: 'i-1' as InteractionId, customerLegId: 'c1', isRecorded });
  const commands: InboundCallCommand[] = [];
  for (const event of events) {
    const result = nextInboundCall(call, event);
    if (!result.ok) throw new Error(result.error.message);
    call = result.call;
    commands.push(...result.commands);
  }
  return { call, commands };
}

function types(commands: readonly InboundCallCommand[]): string[] {
  return commands.map((command) =>
    command.type === 'TellRouting'
      ? `TellRouting:${command.event.type}`
      : command.type === 'TellIvr'
        ? `TellIvr:${command.event}`
        : command.type === 'RecordFact'
          ? `RecordFact:${command.fact.type}`
          : command.type,
  );
}

const answered: InboundCallEvent[] = [
  { type: 'Enqueued', queueId, atMs: 1_000 },
  { type: 'AgentOffered', agentId: lucia, atMs: 1_010 },
  { type: 'AgentLegRinging', agentLegId: 'c1-a1', atMs: 1_100 },
  { type: 'AgentLegAnswered', agentLegId: 'c1-a1', atMs: 5_000 },
  { type: 'ContactConnected', agentId: lucia, atMs: 5_001 },
];

describe('an inbound call through a queue to an agent', () => {
  it('plays music while queued, calls the offered agent, then bridges and records once the ACD connects', () => {
    const { call, commands } = run(answered);
    expect(types(commands)).toEqual([
      'PlayMusicOnHold',
      'TellRouting:ContactArrived',
      'InviteAgent',
      'TellRouting:OfferAccepted',
      'StopMusicOnHold',
      'BridgeLegs',
      'StartRecording',
      'TellIvr:AnsweredByAgent',
    ]);
    expect(call.phase).toMatchObject({ kind: 'connected', agentId: lucia, agentLegId: 'c1-a1' });
  });

  it('does not record when the policy says not to', () => {
    expect(types(run(answered, false).commands)).not.toContain('StartRecording');
  });

  it('ends both legs when the customer hangs up, with talk and hold time on the call record', () => {
    const { call, commands } = run([
      ...answered,
      { type: 'HoldRequested', atMs: 10_001 },
      { type: 'ResumeRequested', atMs: 13_001 },
      { type: 'CustomerHungUp', atMs: 65_001 },
    ]);
    expect(call.phase).toEqual({ kind: 'ended', cause: 'caller-hangup', endedAtMs: 65_001 });
    const ending = commands.slice(-4);
    // The recording is closed before any leg ends, so it keeps both sides to the last frame.
    expect(types(ending)).toEqual([
      'StopRecording',
      'HangUpLeg',
      'TellRouting:ContactEnded',
      'RecordFact:CallEnded',
    ]);
    expect(ending[1]).toEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    expect(ending[3]).toEqual({
      type: 'RecordFact',
      fact: {
        type: 'CallEnded',
        cause: 'caller-hangup',
        agentId: lucia,
        talkMs: 60_000,
        heldMs: 3_000,
        atMs: 65_001,
      },
    });
  });

  it('hangs up the customer when the agent hangs up', () => {
    const { call, commands } = run([...answered, { type: 'AgentHungUp', agentLegId: 'c1-a1', atMs: 9_001 }]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'agent-hangup' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1' });
  });

  it('hangs up both phones when the agent hangs up from the desktop', () => {
    const { call, commands } = run([...answered, { type: 'HangUpRequested', atMs: 9_001 }]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'agent-hangup' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
  });

  it('counts a hold still running at hangup', () => {
    const { commands } = run([
      ...answered,
      { type: 'HoldRequested', atMs: 6_001 },
      { type: 'AgentHungUp', agentLegId: 'c1-a1', atMs: 8_001 },
    ]);
    expect(commands.at(-1)).toMatchObject({ fact: { heldMs: 2_000, talkMs: 3_000 } });
  });
});

describe('transfer to a flow', () => {
  it('releases the agent and runs the flow for the caller, who can be queued again by it', () => {
    const { call, commands } = run([
      ...answered,
      { type: 'HoldRequested', atMs: 20_000 },
      { type: 'TransferToFlowRequested', flowKey: 'encuesta', atMs: 35_001 },
    ]);
    expect(types(commands).slice(-6)).toEqual([
      'StopRecording',
      'HangUpLeg',
      'StopMusicOnHold',
      'RecordFact:CallTransferred',
      'TellRouting:ContactEnded',
      'StartFlow',
    ]);
    expect(commands.at(-1)).toEqual({ type: 'StartFlow', flowKey: 'encuesta' });
    expect(
      commands.find((command) => command.type === 'RecordFact' && command.fact.type === 'CallTransferred'),
    ).toMatchObject({
      fact: { targetKind: 'flow', targetId: 'encuesta', talkMs: 30_000, fromAgentId: lucia },
    });
    expect(call.phase).toEqual({ kind: 'ivr' });
    // The flow may queue the caller again.
    const requeued = nextInboundCall(call, { type: 'Enqueued', queueId, atMs: 40_000 });
    expect(requeued.ok && requeued.call.phase).toMatchObject({ kind: 'queued', queueId });
    const waiting = run([{ type: 'Enqueued', queueId, atMs: 1_000 }]);
    const refused = nextInboundCall(waiting.call, {
      type: 'TransferToFlowRequested',
      flowKey: 'encuesta',
      atMs: 2_000,
    });
    expect(refused.ok).toBe(false);
  });
});

describe('blind transfer to a queue', () => {
  it('closes the first agent’s part and queues the caller again, then connects the next agent on a new leg', () => {
    const support2 = 'q-billing' as QueueId;
    const { call, commands } = run([
      ...answered,
      { type: 'TransferToQueueRequested', queueId: support2, atMs: 35_001 },
      { type: 'AgentOffered', agentId: pablo, atMs: 35_010 },
      { type: 'AgentLegAnswered', agentLegId: 'c1-a2', atMs: 38_000 },
      { type: 'ContactConnected', agentId: pablo, atMs: 38_001 },
    ]);
    expect(types(commands).slice(8)).toEqual([
      'StopRecording',
      'HangUpLeg',
      'PlayMusicOnHold',
      'RecordFact:CallTransferred',
      'TellRouting:ContactTransferred',
      'InviteAgent',
      'TellRouting:OfferAccepted',
      'StopMusicOnHold',
      'BridgeLegs',
      'StartRecording',
      'TellIvr:AnsweredByAgent',
    ]);
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    const transferred = commands.find(
      (command) => command.type === 'RecordFact' && command.fact.type === 'CallTransferred',
    );
    expect(transferred).toMatchObject({
      fact: { type: 'CallTransferred', talkMs: 30_000, fromAgentId: lucia },
    });
    expect(call.phase).toMatchObject({
      kind: 'connected',
      agentId: pablo,
      agentLegId: 'c1-a2',
      queueId: support2,
    });
  });

  it('cannot transfer a call that is not with an agent', () => {
    const start = startInboundCall({
      interactionId: 'i-1' as InteractionId,
      customerLegId: 'c1',
      isRecorded: true,
    });
    expect(nextInboundCall(start, { type: 'TransferToQueueRequested', queueId, atMs: 1 }).ok).toBe(false);
  });
});

describe('transfer from the flow to an extension or a number', () => {
  const target = { kind: 'extension', extension: '1002' } as const;

  it('plays music while the other phone rings, bridges and records when it answers, and tells the flow', () => {
    const { call, commands } = run([
      { type: 'FlowTransferRequested', target, atMs: 0 },
      { type: 'TransferLegAnswered', legId: 'c1-t1', atMs: 3_000 },
      { type: 'CustomerHungUp', atMs: 33_000 },
    ]);
    expect(types(commands)).toEqual([
      'PlayMusicOnHold',
      'InviteTransferTarget',
      'StopMusicOnHold',
      'BridgeLegs',
      'StartRecording',
      'TellIvr:TransferCompleted',
      'StopRecording',
      'HangUpLeg',
      'RecordFact:CallEnded',
    ]);
    expect(commands).toContainEqual({ type: 'InviteTransferTarget', legId: 'c1-t1', target });
    expect(commands.at(-1)).toMatchObject({ fact: { cause: 'caller-hangup', talkMs: 30_000 } });
    expect(call.phase.kind).toBe('ended');
  });

  it('gives the call back to the flow when the other party is busy', () => {
    const { call, commands } = run([
      { type: 'FlowTransferRequested', target, atMs: 0 },
      { type: 'TransferLegFailed', legId: 'c1-t1', statusCode: 486, atMs: 500 },
    ]);
    expect(types(commands).slice(2)).toEqual(['StopMusicOnHold', 'TellIvr:TransferFailed']);
    expect(call.phase).toEqual({ kind: 'ivr' });
  });

  it('cancels the ringing phone when the caller hangs up, and hangs up the caller when the other party does', () => {
    const early = run([
      { type: 'FlowTransferRequested', target, atMs: 0 },
      { type: 'CustomerHungUp', atMs: 2_000 },
    ]);
    expect(early.commands).toContainEqual({ type: 'CancelAgentLeg', agentLegId: 'c1-t1' });
    const later = run([
      { type: 'FlowTransferRequested', target, atMs: 0 },
      { type: 'TransferLegAnswered', legId: 'c1-t1', atMs: 1_000 },
      { type: 'TransferLegHungUp', legId: 'c1-t1', atMs: 9_000 },
    ]);
    expect(later.commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1' });
    expect(later.call.phase).toMatchObject({ kind: 'ended', cause: 'agent-hangup' });
  });
});

describe('failure paths', () => {
  it('tells the ACD the agent declined when their phone is busy, and calls the next agent on a new leg', () => {
    const { call, commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'AgentLegFailed', agentLegId: 'c1-a1', statusCode: 486, atMs: 50 },
      { type: 'AgentOffered', agentId: pablo, atMs: 51 },
    ]);
    expect(types(commands)).toEqual([
      'PlayMusicOnHold',
      'TellRouting:ContactArrived',
      'InviteAgent',
      'TellRouting:OfferDeclined',
      'InviteAgent',
    ]);
    expect(call.phase).toMatchObject({ kind: 'offering', agentId: pablo, agentLegId: 'c1-a2' });
  });

  it('tells the ACD the offer never reached the agent when no phone was rung (none registered, or a server failure)', () => {
    const tellings = (notRung: 'no-phone' | 'server' | undefined) =>
      run([
        { type: 'Enqueued', queueId, atMs: 0 },
        { type: 'AgentOffered', agentId: lucia, atMs: 1 },
        {
          type: 'AgentLegFailed',
          agentLegId: 'c1-a1',
          statusCode: notRung === 'no-phone' ? 480 : 503,
          atMs: 5,
          ...(notRung === undefined ? {} : { notRung }),
        },
      ]).commands.filter((command) => command.type === 'TellRouting');
    expect(tellings('no-phone')).toContainEqual({
      type: 'TellRouting',
      event: { type: 'OfferDeclined', agentId: lucia, unreachable: 'no-phone' },
    });
    expect(tellings('server')).toContainEqual({
      type: 'TellRouting',
      event: { type: 'OfferDeclined', agentId: lucia, unreachable: 'server' },
    });
    // A phone's own refusal stays the agent's decline.
    expect(tellings(undefined)).toContainEqual({
      type: 'TellRouting',
      event: { type: 'OfferDeclined', agentId: lucia },
    });
  });

  it('cancels the ringing phone when the ACD withdraws an unanswered offer, and ignores that leg afterwards', () => {
    const { call, commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'OfferWithdrawn', agentId: lucia, atMs: 20_001 },
      { type: 'AgentLegFailed', agentLegId: 'c1-a1', statusCode: 487, atMs: 20_050 },
    ]);
    expect(types(commands).slice(-1)).toEqual(['CancelAgentLeg']);
    expect(call.phase).toMatchObject({ kind: 'queued', queueId, queuedAtMs: 0 });
  });

  it('hangs up a phone that answers after its offer was withdrawn (the 200 crossed the CANCEL)', () => {
    const { commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'OfferWithdrawn', agentId: lucia, atMs: 20_001 },
      { type: 'AgentLegAnswered', agentLegId: 'c1-a1', atMs: 20_002 },
    ]);
    expect(commands.at(-1)).toEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
  });

  it('abandons the contact and cancels the ringing phone when the customer hangs up during the offer', () => {
    const { call, commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'AgentLegRinging', agentLegId: 'c1-a1', atMs: 2 },
      { type: 'CustomerHungUp', atMs: 3_000 },
      // The ACD's own withdrawal and the phone's 487 arrive after the end: nothing more happens.
      { type: 'OfferWithdrawn', agentId: lucia, atMs: 3_001 },
      { type: 'AgentLegFailed', agentLegId: 'c1-a1', statusCode: 487, atMs: 3_050 },
    ]);
    expect(types(commands).slice(3)).toEqual([
      'CancelAgentLeg',
      'TellRouting:ContactAbandoned',
      'TellIvr:CallerHungUp',
      'RecordFact:CallEnded',
    ]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'caller-hangup' });
  });

  it('records an abandoned call in the queue without touching any agent', () => {
    const { commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'CustomerHungUp', atMs: 30_000 },
    ]);
    expect(types(commands).slice(2)).toEqual([
      'TellRouting:ContactAbandoned',
      'TellIvr:CallerHungUp',
      'RecordFact:CallEnded',
    ]);
  });

  it('gives the call back to the flow when the queue overflows, cancelling a pending offer', () => {
    const { call, commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'QueueLeft', atMs: 600_000 },
    ]);
    expect(types(commands).slice(3)).toEqual([
      'CancelAgentLeg',
      'StopMusicOnHold',
      'TellIvr:QueueOverflowed',
    ]);
    expect(call.phase).toEqual({ kind: 'ivr' });
  });

  it('sends a waiting caller to the queue’s voicemail, cancelling a pending offer, and refuses it once connected', () => {
    const waiting = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'QueueVoicemailRequested', atMs: 300_000 },
    ]);
    expect(types(waiting.commands).slice(-2)).toEqual(['StopMusicOnHold', 'StartQueueVoicemail']);
    expect(waiting.commands.at(-1)).toEqual({ type: 'StartQueueVoicemail', queueId });
    expect(waiting.call.phase).toEqual({ kind: 'ivr' });
    const ringing = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'QueueVoicemailRequested', atMs: 300_000 },
    ]);
    expect(types(ringing.commands).slice(-3)).toEqual([
      'CancelAgentLeg',
      'StopMusicOnHold',
      'StartQueueVoicemail',
    ]);
    const connected = nextInboundCall(run(answered).call, { type: 'QueueVoicemailRequested', atMs: 10_000 });
    expect(connected.ok).toBe(false);
  });

  it('confirms a callback the waiting caller took, and a hang-up after it is not an abandonment', () => {
    const accepted = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'QueueCallbackAccepted', atMs: 120_000 },
    ]);
    expect(types(accepted.commands).slice(-3)).toEqual([
      'CancelAgentLeg',
      'StopMusicOnHold',
      'ConfirmQueueCallback',
    ]);
    expect(accepted.commands.at(-1)).toEqual({ type: 'ConfirmQueueCallback', queueId });
    const hungUp = nextInboundCall(accepted.call, { type: 'FlowHungUp', atMs: 125_000 });
    expect(hungUp.ok).toBe(true);
    if (!hungUp.ok) return;
    expect(types(hungUp.commands)).not.toContain('TellRouting:ContactAbandoned');
    expect(hungUp.call.phase).toMatchObject({ kind: 'ended', cause: 'system-hangup' });
    const connected = nextInboundCall(run(answered).call, { type: 'QueueCallbackAccepted', atMs: 10_000 });
    expect(connected.ok).toBe(false);
  });

  it('puts a waiting caller through to the queue’s overflow number without a word to the flow, and ends the call if nobody answers', () => {
    const target = { kind: 'external' as const, number: '+34955000111' };
    const sent = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'QueueDestinationRequested', target, atMs: 300_000 },
    ]);
    expect(sent.commands.at(-1)).toEqual({ type: 'InviteTransferTarget', legId: 'c1-t1', target });
    const answeredThere = nextInboundCall(sent.call, {
      type: 'TransferLegAnswered',
      legId: 'c1-t1',
      atMs: 305_000,
    });
    expect(answeredThere.ok && types(answeredThere.commands)).toEqual([
      'StopMusicOnHold',
      'BridgeLegs',
      'StartRecording',
    ]);
    const unanswered = nextInboundCall(sent.call, {
      type: 'TransferLegFailed',
      legId: 'c1-t1',
      statusCode: 486,
      atMs: 310_000,
    });
    expect(unanswered.ok && types(unanswered.commands)).toEqual([
      'StopMusicOnHold',
      'HangUpLeg',
      'RecordFact:CallEnded',
    ]);
    expect(unanswered.ok && unanswered.call.phase).toMatchObject({ kind: 'ended', cause: 'system-hangup' });
  });

  it('moves on to another agent when the agent leg loses its media before answering', () => {
    const { call, commands } = run([
      { type: 'Enqueued', queueId, atMs: 0 },
      { type: 'AgentOffered', agentId: lucia, atMs: 1 },
      { type: 'LegFailed', legId: 'c1-a1', atMs: 5 },
    ]);
    expect(types(commands).slice(3)).toEqual(['CancelAgentLeg', 'TellRouting:OfferDeclined']);
    expect(call.phase.kind).toBe('queued');
  });

  it('hangs up the customer and ends the contact when the connected agent leg fails', () => {
    const { call, commands } = run([...answered, { type: 'LegFailed', legId: 'c1-a1', atMs: 7_001 }]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'failed' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1' });
    expect(commands).not.toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
  });

  it('ends as session-expired when the customer stopped refreshing the session (RFC 4028 §10), both legs hung up', () => {
    const { call, commands } = run([
      ...answered,
      { type: 'LegFailed', legId: 'c1', atMs: 7_001, isSessionExpired: true },
    ]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'session-expired' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1' });
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    const inIvr = run([{ type: 'LegFailed', legId: 'c1', atMs: 5, isSessionExpired: true }]);
    expect(inIvr.call.phase).toMatchObject({ kind: 'ended', cause: 'session-expired' });
  });

  it('refuses events that do not fit the phase and changes nothing', () => {
    const start = startInboundCall({
      interactionId: 'i-1' as InteractionId,
      customerLegId: 'c1',
      isRecorded: true,
    });
    const result = nextInboundCall(start, { type: 'ContactConnected', agentId: lucia, atMs: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'CALL_UNEXPECTED_EVENT' } });
    const held = nextInboundCall(start, { type: 'HoldRequested', atMs: 1 });
    expect(held.ok).toBe(false);
  });
});

describe('a call the agent placed, adopted connected', () => {
  const adopted = (isAcdContact = false): InboundCall =>
    adoptConnectedCall({
      interactionId: 'i-9' as InteractionId,
      customerLegId: 'o1-remote',
      agentId: lucia,
      agentLegId: 'o1-agent',
      connectedAtMs: 10_000,
      isRecorded: true,
      isAcdContact,
    });
  const step = (call: InboundCall, event: InboundCallEvent): { call: InboundCall; commands: string[] } => {
    const result = nextInboundCall(call, event);
    if (!result.ok) throw new Error(result.error.message);
    return { call: result.call, commands: types(result.commands) };
  };

  it('ends the call when nobody answers its blind transfer (there is no queue to go back to)', () => {
    const transfer = step(adopted(), {
      type: 'BlindTransferRequested',
      target: { kind: 'extension', extension: '1002' },
      atMs: 20_000,
    });
    expect(transfer.commands).toEqual([
      'StopRecording',
      'HangUpLeg',
      'HoldCustomer',
      'RecordFact:CallTransferred',
      'InviteTransferTarget',
    ]);
    const failed = step(transfer.call, {
      type: 'TransferLegFailed',
      legId: 'o1-remote-t1',
      statusCode: 480,
      atMs: 25_000,
    });
    expect(failed.call.phase).toMatchObject({ kind: 'ended', cause: 'system-hangup' });
    expect(failed.commands).toContain('HangUpLeg');
  });

  it('puts the other party in a queue as a new arrival, and a callback the ACD asked for as its own contact', () => {
    const toQueue = { type: 'TransferToQueueRequested', queueId, atMs: 20_000 } as const;
    expect(step(adopted(), toQueue).commands).toContain('TellRouting:ContactArrived');
    expect(step(adopted(true), toQueue).commands).toContain('TellRouting:ContactTransferred');
  });
});

describe('an attended transfer the phone makes to an outside number', () => {
  it('hands the held customer to the number’s leg, records it attended, and ends with that leg', () => {
    const { call, commands } = run([
      ...answered,
      { type: 'HoldRequested', atMs: 8_000 },
      { type: 'PhoneTransferredToNumber', number: '+34911222333', legId: 'p2-t1', atMs: 20_000 },
    ]);
    expect(types(commands).slice(-9)).toEqual([
      'StopRecording',
      'UnbridgeLeg',
      'StopMusicOnHold',
      'HangUpLeg',
      'BridgeLegs',
      'StartRecording',
      'RecordFact:CallResumed',
      'RecordFact:CallTransferred',
      'TellRouting:ContactEnded',
    ]);
    expect(commands).toContainEqual({ type: 'BridgeLegs', customerLegId: 'c1', agentLegId: 'p2-t1' });
    expect(
      commands.find((command) => command.type === 'RecordFact' && command.fact.type === 'CallTransferred'),
    ).toMatchObject({
      fact: { kind: 'attended', targetKind: 'number', targetId: '+34911222333', fromAgentId: lucia },
    });
    expect(call.phase).toMatchObject({ kind: 'transferred', legId: 'p2-t1', isConnected: true });
    const end = nextInboundCall(call, { type: 'TransferLegHungUp', legId: 'p2-t1', atMs: 40_000 });
    expect(end.ok && end.call.phase.kind).toBe('ended');
  });
});
