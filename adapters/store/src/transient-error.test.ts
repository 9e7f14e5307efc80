import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StoreError } from './store-error.ts';
import { isTransientDatabaseError } from './transient-error.ts';

function sqlError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('refused', 0, 'error');
  error.code = code;
  return error;
}

describe('isTransientDatabaseError', () => {
  it('keeps for a retry what may pass later: an unreachable, restarting or overloaded database, a lost conflict', () => {
    for (const code of ['08006', '53300', '57P01', '57P03', '58030', '40001', '40P01', '25006'])
      expect(isTransientDatabaseError(sqlError(code)), code).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isTransientDatabaseError(refused)).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('gives up what fails the same way every time: the data refused, or a bug', () => {
    for (const code of ['23505', '23503', '22P02', '42P01', 'P0001'])
      expect(isTransientDatabaseError(sqlError(code)), code).toBe(false);
    expect(isTransientDatabaseError(new StoreError('STORE_CONFLICT', 'taken'))).toBe(false);
    expect(isTransientDatabaseError(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isTransientDatabaseError('nonsense')).toBe(false);
  });
});
