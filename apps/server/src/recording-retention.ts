import { unlink } from 'node:fs/promises';
import { tenants } from '@centralita/store';
import type { TenantId } from '@centralita/kernel';
import type { Database, TenantContext } from '@centralita/store';
import type { Logger } from 'pino';

/** What one retention pass deleted in a tenant. */
export interface RetentionReport {
  readonly tenantSlug: string;
  readonly retentionDays: number;
  /** Interactions whose recordings were deleted. */
  readonly interactions: number;
  /** Recording files removed from disk (a file already gone counts as removed). */
  readonly files: number;
}

/** At most this many interactions per tenant and pass, so a pass stays short; the next one continues. */
const batchSize = 500;

const systemActor = { type: 'system' as const, id: 'recording-retention' };

/** The tenant's `recording.retentionDays`, or undefined when the tenant keeps recordings for ever. */
function retentionDaysOf(settings: Readonly<Record<string, unknown>>): number | undefined {
  const recording = settings['recording'] as { retentionDays?: unknown } | undefined;
  const days = recording?.retentionDays;
  return typeof days === 'number' && Number.isInteger(days) && days >= 1 ? days : undefined;
}

/**
 * Deletes the recordings of contacts that ended more than each tenant's `recording.retentionDays` ago: the
 * files go, the interaction keeps its figures and says when its recordings were removed
 * (`metadata.recordingsPurgedAt`; the audit log keeps the change). Tenants without the setting keep theirs.
 */
export async function purgeExpiredRecordings(
  database: Database,
  now: Date,
  /** Only these tenants (by slug); every tenant when absent. */
  tenantSlugs?: readonly string[],
): Promise<RetentionReport[]> {
  const all = (await database.asSystem((tx) => tenants.listTenants(tx))).filter(
    (tenant) => tenantSlugs === undefined || tenantSlugs.includes(tenant.slug),
  );
  const reports: RetentionReport[] = [];
  for (const tenant of all) {
    const retentionDays = retentionDaysOf(tenant.settings);
    if (retentionDays === undefined) continue;
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const context: TenantContext = { tenantId: tenant.id as TenantId, actor: systemActor };
    const report = await database.inTenant(context, async (tx) => {
      const expired = await tx.query<{ id: string; paths: string[] }>(
        `SELECT id,
           array_remove(
             array(SELECT DISTINCT p FROM unnest(
               array[recording_ref] ||
               coalesce(array(SELECT r ->> 'path' FROM jsonb_array_elements(metadata -> 'recordings') r), '{}')
             ) p), NULL) AS paths
         FROM interactions
         WHERE recording_ref IS NOT NULL AND coalesce(ended_at, started_at) < $1
         ORDER BY started_at
         LIMIT ${String(batchSize)}
         FOR UPDATE`,
        [cutoff],
      );
      let files = 0;
      for (const row of expired.rows) {
        for (const file of row.paths) {
          await unlink(file).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          });
          files++;
        }
      }
      if (expired.rows.length > 0)
        await tx.query(
          `UPDATE interactions
             SET recording_ref = NULL,
                 metadata = (metadata - 'recordings') || jsonb_build_object('recordingsPurgedAt', $2::text)
           WHERE id = ANY($1::uuid[])`,
          [expired.rows.map((row) => row.id), now.toISOString()],
        );
      return { tenantSlug: tenant.slug, retentionDays, interactions: expired.rows.length, files };
    });
    reports.push(report);
  }
  return reports;
}

/** Runs a retention pass now and every `everyMs` after; returns the function that stops it. */
export function scheduleRecordingRetention(
  database: Database,
  logger: Logger,
  everyMs = 3_600_000,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const pass = (): void => {
    running = running.then(() =>
      purgeExpiredRecordings(database, new Date()).then(
        (reports) => {
          for (const report of reports)
            if (report.interactions > 0) logger.info(report, 'expired recordings deleted');
        },
        (error: unknown) => {
          logger.warn({ err: error }, 'deleting expired recordings failed; the next pass tries again');
        },
      ),
    );
  };
  pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
