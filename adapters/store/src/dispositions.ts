import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';

/** An outcome agents choose when they wrap up a contact (docs/glossary.md, disposition). */
export interface Disposition {
  readonly code: string;
  readonly labelEs: string;
  readonly labelEn: string;
  /** The outcome resolves the customer's matter. */
  readonly isResolved: boolean;
  /** Offered in the wrap-up form; inactive ones stay on past contacts. */
  readonly isActive: boolean;
  readonly sortOrder: number;
}

export interface DispositionChanges {
  readonly labelEs?: string | undefined;
  readonly labelEn?: string | undefined;
  readonly isResolved?: boolean | undefined;
  readonly isActive?: boolean | undefined;
  readonly sortOrder?: number | undefined;
}

const columns = `code, label_es AS "labelEs", label_en AS "labelEn", is_resolved AS "isResolved",
  is_active AS "isActive", sort_order AS "sortOrder"`;

/** The tenant's dispositions in the order the wrap-up form shows them; inactive ones only when asked. */
export async function listDispositions(
  tx: Tx,
  options: { readonly includeInactive?: boolean } = {},
): Promise<Disposition[]> {
  return (
    await tx.query<Disposition>(
      `SELECT ${columns} FROM dispositions ${options.includeInactive === true ? '' : 'WHERE is_active'}
       ORDER BY sort_order, code`,
    )
  ).rows;
}

export async function createDisposition(tx: Tx, input: Omit<Disposition, 'isActive'>): Promise<Disposition> {
  const row = (
    await tx.query<Disposition>(
      `INSERT INTO dispositions (tenant_id, code, label_es, label_en, is_resolved, sort_order)
       VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING ${columns}`,
      [input.code, input.labelEs, input.labelEn, input.isResolved, input.sortOrder],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'the disposition was not created');
  return row;
}

export async function updateDisposition(
  tx: Tx,
  code: string,
  changes: DispositionChanges,
): Promise<Disposition> {
  const row = (
    await tx.query<Disposition>(
      `UPDATE dispositions SET
         label_es = coalesce($2, label_es), label_en = coalesce($3, label_en),
         is_resolved = coalesce($4, is_resolved), is_active = coalesce($5, is_active),
         sort_order = coalesce($6, sort_order), updated_at = now()
       WHERE code = $1 RETURNING ${columns}`,
      [
        code,
        changes.labelEs ?? null,
        changes.labelEn ?? null,
        changes.isResolved ?? null,
        changes.isActive ?? null,
        changes.sortOrder ?? null,
      ],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', `no disposition "${code}"`, 'code');
  return row;
}

/**
 * Checks a disposition chosen at wrap-up: it must be one of the tenant's active ones. The error names the
 * field and lists the codes that would do.
 */
export async function checkDisposition(tx: Tx, code: string): Promise<void> {
  const active = await listDispositions(tx);
  if (active.some((disposition) => disposition.code === code)) return;
  throw new StoreError(
    'STORE_INVALID_INPUT',
    `"${code}" is not one of the tenant's dispositions; use one of: ${active.map((d) => d.code).join(', ')} (GET /api/dispositions)`,
    'disposition',
  );
}
