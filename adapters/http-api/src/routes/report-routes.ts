import { z } from 'zod';
import { reports, tenants } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { contextOf, principalOf } from '../principal.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import { reportPdf } from '../report-pdf.ts';
import { id, pageQuery } from '../schemas.ts';

/** An instant, or a local date (`2026-03-29`) meaning its first instant in the report's time zone. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    message:
      'must be a date (2026-03-29, in the report’s time zone) or an ISO 8601 date and time with offset',
  })
  .describe('A local date (YYYY-MM-DD, midnight in the report’s time zone) or an ISO 8601 instant.');

const groupBy = z
  .string()
  .max(60)
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )
  .pipe(
    z.array(
      z.enum(reports.reportDimensions, {
        message: `must be a list of: ${reports.reportDimensions.join(', ')}`,
      }),
    ),
  )
  .describe('Break the figures down by any of queue, agent, channel, direction (comma-separated).');

const filters = {
  queueId: id.optional(),
  teamId: id.optional(),
  channel: z.enum(['voice', 'chat', 'email', 'sms', 'whatsapp']).optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  timeZone: z.string().min(1).max(64).optional().describe('An IANA zone; the tenant’s by default.'),
};

const rangeQuery = { from: instant, to: instant.describe('End of the range (exclusive).') };

const summaryQuery = {
  ...rangeQuery,
  granularity: z
    .enum(reports.reportGranularities)
    .default('day')
    .describe('15min, 30min, 60min, day, week, month, or period (one line per group over the whole range).'),
  groupBy: groupBy.optional(),
  ...filters,
  format: z
    .enum(['json', 'csv', 'pdf'])
    .optional()
    .describe('csv for a spreadsheet (or send Accept: text/csv), pdf to print or send.'),
  language: z.enum(['es', 'en']).optional().describe('The language of a PDF; the tenant’s by default.'),
};

const contactsQuery = {
  ...rangeQuery,
  figure: z
    .enum(reports.contactFigures as [reports.SummaryField, ...reports.SummaryField[]])
    .describe('The figure whose contacts to list, e.g. abandoned, handled, answeredWithinThreshold.'),
  ...filters,
  limit: pageQuery.limit,
  offset: pageQuery.offset,
};

type Filters = { readonly [K in keyof typeof filters]?: z.infer<(typeof filters)[K]> };

/** The range in instants: local dates are read in the report's time zone. */
async function rangeOf(
  tx: Tx,
  query: { readonly from: string; readonly to: string; readonly timeZone?: string | undefined },
): Promise<{ readonly from: Date; readonly to: Date }> {
  const calendar = await reports.reportTimeZone(tx, query.timeZone);
  const at = (value: string): Date =>
    value.length === 10 ? reports.startOfLocalDate(calendar, value) : new Date(value);
  return { from: at(query.from), to: at(query.to) };
}

function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | 'pdf' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return accept.includes('text/csv') && !accept.includes('application/json');
}

async function sendReport(
  request: FastifyRequest,
  reply: FastifyReply,
  report: reports.SummaryReport,
  query: {
    readonly format?: 'json' | 'csv' | 'pdf' | undefined;
    readonly language?: 'es' | 'en' | undefined;
  } & Readonly<Record<string, unknown>>,
  tenantLanguage: () => Promise<'es' | 'en'>,
): Promise<FastifyReply | reports.SummaryReport> {
  const format = query.format;
  if (format === 'pdf') {
    const filters = Object.fromEntries(
      ['queueId', 'teamId', 'agentId', 'channel', 'direction', 'groupBy']
        .filter((name) => query[name] !== undefined)
        .map((name) => [
          name,
          Array.isArray(query[name]) ? (query[name] as string[]).join(',') : String(query[name]),
        ]),
    );
    const pdf = await reportPdf(report, {
      language: query.language ?? (await tenantLanguage()),
      filters,
      now: new Date(),
    });
    const name = `report-${report.from.toISOString().slice(0, 10)}-${report.granularity}.pdf`;
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(pdf);
  }
  if (!wantsCsv(request, format)) return report;
  const name = `report-${report.from.toISOString().slice(0, 10)}-${report.granularity}.csv`;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(reports.reportCsv(report));
}

/**
 * Reports from the summary tables (docs/metrics.md): figures per interval and group, the contacts behind
 * a figure, the monthly statement and the SLA. Supervisors, trainers and analysts read the whole
 * tenant's (`reports:read`); everyone reads their own figures as an agent at `/api/reports/me/…`, where
 * the agent filter is always the caller.
 */
export function registerReportRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);
  const me = (request: AuthenticatedRequest): string => {
    const userId = principalOf(request).userId;
    if (userId === null)
      throw new HttpProblem(
        404,
        'STORE_NOT_FOUND',
        'An API key has no figures of its own; use /api/reports/summary.',
      );
    return userId;
  };

  /**
   * An agent's own figures leave out cost per contact: it is built from the loaded cost of an agent hour, a
   * figure of the center's, not the agent's to see (docs/metrics.md, "Commercial").
   */
  const withoutCost = (report: reports.SummaryReport): reports.SummaryReport => ({
    ...report,
    lines: report.lines.map((line) => ({ ...line, figures: { ...line.figures, costPerContactMinor: null } })),
    total: { ...report.total, figures: { ...report.total.figures, costPerContactMinor: null } },
  });

  const tenantLanguage = (request: AuthenticatedRequest): Promise<'es' | 'en'> =>
    run(request, async (tx) => (await tenants.currentTenant(tx)).defaultLanguage);

  const summary = (
    request: AuthenticatedRequest,
    query: z.infer<z.ZodObject<typeof summaryQuery>> & Filters,
    agentId: string | undefined,
  ) =>
    run(request, async (tx) =>
      reports.summaryReport(tx, {
        ...(await rangeOf(tx, query)),
        granularity: query.granularity,
        groupBy: query.groupBy ?? [],
        queueId: query.queueId,
        teamId: query.teamId,
        agentId,
        channel: query.channel,
        direction: query.direction,
        timeZone: query.timeZone,
      }),
    );

  app.get(
    '/api/reports/summary',
    {
      config: { access: 'reports:read' },
      schema: {
        tags: ['reports'],
        summary: 'Figures per interval and group (JSON, CSV or PDF)',
        querystring: z.strictObject({ ...summaryQuery, agentId: id.optional() }),
      },
    },
    async (request, reply) =>
      sendReport(
        request,
        reply,
        await summary(request, request.query, request.query.agentId),
        request.query,
        () => tenantLanguage(request),
      ),
  );

  app.get(
    '/api/leaderboard',
    {
      config: { access: 'reports:read-own' },
      schema: {
        tags: ['reports'],
        summary:
          'Agents and teams ranked over a period by contacts handled, resolution, CSAT or quality (when the tenant switched it on)',
        querystring: z.strictObject({
          ...rangeQuery,
          orderBy: z.enum(reports.leaderboardOrders).default('handled'),
          timeZone: filters.timeZone,
        }),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const tenant = await tenants.currentTenant(tx);
        const switchedOn =
          (tenant.settings['leaderboard'] as { enabled?: unknown } | undefined)?.enabled === true;
        if (!switchedOn)
          throw new HttpProblem(
            403,
            'HTTP_FORBIDDEN',
            'The leaderboard is switched off for this tenant; an admin can switch it on in the tenant settings.',
          );
        return reports.leaderboardOf(tx, {
          ...(await rangeOf(tx, request.query)),
          orderBy: request.query.orderBy,
        });
      }),
  );

  app.get(
    '/api/reports/me/summary',
    {
      config: { access: 'reports:read-own' },
      schema: {
        tags: ['reports'],
        summary: 'My own figures as an agent (JSON, CSV or PDF)',
        querystring: z.strictObject(summaryQuery),
      },
    },
    async (request, reply) =>
      sendReport(
        request,
        reply,
        withoutCost(await summary(request, request.query, me(request))),
        request.query,
        () => tenantLanguage(request),
      ),
  );

  const contacts = (
    request: AuthenticatedRequest,
    query: z.infer<z.ZodObject<typeof contactsQuery>>,
    agentId: string | undefined,
  ) =>
    run(request, async (tx) =>
      reports.contactsBehind(tx, {
        ...(await rangeOf(tx, query)),
        figure: query.figure,
        queueId: query.queueId,
        teamId: query.teamId,
        agentId,
        channel: query.channel,
        direction: query.direction,
        limit: query.limit,
        offset: query.offset,
      }),
    );

  app.get(
    '/api/reports/contacts',
    {
      config: { access: 'reports:read' },
      schema: {
        tags: ['reports'],
        summary: 'The contacts behind a figure (drill-down)',
        querystring: z.strictObject({ ...contactsQuery, agentId: id.optional() }),
      },
    },
    (request) => contacts(request, request.query, request.query.agentId),
  );

  app.get(
    '/api/reports/me/contacts',
    {
      config: { access: 'reports:read-own' },
      schema: {
        tags: ['reports'],
        summary: 'The contacts behind one of my figures',
        querystring: z.strictObject(contactsQuery),
      },
    },
    (request) => contacts(request, request.query, me(request)),
  );

  app.get(
    '/api/reports/billing',
    {
      config: { access: 'billing:read' },
      schema: {
        tags: ['reports'],
        summary: 'The tenant’s statement for a calendar month, under its billing plan',
        querystring: z.strictObject({
          month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month, e.g. 2026-03' }),
        }),
      },
    },
    async (request) => {
      const statement = await run(request, (tx) => reports.monthlyStatement(tx, request.query.month));
      if (statement === undefined)
        throw new HttpProblem(404, 'STORE_NOT_FOUND', 'This tenant has no billing plan (settings.billing).');
      return statement;
    },
  );

  app.get(
    '/api/reports/sla',
    {
      config: { access: 'reports:read' },
      schema: {
        tags: ['reports'],
        summary: 'The tenant’s SLA targets judged over a range, with every breached window',
        querystring: z.strictObject({ ...rangeQuery, timeZone: filters.timeZone }),
      },
    },
    (request) =>
      run(request, async (tx) => {
        const range = await rangeOf(tx, request.query);
        return { results: await reports.slaResults(tx, range.from, range.to) };
      }),
  );
}
