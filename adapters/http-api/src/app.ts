import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { WebSocket } from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import client from 'prom-client';
import type { EventBus } from '@centralita/bus';
import { isUuid } from '@centralita/kernel';
import type { TenantId } from '@centralita/kernel';
import { credentials as credentialStore } from '@centralita/store';
import type { Database } from '@centralita/store';
import { LiveConnections } from './live-connections.ts';
import type { Principal } from './principal.ts';
import type { RoutingPort } from './routing-port.ts';
import { registerAgentRoutes } from './routes/agent-routes.ts';
import { registerCallRoutes } from './routes/call-routes.ts';
import { registerCompanionRoutes } from './routes/companion-routes.ts';
import { registerHelpRoutes } from './routes/help-routes.ts';
import { registerDispositionRoutes } from './routes/disposition-routes.ts';
import { registerScriptRoutes } from './routes/script-routes.ts';
import { registerKnowledgeRoutes } from './routes/knowledge-routes.ts';
import type { CallControlPort } from './call-control-port.ts';
import type { LoginThrottlePolicy } from './login-throttle.ts';
import { defaultLoginThrottlePolicy } from './login-throttle.ts';
import { isAllowed } from './permissions.ts';
import type { RouteAccess } from './permissions.ts';
import { fieldFromJsonPointer, HttpProblem, toProblem } from './problem.ts';
import type { FieldProblem } from './problem.ts';
import { registerAuthRoutes, sessionCookieName } from './routes/auth-routes.ts';
import { registerCustomerRoutes } from './routes/customer-routes.ts';
import { registerDirectoryRoutes } from './routes/directory-routes.ts';
import { registerEventStream } from './routes/event-stream.ts';
import { registerFlowRoutes } from './routes/flow-routes.ts';
import { registerInteractionRoutes } from './routes/interaction-routes.ts';
import { registerOperationsRoutes } from './routes/operations-routes.ts';
import { registerReportRoutes } from './routes/report-routes.ts';
import { registerTelephonyRoutes } from './routes/telephony-routes.ts';
import { registerTicketRoutes } from './routes/ticket-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { isSameSecret, parseApiKey, tokenHash } from './tokens.ts';

/** What the HTTP API needs from the composition root. */
export interface HttpApiDependencies {
  readonly database: Database;
  readonly bus: EventBus;
  readonly now: () => Date;
  readonly logger?: FastifyBaseLogger | undefined;
  /** Mark cookies Secure (set behind TLS). */
  readonly isCookieSecure: boolean;
  /** A session ends after this long without a request. */
  readonly sessionIdleMs: number;
  readonly loginThrottle?: LoginThrottlePolicy | undefined;
  readonly version: string;
  /** Largest accepted request body. */
  readonly bodyLimitBytes?: number | undefined;
  /** The live routing engine; without it the agent and wallboard endpoints answer 503. */
  readonly routing?: RoutingPort | undefined;
  /** The call layer; without it the call controls answer 503. */
  readonly calls?: CallControlPort | undefined;
  /**
   * A secret the server's own IVR sends (header `x-centralita-ivr-token`, with `x-centralita-tenant`) when a
   * flow's http node calls the platform's API: it acts as the read-only `analyst` role of that tenant. Made
   * at start and never leaves the process.
   */
  readonly ivrToken?: string | undefined;
  /** The built web app (apps/web/dist); served at `/` with client-side routes falling back to index.html. */
  readonly webRoot?: string | undefined;
  /** The installation's SIP domain (digest realms are `<tenant slug>.<domain>`); the host name by default. */
  readonly sipDomain?: string | undefined;
  /**
   * SIP over WebSocket (RFC 7118) on this server: upgrades of `path` that offer the `sip` sub-protocol are
   * handed to `accept` (the SIP endpoint). The plugin that serves the event stream routes every upgrade, so
   * SIP's goes through a route of its own rather than a second `upgrade` listener.
   */
  readonly sipWebSocket?:
    | {
        readonly path: string;
        readonly accept: (socket: WebSocket, request: IncomingMessage) => void;
      }
    | undefined;
}

export interface HttpApi {
  readonly app: FastifyInstance;
  readonly liveConnections: LiveConnections;
  /** Every route with what it demands (the permission-matrix test walks them). */
  readonly routes: readonly { readonly method: string; readonly url: string; readonly access: RouteAccess }[];
}

/** Session expiry slides forward at most once a minute per session: one write, not one per request. */
const sessionTouchIntervalMs = 60_000;
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the REST and WebSocket API (not listening yet). */
export async function buildHttpApi(deps: HttpApiDependencies): Promise<HttpApi> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    genReqId: () => randomUUID(),
    bodyLimit: deps.bodyLimitBytes ?? 1_048_576,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);

  const liveConnections = new LiveConnections();
  const routes: { method: string; url: string; access: RouteAccess }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    // The web app's files are public (the pages themselves ask the API, which checks every request).
    if (deps.webRoot !== undefined && route.url === '/*')
      route.config = { ...route.config, access: 'public' };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const access = route.config?.access;
      if (access === undefined) throw new Error(`route ${method} ${route.url} does not declare its access`);
      routes.push({ method, url: route.url, access });
    }
  });

  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'centralita_' });
  const requestDuration = new client.Histogram({
    name: 'centralita_http_request_duration_seconds',
    help: 'HTTP request duration by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'centralita_event_stream_connections',
    help: 'Open WebSocket event-stream connections.',
    registers: [registry],
    collect() {
      this.set(liveConnections.size);
    },
  });

  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: 64 * 1024,
      // RFC 7118 §4.1: a SIP client offers the `sip` sub-protocol and the server must choose it; the event
      // stream asks for none.
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Centralita API',
        version: deps.version,
        description:
          'REST API of the Centralita contact center. Browser clients use the session cookie and echo the CSRF token ' +
          'in `X-CSRF-Token` on unsafe methods; integrations send `Authorization: Bearer <API key>`. Errors are RFC 9457 ' +
          'problem details with a stable `code` and the offending `field`. Live events: open a WebSocket to `/api/events` ' +
          '(optionally `?types=TicketCreated,CustomerCreated`); each message is a JSON event envelope ' +
          '`{ id, type, tenantId, occurredAt, data }`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Authentication and authorisation run before body validation, so a caller without the right gets
  // 401/403 and learns nothing about what a valid request would look like.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return;
    request.principal = await authenticate(request, deps);
    if (access === 'public') return;
    const principal = request.principal;
    if (principal === null) {
      throw new HttpProblem(
        401,
        'HTTP_UNAUTHENTICATED',
        'Log in first, or send an API key as "Authorization: Bearer <key>".',
      );
    }
    if (principal.session !== null && unsafeMethods.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !isSameSecret(sent, principal.session.csrfToken)) {
        throw new HttpProblem(
          403,
          'HTTP_CSRF_FAILED',
          'Missing or wrong X-CSRF-Token header; reload the page and try again.',
        );
      }
    }
    if (!isAllowed(principal.role, access)) {
      throw new HttpProblem(403, 'HTTP_FORBIDDEN', `The ${principal.role} role may not do this (${access}).`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error: unknown, request, reply) => {
    const problem = toProblem(translateFrameworkError(error), request.url, request.id);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (problem.retryAfterS !== undefined) void reply.header('retry-after', String(problem.retryAfterS));
    return reply.status(problem.status).type('application/problem+json').send(problem);
  });
  if (deps.webRoot !== undefined) {
    await app.register(fastifyStatic, {
      root: deps.webRoot,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      maxAge: '1h',
    });
  }
  const webRoot = deps.webRoot;
  app.setNotFoundHandler((request, reply) => {
    // Client-side routes of the web app (/agent, /admin/users…) get the app's page; the app routes itself.
    const isPage =
      request.method === 'GET' &&
      !/^\/(api|docs|metrics|healthz|readyz)(\/|$)/.test(request.url) &&
      request.headers.accept?.includes('text/html') === true;
    if (webRoot !== undefined && isPage)
      return reply.header('cache-control', 'no-cache').sendFile('index.html', webRoot);
    const problem = toProblem(
      new HttpProblem(
        404,
        'HTTP_NOT_FOUND',
        `No ${request.method} ${request.url.split('?')[0] ?? ''} here; see /docs for the API.`,
      ),
      request.url,
      request.id,
    );
    return reply.status(404).type('application/problem+json').send(problem);
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  const routeDeps = {
    ...deps,
    loginThrottle: deps.loginThrottle ?? defaultLoginThrottlePolicy,
    liveConnections,
  };
  registerOperationsRoutes(typed, { database: deps.database, registry, version: deps.version });
  registerAuthRoutes(typed, routeDeps);
  registerUserRoutes(typed, routeDeps);
  registerDirectoryRoutes(typed, routeDeps);
  registerCustomerRoutes(typed, routeDeps);
  registerInteractionRoutes(typed, routeDeps);
  registerTicketRoutes(typed, routeDeps);
  registerFlowRoutes(typed, routeDeps);
  registerEventStream(typed, routeDeps);
  const sipWebSocket = deps.sipWebSocket;
  if (sipWebSocket !== undefined)
    app.get(
      sipWebSocket.path,
      // Phones authenticate in SIP (digest on REGISTER and INVITE), not with a session.
      { websocket: true, config: { access: 'public' }, schema: { hide: true } },
      (socket, request) => {
        sipWebSocket.accept(socket, request.raw);
      },
    );
  registerAgentRoutes(typed, { ...routeDeps, routing: deps.routing });
  registerCallRoutes(typed, { ...routeDeps, routing: deps.routing, calls: deps.calls });
  registerCompanionRoutes(typed, { ...routeDeps, calls: deps.calls, routing: deps.routing });
  registerHelpRoutes(typed, { ...routeDeps, routing: deps.routing });
  registerDispositionRoutes(typed, routeDeps);
  registerScriptRoutes(typed, routeDeps);
  registerKnowledgeRoutes(typed, routeDeps);
  registerTelephonyRoutes(typed, { ...routeDeps, sipDomain: deps.sipDomain });
  registerReportRoutes(typed, routeDeps);

  app.addHook('onClose', (_instance, done) => {
    liveConnections.closeAll('server shutting down');
    done();
  });
  await app.ready();
  return { app, liveConnections, routes };
}

/** Finds the caller from an API key or the session cookie; null when neither is valid. */
async function authenticate(request: FastifyRequest, deps: HttpApiDependencies): Promise<Principal | null> {
  const ivrToken = request.headers['x-centralita-ivr-token'];
  const ivrTenant = request.headers['x-centralita-tenant'];
  if (typeof ivrToken === 'string' && deps.ivrToken !== undefined) {
    if (!isSameSecret(tokenHash(ivrToken), tokenHash(deps.ivrToken)) || typeof ivrTenant !== 'string')
      return null;
    if (!isUuid(ivrTenant)) return null;
    return {
      tenantId: ivrTenant as TenantId,
      role: 'analyst',
      actor: { type: 'system', id: 'ivr' },
      userId: null,
      session: null,
    };
  }
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
    const parsed = parseApiKey(authorization.slice('Bearer '.length).trim());
    if (!parsed) return null;
    const key = await deps.database.asSystem((tx) => credentialStore.findApiKeyForUse(tx, parsed.prefix));
    if (!key || !isSameSecret(key.keyHash, tokenHash(parsed.secret))) return null;
    return {
      tenantId: key.tenantId as TenantId,
      role: key.role,
      actor: { type: 'api_key', id: key.id, role: key.role },
      userId: null,
      session: null,
    };
  }
  const token = request.cookies[sessionCookieName];
  if (token === undefined || token === '') return null;
  const hash = tokenHash(token);
  const now = deps.now();
  const session = await deps.database.asSystem((tx) => credentialStore.findSession(tx, hash, now));
  if (!session) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > sessionTouchIntervalMs) {
    await deps.database.asSystem((tx) =>
      credentialStore.touchSession(tx, hash, now, new Date(now.getTime() + deps.sessionIdleMs)),
    );
  }
  return {
    tenantId: session.tenantId as TenantId,
    role: session.role,
    actor: { type: 'user', id: session.userId, role: session.role },
    userId: session.userId,
    session: { tokenHash: hash, csrfToken: session.csrfToken },
  };
}

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly validationContext?: string;
}

/** Turns Fastify's own errors (validation, JSON syntax, media type, size) into our problems. */
function translateFrameworkError(error: unknown): unknown {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FrameworkError).validationContext;
    const errors: FieldProblem[] = error.validation.flatMap((issue) => {
      const base = fieldFromJsonPointer(issue.instancePath);
      if (issue.keyword === 'unrecognized_keys') {
        const keys = (issue.params as { keys?: unknown }).keys;
        return (Array.isArray(keys) ? keys : []).map((key) => ({
          field: base === '' ? String(key) : `${base}.${String(key)}`,
          message: 'is not a known field; remove it',
        }));
      }
      const message = (issue.message ?? 'is invalid').replace(/^Invalid input: /, '');
      return [{ field: base === '' ? (context ?? 'body') : base, message }];
    });
    const firstProblem = errors[0];
    const where =
      context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : 'field';
    return new HttpProblem(
      400,
      'HTTP_VALIDATION_FAILED',
      firstProblem
        ? `The ${where} "${firstProblem.field}" is invalid: ${firstProblem.message}.`
        : 'The request is invalid.',
      { field: firstProblem?.field, errors },
    );
  }
  if (typeof error !== 'object' || error === null) return error;
  const framework = error as FrameworkError;
  switch (framework.code) {
    case undefined:
      return error;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpProblem(
        400,
        'HTTP_MALFORMED_JSON',
        `The body is not valid JSON: ${framework.message ?? ''}`.trim(),
        { field: 'body' },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem(415, 'HTTP_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.', {
        field: 'content-type',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(413, 'HTTP_BODY_TOO_LARGE', 'The body is too large.', { field: 'body' });
    default:
      if (
        framework.statusCode !== undefined &&
        framework.statusCode >= 400 &&
        framework.statusCode < 500 &&
        framework.code.startsWith('FST_')
      ) {
        return new HttpProblem(
          framework.statusCode === 405 ? 405 : 400,
          framework.statusCode === 405 ? 'HTTP_METHOD_NOT_ALLOWED' : 'HTTP_VALIDATION_FAILED',
          framework.message ?? 'Bad request',
        );
      }
      return error;
  }
}

/** Sends a problem from a route without throwing (used where a reply header must be set too). */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: HttpProblem,
): FastifyReply {
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .send(toProblem(problem, request.url, request.id));
}
