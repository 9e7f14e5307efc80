import path from 'node:path';
import { z } from 'zod';

/** Everything the server reads from its environment, validated once at start. */
export interface ServerConfig {
  readonly httpHost: string;
  readonly httpPort: number;
  /** An external PostgreSQL; when absent, the embedded one under `dataDir` is used. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedDatabasePort: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly isCookieSecure: boolean;
  readonly sessionIdleMs: number;
  /** `if-empty`: seed the demo tenant when the database has no tenant yet; `never`: do not. */
  readonly seedDemo: 'if-empty' | 'never';
  /** Where rendered text-to-speech prompts are cached. */
  readonly promptCacheDir: string;
  /** Render every published flow's prompts in the background after start. */
  readonly isPrerenderingPrompts: boolean;
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));

const environment = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection string' })
    .optional(),
  CENTRALITA_DATA_DIR: z.string().default('data'),
  CENTRALITA_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(5488),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CENTRALITA_COOKIE_SECURE: flag.default(false),
  CENTRALITA_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(12 * 60),
  CENTRALITA_SEED_DEMO: z.enum(['if-empty', 'never']).default('if-empty'),
  CENTRALITA_PROMPT_CACHE_DIR: z.string().optional(),
  CENTRALITA_PRERENDER_PROMPTS: flag.default(true),
});

/** Thrown with every problem in the environment at once, each naming its variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): ServerConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(
      `The environment is not valid:\n${lines.join('\n')}\nFix these variables and start again (see docs/operations.md).`,
    );
  }
  const value = parsed.data;
  return {
    httpHost: value.HOST,
    httpPort: value.PORT,
    databaseUrl: value.DATABASE_URL === '' ? undefined : value.DATABASE_URL,
    dataDir: path.resolve(cwd, value.CENTRALITA_DATA_DIR),
    embeddedDatabasePort: value.CENTRALITA_EMBEDDED_PG_PORT,
    logLevel: value.LOG_LEVEL,
    isCookieSecure: value.CENTRALITA_COOKIE_SECURE,
    sessionIdleMs: value.CENTRALITA_SESSION_IDLE_MINUTES * 60_000,
    seedDemo: value.CENTRALITA_SEED_DEMO,
    promptCacheDir: path.resolve(
      cwd,
      value.CENTRALITA_PROMPT_CACHE_DIR ?? path.join(value.CENTRALITA_DATA_DIR, 'prompts'),
    ),
    isPrerenderingPrompts: value.CENTRALITA_PRERENDER_PROMPTS,
  };
}
