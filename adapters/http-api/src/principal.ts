import type { TenantId } from '@centralita/kernel';
import type { Actor, Role, TenantContext } from '@centralita/store';
import type { RouteAccess } from './permissions.ts';
import { HttpProblem } from './problem.ts';

/** Who is calling: a signed-in user (browser session) or an integration (API key). */
export interface Principal {
  readonly tenantId: TenantId;
  readonly role: Role;
  readonly actor: Actor;
  /** The user behind a session; null for API keys. */
  readonly userId: string | null;
  /** Present for browser sessions: unsafe methods must echo the CSRF token. */
  readonly session: { readonly tokenHash: string; readonly csrfToken: string } | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** What the route demands; every route declares it (a test checks). */
    access?: RouteAccess;
  }
}

/** The tenant context a route's unit of work runs in. */
export function contextOf(principal: Principal, requestId: string): TenantContext {
  return { tenantId: principal.tenantId, actor: principal.actor, requestId };
}

/** The caller of a route that demands authentication (the onRequest hook has already checked). */
export function principalOf(request: { readonly principal: Principal | null }): Principal {
  if (!request.principal) throw new HttpProblem(401, 'HTTP_UNAUTHENTICATED', 'Log in first.');
  return request.principal;
}

/** The part of a Fastify request that routes use to find their tenant context. */
export interface AuthenticatedRequest {
  readonly principal: Principal | null;
  readonly id: string;
}
