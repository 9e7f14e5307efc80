import { defineConfig } from 'vitest/config';

/**
 * Two projects: `domain` is pure and needs nothing; `integration` (adapters, apps, tools) gets a migrated
 * PostgreSQL from the global setup: the server in DATABASE_URL, or an embedded one it starts itself.
 */
export default defineConfig({
  test: {
    reporters: ['default', './tools/testkit/src/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'domain',
          include: ['domain/*/src/**/*.test.ts'],
          setupFiles: ['tools/testkit/src/fast-check-seed.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['adapters/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts'],
          globalSetup: ['tools/testkit/src/global-setup.ts'],
          setupFiles: ['tools/testkit/src/fast-check-seed.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
