import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InProcessBus } from '@centralita/bus';
import { Database } from '@centralita/store';
import { buildHttpApi } from './app.ts';
import type { HttpApi } from './app.ts';
import './test-support.ts';

let api: HttpApi;
let database: Database;

beforeAll(async () => {
  const webRoot = await mkdtemp(path.join(tmpdir(), 'centralita-web-'));
  await mkdir(path.join(webRoot, 'assets'));
  await writeFile(
    path.join(webRoot, 'index.html'),
    '<!doctype html><title>Centralita</title><div id="root"></div>',
  );
  await writeFile(path.join(webRoot, 'assets', 'app.js'), 'console.log("app")');
  database = new Database(inject('databaseUrl'));
  api = await buildHttpApi({
    database,
    bus: new InProcessBus(),
    now: () => new Date(),
    isCookieSecure: false,
    sessionIdleMs: 60_000,
    version: 'test',
    webRoot,
  });
});

afterAll(async () => {
  await api.app.close();
  await database.close();
});

describe('serving the web app', () => {
  it('serves the page at / and its assets', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<div id="root">');
    const asset = await api.app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
  });

  it('answers the app’s own routes with the page, so a reload of /admin/users works', async () => {
    const deep = await api.app.inject({
      method: 'GET',
      url: '/admin/users?tab=2',
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<div id="root">');
  });

  it('keeps JSON problem details for the API and for missing files', async () => {
    const api404 = await api.app.inject({
      method: 'GET',
      url: '/api/nothing',
      headers: { accept: 'text/html' },
    });
    expect(api404.statusCode).toBe(404);
    expect(api404.json()).toMatchObject({ code: 'HTTP_NOT_FOUND' });
    const missingAsset = await api.app.inject({
      method: 'GET',
      url: '/assets/missing.js',
      headers: { accept: '*/*' },
    });
    expect(missingAsset.statusCode).toBe(404);
    expect(missingAsset.headers['content-type']).toContain('application/problem+json');
  });
});
