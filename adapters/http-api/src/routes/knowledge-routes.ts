import { z } from 'zod';
import { knowledgeBase } from '@centralita/store';
import type { Tx } from '@centralita/store';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { grantedRoles } from '../permissions.ts';
import { contextOf, principalOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';
import type { AuthenticatedRequest } from '../principal.ts';
import { id, idParams } from '../schemas.ts';

const language = z.enum(['es', 'en']);
const articleFields = {
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  language,
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  isPublished: z.boolean().optional().describe('Agents see published articles only.'),
};

/**
 * The tenant's knowledge base: everyone searches and reads published articles (agents during a contact); admins,
 * managers and trainers write them and see drafts.
 */
export function registerKnowledgeRoutes(app: ApiApp, deps: RouteDependencies): void {
  const run = <T>(request: AuthenticatedRequest, work: (tx: Tx) => Promise<T>): Promise<T> =>
    deps.database.inTenant(contextOf(principalOf(request), request.id), work);
  const canManage = (request: AuthenticatedRequest): boolean =>
    grantedRoles['kb:manage'].includes(principalOf(request).role);

  app.get(
    '/api/kb/search',
    {
      config: { access: 'kb:read' },
      schema: {
        tags: ['knowledge'],
        summary:
          'Search the knowledge base (full text, in each article’s language; best first, with snippets)',
        querystring: z.strictObject({
          q: z
            .string()
            .trim()
            .min(1)
            .max(200)
            .describe('Words to look for; "quotes" for a phrase, -word to exclude.'),
          language: language.optional(),
        }),
      },
    },
    (request) =>
      run(request, (tx) =>
        knowledgeBase.searchArticles(tx, {
          text: request.query.q,
          language: request.query.language,
          includeDrafts: canManage(request),
        }),
      ),
  );

  app.get(
    '/api/kb/articles',
    {
      config: { access: 'kb:read' },
      schema: { tags: ['knowledge'], summary: 'The knowledge base, newest first' },
    },
    (request) => run(request, (tx) => knowledgeBase.listArticles(tx, { includeDrafts: canManage(request) })),
  );

  app.get(
    '/api/kb/articles/:id',
    {
      config: { access: 'kb:read' },
      schema: { tags: ['knowledge'], summary: 'One article', params: idParams },
    },
    async (request) => {
      const article = await run(request, (tx) => knowledgeBase.getArticle(tx, request.params.id));
      // A draft is not there for those who may not write articles.
      if (!article.isPublished && !canManage(request))
        throw new HttpProblem(404, 'STORE_NOT_FOUND', 'There is no such article.', { field: 'id' });
      return article;
    },
  );

  app.post(
    '/api/kb/articles',
    {
      config: { access: 'kb:manage' },
      schema: { tags: ['knowledge'], summary: 'Write an article', body: z.strictObject(articleFields) },
    },
    async (request, reply) => {
      const created = await run(request, (tx) =>
        knowledgeBase.createArticle(tx, request.body, principalOf(request).userId),
      );
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/kb/articles/:id',
    {
      config: { access: 'kb:manage' },
      schema: {
        tags: ['knowledge'],
        summary: 'Change an article (publish or unpublish it with isPublished)',
        params: z.strictObject({ id }),
        body: z.strictObject({
          title: articleFields.title.optional(),
          body: articleFields.body.optional(),
          language: language.optional(),
          tags: articleFields.tags,
          isPublished: articleFields.isPublished,
        }),
      },
    },
    (request) =>
      run(request, (tx) =>
        knowledgeBase.updateArticle(tx, request.params.id, request.body, principalOf(request).userId),
      ),
  );
}
