import type { Logger } from 'pino';
import type { RoutingFact } from '@centralita/acd';
import { isTransientDatabaseError } from '@centralita/store';
import { FIRST_RETRY_MS, LAST_ATTEMPT_MS, nextRetryMs, scheduleRetry, waitAtMost } from './database-retry.ts';

/** Writes one tenant's facts as events in one transaction; rejects when the database refuses. */
export type WriteFacts = (tenantId: string, facts: readonly RoutingFact[]) => Promise<void>;

/** Options of a `RoutingFactWriter`; the defaults suit the server, tests pass their own clock and timers. */
export interface RoutingFactWriterOptions {
  readonly write: WriteFacts;
  readonly logger: Logger;
  /** Runs `retry` after `delayMs` (an unreferenced timer by default: a retry never keeps the process up). */
  readonly schedule?: (retry: () => void, delayMs: number) => void;
  readonly now?: () => number;
  /** Facts kept per tenant while the database refuses them; beyond, the oldest are dropped (and logged). */
  readonly maxPending?: number;
  /** Whether a refusal may pass later (kept and retried) or not (given up): `isTransientDatabaseError`. */
  readonly isTransient?: (error: unknown) => boolean;
}

/** About an hour of a busy tenant's routing facts: some tens of megabytes at most. */
const DEFAULT_MAX_PENDING = 100_000;

interface TenantFacts {
  /** Facts not yet stored, oldest first. */
  readonly pending: RoutingFact[];
  /** The writes of this tenant, one after the other: events keep their order. */
  chain: Promise<void>;
  /** When the database started refusing this tenant's facts (undefined while it takes them). */
  failingSince: number | undefined;
  retryMs: number;
  isRetryScheduled: boolean;
  /** Facts dropped since the database started refusing (logged when it takes them again). */
  dropped: number;
}

/**
 * Stores the routing engine's facts as events (reports and adherence are computed from them), in order per
 * tenant. Routing decides in memory and carries out its decisions at once; a database that refuses the write
 * (down, restarting, out of connections) must neither undo them nor crash the server. So the facts it refuses
 * are kept, in order, and written again with a growing delay (1 s, doubling to 30 s) until it takes them,
 * with their original times; meanwhile new facts queue behind them without waiting for the database. Facts
 * the data itself refuses (a constraint, a bug) would fail every time: they are logged and given up.
 */
export class RoutingFactWriter {
  readonly #write: WriteFacts;
  readonly #logger: Logger;
  readonly #schedule: (retry: () => void, delayMs: number) => void;
  readonly #now: () => number;
  readonly #maxPending: number;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #tenants = new Map<string, TenantFacts>();
  #isClosed = false;
  /** Shutting down: a refused write is not scheduled again. */
  #isClosing = false;

  constructor(options: RoutingFactWriterOptions) {
    this.#write = options.write;
    this.#logger = options.logger;
    this.#schedule = options.schedule ?? scheduleRetry;
    this.#now = options.now ?? Date.now;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#isTransient = options.isTransient ?? isTransientDatabaseError;
  }

  /**
   * Stores `facts` after the tenant's earlier ones. Resolves once they are stored, or at once when the
   * database is refusing this tenant's facts (they wait for the next retry); never rejects.
   */
  store(tenantId: string, facts: readonly RoutingFact[]): Promise<void> {
    if (facts.length === 0) return Promise.resolve();
    const tenant = this.#tenant(tenantId);
    tenant.pending.push(...facts);
    this.#trim(tenantId, tenant);
    if (tenant.isRetryScheduled) return Promise.resolve();
    return this.#flush(tenantId, tenant);
  }

  /** Facts waiting for the database, all tenants together. */
  get pendingCount(): number {
    let count = 0;
    for (const tenant of this.#tenants.values()) count += tenant.pending.length;
    return count;
  }

  /**
   * Stops retrying (server shutdown), after a last attempt at each tenant's waiting facts (at most
   * `lastAttemptMs` in all): the database may be back before the next retry was due. Answers how many facts
   * were never stored.
   */
  async close(lastAttemptMs = LAST_ATTEMPT_MS): Promise<number> {
    if (this.#isClosed) return this.pendingCount;
    this.#isClosing = true;
    const attempts = [...this.#tenants].flatMap(([tenantId, tenant]) => {
      if (tenant.pending.length === 0) return [];
      tenant.isRetryScheduled = false;
      return [this.#flush(tenantId, tenant)];
    });
    if (attempts.length > 0) await waitAtMost(Promise.allSettled(attempts), lastAttemptMs);
    this.#isClosed = true;
    return this.pendingCount;
  }

  #tenant(tenantId: string): TenantFacts {
    let tenant = this.#tenants.get(tenantId);
    if (tenant === undefined) {
      tenant = {
        pending: [],
        chain: Promise.resolve(),
        failingSince: undefined,
        retryMs: FIRST_RETRY_MS,
        isRetryScheduled: false,
        dropped: 0,
      };
      this.#tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  #flush(tenantId: string, tenant: TenantFacts): Promise<void> {
    tenant.chain = tenant.chain.then(() => this.#writePending(tenantId, tenant));
    return tenant.chain;
  }

  async #writePending(tenantId: string, tenant: TenantFacts): Promise<void> {
    // A write queued before the last one failed leaves the facts to the retry, which keeps the pace.
    if (tenant.pending.length === 0 || tenant.isRetryScheduled || this.#isClosed) return;
    const batch = tenant.pending.splice(0);
    try {
      await this.#write(tenantId, batch);
    } catch (error) {
      if (!this.#isTransient(error)) {
        // Refused by the data, not by an unavailable database: it would fail again, and block the facts after it.
        this.#logger.error(
          { err: error, tenantId, given: batch.length },
          'routing events were refused by the database and are given up (reports miss them): see the error',
        );
        return;
      }
      tenant.pending.unshift(...batch);
      this.#trim(tenantId, tenant);
      if (this.#isClosing) return;
      if (tenant.failingSince === undefined) {
        tenant.failingSince = this.#now();
        this.#logger.error(
          { err: error, tenantId, pending: tenant.pending.length },
          'routing events cannot be stored; routing goes on and they are kept and retried: check that the database is reachable and its log',
        );
      }
      const delayMs = tenant.retryMs;
      tenant.retryMs = nextRetryMs(tenant.retryMs);
      tenant.isRetryScheduled = true;
      this.#schedule(() => {
        tenant.isRetryScheduled = false;
        if (!this.#isClosed) void this.#flush(tenantId, tenant);
      }, delayMs);
      return;
    }
    if (tenant.failingSince !== undefined) {
      this.#logger.info(
        {
          tenantId,
          afterMs: this.#now() - tenant.failingSince,
          stored: batch.length,
          dropped: tenant.dropped,
        },
        'routing events stored again',
      );
      tenant.failingSince = undefined;
      tenant.retryMs = FIRST_RETRY_MS;
      tenant.dropped = 0;
    }
  }

  /** Drops the oldest facts beyond the limit: the memory of a long outage stays bounded. */
  #trim(tenantId: string, tenant: TenantFacts): void {
    const excess = tenant.pending.length - this.#maxPending;
    if (excess <= 0) return;
    tenant.pending.splice(0, excess);
    // Logged once per outage; the total is in the "stored again" line.
    if (tenant.dropped === 0) {
      this.#logger.error(
        { tenantId, kept: tenant.pending.length },
        'routing events are being dropped, oldest first: the database refused them for too long (reports will miss them)',
      );
    }
    tenant.dropped += excess;
  }
}
