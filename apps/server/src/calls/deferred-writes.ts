import type { Logger } from 'pino';
import { isTransientDatabaseError } from '@centralita/store';
import { FIRST_RETRY_MS, nextRetryMs, scheduleRetry } from '../database-retry.ts';

/** One database write the call layer must not lose (the end of a call, of its wrap-up). */
export interface DeferredWrite {
  /** What it stores, for the log: "the end of a call". */
  readonly what: string;
  /** Fields for the log (the interaction id). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Runs the write in its own transaction; rejects when the database refuses it. Safe to run again after a rejection. */
  run(): Promise<void>;
}

/** Options of `DeferredWrites`; tests pass their own timers. */
export interface DeferredWritesOptions {
  readonly logger: Logger;
  /** Runs `retry` after `delayMs` (an unreferenced timer by default). */
  readonly schedule?: (retry: () => void, delayMs: number) => void;
  /** Writes kept while the database refuses them; beyond, the oldest are given up (and logged). */
  readonly maxPending?: number;
  /** Whether a refusal may pass later (kept and retried) or not (given up): `isTransientDatabaseError`. */
  readonly isTransient?: (error: unknown) => boolean;
}

const DEFAULT_MAX_PENDING = 10_000;

/**
 * Writes that record what already happened on a call (it ended; its wrap-up ended). The call itself is over
 * whether or not the database takes them, so the call layer goes on at once: a write the database refuses
 * is kept and run again (1 s, doubling to 30 s) until it is stored. Writes run in the order they came, and
 * while any waits, later ones queue behind it (an interaction's wrap-up never lands before its end). Only an
 * unavailable database is waited for: a write the data itself refuses (a constraint, a bug) would fail every
 * time, so it is logged and given up.
 */
export class DeferredWrites {
  readonly #logger: Logger;
  readonly #schedule: (retry: () => void, delayMs: number) => void;
  readonly #maxPending: number;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #pending: DeferredWrite[] = [];
  #retryMs = FIRST_RETRY_MS;
  #isRetryScheduled = false;
  #failingSince: number | undefined;
  #isClosed = false;

  constructor(options: DeferredWritesOptions) {
    this.#logger = options.logger;
    this.#schedule = options.schedule ?? scheduleRetry;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#isTransient = options.isTransient ?? isTransientDatabaseError;
  }

  /** Writes waiting for the database. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /**
   * Runs `write` now, or queues it behind the writes already waiting. Answers whether it is stored; never
   * rejects: a refused write is kept and retried.
   */
  async run(write: DeferredWrite): Promise<boolean> {
    if (this.#pending.length > 0 || this.#isClosed) {
      this.#keep(write);
      return false;
    }
    try {
      await write.run();
      return true;
    } catch (error) {
      if (!this.#isTransient(error)) {
        this.#giveUp(write, error);
        return false;
      }
      this.#keep(write);
      this.#refused(write, error);
      return false;
    }
  }

  /** Stops retrying (server shutdown); answers how many writes were never stored. */
  close(): number {
    this.#isClosed = true;
    return this.#pending.length;
  }

  #keep(write: DeferredWrite): void {
    this.#pending.push(write);
    if (this.#pending.length > this.#maxPending) {
      const [given] = this.#pending.splice(0, 1);
      this.#logger.error(
        { ...given?.fields, what: given?.what },
        'a refused write was given up: too many wait for the database',
      );
    }
  }

  #refused(write: DeferredWrite, error: unknown): void {
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now();
      this.#logger.error(
        { err: error, ...write.fields, what: write.what },
        `${write.what} could not be stored; it is kept and retried: check that the database is reachable and its log`,
      );
    }
    if (this.#isRetryScheduled || this.#isClosed) return;
    this.#isRetryScheduled = true;
    const delayMs = this.#retryMs;
    this.#retryMs = nextRetryMs(this.#retryMs);
    this.#schedule(() => {
      this.#isRetryScheduled = false;
      void this.#retry();
    }, delayMs);
  }

  /** A write the data itself refuses (a constraint, a bug) would fail every time and block the writes after it. */
  #giveUp(write: DeferredWrite, error: unknown): void {
    this.#logger.error(
      { err: error, ...write.fields, what: write.what },
      `${write.what} was refused by the database and is given up: see the error`,
    );
  }

  /** Runs the waiting writes in order until one is refused again. */
  async #retry(): Promise<void> {
    let stored = 0;
    while (!this.#isClosed) {
      const write = this.#pending[0];
      if (write === undefined) break;
      try {
        await write.run();
        stored++;
      } catch (error) {
        if (this.#isTransient(error)) {
          this.#refused(write, error);
          return;
        }
        this.#giveUp(write, error);
      }
      this.#pending.shift();
    }
    if (this.#failingSince !== undefined && this.#pending.length === 0) {
      this.#logger.info({ stored, afterMs: Date.now() - this.#failingSince }, 'refused writes stored again');
      this.#failingSince = undefined;
      this.#retryMs = FIRST_RETRY_MS;
    }
  }
}
