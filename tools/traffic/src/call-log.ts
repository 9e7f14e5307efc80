import type { FeedEvent } from './event-feed.ts';

/** Why a simulated customer hung up, when they did. */
export type CustomerHangup = 'patience' | 'stop';

/** One simulated customer call as the demo follows it, from our side and from the server's events. */
export class CallRecord {
  /** 1, 2, 3... in the order the calls were placed. */
  readonly sequence: number;
  readonly callerId: string;
  /** The customer's name, or a masked number for an unknown caller. */
  readonly callerLabel: string;
  readonly placedAtMs: number;
  interactionId: string | undefined;
  queueName: string | undefined;
  agentName: string | undefined;
  waitMs: number | undefined;
  talkMs: number | undefined;
  hangup: CustomerHangup | undefined;
  outcome: 'answered' | 'abandoned' | 'stopped' | 'left-ivr' | 'failed' | undefined;
  readonly #queued = Promise.withResolvers<undefined>();
  readonly #answered = Promise.withResolvers<undefined>();

  constructor(sequence: number, callerId: string, callerLabel: string, placedAtMs: number) {
    this.sequence = sequence;
    this.callerId = callerId;
    this.callerLabel = callerLabel;
    this.placedAtMs = placedAtMs;
  }

  /** Resolves when the server puts the call in a queue (`ContactQueued`). */
  get queued(): Promise<undefined> {
    return this.#queued.promise;
  }

  /** Resolves when an agent answers it (`ContactAnswered`). */
  get answered(): Promise<undefined> {
    return this.#answered.promise;
  }

  markQueued(): void {
    this.#queued.resolve(undefined);
  }

  markAnswered(): void {
    this.#answered.resolve(undefined);
  }
}

/** The figures printed at the end. */
export interface TrafficSummary {
  readonly calls: number;
  readonly answered: number;
  /** Callers who gave up waiting in the queue. */
  readonly abandoned: number;
  /** Calls still in progress when the demo stopped, hung up by it. */
  readonly stopped: number;
  /** Calls that ended before reaching a queue, or that the server refused. */
  readonly other: number;
  /** Average time in the queue of the answered calls (null without any). */
  readonly averageWaitMs: number | null;
  readonly longestWaitMs: number | null;
  readonly averageTalkMs: number | null;
}

/** "+34 6•• ••• 123": enough to tell callers apart without printing whole numbers. */
export function maskedNumber(number: string): string {
  return number.length <= 6 ? number : `${number.slice(0, 4)}…${number.slice(-3)}`;
}

function seconds(ms: number): string {
  return `${String(Math.round(ms / 1000))} s`;
}

const causes: Readonly<Record<string, string>> = {
  'caller-hangup': 'the customer hung up',
  'agent-hangup': 'the agent hung up',
  'system-hangup': 'the server hung up',
  failed: 'the call failed',
  'session-expired': 'nobody refreshed the session (RFC 4028)',
};

/**
 * Follows the simulated calls: our own steps (placed, ringing at an agent's phone, wrapped up) and the
 * server's events for them (queued, answered, ended, abandoned), printing one line per step for people
 * and keeping what the summary needs. Calls are recognised by caller id until `CallReceived` gives
 * their interaction id; a caller id is never used by two calls at once.
 */
export class CallLog {
  readonly #print: (line: string) => void;
  readonly #nowMs: () => number;
  readonly #startedMs: number;
  readonly #dialledNumber: string;
  readonly #queueNames: ReadonlyMap<string, string>;
  readonly #agentNames: ReadonlyMap<string, string>;
  readonly #records: CallRecord[] = [];
  readonly #byInteraction = new Map<string, CallRecord>();
  readonly #settledWaiters = new Set<() => void>();

  constructor(options: {
    readonly print: (line: string) => void;
    readonly nowMs: () => number;
    readonly dialledNumber: string;
    /** Queue id -> name. */
    readonly queueNames: ReadonlyMap<string, string>;
    /** Agent (user) id -> name. */
    readonly agentNames: ReadonlyMap<string, string>;
  }) {
    this.#print = options.print;
    this.#nowMs = options.nowMs;
    this.#startedMs = options.nowMs();
    this.#dialledNumber = options.dialledNumber;
    this.#queueNames = options.queueNames;
    this.#agentNames = options.agentNames;
  }

  /** Every call placed so far. */
  get records(): readonly CallRecord[] {
    return this.#records;
  }

  /** A line with the time since the start, for anything worth telling. */
  say(text: string): void {
    const elapsedS = Math.max(0, Math.floor((this.#nowMs() - this.#startedMs) / 1000));
    const clock = `${String(Math.floor(elapsedS / 60)).padStart(2, '0')}:${String(elapsedS % 60).padStart(2, '0')}`;
    this.#print(`[${clock}] ${text}`);
  }

  placed(callerId: string, callerLabel: string): CallRecord {
    const record = new CallRecord(this.#records.length + 1, callerId, callerLabel, this.#nowMs());
    this.#records.push(record);
    this.#sayAbout(record, `${callerLabel} calls`);
    return record;
  }

  /** The server refused the call, or it could not be placed. */
  failed(record: CallRecord, reason: string): void {
    record.outcome = 'failed';
    this.#sayAbout(record, `could not be placed: ${reason}`);
  }

  customerHungUp(record: CallRecord, why: CustomerHangup): void {
    record.hangup ??= why;
  }

  /** The run is stopping: every call not over yet is about to be hung up by the stop. */
  stopping(): void {
    for (const record of this.#records) if (!isSettled(record)) record.hangup ??= 'stop';
  }

  /** An agent's phone rings with the call (from the phone's side: the INVITE names the interaction). */
  ringing(interactionId: string | undefined, agentName: string): void {
    const record = interactionId === undefined ? undefined : this.#byInteraction.get(interactionId);
    if (record !== undefined) this.#sayAbout(record, `ringing ${agentName}`);
  }

  wrappedUp(interactionId: string | undefined, agentName: string, disposition: string | null): void {
    const record = interactionId === undefined ? undefined : this.#byInteraction.get(interactionId);
    if (record === undefined) return;
    this.#sayAbout(record, `${agentName} wrapped it up${disposition === null ? '' : ` (${disposition})`}`);
  }

  /** The queue name of an interaction of ours, once it was queued. */
  queueOf(interactionId: string | undefined): string | undefined {
    return interactionId === undefined ? undefined : this.#byInteraction.get(interactionId)?.queueName;
  }

  /**
   * Resolves when the server has told the end of every call (or after `timeoutMs`): what the stop hung up
   * is reported before the summary.
   */
  settled(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.#records.every(isSettled)) return;
        clearTimeout(timer);
        this.#settledWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#settledWaiters.delete(check);
        resolve();
      }, timeoutMs);
      this.#settledWaiters.add(check);
      check();
    });
  }

  /** One event of the server's stream. */
  onEvent(event: FeedEvent): void {
    this.#apply(event);
    for (const check of [...this.#settledWaiters]) check();
  }

  #apply(event: FeedEvent): void {
    const data = event.data;
    if (event.type === 'CallReceived') {
      if (data['to'] !== this.#dialledNumber) return;
      // A number is used by one call at a time, so the latest call from it is the one the server received,
      // even when it is already over on our side (a call the stop cancelled while the server took it).
      const record = this.#records.findLast((candidate) => candidate.callerId === data['from']);
      if (record?.interactionId !== undefined) return;
      if (record === undefined || typeof data['interactionId'] !== 'string') return;
      record.interactionId = data['interactionId'];
      this.#byInteraction.set(record.interactionId, record);
      return;
    }
    const id = data['contactId'] ?? data['interactionId'];
    const record = typeof id === 'string' ? this.#byInteraction.get(id) : undefined;
    if (record === undefined) return;
    switch (event.type) {
      case 'ContactQueued': {
        const queueId = String(data['queueId']);
        record.queueName = this.#queueNames.get(queueId) ?? 'a queue';
        this.#sayAbout(record, `queued in ${record.queueName}`);
        record.markQueued();
        return;
      }
      case 'ContactAnswered': {
        record.agentName = this.#agentNames.get(String(data['agentId'])) ?? 'an agent';
        record.waitMs = Number(data['waitMs']);
        record.outcome = 'answered';
        this.#sayAbout(
          record,
          `answered by ${record.agentName} after ${seconds(record.waitMs)} in the queue`,
        );
        record.markAnswered();
        return;
      }
      case 'ContactFinished': {
        if (data['outcome'] !== 'abandoned') return;
        record.waitMs = Number(data['waitMs']);
        record.outcome = record.hangup === 'stop' ? 'stopped' : 'abandoned';
        this.#sayAbout(
          record,
          record.outcome === 'stopped'
            ? `hung up by the stop after ${seconds(record.waitMs)} in the queue`
            : `abandoned after ${seconds(record.waitMs)} in the queue`,
        );
        return;
      }
      case 'CallEnded': {
        if (record.outcome === 'answered') {
          record.talkMs = Number(data['talkMs']);
          const cause =
            record.hangup === 'stop' ? 'hung up at the stop' : (causes[String(data['cause'])] ?? 'it ended');
          this.#sayAbout(record, `ended after ${seconds(record.talkMs)} of conversation (${cause})`);
        } else if (record.queueName === undefined) {
          record.outcome ??= record.hangup === 'stop' ? 'stopped' : 'left-ivr';
          this.#sayAbout(
            record,
            record.outcome === 'stopped'
              ? 'hung up by the stop in the menu'
              : 'ended in the menu, before reaching a queue',
          );
        }
        return;
      }
      default:
        return;
    }
  }

  summary(): TrafficSummary {
    const records = this.#records;
    const answered = records.filter((record) => record.outcome === 'answered');
    const waits = answered.map((record) => record.waitMs).filter((ms) => ms !== undefined);
    const talks = answered.map((record) => record.talkMs).filter((ms) => ms !== undefined);
    const average = (values: readonly number[]): number | null =>
      values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
    const abandoned = records.filter((record) => record.outcome === 'abandoned').length;
    const stopped = records.filter((record) => record.outcome === 'stopped').length;
    return {
      calls: records.length,
      answered: answered.length,
      abandoned,
      stopped,
      other: records.length - answered.length - abandoned - stopped,
      averageWaitMs: average(waits),
      longestWaitMs: waits.length === 0 ? null : Math.max(...waits),
      averageTalkMs: average(talks),
    };
  }

  #sayAbout(record: CallRecord, text: string): void {
    this.say(`call ${String(record.sequence)}: ${text}`);
  }
}

/** True when nothing more is to come about a call. */
function isSettled(record: CallRecord): boolean {
  return record.outcome === 'answered' ? record.talkMs !== undefined : record.outcome !== undefined;
}

/** The summary as a few lines for people. */
export function formatSummary(summary: TrafficSummary): string[] {
  const lines = [
    `${String(summary.calls)} calls: ${String(summary.answered)} answered, ${String(summary.abandoned)} abandoned` +
      (summary.stopped === 0 ? '' : `, ${String(summary.stopped)} hung up at the stop`) +
      (summary.other === 0 ? '' : `, ${String(summary.other)} other (ended in the menu or refused)`) +
      '.',
  ];
  if (summary.averageWaitMs !== null)
    lines.push(
      `Average wait of answered calls ${seconds(summary.averageWaitMs)} (longest ${seconds(summary.longestWaitMs ?? 0)}); average conversation ${summary.averageTalkMs === null ? 'not over yet' : seconds(summary.averageTalkMs)}.`,
    );
  return lines;
}
