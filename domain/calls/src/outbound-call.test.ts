import type { AgentId, InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { OutboundCall, OutboundCallCommand, OutboundCallEvent } from './outbound-call.ts';
import { nextOutboundCall, startOutboundCall } from './outbound-call.ts';

function run(
  events: readonly OutboundCallEvent[],
  isRecorded = true,
): { call: OutboundCall; commands: OutboundCallCommand[] } {
  let call = startOutboundCall({
    interactionId: 'i-9' as InteractionId,
    agentId: 'agent-lucia' as AgentId,
    agentLegId: 'o1-agent',
    remoteLegId: 'o1-remote',
    isRecorded,
  });
  const commands: OutboundCallCommand[] = [];
  for (const event of events) {
    const result = nextOutboundCall(call, event);
    if (!result.ok) throw new Error(result.error.message);
    call = result.call;
    commands.push(...result.commands);
  }
  return { call, commands };
}

const names = (commands: readonly OutboundCallCommand[]): string[] =>
  commands.map((c) => (c.type === 'RecordFact' ? `${c.type}:${c.fact.type}` : c.type));

describe('a click-to-call', () => {
  it('rings the agent first, then calls the customer with ringback to the agent, then bridges and records', () => {
    const { call, commands } = run([
      { type: 'AgentLegAnswered', atMs: 1_000 },
      { type: 'RemoteLegRinging', atMs: 1_500 },
      { type: 'RemoteLegAnswered', atMs: 6_000 },
      { type: 'RemoteHungUp', atMs: 36_000 },
    ]);
    expect(names(commands)).toEqual([
      'PlayRingback',
      'InviteRemote',
      'StopPlayback',
      'BridgeLegs',
      'StartRecording',
      'RecordFact:CallAnswered',
      'StopRecording',
      'EndLeg',
      'RecordFact:CallEnded',
    ]);
    expect(commands).toContainEqual({
      type: 'StartRecording',
      customerLegId: 'o1-remote',
      agentLegId: 'o1-agent',
    });
    expect(commands.at(-1)).toMatchObject({ fact: { cause: 'caller-hangup', talkMs: 30_000 } });
    expect(call.phase.kind).toBe('ended');
  });

  it('ends as session-expired when a leg stops refreshing its session, hanging up the other leg', () => {
    const { call, commands } = run([
      { type: 'AgentLegAnswered', atMs: 1_000 },
      { type: 'RemoteLegAnswered', atMs: 6_000 },
      { type: 'SessionExpired', isAgentLeg: false, atMs: 66_000 },
    ]);
    expect(names(commands).slice(-3)).toEqual(['StopRecording', 'EndLeg', 'RecordFact:CallEnded']);
    expect(commands.at(-2)).toEqual({ type: 'EndLeg', legId: 'o1-agent' });
    expect(commands.at(-1)).toMatchObject({ fact: { cause: 'session-expired', talkMs: 60_000 } });
    expect(call.phase.kind).toBe('ended');
    const fromAgent = run([
      { type: 'AgentLegAnswered', atMs: 1_000 },
      { type: 'RemoteLegAnswered', atMs: 6_000 },
      { type: 'SessionExpired', isAgentLeg: true, atMs: 9_000 },
    ]);
    expect(fromAgent.commands).toContainEqual({ type: 'EndLeg', legId: 'o1-remote' });
  });

  it('records a busy customer and hangs up the agent phone', () => {
    const { commands } = run([
      { type: 'AgentLegAnswered', atMs: 1_000 },
      { type: 'RemoteLegFailed', statusCode: 486, atMs: 2_000 },
    ]);
    expect(names(commands).slice(2)).toEqual(['EndLeg', 'RecordFact:CallEnded']);
    expect(commands.at(-1)).toMatchObject({ fact: { cause: 'failed', failureStatusCode: 486, talkMs: 0 } });
  });

  it('never calls the customer when the agent does not pick up', () => {
    const { commands } = run([{ type: 'AgentLegFailed', statusCode: 408, atMs: 30_000 }]);
    expect(names(commands)).toEqual(['RecordFact:CallEnded']);
  });

  it('cancels the customer leg when the agent hangs up while it rings, and does not record internal calls', () => {
    const { commands } = run(
      [
        { type: 'AgentLegAnswered', atMs: 1_000 },
        { type: 'AgentHungUp', atMs: 4_000 },
        { type: 'RemoteLegAnswered', atMs: 4_100 },
      ],
      false,
    );
    expect(names(commands)).toEqual(['PlayRingback', 'InviteRemote', 'EndLeg', 'RecordFact:CallEnded']);
  });
});
