import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  agentStatistics,
  createRoutingState,
  decide,
  queueAgentIds,
  queueStatistics,
  reconfigure,
} from '@centralita/acd';
import type {
  AgentStatistics,
  Decision,
  HelpRequest,
  RoutingCommand,
  RoutingEvent,
  RoutingFact,
  RoutingState,
} from '@centralita/acd';
import type { EventBus } from '@centralita/bus';
import type {
  AgentStateView,
  HelpRequestView,
  PresenceView,
  QueueStatsView,
  RoutingPort,
  RoutingRefusal,
} from '@centralita/http-api';
import { SeededRandom } from '@centralita/kernel';
import type { AgentId, InteractionId, TenantId, UserId } from '@centralita/kernel';
import type { Database } from '@centralita/store';
import { placeholderQueueId, readTenantRouting } from './tenant-routing.ts';
import type { TenantConfiguration } from './tenant-routing.ts';
import { RoutingFactWriter } from './routing-fact-writer.ts';
import type { WriteFacts } from './routing-fact-writer.ts';

/** Events after which a tenant's routing configuration is rebuilt (queues, skills and staff changed). */
const configurationEvents = new Set([
  'QueueChanged',
  'SkillChanged',
  'UserCreated',
  'UserChanged',
  'UserDisabled',
]);

/**
 * One tenant's live routing. The object lives as long as the runtime: a configuration change replaces its
 * `state` (carrying everything live over, see `refresh`), so timers started for the old state fire into the
 * new one.
 */
interface TenantRouting {
  state: RoutingState;
  names: Map<string, string>;
  breakReasons: readonly string[];
  /** Real timers by the engine's timer id; ids go on across configuration changes. */
  readonly timers: Map<string, NodeJS.Timeout>;
  /** A configuration event arrived since the configuration was last read. */
  isStale: boolean;
  /** The configuration change being carried out, if any. */
  refreshing: Promise<void> | undefined;
}

/** What the database says the tenant's routing is. */
/**
 * Runs the routing engine (domain/acd) for every tenant: builds each tenant's configuration from its queues,
 * skills and staff, feeds it events one at a time, carries out its timers with real timers, and publishes
 * its facts (presence and activity changes with their cause) durably on the event stream. The engine itself
 * decides; this only translates.
 */
/** The call layer as the routing runtime sees it: it carries out offers, withdrawals and connections. */
export type RoutingCommandListener = (tenantId: string, command: RoutingCommand) => void;

export class RoutingRuntime implements RoutingPort {
  private commandListener: RoutingCommandListener | undefined;
  private readonly tenants = new Map<string, Promise<TenantRouting>>();
  private readonly unsubscribe: () => void;
  private readonly database: Database;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly facts: RoutingFactWriter;

  constructor(database: Database, bus: EventBus, logger: Logger, now: () => number = Date.now) {
    this.database = database;
    this.bus = bus;
    this.logger = logger;
    this.now = now;
    this.facts = new RoutingFactWriter({ logger, now, write: routingFactWrites(database) });
    this.unsubscribe = bus.subscribe('*', (event) => {
      if (configurationEvents.has(event.type)) void this.markStale(event.tenantId);
    });
  }

  async agentState(tenantId: string, userId: string): Promise<AgentStateView | undefined> {
    const routing = await this.routing(tenantId);
    return routing.state.agents.has(userId as AgentId) ? this.agentView(routing, userId) : undefined;
  }

  async agentStates(tenantId: string): Promise<readonly AgentStateView[]> {
    const routing = await this.routing(tenantId);
    return [...routing.state.agents.keys()]
      .map((id) => this.agentView(routing, id))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async breakReasons(tenantId: string): Promise<readonly string[]> {
    return (await this.routing(tenantId)).breakReasons;
  }

  async queueStats(tenantId: string): Promise<readonly QueueStatsView[]> {
    const routing = await this.routing(tenantId);
    const nowMs = Math.max(this.now(), routing.state.nowMs);
    return [...routing.state.queues.keys()]
      .filter((queueId) => queueId !== placeholderQueueId)
      .map((queueId) => {
        const stats = queueStatistics(routing.state, queueId, nowMs);
        if (stats === undefined) throw new Error(`queue ${queueId} vanished from the routing state`);
        return {
          queueId,
          name: routing.names.get(queueId) ?? queueId,
          waiting: stats.waiting,
          longestWaitMs: stats.longestWaitMs,
          agentsByStatus: stats.agents,
          offered: stats.offered,
          answered: stats.answered,
          abandoned: stats.abandoned,
          serviceLevel: stats.serviceLevel ?? null,
          serviceLevelTarget: stats.serviceLevelTarget,
          serviceLevelThresholdMs: stats.serviceLevelThresholdMs,
          averageSpeedOfAnswerMs: stats.averageSpeedOfAnswerMs ?? null,
          abandonmentRate: stats.abandonmentRate ?? null,
          estimatedWaitMs: stats.estimatedWaitMs ?? null,
        };
      });
  }

  async selectPresence(
    tenantId: string,
    userId: string,
    presence: PresenceView,
    selectedBy: 'agent' | 'supervisor',
  ): Promise<{ ok: true; value: AgentStateView } | { ok: false; error: RoutingRefusal }> {
    const routing = await this.routing(tenantId);
    if (!routing.state.agents.has(userId as AgentId)) {
      return {
        ok: false,
        error: {
          code: 'ACD_AGENT_NOT_FOUND',
          message: 'This user does not take contacts: give them skills in a queue first.',
        },
      };
    }
    const rejection = await this.apply(tenantId, routing, {
      type: 'PresenceSelected',
      agentId: userId as AgentId,
      presence: presence,
      selectedBy,
    });
    if (rejection) return { ok: false, error: rejection };
    return { ok: true, value: this.agentView(routing, userId) };
  }

  /** Hands the commands meant for calls (offers, withdrawals, connections, overflows) to the call layer. */
  setCommandListener(listener: RoutingCommandListener): void {
    this.commandListener = listener;
  }

  /** Feeds an event from the call layer (a contact arrived, an offer was accepted...) to the tenant's engine. */
  async dispatch(tenantId: string, event: RoutingEvent): Promise<RoutingRefusal | undefined> {
    const routing = await this.routing(tenantId);
    return this.apply(tenantId, routing, event);
  }

  async askForHelp(
    tenantId: string,
    agentId: string,
    contactId: string,
    note: string | undefined,
  ): Promise<RoutingRefusal | undefined> {
    return this.dispatch(tenantId, {
      type: 'AgentAskedForHelp',
      agentId: agentId as AgentId,
      contactId: contactId as InteractionId,
      note,
    });
  }

  async withdrawHelpRequest(
    tenantId: string,
    agentId: string,
    contactId: string,
  ): Promise<RoutingRefusal | undefined> {
    return this.dispatch(tenantId, {
      type: 'AgentWithdrewHelpRequest',
      agentId: agentId as AgentId,
      contactId: contactId as InteractionId,
    });
  }

  async attendHelpRequest(
    tenantId: string,
    contactId: string,
    supervisorId: string,
  ): Promise<RoutingRefusal | undefined> {
    return this.dispatch(tenantId, {
      type: 'SupervisorAttendedHelpRequest',
      contactId: contactId as InteractionId,
      supervisorId: supervisorId as UserId,
    });
  }

  async endWrapUp(tenantId: string, agentId: string, contactId: string): Promise<RoutingRefusal | undefined> {
    return this.dispatch(tenantId, {
      type: 'WrapUpEnded',
      agentId: agentId as AgentId,
      contactId: contactId as InteractionId,
    });
  }

  /** Stops every timer (server shutdown), after a last attempt at the routing events still waiting. */
  async close(): Promise<void> {
    this.unsubscribe();
    const unstored = await this.facts.close();
    if (unstored > 0) {
      this.logger.error(
        { unstored },
        'routing events were never stored: the database refused them until shutdown (reports miss them)',
      );
    }
    for (const pending of this.tenants.values()) {
      pending.then(
        (routing) => {
          for (const timer of routing.timers.values()) clearTimeout(timer);
        },
        () => undefined, // never built: no timers
      );
    }
  }

  private agentView(routing: TenantRouting, agentId: string): AgentStateView {
    const nowMs = Math.max(this.now(), routing.state.nowMs);
    const stats: AgentStatistics | undefined = agentStatistics(routing.state, agentId as AgentId, nowMs);
    if (stats === undefined) throw new Error(`agent ${agentId} vanished from the routing state`);
    const work = [...(routing.state.agents.get(agentId as AgentId)?.work.values() ?? [])];
    return {
      agentId,
      name: routing.names.get(agentId) ?? agentId,
      presence: stats.presence,
      status: stats.status,
      timeInStatusMs: stats.timeInStatusMs,
      contactsHandled: stats.contactsHandled,
      talkTimeMs: stats.talkTimeMs,
      missedOffers: stats.missedOffers,
      occupancy: stats.occupancy,
      queueIds: [...routing.state.queues.keys()].filter((queueId) =>
        queueAgentIds(routing.state, queueId).includes(agentId as AgentId),
      ),
      wrapUpEndsInMs: wrapUpEndsIn(routing, agentId, nowMs),
      contactIds: work.filter((item) => item.activity === 'on-contact').map((item) => item.contactId),
      work: work
        .filter((item) => item.activity !== 'idle')
        .map((item) => ({
          contactId: item.contactId,
          activity: item.activity,
          help: helpView(routing, item.help, nowMs),
        })),
    };
  }

  /** Feeds one event to the engine and carries out what it decides. */
  private async apply(
    tenantId: string,
    routing: TenantRouting,
    event: RoutingEvent,
  ): Promise<RoutingRefusal | undefined> {
    const decision = decide(routing.state, event, Math.max(this.now(), routing.state.nowMs));
    if (decision.rejection)
      return {
        code: decision.rejection.code,
        message: decision.rejection.message,
        field: decision.rejection.field,
      };
    await this.carryOut(tenantId, routing, decision);
    return undefined;
  }

  /** Carries out the engine's commands (timers here, the rest by the call layer) and records its facts. */
  private async carryOut(tenantId: string, routing: TenantRouting, decision: Decision): Promise<void> {
    for (const command of decision.commands) {
      switch (command.type) {
        case 'StartTimer': {
          clearTimeout(routing.timers.get(command.timerId));
          const timer = setTimeout(
            () => {
              routing.timers.delete(command.timerId);
              // Into whatever state the tenant has by then: a configuration change keeps the timer's purpose.
              this.apply(tenantId, routing, { type: 'TimerFired', timerId: command.timerId }).catch(
                (error: unknown) => {
                  this.logger.error(
                    { tenantId, timerId: command.timerId, err: error },
                    'routing timer failed',
                  );
                },
              );
            },
            Math.max(0, command.atMs - this.now()),
          );
          timer.unref();
          routing.timers.set(command.timerId, timer);
          break;
        }
        case 'CancelTimer':
          clearTimeout(routing.timers.get(command.timerId));
          routing.timers.delete(command.timerId);
          break;
        case 'OfferContact':
        case 'WithdrawOffer':
        case 'ConnectContact':
        case 'PlaceCallback':
        case 'AnnounceQueuePosition':
        case 'OfferCallbackToCaller':
        case 'OfferVoicemailToCaller':
        case 'RejectContact':
        case 'SendToVoicemail':
        case 'RouteToDestination':
        case 'DisconnectContact':
          if (this.commandListener === undefined)
            this.logger.debug({ tenantId, command: command.type }, 'routing command without a call layer');
          else this.commandListener(tenantId, command);
          break;
      }
    }
    await this.publish(tenantId, decision.facts);
  }

  /**
   * Stores the engine's facts as events (reports and adherence are computed from them); the database
   * publishes them on the bus once they are committed. Resolves once stored, or queued for a retry when the
   * database refuses them: the decision they record is already carried out.
   */
  private publish(tenantId: string, facts: readonly RoutingFact[]): Promise<void> {
    // Never rejects: facts the database refuses are kept and stored when it is back (RoutingFactWriter).
    return this.facts.store(tenantId, facts);
  }

  /**
   * Marks the tenant's configuration stale and moves to the new one right away rather than at the next use:
   * a change may let a waiting caller be offered now, or change a timer that is about to fire.
   */
  private async markStale(tenantId: string): Promise<void> {
    const pending = this.tenants.get(tenantId);
    if (pending === undefined) return;
    try {
      (await pending).isStale = true;
      await this.routing(tenantId);
    } catch (error) {
      this.logger.error({ tenantId, err: error }, 'routing could not take the new configuration');
    }
  }

  /**
   * The tenant's routing, built on first use and moved to the new configuration after configuration changes
   * (once per burst of changes: callers that come meanwhile wait for the same refresh).
   */
  private async routing(tenantId: string): Promise<TenantRouting> {
    let pending = this.tenants.get(tenantId);
    if (pending === undefined) {
      const building = this.build(tenantId);
      pending = building;
      this.tenants.set(tenantId, building);
      // A build the database failed is forgotten, so the next use tries again instead of failing for ever.
      building.catch(() => {
        if (this.tenants.get(tenantId) === building) this.tenants.delete(tenantId);
      });
    }
    const routing = await pending;
    for (;;) {
      // A refresh under way is waited for, so that what comes next sees the configuration just stored.
      if (routing.refreshing !== undefined) await routing.refreshing;
      else if (routing.isStale)
        routing.refreshing = this.refresh(tenantId, routing).finally(() => {
          routing.refreshing = undefined;
        });
      else return routing;
    }
  }

  private async build(tenantId: string): Promise<TenantRouting> {
    const { config, names, breakReasons } = await this.readConfiguration(tenantId);
    return {
      state: createRoutingState(config, new SeededRandom(Date.now() >>> 0), this.now()),
      names,
      breakReasons,
      timers: new Map(),
      isStale: false,
      refreshing: undefined,
    };
  }

  /**
   * Moves the tenant's routing to its configuration as now stored (issue #7): the engine's `reconfigure`
   * carries over every waiting contact, offer, agent's work and presence, counter and timer, and returns the
   * commands the change calls for (offers an added skill makes possible, timers re-armed or cancelled),
   * carried out here like any decision. Events that arrive while the configuration is read go to the old
   * state, which is carried over once it has been read, so none is lost.
   */
  private async refresh(tenantId: string, routing: TenantRouting): Promise<void> {
    // Cleared first: a change stored while this one is read marks the tenant stale again.
    routing.isStale = false;
    let read: TenantConfiguration;
    try {
      read = await this.readConfiguration(tenantId);
    } catch (error) {
      routing.isStale = true;
      throw error;
    }
    const decision = reconfigure(routing.state, read.config, Math.max(this.now(), routing.state.nowMs));
    if (decision.rejection !== undefined) {
      this.logger.error(
        { tenantId, code: decision.rejection.code, reason: decision.rejection.message },
        'routing reconfiguration went wrong',
      );
    }
    routing.state = decision.state;
    // Agents no longer configured but still on a call keep their name on the wallboard.
    routing.names = new Map([...routing.names, ...read.names]);
    routing.breakReasons = read.breakReasons;
    await this.carryOut(tenantId, routing, decision);
  }

  /** The tenant's queues, skills and staff as a validated routing configuration, with display names. */
  private async readConfiguration(tenantId: string): Promise<TenantConfiguration> {
    const context = { tenantId: tenantId as TenantId, actor: { type: 'system' as const, id: 'routing' } };
    return this.database.inTenant(context, readTenantRouting);
  }
}

/**
 * How long the agent's timed after-call work has left (the soonest to end, with several contacts), or null when
 * they are not in wrap-up or it lasts until they end it.
 */
function wrapUpEndsIn(routing: TenantRouting, agentId: string, nowMs: number): number | null {
  let soonest: number | null = null;
  for (const item of routing.state.agents.get(agentId as AgentId)?.work.values() ?? []) {
    const wrapUpMs = item.queue.config.wrapUpMs;
    if (item.activity !== 'wrap-up' || wrapUpMs === null || wrapUpMs <= 0) continue;
    const left = Math.max(0, item.sinceMs + wrapUpMs - nowMs);
    soonest = soonest === null ? left : Math.min(soonest, left);
  }
  return soonest;
}

/** An agent's help request as the API shows it, with the attending supervisor's name. */
function helpView(
  routing: TenantRouting,
  help: HelpRequest | undefined,
  nowMs: number,
): HelpRequestView | null {
  if (help === undefined) return null;
  return {
    state: help.kind,
    note: help.note ?? null,
    timeSinceRequestMs: Math.max(0, nowMs - help.requestedAtMs),
    attendedBy:
      help.kind === 'attended'
        ? { userId: help.supervisorId, name: routing.names.get(help.supervisorId) ?? help.supervisorId }
        : null,
  };
}

/**
 * Writes a tenant's routing facts as events. Each fact keeps one event id across attempts. A batch holding a
 * fact tried before (retried after its COMMIT's answer was lost: it may have been stored, and more facts may
 * have joined it since) skips the events already stored, so each fact is stored once; a first attempt is a
 * plain insert.
 */
export function routingFactWrites(database: Database): WriteFacts {
  const ids = new WeakMap<RoutingFact, string>();
  return (tenantId, facts) => {
    const isRetry = facts.some((fact) => ids.has(fact));
    for (const fact of facts) if (!ids.has(fact)) ids.set(fact, randomUUID());
    return database.inTenant(
      { tenantId: tenantId as TenantId, actor: { type: 'system', id: 'routing' } },
      (tx) => {
        for (const fact of facts) {
          const { type, atMs, ...data } = fact;
          tx.recordEvent(type, data, new Date(atMs), ids.get(fact));
        }
        return Promise.resolve();
      },
      { isSkippingStoredEvents: isRetry },
    );
  };
}
