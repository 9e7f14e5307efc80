import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface Hit {
  readonly id: string;
  readonly title: string;
  readonly language: 'es' | 'en';
  readonly tags: readonly string[];
  readonly snippet: string;
}

interface Article {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly language: 'es' | 'en';
  readonly tags: readonly string[];
  readonly isPublished: boolean;
}

/**
 * A snippet from the server with its matches between `<mark>` and `</mark>`: rendered as text with the matches
 * highlighted, never as HTML (article text is not markup).
 */
export function Snippet(props: { readonly text: string }): ReactNode {
  const parts = props.text.split(/(<mark>.*?<\/mark>)/g);
  return (
    <>
      {parts.map((part, index) =>
        part.startsWith('<mark>') && part.endsWith('</mark>') ? (
          <mark key={index}>{part.slice(6, -7)}</mark>
        ) : (
          <span key={index}>{part}</span>
        ),
      )}
    </>
  );
}

/**
 * Search over the tenant's articles (`/api/kb/search`), results with highlighted snippets, and the article on
 * click. Used on its own screen and in the call panel during a contact.
 */
export function KnowledgeSearch(props: { readonly isCompact?: boolean }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const [query, setQuery] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const hits = useLoad(
    () => (submitted === '' ? Promise.resolve(null) : api.get<Hit[]>('/api/kb/search', { q: submitted })),
    submitted,
  );
  const article = useLoad(
    () => (openId === null ? Promise.resolve(null) : api.get<Article>(`/api/kb/articles/${openId}`)),
    openId ?? '',
  );

  const search = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setOpenId(null);
    setSubmitted(query.trim());
  };

  return (
    <section className={props.isCompact === true ? 'kb compact' : 'kb'} aria-label={t('kb.title')}>
      <form role="search" className="inline-form" onSubmit={search}>
        <label>
          {t('kb.search')}{' '}
          <input
            type="search"
            name="kbQuery"
            value={query}
            placeholder={t('kb.placeholder')}
            onChange={(event) => {
              setQuery(event.target.value);
            }}
          />
        </label>{' '}
        <button type="submit">{t('kb.searchButton')}</button>
      </form>
      <ErrorMessage error={hits.error ?? article.error} />
      {openId !== null && article.data !== null ? (
        <article className="card kb-article" data-testid="kb-article">
          <button
            type="button"
            className="link"
            onClick={() => {
              setOpenId(null);
            }}
          >
            {t('kb.back')}
          </button>
          <h3>{article.data.title}</h3>
          {article.data.body.split(/\n{2,}/).map((paragraph, index) => (
            <p key={index}>{paragraph}</p>
          ))}
          {article.data.tags.length > 0 && (
            <p className="muted">
              {t('kb.tags')}: {article.data.tags.join(', ')}
            </p>
          )}
        </article>
      ) : (
        hits.data !== null && (
          <ul className="plain kb-hits" data-testid="kb-hits">
            {hits.data.length === 0 && <li className="muted">{t('kb.noHits')}</li>}
            {hits.data.map((hit) => (
              <li key={hit.id}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setOpenId(hit.id);
                  }}
                >
                  {hit.title}
                </button>{' '}
                <span className="muted">({hit.language})</span>
                <p className="snippet">
                  <Snippet text={hit.snippet} />
                </p>
              </li>
            ))}
          </ul>
        )
      )}
    </section>
  );
}
