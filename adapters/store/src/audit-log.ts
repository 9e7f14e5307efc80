import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions } from './paging.ts';
import { first } from './tenants.ts';

/** One write (or login fact) as the audit log recorded it. */
export interface AuditEntry {
  readonly id: number;
  readonly actorType: 'user' | 'api_key' | 'system';
  readonly actorId: string | null;
  readonly action: string;
  readonly tableName: string;
  readonly rowId: string | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly requestId: string | null;
  readonly occurredAt: Date;
}

export async function listAuditEntries(
  tx: Tx,
  query: PageRequest & {
    tableName?: string | undefined;
    rowId?: string | undefined;
    actorId?: string | undefined;
  },
): Promise<Page<AuditEntry>> {
  const conditions = new Conditions();
  if (query.tableName) conditions.add('table_name = $?', query.tableName);
  if (query.rowId) conditions.add('row_id = $?', query.rowId);
  if (query.actorId) conditions.add('actor_id = $?', query.actorId);
  const where = conditions.where();
  const total = first(
    (
      await tx.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM audit_log ${where}`,
        conditions.params,
      )
    ).rows,
  ).count;
  const limit = conditions.next(query.limit);
  const offset = conditions.next(query.offset);
  const rows = await tx.query<AuditEntry>(
    `SELECT id::int AS id, actor_type AS "actorType", actor_id AS "actorId", action, table_name AS "tableName", row_id AS "rowId",
            before, after, request_id AS "requestId", occurred_at AS "occurredAt"
     FROM audit_log ${where} ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`,
    conditions.params,
  );
  return { items: rows.rows, total, limit: query.limit, offset: query.offset };
}
