import type { ReactNode } from 'react';
import type { FlowSummary } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The tenant's IVR flows with their published and draft versions. */
export function FlowsPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const loaded = useLoad(() => api.get<FlowSummary[]>('/api/flows'), 'flows');
  return (
    <section>
      <h1 tabIndex={-1}>{t('flows.title')}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.data !== null &&
        (loaded.data.length === 0 ? (
          <p className="muted">{t('flows.none')}</p>
        ) : (
          <table className="table" data-testid="flows">
            <thead>
              <tr>
                <th scope="col">{t('flows.name')}</th>
                <th scope="col">{t('flows.key')}</th>
                <th scope="col">{t('flows.published')}</th>
                <th scope="col">{t('flows.draft')}</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((flow) => (
                <tr key={flow.key}>
                  <td>
                    <Link to={`/admin/flows/${encodeURIComponent(flow.key)}`}>{flow.name}</Link>
                  </td>
                  <td>
                    <code>{flow.key}</code>
                  </td>
                  <td>{flow.publishedVersion === null ? '—' : `v${flow.publishedVersion}`}</td>
                  <td>{flow.draftVersion === null ? '—' : `v${flow.draftVersion}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
