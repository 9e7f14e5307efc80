import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventBus } from '@centralita/bus';
import type { Database } from '@centralita/store';
import type { LiveConnections } from './live-connections.ts';
import type { LoginThrottlePolicy } from './login-throttle.ts';

/** The Fastify instance with the zod type provider: what every route module registers on. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What route modules use. */
export interface RouteDependencies {
  readonly database: Database;
  readonly bus: EventBus;
  readonly now: () => Date;
  readonly isCookieSecure: boolean;
  readonly sessionIdleMs: number;
  readonly loginThrottle: LoginThrottlePolicy;
  readonly liveConnections: LiveConnections;
}
