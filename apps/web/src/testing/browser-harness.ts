import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { demoPassword, demoTenantSlug, startTestServer } from '@centralita/server';
import type { RunningServer } from '@centralita/server';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots of every main screen, kept by CI as test artifacts. */
export const screenshotDir = path.resolve(webDir, '../../test-results/screenshots');
/** Every wait for an element or a response fails the test after this long. */
export const browserWaitMs = 10_000;

/** Headers of a signed-in API session: the cookie and the CSRF token that writes need. */
export interface ApiSession {
  readonly cookie: string;
  readonly csrfToken: string;
  /** Headers for a read. */
  readonly headers: Record<string, string>;
  /** Headers for a JSON write. */
  readonly writeHeaders: Record<string, string>;
}

/**
 * One browser test file's world: the web app built into a directory of its own (so test files running in
 * parallel never race on apps/web/dist), a real server with the demo tenant on a fresh database, and
 * Debian's Chromium.
 */
export interface BrowserHarness {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** A fresh browser context (own cookies) with a laptop-sized window and the given locale. */
  newPage(locale: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Opens a path of the app and signs in on the login form it shows. */
  signIn(page: Page, email: string, pathname?: string): Promise<void>;
  screenshot(page: Page, name: string): Promise<void>;
  /** Signs in through the API as a demo user. */
  apiLogin(email: string): Promise<ApiSession>;
  stop(): Promise<void>;
}

export async function startBrowserHarness(
  adminDatabaseUrl: string,
  name: string,
  env: Readonly<Record<string, string>> = {},
): Promise<BrowserHarness> {
  await mkdir(screenshotDir, { recursive: true });
  const outDir = await mkdtemp(path.join(tmpdir(), `centralita-web-${name}-`));
  await build({
    root: path.join(webDir, 'src'),
    configFile: path.join(webDir, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  const testServer = await startTestServer(adminDatabaseUrl, name, { CENTRALITA_WEB_DIR: outDir, ...env });
  const server = testServer.server;
  // launch() gives every run a fresh temporary profile (user-data dir) of its own.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    server,
    browser,
    async newPage(locale) {
      const context = await browser.newContext({ locale, viewport: { width: 1366, height: 768 } });
      context.setDefaultTimeout(browserWaitMs);
      return { context, page: await context.newPage() };
    },
    async signIn(page, email, pathname = '/') {
      await page.goto(`${server.url}${pathname}`);
      await page.locator('input[name=tenant]').fill(demoTenantSlug);
      await page.locator('input[name=email]').fill(email);
      await page.locator('input[name=password]').fill(demoPassword);
      await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/tenant') && response.ok()),
        page.locator('input[name=password]').press('Enter'),
      ]);
      await page.locator('nav').waitFor();
    },
    async screenshot(page, screenshotName) {
      await page.screenshot({ path: path.join(screenshotDir, `${screenshotName}.png`), fullPage: true });
    },
    async apiLogin(email) {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
      });
      if (response.status !== 200) throw new Error(`login as ${email} answered ${response.status}`);
      const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const me = (await (await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).json()) as {
        csrfToken: string;
      };
      return {
        cookie,
        csrfToken: me.csrfToken,
        headers: { cookie },
        writeHeaders: { cookie, 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
      };
    },
    async stop() {
      await browser.close();
      await testServer.stop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
