import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './test-support.ts';
import { startTestApi } from './test-support.ts';

let testApi: TestApi;

beforeAll(async () => {
  testApi = await startTestApi();
});

afterAll(async () => {
  await testApi.close();
});

describe('operations endpoints', () => {
  it('reports liveness and readiness with the database check', async () => {
    const health = await testApi.api.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', version: 'test' });
    const ready = await testApi.api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('exposes Prometheus metrics that count requests by route and status', async () => {
    await testApi.api.app.inject({ method: 'GET', url: '/api/customers' });
    const metrics = await testApi.api.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(
      /centralita_http_request_duration_seconds_count\{method="GET",route="\/api\/customers",status="401"\} 1/,
    );
    expect(metrics.body).toContain('centralita_event_stream_connections 0');
    expect(metrics.body).toContain('centralita_process_cpu_user_seconds_total');
  });

  it('serves the OpenAPI document with every API route and the error format', async () => {
    const response = await testApi.api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      info: { description: string };
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // The WebSocket stream is not an OpenAPI operation; the document's description explains it instead.
    expect(document.info.description).toContain('/api/events');
    for (const route of testApi.api.routes.filter(
      (r) => r.url.startsWith('/api/') && r.url !== '/api/events',
    )) {
      expect(documented).toContain(`${route.method} ${route.url.replace(/:([a-zA-Z]+)/g, '{$1}')}`);
    }
    const ui = await testApi.api.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('reports not ready when the database is gone', async () => {
    const broken = await startTestApi();
    await broken.database.close();
    const ready = await broken.api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { database: 'unreachable' } });
    await broken.api.app.close();
  });
});
