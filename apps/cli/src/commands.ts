import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { TenantId } from '@centralita/kernel';
import { hashPassword, minimumPasswordLength } from '@centralita/http-api';
import {
  createLogger,
  demoLogins,
  demoPassword,
  demoTenantSlug,
  readConfig,
  renderTenantPrompts,
  seedDemo,
  startServer,
  version,
} from '@centralita/server';
import { credentials, migrate, roles, StoreError, tenants, users } from '@centralita/store';
import type { Database, Role } from '@centralita/store';
import { connectDatabase } from '@centralita/server';
import type { Console } from './cli-context.ts';
import { CliError, withDatabase } from './cli-context.ts';
import { registerDemoCommands } from './demo-calls-command.ts';
import { registerIvrCommands } from './ivr-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';

function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}

function checkedPassword(value: string): string {
  if (value.length < minimumPasswordLength)
    throw new InvalidArgumentError(`must have at least ${minimumPasswordLength} characters`);
  return value;
}

async function tenantIdOf(database: Database, slug: string): Promise<TenantId> {
  const tenant = await database.asSystem((tx) => tenants.findTenantBySlug(tx, slug));
  if (!tenant) {
    const known = await database.asSystem((tx) => tenants.listTenants(tx));
    throw new CliError(
      `No tenant "${slug}". Known tenants: ${known.map((t) => t.slug).join(', ') || 'none (run: centralita seed demo)'}.`,
    );
  }
  return tenant.id as TenantId;
}

/** The `centralita` command tree. */
export function buildProgram(console: Console, onStarted: (stop: () => Promise<void>) => void): Command {
  const program = new Command('centralita')
    .description('Centralita contact center: run the server and administer it from the shell.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => {
        console.out(s.trimEnd());
      },
      writeErr: (s) => {
        console.err(s.trimEnd());
      },
    });

  program
    .command('start')
    .description(
      'Start the server: embedded PostgreSQL unless DATABASE_URL is set, migrations, demo data on an empty database, API on :8080.',
    )
    .addHelpText(
      'after',
      '\nEnvironment: PORT, HOST, DATABASE_URL, CENTRALITA_DATA_DIR, LOG_LEVEL, LOG_FORMAT (auto|json|text), CENTRALITA_SEED_DEMO (if-empty|never). See docs/operations.md.',
    )
    .action(async () => {
      const config = readConfig(process.env, process.cwd());
      const format =
        config.logFormat === 'auto' ? (process.stdout.isTTY ? 'text' : 'json') : config.logFormat;
      const logger = createLogger(config.logLevel, format);
      const server = await startServer(config, logger);
      console.err(
        `Centralita is running: ${server.url} (API docs at ${server.url}/docs). Demo logins: tenant "${demoTenantSlug}", password "${demoPassword}", e.g. ${demoLogins[0]?.email ?? ''}. Ctrl+C stops it.`,
      );
      onStarted(() => server.stop());
    });

  const db = program.command('db').description('Database administration.');
  db.command('migrate')
    .description('Apply pending migrations to the configured database and exit.')
    .action(async () => {
      const config = readConfig(process.env, process.cwd());
      const connection = await connectDatabase(config, (message) => {
        console.err(message);
      });
      try {
        const result = await migrate(connection.url, {
          onProgress: (message) => {
            console.err(message);
          },
        });
        console.out(
          result.applied.length === 0
            ? `Schema up to date (${result.alreadyApplied} migrations applied before).`
            : `Applied ${result.applied.length} migration(s).`,
        );
      } finally {
        await connection.release();
      }
    });

  const seed = program.command('seed').description('Load data.');
  seed
    .command('demo')
    .description(
      'Create the demo tenant (FibraSur Telecom): queues, 13 staff logins, customers, tickets and past calls (CENTRALITA_DEMO_HISTORY_DAYS days, 90 by default).',
    )
    .action(() =>
      withDatabase(console, async (database, config) => {
        const result = await seedDemo(database, {
          sipDomain: config.sip.domain,
          historyDays: config.demoHistoryDays,
          now: new Date(),
          hashPassword,
          onProgress: (message) => {
            console.err(message);
          },
        });
        if (!result.isCreated) {
          console.out(`The demo tenant "${demoTenantSlug}" exists already; nothing changed.`);
          return;
        }
        console.out(
          `Demo tenant "${demoTenantSlug}" created: ${result.customers} customers, ${result.interactions} interactions, ${result.tickets} tickets.`,
        );
        console.out(`Logins (password "${demoPassword}"):`);
        for (const login of demoLogins) console.out(`  ${login.role.padEnd(9)} ${login.email}`);
        console.err('rendering the demo IVR prompts with espeak-ng…');
        const prompts = await renderTenantPrompts(database, config.promptCacheDir, demoTenantSlug);
        console.out(
          prompts.failures.length === 0
            ? `IVR prompts: ${prompts.rendered} rendered, ${prompts.cached} already cached (${config.promptCacheDir}).`
            : `IVR prompts not rendered (${prompts.failures[0]?.error.message ?? 'unknown reason'}); they will be rendered on first use.`,
        );
      }),
    );

  const tenant = program.command('tenant').description('Tenants (client businesses).');
  tenant
    .command('create')
    .description('Create a tenant.')
    .requiredOption('--slug <slug>', 'short name used at login, e.g. acme')
    .requiredOption('--name <name>', 'the business name')
    .option('--country <code>', 'default country for phone numbers (ISO 3166)', 'ES')
    .addOption(new Option('--language <language>', 'default language').choices(['es', 'en']).default('es'))
    .option('--time-zone <zone>', 'IANA time zone', 'Europe/Madrid')
    .action(
      (options: { slug: string; name: string; country: string; language: 'es' | 'en'; timeZone: string }) =>
        withDatabase(console, async (database) => {
          const created = await database.asSystem((tx) =>
            tenants.createTenant(tx, {
              slug: options.slug,
              name: options.name,
              defaultCountry: options.country.toUpperCase(),
              defaultLanguage: options.language,
              timeZone: options.timeZone,
            }),
          );
          console.out(
            `Tenant "${created.slug}" created (${created.id}). Add its first admin: centralita user create --tenant ${created.slug} --role admin --email … --name …`,
          );
        }),
    );

  const user = program.command('user').description('Staff accounts.');
  user
    .command('create')
    .description('Create a user; prints a generated password unless --password is given.')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'login e-mail address')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices([...roles]).default('agent'))
    .option('--extension <digits>', 'phone extension (2–8 digits)')
    .option(
      '--password <password>',
      `password (at least ${minimumPasswordLength} characters)`,
      checkedPassword,
    )
    .action(
      (options: {
        tenant: string;
        email: string;
        name: string;
        role: Role;
        extension?: string;
        password?: string;
      }) =>
        withDatabase(console, async (database) => {
          const tenantId = await tenantIdOf(database, options.tenant);
          const password = options.password ?? generatedPassword();
          const passwordHash = await hashPassword(password);
          const created = await database.inTenant({ tenantId, actor: { type: 'system', id: 'cli' } }, (tx) =>
            users.createUser(tx, {
              email: options.email,
              displayName: options.name,
              role: options.role,
              extension: options.extension ?? null,
              passwordHash,
            }),
          );
          console.out(`User ${created.email} (${created.role}) created in tenant "${options.tenant}".`);
          if (options.password === undefined) console.out(`Password: ${password}`);
        }),
    );
  user
    .command('reset-password')
    .description(
      'Set a new password and end the user’s sessions; prints a generated password unless --password is given.',
    )
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'login e-mail address')
    .option(
      '--password <password>',
      `new password (at least ${minimumPasswordLength} characters)`,
      checkedPassword,
    )
    .action((options: { tenant: string; email: string; password?: string }) =>
      withDatabase(console, async (database) => {
        const tenantId = await tenantIdOf(database, options.tenant);
        const password = options.password ?? generatedPassword();
        const passwordHash = await hashPassword(password);
        await database.inTenant({ tenantId, actor: { type: 'system', id: 'cli' } }, async (tx) => {
          const found = await users.listUsers(tx, { limit: 1, offset: 0, search: options.email });
          const target = found.items.find((u) => u.email === options.email.toLowerCase());
          if (!target) throw new CliError(`No user ${options.email} in tenant "${options.tenant}".`);
          await users.setPasswordHash(tx, target.id, passwordHash);
          await credentials.deleteSessionsOfUser(tx, target.id);
        });
        console.out(`Password of ${options.email} reset; their sessions were ended.`);
        if (options.password === undefined) console.out(`Password: ${password}`);
      }),
    );
  registerIvrCommands(program, console);
  registerSimulateCommand(program, console);
  registerDemoCommands(program, console);
  return program;
}

/** Turns any failure into one line a person can act on. */
export function describeFailure(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof StoreError)
    return `${error.message}${error.field === undefined ? '' : ` (${error.field})`}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
