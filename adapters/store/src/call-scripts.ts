import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';

/** A call script of the tenant (docs/glossary.md, call script) and the queues that follow it. */
export interface CallScript {
  readonly id: string;
  readonly name: string;
  readonly bodyEs: string;
  readonly bodyEn: string;
  readonly isActive: boolean;
  readonly queueIds: readonly string[];
  readonly updatedAt: Date;
}

export interface CallScriptInput {
  readonly name: string;
  readonly bodyEs: string;
  readonly bodyEn: string;
  readonly isActive?: boolean | undefined;
  /** The queues that follow this script from now on (moved from any other script). */
  readonly queueIds?: readonly string[] | undefined;
}

const columns = `s.id, s.name, s.body_es AS "bodyEs", s.body_en AS "bodyEn", s.is_active AS "isActive",
  coalesce(array(SELECT q.queue_id FROM queue_scripts q WHERE q.script_id = s.id ORDER BY q.queue_id), '{}') AS "queueIds",
  s.updated_at AS "updatedAt"`;

/** Every script of the tenant, by name; retired ones only when asked. */
export async function listCallScripts(
  tx: Tx,
  options: { readonly includeInactive?: boolean } = {},
): Promise<CallScript[]> {
  return (
    await tx.query<CallScript>(
      `SELECT ${columns} FROM call_scripts s ${options.includeInactive === true ? '' : 'WHERE s.is_active'}
       ORDER BY lower(s.name)`,
    )
  ).rows;
}

export async function getCallScript(tx: Tx, id: string): Promise<CallScript> {
  const row = (await tx.query<CallScript>(`SELECT ${columns} FROM call_scripts s WHERE s.id = $1`, [id]))
    .rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'no such call script', 'id');
  return row;
}

async function assignQueues(tx: Tx, scriptId: string, queueIds: readonly string[]): Promise<void> {
  const known = await tx.query<{ id: string }>('SELECT id FROM queues WHERE id = ANY($1::uuid[])', [
    queueIds,
  ]);
  const missing = queueIds.findIndex((queueId) => !known.rows.some((row) => row.id === queueId));
  if (missing !== -1)
    throw new StoreError(
      'STORE_INVALID_INPUT',
      `no queue ${queueIds[missing] ?? ''}`,
      `queueIds[${String(missing)}]`,
    );
  await tx.query('DELETE FROM queue_scripts WHERE script_id = $1 AND NOT (queue_id = ANY($2::uuid[]))', [
    scriptId,
    queueIds,
  ]);
  await tx.query(
    `INSERT INTO queue_scripts (tenant_id, queue_id, script_id)
     SELECT app_current_tenant(), queue_id, $1 FROM unnest($2::uuid[]) AS queue_id
     ON CONFLICT (tenant_id, queue_id) DO UPDATE SET script_id = EXCLUDED.script_id`,
    [scriptId, queueIds],
  );
}

export async function createCallScript(tx: Tx, input: CallScriptInput): Promise<CallScript> {
  const row = (
    await tx.query<{ id: string }>(
      `INSERT INTO call_scripts (tenant_id, name, body_es, body_en, is_active)
       VALUES (app_current_tenant(), $1, $2, $3, $4) RETURNING id`,
      [input.name, input.bodyEs, input.bodyEn, input.isActive ?? true],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'the call script was not created');
  if (input.queueIds !== undefined) await assignQueues(tx, row.id, input.queueIds);
  return getCallScript(tx, row.id);
}

export async function updateCallScript(
  tx: Tx,
  id: string,
  changes: Partial<CallScriptInput>,
): Promise<CallScript> {
  const updated = await tx.query(
    `UPDATE call_scripts SET name = coalesce($2, name), body_es = coalesce($3, body_es),
       body_en = coalesce($4, body_en), is_active = coalesce($5, is_active)
     WHERE id = $1`,
    [id, changes.name ?? null, changes.bodyEs ?? null, changes.bodyEn ?? null, changes.isActive ?? null],
  );
  if (updated.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such call script', 'id');
  if (changes.queueIds !== undefined) await assignQueues(tx, id, changes.queueIds);
  return getCallScript(tx, id);
}

/** The active script a queue follows, if any. */
export async function scriptOfQueue(tx: Tx, queueId: string): Promise<CallScript | undefined> {
  return (
    await tx.query<CallScript>(
      `SELECT ${columns} FROM call_scripts s JOIN queue_scripts qs ON qs.script_id = s.id
       WHERE qs.queue_id = $1 AND s.is_active`,
      [queueId],
    )
  ).rows[0];
}
