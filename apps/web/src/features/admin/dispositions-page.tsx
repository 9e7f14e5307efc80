import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formText } from './form-text.ts';

interface Disposition {
  readonly code: string;
  readonly labelEs: string;
  readonly labelEn: string;
  readonly isResolved: boolean;
  readonly isActive: boolean;
  readonly sortOrder: number;
}

/**
 * The tenant's dispositions (the outcomes of the wrap-up form): add one with its Spanish and English labels and
 * whether it resolves the matter, retire one (it stays on past contacts) or bring it back.
 */
export function DispositionsPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canManage = useCan('queues:manage');
  const list = useLoad(
    () => api.get<Disposition[]>('/api/dispositions', { includeInactive: true }),
    'dispositions',
  );
  const [error, setError] = useState<unknown>(null);

  const act = (work: () => Promise<unknown>, after?: () => void): void => {
    setError(null);
    work().then(() => {
      after?.();
      list.reload();
    }, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('dispositions.title')}</h1>
      <p className="muted">{t('dispositions.intro')}</p>
      <ErrorMessage error={error ?? list.error} />
      <table className="table" data-testid="dispositions">
        <thead>
          <tr>
            <th scope="col">{t('dispositions.code')}</th>
            <th scope="col">{t('dispositions.labelEs')}</th>
            <th scope="col">{t('dispositions.labelEn')}</th>
            <th scope="col">{t('dispositions.resolves')}</th>
            <th scope="col">{t('dispositions.state')}</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((disposition) => (
            <tr
              key={disposition.code}
              data-code={disposition.code}
              className={disposition.isActive ? '' : 'muted'}
            >
              <td>
                <code>{disposition.code}</code>
              </td>
              <td>{disposition.labelEs}</td>
              <td>{disposition.labelEn}</td>
              <td>{disposition.isResolved ? t('dispositions.yes') : t('dispositions.no')}</td>
              <td>
                {disposition.isActive ? t('dispositions.active') : t('dispositions.retired')}{' '}
                {canManage && (
                  <button
                    type="button"
                    aria-label={t(
                      disposition.isActive ? 'dispositions.retireNamed' : 'dispositions.restoreNamed',
                      {
                        code: disposition.code,
                      },
                    )}
                    onClick={() => {
                      act(() =>
                        api.patch(`/api/dispositions/${disposition.code}`, {
                          isActive: !disposition.isActive,
                        }),
                      );
                    }}
                  >
                    {t(disposition.isActive ? 'dispositions.retire' : 'dispositions.restore')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <form
          className="card stacked narrow"
          aria-label={t('dispositions.add')}
          onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
            event.preventDefault();
            const target = event.currentTarget;
            const form = new FormData(target);
            act(
              () =>
                api.post('/api/dispositions', {
                  code: formText(form.get('code')).trim(),
                  labelEs: formText(form.get('labelEs')).trim(),
                  labelEn: formText(form.get('labelEn')).trim(),
                  isResolved: form.get('isResolved') === 'on',
                }),
              () => {
                target.reset();
              },
            );
          }}
        >
          <label>
            {t('dispositions.code')}
            <input name="code" required placeholder="baja_cliente" />
          </label>
          <label>
            {t('dispositions.labelEs')}
            <input name="labelEs" required />
          </label>
          <label>
            {t('dispositions.labelEn')}
            <input name="labelEn" required />
          </label>
          <label className="checkbox">
            <input type="checkbox" name="isResolved" /> {t('dispositions.resolvesLong')}
          </label>
          <button type="submit">{t('dispositions.add')}</button>
        </form>
      )}
    </section>
  );
}
