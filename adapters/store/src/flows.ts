import { err, ok } from '@centralita/kernel';
import type { Result } from '@centralita/kernel';
import { flowSchema, nodeQueues, promptSchema, subflowTargets, validateFlow } from '@centralita/ivr';
import type { Flow, FlowProblem, FlowValidationOptions, Prompt, TenantFallback } from '@centralita/ivr';
import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';
import { first } from './tenants.ts';

/** Where a version is in its life: edited (draft), run by new calls (published), or history (archived). */
export type FlowVersionStatus = 'draft' | 'published' | 'archived';

/** Who saved or published a version; `name` is the user's or API key's name when it still exists. */
export interface FlowActor {
  readonly type: 'user' | 'api_key' | 'system';
  readonly id: string | null;
  readonly name: string | null;
}

/** A version without its document, as version lists show it. */
export interface FlowVersionSummary {
  readonly number: number;
  readonly status: FlowVersionStatus;
  /** The older version whose document this one published again (a roll back); null otherwise. */
  readonly rolledBackFrom: number | null;
  readonly savedBy: FlowActor;
  readonly savedAt: Date;
  readonly publishedBy: FlowActor | null;
  readonly publishedAt: Date | null;
  readonly archivedAt: Date | null;
}

/** A version with its flow document and the queue each of the document's queue references resolved to. */
export interface FlowVersion extends FlowVersionSummary {
  /** The document as written (defaults not filled in), with `id` = the flow's key and `version` = `number`. */
  readonly document: Record<string, unknown>;
  /** Queue reference (key or id) -> queue id, fixed when the version was saved or published. */
  readonly queueBindings: Readonly<Record<string, string>>;
}

/** A flow as lists show it. */
export interface FlowSummary {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly publishedVersion: number | null;
  readonly draftVersion: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A flow with the version new calls run and the version being edited. */
export interface FlowDetail extends FlowSummary {
  readonly published: FlowVersion | null;
  readonly draft: FlowVersion | null;
}

/** A new flow: its key (the document id subflow and transfer nodes use) and name. */
export interface NewFlow {
  readonly key: string;
  readonly name: string;
  readonly description?: string | undefined;
}

/** What a save, validation, publication or roll back refused: every problem with its JSON path. */
export type FlowRefusal = readonly FlowProblem[];

/** The tenant settings key of the IVR settings (`{ mainFlow, fallback }`), see docs/ivr.md. */
export const ivrSettingsKey = 'ivr';

/** The tenant's IVR fallback as stored: a message and the queue (key or id) callers go to after a fault. */
export interface IvrFallbackSetting {
  readonly prompt: Prompt;
  readonly queue: string;
}

/** The tenant's fallback, with the queue it names resolved (null when that queue no longer exists). */
export interface IvrFallback extends IvrFallbackSetting {
  readonly queueId: string | null;
}

/** The tenant's IVR settings (tenants.settings.ivr). */
export interface IvrSettings {
  /** The flow that answers the tenant's calls, by key; null until one is chosen. */
  readonly mainFlow: string | null;
  readonly fallback: IvrFallback | null;
}

// ---------------------------------------------------------------------------------------------------
// Queue references
// ---------------------------------------------------------------------------------------------------

/**
 * The key a flow can name a queue by: its name in lower case, accents removed, every run of other
 * characters a `-` ("Soporte técnico" -> `soporte-tecnico`). A queue can also be named by its id.
 */
export function queueKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 64)
    .replace(/^-+|-+$/g, '');
}

/**
 * Every way the tenant's flows may name a queue, with the queue id it means: each queue's id, and its
 * key unless two queues share it (then only their ids work, and validation says the key is unknown).
 */
export async function queueReferences(tx: Tx): Promise<ReadonlyMap<string, string>> {
  const queues = (await tx.query<{ id: string; name: string }>('SELECT id, name FROM queues')).rows;
  const references = new Map<string, string>(queues.map((queue) => [queue.id, queue.id]));
  const keyed = queues.map((queue) => ({ id: queue.id, key: queueKey(queue.name) }));
  const keyCounts = new Map<string, number>();
  for (const { key } of keyed) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  for (const { id, key } of keyed) {
    if (key !== '' && keyCounts.get(key) === 1 && !references.has(key)) references.set(key, id);
  }
  return references;
}

/** Every queue a flow names (queue, voicemail and callback nodes, live-figure conditions), each once. */
export function flowQueueReferences(flow: Flow): string[] {
  return [
    ...new Set(
      Object.values(flow.nodes).flatMap((node) => nodeQueues(node).map((reference) => reference.queue)),
    ),
  ].sort();
}

function bindingsOf(flow: Flow, references: ReadonlyMap<string, string>): Record<string, string> {
  const bindings: Record<string, string> = {};
  for (const reference of flowQueueReferences(flow)) {
    const queueId = references.get(reference);
    if (queueId !== undefined) bindings[reference] = queueId;
  }
  return bindings;
}

// ---------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------

interface VersionRow {
  number: number;
  status: FlowVersionStatus;
  rolledBackFrom: number | null;
  savedByType: FlowActor['type'];
  savedById: string | null;
  savedByName: string | null;
  savedAt: Date;
  publishedByType: FlowActor['type'] | null;
  publishedById: string | null;
  publishedByName: string | null;
  publishedAt: Date | null;
  archivedAt: Date | null;
  document?: Record<string, unknown>;
  queueBindings?: Record<string, string>;
}

const actorName = (alias: string, prefix: string): string =>
  `coalesce((SELECT u.display_name FROM users u WHERE v.${prefix}_type = 'user' AND u.id::text = v.${prefix}_id),
            (SELECT k.name FROM api_keys k WHERE v.${prefix}_type = 'api_key' AND k.id::text = v.${prefix}_id)) AS "${alias}"`;

const versionColumns = `v.number, v.status, v.rolled_back_from AS "rolledBackFrom",
  v.saved_by_type AS "savedByType", v.saved_by_id AS "savedById", ${actorName('savedByName', 'saved_by')},
  v.saved_at AS "savedAt", v.published_by_type AS "publishedByType", v.published_by_id AS "publishedById",
  ${actorName('publishedByName', 'published_by')}, v.published_at AS "publishedAt", v.archived_at AS "archivedAt"`;

function summaryOf(row: VersionRow): FlowVersionSummary {
  return {
    number: row.number,
    status: row.status,
    rolledBackFrom: row.rolledBackFrom,
    savedBy: { type: row.savedByType, id: row.savedById, name: row.savedByName },
    savedAt: row.savedAt,
    publishedBy:
      row.publishedByType === null
        ? null
        : { type: row.publishedByType, id: row.publishedById, name: row.publishedByName },
    publishedAt: row.publishedAt,
    archivedAt: row.archivedAt,
  };
}

function versionOf(row: VersionRow): FlowVersion {
  return { ...summaryOf(row), document: row.document ?? {}, queueBindings: row.queueBindings ?? {} };
}

const flowColumns = `f.id, f.key, f.name, f.description, f.created_at AS "createdAt", f.updated_at AS "updatedAt",
  (SELECT v.number FROM flow_versions v WHERE v.flow_id = f.id AND v.status = 'published') AS "publishedVersion",
  (SELECT v.number FROM flow_versions v WHERE v.flow_id = f.id AND v.status = 'draft') AS "draftVersion"`;

/** The tenant's flows, by key. */
export async function listFlows(tx: Tx): Promise<FlowSummary[]> {
  return (await tx.query<FlowSummary>(`SELECT ${flowColumns} FROM flows f ORDER BY f.key`)).rows;
}

/** A flow by key with its published and draft versions (documents included). */
export async function getFlow(tx: Tx, key: string): Promise<FlowDetail> {
  const flow = (await tx.query<FlowSummary>(`SELECT ${flowColumns} FROM flows f WHERE f.key = $1`, [key]))
    .rows[0];
  if (!flow) throw new StoreError('STORE_NOT_FOUND', 'no such flow');
  const versions = await tx.query<VersionRow>(
    `SELECT ${versionColumns}, v.document, v.queue_bindings AS "queueBindings"
     FROM flow_versions v WHERE v.flow_id = $1 AND v.status IN ('published', 'draft')`,
    [flow.id],
  );
  const published = versions.rows.find((row) => row.status === 'published');
  const draft = versions.rows.find((row) => row.status === 'draft');
  return {
    ...flow,
    published: published === undefined ? null : versionOf(published),
    draft: draft === undefined ? null : versionOf(draft),
  };
}

/** Every version of a flow, newest first, without documents. */
export async function listFlowVersions(tx: Tx, key: string): Promise<FlowVersionSummary[]> {
  const flowId = await flowIdOf(tx, key, false);
  const rows = await tx.query<VersionRow>(
    `SELECT ${versionColumns} FROM flow_versions v WHERE v.flow_id = $1 ORDER BY v.number DESC`,
    [flowId],
  );
  return rows.rows.map(summaryOf);
}

/** One version of a flow with its document. */
export async function getFlowVersion(tx: Tx, key: string, number: number): Promise<FlowVersion> {
  const flowId = await flowIdOf(tx, key, false);
  return versionOf(await versionRow(tx, flowId, number));
}

/**
 * The published version of every flow of the tenant, parsed, by key: what subflow and flow-transfer
 * nodes reach, and what the flow tester runs. A stored document that no longer parses is left out.
 */
export async function publishedFlows(tx: Tx): Promise<Record<string, Flow>> {
  const rows = await tx.query<{ key: string; document: unknown }>(
    `SELECT f.key, v.document FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.status = 'published'`,
  );
  const flows: Record<string, Flow> = {};
  for (const row of rows.rows) {
    const parsed = flowSchema.safeParse(row.document);
    if (parsed.success) flows[row.key] = parsed.data;
  }
  return flows;
}

/**
 * What `validateFlow` needs to know about the tenant: the queue references flows may use, the flow
 * keys, and which flows each published flow calls as subflows (to refuse recursion).
 */
export async function flowValidationOptions(tx: Tx): Promise<FlowValidationOptions> {
  return (await tenantView(tx)).options;
}

async function tenantView(
  tx: Tx,
): Promise<{ options: FlowValidationOptions; references: ReadonlyMap<string, string> }> {
  const references = await queueReferences(tx);
  const keys = (await tx.query<{ key: string }>('SELECT key FROM flows')).rows.map((row) => row.key);
  const published = await publishedFlows(tx);
  const subflowsByFlow = Object.fromEntries(
    Object.entries(published).map(([key, flow]) => [key, subflowTargets(flow)]),
  );
  return {
    options: { knownQueueIds: [...references.keys()], knownFlowIds: keys, subflowsByFlow },
    references,
  };
}

// ---------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------

async function flowIdOf(tx: Tx, key: string, isLocked: boolean): Promise<string> {
  const row = (
    await tx.query<{ id: string }>(`SELECT id FROM flows WHERE key = $1${isLocked ? ' FOR UPDATE' : ''}`, [
      key,
    ])
  ).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', 'no such flow');
  return row.id;
}

async function versionRow(tx: Tx, flowId: string, number: number): Promise<VersionRow> {
  const row = (
    await tx.query<VersionRow>(
      `SELECT ${versionColumns}, v.document, v.queue_bindings AS "queueBindings"
       FROM flow_versions v WHERE v.flow_id = $1 AND v.number = $2`,
      [flowId, number],
    )
  ).rows[0];
  if (!row) throw new StoreError('STORE_NOT_FOUND', `the flow has no version ${number}`);
  return row;
}

/** Creates a flow with no version yet; its key must be new in the tenant. */
export async function createFlow(tx: Tx, input: NewFlow): Promise<FlowDetail> {
  const inserted = await tx.query(
    `INSERT INTO flows (tenant_id, key, name, description) VALUES (app_current_tenant(), $1, $2, $3)
     ON CONFLICT (tenant_id, key) DO NOTHING`,
    [input.key, input.name, input.description ?? ''],
  );
  if (inserted.rowCount === 0)
    throw new StoreError('STORE_CONFLICT', 'a flow with this key already exists', 'key');
  return getFlow(tx, input.key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refusal(field: string, message: string): FlowRefusal {
  return [{ code: 'IVR_FLOW_SCHEMA', message, field }];
}

/**
 * The document as it will be stored: `id` is the flow's key (a different id is refused: it is usually
 * the wrong file), `version` the version number (the store numbers versions), `name` the flow's name
 * when the document has none.
 */
function stamped(
  document: unknown,
  key: string,
  number: number,
  name: string,
): Result<Record<string, unknown>, FlowRefusal> {
  if (!isPlainObject(document)) return err(refusal('', 'a flow document is a JSON object'));
  if (document.id !== undefined && document.id !== key) {
    return err(
      refusal(
        'id',
        `the document is flow ${JSON.stringify(document.id)} but is being saved as flow '${key}': leave id out or write '${key}'`,
      ),
    );
  }
  return ok({ ...document, id: key, name: document.name ?? name, version: number });
}

interface Checked {
  readonly document: Record<string, unknown>;
  readonly flow: Flow;
  readonly queueBindings: Record<string, string>;
}

/** Stamps and validates a document against the tenant as it is now. */
async function check(
  tx: Tx,
  document: unknown,
  key: string,
  number: number,
  name: string,
): Promise<Result<Checked, FlowRefusal>> {
  const identified = stamped(document, key, number, name);
  if (!identified.ok) return identified;
  const { options, references } = await tenantView(tx);
  const validated = validateFlow(identified.value, options);
  if (!validated.ok) return validated;
  return ok({
    document: identified.value,
    flow: validated.value,
    queueBindings: bindingsOf(validated.value, references),
  });
}

interface FlowHead {
  readonly id: string;
  readonly name: string;
  readonly draftNumber: number | null;
  readonly topNumber: number;
}

/**
 * Where the flow's versions stand. Writers lock the flow row, so one at a time decides the next number
 * and which version is published.
 */
async function flowHead(tx: Tx, key: string, isLocked: boolean): Promise<FlowHead> {
  const flowId = await flowIdOf(tx, key, isLocked);
  return first(
    (
      await tx.query<FlowHead>(
        `SELECT f.id, f.name,
           (SELECT v.number FROM flow_versions v WHERE v.flow_id = f.id AND v.status = 'draft') AS "draftNumber",
           coalesce((SELECT max(v.number) FROM flow_versions v WHERE v.flow_id = f.id), 0) AS "topNumber"
         FROM flows f WHERE f.id = $1`,
        [flowId],
      )
    ).rows,
  );
}

/**
 * Checks a document as a save would, without saving: the flow's key and the tenant's queues and flows
 * as they are now. Returns the parsed flow or every problem.
 */
export async function validateFlowDocument(
  tx: Tx,
  key: string,
  document: unknown,
): Promise<Result<Flow, FlowRefusal>> {
  const head = await flowHead(tx, key, false);
  const checked = await check(tx, document, key, head.draftNumber ?? head.topNumber + 1, head.name);
  return checked.ok ? ok(checked.value.flow) : checked;
}

/**
 * Saves the flow's draft: replaces the draft if there is one, else starts a new version numbered after
 * every other. A document with problems is refused and nothing changes. The flow takes the document's name.
 */
export async function saveDraft(
  tx: Tx,
  key: string,
  document: unknown,
): Promise<Result<FlowVersion, FlowRefusal>> {
  const head = await flowHead(tx, key, true);
  const number = head.draftNumber ?? head.topNumber + 1;
  const checked = await check(tx, document, key, number, head.name);
  if (!checked.ok) return checked;
  const values = [
    head.id,
    number,
    JSON.stringify(checked.value.document),
    JSON.stringify(checked.value.queueBindings),
  ];
  if (head.draftNumber === null) {
    await tx.query(
      `INSERT INTO flow_versions (tenant_id, flow_id, number, status, document, queue_bindings)
       VALUES (app_current_tenant(), $1, $2, 'draft', $3, $4)`,
      values,
    );
  } else {
    await tx.query(
      `UPDATE flow_versions SET document = $3, queue_bindings = $4, saved_by_type = app_current_actor_type(),
         saved_by_id = app_current_actor_id(), saved_at = now()
       WHERE flow_id = $1 AND number = $2`,
      values,
    );
  }
  await tx.query('UPDATE flows SET name = $2, description = $3 WHERE id = $1', [
    head.id,
    checked.value.flow.name,
    checked.value.flow.description ?? '',
  ]);
  return ok(versionOf(await versionRow(tx, head.id, number)));
}

async function archivePublished(tx: Tx, flowId: string): Promise<void> {
  await tx.query(
    `UPDATE flow_versions SET status = 'archived', archived_at = now() WHERE flow_id = $1 AND status = 'published'`,
    [flowId],
  );
}

/**
 * Publishes the draft `number`: it is checked again against the tenant as it is now (a queue may have
 * gone since it was saved), the published version is archived, and new calls run this one. Calls in
 * progress keep the document they started with. Publishing the published version changes nothing.
 */
export async function publishVersion(
  tx: Tx,
  key: string,
  number: number,
): Promise<Result<FlowVersion, FlowRefusal>> {
  const head = await flowHead(tx, key, true);
  const version = await versionRow(tx, head.id, number);
  switch (version.status) {
    case 'published':
      return ok(versionOf(version));
    case 'archived':
      throw new StoreError(
        'STORE_INVALID_STATE',
        `version ${number} is archived; roll back to it to publish its document again as a new version`,
      );
    case 'draft':
      break;
  }
  const checked = await check(tx, version.document, key, number, head.name);
  if (!checked.ok) return checked;
  await archivePublished(tx, head.id);
  await tx.query(
    `UPDATE flow_versions SET status = 'published', document = $3, queue_bindings = $4, published_at = now(),
       published_by_type = app_current_actor_type(), published_by_id = app_current_actor_id()
     WHERE flow_id = $1 AND number = $2`,
    [head.id, number, JSON.stringify(checked.value.document), JSON.stringify(checked.value.queueBindings)],
  );
  tx.recordEvent('FlowPublished', { flowKey: key, version: number, rolledBackFrom: null });
  return ok(versionOf(await versionRow(tx, head.id, number)));
}

/**
 * Rolls back to an older version: publishes its document again as a new version (history is kept; the
 * old version stays archived). The document is checked against the tenant as it is now. The draft, if
 * any, keeps its document and moves above the new version so that numbers keep growing in publishing
 * order. Rolling back to the published version changes nothing.
 */
export async function rollBack(
  tx: Tx,
  key: string,
  number: number,
): Promise<Result<FlowVersion, FlowRefusal>> {
  const head = await flowHead(tx, key, true);
  const target = await versionRow(tx, head.id, number);
  switch (target.status) {
    case 'published':
      return ok(versionOf(target));
    case 'draft':
      throw new StoreError(
        'STORE_INVALID_STATE',
        `version ${number} is the draft and was never published; publish it instead`,
      );
    case 'archived':
      break;
  }
  // The draft is never run by a call, so it can give its number to the new version and take the next.
  const newNumber = head.draftNumber ?? head.topNumber + 1;
  const checked = await check(tx, target.document, key, newNumber, head.name);
  if (!checked.ok) return checked;
  if (head.draftNumber !== null) {
    await tx.query(
      `UPDATE flow_versions SET number = number + 1, document = jsonb_set(document, '{version}', to_jsonb(number + 1))
       WHERE flow_id = $1 AND status = 'draft'`,
      [head.id],
    );
  }
  await archivePublished(tx, head.id);
  await tx.query(
    `INSERT INTO flow_versions (tenant_id, flow_id, number, status, document, queue_bindings, rolled_back_from,
       published_at, published_by_type, published_by_id)
     VALUES (app_current_tenant(), $1, $2, 'published', $3, $4, $5, now(), app_current_actor_type(), app_current_actor_id())`,
    [
      head.id,
      newNumber,
      JSON.stringify(checked.value.document),
      JSON.stringify(checked.value.queueBindings),
      number,
    ],
  );
  tx.recordEvent('FlowPublished', { flowKey: key, version: newNumber, rolledBackFrom: number });
  return ok(versionOf(await versionRow(tx, head.id, newNumber)));
}

// ---------------------------------------------------------------------------------------------------
// Tenant IVR settings
// ---------------------------------------------------------------------------------------------------

async function ivrSettingsValue(tx: Tx): Promise<Record<string, unknown>> {
  const row = first(
    (
      await tx.query<{ value: unknown }>(
        `SELECT settings -> '${ivrSettingsKey}' AS value FROM tenants WHERE id = app_current_tenant()`,
      )
    ).rows,
  );
  return isPlainObject(row.value) ? row.value : {};
}

/**
 * The tenant's IVR settings. A fallback that cannot be used (no prompt, a malformed one) reads as
 * none, so callers get the built-in fallback rather than silence.
 */
export async function ivrSettings(tx: Tx): Promise<IvrSettings> {
  const value = await ivrSettingsValue(tx);
  const mainFlow = typeof value.mainFlow === 'string' ? value.mainFlow : null;
  const stored = isPlainObject(value.fallback) ? value.fallback : null;
  const prompt = stored === null ? null : promptSchema.safeParse(stored.prompt);
  if (stored === null || prompt === null || !prompt.success || typeof stored.queue !== 'string') {
    return { mainFlow, fallback: null };
  }
  const references = await queueReferences(tx);
  return {
    mainFlow,
    fallback: { prompt: prompt.data, queue: stored.queue, queueId: references.get(stored.queue) ?? null },
  };
}

/** The fallback in the interpreter's terms (queue as the reference flows use), or null when none is set. */
export function interpreterFallback(settings: IvrSettings): TenantFallback | null {
  return settings.fallback === null
    ? null
    : { prompt: settings.fallback.prompt, queueId: settings.fallback.queue };
}

/**
 * Sets the tenant's IVR settings (each given part replaces the stored one). The main flow must exist;
 * the fallback prompt must parse and its queue must exist; problems are returned with their paths
 * (`fallback.prompt.es`, `fallback.queue`, `mainFlow`).
 */
export async function setIvrSettings(
  tx: Tx,
  changes: { readonly mainFlow?: string | null; readonly fallback?: IvrFallbackSetting | null },
): Promise<Result<IvrSettings, FlowRefusal>> {
  const problems: FlowProblem[] = [];
  if (changes.mainFlow !== undefined && changes.mainFlow !== null) {
    const exists = await tx.query('SELECT 1 FROM flows WHERE key = $1', [changes.mainFlow]);
    if (exists.rowCount === 0)
      problems.push({
        code: 'IVR_UNKNOWN_FLOW',
        message: `flow '${changes.mainFlow}' does not exist`,
        field: 'mainFlow',
      });
  }
  if (changes.fallback !== undefined && changes.fallback !== null) {
    const parsed = promptSchema.safeParse(changes.fallback.prompt);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          code: 'IVR_FLOW_SCHEMA',
          message: issue.message,
          field: ['fallback', 'prompt', ...issue.path.map(String)].join('.'),
        });
      }
    }
    if (!(await queueReferences(tx)).has(changes.fallback.queue)) {
      problems.push({
        code: 'IVR_UNKNOWN_QUEUE',
        message: `queue '${changes.fallback.queue}' does not exist`,
        field: 'fallback.queue',
      });
    }
  }
  if (problems.length > 0) return err(problems);
  const value = { ...(await ivrSettingsValue(tx)) };
  if (changes.mainFlow !== undefined) value.mainFlow = changes.mainFlow;
  if (changes.fallback !== undefined) value.fallback = changes.fallback;
  await tx.query(
    `UPDATE tenants SET settings = settings || jsonb_build_object('${ivrSettingsKey}', $1::jsonb) WHERE id = app_current_tenant()`,
    [JSON.stringify(value)],
  );
  return ok(await ivrSettings(tx));
}
