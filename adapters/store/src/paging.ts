import type { QueryResultRow } from 'pg';
import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';

/** A page request: at most `limit` rows after skipping `offset`, ordered by `sort` (`name` or `-name`). */
export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
  readonly sort?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/**
 * Builds an ORDER BY clause from a user's `sort` value and the columns a resource allows, always ending
 * with the primary key so that pages never overlap or skip rows.
 */
export function orderBy(
  sort: string | undefined,
  allowed: Readonly<Record<string, string>>,
  fallback: string,
  idColumn: string,
): string {
  const requested = sort ?? fallback;
  const isDescending = requested.startsWith('-');
  const key = isDescending ? requested.slice(1) : requested;
  const column = allowed[key];
  if (column === undefined) {
    throw new StoreError(
      'STORE_INVALID_INPUT',
      `cannot sort by "${key}"; sort by one of: ${Object.keys(allowed).join(', ')} (prefix - for descending)`,
      'sort',
    );
  }
  const direction = isDescending ? 'DESC' : 'ASC';
  return `ORDER BY ${column} ${direction} NULLS LAST, ${idColumn} ${direction}`;
}

/** Collects WHERE conditions and their numbered parameters. */
export class Conditions {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  /** Adds a condition; `$?` in the SQL stands for the value's parameter number. */
  add(sql: string, value: unknown): void {
    this.params.push(value);
    this.parts.push(sql.replaceAll('$?', `$${this.params.length}`));
  }

  addRaw(sql: string): void {
    this.parts.push(sql);
  }

  /** The next parameter number, for LIMIT and OFFSET after the conditions. */
  next(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

/**
 * Runs a paged query: the total count of matching rows and one page of them, in the order given, with
 * LIMIT and OFFSET bound as parameters after the conditions'.
 */
export async function fetchPage<Row extends QueryResultRow, Item = Row>(
  tx: Tx,
  sql: { readonly select: string; readonly from: string; readonly order: string },
  conditions: Conditions,
  request: PageRequest,
  toItem: (row: Row) => Item = (row) => row as unknown as Item,
): Promise<Page<Item>> {
  const where = conditions.where();
  const counted = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${sql.from} ${where}`,
    conditions.params,
  );
  const limit = conditions.next(request.limit);
  const offset = conditions.next(request.offset);
  const rows = await tx.query<Row>(
    `SELECT ${sql.select} FROM ${sql.from} ${where} ${sql.order} LIMIT ${limit} OFFSET ${offset}`,
    conditions.params,
  );
  return {
    items: rows.rows.map(toItem),
    total: counted.rows[0]?.count ?? 0,
    limit: request.limit,
    offset: request.offset,
  };
}
