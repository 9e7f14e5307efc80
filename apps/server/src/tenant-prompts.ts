import type { Prompt } from '@centralita/ivr';
import { PromptCache, prerenderFlowPrompts } from '@centralita/prompt-cache';
import type { PrerenderReport } from '@centralita/prompt-cache';
import { flows, tenants } from '@centralita/store';
import type { Database } from '@centralita/store';
import type { TenantId } from '@centralita/kernel';

/** What rendering one tenant's prompts did. */
export interface TenantPromptsReport extends PrerenderReport {
  readonly tenantSlug: string;
}

/**
 * Renders with espeak-ng every fixed text-to-speech prompt of a tenant's published flows, and its IVR
 * fallback message, into the prompt cache, so that no caller waits for speech synthesis. Prompts already
 * cached cost a file check.
 */
export async function renderTenantPrompts(
  database: Database,
  cacheDir: string,
  tenantSlug: string,
): Promise<TenantPromptsReport> {
  const tenant = await database.asSystem((tx) => tenants.findTenantBySlug(tx, tenantSlug));
  if (!tenant) throw new Error(`no tenant "${tenantSlug}"`);
  const context = { tenantId: tenant.id as TenantId, actor: { type: 'system' as const, id: 'prompt-cache' } };
  const { published, extraPrompts } = await database.inTenant(context, async (tx) => {
    const fallback = flows.interpreterFallback(await flows.ivrSettings(tx));
    const extra: Prompt[] = fallback === null ? [] : [fallback.prompt];
    return { published: Object.values(await flows.publishedFlows(tx)), extraPrompts: extra };
  });
  const report = await prerenderFlowPrompts(new PromptCache({ directory: cacheDir }), published, {
    extraPrompts,
  });
  return { ...report, tenantSlug };
}

/** Renders the prompts of every tenant, one after another. */
export async function renderAllTenantPrompts(
  database: Database,
  cacheDir: string,
): Promise<TenantPromptsReport[]> {
  const all = await database.asSystem((tx) => tenants.listTenants(tx));
  const reports: TenantPromptsReport[] = [];
  for (const tenant of all) reports.push(await renderTenantPrompts(database, cacheDir, tenant.slug));
  return reports;
}
