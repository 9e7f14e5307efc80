import type { Role } from './actor.ts';
import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage, orderBy } from './paging.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

/** A member of a tenant's staff as the API shows it (never the password hash). */
export interface User {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly teamId: string | null;
  readonly language: 'es' | 'en';
  readonly languages: readonly string[];
  readonly extension: string | null;
  readonly isDisabled: boolean;
  readonly skills: readonly { readonly skillId: string; readonly name: string; readonly level: number }[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const userColumns = `u.id, u.tenant_id AS "tenantId", u.email, u.display_name AS "displayName", u.role,
  u.team_id AS "teamId", u.language, u.languages, u.extension, u.is_disabled AS "isDisabled",
  coalesce((SELECT json_agg(json_build_object('skillId', s.id, 'name', s.name, 'level', us.level) ORDER BY s.name)
            FROM user_skills us JOIN skills s ON s.id = us.skill_id WHERE us.user_id = u.id), '[]'::json) AS skills,
  u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

export interface NewUser {
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly teamId?: string | null | undefined;
  readonly language?: 'es' | 'en' | undefined;
  readonly languages?: readonly string[] | undefined;
  readonly extension?: string | null | undefined;
  readonly passwordHash?: string | null | undefined;
  readonly skills?: readonly { readonly skillId: string; readonly level: number }[] | undefined;
}

export async function createUser(tx: Tx, input: NewUser): Promise<User> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO users (tenant_id, email, display_name, role, team_id, language, languages, extension, password_hash)
     VALUES (app_current_tenant(), lower($1), $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      input.email,
      input.displayName,
      input.role,
      input.teamId ?? null,
      input.language ?? 'es',
      input.languages ?? [input.language ?? 'es'],
      input.extension ?? null,
      input.passwordHash ?? null,
    ],
  );
  const id = first(inserted.rows).id;
  if (input.skills) await replaceUserSkills(tx, id, input.skills);
  return getUser(tx, id);
}

async function replaceUserSkills(
  tx: Tx,
  userId: string,
  skills: readonly { readonly skillId: string; readonly level: number }[],
): Promise<void> {
  await tx.query('DELETE FROM user_skills WHERE user_id = $1', [userId]);
  for (const skill of skills) {
    await tx.query(
      'INSERT INTO user_skills (tenant_id, user_id, skill_id, level) VALUES (app_current_tenant(), $1, $2, $3)',
      [userId, skill.skillId, skill.level],
    );
  }
}

export async function getUser(tx: Tx, id: string): Promise<User> {
  const result = await tx.query<User>(`SELECT ${userColumns} FROM users u WHERE u.id = $1`, [id]);
  const user = result.rows[0];
  if (!user) throw new StoreError('STORE_NOT_FOUND', 'no such user');
  return user;
}

export interface UserQuery extends PageRequest {
  readonly search?: string | undefined;
  readonly role?: Role | undefined;
  readonly teamId?: string | undefined;
  readonly isDisabled?: boolean | undefined;
}

export async function listUsers(tx: Tx, query: UserQuery): Promise<Page<User>> {
  const conditions = new Conditions();
  if (query.search) {
    conditions.add(
      `(app_fold(u.display_name) LIKE '%' || app_fold($?) || '%' OR u.email LIKE '%' || lower($?) || '%' OR u.extension = $?)`,
      query.search,
    );
  }
  if (query.role) conditions.add('u.role = $?', query.role);
  if (query.teamId) conditions.add('u.team_id = $?', query.teamId);
  if (query.isDisabled !== undefined) conditions.add('u.is_disabled = $?', query.isDisabled);
  const order = orderBy(
    query.sort,
    {
      displayName: 'u.display_name',
      email: 'u.email',
      role: 'u.role',
      createdAt: 'u.created_at',
      extension: 'u.extension',
    },
    'displayName',
    'u.id',
  );
  return fetchPage<User>(tx, { select: userColumns, from: `users u`, order }, conditions, query);
}

export interface UserChanges {
  readonly email?: string | undefined;
  readonly displayName?: string | undefined;
  readonly role?: Role | undefined;
  readonly teamId?: string | null | undefined;
  readonly language?: 'es' | 'en' | undefined;
  readonly languages?: readonly string[] | undefined;
  readonly extension?: string | null | undefined;
  readonly isDisabled?: boolean | undefined;
  readonly skills?: readonly { readonly skillId: string; readonly level: number }[] | undefined;
}

export async function updateUser(tx: Tx, id: string, changes: UserChanges): Promise<User> {
  const result = await tx.query(
    `UPDATE users SET
       email = coalesce(lower($2), email),
       display_name = coalesce($3, display_name),
       role = coalesce($4, role),
       team_id = CASE WHEN $5::boolean THEN $6::uuid ELSE team_id END,
       language = coalesce($7, language),
       languages = coalesce($8, languages),
       extension = CASE WHEN $9::boolean THEN $10 ELSE extension END,
       is_disabled = coalesce($11, is_disabled)
     WHERE id = $1`,
    [
      id,
      changes.email ?? null,
      changes.displayName ?? null,
      changes.role ?? null,
      changes.teamId !== undefined,
      changes.teamId ?? null,
      changes.language ?? null,
      changes.languages ?? null,
      changes.extension !== undefined,
      changes.extension ?? null,
      changes.isDisabled ?? null,
    ],
  );
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such user');
  if (changes.skills) await replaceUserSkills(tx, id, changes.skills);
  return getUser(tx, id);
}

export async function deleteUser(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM users WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such user');
}

/** Sets a user's password hash (the caller hashes). */
export async function setPasswordHash(tx: Tx, id: string, passwordHash: string): Promise<void> {
  const result = await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such user');
}

/** What the login check needs (system transaction: the tenant is known only by its slug). */
export interface LoginCandidate {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly passwordHash: string | null;
  readonly isDisabled: boolean;
}

export async function findLoginCandidate(
  tx: Tx,
  tenantSlug: string,
  email: string,
): Promise<LoginCandidate | undefined> {
  const result = await tx.query<LoginCandidate>(
    `SELECT u.id AS "userId", u.tenant_id AS "tenantId", u.role, u.password_hash AS "passwordHash",
            u.is_disabled AS "isDisabled"
     FROM users u JOIN tenants t ON t.id = u.tenant_id
     WHERE t.slug = $1 AND lower(u.email) = lower($2)`,
    [tenantSlug, email],
  );
  return result.rows[0];
}
