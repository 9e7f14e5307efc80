import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage, orderBy } from './paging.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

/** A team of agents led by a team lead. */
export interface Team {
  readonly id: string;
  readonly name: string;
  readonly memberCount: number;
  readonly createdAt: Date;
}

/** A skill agents have (with a level 1–10) and queues require. */
export interface Skill {
  readonly id: string;
  readonly name: string;
}

/** A queue's configuration (its live state belongs to the ACD). */
export interface Queue {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly language: 'es' | 'en';
  readonly serviceLevelThresholdS: number;
  readonly serviceLevelTargetPct: number;
  readonly skills: readonly { readonly skillId: string; readonly name: string; readonly minLevel: number }[];
  readonly settings: Record<string, unknown>;
  readonly createdAt: Date;
}

const teamColumns = `t.id, t.name, (SELECT count(*)::int FROM users u WHERE u.team_id = t.id) AS "memberCount", t.created_at AS "createdAt"`;

export async function listTeams(tx: Tx): Promise<Team[]> {
  return (await tx.query<Team>(`SELECT ${teamColumns} FROM teams t ORDER BY t.name, t.id`)).rows;
}

export async function getTeam(tx: Tx, id: string): Promise<Team> {
  const team = (await tx.query<Team>(`SELECT ${teamColumns} FROM teams t WHERE t.id = $1`, [id])).rows[0];
  if (!team) throw new StoreError('STORE_NOT_FOUND', 'no such team');
  return team;
}

export async function createTeam(tx: Tx, name: string): Promise<Team> {
  const row = first(
    (
      await tx.query<{ id: string }>(
        'INSERT INTO teams (tenant_id, name) VALUES (app_current_tenant(), $1) RETURNING id',
        [name],
      )
    ).rows,
  );
  return getTeam(tx, row.id);
}

export async function renameTeam(tx: Tx, id: string, name: string): Promise<Team> {
  const result = await tx.query('UPDATE teams SET name = $2 WHERE id = $1', [id, name]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such team');
  return getTeam(tx, id);
}

export async function deleteTeam(tx: Tx, id: string): Promise<void> {
  const members = await tx.query('SELECT 1 FROM users WHERE team_id = $1 LIMIT 1', [id]);
  if ((members.rowCount ?? 0) > 0) {
    throw new StoreError(
      'STORE_INVALID_STATE',
      'the team still has members; move them to another team first',
    );
  }
  const result = await tx.query('DELETE FROM teams WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such team');
}

export async function listSkills(tx: Tx): Promise<Skill[]> {
  return (await tx.query<Skill>('SELECT id, name FROM skills ORDER BY name, id')).rows;
}

export async function createSkill(tx: Tx, name: string): Promise<Skill> {
  return first(
    (
      await tx.query<Skill>(
        'INSERT INTO skills (tenant_id, name) VALUES (app_current_tenant(), $1) RETURNING id, name',
        [name],
      )
    ).rows,
  );
}

export async function deleteSkill(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM skills WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such skill');
}

const queueColumns = `q.id, q.name, q.description, q.language, q.service_level_threshold_s AS "serviceLevelThresholdS",
  q.service_level_target_pct::float8 AS "serviceLevelTargetPct",
  coalesce((SELECT json_agg(json_build_object('skillId', s.id, 'name', s.name, 'minLevel', qs.min_level) ORDER BY s.name)
            FROM queue_skills qs JOIN skills s ON s.id = qs.skill_id WHERE qs.queue_id = q.id), '[]'::json) AS skills,
  q.settings, q.created_at AS "createdAt"`;

export interface QueueInput {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly language?: 'es' | 'en' | undefined;
  readonly serviceLevelThresholdS?: number | undefined;
  readonly serviceLevelTargetPct?: number | undefined;
  readonly settings?: Record<string, unknown> | undefined;
  readonly skills?: readonly { readonly skillId: string; readonly minLevel: number }[] | undefined;
}

export async function listQueues(
  tx: Tx,
  query: PageRequest & { readonly search?: string | undefined },
): Promise<Page<Queue>> {
  const conditions = new Conditions();
  if (query.search) conditions.add(`app_fold(q.name) LIKE '%' || app_fold($?) || '%'`, query.search);
  const order = orderBy(query.sort, { name: 'q.name', createdAt: 'q.created_at' }, 'name', 'q.id');
  return fetchPage<Queue>(tx, { select: queueColumns, from: `queues q`, order }, conditions, query);
}

export async function getQueue(tx: Tx, id: string): Promise<Queue> {
  const queue = (await tx.query<Queue>(`SELECT ${queueColumns} FROM queues q WHERE q.id = $1`, [id])).rows[0];
  if (!queue) throw new StoreError('STORE_NOT_FOUND', 'no such queue');
  return queue;
}

/** Whether the tenant still has this queue (it may have been deleted since a call was routed to it). */
export async function queueExists(tx: Tx, id: string): Promise<boolean> {
  return (await tx.query('SELECT 1 FROM queues WHERE id = $1', [id])).rowCount === 1;
}

export async function createQueue(tx: Tx, input: QueueInput & { readonly name: string }): Promise<Queue> {
  const row = first(
    (
      await tx.query<{ id: string }>(
        `INSERT INTO queues (tenant_id, name, description, language, service_level_threshold_s, service_level_target_pct, settings)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          input.name,
          input.description ?? '',
          input.language ?? 'es',
          input.serviceLevelThresholdS ?? 20,
          input.serviceLevelTargetPct ?? 80,
          JSON.stringify(input.settings ?? {}),
        ],
      )
    ).rows,
  );
  if (input.skills) await replaceQueueSkills(tx, row.id, input.skills);
  return getQueue(tx, row.id);
}

export async function updateQueue(tx: Tx, id: string, input: QueueInput): Promise<Queue> {
  const result = await tx.query(
    `UPDATE queues SET name = coalesce($2, name), description = coalesce($3, description), language = coalesce($4, language),
       service_level_threshold_s = coalesce($5, service_level_threshold_s),
       service_level_target_pct = coalesce($6, service_level_target_pct),
       settings = CASE WHEN $7::jsonb IS NULL THEN settings ELSE settings || $7::jsonb END
     WHERE id = $1`,
    [
      id,
      input.name ?? null,
      input.description ?? null,
      input.language ?? null,
      input.serviceLevelThresholdS ?? null,
      input.serviceLevelTargetPct ?? null,
      input.settings === undefined ? null : JSON.stringify(input.settings),
    ],
  );
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such queue');
  if (input.skills) await replaceQueueSkills(tx, id, input.skills);
  return getQueue(tx, id);
}

export async function deleteQueue(tx: Tx, id: string): Promise<void> {
  const result = await tx.query('DELETE FROM queues WHERE id = $1', [id]);
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such queue');
}

async function replaceQueueSkills(
  tx: Tx,
  queueId: string,
  skills: readonly { readonly skillId: string; readonly minLevel: number }[],
): Promise<void> {
  await tx.query('DELETE FROM queue_skills WHERE queue_id = $1', [queueId]);
  for (const skill of skills) {
    await tx.query(
      'INSERT INTO queue_skills (tenant_id, queue_id, skill_id, min_level) VALUES (app_current_tenant(), $1, $2, $3)',
      [queueId, skill.skillId, skill.minLevel],
    );
  }
}
