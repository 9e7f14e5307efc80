import { z } from 'zod';
import type { ApiApp, RouteDependencies } from '../api-app.ts';
import { principalOf } from '../principal.ts';
import { HttpProblem } from '../problem.ts';

/** How often the server pings an idle connection, so proxies keep it open and dead peers are found. */
const heartbeatIntervalMs = 25_000;

/**
 * `GET /api/events` (WebSocket): the tenant's domain events as JSON envelopes, live. Authenticated by the
 * session cookie (same origin only) or an API key; ended by the server at logout or when the account is
 * disabled (close code 4401).
 */
export function registerEventStream(app: ApiApp, deps: RouteDependencies): void {
  app.get(
    '/api/events',
    {
      websocket: true,
      config: { access: 'events:subscribe' },
      schema: {
        tags: ['events'],
        summary: 'WebSocket stream of this tenant’s events',
        querystring: z.strictObject({
          types: z
            .string()
            .max(1000)
            .optional()
            .describe('Comma-separated event types to receive; all when absent.'),
        }),
      },
      preValidation: (request, _reply, done) => {
        // A cookie-authenticated WebSocket must come from our own pages (cross-site WebSocket hijacking).
        const origin = request.headers.origin;
        if (request.principal?.session && origin !== undefined && !isSameHost(origin, request.headers.host)) {
          done(
            new HttpProblem(
              403,
              'HTTP_FORBIDDEN',
              'The event stream only accepts connections from this server’s own pages.',
            ),
          );
          return;
        }
        done();
      },
    },
    (socket, request) => {
      const principal = principalOf(request);
      const types =
        request.query.types === undefined
          ? null
          : new Set(request.query.types.split(',').map((t) => t.trim()));
      const untrack = deps.liveConnections.add(
        socket,
        principal.userId,
        principal.session?.tokenHash ?? null,
      );
      const unsubscribe = deps.bus.subscribe(principal.tenantId, (event) => {
        if (types !== null && !types.has(event.type)) return;
        if (event.recipientUserId !== undefined && event.recipientUserId !== principal.userId) return;
        socket.send(JSON.stringify(event));
      });
      let isAlive = true;
      socket.on('pong', () => {
        isAlive = true;
      });
      const heartbeat = setInterval(() => {
        if (!isAlive) {
          socket.terminate();
          return;
        }
        isAlive = false;
        socket.ping();
      }, heartbeatIntervalMs);
      socket.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        untrack();
      });
      socket.send(
        JSON.stringify({
          type: 'StreamOpened',
          tenantId: principal.tenantId,
          role: principal.role,
          occurredAt: deps.now().toISOString(),
        }),
      );
    },
  );
}

function isSameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
