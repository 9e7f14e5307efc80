import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  describeOutcome,
  flowSuiteCaseSchema,
  formatTranscript,
  isValidTimeZone,
  runFlowScript,
  validateFlow,
} from '@centralita/ivr';
import type { Flow } from '@centralita/ivr';
import { flows, tenants } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { isoDateTime } from '../schemas.ts';

const flowKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
  message: 'must be a flow key: a letter, then up to 63 letters, digits, _ or -',
});
const keyParams = z.strictObject({ key: flowKey });
const versionParams = z.strictObject({
  key: flowKey,
  version: z.coerce.number().int().min(1).max(2_147_483_647),
});

/** A flow document as JSON, or as YAML text: one of the two. */
const documentFields = {
  document: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('The flow document (docs/ivr.md). `id` and `version` are set by the server.'),
  yaml: z
    .string()
    .max(1_000_000)
    .optional()
    .describe('The flow document as YAML text, instead of `document`.'),
};

const testRunBody = flowSuiteCaseSchema
  .pick({
    callerId: true,
    http: true,
    identities: true,
    queueFigures: true,
    queueOutcomes: true,
    transferOutcome: true,
  })
  .extend({
    ...documentFields,
    version: z
      .union([z.int().min(1), z.enum(['draft', 'published'])])
      .optional()
      .describe(
        'The stored version to run (default: the published one, else the draft); ignored with document or yaml.',
      ),
    dialledNumber: z.string().max(32).default(''),
    digits: z
      .array(z.string().max(64))
      .max(200)
      .default([])
      .describe("One entry per time the flow collects keys, e.g. ['1', '40071#']; '' is silence."),
    now: isoDateTime.optional().describe('When the call starts (default: now).'),
    timeZone: z
      .string()
      .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Madrid' })
      .optional()
      .describe('Default: the tenant’s time zone.'),
    whenDigitsRunOut: z.enum(['hangUp', 'silence']).default('hangUp'),
  });

/** The document a request carries, parsed from YAML if it came as text. */
function documentOf(body: {
  readonly document?: Record<string, unknown> | undefined;
  readonly yaml?: string | undefined;
}): Record<string, unknown> | undefined {
  if (body.document !== undefined && body.yaml !== undefined) {
    throw new HttpProblem(
      400,
      'HTTP_VALIDATION_FAILED',
      'Send the flow as "document" (JSON) or as "yaml" (text), not both.',
      {
        field: 'yaml',
      },
    );
  }
  if (body.yaml === undefined) return body.document;
  const parsed = parseDocument(body.yaml, { uniqueKeys: true });
  if (parsed.errors.length > 0) {
    const errors = parsed.errors.map((error) => ({
      field: 'yaml',
      message: error.message.split('\n')[0] ?? error.message,
    }));
    throw new HttpProblem(
      400,
      'HTTP_VALIDATION_FAILED',
      `The field "yaml" is not valid YAML: ${errors[0]?.message ?? ''}`,
      {
        field: 'yaml',
        errors,
      },
    );
  }
  const value: unknown = parsed.toJS({ maxAliasCount: 100 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpProblem(
      400,
      'HTTP_VALIDATION_FAILED',
      'The field "yaml" must hold a flow document (a mapping of fields).',
      {
        field: 'yaml',
      },
    );
  }
  return value as Record<string, unknown>;
}

function requiredDocumentOf(body: Parameters<typeof documentOf>[0]): Record<string, unknown> {
  const document = documentOf(body);
  if (document === undefined) {
    throw new HttpProblem(
      400,
      'HTTP_VALIDATION_FAILED',
      'Send the flow as "document" (JSON) or as "yaml" (text).',
      {
        field: 'document',
      },
    );
  }
  return document;
}

/** Field problems as the API reports them: the JSON path inside the flow document, the message and the IVR code. */
function fieldProblems(problems: flows.FlowRefusal): { field: string; message: string; code: string }[] {
  return problems.map((problem) => ({ field: problem.field, message: problem.message, code: problem.code }));
}

/** A refused flow as a 400 whose `errors` list every problem (`field` is the path inside the document). */
function refusal(problems: flows.FlowRefusal): HttpProblem {
  const firstProblem = problems[0];
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return new HttpProblem(
    400,
    'HTTP_VALIDATION_FAILED',
    `The flow has ${count}${firstProblem === undefined ? '' : `; the first, at "${firstProblem.field}": ${firstProblem.message}`}.`,
    { field: firstProblem?.field, errors: fieldProblems(problems) },
  );
}

/** The value of a store result that may refuse the flow; a refusal becomes a 400 and rolls the work back. */
function accepted<T>(result: { ok: true; value: T } | { ok: false; error: flows.FlowRefusal }): T {
  if (!result.ok) throw refusal(result.error);
  return result.value;
}

/** IVR flows: versions, validation, publishing, roll back and the flow tester (docs/ivr.md). */
export function registerFlowRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/flows',
    { config: { access: 'flows:read' }, schema: { tags: ['flows'], summary: 'List IVR flows' } },
    (request) => run(request, (tx) => flows.listFlows(tx)),
  );
  app.post(
    '/api/flows',
    {
      config: { access: 'flows:manage' },
      schema: {
        tags: ['flows'],
        summary: 'Create a flow, optionally with its first draft',
        body: z.strictObject({
          key: flowKey.describe('The slug subflow and transfer nodes name the flow by; the document id.'),
          name: z.string().trim().min(1).max(200),
          description: z.string().max(2000).optional(),
          ...documentFields,
        }),
      },
    },
    async (request, reply) => {
      const { key, name, description } = request.body;
      const document = documentOf(request.body);
      const created = await run(request, async (tx) => {
        await flows.createFlow(tx, { key, name, description });
        if (document !== undefined) accepted(await flows.saveDraft(tx, key, document));
        return flows.getFlow(tx, key);
      });
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/api/flows/:key',
    {
      config: { access: 'flows:read' },
      schema: { tags: ['flows'], summary: 'A flow with its published and draft versions', params: keyParams },
    },
    (request) => run(request, (tx) => flows.getFlow(tx, request.params.key)),
  );
  app.put(
    '/api/flows/:key/draft',
    {
      config: { access: 'flows:manage' },
      schema: {
        tags: ['flows'],
        summary: 'Save the draft; a flow with problems is refused with every problem and its path',
        params: keyParams,
        body: z.strictObject(documentFields),
      },
    },
    async (request) => {
      const document = requiredDocumentOf(request.body);
      return run(request, async (tx) => accepted(await flows.saveDraft(tx, request.params.key, document)));
    },
  );
  app.post(
    '/api/flows/:key/validate',
    {
      config: { access: 'flows:read' },
      schema: {
        tags: ['flows'],
        summary: 'Check a document as a save would, without saving it',
        params: keyParams,
        body: z.strictObject(documentFields),
      },
    },
    async (request) => {
      const document = requiredDocumentOf(request.body);
      const result = await run(request, (tx) => flows.validateFlowDocument(tx, request.params.key, document));
      return { isValid: result.ok, errors: result.ok ? [] : fieldProblems(result.error) };
    },
  );
  app.get(
    '/api/flows/:key/versions',
    {
      config: { access: 'flows:read' },
      schema: { tags: ['flows'], summary: 'Every version of a flow, newest first', params: keyParams },
    },
    (request) => run(request, (tx) => flows.listFlowVersions(tx, request.params.key)),
  );
  app.get(
    '/api/flows/:key/versions/:version',
    {
      config: { access: 'flows:read' },
      schema: { tags: ['flows'], summary: 'One version of a flow with its document', params: versionParams },
    },
    (request) => run(request, (tx) => flows.getFlowVersion(tx, request.params.key, request.params.version)),
  );
  app.post(
    '/api/flows/:key/versions/:version/publish',
    {
      config: { access: 'flows:manage' },
      schema: {
        tags: ['flows'],
        summary: 'Publish the draft: new calls run it, calls in progress keep their version',
        params: versionParams,
      },
    },
    (request) =>
      run(request, async (tx) =>
        accepted(await flows.publishVersion(tx, request.params.key, request.params.version)),
      ),
  );
  app.post(
    '/api/flows/:key/versions/:version/rollback',
    {
      config: { access: 'flows:manage' },
      schema: {
        tags: ['flows'],
        summary: 'Roll back: publish an older version’s document again as a new version',
        params: versionParams,
      },
    },
    (request) =>
      run(request, async (tx) =>
        accepted(await flows.rollBack(tx, request.params.key, request.params.version)),
      ),
  );
  app.post(
    '/api/flows/:key/test',
    {
      config: { access: 'flows:read' },
      schema: {
        tags: ['flows'],
        summary: 'Run a flow without telephony and get the path taken and every prompt',
        params: keyParams,
        body: testRunBody,
      },
    },
    async (request) => {
      const { key } = request.params;
      const body = request.body;
      const document = documentOf(body);
      const setup = await run(request, async (tx) => {
        const tenant = await tenants.currentTenant(tx);
        const settings = await flows.ivrSettings(tx);
        const published = await flows.publishedFlows(tx);
        const flow =
          document === undefined
            ? await storedFlow(tx, key, body.version)
            : { flow: accepted(await flows.validateFlowDocument(tx, key, document)), version: null };
        return {
          timeZone: tenant.timeZone,
          fallback: flows.interpreterFallback(settings),
          published,
          ...flow,
        };
      });
      const now = body.now ?? deps.now();
      const timeZone = body.timeZone ?? setup.timeZone;
      const transcript = runFlowScript(setup.flow, {
        callerId: body.callerId,
        dialledNumber: body.dialledNumber,
        digits: body.digits,
        now: now.getTime(),
        timeZone,
        http: body.http.map((answer) =>
          'failure' in answer ? answer : { status: answer.status, body: answer.body },
        ),
        identities: body.identities,
        queueFigures: body.queueFigures,
        queueOutcomes: body.queueOutcomes,
        transferOutcome: body.transferOutcome,
        publishedFlows: setup.published,
        whenDigitsRunOut: body.whenDigitsRunOut,
        ...(setup.fallback === null ? {} : { fallback: setup.fallback }),
      });
      return {
        flow: key,
        version: setup.version,
        now: now.toISOString(),
        timeZone,
        path: transcript.path,
        prompts: transcript.prompts,
        end: describeOutcome(transcript.outcome),
        outcome: transcript.outcome,
        transcript: formatTranscript(transcript),
        entries: transcript.entries,
      };
    },
  );
}

/** The stored version a test run asked for: a number, the draft, or the published one (else the draft). */
async function storedFlow(
  tx: Tx,
  key: string,
  wanted: number | 'draft' | 'published' | undefined,
): Promise<{ flow: Flow; version: number }> {
  let version: flows.FlowVersion | null;
  if (typeof wanted === 'number') {
    version = await flows.getFlowVersion(tx, key, wanted);
  } else {
    const detail = await flows.getFlow(tx, key);
    version =
      wanted === 'draft'
        ? detail.draft
        : wanted === 'published'
          ? detail.published
          : (detail.published ?? detail.draft);
    if (version === null) {
      throw new HttpProblem(
        404,
        'HTTP_NOT_FOUND',
        wanted === undefined
          ? `Flow "${key}" has no version yet: save a draft first.`
          : `Flow "${key}" has no ${wanted} version.`,
        { field: 'version' },
      );
    }
  }
  // Stored documents were validated when saved; the schema alone is checked again in case it has moved on.
  return { flow: accepted(validateFlow(version.document)), version: version.number };
}
