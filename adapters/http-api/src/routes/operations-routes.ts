import type client from 'prom-client';
import type { Database } from '@centralita/store';
import type { ApiApp } from '../api-app.ts';

/** Liveness, readiness and Prometheus metrics for operators and orchestrators. */
export function registerOperationsRoutes(
  app: ApiApp,
  deps: { database: Database; registry: client.Registry; version: string },
): void {
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, () => ({
    status: 'ok',
    version: deps.version,
  }));

  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const isDatabaseReady = await deps.database.isReady();
    return reply.status(isDatabaseReady ? 200 : 503).send({
      status: isDatabaseReady ? 'ready' : 'not ready',
      checks: { database: isDatabaseReady ? 'ok' : 'unreachable' },
    });
  });

  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
}
