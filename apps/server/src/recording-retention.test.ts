import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import type { TenantId } from '@centralita/kernel';
import { Database, interactions, tenants } from '@centralita/store';
import type { TenantContext } from '@centralita/store';
import { purgeExpiredRecordings } from './recording-retention.ts';

const dayMs = 86_400_000;
const now = new Date('2026-12-05T10:00:00Z');
let database: Database;
let directory: string;

beforeAll(async () => {
  database = new Database(inject('databaseUrl'));
  directory = await mkdtemp(path.join(tmpdir(), 'centralita-retention-'));
});

afterAll(async () => {
  await database.close();
  await rm(directory, { recursive: true, force: true });
});

async function tenantWith(settings: Record<string, unknown>): Promise<TenantContext & { slug: string }> {
  const slug = `ret-${Math.random().toString(36).slice(2, 10)}`;
  const tenant = await database.asSystem(async (tx) => {
    const created = await tenants.createTenant(tx, { slug, name: slug });
    await tx.query('UPDATE tenants SET settings = $2 WHERE id = $1', [created.id, JSON.stringify(settings)]);
    return created;
  });
  return { tenantId: tenant.id as TenantId, actor: { type: 'system', id: 'test' }, slug };
}

/** A contact that ended `daysAgo` days before `now`, with recording files (none for an empty list). */
async function contact(context: TenantContext, daysAgo: number, files: readonly string[]): Promise<string> {
  const paths = files.map((file) => path.join(directory, file));
  for (const file of paths) await writeFile(file, 'RIFF');
  return database.inTenant(context, async (tx) => {
    const created = await interactions.createInteraction(tx, {
      customerId: null,
      channel: 'voice',
      direction: 'inbound',
      status: 'completed',
      agentId: null,
      remoteAddress: '+34600000099',
    });
    const ended = new Date(now.getTime() - daysAgo * dayMs);
    await tx.query(
      `UPDATE interactions SET started_at = $2, ended_at = $3, recording_ref = $4,
         metadata = jsonb_build_object('recordings', $5::jsonb, 'ivrPath', '["menu"]'::jsonb) WHERE id = $1`,
      [
        created.id,
        new Date(ended.getTime() - 300_000),
        ended,
        paths[0] ?? null,
        JSON.stringify(paths.map((file) => ({ path: file, durationMs: 1000 }))),
      ],
    );
    return created.id;
  });
}

async function row(context: TenantContext, id: string) {
  return database.inTenant(context, async (tx) => {
    const result = await tx.query<{ recording_ref: string | null; metadata: Record<string, unknown> }>(
      'SELECT recording_ref, metadata FROM interactions WHERE id = $1',
      [id],
    );
    return result.rows[0];
  });
}

describe('recording retention', () => {
  it('deletes the recordings of contacts older than the tenant’s retention, keeping the contacts and newer recordings', async () => {
    const tenant = await tenantWith({ recording: { policy: 'all', retentionDays: 30 } });
    const keeper = await tenantWith({ recording: { policy: 'all' } });
    const old = await contact(tenant, 40, ['old-1.wav', 'old-2.wav']);
    const recent = await contact(tenant, 10, ['recent.wav']);
    const elsewhere = await contact(keeper, 400, ['forever.wav']);

    const reports = await purgeExpiredRecordings(database, now, [tenant.slug, keeper.slug]);
    expect(reports).toEqual([{ tenantSlug: tenant.slug, retentionDays: 30, interactions: 1, files: 2 }]);
    expect(existsSync(path.join(directory, 'old-1.wav'))).toBe(false);
    expect(existsSync(path.join(directory, 'old-2.wav'))).toBe(false);
    expect(existsSync(path.join(directory, 'recent.wav'))).toBe(true);
    expect(existsSync(path.join(directory, 'forever.wav'))).toBe(true);

    const purged = await row(tenant, old);
    expect(purged?.recording_ref).toBeNull();
    expect(purged?.metadata).toEqual({ ivrPath: ['menu'], recordingsPurgedAt: now.toISOString() });
    expect((await row(tenant, recent))?.recording_ref).toBe(path.join(directory, 'recent.wav'));
    expect((await row(keeper, elsewhere))?.recording_ref).toBe(path.join(directory, 'forever.wav'));

    // A second pass finds nothing more to do; a file already gone does not stop a pass.
    expect(await purgeExpiredRecordings(database, now, [tenant.slug])).toEqual([
      { tenantSlug: tenant.slug, retentionDays: 30, interactions: 0, files: 0 },
    ]);
    const missing = await contact(tenant, 60, []);
    await database.inTenant(tenant, (tx) =>
      tx.query(`UPDATE interactions SET recording_ref = $2 WHERE id = $1`, [
        missing,
        path.join(directory, 'gone.wav'),
      ]),
    );
    expect((await purgeExpiredRecordings(database, now, [tenant.slug]))[0]?.interactions).toBe(1);
    expect((await row(tenant, missing))?.recording_ref).toBeNull();
  });
});
