import { z } from 'zod';
import { isKnownCountry } from '@centralita/crm';
import { auditLog, directory, reports, tenants } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { id, idParams, language, pageQuery } from '../schemas.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An amount of money in minor units (cents) of the tenant's currency. */
const minorAmount = z.int().min(0);

/** How a client tenant is billed: domain/reporting's `BillingPlan`. */
const billingPlan = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('per-contact'), pricePerContactMinor: minorAmount }),
  z.strictObject({ kind: z.literal('per-minute'), pricePerMinuteMinor: minorAmount }),
  z.strictObject({
    kind: z.literal('flat'),
    monthlyFeeMinor: minorAmount,
    includedContacts: z.int().min(0).optional().describe('Billable contacts the fee covers'),
    overagePerContactMinor: minorAmount.optional().describe('Price of each billable contact beyond them'),
  }),
]) satisfies z.ZodType<reports.BillingPlan>;

/**
 * One SLA target: domain/reporting's `SlaTarget`. The target is bounded by the metric's scale
 * (`slaTargetRange`): fractions 0–1, NPS −100–100, quality 0–100, times and money from 0.
 */
const slaTarget = z
  .strictObject({
    id: z.string().min(1).max(60),
    metric: z.enum(reports.slaMetrics),
    comparison: z.enum(['at-least', 'at-most']),
    target: z.number(),
    per: z.enum(reports.reportGranularities),
    queueIds: z.array(id).max(100).optional(),
  })
  .superRefine((target, context) => {
    const { min, max } = reports.slaTargetRange(target.metric);
    if (target.target < min || target.target > max)
      context.addIssue({
        code: 'custom',
        path: ['target'],
        message:
          max === Number.POSITIVE_INFINITY
            ? `must be at least ${String(min)} for ${target.metric}`
            : `must be between ${String(min)} and ${String(max)} for ${target.metric}`,
      });
  }) satisfies z.ZodType<
  // Queue ids arrive as plain strings (checked as UUIDs); the domain brands them.
  Omit<reports.SlaTarget, 'queueIds'> & { readonly queueIds?: readonly string[] }
>;

/** True for a code the runtime knows as a currency in use (ISO 4217). */
function isKnownCurrency(code: string): boolean {
  return Intl.supportedValuesOf('currency').includes(code);
}

/**
 * The tenant settings the product reads, checked field by field; other keys (integrations' own) pass
 * through. Groups are merged with the stored ones: `{ recording: { agentCanPause: false } }` keeps the
 * policy; a billing plan is replaced whole.
 */
const tenantSettings = z
  .object({
    recording: z
      .strictObject({
        policy: z.enum(['all', 'none']).describe('all: connected calls are recorded; none: never'),
        retentionDays: z
          .int()
          .min(1)
          .max(3650)
          .describe('Recordings older than this many days are deleted (their contacts stay)'),
        agentCanPause: z.boolean().describe('Agents may pause a call’s recording (card numbers)'),
      })
      .partial()
      .optional(),
    languages: z
      .array(language)
      .min(1)
      .refine((list) => new Set(list).size === list.length, { message: 'each language once' })
      .optional()
      .describe('The languages the tenant serves customers in'),
    leaderboard: z
      .strictObject({ enabled: z.boolean() })
      .optional()
      .describe('Show agents and teams the leaderboard'),
    reports: z
      .looseObject({
        fcrWindowDays: z
          .int()
          .min(1)
          .max(90)
          .describe('First-contact resolution: a repeat within this many days makes a contact unresolved'),
        fcrSameMatter: z
          .enum(reports.fcrSameMatterValues)
          .describe(
            'First-contact resolution: any-contact, any later contact of the customer is a repeat; same-queue, only one about the same queue',
          ),
        shortAbandonSeconds: z
          .int()
          .min(0)
          .max(600)
          .describe('An abandon within this many seconds is a short abandon (default 5)'),
        billingIncrementSeconds: z
          .int()
          .min(1)
          .max(3_600)
          .describe("Each contact's billable time is rounded up to a multiple of this (default 1)"),
        billingMinimumSeconds: z
          .int()
          .min(0)
          .max(3_600)
          .describe('Each billable contact bills at least this many seconds (default 0)'),
        dispositionValuesMinor: z
          .record(z.string().min(1).max(64), z.int().min(0).max(1_000_000_000))
          .describe(
            'What a contact wrapped up with a disposition is worth (e.g. a sale), by disposition code',
          ),
        costRates: z
          .strictObject({
            agentHourMinor: z.int().min(0).max(1_000_000).describe('Loaded cost of one logged-in agent hour'),
            telephonyMinuteMinor: z
              .int()
              .min(0)
              .max(1_000_000)
              .describe('Telephony cost of one connected minute'),
          })
          .nullable()
          .describe('What running the center costs, for cost per contact; null: not configured'),
      })
      .partial()
      .optional()
      .describe('How reports count (docs/metrics.md); the other report settings pass through'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' })
      .refine(isKnownCurrency, { message: 'is not a known ISO 4217 currency code' })
      .optional()
      .describe('The currency of every amount in minor units (EUR when absent)'),
    billing: billingPlan
      .nullable()
      .optional()
      .describe('How this client tenant is billed (the monthly statement); null: no plan'),
    sla: z
      .strictObject({
        targets: z
          .array(slaTarget)
          .max(50)
          .superRefine((targets, context) => {
            const seen = new Set<string>();
            targets.forEach((target, index) => {
              if (seen.has(target.id))
                context.addIssue({
                  code: 'custom',
                  path: [index, 'id'],
                  message: 'is used by another target',
                });
              seen.add(target.id);
            });
          }),
      })
      .optional()
      .describe("This client's service-level agreement: targets the SLA report judges"),
  })
  .catchall(z.unknown());

const timeZone = z.string().refine(
  (value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Madrid' },
);
/** Where callers go when a queue overflows: hang up, voicemail, another queue, or on in the flow after its queue node. */
const overflowTarget = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('disconnect') }),
  z.strictObject({ type: z.literal('voicemail') }),
  z.strictObject({ type: z.literal('queue'), queueId: id }),
  z.strictObject({ type: z.literal('flow') }),
  z.strictObject({
    type: z.literal('number'),
    number: z
      .string()
      .regex(/^\+?[0-9][0-9 ().-]{1,30}$/, { message: 'must be a phone number or an extension' }),
  }),
]);

/**
 * A queue's routing settings (docs/routing.md), in seconds; the ACD reads them at once. Other keys pass
 * through untouched.
 */
const queueSettings = z
  .object({
    wrapUpSeconds: z
      .int()
      .min(0)
      .max(3_600)
      .nullable()
      .describe('After-call work; null: until the agent ends it'),
    offerTimeoutSeconds: z.int().min(1).max(600).describe('How long a phone rings before the offer moves on'),
    strategy: z
      .enum([
        'longest-idle',
        'least-occupied',
        'least-talk-time',
        'fewest-contacts',
        'round-robin',
        'ring-all',
        'random',
        'weighted-random',
        'best-skill',
      ])
      .describe('Which free agent gets the next contact'),
    priority: z.int().min(-1_000).max(1_000).describe('Higher is served first by agents of several queues'),
    maxWaitSeconds: z
      .int()
      .min(1)
      .max(86_400)
      .nullable()
      .describe('Overflow after this wait; null: no limit'),
    maxSize: z.int().min(1).max(100_000).nullable().describe('Overflow when this many wait; null: no limit'),
    whenNoAgents: z
      .enum(['join', 'refuse', 'overflow'])
      .describe('When nobody who could answer is there (see noAgentsMeans)'),
    noAgentsMeans: z
      .enum(['nobody-signed-in', 'nobody-available'])
      .describe('Nobody signed in (agents on a break count as there), or nobody available (all on a break)'),
    overflow: overflowTarget,
    announcements: z
      .strictObject({
        firstAfterSeconds: z.int().min(0).max(3_600),
        everySeconds: z.int().min(10).max(3_600),
        includePosition: z.boolean().default(true),
        includeEstimatedWait: z.boolean().default(true),
      })
      .nullable()
      .describe('Position and estimated wait told to waiting callers; null: none'),
    escalation: z
      .array(
        z.strictObject({
          afterSeconds: z.int().min(1).max(86_400),
          action: z.discriminatedUnion('type', [
            z.strictObject({ type: z.literal('relax-skills'), levelsBy: z.int().min(1).max(9) }),
            z.strictObject({ type: z.literal('raise-priority'), by: z.int().min(1).max(1_000) }),
            z.strictObject({ type: z.literal('add-queue-agents'), queueId: id }),
            z.strictObject({ type: z.literal('route-elsewhere'), target: overflowTarget }),
            z.strictObject({ type: z.literal('offer-voicemail') }),
            z.strictObject({ type: z.literal('offer-callback') }),
          ]),
        }),
      )
      .max(10)
      .describe('Steps applied to a caller who keeps waiting, in order of afterSeconds'),
  })
  .partial()
  .catchall(z.unknown());

/** Refuses settings that send callers to a queue that does not exist, naming where the id is. */
async function checkQueueReferences(
  tx: Tx,
  settings: z.infer<typeof queueSettings> | undefined,
): Promise<void> {
  if (settings === undefined) return;
  const references: [string, string][] = [];
  if (settings.overflow?.type === 'queue')
    references.push(['settings.overflow.queueId', settings.overflow.queueId]);
  settings.escalation?.forEach((step, index) => {
    const action = step.action;
    if (action.type === 'add-queue-agents')
      references.push([`settings.escalation[${String(index)}].action.queueId`, action.queueId]);
    if (action.type === 'route-elsewhere' && action.target.type === 'queue')
      references.push([`settings.escalation[${String(index)}].action.target.queueId`, action.target.queueId]);
  });
  for (const [field, queueId] of references) {
    const known = await tx.query('SELECT 1 FROM queues WHERE id = $1', [queueId]);
    if (known.rowCount === 0)
      throw new HttpProblem(
        400,
        'HTTP_VALIDATION_FAILED',
        `No queue ${queueId}: choose one of the tenant's queues.`,
        {
          field,
        },
      );
  }
}

const queueFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).optional(),
  language: language.optional(),
  serviceLevelThresholdS: z.number().int().min(1).max(3600).optional(),
  serviceLevelTargetPct: z.number().min(0).max(100).optional(),
  settings: queueSettings.optional(),
  skills: z
    .array(z.strictObject({ skillId: id, minLevel: z.number().int().min(1).max(10) }))
    .max(50)
    .optional(),
};

/** The tenant's own settings, teams, skills, queues and the audit log. */
export function registerDirectoryRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);

  app.get(
    '/api/tenant',
    {
      config: { access: 'tenant:read' },
      schema: { tags: ['tenant'], summary: 'This tenant and its settings' },
    },
    (request) => run(request, (tx) => tenants.currentTenant(tx)),
  );
  app.patch(
    '/api/tenant',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['tenant'],
        summary: 'Change this tenant’s settings',
        body: z
          .strictObject({
            name: z.string().trim().min(1).max(200),
            defaultCountry: z
              .string()
              .regex(/^[A-Z]{2}$/)
              .refine(isKnownCountry, { message: 'is not a known ISO 3166 country code' }),
            defaultLanguage: language,
            timeZone,
            settings: tenantSettings,
          })
          .partial(),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const patch = request.body.settings;
        if (patch === undefined) return tenants.updateCurrentTenant(tx, request.body);
        // A group of settings is merged with what is stored, so changing one leaves its neighbours alone.
        const current = (await tenants.currentTenant(tx)).settings;
        const merged: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(patch)) {
          const before = current[key];
          // A plan of another kind shares no field with the old one: merging would mix two plans.
          const isWhole = key === 'billing';
          merged[key] =
            !isWhole && isPlainObject(value) && isPlainObject(before) ? { ...before, ...value } : value;
        }
        return tenants.updateCurrentTenant(tx, { ...request.body, settings: merged });
      }),
  );

  app.get(
    '/api/teams',
    { config: { access: 'users:read' }, schema: { tags: ['teams'], summary: 'List teams' } },
    (request) => run(request, (tx) => directory.listTeams(tx)),
  );
  app.post(
    '/api/teams',
    {
      config: { access: 'teams:manage' },
      schema: {
        tags: ['teams'],
        summary: 'Create a team',
        body: z.strictObject({ name: z.string().trim().min(1).max(120) }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await run(request, (tx) => directory.createTeam(tx, request.body.name))),
  );
  app.patch(
    '/api/teams/:id',
    {
      config: { access: 'teams:manage' },
      schema: {
        tags: ['teams'],
        summary: 'Rename a team',
        params: idParams,
        body: z.strictObject({ name: z.string().trim().min(1).max(120) }),
      },
    },
    (request) => run(request, (tx) => directory.renameTeam(tx, request.params.id, request.body.name)),
  );
  app.delete(
    '/api/teams/:id',
    {
      config: { access: 'teams:manage' },
      schema: { tags: ['teams'], summary: 'Delete an empty team', params: idParams },
    },
    async (request, reply) => {
      await run(request, (tx) => directory.deleteTeam(tx, request.params.id));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/skills',
    { config: { access: 'queues:read' }, schema: { tags: ['skills'], summary: 'List skills' } },
    (request) => run(request, (tx) => directory.listSkills(tx)),
  );
  app.post(
    '/api/skills',
    {
      config: { access: 'queues:manage' },
      schema: {
        tags: ['skills'],
        summary: 'Create a skill',
        body: z.strictObject({ name: z.string().trim().min(1).max(80) }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await run(request, async (tx) => {
          const skill = await directory.createSkill(tx, request.body.name);
          tx.recordEvent('SkillChanged', { skillId: skill.id, change: 'created' });
          return skill;
        }),
      ),
  );
  app.delete(
    '/api/skills/:id',
    {
      config: { access: 'queues:manage' },
      schema: { tags: ['skills'], summary: 'Delete a skill', params: idParams },
    },
    async (request, reply) => {
      await run(request, async (tx) => {
        await directory.deleteSkill(tx, request.params.id);
        tx.recordEvent('SkillChanged', { skillId: request.params.id, change: 'deleted' });
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/queues',
    {
      config: { access: 'queues:read' },
      schema: {
        tags: ['queues'],
        summary: 'List queues',
        querystring: z.strictObject({ ...pageQuery, search: z.string().max(120).optional() }),
      },
    },
    (request) => run(request, (tx) => directory.listQueues(tx, request.query)),
  );
  app.post(
    '/api/queues',
    {
      config: { access: 'queues:manage' },
      schema: { tags: ['queues'], summary: 'Create a queue', body: z.strictObject(queueFields) },
    },
    async (request, reply) =>
      reply.status(201).send(
        await run(request, async (tx) => {
          await checkQueueReferences(tx, request.body.settings);
          const queue = await directory.createQueue(tx, request.body);
          tx.recordEvent('QueueChanged', { queueId: queue.id, change: 'created' });
          return queue;
        }),
      ),
  );
  app.get(
    '/api/queues/:id',
    {
      config: { access: 'queues:read' },
      schema: { tags: ['queues'], summary: 'Get a queue', params: idParams },
    },
    (request) => run(request, (tx) => directory.getQueue(tx, request.params.id)),
  );
  app.patch(
    '/api/queues/:id',
    {
      config: { access: 'queues:manage' },
      schema: {
        tags: ['queues'],
        summary: 'Change a queue',
        params: idParams,
        body: z.strictObject(queueFields).partial(),
      },
    },
    (request) =>
      run(request, async (tx) => {
        await checkQueueReferences(tx, request.body.settings);
        const queue = await directory.updateQueue(tx, request.params.id, request.body);
        tx.recordEvent('QueueChanged', { queueId: queue.id, change: 'updated' });
        return queue;
      }),
  );
  app.delete(
    '/api/queues/:id',
    {
      config: { access: 'queues:manage' },
      schema: { tags: ['queues'], summary: 'Delete a queue', params: idParams },
    },
    async (request, reply) => {
      await run(request, async (tx) => {
        await directory.deleteQueue(tx, request.params.id);
        tx.recordEvent('QueueChanged', { queueId: request.params.id, change: 'deleted' });
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/audit-log',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Every write, newest first: who, what, when, before and after',
        querystring: z.strictObject({
          limit: pageQuery.limit,
          offset: pageQuery.offset,
          tableName: z.string().max(60).optional(),
          rowId: z.string().max(60).optional(),
          actorId: z.string().max(60).optional(),
        }),
      },
    },
    (request) => run(request, (tx) => auditLog.listAuditEntries(tx, request.query)),
  );
}
