import type { Tx } from './database.ts';
import { StoreError } from './store-error.ts';

/** A knowledge-base article (docs/glossary.md). */
export interface KbArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly language: 'es' | 'en';
  readonly tags: readonly string[];
  readonly isPublished: boolean;
  readonly updatedAt: Date;
}

/** A search hit: the article with its rank and a snippet where the words matched (`<mark>` around them). */
export interface KbHit {
  readonly id: string;
  readonly title: string;
  readonly language: 'es' | 'en';
  readonly tags: readonly string[];
  readonly rank: number;
  readonly snippet: string;
}

export interface NewKbArticle {
  readonly title: string;
  readonly body: string;
  readonly language: 'es' | 'en';
  readonly tags?: readonly string[] | undefined;
  readonly isPublished?: boolean | undefined;
}

const columns = `a.id, a.title, a.body, a.language, a.tags, a.is_published AS "isPublished", a.updated_at AS "updatedAt"`;
const config = `CASE WHEN a.language = 'en' THEN 'english'::regconfig ELSE 'spanish'::regconfig END`;

/** Recomputes an article's search vector from its current title, tags and body. */
async function reindex(tx: Tx, id: string): Promise<void> {
  await tx.query(
    `UPDATE kb_articles a SET search =
        setweight(to_tsvector(${config}, a.title), 'A') ||
        setweight(to_tsvector(${config}, array_to_string(a.tags, ' ')), 'B') ||
        setweight(to_tsvector(${config}, a.body), 'C')
      WHERE a.id = $1`,
    [id],
  );
}

/**
 * Full-text search over the tenant's articles, each in its own language's dictionary (stems and stop words),
 * best first: title words weigh more than tags, tags more than the body. Unpublished articles only when asked.
 */
export async function searchArticles(
  tx: Tx,
  query: {
    readonly text: string;
    readonly language?: 'es' | 'en' | undefined;
    readonly includeDrafts?: boolean;
  },
): Promise<KbHit[]> {
  const text = query.text.trim();
  if (text === '') return [];
  return (
    await tx.query<KbHit>(
      `SELECT a.id, a.title, a.language, a.tags, ts_rank(a.search, q) AS rank,
              ts_headline(${config}, a.body, q, 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12') AS snippet
         FROM kb_articles a, LATERAL websearch_to_tsquery(${config}, $1) q
        WHERE a.search @@ q
          AND ($2::text IS NULL OR a.language = $2)
          AND (a.is_published OR $3)
        ORDER BY rank DESC, a.updated_at DESC
        LIMIT 20`,
      [text, query.language ?? null, query.includeDrafts === true],
    )
  ).rows;
}

/** The tenant's articles, newest first (drafts only when asked). */
export async function listArticles(
  tx: Tx,
  options: { readonly includeDrafts?: boolean } = {},
): Promise<KbArticle[]> {
  return (
    await tx.query<KbArticle>(
      `SELECT ${columns} FROM kb_articles a WHERE a.is_published OR $1 ORDER BY a.updated_at DESC LIMIT 200`,
      [options.includeDrafts === true],
    )
  ).rows;
}

export async function getArticle(tx: Tx, id: string): Promise<KbArticle> {
  const row = (await tx.query<KbArticle>(`SELECT ${columns} FROM kb_articles a WHERE a.id = $1`, [id]))
    .rows[0];
  if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'no such article', 'id');
  return row;
}

export async function createArticle(tx: Tx, input: NewKbArticle, userId: string | null): Promise<KbArticle> {
  const created = (
    await tx.query<{ id: string }>(
      `INSERT INTO kb_articles (tenant_id, title, body, language, tags, is_published, updated_by)
       VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.title, input.body, input.language, input.tags ?? [], input.isPublished ?? true, userId],
    )
  ).rows[0];
  if (created === undefined) throw new StoreError('STORE_NOT_FOUND', 'the article was not created');
  await reindex(tx, created.id);
  return getArticle(tx, created.id);
}

export async function updateArticle(
  tx: Tx,
  id: string,
  changes: Partial<NewKbArticle>,
  userId: string | null,
): Promise<KbArticle> {
  const updated = (
    await tx.query<{ id: string }>(
      `UPDATE kb_articles SET title = coalesce($2, title), body = coalesce($3, body),
              language = coalesce($4, language), tags = coalesce($5, tags),
              is_published = coalesce($6, is_published), updated_by = $7, updated_at = now()
        WHERE id = $1 RETURNING id`,
      [
        id,
        changes.title ?? null,
        changes.body ?? null,
        changes.language ?? null,
        changes.tags ?? null,
        changes.isPublished ?? null,
        userId,
      ],
    )
  ).rows[0];
  if (updated === undefined) throw new StoreError('STORE_NOT_FOUND', 'no such article', 'id');
  await reindex(tx, id);
  return getArticle(tx, id);
}
