import pg from 'pg';

/** Stable error codes of the store; docs/errors.md lists each one. */
export const storeErrorCodes = [
  'STORE_NOT_FOUND',
  'STORE_CONFLICT',
  'STORE_REFERENCE_NOT_FOUND',
  'STORE_CONSTRAINT_VIOLATED',
  'STORE_INVALID_STATE',
  'STORE_INVALID_INPUT',
] as const;
export type StoreErrorCode = (typeof storeErrorCodes)[number];

/**
 * A failure the caller can act on (a missing row, a duplicate, a reference to nothing). Repositories
 * throw it from inside a transaction so that the whole unit of work rolls back; the HTTP edge maps it
 * to 404, 409 or 422 with the field named.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** Maps a constraint name to the API field it protects and a message people understand. */
const constraintFields: Record<string, { field: string; message: string }> = {
  users_email_unique: { field: 'email', message: 'a user with this e-mail address already exists' },
  users_extension_unique: { field: 'extension', message: 'another user already has this extension' },
  teams_name_unique: { field: 'name', message: 'a team with this name already exists' },
  skills_name_unique: { field: 'name', message: 'a skill with this name already exists' },
  queues_name_unique: { field: 'name', message: 'a queue with this name already exists' },
  customer_identities_tenant_id_kind_address_key: {
    field: 'identities',
    message: 'this address already identifies another customer',
  },
  tenants_slug_key: { field: 'slug', message: 'a tenant with this slug already exists' },
  ticket_statuses_pkey: { field: 'code', message: 'a ticket status with this code already exists' },
  users_tenant_id_team_id_fkey: { field: 'teamId', message: 'no such team' },
  tickets_tenant_id_customer_id_fkey: { field: 'customerId', message: 'no such customer' },
  tickets_tenant_id_assignee_id_fkey: { field: 'assigneeId', message: 'no such user' },
  tickets_tenant_id_queue_id_fkey: { field: 'queueId', message: 'no such queue' },
  tickets_tenant_id_status_fkey: { field: 'status', message: 'no such ticket status' },
  interactions_tenant_id_customer_id_fkey: { field: 'customerId', message: 'no such customer' },
  interactions_tenant_id_agent_id_fkey: { field: 'agentId', message: 'no such user' },
  interactions_tenant_id_queue_id_fkey: { field: 'queueId', message: 'no such queue' },
  follow_up_tasks_tenant_id_assignee_id_fkey: { field: 'assigneeId', message: 'no such user' },
  ticket_interactions_tenant_id_interaction_id_fkey: {
    field: 'interactionId',
    message: 'no such interaction',
  },
  user_skills_tenant_id_skill_id_fkey: { field: 'skills', message: 'no such skill' },
  domain_events_id_key: { field: 'eventId', message: 'these events are stored already' },
  queue_skills_tenant_id_skill_id_fkey: { field: 'skills', message: 'no such skill' },
};

/** Turns PostgreSQL's integrity errors into StoreErrors; anything else is returned unchanged. */
export function translateDatabaseError(error: unknown): unknown {
  if (!(error instanceof pg.DatabaseError)) return error;
  const known = error.constraint ? constraintFields[error.constraint] : undefined;
  switch (error.code) {
    case '23505':
      return new StoreError('STORE_CONFLICT', known?.message ?? 'this value is already taken', known?.field);
    case '23503':
      return new StoreError(
        'STORE_REFERENCE_NOT_FOUND',
        known?.message ?? 'a referenced record does not exist',
        known?.field,
      );
    case '23514':
    case '23502':
      return new StoreError(
        'STORE_CONSTRAINT_VIOLATED',
        known?.message ?? `a value breaks the rule ${error.constraint ?? error.column ?? ''}`.trim(),
        known?.field ?? error.column,
      );
    case 'P0002':
      // app_require_change(): a write that had to change a row found none (`Statement.notFound`).
      return new StoreError('STORE_NOT_FOUND', error.message);
    case undefined:
    default:
      return error;
  }
}

/**
 * True for the failure of a transaction whose events are stored already (their ids are, see
 * `TransactionOptions.eventIdKey`): an earlier attempt of the same write was stored, and this one is not.
 */
export function isStoredEventConflict(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'STORE_CONFLICT' && error.field === 'eventId';
}
