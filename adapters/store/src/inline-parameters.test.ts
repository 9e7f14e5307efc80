import { describe, expect, it } from 'vitest';
import { inlineParameters, literal } from './inline-parameters.ts';

describe('a statement with its parameters inlined', () => {
  it('puts each value where its parameter is, $1 apart from $10', () => {
    const params = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    expect(inlineParameters('SELECT $1, $10, $2::text', params)).toBe("SELECT 'a', 'j', 'b'::text");
    // The statement's cut is kept; other values fill it the next time.
    expect(inlineParameters('SELECT $1, $10, $2::text', [...params].reverse())).toBe(
      "SELECT 'j', 'a', 'i'::text",
    );
  });

  it('leaves dollar signs alone inside strings, quoted names, comments, dollar quotes and identifiers', () => {
    const sql = [
      `SELECT '$1 it''s', E'\\'$1', "col$1", a$1, $body$ $1 $body$, $$ $1 $$ -- $1`,
      `/* $1 /* nested $1 */ still $1 */ FROM t WHERE x = $1`,
    ].join('\n');
    expect(inlineParameters(sql, ['v'])).toBe(sql.replace(/x = \$1$/, "x = 'v'"));
  });

  it('escapes quotes and backslashes so a value cannot end its literal', () => {
    const hostile = "'); DROP TABLE interactions; --\\";
    const inlined = inlineParameters('SELECT $1', [hostile]);
    expect(inlined).toBe(`SELECT ${literal(hostile)}`);
    expect(literal(hostile)).toBe(String.raw` E'''); DROP TABLE interactions; --\\'`);
  });

  it('writes values as pg would send them: NULL, JSON, arrays, dates, bytes', () => {
    expect(literal(null)).toBe('NULL');
    expect(literal(undefined)).toBe('NULL');
    expect(literal({ a: "it's" })).toBe(`'{"a":"it''s"}'`);
    expect(literal(['x', null, 'y"z'])).toBe(String.raw` E'{"x",NULL,"y\\"z"}'`);
    expect(literal(true)).toBe("'true'");
    expect(literal(42)).toBe("'42'");
    expect(literal(Buffer.from([0, 255]))).toBe("'\\x00ff'::bytea");
    expect(literal(new Date('2026-12-07T10:00:00.000Z'))).toMatch(
      /^'2026-12-07T\d\d:00:00\.000[+-]\d\d:\d\d'$/,
    );
  });

  it('refuses a parameter it was not given, as PostgreSQL would', () => {
    expect(() => inlineParameters('SELECT $2', ['only one'])).toThrow(/names \$2 but has 1 parameters/);
    expect(() => inlineParameters('SELECT $0', ['x'])).toThrow(RangeError);
  });
});
