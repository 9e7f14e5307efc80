import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { roles } from '../../app/api-types.ts';
import type { Page, Role, Skill, User } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The level a new user gets in each skill ticked on the form (1–10); it can be changed later. */
const defaultSkillLevel = 5;

/** Staff: everybody with their role, extension and skills; admins create and disable users. */
export function AdminUsersPage(): ReactNode {
  const { t } = useI18n();
  const { api, user: me } = useSession();
  const canManage = useCan('users:manage');
  const loaded = useLoad(
    () => api.get<Page<User>>('/api/users', { limit: 200, sort: 'displayName' }),
    'users',
  );
  const [error, setError] = useState<unknown>(null);

  const setDisabled = (user: User, isDisabled: boolean): void => {
    setError(null);
    api.patch(`/api/users/${user.id}`, { isDisabled }).then(loaded.reload, setError);
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t('users.title')}</h1>
      {canManage && <NewUserForm onCreated={loaded.reload} />}
      <ErrorMessage error={loaded.error ?? error} />
      {loaded.data !== null && (
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('users.extension')}</th>
              <th scope="col">{t('users.skills')}</th>
              <th scope="col">{t('users.state')}</th>
              {canManage && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {loaded.data.items.map((user) => (
              <tr key={user.id} className={user.isDisabled ? 'disabled' : undefined}>
                <td>{user.displayName}</td>
                <td>{user.email}</td>
                <td>{t(`role.${user.role}`)}</td>
                <td>{user.extension ?? ''}</td>
                <td>{user.skills.map((skill) => `${skill.name} (${skill.level})`).join(', ')}</td>
                <td>{user.isDisabled ? t('users.disabled') : t('users.active')}</td>
                {canManage && (
                  <td>
                    {user.id !== me.id && (
                      <button
                        type="button"
                        onClick={() => {
                          setDisabled(user, !user.isDisabled);
                        }}
                      >
                        {user.isDisabled ? t('users.enable') : t('users.disable')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewUserForm(props: { readonly onCreated: () => void }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const skills = useLoad(() => api.get<Skill[]>('/api/skills'), 'skills');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [extension, setExtension] = useState('');
  const [password, setPassword] = useState('');
  const [skillIds, setSkillIds] = useState<readonly string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const create = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .post('/api/users', {
        email: email.trim(),
        displayName: displayName.trim(),
        role,
        extension: extension.trim() === '' ? null : extension.trim(),
        skills: skillIds.map((skillId) => ({ skillId, level: defaultSkillLevel })),
        ...(password === '' ? {} : { password }),
      })
      .then(
        () => {
          setBusy(false);
          setEmail('');
          setDisplayName('');
          setExtension('');
          setPassword('');
          setSkillIds([]);
          props.onCreated();
        },
        (failure: unknown) => {
          setBusy(false);
          setError(failure);
        },
      );
  };

  return (
    <details className="card">
      <summary>{t('users.new')}</summary>
      <form onSubmit={create} className="stacked">
        <div className="row">
          <label>
            {t('users.name')}
            <input
              name="displayName"
              value={displayName}
              required
              onChange={(event) => {
                setDisplayName(event.target.value);
              }}
            />
          </label>
          <label>
            {t('users.email')}
            <input
              name="email"
              type="email"
              value={email}
              required
              onChange={(event) => {
                setEmail(event.target.value);
              }}
            />
          </label>
          <label>
            {t('users.role')}
            <select
              name="role"
              value={role}
              onChange={(event) => {
                setRole(roles.find((candidate) => candidate === event.target.value) ?? 'agent');
              }}
            >
              {roles.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {t(`role.${candidate}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('users.extension')}
            <input
              name="extension"
              value={extension}
              inputMode="numeric"
              pattern="[0-9]{2,8}"
              onChange={(event) => {
                setExtension(event.target.value);
              }}
            />
          </label>
          <label>
            {t('users.password')}
            <input
              name="password"
              type="password"
              value={password}
              minLength={10}
              autoComplete="new-password"
              onChange={(event) => {
                setPassword(event.target.value);
              }}
            />
          </label>
        </div>
        <fieldset>
          <legend>{t('users.skills')}</legend>
          {(skills.data ?? []).map((skill) => (
            <label key={skill.id} className="checkbox">
              <input
                type="checkbox"
                checked={skillIds.includes(skill.id)}
                onChange={(event) => {
                  setSkillIds(
                    event.target.checked ? [...skillIds, skill.id] : skillIds.filter((id) => id !== skill.id),
                  );
                }}
              />
              {skill.name}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={isBusy}>
          {t('users.create')}
        </button>
      </form>
    </details>
  );
}
