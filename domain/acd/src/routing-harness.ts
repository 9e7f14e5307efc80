import { SeededRandom } from '@centralita/kernel';
import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { Presence } from './agent-presence.ts';
import type { Channel } from './channel.ts';
import type { OfferContact, RoutingCommand } from './commands.ts';
import { decide } from './decide.ts';
import type { Decision } from './decide.ts';
import type { AcdError } from './errors.ts';
import type { ContactArrived, RoutingEvent } from './events.ts';
import type { RoutingFact } from './facts.ts';
import { parseRoutingConfig } from './routing-config.ts';
import type { RoutingConfigInput } from './routing-config.ts';
import { reconfigure } from './reconfigure.ts';
import { createRoutingState } from './routing-state.ts';
import type { RoutingState } from './routing-state.ts';

/**
 * Test support (not exported): the smallest runtime around `decide` for scenario and property tests. It
 * keeps a virtual clock, carries out StartTimer/CancelTimer, fires due timers in order, remembers which
 * offers are ringing, and logs every command, fact and rejection.
 */
export class RoutingHarness {
  /** The engine's state: a new one after `reconfigure`. */
  state: RoutingState;
  nowMs: number;
  readonly commands: RoutingCommand[] = [];
  readonly facts: RoutingFact[] = [];
  readonly rejections: AcdError[] = [];
  /** Ringing offers by `contactId|agentId`. */
  readonly ringing = new Map<string, OfferContact>();
  private readonly timers = new Map<string, number>();
  private timerOrder = 0;
  private readonly timerSeq = new Map<string, number>();

  constructor(config: RoutingConfigInput, options: { seed?: number; startMs?: number } = {}) {
    const parsed = parseRoutingConfig(config);
    if (!parsed.ok) throw new Error(parsed.error.map((e) => e.message).join('\n'));
    this.nowMs = options.startMs ?? 0;
    this.state = createRoutingState(parsed.value, new SeededRandom(options.seed ?? 1), this.nowMs);
  }

  /** Feeds one event at the current time and carries out the timer commands. */
  send(event: RoutingEvent): Decision {
    const decision = decide(this.state, event, this.nowMs);
    this.carryOut(decision);
    if (event.type === 'OfferDeclined') this.ringing.delete(`${event.contactId}|${event.agentId}`);
    return decision;
  }

  /** Moves the engine to a new configuration at the current time (`reconfigure`), keeping the timers running. */
  reconfigure(config: RoutingConfigInput): Decision {
    const parsed = parseRoutingConfig(config);
    if (!parsed.ok) throw new Error(parsed.error.map((e) => e.message).join('\n'));
    const decision = reconfigure(this.state, parsed.value, this.nowMs);
    this.state = decision.state;
    this.carryOut(decision);
    return decision;
  }

  /** Ids of the timers this harness will fire, sorted (to compare with the engine's own). */
  pendingTimerIds(): string[] {
    return [...this.timers.keys()].sort();
  }

  private carryOut(decision: Decision): void {
    if (decision.rejection !== undefined) this.rejections.push(decision.rejection);
    for (const command of decision.commands) {
      this.commands.push(command);
      if (command.type === 'StartTimer') {
        this.timers.set(command.timerId, command.atMs);
        this.timerSeq.set(command.timerId, this.timerOrder++);
      } else if (command.type === 'CancelTimer') {
        this.timers.delete(command.timerId);
      } else if (command.type === 'OfferContact') {
        this.ringing.set(`${command.contactId}|${command.agentId}`, command);
      } else if (command.type === 'WithdrawOffer' || command.type === 'ConnectContact') {
        this.ringing.delete(`${command.contactId}|${command.agentId}`);
      }
    }
    this.facts.push(...decision.facts);
  }

  /** The earliest pending timer, if any. */
  nextTimer(): { timerId: string; atMs: number } | undefined {
    let best: { timerId: string; atMs: number; seq: number } | undefined;
    for (const [timerId, atMs] of this.timers) {
      const seq = this.timerSeq.get(timerId) ?? 0;
      if (best === undefined || atMs < best.atMs || (atMs === best.atMs && seq < best.seq)) {
        best = { timerId, atMs, seq };
      }
    }
    return best;
  }

  /** Moves the clock to `ms`, firing every timer due on the way, in time order. */
  advanceTo(ms: number): void {
    for (;;) {
      const next = this.nextTimer();
      if (next === undefined || next.atMs > ms) break;
      this.timers.delete(next.timerId);
      this.nowMs = Math.max(this.nowMs, next.atMs);
      this.send({ type: 'TimerFired', timerId: next.timerId });
    }
    this.nowMs = Math.max(this.nowMs, ms);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  pendingTimerCount(): number {
    return this.timers.size;
  }

  presence(agentId: string, presence: Presence): Decision {
    return this.send({ type: 'PresenceSelected', agentId: agentId as AgentId, presence });
  }

  login(...agentIds: string[]): void {
    for (const id of agentIds) this.presence(id, { kind: 'available' });
  }

  arrive(
    contactId: string,
    queueId: string,
    extra: Partial<Omit<ContactArrived, 'type' | 'contactId' | 'queueId'>> & { channel?: Channel } = {},
  ): Decision {
    return this.send({
      type: 'ContactArrived',
      contactId: contactId as InteractionId,
      queueId: queueId as QueueId,
      channel: extra.channel ?? 'voice',
      ...extra,
    });
  }

  accept(contactId: string, agentId: string): Decision {
    return this.send({
      type: 'OfferAccepted',
      contactId: contactId as InteractionId,
      agentId: agentId as AgentId,
    });
  }

  decline(contactId: string, agentId: string): Decision {
    return this.send({
      type: 'OfferDeclined',
      contactId: contactId as InteractionId,
      agentId: agentId as AgentId,
    });
  }

  end(contactId: string): Decision {
    return this.send({ type: 'ContactEnded', contactId: contactId as InteractionId });
  }

  abandon(contactId: string): Decision {
    return this.send({ type: 'ContactAbandoned', contactId: contactId as InteractionId });
  }

  /** Agent ids currently ringing for a contact. */
  ringingFor(contactId: string): string[] {
    return [...this.ringing.values()].filter((o) => o.contactId === contactId).map((o) => o.agentId);
  }

  /** Contact ids currently ringing at an agent. */
  ringingAt(agentId: string): string[] {
    return [...this.ringing.values()].filter((o) => o.agentId === agentId).map((o) => o.contactId);
  }

  /** Commands of one type, in order. */
  commandsOf<T extends RoutingCommand['type']>(type: T): Extract<RoutingCommand, { type: T }>[] {
    return this.commands.filter((c): c is Extract<RoutingCommand, { type: T }> => c.type === type);
  }

  /** Facts of one type, in order. */
  factsOf<T extends RoutingFact['type']>(type: T): Extract<RoutingFact, { type: T }>[] {
    return this.facts.filter((f): f is Extract<RoutingFact, { type: T }> => f.type === type);
  }
}
