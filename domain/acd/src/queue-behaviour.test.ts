import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';

describe('queue behaviour', () => {
  it('serves a VIP first, then the longest wait across the agent’s queues, weighted', () => {
    const h = new RoutingHarness({
      queues: [
        { id: 'normal', requiredSkills: [{ skill: 'a' }] },
        { id: 'weighted', requiredSkills: [{ skill: 'b' }], weight: 3 },
      ],
      agents: [{ id: 'x', skills: { a: 1, b: 1 } }],
    });
    h.arrive('n1', 'normal');
    h.advanceTo(10_000);
    h.arrive('w1', 'weighted'); // effective wait grows 3× as fast
    h.advanceTo(14_000);
    h.arrive('n2', 'normal');
    h.advanceTo(20_000);
    h.arrive('vip', 'normal', { customerPriority: 10 });
    h.advanceTo(21_000);
    const order: string[] = [];
    h.login('x');
    for (let i = 0; i < 4; i++) {
      const [c] = h.ringingAt('x');
      order.push(c!);
      h.accept(c!, 'x');
      h.end(c!);
    }
    // At 21 s: n1 has waited 21 s (×1), w1 11 s (×3 = 33 s), n2 7 s.
    expect(order).toEqual(['vip', 'w1', 'n1', 'n2']);
  });

  it('overflows after the maximum wait to another queue, keeping the caller’s seniority', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'first',
          requiredSkills: [{ skill: 'x' }],
          maxWaitMs: 60_000,
          overflow: { type: 'queue', queueId: 'backup' },
        },
        { id: 'backup' },
      ],
      agents: [{ id: 'b1' }],
    });
    h.arrive('old', 'first');
    h.advanceTo(30_000);
    h.arrive('new', 'backup');
    h.advanceTo(60_000);
    expect(h.factsOf('ContactMoved')).toEqual([
      {
        type: 'ContactMoved',
        contactId: 'old',
        fromQueueId: 'first',
        toQueueId: 'backup',
        reason: 'max-wait',
        atMs: 60_000,
      },
    ]);
    h.login('b1');
    // Arrived first, so served first, although it entered "backup" later.
    expect(h.ringingAt('b1')).toEqual(['old']);
  });

  it('sends the caller to voicemail at the maximum wait when that is the overflow', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', maxWaitMs: 60_000, overflow: { type: 'voicemail' } }],
    });
    h.arrive('c1', 'q');
    h.advanceTo(60_000);
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c1', queueId: 'q' },
    ]);
    expect(h.factsOf('ContactFinished')).toMatchObject([
      { contactId: 'c1', outcome: 'overflowed', detail: 'max-wait' },
    ]);
  });

  it('never pulls a ringing call at the maximum wait; looks again after the offer', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'q',
          maxWaitMs: 30_000,
          offerTimeoutMs: 20_000,
          overflow: { type: 'destination', destination: 'sip:night@example.com' },
        },
      ],
      agents: [{ id: 'a1' }],
    });
    h.arrive('c1', 'q');
    h.advanceTo(25_000);
    h.login('a1'); // rings from 25 s to 45 s
    h.advanceTo(44_000);
    expect(h.commandsOf('RouteToDestination')).toEqual([]);
    h.advanceTo(80_000);
    expect(h.commandsOf('RouteToDestination')).toEqual([
      { type: 'RouteToDestination', contactId: 'c1', destination: 'sip:night@example.com' },
    ]);
  });

  it('overflows a full queue at the door', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q', maxSize: 2, overflow: { type: 'disconnect' } }] });
    h.arrive('c1', 'q');
    h.arrive('c2', 'q');
    h.arrive('c3', 'q');
    expect(h.commandsOf('DisconnectContact')).toEqual([
      { type: 'DisconnectContact', contactId: 'c3', reason: 'queue-full' },
    ]);
  });

  it('refuses, overflows or admits a contact when nobody is logged in, as configured', () => {
    const h = new RoutingHarness({
      queues: [
        { id: 'refuse', whenNoAgents: 'refuse' },
        { id: 'overflow', whenNoAgents: 'overflow', overflow: { type: 'queue', queueId: 'join' } },
        { id: 'join', whenNoAgents: 'join', requiredSkills: [{ skill: 'other' }] },
      ],
      agents: [{ id: 'a1' }],
    });
    h.arrive('c1', 'refuse');
    h.arrive('c2', 'overflow');
    expect(h.commandsOf('RejectContact')).toEqual([
      { type: 'RejectContact', contactId: 'c1', reason: 'no-agents' },
    ]);
    expect(h.factsOf('ContactMoved').map((f) => [f.contactId, f.toQueueId, f.reason])).toEqual([
      ['c2', 'join', 'no-agents'],
    ]);
    // An agent on break is logged in: the door is open, the contact waits.
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    h.arrive('c3', 'refuse');
    expect(h.factsOf('ContactQueued').map((f) => f.contactId)).toEqual(['c2', 'c3']);
  });

  it('can count agents on a break as absent: with everyone on a break the queue overflows', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'support',
          whenNoAgents: 'overflow',
          noAgentsMeans: 'nobody-available',
          overflow: { type: 'destination', destination: 'voicemail' },
        },
      ],
      agents: [{ id: 'a1' }, { id: 'a2' }],
    });
    h.presence('a1', { kind: 'break', reason: 'lunch' });
    h.presence('a2', { kind: 'break', reason: 'training' });
    h.arrive('c1', 'support');
    expect(h.commandsOf('RouteToDestination')).toEqual([
      { type: 'RouteToDestination', contactId: 'c1', destination: 'voicemail' },
    ]);
    // One agent back from the break: the next caller waits for her.
    h.login('a1');
    h.arrive('c2', 'support');
    expect(h.factsOf('ContactQueued').map((f) => f.contactId)).toEqual(['c2']);
  });

  it('keeps seniority when an agent transfers a connected contact to another queue', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'front' }, { id: 'billing', requiredSkills: [{ skill: 'billing' }] }],
      agents: [{ id: 'f1' }, { id: 'b1', skills: { billing: 5 } }],
    });
    h.login('f1');
    h.arrive('c1', 'front');
    h.accept('c1', 'f1');
    h.advanceTo(120_000);
    h.arrive('c2', 'billing');
    h.send({ type: 'ContactTransferred', contactId: 'c1' as never, toQueueId: 'billing' as never });
    h.login('b1');
    expect(h.ringingAt('b1')).toEqual(['c1']);
    expect(h.factsOf('ContactMoved')).toMatchObject([
      { contactId: 'c1', fromQueueId: 'front', toQueueId: 'billing', reason: 'transfer' },
    ]);
  });

  it('honours a seniority carried in from outside (a transfer from another system)', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] }, { startMs: 100_000 });
    h.arrive('c1', 'q');
    h.arrive('c2', 'q', { seniorityFromMs: 40_000 });
    h.login('a1');
    expect(h.ringingAt('a1')).toEqual(['c2']);
  });

  it('matches the contact’s language and the skills the IVR added', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q' }],
      agents: [
        { id: 'en', languages: ['en'], skills: { refunds: 3 } },
        { id: 'es', languages: ['es'], skills: { refunds: 1 } },
        { id: 'es2', languages: ['es'], skills: { refunds: 4 } },
      ],
    });
    h.login('en', 'es', 'es2');
    h.arrive('c1', 'q', { language: 'es', requiredSkills: [{ skill: 'refunds', minLevel: 3 }] });
    expect(h.ringingFor('c1')).toEqual(['es2']);
  });

  it('announces position and estimated wait periodically to a waiting caller', () => {
    const h = new RoutingHarness({
      queues: [
        { id: 'q', defaultHandleTimeMs: 120_000, announcements: { firstAfterMs: 10_000, everyMs: 30_000 } },
      ],
      agents: [{ id: 'a1' }, { id: 'a2' }],
    });
    h.login('a1', 'a2');
    for (const c of ['c1', 'c2', 'c3', 'c4']) {
      h.arrive(c, 'q');
      const [agent] = h.ringingFor(c);
      if (agent !== undefined) h.accept(c, agent);
    }
    h.advanceTo(40_000);
    // c3 is first in line, c4 second; two ready agents share the 2-minute handle time.
    expect(h.commandsOf('AnnounceQueuePosition')).toEqual([
      { type: 'AnnounceQueuePosition', contactId: 'c3', position: 1, estimatedWaitMs: 60_000 },
      { type: 'AnnounceQueuePosition', contactId: 'c4', position: 2, estimatedWaitMs: 120_000 },
      { type: 'AnnounceQueuePosition', contactId: 'c3', position: 1, estimatedWaitMs: 60_000 },
      { type: 'AnnounceQueuePosition', contactId: 'c4', position: 2, estimatedWaitMs: 120_000 },
    ]);
    h.end('c1');
    h.accept('c3', 'a1');
    h.advanceTo(70_000);
    // c4 moved up; the estimate now uses today's handle time (c1 took 40 s) instead of the default.
    expect(h.commandsOf('AnnounceQueuePosition').at(-1)).toEqual({
      type: 'AnnounceQueuePosition',
      contactId: 'c4',
      position: 1,
      estimatedWaitMs: 20_000,
    });
  });

  it('refuses events that do not fit, changing nothing', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }], agents: [{ id: 'a1' }] }, { startMs: 1_000 });
    expect(h.arrive('c1', 'nope').rejection?.code).toBe('ACD_QUEUE_NOT_FOUND');
    expect(h.arrive('c1', 'q', { channel: 'chat' }).rejection?.code).toBe('ACD_CHANNEL_NOT_SERVED');
    h.arrive('c1', 'q');
    expect(h.arrive('c1', 'q').rejection?.code).toBe('ACD_CONTACT_ALREADY_EXISTS');
    expect(h.accept('c1', 'a1').rejection?.code).toBe('ACD_OFFER_NOT_FOUND');
    expect(h.accept('c1', 'zz').rejection?.code).toBe('ACD_AGENT_NOT_FOUND');
    expect(h.end('zz').rejection?.code).toBe('ACD_CONTACT_NOT_FOUND');
    expect(h.presence('a1', { kind: 'break', reason: 'nap' }).rejection?.code).toBe(
      'ACD_BREAK_REASON_UNKNOWN',
    );
    expect(h.presence('a1', { kind: 'offline' }).rejection?.code).toBe('ACD_ILLEGAL_TRANSITION');
    h.nowMs = 500;
    expect(h.presence('a1', { kind: 'available' }).rejection?.code).toBe('ACD_CLOCK_WENT_BACKWARDS');
    expect(h.facts.filter((f) => f.type === 'AgentPresenceChanged')).toEqual([]);
  });
});
