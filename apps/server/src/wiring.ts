import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';
import { InProcessBus } from '@centralita/bus';
import { buildHttpApi, hashPassword } from '@centralita/http-api';
import type { HttpApi } from '@centralita/http-api';
import { Database, migrate } from '@centralita/store';
import type { ServerConfig } from './config.ts';
import { connectDatabase } from './database-connection.ts';
import { isEmptyInstallation, seedDemo } from './demo-seed.ts';
import { textLogDestination } from './text-log.ts';
import { RoutingRuntime } from './routing-runtime.ts';
import { SipService } from './sip-service.ts';
import { CallService } from './calls/call-service.ts';
import { MediaEngine } from '@centralita/rtp-transport';
import { PromptCache } from '@centralita/prompt-cache';
import { renderAllTenantPrompts } from './tenant-prompts.ts';
import { scheduleRecordingRetention } from './recording-retention.ts';
import { ReportingProjector } from './reporting/reporting-projector.ts';

/** A running Centralita: stop() shuts it down in order (SIP, HTTP, then database). */
export interface RunningServer {
  readonly httpApi: HttpApi;
  readonly database: Database;
  /** Where the HTTP server listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The SIP service (registrar); undefined when disabled or when its ports could not be bound. */
  readonly sip: SipService | undefined;
  /** The call layer (B2BUA); undefined without SIP or when the media engine could not start. */
  readonly calls: CallService | undefined;
  /** Keeps the report summaries from the recorded events (tests flush it to wait for the summaries). */
  readonly reporting: ReportingProjector;
  /** The live ACD of every tenant (the call layer and the API feed it). */
  readonly routing: RoutingRuntime;
  stop(): Promise<void>;
}

/** The version printed by /healthz and the OpenAPI document. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Creates the process logger; secrets never reach the log. `json`: pino's JSON lines (for log collectors);
 * `text`: one readable line each (`text-log.ts`), for a terminal.
 */
export function createLogger(level: ServerConfig['logLevel'], format: 'json' | 'text' = 'json'): Logger {
  const options: LoggerOptions = {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'password',
        '*.password',
        'passwordHash',
      ],
      censor: '[redacted]',
    },
  };
  return format === 'text' ? pino(options, textLogDestination()) : pino(options);
}

/**
 * The composition root: config -> database (embedded or external) -> migrations -> demo seed ->
 * event bus -> HTTP API. Everything is wired here by hand.
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const connection = await connectDatabase(config, (message) => {
    logger.info(message);
  });
  try {
    const migrated = await migrate(connection.url, {
      onProgress: (message) => {
        logger.info(message);
      },
    });
    logger.info(
      { applied: migrated.applied.length, alreadyApplied: migrated.alreadyApplied },
      'database schema is up to date',
    );
    const bus = new InProcessBus((error, event) => {
      logger.error({ err: error, eventType: event.type }, 'event subscriber failed');
    });
    const database = new Database(connection.url, {
      maxConnections: 20,
      preparesStatements: config.preparesStatements,
      onEventsCommitted: (events) => {
        bus.publish(events);
      },
    });
    if (config.seedDemo === 'if-empty' && (await isEmptyInstallation(database))) {
      logger.info('empty installation: seeding the demo tenant');
      const seeded = await seedDemo(database, {
        now: new Date(),
        hashPassword,
        sipDomain: config.sip.domain,
        historyDays: config.demoHistoryDays,
        onProgress: (message) => {
          logger.info(message);
        },
      });
      logger.info(
        { customers: seeded.customers, interactions: seeded.interactions, tickets: seeded.tickets },
        'demo tenant ready (tenant "demo")',
      );
    }
    const webRoot =
      config.webDir === undefined
        ? fileURLToPath(new URL('../../web/dist/', import.meta.url))
        : `${config.webDir.replace(/\/$/, '')}/`;
    const hasWebApp = existsSync(`${webRoot}index.html`);
    if (!hasWebApp)
      logger.warn({ webRoot }, 'the web app is not built (run: npm run build:web); serving the API only');
    const routing = new RoutingRuntime(database, bus, logger.child({ component: 'routing' }));
    const reporting = ReportingProjector.start({
      database,
      bus,
      logger: logger.child({ component: 'reporting' }),
    });
    let url = '';
    // The IVR's http nodes call our own API with this secret; it never leaves the process.
    const ivrToken = randomBytes(32).toString('base64url');
    const sip = config.sip.isEnabled ? await startSip(config, database, logger) : undefined;
    const media = sip === undefined ? undefined : await startMedia(config, logger);
    const calls =
      sip === undefined || media === undefined
        ? undefined
        : new CallService({
            database,
            bus,
            logger: logger.child({ component: 'calls' }),
            sip,
            media,
            routing,
            prompts: new PromptCache({ directory: config.promptCacheDir }),
            sipDomain: config.sip.domain,
            mediaAddress: config.media.address,
            noMediaTimeoutMs: config.media.noMediaTimeoutMs,
            sessionTimer: config.sip.sessionTimer,
            apiBaseUrl: () => url,
            ivrToken,
          });
    const stopTelephony = async (): Promise<void> => {
      await calls?.close();
      await sip?.close();
      await media?.stop();
    };
    let httpApi: HttpApi;
    let address: string;
    try {
      httpApi = await buildHttpApi({
        database,
        bus,
        now: () => new Date(),
        logger: logger.child({ component: 'http' }),
        isCookieSecure: config.isCookieSecure,
        sessionIdleMs: config.sessionIdleMs,
        version,
        webRoot: hasWebApp ? webRoot : undefined,
        routing,
        sipDomain: config.sip.domain,
        calls,
        sipWebSocket:
          sip === undefined || config.sip.webSocketPath === undefined
            ? undefined
            : {
                path: config.sip.webSocketPath,
                accept: (socket, request) => {
                  // The plugin's socket is ws's WebSocket, typed through the ws namespace's interface.
                  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
                  sip.acceptWebSocket(socket, request);
                },
              },
      });
      address = await httpApi.app.listen({ host: config.httpHost, port: config.httpPort });
      if (sip !== undefined && config.sip.webSocketPath !== undefined) sip.serveWebSocket(httpApi.app.server);
    } catch (error) {
      await stopTelephony();
      throw error;
    }
    url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
    logger.info({ url, docs: `${url}/docs` }, 'Centralita is listening');
    // Text-to-speech for the IVR is rendered in the background, so start-up stays fast; until a prompt is
    // in the cache, the first call that needs it renders it.
    const prerendering = config.isPrerenderingPrompts
      ? renderAllTenantPrompts(database, config.promptCacheDir).then(
          (reports) => {
            for (const report of reports) {
              const summary = {
                tenant: report.tenantSlug,
                rendered: report.rendered,
                cached: report.cached,
                failures: report.failures.length,
              };
              if (report.failures.length === 0) logger.info(summary, 'IVR prompts ready');
              else
                logger.warn(
                  { ...summary, reason: report.failures[0]?.error.message },
                  'some IVR prompts could not be rendered',
                );
            }
          },
          (error: unknown) => {
            logger.warn({ err: error }, 'rendering IVR prompts failed; they will be rendered on first use');
          },
        )
      : Promise.resolve();
    const stopRetention = scheduleRecordingRetention(database, logger.child({ component: 'retention' }));
    let isStopped = false;
    return {
      httpApi,
      database,
      url,
      sip,
      calls,
      reporting,
      routing,
      stop: async () => {
        if (isStopped) return;
        isStopped = true;
        await prerendering;
        await stopRetention();
        await stopTelephony();
        await httpApi.app.close();
        await routing.close();
        await reporting.stop();
        await database.close();
        await connection.release();
        logger.info('Centralita stopped');
      },
    };
  } catch (error) {
    await connection.release();
    throw error;
  }
}

/**
 * Starts the SIP service. A port that cannot be bound (another SIP server on 5060) is logged as an error
 * and the rest of Centralita keeps running: agents still log in, and the log says what to change.
 */
async function startSip(
  config: ServerConfig,
  database: Database,
  logger: Logger,
): Promise<SipService | undefined> {
  const sipLogger = logger.child({ component: 'sip' });
  try {
    const sip = await SipService.start({
      database,
      logger: sipLogger,
      host: config.sip.host,
      udpPort: config.sip.udpPort,
      tcpPort: config.sip.tcpPort,
      domain: config.sip.domain,
      advertisedAddress: config.sip.advertisedAddress,
      dnsServers: config.sip.dnsServers,
      tls: config.sip.tls,
      registrar: {
        minExpiresS: config.sip.minExpiresS,
        maxExpiresS: config.sip.maxExpiresS,
        authFailures: config.sip.authFailures,
        digestAlgorithms: config.sip.digestAlgorithms,
      },
    });
    sipLogger.info(
      {
        host: config.sip.host,
        udpPort: sip.udpPort,
        tcpPort: sip.tcpPort,
        tlsPort: sip.tlsPort,
        clientCertificates: config.sip.tls?.clientCertificates,
        domain: config.sip.domain,
      },
      'SIP service is listening',
    );
    return sip;
  } catch (error) {
    sipLogger.error(
      {
        err: error,
        host: config.sip.host,
        udpPort: config.sip.udpPort,
        tcpPort: config.sip.tcpPort,
        tlsPort: config.sip.tls?.port,
      },
      'the SIP service could not start (set CENTRALITA_SIP_UDP_PORT / CENTRALITA_SIP_TCP_PORT / CENTRALITA_SIP_TLS_PORT, check the CENTRALITA_SIP_TLS_* files, or CENTRALITA_SIP_ENABLED=false)',
    );
    return undefined;
  }
}

/** Starts the media engine's workers; a failure is logged and calls stay off (registration still works). */
async function startMedia(config: ServerConfig, logger: Logger): Promise<MediaEngine | undefined> {
  const mediaLogger = logger.child({ component: 'media' });
  const started = await MediaEngine.start({
    bindAddress: config.media.address,
    recordingDirectory: config.media.recordingDir,
    workerCount: config.media.workerCount,
    noMediaTimeoutMs: config.media.noMediaTimeoutMs,
    datagramIo: config.media.datagramIo,
    gatherMicros: config.media.gatherMicros,
    threadNice: config.media.threadNice,
    ...(config.media.portRange === undefined ? {} : { portRange: config.media.portRange }),
    logger: mediaLogger,
  });
  if (!started.ok) {
    mediaLogger.error(
      { reason: started.error.message },
      'the media engine could not start; calls are refused',
    );
    return undefined;
  }
  mediaLogger.info(
    {
      address: config.media.address,
      workers: config.media.workerCount,
      datagramIo: started.value.datagramIo,
      gatherMicros: config.media.gatherMicros,
      threadNice: config.media.threadNice,
      recordings: config.media.recordingDir,
    },
    'media engine ready',
  );
  return started.value;
}
