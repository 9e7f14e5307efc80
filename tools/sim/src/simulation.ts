import { performance } from 'node:perf_hooks';
import { SeededRandom, VirtualClock, ok, err } from '@centralita/kernel';
import type { AgentId, InteractionId, Result } from '@centralita/kernel';
import type { Presence, RoutingEvent, RoutingFact } from '@centralita/acd';
import { nextArrivalMs, sampleDuration } from './distributions.ts';
import { EventQueue } from './event-queue.ts';
import { createNaiveReferenceRouter } from './naive-reference-router.ts';
import { createAcdRouter } from './router.ts';
import type { Router } from './router.ts';
import type { AgentGroup, Scenario } from './scenario.ts';
import { ReportCollector } from './simulation-report.ts';
import type { SimulationReport } from './simulation-report.ts';

/** How far a run has got, for a progress bar. */
export interface SimulationProgress {
  readonly simulatedMs: number;
  readonly totalMs: number;
  /** 0 to 1 over the arrival period. */
  readonly fraction: number;
  readonly contacts: number;
  readonly decisions: number;
}

/** Options of a run. */
export interface SimulationOptions {
  /**
   * Which router to drive: the ACD engine (default), the naive reference router of the benchmark, or a
   * router built by the caller for `scenario.routing` (for example one that times each decision).
   */
  readonly router?: 'acd' | 'naive-reference' | Router;
  /** Called every `progressEveryMs` of simulated time (default 15 minutes) and once at the end. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  readonly progressEveryMs?: number;
  /**
   * Called with every fact the router states, at the simulated time it states it: the run's own event log
   * (the demo's report history is recorded from it).
   */
  readonly onFact?: (fact: RoutingFact) => void;
}

type SimEvent =
  | { readonly kind: 'route'; readonly event: RoutingEvent }
  | { readonly kind: 'arrival'; readonly traffic: number }
  | { readonly kind: 'timer'; readonly timerId: string }
  | { readonly kind: 'answer'; readonly contactId: InteractionId; readonly agentId: AgentId }
  | { readonly kind: 'hang-up'; readonly contactId: InteractionId; readonly connection: number }
  | { readonly kind: 'patience'; readonly contactId: InteractionId }
  | { readonly kind: 'manual-wrap-up'; readonly contactId: InteractionId; readonly agentId: AgentId }
  | { readonly kind: 'callback-outcome'; readonly contactId: InteractionId; readonly isReached: boolean }
  | {
      readonly kind: 'schedule';
      readonly agentId: AgentId;
      readonly presence: Presence;
      readonly onlyFrom: 'offline' | 'available' | 'break' | 'any';
    }
  | { readonly kind: 'return-from-missed-offer'; readonly agentId: AgentId };

interface SimContact {
  readonly traffic: number;
  queueId: string;
  readonly handleMs: number;
  isWaiting: boolean;
  connection: number;
}

const defaultBehaviour: Omit<AgentGroup, 'name' | 'agentIds'> = {
  shifts: [],
  breaks: [],
  answerDelayMs: 3_000,
  missProbability: 0,
  manualWrapUpMs: 30_000,
};

/** After a missed-offer break, a simulated agent notices and returns after this long. */
const missedOfferRecoveryMs = 60_000;
/** Work still in progress this long after closing is abandoned by the simulation (a safety net). */
const maxOvertimeMs = 24 * 3_600_000;

/**
 * Runs a scenario on a virtual clock: Poisson (or interval-rate) arrivals per queue, talk times and
 * patience drawn at arrival, agents answering after a delay (or missing offers), shifts and breaks as
 * presence changes, and the router's timers as events. It drives the real ACD engine through its events
 * and commands; nothing about routing is re-implemented here. Deterministic for a given seed.
 */
export function runSimulation(
  scenario: Scenario,
  options: SimulationOptions = {},
): Result<SimulationReport, readonly string[]> {
  const wallStart = performance.now();
  const opensAtMs = scenario.opensAtMs;
  // The clock starts at opening, or earlier if a shift does (agents logging in before the doors open).
  const startMs = Math.min(opensAtMs, ...scenario.agentGroups.flatMap((g) => g.shifts.map((s) => s.startMs)));
  const clock = new VirtualClock(startMs);
  const closesAtMs = opensAtMs + scenario.durationMs;
  const seed = scenario.seed;

  let router: Router;
  if (typeof options.router === 'object') {
    router = options.router;
  } else if (options.router === 'naive-reference') {
    const naive = createNaiveReferenceRouter(scenario.routing, startMs);
    if (!naive.ok) return err(naive.error);
    router = naive.value;
  } else {
    router = createAcdRouter(scenario.routing, new SeededRandom(seed ^ 0x5bd1e995), startMs);
  }

  // Separate random streams, so that contacts (arrival times, talk times, patience) are the same draws
  // whatever the router does: a fair comparison between routers (common random numbers).
  const arrivalRandom = scenario.traffic.map((_, i) => new SeededRandom(seed + 1_000 + i));
  const contactRandom = scenario.traffic.map((_, i) => new SeededRandom(seed + 2_000 + i));
  const behaviourRandom = new SeededRandom(seed + 3_000);

  const behaviour = new Map<AgentId, Omit<AgentGroup, 'name' | 'agentIds'>>();
  for (const group of scenario.agentGroups) for (const id of group.agentIds) behaviour.set(id, group);
  const queueConfig = new Map(scenario.routing.queues.map((q) => [q.id as string, q]));

  const queue = new EventQueue<SimEvent>();
  const cancelledTimers = new Set<string>();
  const pendingOffers = new Set<string>();
  const contacts = new Map<InteractionId, SimContact>();
  const presence = new Map<AgentId, Presence>();
  const report = new ReportCollector(scenario.routing, opensAtMs + scenario.warmUpMs, closesAtMs);
  let decisions = 0;
  let rejections = 0;
  let contactNumber = 0;
  let connections = 0;
  let loggedIn = 0;
  /** After-call work the agents end by hand, not yet ended: the run goes on until it is. */
  let pendingWrapUps = 0;

  // Agents' days: shifts log them in and out, breaks take them away and back.
  for (const agent of scenario.routing.agents) {
    const b = behaviour.get(agent.id) ?? defaultBehaviour;
    // Without shifts, an agent works from opening until the last contact is done.
    const shifts = b.shifts.length > 0 ? b.shifts : [{ startMs: opensAtMs, endMs: Number.POSITIVE_INFINITY }];
    for (const shift of shifts) {
      queue.push(shift.startMs, {
        kind: 'schedule',
        agentId: agent.id,
        presence: { kind: 'available' },
        onlyFrom: 'offline',
      });
      if (Number.isFinite(shift.endMs)) {
        queue.push(shift.endMs, {
          kind: 'schedule',
          agentId: agent.id,
          presence: { kind: 'offline' },
          onlyFrom: 'any',
        });
      }
    }
    for (const pause of b.breaks) {
      queue.push(pause.atMs, {
        kind: 'schedule',
        agentId: agent.id,
        presence: { kind: 'break', reason: pause.reason },
        onlyFrom: 'available',
      });
      queue.push(pause.atMs + pause.durationMs, {
        kind: 'schedule',
        agentId: agent.id,
        presence: { kind: 'available' },
        onlyFrom: 'break',
      });
    }
  }
  scenario.traffic.forEach((traffic, i) => {
    const first = nextArrivalMs(traffic.arrivals, 0, arrivalRandom[i]!);
    if (first < scenario.durationMs) queue.push(opensAtMs + first, { kind: 'arrival', traffic: i });
  });

  const onFact = (fact: RoutingFact, nowMs: number): void => {
    report.fact(fact);
    options.onFact?.(fact);
    switch (fact.type) {
      case 'AgentPresenceChanged':
        loggedIn += Number(fact.to.kind !== 'offline') - Number(fact.from.kind !== 'offline');
        presence.set(fact.agentId, fact.to);
        if (fact.to.kind === 'break' && fact.to.reason === 'missed-offer') {
          queue.push(nowMs + missedOfferRecoveryMs, {
            kind: 'return-from-missed-offer',
            agentId: fact.agentId,
          });
        }
        return;
      case 'AgentActivityChanged': {
        const contact = contacts.get(fact.contactId);
        const wrapUpMs = contact === undefined ? 0 : queueConfig.get(contact.queueId)?.wrapUpMs;
        if (fact.to === 'wrap-up' && wrapUpMs === null) {
          const delayMs = (behaviour.get(fact.agentId) ?? defaultBehaviour).manualWrapUpMs;
          pendingWrapUps += 1;
          queue.push(nowMs + delayMs, {
            kind: 'manual-wrap-up',
            contactId: fact.contactId,
            agentId: fact.agentId,
          });
        }
        return;
      }
      case 'ContactQueued': {
        const contact = contacts.get(fact.contactId);
        if (contact !== undefined) contact.queueId = fact.queueId;
        return;
      }
      case 'ContactFinished':
        contacts.delete(fact.contactId);
        return;
      case 'ContactAnswered':
      case 'ContactMoved':
      case 'EscalationApplied':
      case 'AgentEngagementChanged':
      case 'HelpRequested':
      case 'HelpWithdrawn':
      case 'HelpAttended':
        return;
    }
  };

  const send = (event: RoutingEvent, nowMs: number): void => {
    decisions += 1;
    const decision = router.decide(event, nowMs);
    if (decision.rejection !== undefined) rejections += 1;
    for (const fact of decision.facts) onFact(fact, nowMs);
    for (const command of decision.commands) {
      switch (command.type) {
        case 'StartTimer':
          queue.push(command.atMs, { kind: 'timer', timerId: command.timerId });
          break;
        case 'CancelTimer':
          cancelledTimers.add(command.timerId);
          break;
        case 'OfferContact': {
          pendingOffers.add(`${command.contactId}|${command.agentId}`);
          const b = behaviour.get(command.agentId) ?? defaultBehaviour;
          if (b.missProbability === 0 || behaviourRandom.next() >= b.missProbability) {
            queue.push(nowMs + b.answerDelayMs, {
              kind: 'answer',
              contactId: command.contactId,
              agentId: command.agentId,
            });
          }
          break;
        }
        case 'WithdrawOffer':
          pendingOffers.delete(`${command.contactId}|${command.agentId}`);
          break;
        case 'ConnectContact': {
          pendingOffers.delete(`${command.contactId}|${command.agentId}`);
          const contact = contacts.get(command.contactId);
          if (contact !== undefined) {
            contact.isWaiting = false;
            contact.connection = ++connections;
            queue.push(nowMs + contact.handleMs, {
              kind: 'hang-up',
              contactId: command.contactId,
              connection: contact.connection,
            });
          }
          break;
        }
        case 'PlaceCallback': {
          const contact = contacts.get(command.contactId);
          const traffic = contact === undefined ? undefined : scenario.traffic[contact.traffic];
          if (contact !== undefined && traffic !== undefined) {
            const isReached = contactRandom[contact.traffic]!.next() < traffic.callbackReachRate;
            queue.push(nowMs + traffic.callbackDialMs, {
              kind: 'callback-outcome',
              contactId: command.contactId,
              isReached,
            });
          }
          break;
        }
        case 'OfferCallbackToCaller':
        case 'OfferVoicemailToCaller': {
          const contact = contacts.get(command.contactId);
          const traffic = contact === undefined ? undefined : scenario.traffic[contact.traffic];
          if (contact === undefined || traffic === undefined) break;
          const isCallback = command.type === 'OfferCallbackToCaller';
          const acceptance = isCallback ? traffic.callbackAcceptance : traffic.voicemailAcceptance;
          if (contactRandom[contact.traffic]!.next() < acceptance) {
            queue.push(nowMs, {
              kind: 'route',
              event: isCallback
                ? { type: 'CallbackRequested', contactId: command.contactId }
                : { type: 'VoicemailChosen', contactId: command.contactId },
            });
            if (isCallback) contact.isWaiting = false;
          }
          break;
        }
        case 'AnnounceQueuePosition':
        case 'RejectContact':
        case 'SendToVoicemail':
        case 'RouteToDestination':
        case 'DisconnectContact':
          break;
      }
    }
  };

  const isAnyoneConnected = (): boolean => {
    for (const contact of contacts.values()) if (!contact.isWaiting) return true;
    return false;
  };

  const totalMs = closesAtMs - startMs;
  const progressEveryMs = options.progressEveryMs ?? 15 * 60_000;
  let nextProgressMs = startMs + progressEveryMs;
  const progress = (nowMs: number): void => {
    options.onProgress?.({
      simulatedMs: nowMs - startMs,
      totalMs,
      fraction: Math.min(1, (nowMs - startMs) / totalMs),
      contacts: contactNumber,
      decisions,
    });
  };

  for (;;) {
    const next = queue.pop();
    if (next === undefined) break;
    const nowMs = next.atMs;
    // After closing: stop once the work is done (after-call work included), or once nobody is left to serve
    // those still waiting.
    if (
      nowMs > closesAtMs &&
      pendingWrapUps === 0 &&
      (contacts.size === 0 || (loggedIn === 0 && !isAnyoneConnected()))
    )
      break;
    if (nowMs > closesAtMs + maxOvertimeMs) break;
    clock.advanceTo(nowMs);
    while (nowMs >= nextProgressMs && nextProgressMs <= closesAtMs) {
      progress(nextProgressMs);
      nextProgressMs += progressEveryMs;
    }
    const event = next.item;
    switch (event.kind) {
      case 'route':
        send(event.event, nowMs);
        break;
      case 'timer':
        if (!cancelledTimers.delete(event.timerId))
          send({ type: 'TimerFired', timerId: event.timerId }, nowMs);
        break;
      case 'arrival': {
        const traffic = scenario.traffic[event.traffic]!;
        const random = contactRandom[event.traffic]!;
        const contactId = `${traffic.queueId}-${++contactNumber}` as InteractionId;
        const handleMs = sampleDuration(traffic.handleTime, random);
        const patienceMs =
          traffic.patience === undefined ? undefined : sampleDuration(traffic.patience, random);
        const isVip = traffic.vipShare > 0 && random.next() < traffic.vipShare;
        contacts.set(contactId, {
          traffic: event.traffic,
          queueId: traffic.queueId,
          handleMs,
          isWaiting: true,
          connection: 0,
        });
        report.arrival(contactId, traffic.queueId, nowMs);
        if (patienceMs !== undefined) queue.push(nowMs + patienceMs, { kind: 'patience', contactId });
        send(
          {
            type: 'ContactArrived',
            contactId,
            queueId: traffic.queueId,
            channel: traffic.channel,
            ...(isVip ? { customerPriority: traffic.vipPriority } : {}),
          },
          nowMs,
        );
        const after = nextArrivalMs(traffic.arrivals, nowMs - opensAtMs, arrivalRandom[event.traffic]!);
        if (after < scenario.durationMs)
          queue.push(opensAtMs + after, { kind: 'arrival', traffic: event.traffic });
        break;
      }
      case 'answer':
        if (pendingOffers.delete(`${event.contactId}|${event.agentId}`)) {
          send({ type: 'OfferAccepted', contactId: event.contactId, agentId: event.agentId }, nowMs);
        }
        break;
      case 'hang-up':
        if (contacts.get(event.contactId)?.connection === event.connection) {
          send({ type: 'ContactEnded', contactId: event.contactId }, nowMs);
        }
        break;
      case 'patience':
        if (contacts.get(event.contactId)?.isWaiting === true)
          send({ type: 'ContactAbandoned', contactId: event.contactId }, nowMs);
        break;
      case 'manual-wrap-up':
        pendingWrapUps -= 1;
        send({ type: 'WrapUpEnded', agentId: event.agentId, contactId: event.contactId }, nowMs);
        break;
      case 'callback-outcome':
        send(
          { type: event.isReached ? 'CallbackConnected' : 'CallbackFailed', contactId: event.contactId },
          nowMs,
        );
        break;
      case 'schedule': {
        const current = presence.get(event.agentId) ?? { kind: 'offline' };
        const isFitting =
          event.onlyFrom === 'any' ? current.kind !== event.presence.kind : current.kind === event.onlyFrom;
        // A break starting while the agent is already away, or ending after the shift did, is skipped.
        if (
          isFitting &&
          !(current.kind === 'break' && current.reason === 'missed-offer' && event.onlyFrom === 'break')
        ) {
          send({ type: 'PresenceSelected', agentId: event.agentId, presence: event.presence }, nowMs);
        }
        break;
      }
      case 'return-from-missed-offer': {
        const current = presence.get(event.agentId);
        if (current?.kind === 'break' && current.reason === 'missed-offer') {
          send({ type: 'PresenceSelected', agentId: event.agentId, presence: { kind: 'available' } }, nowMs);
        }
        break;
      }
    }
  }
  const endMs = Math.max(clock.now(), closesAtMs);
  progress(Math.min(endMs, closesAtMs));
  return ok(
    report.build(
      {
        scenario: scenario.name,
        seed,
        router: router.name,
        startMs,
        decisions,
        rejections,
        unfinished: contacts.size,
        wallClockMs: performance.now() - wallStart,
      },
      endMs,
      (queueId) => router.queueAgentIds(queueId),
    ),
  );
}
