import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventEnvelope, TenantId } from '@centralita/kernel';
import type { Actor, TenantContext } from './actor.ts';
import { missingParameter, parameterCount } from './inline-parameters.ts';
import { PreparedStatements } from './prepared-statements.ts';
import { StoreError, translateDatabaseError } from './store-error.ts';

/** A query runner bound to one open transaction. */
export interface Tx {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<Row>>;
  /**
   * Records a fact in the durable event log; it is published on the bus once the transaction commits.
   * `occurredAt` is when it happened, when that is not now (an engine's fact carries its own time). `id` is
   * the event's own id when the caller keeps one across attempts (see `TransactionOptions`).
   */
  recordEvent(type: string, data: unknown, occurredAt?: Date, id?: string): void;
  readonly tenantId: TenantId | undefined;
}

/** A statement whose result nobody reads: one of a `WriteTx`'s, or run on a `Tx` by `runStatement`. */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
  /**
   * Set when the statement must change a row (a data-modifying statement without RETURNING): when it changes
   * none, the transaction fails with STORE_NOT_FOUND and this message, and nothing of it is stored.
   */
  readonly notFound?: string;
}

/**
 * A transaction that only writes (`Database.writeInTenant`): nothing it runs answers before it commits, so
 * its opening, statements, events and COMMIT travel together, in one round trip.
 */
export interface WriteTx {
  /** Adds a statement, run in the order added. */
  execute(statement: Statement): void;
  /** As `Tx.recordEvent`. */
  recordEvent(type: string, data: unknown, occurredAt?: Date, id?: string): void;
  readonly tenantId: TenantId;
}

/** Runs `statement` in an open transaction; fails as `WriteTx` would when it must change a row and did not. */
export async function runStatement(tx: Tx, statement: Statement): Promise<pg.QueryResult> {
  const result = await tx.query(statement.sql, statement.params);
  if (statement.notFound !== undefined && result.rowCount === 0)
    throw new StoreError('STORE_NOT_FOUND', statement.notFound);
  return result;
}

/**
 * For a write that is run again after an attempt whose outcome is unknown (the connection was lost while
 * COMMIT was on its way, so it may have been stored): its events get the same ids at every attempt, and the
 * event log's unique ids tell whether it was.
 */
export interface TransactionOptions {
  /**
   * The events' ids are derived from this key and their order in the transaction (unless given to
   * `recordEvent`). An attempt that finds them stored fails as a whole with `isStoredEventConflict`: it was
   * stored before, and nothing of this attempt is.
   */
  readonly eventIdKey?: string;
  /**
   * Events whose id is stored already are skipped (and not published again) instead of failing the
   * transaction: for transactions that only record events, each with its own kept id.
   */
  readonly isSkippingStoredEvents?: boolean;
}

/** An event id derived from a write's key and the event's place in it: the same at every attempt. */
function derivedEventId(key: string, index: number): string {
  const hex = createHash('sha256')
    .update(`${key}\u0000${String(index)}`)
    .digest('hex');
  // A UUID of version 8 (RFC 9562 §5.8, custom) with the RFC variant bits.
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Who acts in a transaction, set for its triggers and row-level security: the tenant, the actor, the request. */
const WHO_ACTS_SQL = `SELECT set_config('app.tenant_id', $1, true), set_config('app.actor_type', $2, true),
       set_config('app.actor_id', $3, true), set_config('app.request_id', $4, true)`;

/** A transaction's events in one statement, stored (and numbered by `seq`) in the order recorded. */
const EVENTS_SQL = `INSERT INTO domain_events (id, tenant_id, type, occurred_at, data)
     SELECT (e.value ->> 'id')::uuid, (e.value ->> 'tenantId')::uuid, e.value ->> 'type',
            (e.value ->> 'occurredAt')::timestamptz, e.value -> 'data'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(value, n)
      ORDER BY e.n`;
/** As `EVENTS_SQL`, skipping events stored already and answering the ids it stored. */
const EVENTS_SKIPPING_STORED_SQL = `${EVENTS_SQL}
     ON CONFLICT (id) DO NOTHING RETURNING id`;

function eventsSql(options: TransactionOptions): string {
  return options.isSkippingStoredEvents === true ? EVENTS_SKIPPING_STORED_SQL : EVENTS_SQL;
}

/** SQL text and its parameters, before they become a simple query's text. */
interface SqlWithParams {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A transaction's opening: BEGIN, the tenant's role, who acts. */
function opening(
  tenantId: TenantId | undefined,
  actor: Actor,
  requestId: string | undefined,
): SqlWithParams[] {
  return [
    { sql: 'BEGIN', params: [] },
    ...(tenantId === undefined ? [] : [{ sql: 'SET LOCAL ROLE centralita_app', params: [] }]),
    { sql: WHO_ACTS_SQL, params: [tenantId ?? '', actor.type, actor.id, requestId ?? ''] },
  ];
}

/** A transaction's close: its events, if any, then COMMIT. */
function closing(events: readonly EventEnvelope[], options: TransactionOptions): SqlWithParams[] {
  const commit = { sql: 'COMMIT', params: [] };
  if (events.length === 0) return [commit];
  return [{ sql: eventsSql(options), params: [JSON.stringify(events)] }, commit];
}

/** A write transaction's statement, with the check that it changed a row when it must. */
function checkedStatement(statement: Statement): SqlWithParams {
  const params = statement.params ?? [];
  if (statement.notFound === undefined) return { sql: statement.sql, params };
  const count = parameterCount(statement.sql);
  if (params.length < count) throw missingParameter(count, params.length);
  return {
    sql: `WITH changed AS (${statement.sql} RETURNING 1)
          SELECT app_require_change(count(*), $${String(count + 1)}) FROM changed`,
    params: [...params.slice(0, count), statement.notFound],
  };
}

/** An event of the tenant's, its id kept across attempts when the transaction has an `eventIdKey`. */
function eventEnvelope(
  tenantId: TenantId,
  options: TransactionOptions,
  index: number,
  type: string,
  data: unknown,
  occurredAt: Date | undefined,
  id: string | undefined,
): EventEnvelope {
  const key = options.eventIdKey;
  return {
    id: id ?? (key === undefined ? randomUUID() : derivedEventId(key, index)),
    type,
    tenantId,
    occurredAt: (occurredAt ?? new Date()).toISOString(),
    data,
  };
}

/** A dedicated connection listening on a channel (`Database.listen`). */
export interface Listening {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

/** What `Database.listen` tells its listener. */
export interface ListenHandlers {
  /** A notification on the channel, with its payload. */
  onNotification(payload: string): void;
  /**
   * Whether notifications arrive: true once the LISTEN is in place (again), false when its connection is lost
   * (notifications sent meanwhile are lost with it; it reconnects by itself).
   */
  onListening(isListening: boolean): void;
}

const LISTEN_RETRY_MS = 1_000;

/** Ends the open (or aborted) transaction on `client`; false when the connection is broken (to be discarded). */
async function rolledBack(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

export interface DatabaseOptions {
  readonly maxConnections?: number;
  /**
   * Whether statements run often are prepared on each connection (`PreparedStatements`; true unless set).
   * Off, every statement is parsed and planned at each run: for a pooler that hands a session's statements to
   * other connections (PgBouncer's transaction pooling).
   */
  readonly preparesStatements?: boolean;
  /** Called with every event after its transaction committed. */
  readonly onEventsCommitted?: (events: readonly EventEnvelope[]) => void;
}

/**
 * The connection pool and the only way to run SQL. Tenant work runs as the `centralita_app` role with
 * `app.tenant_id` set, so PostgreSQL's row-level security confines it to one tenant whatever the query
 * says; system work (migrations, login lookups across tenants, creating tenants) is explicit.
 */
export class Database {
  readonly pool: pg.Pool;
  private readonly onEventsCommitted: ((events: readonly EventEnvelope[]) => void) | undefined;

  readonly #url: string;
  /** The listening connections open (`listen`), closed with the pool. */
  readonly #listenings = new Set<Listening>();
  /** Statements kept parsed and planned on the pool's connections. */
  readonly #prepared: PreparedStatements;

  constructor(url: string, options: DatabaseOptions = {}) {
    this.#url = url;
    this.#prepared = new PreparedStatements(options.preparesStatements === false ? { maxStatements: 0 } : {});
    this.pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.onEventsCommitted = options.onEventsCommitted;
  }

  /** Runs `work` in one transaction confined to the context's tenant. */
  inTenant<T>(
    context: TenantContext,
    work: (tx: Tx) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    return this.transaction(context.tenantId, context.actor, context.requestId, work, options);
  }

  /**
   * Runs a transaction that only writes, confined to the context's tenant, in one round trip: `write` adds its
   * statements and events (it reads nothing), and they go to PostgreSQL as one simple query with the opening
   * and COMMIT, each statement's parameters inlined as escaped literals. Fails, storing nothing, as `inTenant`
   * would; `options` as there.
   */
  async writeInTenant(
    context: TenantContext,
    write: (tx: WriteTx) => void,
    options: TransactionOptions = {},
  ): Promise<void> {
    const statements: SqlWithParams[] = [];
    const events: EventEnvelope[] = [];
    const tenantId = context.tenantId;
    write({
      tenantId,
      execute: (statement) => statements.push(checkedStatement(statement)),
      recordEvent: (type, data, occurredAt, id) => {
        events.push(eventEnvelope(tenantId, options, events.length, type, data, occurredAt, id));
      },
    });
    if (statements.length === 0 && events.length === 0) return;
    const all = [
      ...opening(tenantId, context.actor, context.requestId),
      ...statements,
      ...closing(events, options),
    ];
    const client = await this.pool.connect();
    let isBroken = false;
    try {
      const closed = (await client.query(await this.#simpleQuery(client, all))) as unknown as
        pg.QueryResult | pg.QueryResult[];
      this.#publishCommitted(closed, events, options);
    } catch (error) {
      // The statement that failed left the transaction open and aborted.
      isBroken = !(await rolledBack(client));
      throw translateDatabaseError(error);
    } finally {
      client.release(isBroken);
    }
  }

  /** Runs `work` in one transaction with the owner's rights: only for work that spans tenants. */
  asSystem<T>(work: (tx: Tx) => Promise<T>, actor: Actor = { type: 'system', id: 'system' }): Promise<T> {
    return this.transaction(undefined, actor, undefined, work);
  }

  /**
   * Runs read-only `work` with the owner's rights, each query on its own with no transaction around it:
   * one round trip per query instead of three for a transaction, for a hot lookup across tenants (which
   * tenant a dialled number belongs to). `work` may not record events; several queries share no snapshot.
   */
  async readAsSystem<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return await work({
      tenantId: undefined,
      query: async <Row extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]) => {
        try {
          return await this.pool.query<Row>(this.#prepared.query(sql, params));
        } catch (error) {
          throw translateDatabaseError(error);
        }
      },
      recordEvent: () => {
        throw new Error('a read records no events: use asSystem() or inTenant()');
      },
    });
  }

  /**
   * LISTENs on `channel` on a connection of its own (outside the pool), and tells `handlers` of every
   * notification and of whether it is listening: a lost connection is opened again every `retryMs` until
   * `close`.
   */
  listen(channel: string, handlers: ListenHandlers, retryMs = LISTEN_RETRY_MS): Listening {
    let current: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let isClosed = false;
    const again = (): void => {
      if (isClosed || retry !== undefined) return;
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, retryMs);
      retry.unref();
    };
    const connect = async (): Promise<void> => {
      const client = new pg.Client({
        connectionString: this.#url,
        application_name: `centralita listening on ${channel}`,
      });
      // A lost connection ends the client; its error is that end's cause, handled below.
      client.on('error', () => undefined);
      client.on('notification', (message) => {
        if (message.channel === channel) handlers.onNotification(message.payload ?? '');
      });
      client.on('end', () => {
        if (current !== client) return;
        current = undefined;
        handlers.onListening(false);
        again();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch {
        await client.end().catch(() => undefined);
        again();
        return;
      }
      if (isClosed) {
        await client.end().catch(() => undefined);
        return;
      }
      current = client;
      handlers.onListening(true);
    };
    void connect();
    const listening: Listening = {
      close: async () => {
        isClosed = true;
        this.#listenings.delete(listening);
        clearTimeout(retry);
        const client = current;
        current = undefined;
        if (client !== undefined) {
          handlers.onListening(false);
          await client.end().catch(() => undefined);
        }
      },
    };
    this.#listenings.add(listening);
    return listening;
  }

  /** True when the database answers. */
  async isReady(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the pool and every listening connection. */
  async close(): Promise<void> {
    await Promise.all([...this.#listenings].map((listening) => listening.close()));
    await this.pool.end();
  }

  /**
   * `statements` as one simple query's text, each statement prepared on `client` first when it is run often
   * (`PreparedStatements`); `alsoPrepare` are statements the transaction may run later, once it is open.
   */
  async #simpleQuery(
    client: pg.PoolClient,
    statements: readonly SqlWithParams[],
    alsoPrepare: readonly string[] = [],
  ): Promise<string> {
    await this.#prepared.prepare(client, [
      ...statements.filter(({ params }) => params.length > 0).map(({ sql }) => sql),
      ...alsoPrepare,
    ]);
    return this.#text(client, statements);
  }

  /** `statements` as one simple query's text, with the statements already prepared on `client`. */
  #text(client: pg.PoolClient, statements: readonly SqlWithParams[]): string {
    return statements.map(({ sql, params }) => this.#prepared.text(client, sql, params)).join(';\n');
  }

  /** Hands the events a committed transaction stored to `onEventsCommitted`; `closed` is its last query's results. */
  #publishCommitted(
    closed: pg.QueryResult | pg.QueryResult[],
    events: readonly EventEnvelope[],
    options: TransactionOptions,
  ): void {
    if (events.length === 0) return;
    if (options.isSkippingStoredEvents !== true) {
      this.onEventsCommitted?.(events);
      return;
    }
    // Only the events this attempt stored are news; the INSERT is the statement before COMMIT.
    const results = Array.isArray(closed) ? closed : [closed];
    const inserted = new Set(
      (results[results.length - 2]?.rows ?? []).map((row: { id?: unknown }) => String(row.id)),
    );
    const stored = events.filter((event) => inserted.has(event.id));
    if (stored.length > 0) this.onEventsCommitted?.(stored);
  }

  private async transaction<T>(
    tenantId: TenantId | undefined,
    actor: Actor,
    requestId: string | undefined,
    work: (tx: Tx) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    const events: EventEnvelope[] = [];
    let isBroken = false;
    // Round trips are most of what a small transaction costs, so it takes as few as PostgreSQL allows. The
    // opening (BEGIN, the tenant's role, who acts) travels with the work's first statement, as one simple
    // query (several statements, values as escaped literals: a statement run often goes as the EXECUTE of its
    // prepared statement, others with their parameters inlined).
    // Each later statement is a round trip (pg sends a query once the one before has answered). The events
    // and COMMIT are another, at the end. A transaction that only records events is a single round trip, one
    // that does nothing costs none; one that reads nothing can be a single round trip whatever it writes
    // (`writeInTenant`).
    const opens = opening(tenantId, actor, requestId);
    let opened: Promise<unknown> | undefined;
    let isClosing = false;
    try {
      const tx: Tx = {
        tenantId,
        query: async <Row extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]) => {
          try {
            if (opened === undefined) {
              // The opening and the first statement in one simple query.
              const first = this.#simpleQuery(
                client,
                [...opens, { sql, params: params ?? [] }],
                [eventsSql(options)],
              ).then((text) => client.query(text));
              opened = first;
              const results = (await first) as unknown as pg.QueryResult<Row>[];
              return results[results.length - 1] as pg.QueryResult<Row>;
            }
            await opened;
            return await client.query<Row>(this.#prepared.query(sql, params));
          } catch (error) {
            throw translateDatabaseError(error);
          }
        },
        recordEvent: (type, data, occurredAt, id) => {
          if (tenantId === undefined) throw new Error('events belong to a tenant; record them in inTenant()');
          events.push(eventEnvelope(tenantId, options, events.length, type, data, occurredAt, id));
        },
      };
      const result = await work(tx);
      if (opened === undefined && events.length === 0) return result;
      const closes = [...(opened === undefined ? opens : []), ...closing(events, options)];
      // Statements are prepared before a transaction opens (a refused PREPARE would abort it), so a
      // transaction that is open uses only those prepared then.
      const text =
        opened === undefined ? await this.#simpleQuery(client, closes) : this.#text(client, closes);
      isClosing = true;
      const closed = (await client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      this.#publishCommitted(closed, events, options);
      return result;
    } catch (error) {
      // Nothing was sent: nothing to undo. Otherwise the transaction may be open (or aborted) on the server.
      if (opened !== undefined || isClosing) isBroken = !(await rolledBack(client));
      throw translateDatabaseError(error);
    } finally {
      client.release(isBroken);
    }
  }
}
