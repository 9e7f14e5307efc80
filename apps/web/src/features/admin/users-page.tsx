import { Fragment, useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { roles } from '../../app/api-types.ts';
import type { Language, Page, Role, Skill, User } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { useCan, useSession } from '../../app/session.tsx';
import { useLoad } from '../../app/use-load.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { LanguageCheckboxes } from './language-checkboxes.tsx';

/** The level a new user gets in each skill ticked on the form (1–10); it can be changed later (Edit). */
const defaultSkillLevel = 5;

/** Staff: everybody with their role, extension and skills; admins create, edit and disable users. */
export function AdminUsersPage(): ReactNode {
  const { t } = useI18n();
  const { api, user: me } = useSession();
  const canManage = useCan('users:manage');
  const loaded = useLoad(
    () => api.get<Page<User>>('/api/users', { limit: 200, sort: 'displayName' }),
    'users',
  );
  const [error, setError] = useState<unknown>(null);
  const [editingId, setEditingId] = useState<string | null>(null);

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
              <Fragment key={user.id}>
                <tr className={user.isDisabled ? 'disabled' : undefined} data-user={user.email}>
                  <td>{user.displayName}</td>
                  <td>{user.email}</td>
                  <td>{t(`role.${user.role}`)}</td>
                  <td>{user.extension ?? ''}</td>
                  <td>{user.skills.map((skill) => `${skill.name} (${skill.level})`).join(', ')}</td>
                  <td>{user.isDisabled ? t('users.disabled') : t('users.active')}</td>
                  {canManage && (
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          aria-expanded={editingId === user.id}
                          onClick={() => {
                            setEditingId(editingId === user.id ? null : user.id);
                          }}
                        >
                          {t('common.edit')}
                        </button>
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
                      </div>
                    </td>
                  )}
                </tr>
                {canManage && editingId === user.id && (
                  <tr className="editing">
                    <td colSpan={7}>
                      <EditUserForm
                        user={user}
                        onDone={(isSaved) => {
                          setEditingId(null);
                          if (isSaved) loaded.reload();
                        }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Who a user is: the fields the new-user and the edit forms share. */
interface UserIdentity {
  readonly displayName: string;
  readonly email: string;
  readonly role: Role;
  readonly extension: string;
}

/** `UserIdentity` as the API takes it (an empty extension is none). */
function identityBody(identity: UserIdentity): Record<string, unknown> {
  const extension = identity.extension.trim();
  return {
    displayName: identity.displayName.trim(),
    email: identity.email.trim(),
    role: identity.role,
    extension: extension === '' ? null : extension,
  };
}

/** Name, e-mail, role and extension, in that order; `children` follow on the same row. */
function UserIdentityFields(props: {
  readonly value: UserIdentity;
  readonly onChange: (value: UserIdentity) => void;
  readonly children?: ReactNode;
}): ReactNode {
  const { t } = useI18n();
  const { value } = props;
  const set = (change: Partial<UserIdentity>): void => {
    props.onChange({ ...value, ...change });
  };
  return (
    <div className="row">
      <label>
        {t('users.name')}
        <input
          name="displayName"
          value={value.displayName}
          required
          onChange={(event) => {
            set({ displayName: event.target.value });
          }}
        />
      </label>
      <label>
        {t('users.email')}
        <input
          name="email"
          type="email"
          value={value.email}
          required
          onChange={(event) => {
            set({ email: event.target.value });
          }}
        />
      </label>
      <label>
        {t('users.role')}
        <select
          name="role"
          value={value.role}
          onChange={(event) => {
            set({ role: roles.find((candidate) => candidate === event.target.value) ?? value.role });
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
          value={value.extension}
          inputMode="numeric"
          pattern="[0-9]{2,8}"
          onChange={(event) => {
            set({ extension: event.target.value });
          }}
        />
      </label>
      {props.children}
    </div>
  );
}

function NewUserForm(props: { readonly onCreated: () => void }): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const skills = useLoad(() => api.get<Skill[]>('/api/skills'), 'skills');
  const blank: UserIdentity = { displayName: '', email: '', role: 'agent', extension: '' };
  const [identity, setIdentity] = useState<UserIdentity>(blank);
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
        ...identityBody(identity),
        skills: skillIds.map((skillId) => ({ skillId, level: defaultSkillLevel })),
        ...(password === '' ? {} : { password }),
      })
      .then(
        () => {
          setBusy(false);
          setIdentity(blank);
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
        <UserIdentityFields value={identity} onChange={setIdentity}>
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
        </UserIdentityFields>
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

/**
 * Changes a user: name, e-mail, role, extension, the languages they serve and their skills with levels (1–10).
 * Routing takes the change at once (agents' skills and languages decide which contacts they are offered).
 */
function EditUserForm(props: {
  readonly user: User;
  readonly onDone: (isSaved: boolean) => void;
}): ReactNode {
  const { t } = useI18n();
  const { api } = useSession();
  const { user } = props;
  const skills = useLoad(() => api.get<Skill[]>('/api/skills'), 'skills');
  const [identity, setIdentity] = useState<UserIdentity>({
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    extension: user.extension ?? '',
  });
  const [languages, setLanguages] = useState<readonly Language[]>(user.languages);
  const [levels, setLevels] = useState<ReadonlyMap<string, number>>(
    new Map(user.skills.map((skill) => [skill.skillId, skill.level])),
  );
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const save = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api
      .patch(`/api/users/${user.id}`, {
        ...identityBody(identity),
        languages,
        skills: [...levels].map(([skillId, level]) => ({ skillId, level })),
      })
      .then(
        () => {
          setBusy(false);
          props.onDone(true);
        },
        (failure: unknown) => {
          setBusy(false);
          setError(failure);
        },
      );
  };

  return (
    <form
      onSubmit={save}
      className="stacked"
      aria-label={t('users.editTitle', { name: user.displayName })}
      data-testid="edit-user"
    >
      <UserIdentityFields value={identity} onChange={setIdentity} />
      <LanguageCheckboxes legend={t('users.languages')} value={languages} onChange={setLanguages} />
      <fieldset className="skill-levels">
        <legend>{t('users.skillLevels')}</legend>
        {(skills.data ?? []).map((skill) => {
          const level = levels.get(skill.id);
          const change = (next: number | undefined): void => {
            const changed = new Map(levels);
            if (next === undefined) changed.delete(skill.id);
            else changed.set(skill.id, next);
            setLevels(changed);
          };
          return (
            <div key={skill.id} className="skill-level">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={level !== undefined}
                  onChange={(event) => {
                    change(event.target.checked ? defaultSkillLevel : undefined);
                  }}
                />
                {skill.name}
              </label>
              {level !== undefined && (
                <input
                  type="number"
                  min={1}
                  max={10}
                  step={1}
                  required
                  aria-label={t('users.skillLevel', { skill: skill.name })}
                  value={level}
                  onChange={(event) => {
                    change(Number(event.target.value));
                  }}
                />
              )}
            </div>
          );
        })}
      </fieldset>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={isBusy || languages.length === 0}>
          {t('common.save')}
        </button>
        <button
          type="button"
          onClick={() => {
            props.onDone(false);
          }}
        >
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
