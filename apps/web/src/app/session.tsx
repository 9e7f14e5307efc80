import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';
import type { Tenant, User } from './api-types.ts';

/** The signed-in user, what their role may do, and the API client acting for them. */
export interface Session {
  readonly user: User;
  readonly permissions: ReadonlySet<string>;
  readonly tenant: Tenant | null;
  readonly api: ApiClient;
  /** Re-reads the tenant after an admin changed its settings. */
  readonly reloadTenant: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** Provides the session to the screens. */
export const SessionProvider = SessionContext.Provider;

/** The current session; screens are only rendered once somebody is signed in. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in app');
  return session;
}

/** Whether the signed-in role has a permission (docs/security.md, permission matrix). */
export function useCan(permission: string): boolean {
  return useSession().permissions.has(permission);
}
