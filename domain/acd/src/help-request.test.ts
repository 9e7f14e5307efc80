import type { AgentId, InteractionId, UserId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import type { HelpRequest, HelpRequestState, HelpTrigger } from './help-request.ts';
import { helpRequestState, helpTriggerTypes, nextHelpRequest } from './help-request.ts';
import { RoutingHarness } from './routing-harness.ts';

const supervisor = 'lead-1' as UserId;
const requests: Record<HelpRequestState, HelpRequest | undefined> = {
  none: undefined,
  open: { kind: 'open', note: 'cliente pide baja', requestedAtMs: 1_000 },
  attended: {
    kind: 'attended',
    note: 'cliente pide baja',
    requestedAtMs: 1_000,
    supervisorId: supervisor,
    attendedAtMs: 5_000,
  },
};
const triggers: Record<HelpTrigger['type'], HelpTrigger> = {
  ask: { type: 'ask', note: 'otra vez', atMs: 9_000 },
  withdraw: { type: 'withdraw' },
  attend: { type: 'attend', supervisorId: supervisor, atMs: 9_000 },
};

/** Every legal transition; any pair not listed must be refused. */
const legal: Record<HelpRequestState, Partial<Record<HelpTrigger['type'], HelpRequestState>>> = {
  none: { ask: 'open' },
  open: { withdraw: 'none', attend: 'attended' },
  attended: { ask: 'open' },
};

describe('nextHelpRequest', () => {
  const pairs = (Object.keys(requests) as HelpRequestState[]).flatMap((from) =>
    helpTriggerTypes.map((trigger) => [from, trigger] as const),
  );

  it.each(pairs)('from %s on %s', (from, trigger) => {
    const next = nextHelpRequest(requests[from], triggers[trigger]);
    const to = legal[from][trigger];
    if (to === undefined) {
      expect(next).toEqual({
        ok: false,
        error: { kind: 'illegal-transition', machine: 'help-request', from, trigger },
      });
    } else {
      expect(next.ok && helpRequestState(next.value)).toBe(to);
    }
  });

  it('keeps the note and the time of the request when a supervisor attends it', () => {
    const next = nextHelpRequest(requests.open, triggers.attend);
    expect(next).toEqual({
      ok: true,
      value: {
        kind: 'attended',
        note: 'cliente pide baja',
        requestedAtMs: 1_000,
        supervisorId: supervisor,
        attendedAtMs: 9_000,
      },
    });
  });
});

const asked = (agentId: string, contactId: string, note?: string) =>
  ({
    type: 'AgentAskedForHelp',
    agentId: agentId as AgentId,
    contactId: contactId as InteractionId,
    note,
  }) as const;
const withdrew = (agentId: string, contactId: string) =>
  ({
    type: 'AgentWithdrewHelpRequest',
    agentId: agentId as AgentId,
    contactId: contactId as InteractionId,
  }) as const;
const attended = (contactId: string) =>
  ({
    type: 'SupervisorAttendedHelpRequest',
    contactId: contactId as InteractionId,
    supervisorId: supervisor,
  }) as const;

/** An agent on contact c1 of a queue with after-call work until they end it. */
function onContact(): RoutingHarness {
  const h = new RoutingHarness({
    queues: [{ id: 'q', wrapUpMs: null }],
    agents: [{ id: 'a1' }, { id: 'a2' }],
  });
  h.login('a1');
  h.arrive('c1', 'q');
  h.accept('c1', 'a1');
  return h;
}

function helpOf(h: RoutingHarness, agentId: string, contactId: string): HelpRequest | undefined {
  return h.state.agents.get(agentId as AgentId)?.work.get(contactId as InteractionId)?.help;
}

describe('help requests in the routing engine', () => {
  it('records a request on the agent’s work, withdrawn by the agent or attended by a supervisor', () => {
    const h = onContact();
    h.advanceBy(10_000);
    expect(h.send(asked('a1', 'c1', 'quiere hablar con un responsable')).rejection).toBeUndefined();
    expect(helpOf(h, 'a1', 'c1')).toEqual({
      kind: 'open',
      note: 'quiere hablar con un responsable',
      requestedAtMs: h.nowMs,
    });
    expect(h.send(asked('a1', 'c1')).rejection?.code).toBe('ACD_ILLEGAL_TRANSITION');
    h.advanceBy(4_000);
    h.send(withdrew('a1', 'c1'));
    expect(helpOf(h, 'a1', 'c1')).toBeUndefined();
    expect(h.send(withdrew('a1', 'c1')).rejection?.code).toBe('ACD_ILLEGAL_TRANSITION');
    expect(h.send(attended('c1')).rejection?.code).toBe('ACD_ILLEGAL_TRANSITION');

    h.send(asked('a1', 'c1'));
    h.advanceBy(7_000);
    expect(h.send(attended('c1')).rejection).toBeUndefined();
    expect(helpOf(h, 'a1', 'c1')).toMatchObject({ kind: 'attended', supervisorId: supervisor });
    expect(h.facts.filter((fact) => fact.type.startsWith('Help'))).toEqual([
      {
        type: 'HelpRequested',
        agentId: 'a1',
        interactionId: 'c1',
        note: 'quiere hablar con un responsable',
        atMs: 10_000,
      },
      {
        type: 'HelpWithdrawn',
        agentId: 'a1',
        interactionId: 'c1',
        reason: 'agent',
        openMs: 4_000,
        atMs: 14_000,
      },
      { type: 'HelpRequested', agentId: 'a1', interactionId: 'c1', note: null, atMs: 14_000 },
      {
        type: 'HelpAttended',
        agentId: 'a1',
        interactionId: 'c1',
        supervisorId: supervisor,
        waitedMs: 7_000,
        atMs: 21_000,
      },
    ]);
  });

  it('takes requests during after-call work, and ends an open one when the work ends', () => {
    const h = onContact();
    h.end('c1');
    h.send(asked('a1', 'c1', 'duda con el cierre'));
    h.advanceBy(3_000);
    h.send({ type: 'WrapUpEnded', agentId: 'a1' as AgentId, contactId: 'c1' as InteractionId });
    expect(h.state.agents.get('a1' as AgentId)?.work.size).toBe(0);
    expect(h.factsOf('HelpWithdrawn')).toEqual([
      {
        type: 'HelpWithdrawn',
        agentId: 'a1',
        interactionId: 'c1',
        reason: 'work-ended',
        openMs: 3_000,
        atMs: 3_000,
      },
    ]);
  });

  it('refuses a request about a contact the agent is not on or wrapping up', () => {
    const h = onContact();
    h.login('a2');
    expect(h.send(asked('a2', 'c1')).rejection).toMatchObject({
      code: 'ACD_WORK_NOT_FOUND',
      field: 'contactId',
    });
    expect(h.send(asked('a1', 'c2')).rejection?.code).toBe('ACD_WORK_NOT_FOUND');
    expect(h.send(withdrew('a2', 'c1')).rejection?.code).toBe('ACD_WORK_NOT_FOUND');
    expect(h.send(asked('nobody', 'c1')).rejection?.code).toBe('ACD_AGENT_NOT_FOUND');
    h.arrive('c2', 'q');
    expect(h.ringingFor('c2')).toEqual(['a2']);
    // Ringing is not yet a contact to ask about.
    expect(h.send(asked('a2', 'c2')).rejection?.code).toBe('ACD_WORK_NOT_FOUND');
    expect(h.factsOf('HelpRequested')).toEqual([]);
  });
});
