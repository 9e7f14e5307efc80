import type { Role } from './actor.ts';
import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

/** A live browser session resolved from its token hash. */
export interface SessionRecord {
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly csrfToken: string;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
}

export async function createSession(
  tx: Tx,
  input: {
    tokenHash: string;
    userId: string;
    csrfToken: string;
    expiresAt: Date;
    ip: string;
    userAgent: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO sessions (token_hash, tenant_id, user_id, csrf_token, expires_at, ip, user_agent)
     VALUES ($1, app_current_tenant(), $2, $3, $4, $5, $6)`,
    [
      input.tokenHash,
      input.userId,
      input.csrfToken,
      input.expiresAt,
      input.ip,
      input.userAgent.slice(0, 300),
    ],
  );
  await tx.query("SELECT app_audit_fact('LOGIN', 'users', $1, json_build_object('ip', $2::text)::jsonb)", [
    input.userId,
    input.ip,
  ]);
}

/**
 * Finds an unexpired session of an enabled user (system transaction: a request carries only the token).
 * Expired sessions found on the way are deleted.
 */
export async function findSession(tx: Tx, tokenHash: string, now: Date): Promise<SessionRecord | undefined> {
  const result = await tx.query<SessionRecord>(
    `SELECT s.token_hash AS "tokenHash", s.tenant_id AS "tenantId", s.user_id AS "userId", u.role,
            s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt"
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND NOT u.is_disabled`,
    [tokenHash],
  );
  const session = result.rows[0];
  if (!session) return undefined;
  if (session.expiresAt <= now) {
    await tx.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    return undefined;
  }
  return session;
}

/** Slides a session's expiry forward (called at most once a minute per session). */
export async function touchSession(tx: Tx, tokenHash: string, now: Date, expiresAt: Date): Promise<void> {
  await tx.query('UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1', [
    tokenHash,
    now,
    expiresAt,
  ]);
}

export async function deleteSession(tx: Tx, tokenHash: string): Promise<void> {
  const deleted = await tx.query<{ userId: string }>(
    'DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id AS "userId"',
    [tokenHash],
  );
  const row = deleted.rows[0];
  if (row) await tx.query("SELECT app_audit_fact('LOGOUT', 'users', $1, NULL)", [row.userId]);
}

/** Ends every session of a user (disabled, password reset). Returns how many were ended. */
export async function deleteSessionsOfUser(tx: Tx, userId: string): Promise<number> {
  const result = await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return result.rowCount ?? 0;
}

/** An integration's credential; the secret itself is shown once at creation and never stored. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

const apiKeyColumns = `id, name, role, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function createApiKey(
  tx: Tx,
  input: { name: string; role: Role; prefix: string; keyHash: string; createdBy: string | null },
): Promise<ApiKey> {
  return first(
    (
      await tx.query<ApiKey>(
        `INSERT INTO api_keys (tenant_id, name, role, prefix, key_hash, created_by)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING ${apiKeyColumns}`,
        [input.name, input.role, input.prefix, input.keyHash, input.createdBy],
      )
    ).rows,
  );
}

export async function listApiKeys(tx: Tx): Promise<ApiKey[]> {
  return (await tx.query<ApiKey>(`SELECT ${apiKeyColumns} FROM api_keys ORDER BY created_at DESC, id`)).rows;
}

export async function revokeApiKey(tx: Tx, id: string): Promise<ApiKey> {
  const result = await tx.query<ApiKey>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${apiKeyColumns}`,
    [id],
  );
  const key = result.rows[0];
  if (!key) throw new StoreError('STORE_NOT_FOUND', 'no such API key');
  return key;
}

/** Finds an unrevoked key by its public prefix (system transaction) and notes its use. */
export async function findApiKeyForUse(
  tx: Tx,
  prefix: string,
): Promise<{ id: string; tenantId: string; role: Role; keyHash: string } | undefined> {
  const result = await tx.query<{ id: string; tenantId: string; role: Role; keyHash: string }>(
    `UPDATE api_keys SET last_used_at = now() WHERE prefix = $1 AND revoked_at IS NULL
     RETURNING id, tenant_id AS "tenantId", role, key_hash AS "keyHash"`,
    [prefix],
  );
  return result.rows[0];
}

/** The throttling state of one login subject (an account or a source address). */
export interface LoginThrottle {
  readonly failures: number;
  readonly lockedUntil: Date | null;
}

export async function getLoginThrottle(tx: Tx, subject: string): Promise<LoginThrottle> {
  const row = (
    await tx.query<LoginThrottle>(
      'SELECT failures, locked_until AS "lockedUntil" FROM login_failures WHERE subject = $1',
      [subject],
    )
  ).rows[0];
  return row ?? { failures: 0, lockedUntil: null };
}

/** Counts a failure and locks the subject until `lockedUntil` (computed by the caller's policy). */
export async function recordLoginFailure(
  tx: Tx,
  subject: string,
  lockUntil: (failures: number) => Date | null,
): Promise<LoginThrottle> {
  const counted = first(
    (
      await tx.query<{ failures: number }>(
        `INSERT INTO login_failures (subject, failures, last_failure_at) VALUES ($1, 1, now())
         ON CONFLICT (subject) DO UPDATE SET failures = login_failures.failures + 1, last_failure_at = now()
         RETURNING failures`,
        [subject],
      )
    ).rows,
  );
  const lockedUntil = lockUntil(counted.failures);
  await tx.query('UPDATE login_failures SET locked_until = $2 WHERE subject = $1', [subject, lockedUntil]);
  return { failures: counted.failures, lockedUntil };
}

export async function clearLoginFailures(tx: Tx, subject: string): Promise<void> {
  await tx.query('DELETE FROM login_failures WHERE subject = $1', [subject]);
}
