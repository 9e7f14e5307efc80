import { customerNameSql } from './customers.ts';
import type { Statement, Tx } from './database.ts';
import { runStatement } from './database.ts';
import type { Page, PageRequest } from './paging.ts';
import { Conditions, fetchPage, orderBy } from './paging.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

export const interactionChannels = ['voice', 'chat', 'email', 'sms', 'whatsapp'] as const;
export type InteractionChannel = (typeof interactionChannels)[number];
export const interactionDirections = ['inbound', 'outbound', 'internal'] as const;
export type InteractionDirection = (typeof interactionDirections)[number];
export const interactionStatuses = [
  'queued',
  'in_progress',
  'wrap_up',
  'completed',
  'abandoned',
  'missed',
] as const;
export type InteractionStatus = (typeof interactionStatuses)[number];

/** One customer contact on any channel. */
export interface Interaction {
  readonly id: string;
  readonly customerId: string | null;
  /** The customer's first and last name (null: no customer, or one known only by an address). */
  readonly customerName: string | null;
  readonly channel: InteractionChannel;
  readonly direction: InteractionDirection;
  readonly status: InteractionStatus;
  readonly queueId: string | null;
  readonly queueName: string | null;
  readonly agentId: string | null;
  readonly agentName: string | null;
  readonly remoteAddress: string;
  readonly subject: string;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly wrapUpEndedAt: Date | null;
  readonly disposition: string | null;
  readonly wrapUpNotes: string;
  readonly recordingRef: string | null;
  readonly metadata: Record<string, unknown>;
}

const interactionColumns = `x.id, x.customer_id AS "customerId",
  ${customerNameSql} AS "customerName", x.channel, x.direction, x.status, x.queue_id AS "queueId",
  q.name AS "queueName", x.agent_id AS "agentId", u.display_name AS "agentName", x.remote_address AS "remoteAddress",
  x.subject, x.started_at AS "startedAt", x.answered_at AS "answeredAt", x.ended_at AS "endedAt",
  x.wrap_up_ended_at AS "wrapUpEndedAt", x.disposition, x.wrap_up_notes AS "wrapUpNotes",
  x.recording_ref AS "recordingRef", x.metadata`;
const interactionFrom = `interactions x LEFT JOIN queues q ON q.id = x.queue_id LEFT JOIN users u ON u.id = x.agent_id
  LEFT JOIN customers c ON c.id = x.customer_id`;

export interface NewInteraction {
  readonly customerId?: string | null | undefined;
  readonly channel: InteractionChannel;
  readonly direction: InteractionDirection;
  readonly status?: InteractionStatus | undefined;
  readonly queueId?: string | null | undefined;
  readonly agentId?: string | null | undefined;
  readonly remoteAddress?: string | undefined;
  readonly subject?: string | undefined;
  readonly startedAt?: Date | undefined;
  readonly answeredAt?: Date | null | undefined;
  readonly endedAt?: Date | null | undefined;
  readonly wrapUpEndedAt?: Date | null | undefined;
  readonly disposition?: string | null | undefined;
  readonly wrapUpNotes?: string | undefined;
  readonly recordingRef?: string | null | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
}

export async function createInteraction(tx: Tx, input: NewInteraction): Promise<Interaction> {
  return getInteraction(tx, await insertInteraction(tx, input));
}

/** Stores a new interaction and returns only its id: for the call layer, which needs nothing else back. */
export async function insertInteraction(tx: Tx, input: NewInteraction): Promise<string> {
  const row = first(
    (
      await tx.query<{ id: string }>(
        `INSERT INTO interactions (tenant_id, customer_id, channel, direction, status, queue_id, agent_id, remote_address,
           subject, started_at, answered_at, ended_at, wrap_up_ended_at, disposition, wrap_up_notes, recording_ref, metadata)
         VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()), $10, $11, $12, $13, $14, $15, $16)
         RETURNING id`,
        [
          input.customerId ?? null,
          input.channel,
          input.direction,
          input.status ?? 'completed',
          input.queueId ?? null,
          input.agentId ?? null,
          input.remoteAddress ?? '',
          input.subject ?? '',
          input.startedAt ?? null,
          input.answeredAt ?? null,
          input.endedAt ?? null,
          input.wrapUpEndedAt ?? null,
          input.disposition ?? null,
          input.wrapUpNotes ?? '',
          input.recordingRef ?? null,
          JSON.stringify(input.metadata ?? {}),
        ],
      )
    ).rows,
  );
  return row.id;
}

/**
 * Stores many past interactions at once (imports, the demo's history), each with the id the caller chose,
 * in a statement per thousand rows.
 */
export async function insertInteractions(
  tx: Tx,
  inputs: readonly (NewInteraction & { readonly id: string; readonly startedAt: Date })[],
): Promise<void> {
  const date = (value: Date | null | undefined): string | null => value?.toISOString() ?? null;
  for (let offset = 0; offset < inputs.length; offset += 1_000) {
    const rows = inputs.slice(offset, offset + 1_000).map((input) => ({
      id: input.id,
      customer_id: input.customerId ?? null,
      channel: input.channel,
      direction: input.direction,
      status: input.status ?? 'completed',
      queue_id: input.queueId ?? null,
      agent_id: input.agentId ?? null,
      remote_address: input.remoteAddress ?? '',
      subject: input.subject ?? '',
      started_at: date(input.startedAt),
      answered_at: date(input.answeredAt),
      ended_at: date(input.endedAt),
      wrap_up_ended_at: date(input.wrapUpEndedAt),
      disposition: input.disposition ?? null,
      wrap_up_notes: input.wrapUpNotes ?? '',
      recording_ref: input.recordingRef ?? null,
      metadata: input.metadata ?? {},
    }));
    await tx.query(
      `INSERT INTO interactions (id, tenant_id, customer_id, channel, direction, status, queue_id, agent_id, remote_address,
         subject, started_at, answered_at, ended_at, wrap_up_ended_at, disposition, wrap_up_notes, recording_ref, metadata)
       SELECT r.id, app_current_tenant(), r.customer_id, r.channel, r.direction, r.status, r.queue_id, r.agent_id,
              r.remote_address, r.subject, r.started_at, r.answered_at, r.ended_at, r.wrap_up_ended_at, r.disposition,
              r.wrap_up_notes, r.recording_ref, r.metadata
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, customer_id uuid, channel text, direction text, status text,
              queue_id uuid, agent_id uuid, remote_address text, subject text, started_at timestamptz,
              answered_at timestamptz, ended_at timestamptz, wrap_up_ended_at timestamptz, disposition text,
              wrap_up_notes text, recording_ref text, metadata jsonb)`,
      [JSON.stringify(rows)],
    );
  }
}

export async function getInteraction(tx: Tx, id: string): Promise<Interaction> {
  const row = (
    await tx.query<Interaction>(`SELECT ${interactionColumns} FROM ${interactionFrom} WHERE x.id = $1`, [id])
  ).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such interaction');
  return row;
}

export interface InteractionChanges {
  readonly status?: InteractionStatus | undefined;
  readonly customerId?: string | null | undefined;
  readonly subject?: string | undefined;
  readonly disposition?: string | null | undefined;
  readonly wrapUpNotes?: string | undefined;
  readonly answeredAt?: Date | undefined;
  readonly endedAt?: Date | undefined;
  readonly wrapUpEndedAt?: Date | undefined;
  readonly recordingRef?: string | undefined;
  readonly queueId?: string | undefined;
  readonly agentId?: string | undefined;
  /** Merged into the metadata (top-level keys replaced). */
  readonly metadata?: Record<string, unknown> | undefined;
  /**
   * A completed interaction keeps its status whatever `status` says: a call that ends after its agent already
   * wrapped it up stays completed (decided in the statement, so no read before it).
   */
  readonly keepsCompleted?: boolean | undefined;
}

/** Changes an interaction and reads it back. */
export async function updateInteraction(
  tx: Tx,
  id: string,
  changes: InteractionChanges,
): Promise<Interaction> {
  await changeInteraction(tx, id, changes);
  return getInteraction(tx, id);
}

/** Changes an interaction without reading it back (one statement: the call layer's many small updates). */
export async function changeInteraction(tx: Tx, id: string, changes: InteractionChanges): Promise<void> {
  await runStatement(tx, interactionChange(id, changes));
}

/** `changeInteraction` as a statement, for a transaction that only writes (`WriteTx`). */
export function interactionChange(id: string, changes: InteractionChanges): Statement {
  return {
    sql: `UPDATE interactions
        SET status = CASE WHEN $16::boolean AND status = 'completed' THEN status ELSE coalesce($2, status) END,
       customer_id = CASE WHEN $3::boolean THEN $4::uuid ELSE customer_id END,
       subject = coalesce($5, subject),
       disposition = CASE WHEN $6::boolean THEN $7 ELSE disposition END,
       wrap_up_notes = coalesce($8, wrap_up_notes), answered_at = coalesce($9, answered_at),
       ended_at = coalesce($10, ended_at), wrap_up_ended_at = coalesce($11, wrap_up_ended_at),
       recording_ref = coalesce($12, recording_ref), queue_id = coalesce($13, queue_id),
       agent_id = coalesce($14, agent_id), metadata = metadata || coalesce($15::jsonb, '{}'::jsonb)
     WHERE id = $1`,
    params: [
      id,
      changes.status ?? null,
      changes.customerId !== undefined,
      changes.customerId ?? null,
      changes.subject ?? null,
      changes.disposition !== undefined,
      changes.disposition ?? null,
      changes.wrapUpNotes ?? null,
      changes.answeredAt ?? null,
      changes.endedAt ?? null,
      changes.wrapUpEndedAt ?? null,
      changes.recordingRef ?? null,
      changes.queueId ?? null,
      changes.agentId ?? null,
      changes.metadata === undefined ? null : JSON.stringify(changes.metadata),
      changes.keepsCompleted === true,
    ],
    notFound: 'no such interaction',
  };
}

/**
 * The agent's after-call work ended (or there was none): an interaction in wrap-up or in progress becomes
 * completed, with `wrapUpEndedAt` when there was after-call work. One statement; an interaction already
 * completed or abandoned, or missing, is left alone (returns false).
 */
export async function completeAfterWrapUp(tx: Tx, id: string, wrapUpEndedAt?: Date): Promise<boolean> {
  const result = await runStatement(tx, wrapUpCompletion(id, wrapUpEndedAt));
  return (result.rowCount ?? 0) > 0;
}

/** `completeAfterWrapUp` as a statement, for a transaction that only writes (`WriteTx`). */
export function wrapUpCompletion(id: string, wrapUpEndedAt?: Date): Statement {
  return {
    sql: `UPDATE interactions
        SET status = CASE WHEN status IN ('wrap_up', 'in_progress') THEN 'completed' ELSE status END,
            wrap_up_ended_at = coalesce($2, wrap_up_ended_at)
      WHERE id = $1 AND status NOT IN ('completed', 'abandoned')`,
    params: [id, wrapUpEndedAt ?? null],
  };
}

export interface InteractionQuery extends PageRequest {
  readonly customerId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly queueId?: string | undefined;
  readonly channel?: InteractionChannel | undefined;
  readonly direction?: InteractionDirection | undefined;
  readonly status?: InteractionStatus | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

export async function listInteractions(tx: Tx, query: InteractionQuery): Promise<Page<Interaction>> {
  const conditions = new Conditions();
  if (query.customerId) conditions.add('x.customer_id = $?', query.customerId);
  if (query.agentId) conditions.add('x.agent_id = $?', query.agentId);
  if (query.queueId) conditions.add('x.queue_id = $?', query.queueId);
  if (query.channel) conditions.add('x.channel = $?', query.channel);
  if (query.direction) conditions.add('x.direction = $?', query.direction);
  if (query.status) conditions.add('x.status = $?', query.status);
  if (query.from) conditions.add('x.started_at >= $?', query.from);
  if (query.to) conditions.add('x.started_at < $?', query.to);
  const order = orderBy(
    query.sort,
    { startedAt: 'x.started_at', endedAt: 'x.ended_at', channel: 'x.channel' },
    '-startedAt',
    'x.id',
  );
  return fetchPage<Interaction>(
    tx,
    { select: interactionColumns, from: interactionFrom, order },
    conditions,
    query,
  );
}
