import pg from 'pg';
// pg's own conversion of a parameter's value to its text (a Date, an array, an object as JSON): the same text
// the extended protocol would send, so a statement means the same with its values inlined.
import pgUtils from 'pg/lib/utils.js';

/**
 * `sql` with each parameter (`$1`, `$2`…) replaced by its value as an escaped literal, so that the statement can
 * travel in a simple query with others (one round trip for a whole transaction). A literal without a type is,
 * like an untyped parameter, typed by its context (`$1::jsonb`, a column it is compared with or stored in).
 * Parameters are found outside quoted strings, quoted identifiers, comments and dollar-quoted bodies; a
 * statement that names a parameter it was not given is an error, as it would be from PostgreSQL.
 */
export function inlineParameters(sql: string, params: readonly unknown[]): string {
  const template = templateOf(sql);
  let out = template.texts[0] ?? '';
  for (let index = 0; index < template.params.length; index++) {
    const param = template.params[index] ?? 0;
    if (param >= params.length) throw missingParameter(param + 1, params.length);
    out += literal(params[param]) + (template.texts[index + 1] ?? '');
  }
  return out;
}

/** The error of a statement that names parameter `$named` but was given only `given`, as PostgreSQL's would be. */
export function missingParameter(named: number, given: number): RangeError {
  return new RangeError(`the statement names $${String(named)} but has ${String(given)} parameters`);
}

/** How many parameters `sql` takes: the highest it names (`$3` → 3), as PostgreSQL counts them. */
export function parameterCount(sql: string): number {
  const template = templateOf(sql);
  if (template.count === undefined)
    template.count = template.params.reduce((max, p) => Math.max(max, p + 1), 0);
  return template.count;
}

/** A statement cut at its parameters: `texts[0]`, then each parameter (its index) and the text after it. */
interface Template {
  readonly texts: readonly string[];
  readonly params: readonly number[];
  /** `parameterCount`'s answer, worked out on first use. */
  count?: number;
}

/** Templates of the statements seen (a program's statements are few and repeat); bounded. */
const templates = new Map<string, Template>();
const MAX_TEMPLATES = 1_000;

function templateOf(sql: string): Template {
  const known = templates.get(sql);
  if (known !== undefined) return known;
  const template = cut(sql);
  if (templates.size < MAX_TEMPLATES) templates.set(sql, template);
  return template;
}

/** Finds the parameters outside quoted strings, quoted names, comments and dollar-quoted bodies. */
function cut(sql: string): Template {
  const texts: string[] = [];
  const params: number[] = [];
  let copiedTo = 0;
  let at = 0;
  while (at < sql.length) {
    const char = sql[at];
    const next = sql[at + 1];
    if (char === "'" || char === '"') {
      at = closing(sql, at, char, isEscapeString(sql, at));
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', at);
      at = end === -1 ? sql.length : end + 1;
    } else if (char === '/' && next === '*') {
      at = blockCommentEnd(sql, at);
    } else if (char === '$') {
      const digits = /^\$([0-9]+)/.exec(sql.slice(at, at + 12));
      if (digits !== null && !isIdentifierChar(sql[at - 1])) {
        const index = Number(digits[1]) - 1;
        if (index < 0) throw new RangeError('the statement names $0, which no parameter is');
        texts.push(sql.slice(copiedTo, at));
        params.push(index);
        at += digits[0].length;
        copiedTo = at;
        continue;
      }
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(at));
      if (tag !== null && !isIdentifierChar(sql[at - 1])) {
        const end = sql.indexOf(tag[0], at + tag[0].length);
        at = end === -1 ? sql.length : end + tag[0].length;
      } else {
        at += 1;
      }
    } else {
      at += 1;
    }
  }
  texts.push(sql.slice(copiedTo));
  return { texts, params };
}

/** A value as PostgreSQL reads it in a statement's text: NULL, a bytea, or an escaped string. */
export function literal(value: unknown): string {
  const prepared = pgUtils.prepareValue(value);
  if (prepared === null) return 'NULL';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'::bytea`;
  return pg.escapeLiteral(prepared);
}

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$]/.test(char);
}

/** An E'…' string, in which a backslash escapes the next character. */
function isEscapeString(sql: string, at: number): boolean {
  const before = sql[at - 1];
  return (before === 'E' || before === 'e') && !isIdentifierChar(sql[at - 2]);
}

/** Just past the quote that closes the one at `at` (a doubled quote is part of the text). */
function closing(sql: string, at: number, quote: string, hasBackslashEscapes: boolean): number {
  let index = at + 1;
  while (index < sql.length) {
    const char = sql[index];
    if (hasBackslashEscapes && char === '\\') index += 2;
    else if (char === quote && sql[index + 1] === quote) index += 2;
    else if (char === quote) return index + 1;
    else index += 1;
  }
  return sql.length;
}

/** Just past the end of the block comment at `at`; PostgreSQL's block comments nest. */
function blockCommentEnd(sql: string, at: number): number {
  let depth = 0;
  let index = at;
  while (index < sql.length) {
    if (sql[index] === '/' && sql[index + 1] === '*') {
      depth += 1;
      index += 2;
    } else if (sql[index] === '*' && sql[index + 1] === '/') {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else {
      index += 1;
    }
  }
  return sql.length;
}
