import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isStoredEventConflict, isTransientDatabaseError } from '@centralita/store';
import {
  FIRST_RETRY_MS,
  LAST_ATTEMPT_MS,
  nextRetryMs,
  scheduleRetry,
  waitAtMost,
} from '../database-retry.ts';

/** One database write the call layer must not lose (the end of a call, of its wrap-up). */
export interface DeferredWrite {
  /** What it stores, for the log: "the end of a call". */
  readonly what: string;
  /** Fields for the log (the interaction id). */
  readonly fields: Readonly<Record<string, unknown>>;
  /**
   * Runs the write in its own transaction; rejects when the database refuses it. Safe to run again after a
   * rejection. `eventIdKey` is the same at every attempt: passed to `inTenant` (`TransactionOptions`), it
   * makes an attempt whose COMMIT's answer was lost, but which was stored, fail the next time instead of
   * storing the write twice.
   */
  run(eventIdKey: string): Promise<void>;
}

/** A write waiting for the database, with the key its attempts share. */
interface Waiting {
  readonly write: DeferredWrite;
  readonly key: string;
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
  /** Whether a refusal says an earlier attempt was stored after all: `isStoredEventConflict`. */
  readonly isStoredBefore?: (error: unknown) => boolean;
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
  readonly #isStoredBefore: (error: unknown) => boolean;
  readonly #pending: Waiting[] = [];
  #retryMs = FIRST_RETRY_MS;
  #isRetryScheduled = false;
  #failingSince: number | undefined;
  #isClosed = false;
  /** The pass over the waiting writes in progress, if any: one at a time. */
  #retrying: Promise<void> | undefined;

  constructor(options: DeferredWritesOptions) {
    this.#logger = options.logger;
    this.#schedule = options.schedule ?? scheduleRetry;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#isTransient = options.isTransient ?? isTransientDatabaseError;
    this.#isStoredBefore = options.isStoredBefore ?? isStoredEventConflict;
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
    const waiting = { write, key: randomUUID() };
    if (this.#pending.length > 0 || this.#isClosed) {
      this.#keep(waiting);
      return false;
    }
    try {
      await write.run(waiting.key);
      return true;
    } catch (error) {
      if (!this.#isTransient(error)) {
        this.#giveUp(write, error);
        return false;
      }
      this.#keep(waiting);
      this.#refused(write, error);
      return false;
    }
  }

  /**
   * Stops retrying (server shutdown), after a last attempt at the waiting writes (at most `lastAttemptMs`): the
   * database may be back before the next retry was due. Answers how many writes were never stored.
   */
  async close(lastAttemptMs = LAST_ATTEMPT_MS): Promise<number> {
    if (this.#pending.length > 0 && !this.#isClosed) {
      const attempt = (async () => {
        await this.#retrying;
        await this.#retry();
      })();
      await waitAtMost(attempt, lastAttemptMs);
    }
    this.#isClosed = true;
    return this.#pending.length;
  }

  #keep(waiting: Waiting): void {
    this.#pending.push(waiting);
    if (this.#pending.length > this.#maxPending) {
      const given = this.#pending.splice(0, 1)[0]?.write;
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

  /** Runs the waiting writes in order until one is refused again; one pass at a time. */
  #retry(): Promise<void> {
    this.#retrying ??= this.#retryPass().finally(() => {
      this.#retrying = undefined;
    });
    return this.#retrying;
  }

  async #retryPass(): Promise<void> {
    let stored = 0;
    while (!this.#isClosed) {
      const waiting = this.#pending[0];
      if (waiting === undefined) break;
      const write = waiting.write;
      try {
        await write.run(waiting.key);
        stored++;
      } catch (error) {
        if (this.#isTransient(error)) {
          this.#refused(write, error);
          return;
        }
        if (this.#isStoredBefore(error)) {
          // The connection was lost while an earlier attempt committed: it is stored, once.
          this.#logger.info(
            { ...write.fields, what: write.what },
            `${write.what} had been stored by an earlier attempt whose answer was lost`,
          );
          stored++;
        } else {
          this.#giveUp(write, error);
        }
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
