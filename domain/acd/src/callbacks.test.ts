import type { InteractionId } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';

const id = (s: string): InteractionId => s as InteractionId;

describe('callbacks', () => {
  function center(): RoutingHarness {
    const h = new RoutingHarness({ queues: [{ id: 'q', maxWaitMs: 600_000 }], agents: [{ id: 'a1' }] });
    h.login('a1');
    h.arrive('busy', 'q');
    h.accept('busy', 'a1');
    return h;
  }

  it('keeps the caller’s place; when their turn comes it reserves an agent, then places the call', () => {
    const h = center();
    h.arrive('cb', 'q');
    h.advanceTo(10_000);
    h.send({ type: 'CallbackRequested', contactId: id('cb') });
    h.advanceTo(650_000);
    h.arrive('later', 'q');
    h.advanceTo(700_000);
    // Past the 10-minute maximum wait, yet still in line: a callback has no caller on hold to lose.
    expect(h.factsOf('ContactFinished')).toEqual([]);
    h.end('busy');
    expect(h.commandsOf('PlaceCallback')).toEqual([
      { type: 'PlaceCallback', contactId: 'cb', agentId: 'a1' },
    ]);
    expect(h.factsOf('AgentActivityChanged').at(-1)).toMatchObject({
      contactId: 'cb',
      from: 'idle',
      to: 'reserved',
    });
    h.send({ type: 'CallbackConnected', contactId: id('cb') });
    expect(h.commandsOf('ConnectContact').at(-1)).toEqual({
      type: 'ConnectContact',
      contactId: 'cb',
      agentId: 'a1',
    });
    h.end('cb');
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({ contactId: 'cb', outcome: 'called-back' });
    // The caller who stayed on the line went after the callback.
    expect(h.ringingAt('a1')).toEqual(['later']);
  });

  it('frees the agent and closes the contact when the customer cannot be reached', () => {
    const h = center();
    h.arrive('cb', 'q');
    h.send({ type: 'CallbackRequested', contactId: id('cb') });
    h.arrive('next', 'q');
    h.end('busy');
    h.send({ type: 'CallbackFailed', contactId: id('cb') });
    expect(h.factsOf('ContactFinished').at(-1)).toMatchObject({
      contactId: 'cb',
      outcome: 'called-back',
      detail: 'customer-not-reached',
    });
    expect(h.ringingAt('a1')).toEqual(['next']);
  });

  it('gives up on a callback the call layer never reports on', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', callbackConnectTimeoutMs: 45_000 }],
      agents: [{ id: 'a1' }],
    });
    h.arrive('cb', 'q');
    h.send({ type: 'CallbackRequested', contactId: id('cb') });
    h.login('a1');
    h.advanceBy(45_000);
    expect(h.factsOf('ContactFinished')).toMatchObject([
      { contactId: 'cb', outcome: 'called-back', detail: 'customer-not-reached' },
    ]);
    expect(h.state.agents.get('a1' as never)?.work.size).toBe(0);
  });
});
