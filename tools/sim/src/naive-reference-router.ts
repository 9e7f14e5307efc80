import { ok, err } from '@centralita/kernel';
import type { AgentId, InteractionId, QueueId, Result } from '@centralita/kernel';
import type {
  AcdError,
  AgentActivity,
  Channel,
  ChangeCause,
  Presence,
  QueueConfig,
  RoutingCommand,
  RoutingConfig,
  RoutingEvent,
  RoutingFact,
  SkillRequirement,
} from '@centralita/acd';
import type { Router, RouterDecision } from './router.ts';

/**
 * THE BENCHMARK'S REFERENCE, NOT FOR PRODUCTION: a deliberately straightforward router that answers every
 * event by scanning every agent (to place a new contact) or every waiting contact (to feed a freed
 * agent). It implements the subset of routing the benchmark workload uses (longest-idle queues with
 * skills and languages, capacities, priorities and queue weights, offers with timeouts, declines and
 * the missed-offer rule, timed or manual wrap-up) with the same tie-breaks as @centralita/acd, so both
 * make identical decisions on that workload and only their speed differs. Anything else is refused at
 * creation.
 */

interface NaiveWork {
  readonly contactId: InteractionId;
  readonly channel: Channel;
  readonly queue: QueueConfig;
  activity: AgentActivity;
  sinceMs: number;
  connectedAtMs: number;
  talkMs: number;
}

interface NaiveAgent {
  readonly id: AgentId;
  readonly ordinal: number;
  readonly skills: ReadonlyMap<string, number>;
  readonly languages: ReadonlySet<string>;
  readonly capacity: Partial<Record<Channel, number>>;
  presence: Presence;
  readonly work: Map<InteractionId, NaiveWork>;
  lastFreedAtMs: number;
  missedInARow: number;
}

interface NaiveContact {
  readonly id: InteractionId;
  readonly ordinal: number;
  readonly queue: QueueConfig;
  readonly channel: Channel;
  readonly priority: number;
  readonly seniorityFromMs: number;
  readonly queuedAtMs: number;
  readonly skills: readonly SkillRequirement[];
  readonly language: string | undefined;
  stage: 'queued' | 'offered' | 'connected';
  answeredAtMs: number;
  agent: NaiveAgent | undefined;
  offerTimerId: string | undefined;
  readonly excludedUntil: Map<NaiveAgent, number>;
}

type NaiveTimer =
  | { readonly kind: 'offer'; readonly contactId: InteractionId }
  | { readonly kind: 'wrap-up'; readonly agentId: AgentId; readonly contactId: InteractionId }
  | { readonly kind: 'reoffer'; readonly contactId: InteractionId };

/** Settings the reference router does not implement; a scenario using them is refused. */
function unsupported(config: RoutingConfig): string[] {
  const problems: string[] = [];
  config.queues.forEach((q, i) => {
    const at = `queues[${i}]`;
    if (q.strategy.type !== 'longest-idle') problems.push(`${at}.strategy: only longest-idle is implemented`);
    if (q.escalation.length > 0) problems.push(`${at}.escalation: not implemented`);
    if (q.announcements !== undefined) problems.push(`${at}.announcements: not implemented`);
    if (q.maxWaitMs !== undefined) problems.push(`${at}.maxWaitMs: not implemented`);
    if (q.maxSize !== undefined) problems.push(`${at}.maxSize: not implemented`);
    if (q.whenNoAgents !== 'join') problems.push(`${at}.whenNoAgents: only "join" is implemented`);
  });
  return problems;
}

class NaiveReferenceRouter implements Router {
  readonly name = 'naive-reference';
  private readonly config: RoutingConfig;
  private readonly agents: NaiveAgent[];
  private readonly agentById: Map<AgentId, NaiveAgent>;
  private readonly queues: Map<QueueId, QueueConfig>;
  private readonly contacts = new Map<InteractionId, NaiveContact>();
  private readonly timers = new Map<string, NaiveTimer>();
  private timerNumber = 1;
  private contactOrdinal = 0;
  private nowMs = 0;
  private commands: RoutingCommand[] = [];
  private facts: RoutingFact[] = [];

  constructor(config: RoutingConfig, startMs: number) {
    this.config = config;
    this.nowMs = startMs;
    this.agents = config.agents.map((a, ordinal) => ({
      id: a.id,
      ordinal,
      skills: new Map(Object.entries(a.skills)),
      languages: new Set(a.languages),
      capacity: a.capacity,
      presence: { kind: 'offline' },
      work: new Map(),
      lastFreedAtMs: startMs,
      missedInARow: 0,
    }));
    this.agentById = new Map(this.agents.map((a) => [a.id, a]));
    this.queues = new Map(config.queues.map((q) => [q.id, q]));
  }

  queueAgentIds(queueId: QueueId): AgentId[] {
    const queue = this.queues.get(queueId);
    if (queue === undefined) return [];
    return this.agents
      .filter(
        (a) =>
          queue.channels.some((c) => (a.capacity[c] ?? 0) > 0) &&
          this.meets(a, queue.requiredSkills, queue.language),
      )
      .map((a) => a.id);
  }

  decide(event: RoutingEvent, nowMs: number): RouterDecision {
    this.nowMs = nowMs;
    this.commands = [];
    this.facts = [];
    const rejection = this.handle(event);
    return { commands: this.commands, facts: this.facts, rejection };
  }

  private handle(event: RoutingEvent): AcdError | undefined {
    switch (event.type) {
      case 'PresenceSelected':
        return this.onPresence(event.agentId, event.presence, event.selectedBy ?? 'agent');
      case 'ContactArrived': {
        const queue = this.queues.get(event.queueId);
        if (queue === undefined) return this.refuse('ACD_QUEUE_NOT_FOUND');
        const contact: NaiveContact = {
          id: event.contactId,
          ordinal: this.contactOrdinal++,
          queue,
          channel: event.channel,
          priority: queue.priority + (event.customerPriority ?? 0),
          seniorityFromMs: Math.min(event.seniorityFromMs ?? this.nowMs, this.nowMs),
          queuedAtMs: this.nowMs,
          skills: [...queue.requiredSkills, ...(event.requiredSkills ?? [])],
          language: event.language ?? queue.language,
          stage: 'queued',
          answeredAtMs: 0,
          agent: undefined,
          offerTimerId: undefined,
          excludedUntil: new Map(),
        };
        this.contacts.set(contact.id, contact);
        this.facts.push({
          type: 'ContactQueued',
          contactId: contact.id,
          queueId: queue.id,
          position: [...this.contacts.values()].filter((c) => c.queue === queue && c.stage === 'queued')
            .length,
          estimatedWaitMs: undefined,
          atMs: this.nowMs,
        });
        this.routeContact(contact);
        return undefined;
      }
      case 'OfferAccepted':
      case 'OfferDeclined': {
        const contact = this.contacts.get(event.contactId);
        const agent = this.agentById.get(event.agentId);
        const work = agent?.work.get(event.contactId);
        if (contact?.stage !== 'offered' || agent === undefined || work?.activity !== 'ringing')
          return this.refuse('ACD_OFFER_NOT_FOUND');
        if (event.type === 'OfferDeclined') {
          this.setActivity(agent, work, 'idle', { by: 'agent', reason: 'declined' });
          this.requeue(contact, [agent]);
          this.routeContact(contact);
          this.feedAgent(agent);
          return undefined;
        }
        this.cancelTimer(contact.offerTimerId);
        contact.stage = 'connected';
        contact.answeredAtMs = this.nowMs;
        this.setActivity(agent, work, 'on-contact', { by: 'agent', reason: 'accepted' });
        work.connectedAtMs = this.nowMs;
        agent.missedInARow = 0;
        this.commands.push({ type: 'ConnectContact', contactId: contact.id, agentId: agent.id });
        return undefined;
      }
      case 'ContactEnded':
      case 'ContactAbandoned': {
        const contact = this.contacts.get(event.contactId);
        if (contact === undefined) return this.refuse('ACD_CONTACT_NOT_FOUND');
        this.contacts.delete(contact.id);
        const agent = contact.agent;
        const work = agent?.work.get(contact.id);
        if (contact.stage === 'connected' && agent !== undefined && work !== undefined) {
          const talkMs = this.nowMs - work.connectedAtMs;
          work.talkMs = talkMs;
          const wrapUpMs = contact.queue.wrapUpMs;
          this.setActivity(agent, work, wrapUpMs === 0 ? 'idle' : 'wrap-up', {
            by: 'system',
            reason: 'contact-ended',
          });
          if (wrapUpMs !== null && wrapUpMs > 0)
            this.startTimer(
              { kind: 'wrap-up', agentId: agent.id, contactId: contact.id },
              this.nowMs + wrapUpMs,
            );
          this.finish(contact, 'answered', talkMs);
          this.feedAgent(agent);
          return undefined;
        }
        if (contact.stage === 'offered' && agent !== undefined && work !== undefined) {
          this.cancelTimer(contact.offerTimerId);
          this.setActivity(agent, work, 'idle', { by: 'customer', reason: 'abandoned' });
          this.commands.push({
            type: 'WithdrawOffer',
            contactId: contact.id,
            agentId: agent.id,
            reason: 'abandoned',
          });
          this.finish(contact, 'abandoned');
          this.feedAgent(agent);
          return undefined;
        }
        this.finish(contact, 'abandoned');
        return undefined;
      }
      case 'WrapUpEnded': {
        const agent = this.agentById.get(event.agentId);
        const work = agent?.work.get(event.contactId);
        if (agent === undefined || work?.activity !== 'wrap-up') return this.refuse('ACD_WORK_NOT_FOUND');
        this.setActivity(agent, work, 'idle', { by: 'agent', reason: 'wrap-up-ended' });
        this.feedAgent(agent);
        return undefined;
      }
      case 'TimerFired':
        this.onTimer(event.timerId);
        return undefined;
      case 'StatisticsReset':
        return undefined;
      case 'ContactTransferred':
      case 'CallbackRequested':
      case 'CallbackConnected':
      case 'CallbackFailed':
      case 'VoicemailChosen':
      case 'FlowOverflowDue':
      case 'AgentEngaged':
      case 'AgentDisengaged':
      case 'AgentAskedForHelp':
      case 'AgentWithdrewHelpRequest':
      case 'SupervisorAttendedHelpRequest':
        // The reference covers the benchmark's subset: no callbacks, voicemail, contacts outside queues or
        // help requests.
        return this.refuse('ACD_ILLEGAL_TRANSITION');
    }
  }

  private refuse(code: AcdError['code']): AcdError {
    return { code, message: `naive reference router: ${code}` };
  }

  private onPresence(agentId: AgentId, presence: Presence, by: 'agent' | 'supervisor'): AcdError | undefined {
    const agent = this.agentById.get(agentId);
    if (agent === undefined) return this.refuse('ACD_AGENT_NOT_FOUND');
    const name = (p: Presence): string => (p.kind === 'break' ? `break:${p.reason}` : p.kind);
    if (name(agent.presence) === name(presence)) return this.refuse('ACD_ILLEGAL_TRANSITION');
    this.changePresence(agent, presence, { by, reason: 'selected' });
    if (presence.kind === 'available') {
      this.feedAgent(agent);
      return undefined;
    }
    this.withdrawRingingOffers(agent);
    return undefined;
  }

  /** An agent no longer available: every offer still ringing at them goes back in line. */
  private withdrawRingingOffers(agent: NaiveAgent): void {
    for (const work of [...agent.work.values()]) {
      if (work.activity !== 'ringing') continue;
      const contact = this.contacts.get(work.contactId);
      if (contact === undefined) continue;
      this.setActivity(agent, work, 'idle', { by: 'system', reason: 'agent-unavailable' });
      this.commands.push({
        type: 'WithdrawOffer',
        contactId: contact.id,
        agentId: agent.id,
        reason: 'agent-unavailable',
      });
      this.requeue(contact, []);
      this.routeContact(contact);
    }
  }

  private changePresence(agent: NaiveAgent, to: Presence, cause: ChangeCause): void {
    const from = agent.presence;
    agent.presence = to;
    if (to.kind === 'available' && from.kind !== 'available') {
      agent.missedInARow = 0;
      if (agent.work.size === 0) agent.lastFreedAtMs = this.nowMs;
    }
    this.facts.push({ type: 'AgentPresenceChanged', agentId: agent.id, from, to, cause, atMs: this.nowMs });
  }

  private setActivity(agent: NaiveAgent, work: NaiveWork, to: AgentActivity, cause: ChangeCause): void {
    const from = work.activity;
    work.activity = to;
    work.sinceMs = this.nowMs;
    if (to === 'idle') {
      agent.work.delete(work.contactId);
      agent.lastFreedAtMs = this.nowMs;
    }
    this.facts.push({
      type: 'AgentActivityChanged',
      agentId: agent.id,
      contactId: work.contactId,
      from,
      to,
      cause,
      atMs: this.nowMs,
    });
  }

  private meets(
    agent: NaiveAgent,
    skills: readonly SkillRequirement[],
    language: string | undefined,
  ): boolean {
    if (language !== undefined && !agent.languages.has(language)) return false;
    return skills.every((r) => (agent.skills.get(r.skill) ?? 0) >= r.minLevel);
  }

  private canTake(agent: NaiveAgent, contact: NaiveContact): boolean {
    if (agent.presence.kind !== 'available' || agent.work.has(contact.id)) return false;
    const until = contact.excludedUntil.get(agent);
    if (until !== undefined && until > this.nowMs) return false;
    let load = 0;
    for (const work of agent.work.values()) if (work.channel === contact.channel) load += 1;
    return (
      load < (agent.capacity[contact.channel] ?? 0) && this.meets(agent, contact.skills, contact.language)
    );
  }

  /** Scans every agent for the longest idle one who can take the contact. */
  private routeContact(contact: NaiveContact): void {
    if (contact.stage !== 'queued') return;
    let best: NaiveAgent | undefined;
    for (const agent of this.agents) {
      if (!this.canTake(agent, contact)) continue;
      if (best === undefined || agent.lastFreedAtMs < best.lastFreedAtMs) best = agent;
    }
    if (best !== undefined) this.offer(contact, best);
  }

  /** Scans every waiting contact for the best one the agent can take, while the agent has room. */
  private feedAgent(agent: NaiveAgent): void {
    for (;;) {
      let best: NaiveContact | undefined;
      let bestWait = 0;
      for (const contact of this.contacts.values()) {
        if (contact.stage !== 'queued' || !this.canTake(agent, contact)) continue;
        const wait = (this.nowMs - contact.seniorityFromMs) * contact.queue.weight;
        const isBetter =
          best === undefined ||
          contact.priority > best.priority ||
          (contact.priority === best.priority &&
            (wait > bestWait || (wait === bestWait && contact.ordinal < best.ordinal)));
        if (isBetter) {
          best = contact;
          bestWait = wait;
        }
      }
      if (best === undefined) return;
      this.offer(best, agent);
    }
  }

  private offer(contact: NaiveContact, agent: NaiveAgent): void {
    contact.stage = 'offered';
    contact.agent = agent;
    const work: NaiveWork = {
      contactId: contact.id,
      channel: contact.channel,
      queue: contact.queue,
      activity: 'idle',
      sinceMs: this.nowMs,
      connectedAtMs: 0,
      talkMs: 0,
    };
    agent.work.set(contact.id, work);
    this.setActivity(agent, work, 'ringing', { by: 'system', reason: 'routed' });
    const expiresAtMs = this.nowMs + contact.queue.offerTimeoutMs;
    this.commands.push({
      type: 'OfferContact',
      contactId: contact.id,
      agentId: agent.id,
      queueId: contact.queue.id,
      channel: contact.channel,
      expiresAtMs,
    });
    contact.offerTimerId = this.startTimer({ kind: 'offer', contactId: contact.id }, expiresAtMs);
  }

  private requeue(contact: NaiveContact, skipped: readonly NaiveAgent[]): void {
    this.cancelTimer(contact.offerTimerId);
    contact.offerTimerId = undefined;
    contact.stage = 'queued';
    contact.agent = undefined;
    const delayMs = this.config.reofferDelayMs;
    if (delayMs > 0 && skipped.length > 0) {
      for (const agent of skipped) contact.excludedUntil.set(agent, this.nowMs + delayMs);
      this.startTimer({ kind: 'reoffer', contactId: contact.id }, this.nowMs + delayMs);
    }
  }

  private onTimer(timerId: string): void {
    const timer = this.timers.get(timerId);
    if (timer === undefined) return;
    this.timers.delete(timerId);
    if (timer.kind === 'wrap-up') {
      const agent = this.agentById.get(timer.agentId);
      const work = agent?.work.get(timer.contactId);
      if (agent === undefined || work?.activity !== 'wrap-up') return;
      this.setActivity(agent, work, 'idle', { by: 'system', reason: 'wrap-up-timer' });
      this.feedAgent(agent);
      return;
    }
    const contact = this.contacts.get(timer.contactId);
    if (contact === undefined) return;
    if (timer.kind === 'reoffer') {
      this.routeContact(contact);
      return;
    }
    const agent = contact.agent;
    const work = agent?.work.get(contact.id);
    if (contact.stage !== 'offered' || agent === undefined || work === undefined) return;
    contact.offerTimerId = undefined;
    this.setActivity(agent, work, 'idle', { by: 'system', reason: 'offer-timeout' });
    this.commands.push({
      type: 'WithdrawOffer',
      contactId: contact.id,
      agentId: agent.id,
      reason: 'timed-out',
    });
    agent.missedInARow += 1;
    const limit = this.config.missedOffersBeforeNotReady;
    const isPutOnBreak = agent.missedInARow >= limit && agent.presence.kind === 'available';
    if (isPutOnBreak) {
      this.changePresence(
        agent,
        { kind: 'break', reason: 'missed-offer' },
        { by: 'system', reason: `${limit} offers missed in a row` },
      );
    }
    this.requeue(contact, [agent]);
    this.routeContact(contact);
    // As @centralita/acd: the missed-offer break withdraws the agent's other ringing offers at once.
    if (isPutOnBreak) this.withdrawRingingOffers(agent);
    this.feedAgent(agent);
  }

  private startTimer(timer: NaiveTimer, atMs: number): string {
    const timerId = `naive-${this.timerNumber++}`;
    this.timers.set(timerId, timer);
    this.commands.push({ type: 'StartTimer', timerId, atMs: Math.max(atMs, this.nowMs) });
    return timerId;
  }

  private cancelTimer(timerId: string | undefined): void {
    if (timerId === undefined || !this.timers.delete(timerId)) return;
    this.commands.push({ type: 'CancelTimer', timerId });
  }

  private finish(contact: NaiveContact, outcome: 'answered' | 'abandoned', talkMs?: number): void {
    this.facts.push({
      type: 'ContactFinished',
      contactId: contact.id,
      queueId: contact.queue.id,
      channel: contact.channel,
      outcome,
      waitMs: (outcome === 'answered' ? contact.answeredAtMs : this.nowMs) - contact.queuedAtMs,
      ...(talkMs === undefined ? {} : { talkMs }),
      atMs: this.nowMs,
    });
  }
}

/**
 * Builds the naive reference router for a routing configuration, or lists the settings it does not
 * implement. Used by the benchmark as the baseline and by tests as an independent check of the ACD.
 */
export function createNaiveReferenceRouter(
  config: RoutingConfig,
  startMs: number,
): Result<Router, readonly string[]> {
  const problems = unsupported(config);
  if (problems.length > 0) return err(problems);
  return ok(new NaiveReferenceRouter(config, startMs));
}
