import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { AdminQueuesPage } from '../features/admin/queues-page.tsx';
import { AdminTenantPage } from '../features/admin/tenant-page.tsx';
import { TeamsPage } from '../features/admin/teams-page.tsx';
import { DispositionsPage } from '../features/admin/dispositions-page.tsx';
import { ScriptsPage } from '../features/admin/scripts-page.tsx';
import { HoursPage } from '../features/admin/hours-page.tsx';
import { LeaderboardPage } from '../features/leaderboard/leaderboard-page.tsx';
import { TelephonyPage } from '../features/admin/telephony-page.tsx';
import { AdminUsersPage } from '../features/admin/users-page.tsx';
import { FlowEditorPage } from '../features/admin/flow-editor-page.tsx';
import { FlowsPage } from '../features/admin/flows-page.tsx';
import { CustomerPage } from '../features/customers/customer-page.tsx';
import { CustomerSearchPage } from '../features/customers/customer-search-page.tsx';
import { IdentifyPage } from '../features/customers/identify-page.tsx';
import { LoginPage } from '../features/login/login-page.tsx';
import { MyDayPage } from '../features/my-day/my-day-page.tsx';
import { PresenceControl } from '../features/presence/presence-control.tsx';
import { CallPanel } from '../features/calls/call-panel.tsx';
import { TicketPage } from '../features/tickets/ticket-page.tsx';
import { WallboardPage } from '../features/wallboard/wallboard-page.tsx';
import { ReportsPage } from '../features/reports/reports-page.tsx';
import { CommercialPage } from '../features/reports/commercial-page.tsx';
import { KnowledgePage } from '../features/knowledge/knowledge-page.tsx';
import { languageFromBrowser, translate } from '../i18n/catalog.ts';
import type { MessageKey, MessageValues } from '../i18n/catalog.ts';
import { I18nProvider, useI18n } from '../i18n/i18n.tsx';
import type { I18n } from '../i18n/i18n.tsx';
import { ApiClient } from './api-client.ts';
import { EventStreamProvider, useEventStreamConnection } from './event-stream.tsx';
import type { StreamState } from './event-stream.tsx';
import type { Language, Me, Tenant } from './api-types.ts';
import { Link, matchPath, navigate, usePath } from './router.tsx';
import { isRouteAllowed, routeDefinitions } from './routes.ts';
import type { RouteDefinition } from './routes.ts';
import { SessionProvider, useSession } from './session.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import type { Session } from './session.tsx';

/** The language the user chose with the switch; it wins over the tenant's and the browser's. */
const languageStorageKey = 'centralita.language';

function storedLanguage(): Language | null {
  const value = window.localStorage.getItem(languageStorageKey);
  return value === 'es' || value === 'en' ? value : null;
}

type Boot =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signedOut'; readonly hasSessionEnded: boolean }
  | { readonly kind: 'signedIn'; readonly me: Me };

/** The whole app: session, language, navigation and the screen for the URL. */
export function App(): ReactNode {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [chosenLanguage, setChosenLanguage] = useState<Language | null>(storedLanguage);
  // Logging out closes the event stream with the same code as an expired session; that is no news to the user.
  const isSigningOut = useRef(false);
  const endSession = useCallback(() => {
    if (!isSigningOut.current) setBoot({ kind: 'signedOut', hasSessionEnded: true });
  }, []);
  const api = useMemo(() => new ApiClient(endSession), [endSession]);
  const events = useEventStreamConnection(boot.kind === 'signedIn', endSession);

  const language: Language =
    chosenLanguage ?? tenant?.defaultLanguage ?? languageFromBrowser(window.navigator.languages);
  const i18n = useMemo<I18n>(() => {
    const dateFormat = new Intl.DateTimeFormat(language === 'es' ? 'es-ES' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      ...(tenant === null ? {} : { timeZone: tenant.timeZone }),
    });
    return {
      language,
      setLanguage: (next) => {
        window.localStorage.setItem(languageStorageKey, next);
        setChosenLanguage(next);
      },
      t: (key: MessageKey, values?: MessageValues) => translate(language, key, values),
      formatDateTime: (iso) => dateFormat.format(new Date(iso)),
    };
  }, [language, tenant]);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const loadTenant = useCallback(() => {
    api.get<Tenant>('/api/tenant').then(setTenant, () => {
      setTenant(null);
    });
  }, [api]);

  const signIn = useCallback(
    (me: Me) => {
      isSigningOut.current = false;
      api.setCsrfToken(me.csrfToken);
      setBoot({ kind: 'signedIn', me });
      loadTenant();
    },
    [api, loadTenant],
  );

  useEffect(() => {
    api.get<Me>('/api/auth/me').then(signIn, () => {
      setBoot({ kind: 'signedOut', hasSessionEnded: false });
    });
  }, [api, signIn]);

  const signOut = useCallback(() => {
    isSigningOut.current = true;
    const done = (): void => {
      api.setCsrfToken(null);
      setTenant(null);
      setBoot({ kind: 'signedOut', hasSessionEnded: false });
    };
    api.post('/api/auth/logout').then(done, done);
  }, [api]);

  let content: ReactNode;
  switch (boot.kind) {
    case 'loading':
      content = <p className="loading">{i18n.t('common.loading')}</p>;
      break;
    case 'signedOut':
      content = <LoginPage api={api} onSignedIn={signIn} hasSessionEnded={boot.hasSessionEnded} />;
      break;
    case 'signedIn': {
      const session: Session = {
        user: boot.me.user,
        permissions: new Set(boot.me.permissions),
        tenant,
        api,
        reloadTenant: loadTenant,
      };
      content = (
        <SessionProvider value={session}>
          <EventStreamProvider value={events.stream}>
            <SessionShell onSignOut={signOut} streamState={events.state} />
          </EventStreamProvider>
        </SessionProvider>
      );
      break;
    }
  }
  return <I18nProvider value={i18n}>{content}</I18nProvider>;
}

/** The screen for a route, with its path parameters. */
function Screen(props: {
  readonly route: RouteDefinition;
  readonly params: Record<string, string>;
}): ReactNode {
  const id = props.params.id ?? '';
  switch (props.route.id) {
    case 'customers':
      return <CustomerSearchPage />;
    case 'identify':
      return <IdentifyPage />;
    case 'myDay':
      return <MyDayPage />;
    case 'wallboard':
      return <WallboardPage />;
    case 'reports':
      return <ReportsPage />;
    case 'commercial':
      return <CommercialPage />;
    case 'knowledge':
      return <KnowledgePage />;
    case 'customer':
      return <CustomerPage customerId={id} />;
    case 'ticket':
      return <TicketPage ticketId={id} />;
    case 'users':
      return <AdminUsersPage />;
    case 'queues':
      return <AdminQueuesPage />;
    case 'flows':
      return <FlowsPage />;
    case 'flow':
      return <FlowEditorPage flowKey={props.params.key ?? ''} />;
    case 'tenant':
      return <AdminTenantPage />;
    case 'teams':
      return <TeamsPage />;
    case 'dispositions':
      return <DispositionsPage />;
    case 'scripts':
      return <ScriptsPage />;
    case 'hours':
      return <HoursPage />;
    case 'leaderboard':
      return <LeaderboardPage />;
    case 'telephony':
      return <TelephonyPage />;
    default:
      return null;
  }
}

/** The signed-in layout: top bar, navigation the role may use, and the screen. */
function SessionShell(props: {
  readonly onSignOut: () => void;
  readonly streamState: StreamState;
}): ReactNode {
  const { t } = useI18n();
  const session = useSession();
  const path = usePath();
  const allowed = routeDefinitions.filter((route) =>
    isRouteAllowed(route, session.permissions, session.tenant),
  );
  const home = allowed.find((route) => route.section !== 'hidden')?.pattern ?? null;

  useEffect(() => {
    if (path === '/' && home !== null) navigate(home, { replace: true });
  }, [path, home]);

  // Move the keyboard focus to the new screen's heading, so a screen reader announces it, unless the screen
  // already put it on its first field (the search box).
  useEffect(() => {
    const main = document.getElementById('main');
    if (main !== null && !main.contains(document.activeElement))
      main.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  let match: { route: RouteDefinition; params: Record<string, string> } | null = null;
  for (const route of routeDefinitions) {
    const params = matchPath(route.pattern, path);
    if (params !== null) {
      match = { route, params };
      break;
    }
  }

  let screen: ReactNode;
  if (match === null)
    screen =
      path === '/' ? null : (
        <section>
          <h1 tabIndex={-1}>{t('shell.notFound')}</h1>
        </section>
      );
  else if (!isRouteAllowed(match.route, session.permissions, session.tenant))
    screen = (
      <section className="not-allowed" data-testid="not-allowed">
        <h1 tabIndex={-1}>{t('shell.notAllowedTitle')}</h1>
        <p>{t('shell.notAllowedBody', { role: t(`role.${session.user.role}`) })}</p>
      </section>
    );
  else screen = <Screen route={match.route} params={match.params} />;

  // The screen's own entry is current; a screen under another's path (/reports/commercial) is not also its parent's.
  const currentNav = allowed
    .filter(
      (route) =>
        route.section !== 'hidden' && (path === route.pattern || path.startsWith(`${route.pattern}/`)),
    )
    .sort((a, b) => b.pattern.length - a.pattern.length)[0];
  const navItem = (route: RouteDefinition): ReactNode => (
    <li key={route.id}>
      <Link to={route.pattern} isCurrent={route === currentNav}>
        {t(route.label)}
      </Link>
    </li>
  );
  const work = allowed.filter((route) => route.section === 'work');
  const admin = allowed.filter((route) => route.section === 'admin');

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">Centralita</span>
        <span className="tenant-name">{session.tenant?.name ?? ''}</span>
        <span className="spacer" />
        <PresenceControl />
        <span className={`live ${props.streamState}`} data-stream={props.streamState} role="status">
          {t(`stream.${props.streamState}`)}
        </span>
        <span className="who">
          {session.user.displayName} · {t(`role.${session.user.role}`)}
        </span>
        <LanguageSwitch />
        <button type="button" onClick={props.onSignOut}>
          {t('shell.logout')}
        </button>
      </header>
      <div className="body">
        <nav aria-label={t('shell.navigation')}>
          {work.length > 0 && (
            <>
              <h2>{t('nav.work')}</h2>
              <ul>{work.map(navItem)}</ul>
            </>
          )}
          {admin.length > 0 && (
            <>
              <h2>{t('nav.admin')}</h2>
              <ul>{admin.map(navItem)}</ul>
            </>
          )}
        </nav>
        <main id="main">
          <CallPanel streamState={props.streamState} />
          {screen}
        </main>
      </div>
    </div>
  );
}
