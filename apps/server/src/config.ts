import { isIP } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_GATHER_MICROS,
  DEFAULT_MEDIA_THREAD_NICE,
  MAX_GATHER_MICROS,
} from '@centralita/rtp-transport';
import type { SessionTimerPolicy } from '@centralita/sip';
import { defaultSessionTimerPolicy } from '@centralita/sip';

/** The SIP service: where it listens, the domain phones register to, and the registrar's limits. */
export interface SipConfig {
  readonly isEnabled: boolean;
  readonly host: string;
  /** 0 lets the system choose. */
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Tenant `demo` registers to `demo.<domain>` (the digest realm too). */
  readonly domain: string;
  readonly advertisedAddress: string | undefined;
  readonly minExpiresS: number;
  readonly maxExpiresS: number;
  readonly authFailures: {
    readonly maxFailures: number;
    readonly windowMs: number;
    readonly blockMs: number;
  };
  /** Digest challenges offered, most preferred first. */
  readonly digestAlgorithms: readonly ('SHA-256' | 'MD5')[];
  /** DNS servers for RFC 3263 location of trunk hosts (`address` or `address:port`); empty: the system's. */
  readonly dnsServers: readonly string[];
  /** SIP over TLS: the listener, and the certificate we present to trunks; undefined: no TLS. */
  readonly tls: SipTlsConfig | undefined;
  /** The HTTP server's path for SIP over WebSocket (RFC 7118, sub-protocol `sip`); undefined: not served. */
  readonly webSocketPath: string | undefined;
  /**
   * Session timers of calls we answer (RFC 4028): Min-SE 90 s and 1800 s offered. Not read from the
   * environment: only tests set shorter intervals (`startTestServer`'s `sessionTimer`), below the RFC's floor.
   */
  readonly sessionTimer: SessionTimerPolicy;
}

/**
 * SIP over TLS (RFC 3261 §26.2, RFC 5630): a listener on `port` with our certificate, which outgoing TLS
 * connections (trunks) present as a client certificate too, and the CA bundle that client certificates and
 * carriers' certificates are checked against (carriers' against the system's roots as well).
 */
export interface SipTlsConfig {
  readonly port: number;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string | undefined;
  /** Whether the listener asks peers for a certificate (`request`) or refuses those without a valid one. */
  readonly clientCertificates: 'off' | 'request' | 'require';
}

/** Everything the server reads from its environment, validated once at start. */
export interface ServerConfig {
  readonly httpHost: string;
  readonly httpPort: number;
  /** An external PostgreSQL; when absent, the embedded one under `dataDir` is used. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedDatabasePort: number;
  /** Whether frequent statements are prepared on each connection (off behind a transaction pooler). */
  readonly preparesStatements: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `json` lines, readable `text`, or `auto`: text when standard output is a terminal, JSON otherwise. */
  readonly logFormat: 'auto' | 'json' | 'text';
  readonly isCookieSecure: boolean;
  readonly sessionIdleMs: number;
  /** `if-empty`: seed the demo tenant when the database has no tenant yet; `never`: do not. */
  readonly seedDemo: 'if-empty' | 'never';
  /** Days of past calls the demo tenant is seeded with (simulated through the routing engine). */
  readonly demoHistoryDays: number;
  /** Where rendered text-to-speech prompts are cached. */
  readonly promptCacheDir: string;
  /** Render every published flow's prompts in the background after start. */
  readonly isPrerenderingPrompts: boolean;
  /** The built web app served at `/` (apps/web/dist unless CENTRALITA_WEB_DIR says otherwise). */
  readonly webDir: string | undefined;
  readonly sip: SipConfig;
  readonly media: MediaConfig;
}

/** The media engine (RTP) and recordings. */
export interface MediaConfig {
  /** Address RTP binds to and announces in SDP. */
  readonly address: string;
  /** RTP port range; absent: the system picks. */
  readonly portRange: { readonly min: number; readonly max: number } | undefined;
  readonly workerCount: number;
  readonly recordingDir: string;
  /** A leg without RTP this long ends its call (0: never). */
  readonly noMediaTimeoutMs: number;
  /** How media datagrams move (ADR 0009): auto, native (batched, addon) or dgram (Node's). */
  readonly datagramIo: 'auto' | 'native' | 'dgram';
  /** On the native path, how long received datagrams may gather under load (µs; 0: not at all). */
  readonly gatherMicros: number;
  /** The media worker threads' nice value (-20 to 19; 0 leaves them alone). */
  readonly threadNice: number;
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
  CENTRALITA_DB_PREPARED_STATEMENTS: flag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'text']).default('auto'),
  CENTRALITA_COOKIE_SECURE: flag.default(false),
  CENTRALITA_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(12 * 60),
  CENTRALITA_SEED_DEMO: z.enum(['if-empty', 'never']).default('if-empty'),
  CENTRALITA_DEMO_HISTORY_DAYS: z.coerce.number().int().min(1).max(366).default(90),
  CENTRALITA_PROMPT_CACHE_DIR: z.string().optional(),
  CENTRALITA_PRERENDER_PROMPTS: flag.default(true),
  CENTRALITA_SIP_ENABLED: flag.default(true),
  CENTRALITA_SIP_HOST: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IP address' }).default('0.0.0.0'),
  CENTRALITA_SIP_UDP_PORT: z.coerce.number().int().min(0).max(65_535).default(5060),
  CENTRALITA_SIP_TCP_PORT: z.coerce.number().int().min(0).max(65_535).default(5060),
  CENTRALITA_SIP_WS_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$|^$/, { message: 'must be a path such as /sip, or empty to turn it off' })
    .default('/sip'),
  CENTRALITA_SIP_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
      message: 'must be a host name such as pbx.example.com',
    })
    .optional(),
  CENTRALITA_SIP_ADVERTISED_ADDRESS: z
    .union([z.ipv4(), z.ipv6()], { message: 'must be an IP address' })
    .optional(),
  CENTRALITA_SIP_MIN_EXPIRES_S: z.coerce.number().int().min(1).max(86_400).default(60),
  CENTRALITA_SIP_MAX_EXPIRES_S: z.coerce.number().int().min(1).max(86_400).default(3600),
  CENTRALITA_SIP_AUTH_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  CENTRALITA_SIP_AUTH_FAILURE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  CENTRALITA_SIP_AUTH_BLOCK_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(600),
  CENTRALITA_SIP_DIGEST_ALGORITHMS: z
    .string()
    .default('SHA-256,MD5')
    .transform((value) => value.split(',').map((algorithm) => algorithm.trim().toUpperCase()))
    .pipe(
      z
        .array(z.enum(['SHA-256', 'MD5'], { message: 'must list SHA-256 and/or MD5, e.g. SHA-256,MD5' }))
        .min(1)
        .refine((list) => new Set(list).size === list.length, { message: 'must not repeat an algorithm' }),
    ),
  CENTRALITA_SIP_DNS_SERVERS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((server) => server.trim())
        .filter((server) => server !== ''),
    )
    .pipe(
      z.array(
        z.string().refine(isDnsServer, {
          message:
            'must list DNS servers as IP addresses with an optional port, e.g. 192.0.2.53,[2001:db8::53]:5353',
        }),
      ),
    ),
  CENTRALITA_SIP_TLS_PORT: z.coerce.number().int().min(0).max(65_535).default(5061),
  CENTRALITA_SIP_TLS_CERT: z.string().min(1, { message: 'must be the path of a PEM certificate' }).optional(),
  CENTRALITA_SIP_TLS_KEY: z.string().min(1, { message: 'must be the path of a PEM private key' }).optional(),
  CENTRALITA_SIP_TLS_CA: z.string().min(1, { message: 'must be the path of a PEM CA bundle' }).optional(),
  CENTRALITA_SIP_TLS_CLIENT_CERT: z
    .enum(['off', 'request', 'require'], { message: 'must be off, request or require' })
    .default('off'),
  CENTRALITA_MEDIA_ADDRESS: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IP address' }).optional(),
  CENTRALITA_RTP_PORT_MIN: z.coerce.number().int().min(1024).max(65_534).optional(),
  CENTRALITA_RTP_PORT_MAX: z.coerce.number().int().min(1025).max(65_535).optional(),
  CENTRALITA_MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  CENTRALITA_MEDIA_IO: z.enum(['auto', 'native', 'dgram']).default('auto'),
  CENTRALITA_MEDIA_GATHER_US: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_GATHER_MICROS)
    .default(DEFAULT_GATHER_MICROS),
  CENTRALITA_MEDIA_NICE: z.coerce.number().int().min(-20).max(19).default(DEFAULT_MEDIA_THREAD_NICE),
  CENTRALITA_RECORDING_DIR: z.string().optional(),
  CENTRALITA_NO_MEDIA_TIMEOUT_S: z.coerce.number().int().min(0).max(3_600).default(60),
  CENTRALITA_WEB_DIR: z.string().optional(),
});

/** The TLS settings that make sense only together: a certificate needs its key, and the rest need both. */
function tlsProblems(value: z.infer<typeof environment>): string[] {
  const hasCertificate = value.CENTRALITA_SIP_TLS_CERT !== undefined;
  const hasKey = value.CENTRALITA_SIP_TLS_KEY !== undefined;
  const needsBoth =
    'needs CENTRALITA_SIP_TLS_CERT and CENTRALITA_SIP_TLS_KEY (SIP over TLS is off without them)';
  return [
    ...(hasCertificate && !hasKey
      ? ['  CENTRALITA_SIP_TLS_KEY: must be set with CENTRALITA_SIP_TLS_CERT']
      : []),
    ...(hasKey && !hasCertificate
      ? ['  CENTRALITA_SIP_TLS_CERT: must be set with CENTRALITA_SIP_TLS_KEY']
      : []),
    ...(!hasCertificate && !hasKey && value.CENTRALITA_SIP_TLS_CA !== undefined
      ? [`  CENTRALITA_SIP_TLS_CA: ${needsBoth}`]
      : []),
    ...(!hasCertificate && !hasKey && value.CENTRALITA_SIP_TLS_CLIENT_CERT !== 'off'
      ? [`  CENTRALITA_SIP_TLS_CLIENT_CERT: ${needsBoth}`]
      : []),
  ];
}

/** `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53` or `[2001:db8::53]:5353`, as `Resolver.setServers` takes them. */
function isDnsServer(text: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(text);
  const [address, port] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : withPort
      ? [withPort[1] ?? '', withPort[2]]
      : [text, undefined];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return false;
  return bracketed ? isIP(address) === 6 : isIP(address) !== 0;
}

/** Thrown with every problem in the environment at once, each naming its variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): ServerConfig {
  const parsed = environment.safeParse(env);
  const lines = parsed.success
    ? tlsProblems(parsed.data)
    : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  if (!parsed.success || lines.length > 0) {
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
    preparesStatements: value.CENTRALITA_DB_PREPARED_STATEMENTS,
    logLevel: value.LOG_LEVEL,
    logFormat: value.LOG_FORMAT,
    isCookieSecure: value.CENTRALITA_COOKIE_SECURE,
    sessionIdleMs: value.CENTRALITA_SESSION_IDLE_MINUTES * 60_000,
    seedDemo: value.CENTRALITA_SEED_DEMO,
    demoHistoryDays: value.CENTRALITA_DEMO_HISTORY_DAYS,
    promptCacheDir: path.resolve(
      cwd,
      value.CENTRALITA_PROMPT_CACHE_DIR ?? path.join(value.CENTRALITA_DATA_DIR, 'prompts'),
    ),
    isPrerenderingPrompts: value.CENTRALITA_PRERENDER_PROMPTS,
    webDir: value.CENTRALITA_WEB_DIR === undefined ? undefined : path.resolve(cwd, value.CENTRALITA_WEB_DIR),
    sip: {
      isEnabled: value.CENTRALITA_SIP_ENABLED,
      host: value.CENTRALITA_SIP_HOST,
      udpPort: value.CENTRALITA_SIP_UDP_PORT,
      tcpPort: value.CENTRALITA_SIP_TCP_PORT,
      webSocketPath: value.CENTRALITA_SIP_WS_PATH === '' ? undefined : value.CENTRALITA_SIP_WS_PATH,
      domain: (value.CENTRALITA_SIP_DOMAIN ?? hostname()).toLowerCase(),
      advertisedAddress: value.CENTRALITA_SIP_ADVERTISED_ADDRESS,
      minExpiresS: value.CENTRALITA_SIP_MIN_EXPIRES_S,
      maxExpiresS: Math.max(value.CENTRALITA_SIP_MIN_EXPIRES_S, value.CENTRALITA_SIP_MAX_EXPIRES_S),
      authFailures: {
        maxFailures: value.CENTRALITA_SIP_AUTH_MAX_FAILURES,
        windowMs: value.CENTRALITA_SIP_AUTH_FAILURE_WINDOW_S * 1000,
        blockMs: value.CENTRALITA_SIP_AUTH_BLOCK_S * 1000,
      },
      digestAlgorithms: value.CENTRALITA_SIP_DIGEST_ALGORITHMS,
      dnsServers: value.CENTRALITA_SIP_DNS_SERVERS,
      tls:
        value.CENTRALITA_SIP_TLS_CERT === undefined || value.CENTRALITA_SIP_TLS_KEY === undefined
          ? undefined
          : {
              port: value.CENTRALITA_SIP_TLS_PORT,
              certPath: path.resolve(cwd, value.CENTRALITA_SIP_TLS_CERT),
              keyPath: path.resolve(cwd, value.CENTRALITA_SIP_TLS_KEY),
              caPath:
                value.CENTRALITA_SIP_TLS_CA === undefined
                  ? undefined
                  : path.resolve(cwd, value.CENTRALITA_SIP_TLS_CA),
              clientCertificates: value.CENTRALITA_SIP_TLS_CLIENT_CERT,
            },
      sessionTimer: defaultSessionTimerPolicy,
    },
    media: {
      // Phones must reach the media address: the SIP advertised address, else a concrete SIP bind
      // address, else loopback (set CENTRALITA_MEDIA_ADDRESS for phones on other machines).
      address:
        value.CENTRALITA_MEDIA_ADDRESS ??
        value.CENTRALITA_SIP_ADVERTISED_ADDRESS ??
        (value.CENTRALITA_SIP_HOST === '0.0.0.0' || value.CENTRALITA_SIP_HOST === '::'
          ? '127.0.0.1'
          : value.CENTRALITA_SIP_HOST),
      portRange:
        value.CENTRALITA_RTP_PORT_MIN === undefined || value.CENTRALITA_RTP_PORT_MAX === undefined
          ? undefined
          : { min: value.CENTRALITA_RTP_PORT_MIN, max: value.CENTRALITA_RTP_PORT_MAX },
      workerCount: value.CENTRALITA_MEDIA_WORKERS,
      recordingDir: path.resolve(
        cwd,
        value.CENTRALITA_RECORDING_DIR ?? path.join(value.CENTRALITA_DATA_DIR, 'recordings'),
      ),
      noMediaTimeoutMs: value.CENTRALITA_NO_MEDIA_TIMEOUT_S * 1000,
      datagramIo: value.CENTRALITA_MEDIA_IO,
      gatherMicros: value.CENTRALITA_MEDIA_GATHER_US,
      threadNice: value.CENTRALITA_MEDIA_NICE,
    },
  };
}
