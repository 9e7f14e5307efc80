import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { InboundCall, InboundCallCommand, InboundCallEvent } from './inbound-call.ts';
import { nextInboundCall, startInboundCall } from './inbound-call.ts';

const queueId = 'q-support' as QueueId;
const lucia = 'agent-lucia' as AgentId;
const marta = 'lead-marta' as AgentId;
const carlos = 'agent-carlos' as AgentId;

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

function attempt(call: InboundCall, event: InboundCallEvent) {
  return nextInboundCall(call, event);
}

function types(commands: readonly InboundCallCommand[]): string[] {
  return commands.map((command) =>
    command.type === 'TellRouting'
      ? `TellRouting:${command.event.type}`
      : command.type === 'RecordFact'
        ? `RecordFact:${command.fact.type}`
        : command.type === 'JoinConference' || command.type === 'SetConferenceMode'
          ? `${command.type}:${command.mode}`
          : command.type,
  );
}

const connected: InboundCallEvent[] = [
  { type: 'Enqueued', queueId, atMs: 1_000 },
  { type: 'AgentOffered', agentId: lucia, atMs: 1_010 },
  { type: 'AgentLegAnswered', agentLegId: 'c1-a1', atMs: 5_000 },
  { type: 'ContactConnected', agentId: lucia, atMs: 5_001 },
];

const supervised: InboundCallEvent[] = [
  ...connected,
  { type: 'CompanionRequested', kind: 'supervisor', userId: marta, mode: 'listen', atMs: 10_000 },
  { type: 'CompanionLegAnswered', legId: 'c1-s2', atMs: 12_000 },
];

const consulting: InboundCallEvent[] = [
  ...connected,
  { type: 'CompanionRequested', kind: 'colleague', userId: carlos, mode: 'consult', atMs: 20_000 },
  { type: 'CompanionLegAnswered', legId: 'c1-s2', atMs: 21_000 },
];

describe('a supervisor on a call', () => {
  it('rings the supervisor, then joins the three legs in a listening conference', () => {
    const before = run(connected);
    const { call, commands } = run(supervised);
    expect(types(commands.slice(before.commands.length))).toEqual([
      'InviteCompanion',
      'JoinConference:listen',
      'RecordFact:SupervisionStarted',
    ]);
    expect(commands).toContainEqual({
      type: 'JoinConference',
      customerLegId: 'c1',
      agentLegId: 'c1-a1',
      companionLegId: 'c1-s2',
      mode: 'listen',
    });
    expect(call.phase).toMatchObject({
      kind: 'connected',
      agentId: lucia,
      companion: { kind: 'supervisor', userId: marta, mode: 'listen', isAnswered: true },
    });
  });

  it('switches to whisper and barge, and records each change', () => {
    const { call, commands } = run([
      ...supervised,
      { type: 'CompanionModeRequested', mode: 'whisper', atMs: 13_000 },
      { type: 'CompanionModeRequested', mode: 'barge', atMs: 14_000 },
    ]);
    expect(types(commands).slice(-4)).toEqual([
      'SetConferenceMode:whisper',
      'RecordFact:SupervisionModeChanged',
      'SetConferenceMode:barge',
      'RecordFact:SupervisionModeChanged',
    ]);
    expect(call.phase).toMatchObject({ companion: { mode: 'barge' } });
  });

  it('goes back to a plain bridge when the supervisor hangs up, recording how long they stayed', () => {
    const { call, commands } = run([
      ...supervised,
      { type: 'CompanionHungUp', legId: 'c1-s2', atMs: 42_000 },
    ]);
    expect(types(commands).slice(-3)).toEqual([
      'LeaveConference',
      'BridgeLegs',
      'RecordFact:SupervisionEnded',
    ]);
    expect(commands.at(-1)).toMatchObject({ fact: { supervisorId: marta, durationMs: 30_000 } });
    expect(call.phase).toMatchObject({ kind: 'connected', agentLegId: 'c1-a1', companion: undefined });
  });

  it('hands the customer to the supervisor on takeover: the agent leaves and goes to after-call work', () => {
    const { call, commands } = run([...supervised, { type: 'AgentLeaveRequested', atMs: 30_000 }]);
    expect(types(commands).slice(-7)).toEqual([
      'StopRecording',
      'LeaveConference',
      'HangUpLeg',
      'BridgeLegs',
      'StartRecording',
      'RecordFact:CallTakenOver',
      'TellRouting:ContactEnded',
    ]);
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    expect(commands.at(-2)).toMatchObject({
      fact: { fromAgentId: lucia, supervisorId: marta, talkMs: 24_999 },
    });
    expect(call.phase).toMatchObject({
      kind: 'connected',
      agentId: marta,
      agentLegId: 'c1-s2',
      isAcdContact: false,
    });

    // When the customer later hangs up, the ACD is not told twice.
    const end = attempt(call, { type: 'CustomerHungUp', atMs: 60_000 });
    expect(end.ok && types(end.commands)).toEqual(['StopRecording', 'HangUpLeg', 'RecordFact:CallEnded']);
  });

  it('hangs up every leg when the customer hangs up while supervised', () => {
    const { call, commands } = run([...supervised, { type: 'CustomerHungUp', atMs: 20_000 }]);
    expect(call.phase.kind).toBe('ended');
    const hangUps = commands
      .filter((command) => command.type === 'HangUpLeg')
      .map((command) => command.legId);
    expect(hangUps).toEqual(['c1-a1', 'c1-s2']);
    expect(types(commands)).toContain('TellRouting:ContactEnded');
    expect(types(commands)).toContain('RecordFact:SupervisionEnded');
  });

  it('cancels a supervisor phone that still rings when the call ends', () => {
    const { commands } = run([
      ...connected,
      { type: 'CompanionRequested', kind: 'supervisor', userId: marta, mode: 'whisper', atMs: 10_000 },
      { type: 'HangUpRequested', atMs: 11_000 },
    ]);
    expect(commands).toContainEqual({ type: 'CancelAgentLeg', agentLegId: 'c1-s2' });
  });

  it('records an unreachable supervisor and leaves the call as it was', () => {
    const { call, commands } = run([
      ...connected,
      { type: 'CompanionRequested', kind: 'supervisor', userId: marta, mode: 'listen', atMs: 10_000 },
      { type: 'CompanionLegFailed', legId: 'c1-s2', statusCode: 486, atMs: 11_000 },
    ]);
    expect(commands.at(-1)).toMatchObject({
      fact: { type: 'CompanionUnreachable', statusCode: 486, userId: marta },
    });
    expect(call.phase).toMatchObject({ kind: 'connected', companion: undefined });
  });

  it('refuses a second companion, hold during supervision, and supervision of a call not connected', () => {
    const { call } = run(supervised);
    expect(attempt(call, { type: 'HoldRequested', atMs: 1 }).ok).toBe(false);
    expect(attempt(call, { type: 'TransferToQueueRequested', queueId, atMs: 1 }).ok).toBe(false);
    expect(
      attempt(call, {
        type: 'CompanionRequested',
        kind: 'colleague',
        userId: carlos,
        mode: 'consult',
        atMs: 1,
      }).ok,
    ).toBe(false);
    expect(attempt(call, { type: 'CompanionModeRequested', mode: 'conference', atMs: 1 }).ok).toBe(false);
    const queued = run(connected.slice(0, 1)).call;
    expect(
      attempt(queued, {
        type: 'CompanionRequested',
        kind: 'supervisor',
        userId: marta,
        mode: 'listen',
        atMs: 1,
      }).ok,
    ).toBe(false);
  });
});

describe('consulting a colleague', () => {
  it('holds the customer with music and bridges the agent with the colleague', () => {
    const before = run(connected);
    const { call, commands } = run(consulting);
    expect(types(commands.slice(before.commands.length))).toEqual([
      'HoldCustomer',
      'RecordFact:CallHeld',
      'InviteCompanion',
      'BridgePair',
      'RecordFact:ConsultStarted',
    ]);
    expect(commands).toContainEqual({ type: 'BridgePair', legIds: ['c1-a1', 'c1-s2'] });
    expect(call.phase).toMatchObject({ isHeld: true, companion: { kind: 'colleague', mode: 'consult' } });
  });

  it('turns the consultation into a three-way conference, taking the customer off hold', () => {
    const { call, commands } = run([
      ...consulting,
      { type: 'CompanionModeRequested', mode: 'conference', atMs: 25_000 },
    ]);
    expect(types(commands).slice(-5)).toEqual([
      'UnbridgeLeg',
      'StopMusicOnHold',
      'JoinConference:barge',
      'RecordFact:CallResumed',
      'RecordFact:ConferenceStarted',
    ]);
    expect(call.phase).toMatchObject({ isHeld: false, heldMs: 5_000, companion: { mode: 'conference' } });
  });

  it('completes an attended transfer: the colleague gets the customer and the first agent leaves', () => {
    const { call, commands } = run([...consulting, { type: 'AgentLeaveRequested', atMs: 30_000 }]);
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
    expect(commands).toContainEqual({ type: 'BridgeLegs', customerLegId: 'c1', agentLegId: 'c1-s2' });
    const transferred = commands.find(
      (command) => command.type === 'RecordFact' && command.fact.type === 'CallTransferred',
    );
    expect(transferred).toMatchObject({ fact: { kind: 'attended', targetKind: 'agent', targetId: carlos } });
    expect(call.phase).toMatchObject({
      agentId: carlos,
      agentLegId: 'c1-s2',
      isHeld: false,
      companion: undefined,
    });
  });

  it('completes an attended transfer the phone made on a call of its own (REFER with Replaces)', () => {
    const { call, commands } = run([
      ...connected,
      { type: 'HoldRequested', atMs: 10_000 },
      {
        type: 'AttendedTransferFromPhone',
        colleagueId: carlos,
        legId: 'p7-t1',
        consultedAtMs: 14_000,
        atMs: 30_000,
      },
    ]);
    expect(types(commands).slice(-10)).toEqual([
      'RecordFact:ConsultStarted',
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
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    expect(commands).toContainEqual({ type: 'BridgeLegs', customerLegId: 'c1', agentLegId: 'p7-t1' });
    expect(commands).toContainEqual({
      type: 'RecordFact',
      fact: { type: 'ConsultStarted', agentId: lucia, colleagueId: carlos, atMs: 14_000 },
    });
    expect(commands.at(-2)).toMatchObject({
      fact: { kind: 'attended', targetKind: 'agent', targetId: carlos, fromAgentId: lucia },
    });
    expect(call.phase).toMatchObject({
      agentId: carlos,
      agentLegId: 'p7-t1',
      isHeld: false,
      isAcdContact: false,
    });

    // The colleague hanging up later ends the call as the agent's hangup would.
    const end = attempt(call, { type: 'AgentHungUp', agentLegId: 'p7-t1', atMs: 60_000 });
    expect(end.ok && end.call.phase).toMatchObject({ kind: 'ended', cause: 'agent-hangup' });
  });

  it('refuses a phone transfer while a third party is on the call or before the call is connected', () => {
    const phoneTransfer: InboundCallEvent = {
      type: 'AttendedTransferFromPhone',
      colleagueId: carlos,
      legId: 'p7-t1',
      consultedAtMs: 14_000,
      atMs: 30_000,
    };
    expect(attempt(run(consulting).call, phoneTransfer).ok).toBe(false);
    expect(attempt(run(connected.slice(0, 2)).call, phoneTransfer).ok).toBe(false);
  });

  it('leaves the customer on hold for the agent when the colleague hangs up', () => {
    const { call, commands } = run([
      ...consulting,
      { type: 'CompanionHungUp', legId: 'c1-s2', atMs: 40_000 },
    ]);
    expect(types(commands).slice(-2)).toEqual(['UnbridgeLeg', 'RecordFact:ConsultEnded']);
    expect(call.phase).toMatchObject({ isHeld: true, companion: undefined });
    const resumed = attempt(call, { type: 'ResumeRequested', atMs: 41_000 });
    expect(resumed.ok && types(resumed.commands)).toEqual(['ResumeCustomer', 'RecordFact:CallResumed']);
  });

  it('lets the customer and the colleague carry on when the agent hangs up during a conference', () => {
    const { call, commands } = run([
      ...consulting,
      { type: 'CompanionModeRequested', mode: 'conference', atMs: 25_000 },
      { type: 'AgentHungUp', agentLegId: 'c1-a1', atMs: 50_000 },
    ]);
    expect(call.phase).toMatchObject({ kind: 'connected', agentId: carlos });
    // The agent's phone already hung up: no BYE is sent to it.
    expect(commands.slice(-8)).not.toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
  });

  it('ends the whole call when the agent hangs up during a consultation', () => {
    const { call, commands } = run([
      ...consulting,
      { type: 'AgentHungUp', agentLegId: 'c1-a1', atMs: 50_000 },
    ]);
    expect(call.phase).toMatchObject({ kind: 'ended', cause: 'agent-hangup' });
    const hangUps = commands
      .filter((command) => command.type === 'HangUpLeg')
      .map((command) => command.legId);
    expect(hangUps).toEqual(['c1', 'c1-s2']);
  });
});

describe('a blind transfer to an extension or a number', () => {
  const target = { kind: 'extension', extension: '1002' } as const;

  it('releases the agent at once, holds the customer with music and rings the target; the answer bridges them', () => {
    const before = run(connected);
    const { call, commands } = run([
      ...connected,
      { type: 'BlindTransferRequested', target, atMs: 20_000 },
      { type: 'TransferLegAnswered', legId: 'c1-t2', atMs: 25_000 },
    ]);
    expect(types(commands.slice(before.commands.length))).toEqual([
      'StopRecording',
      'HangUpLeg',
      'HoldCustomer',
      'RecordFact:CallTransferred',
      'TellRouting:ContactEnded',
      'InviteTransferTarget',
      'StopMusicOnHold',
      'BridgeLegs',
      'StartRecording',
      'TellIvr',
    ]);
    expect(commands).toContainEqual({ type: 'HangUpLeg', legId: 'c1-a1' });
    const transferred = commands.find(
      (command) => command.type === 'RecordFact' && command.fact.type === 'CallTransferred',
    );
    expect(transferred).toMatchObject({
      fact: { kind: 'blind', targetKind: 'extension', targetId: '1002', talkMs: 14_999 },
    });
    expect(call.phase).toMatchObject({ kind: 'transferred', legId: 'c1-t2', isConnected: true });
  });

  it('puts the caller back in the queue when nobody answers the transfer', () => {
    const { call, commands } = run([
      ...connected,
      { type: 'BlindTransferRequested', target: { kind: 'external', number: '+34612001122' }, atMs: 20_000 },
      { type: 'TransferLegFailed', legId: 'c1-t2', statusCode: 486, atMs: 22_000 },
    ]);
    expect(call.phase).toEqual({ kind: 'queued', queueId, queuedAtMs: 22_000 });
    expect(types(commands).at(-1)).toBe('TellRouting:ContactArrived');
  });

  it('is refused while a third party is on the call', () => {
    const { call } = run(supervised);
    expect(nextInboundCall(call, { type: 'BlindTransferRequested', target, atMs: 1 }).ok).toBe(false);
  });
});
