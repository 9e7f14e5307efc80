import pg from 'pg';
import { StoreError } from './store-error.ts';

/** Errors of the connection itself (no SQLSTATE): the server is down, restarting or unreachable. */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Whether a failed write may succeed if tried again later: the database was unreachable, shutting down or
 * starting, out of connections or resources, or the transaction lost a serialization conflict. A refusal by
 * the data itself (a constraint, a bad value, an exception raised in the database, a bug in the write) fails
 * the same way every time, so it is not worth keeping for a retry.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof StoreError) return false;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    // 08 connection, 53 resources, 57P operator intervention (shutdown, cannot connect now), 58 system I/O;
    // 40001 and 40P01 lost conflicts; 25006 a read-only server (a standby during a failover).
    return /^(08|53|57P|58)/.test(code) || code === '40001' || code === '40P01' || code === '25006';
  }
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && connectionErrorCodes.has(code)) return true;
  // node-postgres reports a lost or refused connection with these messages and no code.
  return /connection terminated|timeout exceeded when trying to connect|connection refused|connection error/i.test(
    error.message,
  );
}
