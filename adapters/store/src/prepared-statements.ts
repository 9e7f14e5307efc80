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
  /** Names of statements sent in a simple query, prepared here with `PREPARE`. */
  readonly #simple: StatementNames;
  /** Names of statements sent alone, with parameters (the extended protocol): `pg` prepares them itself. */
  readonly #protocol: StatementNames;
  /** Statements PostgreSQL refused to prepare: inlined from then on. */
  readonly #refused = new Set<string>();
  /** The statements prepared on each connection. */
  readonly #onConnection = new WeakMap<pg.ClientBase, Set<string>>();

  /** `maxStatements` 0 prepares nothing (behind a pooler in transaction mode). */
  constructor(options: { readonly prepareAfter?: number; readonly maxStatements?: number } = {}) {
    const prepareAfter = options.prepareAfter ?? DEFAULT_PREPARE_AFTER;
    const maxStatements = options.maxStatements ?? DEFAULT_MAX_STATEMENTS;
    this.#simple = new StatementNames('', prepareAfter, maxStatements);
    this.#protocol = new StatementNames('p', prepareAfter, maxStatements);
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
      const name = this.#simple.named(sql);
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
    const name = this.#simple.nameOf(sql) ?? '';
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
    const name = this.#protocol.named(sql);
    return name === undefined ? { text: sql, values } : { name, text: sql, values };
  }
}

/** The names given to statements once each has run `prepareAfter` times, `maxStatements` at most. */
class StatementNames {
  readonly #prefix: string;
  readonly #prepareAfter: number;
  readonly #maxStatements: number;
  readonly #names = new Map<string, string>();
  /** Runs of each statement not named yet; bounded, see `named`. */
  readonly #runs = new Map<string, number>();

  constructor(prefix: string, prepareAfter: number, maxStatements: number) {
    this.#prefix = prefix;
    this.#prepareAfter = prepareAfter;
    this.#maxStatements = maxStatements;
  }

  /** The name `sql` has, if any. */
  nameOf(sql: string): string | undefined {
    return this.#names.get(sql);
  }

  /** Counts a run of `sql`; its name once it has been run often enough (new on the run that reaches it). */
  named(sql: string): string | undefined {
    const known = this.#names.get(sql);
    if (known !== undefined || this.#maxStatements === 0) return known;
    const count = (this.#runs.get(sql) ?? 0) + 1;
    if (count < this.#prepareAfter) {
      // Statements run once (dynamic SQL) must not fill the count and keep later hot ones from being counted:
      // when it is full it starts again, and a hot statement soon reaches the count again.
      if (!this.#runs.has(sql) && this.#runs.size >= this.#maxStatements * COUNTED_PER_PREPARED)
        this.#runs.clear();
      this.#runs.set(sql, count);
      return undefined;
    }
    if (this.#names.size >= this.#maxStatements) return undefined;
    this.#runs.delete(sql);
    const name = `centralita_${this.#prefix}${String(this.#names.size + 1)}`;
    this.#names.set(sql, name);
    return name;
  }
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || code.startsWith(CONNECTION_EXCEPTION_CLASS);
}
