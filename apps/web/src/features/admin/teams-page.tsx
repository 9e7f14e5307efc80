import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formText } from './form-text.ts';

interface Team {
  readonly id: string;
  readonly name: string;
  readonly memberCount: number;
}

/** The tenant's teams with their member counts: admins and managers create, rename and delete them. */
export function TeamsPage(): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const canManage = useCan('teams:manage');
  const teams = useLoad(() => api.get<Team[]>('/api/teams'), 'teams');
  const [error, setError] = useState<unknown>(null);
  const [names, setNames] = useState<Record<string, string>>({});

  const act = (work: () => Promise<unknown>, after?: () => void): void => {
    setError(null);
    work().then(() => {
      after?.();
      teams.reload();
    }, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('teams.title')}</h1>
      <ErrorMessage error={error ?? teams.error} />
      <table className="table" data-testid="teams">
        <thead>
          <tr>
            <th scope="col">{t('teams.name')}</th>
            <th scope="col">{t('teams.members')}</th>
            {canManage && <th scope="col">{t('common.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {(teams.data ?? []).map((team) => (
            <tr key={team.id} data-team={team.name}>
              <td>{team.name}</td>
              <td>{team.memberCount}</td>
              {canManage && (
                <td>
                  <form
                    className="inline-form"
                    onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
                      event.preventDefault();
                      const name = (names[team.id] ?? '').trim();
                      if (name === '') return;
                      act(
                        () => api.patch(`/api/teams/${team.id}`, { name }),
                        () => {
                          setNames({ ...names, [team.id]: '' });
                        },
                      );
                    }}
                  >
                    <input
                      aria-label={t('teams.renameNamed', { name: team.name })}
                      value={names[team.id] ?? ''}
                      onChange={(event) => {
                        setNames({ ...names, [team.id]: event.target.value });
                      }}
                    />{' '}
                    <button type="submit">{t('teams.rename')}</button>{' '}
                    <button
                      type="button"
                      className="danger"
                      aria-label={t('teams.delete', { name: team.name })}
                      onClick={() => {
                        act(() => api.delete(`/api/teams/${team.id}`));
                      }}
                    >
                      {t('telephony.delete')}
                    </button>
                  </form>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <form
          className="inline-form card"
          onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
            event.preventDefault();
            const target = event.currentTarget;
            const name = formText(new FormData(target).get('teamName')).trim();
            act(
              () => api.post('/api/teams', { name }),
              () => {
                target.reset();
              },
            );
          }}
        >
          <label>
            {t('teams.name')} <input name="teamName" required />
          </label>{' '}
          <button type="submit">{t('teams.add')}</button>
        </form>
      )}
    </section>
  );
}
