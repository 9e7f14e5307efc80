import type { InteractionId } from '@centralita/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextAgentActivity } from './agent-activity.ts';
import type { ActivityTrigger, AgentActivity } from './agent-activity.ts';
import type { Presence } from './agent-presence.ts';
import { nextAgentPresence } from './agent-presence.ts';
import { isExcluded } from './agent-selection.ts';
import { capacityOf, hasNoAgents } from './agent-pool.ts';
import { channels } from './channel.ts';
import type { Channel } from './channel.ts';
import type { RoutingConfigInput } from './routing-config.ts';
import { strategies } from './routing-config.ts';
import { RoutingHarness } from './routing-harness.ts';

type QueueInput = RoutingConfigInput['queues'][number];

const queueArb = (index: number, count: number): fc.Arbitrary<QueueInput> =>
  fc.record({
    id: fc.constant(`q${index}`),
    channels: fc.subarray(['voice', 'chat'] as Channel[], { minLength: 1 }),
    requiredSkills: fc.subarray(
      [
        { skill: 's1', minLevel: 3 },
        { skill: 's2', minLevel: 1 },
      ],
      { maxLength: 1 },
    ),
    strategy: fc.constantFrom(...strategies),
    priority: fc.integer({ min: 0, max: 3 }),
    weight: fc.constantFrom(1, 2),
    wrapUpMs: fc.constantFrom(0, 5_000, null),
    offerTimeoutMs: fc.constantFrom(5_000, 15_000),
    whenNoAgents: fc.constantFrom('join', 'refuse', 'overflow'),
    noAgentsMeans: fc.constantFrom('nobody-signed-in', 'nobody-available'),
    maxWaitMs: fc.option(fc.constantFrom(30_000, 90_000), { nil: undefined }),
    maxSize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    // Overflow only "downhill" (to a later queue), so there is never a loop.
    overflow:
      index + 1 < count
        ? fc.constantFrom(
            { type: 'queue' as const, queueId: `q${index + 1}` },
            { type: 'voicemail' as const },
          )
        : fc.constantFrom({ type: 'disconnect' as const }, { type: 'voicemail' as const }),
    escalation: fc.subarray([
      { afterMs: 10_000, action: { type: 'relax-skills' as const, levelsBy: 2 } },
      { afterMs: 20_000, action: { type: 'raise-priority' as const, by: 5 } },
      { afterMs: 40_000, action: { type: 'offer-callback' as const } },
      ...(index + 1 < count
        ? [{ afterMs: 50_000, action: { type: 'add-queue-agents' as const, queueId: `q${index + 1}` } }]
        : []),
      {
        afterMs: 120_000,
        action: { type: 'route-elsewhere' as const, target: { type: 'voicemail' as const } },
      },
    ]),
    announcements: fc.option(fc.constant({ firstAfterMs: 5_000, everyMs: 20_000 }), { nil: undefined }),
  });

const configArb: fc.Arbitrary<RoutingConfigInput> = fc
  .integer({ min: 1, max: 3 })
  .chain((queueCount) =>
    fc.record({
      missedOffersBeforeNotReady: fc.integer({ min: 1, max: 3 }),
      reofferDelayMs: fc.constantFrom(0, 5_000),
      queues: fc.tuple(...Array.from({ length: queueCount }, (_, i) => queueArb(i, queueCount))),
      agents: fc.array(
        fc.record({
          skills: fc.record(
            { s1: fc.integer({ min: 1, max: 10 }), s2: fc.integer({ min: 1, max: 10 }) },
            { requiredKeys: [] },
          ),
          capacity: fc.record({
            voice: fc.integer({ min: 0, max: 1 }),
            chat: fc.integer({ min: 1, max: 3 }),
          }),
          weight: fc.constantFrom(1, 3),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  )
  .map((c) => {
    const agents = c.agents.map((a, i) => ({ id: `a${i}`, ...a }));
    const order = agents.map((a) => a.id).reverse();
    const queues = c.queues.map((q) =>
      q.strategy === 'fixed-order'
        ? { ...q, strategy: { type: 'fixed-order' as const, agentOrder: order } }
        : q,
    );
    return { ...c, queues, agents };
  });

type Action =
  | { kind: 'arrive'; queue: number; channel: number; priority: number }
  | { kind: 'presence'; agent: number; presence: number }
  | { kind: 'respond'; pick: number; isAccept: boolean }
  | { kind: 'end'; pick: number }
  | { kind: 'abandon'; pick: number }
  | { kind: 'wrap'; pick: number }
  | { kind: 'callback'; pick: number }
  | { kind: 'callbackResult'; pick: number; isReached: boolean }
  | { kind: 'transfer'; pick: number; queue: number }
  | { kind: 'voicemail'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'reconfigure'; variant: number };

const pick = fc.nat({ max: 50 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('arrive' as const),
      queue: fc.nat(5),
      channel: fc.nat(3),
      priority: fc.nat(2),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('presence' as const), agent: fc.nat(6), presence: fc.nat(4) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('respond' as const), pick, isAccept: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abandon' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('callback' as const), pick }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('callbackResult' as const), pick, isReached: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), pick, queue: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('voicemail' as const), pick }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reconfigure' as const), variant: fc.nat(4) }) },
);

/**
 * A change a supervisor might make while contacts are being routed (issue #7): nothing, skills swapped,
 * queue settings changed, the last agent removed, or the last queue deleted (and the links to it).
 */
function changedConfig(config: RoutingConfigInput, variant: number): RoutingConfigInput {
  const agents = config.agents ?? [];
  switch (variant % 5) {
    case 1:
      return {
        ...config,
        agents: agents.map((a) => ({
          ...a,
          skills: { s1: a.skills?.['s2'] ?? 4, s2: a.skills?.['s1'] ?? 1 },
        })),
      };
    case 2:
      return {
        ...config,
        queues: config.queues.map((q) => ({
          ...q,
          priority: (q.priority ?? 0) + 1,
          maxWaitMs: q.maxWaitMs === undefined ? 45_000 : undefined,
          wrapUpMs: q.wrapUpMs === 0 ? 8_000 : q.wrapUpMs === null ? 0 : null,
          offerTimeoutMs: 10_000,
          announcements: q.announcements === undefined ? { firstAfterMs: 1_000, everyMs: 7_000 } : undefined,
          escalation: (q.escalation ?? []).map((step) => ({ ...step, afterMs: step.afterMs + 5_000 })),
        })),
      };
    case 3: {
      const removed = agents.at(-1)?.id;
      if (agents.length < 2 || removed === undefined) return config;
      return {
        ...config,
        agents: agents.slice(0, -1),
        queues: config.queues.map((q) => {
          const strategy: unknown = q.strategy;
          if (typeof strategy !== 'object' || strategy === null || !('agentOrder' in strategy)) return q;
          const order = Array.isArray(strategy.agentOrder) ? strategy.agentOrder : [];
          return {
            ...q,
            strategy: { type: 'fixed-order', agentOrder: order.filter((id) => id !== removed) },
          };
        }),
      };
    }
    case 4: {
      const deleted = config.queues.at(-1)?.id;
      if (config.queues.length < 2 || deleted === undefined) return config;
      return {
        ...config,
        queues: config.queues.slice(0, -1).map((q) => ({
          ...q,
          overflow:
            q.overflow?.type === 'queue' && q.overflow.queueId === deleted
              ? { type: 'voicemail' }
              : q.overflow,
          escalation: (q.escalation ?? []).filter(
            (step) => step.action.type !== 'add-queue-agents' || step.action.queueId !== deleted,
          ),
        })),
      };
    }
    default:
      return config;
  }
}

const everyActivityTrigger: ActivityTrigger[] = [
  { type: 'reserve' },
  { type: 'offer' },
  { type: 'accept' },
  { type: 'decline' },
  { type: 'offer-timeout' },
  { type: 'withdraw' },
  { type: 'callback-connected' },
  { type: 'contact-ended', isWrapUpRequired: true },
  { type: 'contact-ended', isWrapUpRequired: false },
  { type: 'wrap-up-ended' },
];

const presences: Presence[] = [
  { kind: 'available' },
  { kind: 'available' },
  { kind: 'break', reason: 'lunch' },
  { kind: 'offline' },
  { kind: 'break', reason: 'training' },
];

function nth<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function contactsIn(h: RoutingHarness, stages: readonly string[]): InteractionId[] {
  return [...h.state.contacts.values()].filter((c) => stages.includes(c.stage)).map((c) => c.id);
}

let contactNumber = 0;

/** Carries out one generated action, always as a valid event for the current state. */
function perform(h: RoutingHarness, action: Action, configuration: { current: RoutingConfigInput }): void {
  const queues = [...h.state.queues.values()];
  switch (action.kind) {
    case 'arrive': {
      const queue = nth(queues, action.queue)!;
      const channel = nth(queue.config.channels, action.channel)!;
      h.arrive(`c${contactNumber++}`, queue.id, { channel, customerPriority: action.priority });
      return;
    }
    case 'presence': {
      const agent = nth(h.state.agentList, action.agent)!;
      const presence = nth(presences, action.presence)!;
      if (nextAgentPresence(agent.presence, { type: 'select', presence }).ok) h.presence(agent.id, presence);
      return;
    }
    case 'respond': {
      const offer = nth([...h.ringing.values()], action.pick);
      if (offer === undefined) return;
      if (action.isAccept) h.accept(offer.contactId, offer.agentId);
      else h.decline(offer.contactId, offer.agentId);
      return;
    }
    case 'end': {
      const id = nth(contactsIn(h, ['connected']), action.pick);
      if (id !== undefined) h.end(id);
      return;
    }
    case 'abandon': {
      const id = nth(contactsIn(h, ['queued', 'offered', 'connected', 'callback-queued']), action.pick);
      if (id !== undefined) h.abandon(id);
      return;
    }
    case 'wrap': {
      const items = h.state.agentList.flatMap((a) =>
        [...a.work.values()].filter((w) => w.activity === 'wrap-up').map((w) => [a.id, w.contactId] as const),
      );
      const item = nth(items, action.pick);
      if (item !== undefined) h.send({ type: 'WrapUpEnded', agentId: item[0], contactId: item[1] });
      return;
    }
    case 'callback': {
      const id = nth(contactsIn(h, ['queued', 'offered']), action.pick);
      if (id !== undefined) h.send({ type: 'CallbackRequested', contactId: id });
      return;
    }
    case 'callbackResult': {
      const id = nth(contactsIn(h, ['callback-reserved']), action.pick);
      if (id !== undefined)
        h.send({ type: action.isReached ? 'CallbackConnected' : 'CallbackFailed', contactId: id });
      return;
    }
    case 'transfer': {
      const id = nth(contactsIn(h, ['queued', 'offered', 'connected', 'callback-queued']), action.pick);
      const contact = id === undefined ? undefined : h.state.contacts.get(id);
      const to = nth(queues, action.queue)!;
      if (contact !== undefined && to.config.channels.includes(contact.channel)) {
        h.send({ type: 'ContactTransferred', contactId: contact.id, toQueueId: to.id });
      }
      return;
    }
    case 'voicemail': {
      const id = nth(contactsIn(h, ['queued', 'offered']), action.pick);
      if (id !== undefined) h.send({ type: 'VoicemailChosen', contactId: id });
      return;
    }
    case 'advance':
      h.advanceBy(action.ms);
      return;
    case 'reconfigure':
      configuration.current = changedConfig(configuration.current, action.variant);
      h.reconfigure(configuration.current);
      return;
  }
}

/** Checks every invariant the engine promises, against the state and the facts recorded so far. */
function checkInvariants(
  h: RoutingHarness,
  seen: { activity: Map<string, AgentActivity>; presence: Map<string, string>; facts: number },
): void {
  expect(h.rejections).toEqual([]);

  // No double offers: a contact rings more than one agent only in a ring-all queue.
  const ringingByContact = new Map<string, number>();
  for (const offer of h.ringing.values())
    ringingByContact.set(offer.contactId, (ringingByContact.get(offer.contactId) ?? 0) + 1);
  for (const [contactId, count] of ringingByContact) {
    const contact = h.state.contacts.get(contactId as InteractionId);
    expect(contact?.stage).toBe('offered');
    if (count > 1) expect(contact?.queue.config.strategy.type).toBe('ring-all');
  }
  for (const contact of h.state.contacts.values()) {
    if (contact.assignedAgents.length > 1) {
      expect(contact.stage).toBe('offered');
      expect(contact.queue.config.strategy.type).toBe('ring-all');
    }
    const isWaiting = contact.stage === 'queued' || contact.stage === 'callback-queued';
    expect(contact.pool.waiting.rankOf(contact) >= 0).toBe(isWaiting);
    expect(contact.queue.waiting.rankOf(contact) >= 0).toBe(isWaiting);
    // Nobody waits for agents who are gone where the queue refuses or overflows (issue #7).
    if (contact.stage === 'queued' && contact.queue.config.whenNoAgents !== 'join')
      expect(hasNoAgents(contact.pool)).toBe(false);
  }

  // Capacities always respected, and the load matches the work actually held. An agent removed from the
  // configuration keeps the work they had (their capacity is none now, so they get nothing more).
  const configured = new Set(h.state.config.agents.map((a) => a.id));
  for (const agent of h.state.agentList) {
    for (const channel of channels) {
      const held = [...agent.work.values()].filter((w) => w.channel === channel).length;
      expect(agent.load[channel]).toBe(held);
      if (configured.has(agent.id)) expect(held).toBeLessThanOrEqual(capacityOf(agent, channel));
      else expect(agent.pools).toEqual([]);
    }
  }

  // Timers are data: the engine holds exactly the timers the runtime will fire, across reconfigurations too.
  expect(h.pendingTimerIds()).toEqual([...h.state.timers.keys()].sort());

  // Work conservation: no contact waits in a pool while an agent of that pool is free for it.
  for (const pool of h.state.pools.values()) {
    for (const contact of pool.waiting) {
      for (const entry of pool.available) expect(isExcluded(contact, entry.agent, h.nowMs)).toBe(true);
    }
  }

  // Every recorded agent change is a legal transition from the state recorded just before it.
  for (const fact of h.facts.slice(seen.facts)) {
    if (fact.type === 'AgentActivityChanged') {
      const key = `${fact.agentId}|${fact.contactId}`;
      expect(fact.from).toBe(seen.activity.get(key) ?? 'idle');
      const isLegal = everyActivityTrigger.some((trigger) => {
        const next = nextAgentActivity(fact.from, trigger);
        return next.ok && next.value === fact.to;
      });
      expect(isLegal).toBe(true);
      expect(fact.cause.reason.length).toBeGreaterThan(0);
      if (fact.to === 'idle') seen.activity.delete(key);
      else seen.activity.set(key, fact.to);
    } else if (fact.type === 'AgentPresenceChanged') {
      const name = (p: Presence): string => (p.kind === 'break' ? `break:${p.reason}` : p.kind);
      expect(name(fact.from)).toBe(seen.presence.get(fact.agentId) ?? 'offline');
      const isLegal =
        nextAgentPresence(fact.from, { type: 'select', presence: fact.to }).ok ||
        nextAgentPresence(fact.from, { type: 'missed-offers' }).ok;
      expect(isLegal).toBe(true);
      seen.presence.set(fact.agentId, name(fact.to));
    }
  }
  seen.facts = h.facts.length;
}

/** Lets everything finish: answers, ends, wraps up, fires every timer; finally the last callers hang up. */
function drain(h: RoutingHarness): void {
  const isBusy = (): boolean => h.state.contacts.size > 0 || h.state.agentList.some((a) => a.work.size > 0);
  for (let round = 0; round < 20 && isBusy(); round++) {
    for (const offer of [...h.ringing.values()])
      if (h.ringing.has(`${offer.contactId}|${offer.agentId}`)) h.accept(offer.contactId, offer.agentId);
    for (const id of contactsIn(h, ['callback-reserved']))
      h.send({ type: 'CallbackConnected', contactId: id });
    for (const id of contactsIn(h, ['connected'])) h.end(id);
    for (const agent of h.state.agentList) {
      for (const item of [...agent.work.values()]) {
        if (item.activity === 'wrap-up')
          h.send({ type: 'WrapUpEnded', agentId: agent.id, contactId: item.contactId });
      }
    }
    h.advanceBy(60_000);
  }
  for (const id of contactsIn(h, ['queued', 'offered', 'callback-queued'])) h.abandon(id);
  for (const id of contactsIn(h, ['callback-reserved'])) h.send({ type: 'CallbackFailed', contactId: id });
  for (const id of contactsIn(h, ['connected'])) h.end(id);
  for (const agent of h.state.agentList) {
    for (const item of [...agent.work.values()]) {
      if (item.activity === 'wrap-up')
        h.send({ type: 'WrapUpEnded', agentId: agent.id, contactId: item.contactId });
    }
  }
}

describe('routing properties', () => {
  it('never double-offers, never exceeds capacity, never loses a contact (not even across configuration changes), and only makes legal changes', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(actionArb, { minLength: 10, maxLength: 150 }),
        fc.integer(),
        runScenario,
      ),
      { numRuns: 200 },
    );
  });
});

function runScenario(config: RoutingConfigInput, actions: Action[], seed: number): void {
  contactNumber = 0;
  const h = new RoutingHarness(config, { seed });
  const seen = { activity: new Map<string, AgentActivity>(), presence: new Map<string, string>(), facts: 0 };
  const configuration = { current: config };
  for (const action of actions) {
    perform(h, action, configuration);
    checkInvariants(h, seen);
  }
  drain(h);
  checkInvariants(h, seen);

  // None lost: every contact that arrived ended exactly once, with one of the four outcomes.
  expect(h.state.contacts.size).toBe(0);
  const finished = h.factsOf('ContactFinished');
  expect(new Set(finished.map((f) => f.contactId)).size).toBe(finished.length);
  expect(finished).toHaveLength(contactNumber);
  for (const f of finished)
    expect(['answered', 'abandoned', 'overflowed', 'called-back']).toContain(f.outcome);
  // And nobody is left holding work.
  for (const agent of h.state.agentList) expect(agent.work.size).toBe(0);
}
