import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import type { ApiClient } from '../../app/api-client.ts';
import type { Me } from '../../app/api-types.ts';
import { ErrorMessage } from '../../app/error-message.tsx';
import { LanguageSwitch } from '../../app/language-switch.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** The last tenant slug used in this browser, so people type it once. */
const tenantStorageKey = 'centralita.tenant';

/** Signs in with tenant slug, e-mail and password; shows the server's reason when it refuses. */
export function LoginPage(props: {
  readonly api: ApiClient;
  readonly onSignedIn: (me: Me) => void;
  /** The session ended while the app was open (idle timeout, account disabled, password reset). */
  readonly hasSessionEnded: boolean;
}): ReactNode {
  const { t } = useI18n();
  const [tenant, setTenant] = useState(() => window.localStorage.getItem(tenantStorageKey) ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [isBusy, setBusy] = useState(false);

  const submit = (event: SubmitEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    props.api.post<Me>('/api/auth/login', { tenant: tenant.trim(), email: email.trim(), password }).then(
      (me) => {
        window.localStorage.setItem(tenantStorageKey, tenant.trim());
        props.onSignedIn(me);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h1 id="login-title">{t('login.title')}</h1>
        <p className="muted">{t('login.intro')}</p>
        {props.hasSessionEnded && (
          <p role="status" className="notice">
            {t('error.unauthenticated')}
          </p>
        )}
        <label>
          {t('login.tenant')}
          <input
            name="tenant"
            value={tenant}
            onChange={(event) => {
              setTenant(event.target.value);
            }}
            autoComplete="organization"
            required
            autoFocus={tenant === ''}
          />
        </label>
        <label>
          {t('login.email')}
          <input
            name="email"
            type="email"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
            autoComplete="username"
            required
            autoFocus={tenant !== ''}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
            }}
            autoComplete="current-password"
            required
          />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={isBusy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
