import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage } from './paging.ts';

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
  return fetchPage<AuditEntry>(
    tx,
    {
      select: `id::int AS id, actor_type AS "actorType", actor_id AS "actorId", action, table_name AS "tableName", row_id AS "rowId",
            before, after, request_id AS "requestId", occurred_at AS "occurredAt"
    `,
      from: `audit_log`,
      order: `ORDER BY id DESC`,
    },
    conditions,
    query,
  );
}
