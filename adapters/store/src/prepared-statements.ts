import type pg from 'pg';
import { inlineParameters, literal, parameterCount } from './inline-parameters.ts';

/** How many times a statement is run before it is worth preparing on every connection that runs it. */
const DEFAULT_PREPARE_AFTER = 3;
/** At most this many statements are prepared (a program's hot statements are few; dynamic SQL is not kept). */
const DEFAULT_MAX_STATEMENTS = 200;

/** How many more statements are counted than prepared. */
const COUNTED_PER_PREPARED = 5;

/** SQLSTATE class 08: the connection failed. Not the statement's fault, so it may be prepared later. */
const CONNECTION_EXCEPTION_CLASS = '08';

/**
 * Statements that PostgreSQL keeps parsed and planned on each pooled connection (`PREPARE`), for the simple
 * queries that carry a whole transaction in one round trip (ADR 0010). Inlined in a statement's text, every
 * run of a statement is parsed and planned again, which was about a third of PostgreSQL's CPU per call;
 * `EXECUTE name('value', …)` with the same escaped literals is parsed in microseconds and runs the kept plan.
 *
 * A statement is prepared on a connection before the transaction that needs it, in a round trip of its own, once
 * it has been run `prepareAfter` times in this process (so a statement run once never costs one). A statement
 * PostgreSQL will not prepare (a parameter whose type it cannot infer) is remembered and always inlined, so no
 * transaction ever fails because of this. Prepared statements live as long as their connection; PostgreSQL
 * plans them again itself when a table they use changes, or when the role changes under row-level security.
 */
export class PreparedStatements {
  readonly #prepareAfter: number;
  readonly #maxStatements: number;
  /** The name each prepared statement's text has on every connection. */
  readonly #names = new Map<string, string>();
  /** Runs of each statement not prepared yet (bounded: see `counted`). */
  readonly #runs = new Map<string, number>();
  /** Statements PostgreSQL refused to prepare: inlined from then on. */
  readonly #refused = new Set<string>();
  /** The statements prepared on each connection. */
  readonly #onConnection = new WeakMap<pg.ClientBase, Set<string>>();
  /** Names of statements sent alone, with parameters (the extended protocol): `pg` prepares them itself. */
  readonly #protocolNames = new Map<string, string>();
  readonly #protocolRuns = new Map<string, number>();

  constructor(options: { readonly prepareAfter?: number; readonly maxStatements?: number } = {}) {
    this.#prepareAfter = options.prepareAfter ?? DEFAULT_PREPARE_AFTER;
    this.#maxStatements = options.maxStatements ?? DEFAULT_MAX_STATEMENTS;
  }

  /**
   * Counts a run of each of `sqls` and prepares on `client` those run often enough and not prepared there
   * yet. Call it before the transaction opens: a PREPARE that fails inside one would abort it.
   */
  async prepare(client: pg.ClientBase, sqls: readonly string[]): Promise<void> {
    for (const sql of sqls) {
      if (this.#refused.has(sql)) continue;
      const prepared = this.#onConnection.get(client);
      if (prepared?.has(sql) === true) continue;
      const name = this.#names.get(sql) ?? this.#counted(sql);
      if (name === undefined) continue;
      try {
        await client.query(`PREPARE ${name} AS ${sql}`);
      } catch (error) {
        if (isConnectionFailure(error)) throw error;
        this.#refused.add(sql);
        continue;
      }
      if (prepared === undefined) this.#onConnection.set(client, new Set([sql]));
      else prepared.add(sql);
    }
  }

  /**
   * `sql` with `params`, as text for a simple query: the prepared statement's EXECUTE with the values as
   * escaped literals when `client` has it, else the statement with its values inlined.
   */
  text(client: pg.ClientBase, sql: string, params: readonly unknown[]): string {
    if (this.#onConnection.get(client)?.has(sql) !== true) return inlineParameters(sql, params);
    const count = parameterCount(sql);
    if (params.length < count) return inlineParameters(sql, params); // which names the missing parameter
    const name = this.#names.get(sql) ?? '';
    if (count === 0) return `EXECUTE ${name}`;
    let args = literal(params[0]);
    for (let index = 1; index < count; index++) args += `, ${literal(params[index])}`;
    return `EXECUTE ${name}(${args})`;
  }

  /**
   * A statement sent alone with its parameters (the extended protocol), named once it has been run often
   * enough: `pg` then parses it once per connection and binds the values to the kept statement. A statement
   * PostgreSQL cannot prepare fails unnamed just the same, so naming it changes no outcome.
   */
  query(sql: string, params: readonly unknown[] | undefined): pg.QueryConfig {
    const values = params as unknown[] | undefined;
    const name =
      this.#protocolNames.get(sql) ??
      counted(sql, this.#protocolRuns, this.#protocolNames, this.#limits, 'p');
    return name === undefined ? { text: sql, values } : { name, text: sql, values };
  }

  get #limits(): Limits {
    return { prepareAfter: this.#prepareAfter, maxStatements: this.#maxStatements };
  }

  /** Counts a run of `sql`; its name once it has been run often enough to prepare. */
  #counted(sql: string): string | undefined {
    return counted(sql, this.#runs, this.#names, this.#limits, '');
  }
}

interface Limits {
  readonly prepareAfter: number;
  readonly maxStatements: number;
}

/** Counts a run of `sql` in `runs`; once it is run often enough, its new name, kept in `names`. */
function counted(
  sql: string,
  runs: Map<string, number>,
  names: Map<string, string>,
  limits: Limits,
  prefix: string,
): string | undefined {
  if (limits.maxStatements === 0) return undefined; // preparing is off
  const count = (runs.get(sql) ?? 0) + 1;
  if (count < limits.prepareAfter) {
    // Statements run once (dynamic SQL) must not fill the count and keep later hot ones from being counted:
    // when it is full it starts again, and a hot statement soon reaches the count again.
    if (!runs.has(sql) && runs.size >= limits.maxStatements * COUNTED_PER_PREPARED) runs.clear();
    runs.set(sql, count);
    return undefined;
  }
  if (names.size >= limits.maxStatements) return undefined;
  runs.delete(sql);
  const name = `centralita_${prefix}${String(names.size + 1)}`;
  names.set(sql, name);
  return name;
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || code.startsWith(CONNECTION_EXCEPTION_CLASS);
}
