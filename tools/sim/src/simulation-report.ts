import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { RoutingConfig, RoutingFact } from '@centralita/acd';
import { batchMeansInterval } from './confidence-interval.ts';

/** Results for one queue over the measured period. Rates are undefined when nothing was measured. */
export interface QueueReport {
  readonly queueId: QueueId;
  /** Contacts that arrived at this queue in the measured period. */
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** Sent to voicemail, another destination, refused or disconnected (ended in this queue). */
  readonly overflowed: number;
  readonly calledBack: number;
  /** Moved on to another queue (overflow, escalation, transfer). */
  readonly movedOut: number;
  /** Answered within the threshold / (answered + abandoned). */
  readonly serviceLevel: number | undefined;
  /** Half-width of the 95 % confidence interval of the service level (batch means). */
  readonly serviceLevelCi95: number | undefined;
  readonly serviceLevelTarget: number;
  readonly serviceLevelThresholdMs: number;
  readonly averageSpeedOfAnswerMs: number | undefined;
  /** Abandoned / (answered + abandoned). */
  readonly abandonmentRate: number | undefined;
  readonly averageTalkMs: number | undefined;
  /** Busy / (busy + idle) time of the agents who can serve the queue. */
  readonly occupancy: number | undefined;
  readonly agents: number;
}

/** Results for one agent over the measured period. */
export interface AgentReport {
  readonly agentId: AgentId;
  readonly contactsHandled: number;
  readonly talkMs: number;
  readonly busyMs: number;
  readonly idleMs: number;
  /** Busy / (busy + idle); breaks and offline time are left out. */
  readonly occupancy: number | undefined;
}

/** What a simulation run reports. */
export interface SimulationReport {
  readonly scenario: string;
  readonly seed: number;
  readonly router: string;
  /** Simulated time covered, ms on the simulated day's clock (00:00 = 0). */
  readonly startMs: number;
  readonly endMs: number;
  /** The start of the measured period (after warm-up). */
  readonly measuredFromMs: number;
  readonly contacts: number;
  /** Events handed to the router. */
  readonly decisions: number;
  /** Events the router refused (0 in a healthy run). */
  readonly rejections: number;
  /** Contacts still in progress when the run stopped (for example: no agent left after closing). */
  readonly unfinished: number;
  /** Real time the run took, ms (not deterministic, unlike everything else). */
  readonly wallClockMs: number;
  readonly queues: readonly QueueReport[];
  readonly agents: readonly AgentReport[];
}

interface QueueTally {
  offered: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  overflowed: number;
  calledBack: number;
  movedOut: number;
  answerWaitTotalMs: number;
  talkTotalMs: number;
  talkCount: number;
  readonly batchWithin: number[];
  readonly batchFinished: number[];
}

interface AgentTally {
  isAvailable: boolean;
  readonly busyContacts: Set<InteractionId>;
  sinceMs: number;
  busyMs: number;
  idleMs: number;
  contactsHandled: number;
  talkMs: number;
}

/**
 * Folds the router's facts into a report. Everything is measured from the facts alone, so the ACD and
 * the naive reference router are reported identically. Contacts are counted in the measured period by
 * their arrival time (after warm-up); agent time is clipped to the measured period.
 */
export class ReportCollector {
  private readonly queues = new Map<QueueId, QueueTally>();
  private readonly agents = new Map<AgentId, AgentTally>();
  private readonly arrivals = new Map<InteractionId, number>();
  private readonly connectedAt = new Map<InteractionId, { agentId: AgentId; atMs: number }>();
  private readonly thresholds = new Map<QueueId, number>();
  private readonly batchCount: number;
  private readonly batchMs: number;
  private readonly config: RoutingConfig;
  private readonly measuredFromMs: number;
  contacts = 0;

  constructor(config: RoutingConfig, measuredFromMs: number, closesAtMs: number, batchCount = 30) {
    this.config = config;
    this.measuredFromMs = measuredFromMs;
    this.batchCount = batchCount;
    this.batchMs = Math.max(1, (closesAtMs - measuredFromMs) / batchCount);
    for (const queue of config.queues) {
      this.thresholds.set(queue.id, queue.serviceLevel.thresholdMs);
      this.queues.set(queue.id, {
        offered: 0,
        answered: 0,
        answeredWithin: 0,
        abandoned: 0,
        overflowed: 0,
        calledBack: 0,
        movedOut: 0,
        answerWaitTotalMs: 0,
        talkTotalMs: 0,
        talkCount: 0,
        batchWithin: new Array<number>(batchCount).fill(0),
        batchFinished: new Array<number>(batchCount).fill(0),
      });
    }
    for (const agent of config.agents) {
      this.agents.set(agent.id, {
        isAvailable: false,
        busyContacts: new Set(),
        sinceMs: measuredFromMs,
        busyMs: 0,
        idleMs: 0,
        contactsHandled: 0,
        talkMs: 0,
      });
    }
  }

  /** A contact was generated at `atMs` for `queueId`. */
  arrival(contactId: InteractionId, queueId: QueueId, atMs: number): void {
    this.arrivals.set(contactId, atMs);
    if (atMs >= this.measuredFromMs) {
      this.contacts += 1;
      const tally = this.queues.get(queueId);
      if (tally !== undefined) tally.offered += 1;
    }
  }

  private isMeasured(contactId: InteractionId): boolean {
    return (this.arrivals.get(contactId) ?? -1) >= this.measuredFromMs;
  }

  private chargeAgent(tally: AgentTally, nowMs: number): void {
    const from = Math.max(tally.sinceMs, this.measuredFromMs);
    if (nowMs > from) {
      if (tally.busyContacts.size > 0) tally.busyMs += nowMs - from;
      else if (tally.isAvailable) tally.idleMs += nowMs - from;
    }
    tally.sinceMs = nowMs;
  }

  /** Folds one fact. */
  fact(fact: RoutingFact): void {
    switch (fact.type) {
      case 'AgentPresenceChanged': {
        const tally = this.agents.get(fact.agentId);
        if (tally === undefined) return;
        this.chargeAgent(tally, fact.atMs);
        tally.isAvailable = fact.to.kind === 'available';
        return;
      }
      case 'AgentActivityChanged': {
        const tally = this.agents.get(fact.agentId);
        if (tally === undefined) return;
        this.chargeAgent(tally, fact.atMs);
        if (fact.to === 'idle') tally.busyContacts.delete(fact.contactId);
        else tally.busyContacts.add(fact.contactId);
        if (fact.to === 'on-contact')
          this.connectedAt.set(fact.contactId, { agentId: fact.agentId, atMs: fact.atMs });
        if (fact.from === 'on-contact') {
          const connected = this.connectedAt.get(fact.contactId);
          this.connectedAt.delete(fact.contactId);
          if (connected !== undefined && connected.atMs >= this.measuredFromMs) {
            tally.contactsHandled += 1;
            tally.talkMs += fact.atMs - connected.atMs;
          }
        }
        return;
      }
      case 'ContactMoved': {
        const tally = this.queues.get(fact.fromQueueId);
        if (tally !== undefined && this.isMeasured(fact.contactId)) tally.movedOut += 1;
        return;
      }
      case 'ContactFinished': {
        const arrivedAtMs = this.arrivals.get(fact.contactId);
        this.arrivals.delete(fact.contactId);
        const tally = this.queues.get(fact.queueId);
        if (tally === undefined || arrivedAtMs === undefined || arrivedAtMs < this.measuredFromMs) return;
        const batch = Math.min(
          this.batchCount - 1,
          Math.floor((arrivedAtMs - this.measuredFromMs) / this.batchMs),
        );
        const isWithin = fact.waitMs <= (this.thresholds.get(fact.queueId) ?? 0);
        switch (fact.outcome) {
          case 'answered':
            tally.answered += 1;
            tally.answerWaitTotalMs += fact.waitMs;
            if (isWithin) {
              tally.answeredWithin += 1;
              tally.batchWithin[batch] = (tally.batchWithin[batch] ?? 0) + 1;
            }
            tally.batchFinished[batch] = (tally.batchFinished[batch] ?? 0) + 1;
            break;
          case 'abandoned':
            tally.abandoned += 1;
            tally.batchFinished[batch] = (tally.batchFinished[batch] ?? 0) + 1;
            break;
          case 'overflowed':
            tally.overflowed += 1;
            break;
          case 'called-back':
            tally.calledBack += 1;
            break;
        }
        if (fact.talkMs !== undefined) {
          tally.talkTotalMs += fact.talkMs;
          tally.talkCount += 1;
        }
        return;
      }
      case 'ContactQueued':
      case 'ContactAnswered':
      case 'EscalationApplied':
      case 'AgentEngagementChanged':
      case 'HelpRequested':
      case 'HelpWithdrawn':
      case 'HelpAttended':
        return;
    }
  }

  /** The report at `endMs`, for the agents each queue reaches. */
  build(
    header: Pick<
      SimulationReport,
      'scenario' | 'seed' | 'router' | 'startMs' | 'decisions' | 'rejections' | 'unfinished' | 'wallClockMs'
    >,
    endMs: number,
    queueAgents: (queueId: QueueId) => readonly AgentId[],
  ): SimulationReport {
    for (const tally of this.agents.values()) this.chargeAgent(tally, endMs);
    const agents: AgentReport[] = [...this.agents].map(([agentId, t]) => ({
      agentId,
      contactsHandled: t.contactsHandled,
      talkMs: t.talkMs,
      busyMs: t.busyMs,
      idleMs: t.idleMs,
      occupancy: t.busyMs + t.idleMs > 0 ? t.busyMs / (t.busyMs + t.idleMs) : undefined,
    }));
    const queues: QueueReport[] = this.config.queues.map((queue) => {
      const t = this.queues.get(queue.id)!;
      const finished = t.answered + t.abandoned;
      const interval = batchMeansInterval(t.batchWithin, t.batchFinished);
      let busy = 0;
      let idle = 0;
      const members = queueAgents(queue.id);
      for (const id of members) {
        const a = this.agents.get(id);
        busy += a?.busyMs ?? 0;
        idle += a?.idleMs ?? 0;
      }
      return {
        queueId: queue.id,
        offered: t.offered,
        answered: t.answered,
        abandoned: t.abandoned,
        overflowed: t.overflowed,
        calledBack: t.calledBack,
        movedOut: t.movedOut,
        serviceLevel: finished > 0 ? t.answeredWithin / finished : undefined,
        serviceLevelCi95: interval?.halfWidth,
        serviceLevelTarget: queue.serviceLevel.target,
        serviceLevelThresholdMs: queue.serviceLevel.thresholdMs,
        averageSpeedOfAnswerMs: t.answered > 0 ? t.answerWaitTotalMs / t.answered : undefined,
        abandonmentRate: finished > 0 ? t.abandoned / finished : undefined,
        averageTalkMs: t.talkCount > 0 ? t.talkTotalMs / t.talkCount : undefined,
        occupancy: busy + idle > 0 ? busy / (busy + idle) : undefined,
        agents: members.length,
      };
    });
    return { ...header, endMs, measuredFromMs: this.measuredFromMs, contacts: this.contacts, queues, agents };
  }
}
