import type { Logger } from 'pino';
import type { EventBus } from '@centralita/bus';
import { isTransientDatabaseError, reports } from '@centralita/store';
import type { Database } from '@centralita/store';

export interface ReportingProjectorOptions {
  readonly database: Database;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Events read per transaction. */
  readonly batchSize?: number;
  /** How long a hole in domain_events.seq is waited for before it is taken for a rollback. */
  readonly gapTimeoutMs?: number;
  /** Events committed together within this wait are applied in one transaction. */
  readonly batchDelayMs?: number;
  /** How often domain_events is read even without news on the bus (events written by another process). */
  readonly pollIntervalMs?: number;
  /** How often the time of agents still logged in is run up to now. */
  readonly agentTimeIntervalMs?: number;
}

/** Totals since start, for logs, tests and the benchmark. */
export interface ProjectorTotals {
  readonly rows: number;
  readonly reportingEvents: number;
  readonly throughSeq: number;
}

/**
 * Keeps the report summaries up to date (docs/metrics.md, "Reports: how summaries are kept"): catches
 * up from its checkpoint in domain_events at start, then applies new events in recording order as the
 * bus announces them. The bus is only a wake-up call; events are always read back from domain_events,
 * and the summaries and the checkpoint commit in one transaction, so a crash at any point loses nothing
 * and counts nothing twice: the next start continues from the checkpoint.
 */
export class ReportingProjector {
  /** Settles when the catch-up at start is done (or the projector stopped). */
  readonly caughtUp: Promise<void>;
  private readonly database: Database;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly batchSize: number;
  private readonly gapTimeoutMs: number;
  private readonly batchDelayMs: number;
  private readonly unsubscribe: () => void;
  private readonly pollTimer: NodeJS.Timeout;
  private readonly agentTimeTimer: NodeJS.Timeout;
  private wakeTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private isWanted = false;
  private isStopped = false;
  /** Holes below this seq are final (their transactions rolled back). */
  private skipGapsBelow = 0;
  /** After a refused batch: how many events are still applied one at a time, to find the refused one. */
  private singleSteps = 0;
  /** A hole was seen: every hole below `seq` is final once `atMs + gapTimeoutMs` has passed. */
  private pendingGap: { readonly seq: number; readonly atMs: number } | undefined;
  private totals: ProjectorTotals = { rows: 0, reportingEvents: 0, throughSeq: 0 };
  /** Each tenant zone's calendar, kept between batches: it caches the zone's offsets. */
  private readonly calendars = new Map<string, reports.TimeZoneCalendar>();

  private constructor(options: ReportingProjectorOptions) {
    this.database = options.database;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.batchSize = options.batchSize ?? reports.projectorBatchSize;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 2_000;
    // Events of half a second are applied together: a batch has fixed costs (its transaction, the tenant's
    // settings, a write per summary table), and reports do not need fresher figures (the wallboard's live
    // figures come from the routing engine).
    this.batchDelayMs = options.batchDelayMs ?? 500;
    this.unsubscribe = options.bus.subscribe('*', () => {
      this.wake();
    });
    this.pollTimer = setInterval(() => {
      this.wake(0);
    }, options.pollIntervalMs ?? 5_000);
    this.agentTimeTimer = setInterval(() => {
      void this.advanceAgentTime();
    }, options.agentTimeIntervalMs ?? 60_000);
    this.pollTimer.unref();
    this.agentTimeTimer.unref();
    this.caughtUp = this.catchUp();
  }

  /** Starts the projector; it catches up in the background (see `caughtUp`). */
  static start(options: ReportingProjectorOptions): ReportingProjector {
    return new ReportingProjector(options);
  }

  /** What the projector has applied since it started. */
  get applied(): ProjectorTotals {
    return this.totals;
  }

  /** Applies everything committed so far; resolves when nothing is left (tests, the benchmark). */
  async flush(): Promise<void> {
    this.isWanted = true;
    await this.run();
    await this.settleFirstContacts();
  }

  /** Stops reading; an applying transaction finishes first. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.unsubscribe();
    clearInterval(this.pollTimer);
    clearInterval(this.agentTimeTimer);
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    await this.running;
    await this.caughtUp;
  }

  private async catchUp(): Promise<void> {
    const { checkpoint, latest } = await this.database.asSystem(async (tx) => ({
      checkpoint: await reports.readCheckpoint(tx),
      latest: await reports.latestSeq(tx),
    }));
    // Holes already there at start belong to transactions already running: final after the timeout.
    this.pendingGap = { seq: latest, atMs: this.now() };
    const behind = latest - checkpoint;
    if (behind <= 0) return;
    this.logger.info({ fromSeq: checkpoint, toSeq: latest, events: behind }, 'report summaries catching up');
    const startedMs = this.now();
    let lastLogMs = startedMs;
    const progress = setInterval(() => {
      const elapsedS = (this.now() - startedMs) / 1000;
      const done = this.totals.throughSeq - checkpoint;
      if (this.now() - lastLogMs < 4_000) return;
      lastLogMs = this.now();
      this.logger.info(
        {
          applied: done,
          remaining: Math.max(0, latest - this.totals.throughSeq),
          eventsPerS: Math.round(done / Math.max(elapsedS, 0.001)),
        },
        'report summaries catching up',
      );
    }, 5_000);
    progress.unref();
    try {
      this.isWanted = true;
      await this.run();
    } finally {
      clearInterval(progress);
    }
    this.logger.info(
      {
        events: this.totals.rows,
        throughSeq: this.totals.throughSeq,
        seconds: Math.round((this.now() - startedMs) / 100) / 10,
      },
      'report summaries caught up',
    );
  }

  private wake(delayMs = this.batchDelayMs): void {
    if (this.isStopped) return;
    this.isWanted = true;
    if (this.wakeTimer !== undefined || this.running !== undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.run();
    }, delayMs);
  }

  /** One drain at a time; a wake-up during a drain makes it go round once more. */
  private run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.isWanted && !this.isStopped) this.wake();
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.isWanted && this.isActive()) {
      this.isWanted = false;
      // Checked before every batch: stop() during a long catch-up waits for one batch, not all of them.
      while (this.isActive()) {
        let result: reports.ProjectResult;
        const limit = this.singleSteps > 0 ? 1 : this.batchSize;
        let nextSeq: number | undefined;
        try {
          const skipGapsBelow = this.finalGapsBelow();
          if (limit === 1) nextSeq = await this.nextSeq();
          result = await this.database.asSystem((tx) =>
            reports.projectPending(tx, {
              limit,
              nowMs: this.now(),
              skipGapsBelow,
              calendars: this.calendars,
            }),
          );
        } catch (error) {
          // Nothing was applied (the transaction rolled back).
          if (isTransientDatabaseError(error)) {
            // The database is down or busy: the next poll tries again.
            this.logger.error({ err: error }, 'applying events to the report summaries failed');
            return;
          }
          // The data was refused, and would be every time: find the event, one at a time, and set it aside.
          if (this.singleSteps === 0) {
            this.logger.warn(
              { err: error },
              'report summaries refused a batch: applying its events one by one',
            );
            this.singleSteps = this.batchSize;
            continue;
          }
          if (nextSeq !== undefined && (await this.setAside(nextSeq, error))) {
            this.singleSteps = 0;
            continue;
          }
          this.logger.error({ err: error }, 'applying events to the report summaries failed');
          return;
        }
        if (this.singleSteps > 0) this.singleSteps -= 1;
        this.totals = {
          rows: this.totals.rows + result.rows,
          reportingEvents: this.totals.reportingEvents + result.reportingEvents,
          throughSeq: result.throughSeq,
        };
        if (result.gapAfterSeq !== undefined) {
          this.pendingGap ??= { seq: result.lastSeqRead, atMs: this.now() };
          // The missing event's transaction is still committing: look again shortly.
          this.isWanted = true;
          return;
        }
        if (result.rows < limit) break;
      }
    }
  }

  /** The first event after the checkpoint, or undefined when there is none. */
  private async nextSeq(): Promise<number | undefined> {
    return this.database.asSystem(async (tx) => {
      const [next] = await reports.readEventsAfter(tx, await reports.readCheckpoint(tx), 1);
      return next?.seq;
    });
  }

  /**
   * Leaves out of the summaries an event they refused on its own (it stays in domain_events), so that the
   * events after it are applied; says which in the log, for someone to look at.
   */
  private async setAside(seq: number, error: unknown): Promise<boolean> {
    try {
      const event = await this.database.asSystem((tx) => reports.setEventAside(tx, seq));
      if (event === undefined) return false;
      this.logger.error(
        { err: error, seq, type: event.type, tenantId: event.tenantId },
        'the report summaries refuse this event: it was left out of the reports (it stays in domain_events)',
      );
      this.totals = { ...this.totals, throughSeq: seq };
      return true;
    } catch (setAsideError) {
      this.logger.error({ err: setAsideError }, 'setting a refused event aside failed');
      return false;
    }
  }

  private isActive(): boolean {
    return !this.isStopped;
  }

  private finalGapsBelow(): number {
    const gap = this.pendingGap;
    if (gap !== undefined && this.now() - gap.atMs >= this.gapTimeoutMs) {
      if (gap.seq > this.skipGapsBelow)
        this.logger.debug({ belowSeq: gap.seq }, 'holes in the event sequence taken for rollbacks');
      this.skipGapsBelow = Math.max(this.skipGapsBelow, gap.seq);
      this.pendingGap = undefined;
    }
    return this.skipGapsBelow;
  }

  private async advanceAgentTime(): Promise<void> {
    // While catching up, agents' time runs with the events being applied; the clock only when idle.
    if (this.isStopped || this.running !== undefined || this.isWanted) return;
    try {
      await this.database.asSystem((tx) => reports.advanceAgentTime(tx, this.now()));
    } catch (error) {
      this.logger.warn({ err: error }, 'running agents’ logged-in time up to now failed');
    }
    await this.settleFirstContacts();
  }

  /** Contacts whose first-contact-resolution window has passed without a repeat count as resolved. */
  private async settleFirstContacts(): Promise<void> {
    try {
      for (;;) {
        const settled = await this.database.asSystem((tx) => reports.settleFirstContacts(tx, this.now()));
        if (settled > 0) this.logger.debug({ settled }, 'first contacts resolved');
        if (settled < 5_000 || this.isStopped) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'settling first-contact resolution failed');
    }
  }
}
