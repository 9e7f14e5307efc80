import { nextTicketStatus } from '@centralita/crm';
import type { TicketStatusCategory } from '@centralita/crm';
import type { Tx } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage, orderBy } from './paging.ts';
import { StoreError } from './store-error.ts';
import { first, nextCounterValue } from './tenants.ts';

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];

/** A ticket as lists show it. */
export interface Ticket {
  readonly id: string;
  readonly number: number;
  readonly customerId: string;
  readonly customerName: string;
  readonly subject: string;
  readonly description: string;
  readonly status: string;
  readonly statusCategory: TicketStatusCategory;
  readonly priority: TicketPriority;
  readonly assigneeId: string | null;
  readonly assigneeName: string | null;
  readonly queueId: string | null;
  readonly dueAt: Date | null;
  readonly createdBy: string | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A ticket with its notes, linked interactions and follow-up tasks. */
export interface TicketDetail extends Ticket {
  readonly notes: readonly TicketNote[];
  readonly interactionIds: readonly string[];
  readonly followUps: readonly FollowUpTask[];
}

export interface TicketNote {
  readonly id: string;
  readonly authorId: string | null;
  readonly authorName: string | null;
  readonly body: string;
  readonly isInternal: boolean;
  readonly createdAt: Date;
}

export interface FollowUpTask {
  readonly id: string;
  readonly ticketId: string;
  readonly ticketNumber: number;
  readonly assigneeId: string | null;
  readonly description: string;
  readonly dueAt: Date;
  readonly status: 'pending' | 'done' | 'cancelled';
  readonly completedAt: Date | null;
  readonly createdAt: Date;
}

/** A status a tenant's tickets can have: the four built-in ones and the tenant's own. */
export interface TicketStatus {
  readonly code: string;
  readonly category: TicketStatusCategory;
  readonly labelEs: string;
  readonly labelEn: string;
  readonly isBuiltin: boolean;
}

const ticketColumns = `t.id, t.number::int AS number, t.customer_id AS "customerId",
  coalesce(nullif(trim(c.first_name || ' ' || c.last_name), ''), c.company) AS "customerName",
  t.subject, t.description, t.status, ts.category AS "statusCategory", t.priority, t.assignee_id AS "assigneeId",
  u.display_name AS "assigneeName", t.queue_id AS "queueId", t.due_at AS "dueAt", t.created_by AS "createdBy",
  t.resolved_at AS "resolvedAt", t.closed_at AS "closedAt", t.created_at AS "createdAt", t.updated_at AS "updatedAt"`;
const ticketFrom = `tickets t JOIN customers c ON c.id = t.customer_id
  JOIN ticket_statuses ts ON ts.tenant_id = t.tenant_id AND ts.code = t.status
  LEFT JOIN users u ON u.id = t.assignee_id`;
const followUpColumns = `f.id, f.ticket_id AS "ticketId", t.number::int AS "ticketNumber", f.assignee_id AS "assigneeId",
  f.description, f.due_at AS "dueAt", f.status, f.completed_at AS "completedAt", f.created_at AS "createdAt"`;

export async function listTicketStatuses(tx: Tx): Promise<TicketStatus[]> {
  return (
    await tx.query<TicketStatus>(
      `SELECT code, category, label_es AS "labelEs", label_en AS "labelEn", is_builtin AS "isBuiltin"
       FROM ticket_statuses ORDER BY is_builtin DESC, code`,
    )
  ).rows;
}

export async function createTicketStatus(
  tx: Tx,
  input: Omit<TicketStatus, 'isBuiltin'>,
): Promise<TicketStatus> {
  return first(
    (
      await tx.query<TicketStatus>(
        `INSERT INTO ticket_statuses (tenant_id, code, category, label_es, label_en) VALUES (app_current_tenant(), $1, $2, $3, $4)
         RETURNING code, category, label_es AS "labelEs", label_en AS "labelEn", is_builtin AS "isBuiltin"`,
        [input.code, input.category, input.labelEs, input.labelEn],
      )
    ).rows,
  );
}

async function statusCategory(tx: Tx, code: string): Promise<TicketStatusCategory> {
  const row = (
    await tx.query<{ category: TicketStatusCategory }>(
      'SELECT category FROM ticket_statuses WHERE code = $1',
      [code],
    )
  ).rows[0];
  if (!row)
    throw new StoreError(
      'STORE_INVALID_INPUT',
      `no ticket status "${code}"; list them at /api/ticket-statuses`,
      'status',
    );
  return row.category;
}

export interface NewTicket {
  readonly customerId: string;
  readonly subject: string;
  readonly description?: string | undefined;
  readonly status?: string | undefined;
  readonly priority?: TicketPriority | undefined;
  readonly assigneeId?: string | null | undefined;
  readonly queueId?: string | null | undefined;
  readonly dueAt?: Date | null | undefined;
  readonly interactionIds?: readonly string[] | undefined;
  readonly createdBy: string | null;
}

export async function createTicket(tx: Tx, input: NewTicket, now: Date): Promise<TicketDetail> {
  const status = input.status ?? 'open';
  const category = await statusCategory(tx, status);
  const number = await nextCounterValue(tx, 'ticket');
  const nowIso = now.toISOString();
  const row = first(
    (
      await tx.query<{ id: string }>(
        `INSERT INTO tickets (tenant_id, number, customer_id, subject, description, status, priority, assignee_id, queue_id,
           due_at, created_by, resolved_at, closed_at)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [
          number,
          input.customerId,
          input.subject,
          input.description ?? '',
          status,
          input.priority ?? 'normal',
          input.assigneeId ?? null,
          input.queueId ?? null,
          input.dueAt ?? null,
          input.createdBy,
          category === 'resolved' || category === 'closed' ? nowIso : null,
          category === 'closed' ? nowIso : null,
        ],
      )
    ).rows,
  );
  for (const interactionId of input.interactionIds ?? []) await linkInteraction(tx, row.id, interactionId);
  return getTicket(tx, row.id);
}

export async function getTicket(tx: Tx, id: string): Promise<TicketDetail> {
  const ticket = (await tx.query<Ticket>(`SELECT ${ticketColumns} FROM ${ticketFrom} WHERE t.id = $1`, [id]))
    .rows[0];
  if (!ticket) throw new StoreError('STORE_NOT_FOUND', 'no such ticket');
  const notes = await tx.query<TicketNote>(
    `SELECT n.id, n.author_id AS "authorId", u.display_name AS "authorName", n.body, n.is_internal AS "isInternal", n.created_at AS "createdAt"
     FROM ticket_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.ticket_id = $1 ORDER BY n.created_at, n.id`,
    [id],
  );
  const links = await tx.query<{ interactionId: string }>(
    'SELECT interaction_id AS "interactionId" FROM ticket_interactions WHERE ticket_id = $1 ORDER BY linked_at',
    [id],
  );
  const followUps = await tx.query<FollowUpTask>(
    `SELECT ${followUpColumns} FROM follow_up_tasks f JOIN tickets t ON t.id = f.ticket_id WHERE f.ticket_id = $1 ORDER BY f.due_at, f.id`,
    [id],
  );
  return {
    ...ticket,
    notes: notes.rows,
    interactionIds: links.rows.map((l) => l.interactionId),
    followUps: followUps.rows,
  };
}

/** A ticket found by the number customers quote (the IVR reads it out). */
export async function findTicketByNumber(tx: Tx, number: number): Promise<TicketDetail | undefined> {
  const row = (await tx.query<{ id: string }>('SELECT id FROM tickets WHERE number = $1', [number])).rows[0];
  return row ? getTicket(tx, row.id) : undefined;
}

export interface TicketChanges {
  readonly subject?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: string | undefined;
  readonly priority?: TicketPriority | undefined;
  readonly assigneeId?: string | null | undefined;
  readonly queueId?: string | null | undefined;
  readonly dueAt?: Date | null | undefined;
}

/** Updates a ticket; a status change follows the ticket lifecycle rules of @centralita/crm. */
export async function updateTicket(
  tx: Tx,
  id: string,
  changes: TicketChanges,
  now: Date,
): Promise<TicketDetail> {
  const current = (
    await tx.query<{
      status: string;
      category: TicketStatusCategory;
      resolvedAt: Date | null;
      closedAt: Date | null;
    }>(
      `SELECT t.status, ts.category, t.resolved_at AS "resolvedAt", t.closed_at AS "closedAt"
       FROM tickets t JOIN ticket_statuses ts ON ts.tenant_id = t.tenant_id AND ts.code = t.status WHERE t.id = $1 FOR UPDATE OF t`,
      [id],
    )
  ).rows[0];
  if (!current) throw new StoreError('STORE_NOT_FOUND', 'no such ticket');
  let lifecycle = {
    status: current.status,
    category: current.category,
    resolvedAt: current.resolvedAt?.toISOString() ?? null,
    closedAt: current.closedAt?.toISOString() ?? null,
  };
  if (changes.status !== undefined) {
    const category = await statusCategory(tx, changes.status);
    const next = nextTicketStatus(lifecycle, { status: changes.status, category }, now.toISOString());
    if (!next.ok) throw new StoreError('STORE_INVALID_STATE', next.error.message, next.error.field);
    lifecycle = { ...next.value };
  }
  await tx.query(
    `UPDATE tickets SET subject = coalesce($2, subject), description = coalesce($3, description), status = $4,
       priority = coalesce($5, priority),
       assignee_id = CASE WHEN $6::boolean THEN $7::uuid ELSE assignee_id END,
       queue_id = CASE WHEN $8::boolean THEN $9::uuid ELSE queue_id END,
       due_at = CASE WHEN $10::boolean THEN $11::timestamptz ELSE due_at END,
       resolved_at = $12, closed_at = $13
     WHERE id = $1`,
    [
      id,
      changes.subject ?? null,
      changes.description ?? null,
      lifecycle.status,
      changes.priority ?? null,
      changes.assigneeId !== undefined,
      changes.assigneeId ?? null,
      changes.queueId !== undefined,
      changes.queueId ?? null,
      changes.dueAt !== undefined,
      changes.dueAt ?? null,
      lifecycle.resolvedAt,
      lifecycle.closedAt,
    ],
  );
  return getTicket(tx, id);
}

export interface TicketQuery extends PageRequest {
  readonly status?: string | undefined;
  readonly category?: TicketStatusCategory | undefined;
  readonly assigneeId?: string | undefined;
  readonly isUnassigned?: boolean | undefined;
  readonly customerId?: string | undefined;
  readonly queueId?: string | undefined;
  readonly priority?: TicketPriority | undefined;
  readonly search?: string | undefined;
}

export async function listTickets(tx: Tx, query: TicketQuery): Promise<Page<Ticket>> {
  const conditions = new Conditions();
  if (query.status) conditions.add('t.status = $?', query.status);
  if (query.category) conditions.add('ts.category = $?', query.category);
  if (query.assigneeId) conditions.add('t.assignee_id = $?', query.assigneeId);
  if (query.isUnassigned === true) conditions.addRaw('t.assignee_id IS NULL');
  if (query.customerId) conditions.add('t.customer_id = $?', query.customerId);
  if (query.queueId) conditions.add('t.queue_id = $?', query.queueId);
  if (query.priority) conditions.add('t.priority = $?', query.priority);
  if (query.search) {
    const search = query.search.trim();
    if (/^#?\d+$/.test(search)) conditions.add('t.number = $?', Number(search.replace('#', '')));
    else conditions.add(`app_fold(t.subject) LIKE '%' || app_fold($?) || '%'`, search);
  }
  const order = orderBy(
    query.sort,
    {
      number: 't.number',
      updatedAt: 't.updated_at',
      createdAt: 't.created_at',
      dueAt: 't.due_at',
      priority: `array_position(ARRAY['low','normal','high','urgent'], t.priority)`,
    },
    '-updatedAt',
    't.id',
  );
  return fetchPage<Ticket>(tx, { select: ticketColumns, from: ticketFrom, order }, conditions, query);
}

export async function addTicketNote(
  tx: Tx,
  ticketId: string,
  input: { body: string; isInternal: boolean; authorId: string | null },
): Promise<TicketNote> {
  await getTicketRow(tx, ticketId);
  const row = first(
    (
      await tx.query<{ id: string }>(
        'INSERT INTO ticket_notes (tenant_id, ticket_id, author_id, body, is_internal) VALUES (app_current_tenant(), $1, $2, $3, $4) RETURNING id',
        [ticketId, input.authorId, input.body, input.isInternal],
      )
    ).rows,
  );
  await tx.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [ticketId]);
  return first(
    (
      await tx.query<TicketNote>(
        `SELECT n.id, n.author_id AS "authorId", u.display_name AS "authorName", n.body, n.is_internal AS "isInternal", n.created_at AS "createdAt"
         FROM ticket_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.id = $1`,
        [row.id],
      )
    ).rows,
  );
}

async function getTicketRow(tx: Tx, ticketId: string): Promise<void> {
  const row = await tx.query('SELECT 1 FROM tickets WHERE id = $1', [ticketId]);
  if (row.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such ticket');
}

export async function linkInteraction(tx: Tx, ticketId: string, interactionId: string): Promise<void> {
  await getTicketRow(tx, ticketId);
  await tx.query(
    `INSERT INTO ticket_interactions (tenant_id, ticket_id, interaction_id) VALUES (app_current_tenant(), $1, $2)
     ON CONFLICT DO NOTHING`,
    [ticketId, interactionId],
  );
}

export async function createFollowUp(
  tx: Tx,
  ticketId: string,
  input: { description: string; dueAt: Date; assigneeId: string | null; createdBy: string | null },
): Promise<FollowUpTask> {
  await getTicketRow(tx, ticketId);
  const row = first(
    (
      await tx.query<{ id: string }>(
        `INSERT INTO follow_up_tasks (tenant_id, ticket_id, assignee_id, description, due_at, created_by)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING id`,
        [ticketId, input.assigneeId, input.description, input.dueAt, input.createdBy],
      )
    ).rows,
  );
  return getFollowUp(tx, row.id);
}

export async function getFollowUp(tx: Tx, id: string): Promise<FollowUpTask> {
  const row = (
    await tx.query<FollowUpTask>(
      `SELECT ${followUpColumns} FROM follow_up_tasks f JOIN tickets t ON t.id = f.ticket_id WHERE f.id = $1`,
      [id],
    )
  ).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such follow-up task');
  return row;
}

export async function updateFollowUp(
  tx: Tx,
  id: string,
  changes: {
    status?: 'pending' | 'done' | 'cancelled' | undefined;
    dueAt?: Date | undefined;
    assigneeId?: string | null | undefined;
    description?: string | undefined;
  },
): Promise<FollowUpTask> {
  const result = await tx.query(
    `UPDATE follow_up_tasks SET status = coalesce($2, status), due_at = coalesce($3, due_at),
       assignee_id = CASE WHEN $4::boolean THEN $5::uuid ELSE assignee_id END, description = coalesce($6, description),
       completed_at = CASE WHEN coalesce($2, status) = 'done' THEN coalesce(completed_at, now()) ELSE NULL END
     WHERE id = $1`,
    [
      id,
      changes.status ?? null,
      changes.dueAt ?? null,
      changes.assigneeId !== undefined,
      changes.assigneeId ?? null,
      changes.description ?? null,
    ],
  );
  if (result.rowCount === 0) throw new StoreError('STORE_NOT_FOUND', 'no such follow-up task');
  return getFollowUp(tx, id);
}

export async function listFollowUps(
  tx: Tx,
  query: PageRequest & {
    assigneeId?: string | undefined;
    status?: 'pending' | 'done' | 'cancelled' | undefined;
    dueBefore?: Date | undefined;
  },
): Promise<Page<FollowUpTask>> {
  const conditions = new Conditions();
  if (query.assigneeId) conditions.add('f.assignee_id = $?', query.assigneeId);
  if (query.status) conditions.add('f.status = $?', query.status);
  if (query.dueBefore) conditions.add('f.due_at < $?', query.dueBefore);
  const order = orderBy(query.sort, { dueAt: 'f.due_at', createdAt: 'f.created_at' }, 'dueAt', 'f.id');
  return fetchPage<FollowUpTask>(
    tx,
    { select: followUpColumns, from: `follow_up_tasks f JOIN tickets t ON t.id = f.ticket_id`, order },
    conditions,
    query,
  );
}
