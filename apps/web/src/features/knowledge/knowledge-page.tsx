import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formText } from '../admin/form-text.ts';
import { KnowledgeSearch } from './knowledge-search.tsx';

interface ArticleSummary {
  readonly id: string;
  readonly title: string;
  readonly language: string;
  readonly isPublished: boolean;
}

/** The knowledge base: search for everyone; for admins, managers and trainers the recent articles and a form. */
export function KnowledgePage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canManage = useCan('kb:manage');
  const recent = useLoad(
    () => (canManage ? api.get<ArticleSummary[]>('/api/kb/articles') : Promise.resolve([])),
    'kb-articles',
  );
  const [error, setError] = useState<unknown>(null);

  const create = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    setError(null);
    api
      .post('/api/kb/articles', {
        title: formText(form.get('title')).trim(),
        body: formText(form.get('body')).trim(),
        language: formText(form.get('language')),
        tags: formText(form.get('tags'))
          .split(',')
          .map((tag) => tag.trim())
          .filter((tag) => tag !== ''),
        isPublished: form.get('isPublished') === 'on',
      })
      .then(() => {
        target.reset();
        recent.reload();
      }, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('kb.title')}</h1>
      <KnowledgeSearch />
      {canManage && (
        <div className="profile-grid">
          <section className="card" aria-labelledby="kb-recent">
            <h2 id="kb-recent">{t('kb.recent')}</h2>
            <ul className="plain" data-testid="kb-recent">
              {(recent.data ?? []).map((article) => (
                <li key={article.id}>
                  {article.title} <span className="muted">({article.language})</span>
                  {!article.isPublished && <span className="badge"> {t('kb.draft')}</span>}
                </li>
              ))}
            </ul>
          </section>
          <form className="card stacked" aria-label={t('kb.new')} onSubmit={create}>
            <h2>{t('kb.new')}</h2>
            <label>
              {t('kb.articleTitle')}
              <input name="title" required maxLength={200} />
            </label>
            <label>
              {t('kb.language')}
              <select name="language" defaultValue="es">
                <option value="es">Español</option>
                <option value="en">English</option>
              </select>
            </label>
            <label>
              {t('kb.tagsInput')}
              <input name="tags" />
            </label>
            <label>
              {t('kb.body')}
              <textarea name="body" rows={8} required maxLength={20_000} />
            </label>
            <label className="checkbox">
              <input type="checkbox" name="isPublished" defaultChecked /> {t('kb.published')}
            </label>
            <ErrorMessage error={error} />
            <button type="submit">{t('kb.save')}</button>
          </form>
        </div>
      )}
    </section>
  );
}
