import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { isIP } from 'node:net';
import type { TenantId } from '@centralita/kernel';
import type {
  AuthFailurePolicy,
  RegistrarRefusal,
  LocatedTransport,
  ServerToLocate,
  SipRequest,
  DigestAlgorithm,
  DigestCredentials,
  DigestSecret,
  NameAddress,
  SipHeader,
  SipUri,
  UasPolicy,
} from '@centralita/sip';
import {
  SourceBlocker,
  planBindingChanges,
  readRegistration,
  createNonce,
  defaultLocationPolicy,
  digestHa1,
  headerValues,
  hostAddress,
  parseDigestCredentials,
  serializeDigestChallenge,
  verifyDigest,
} from '@centralita/sip';
import type {
  MessageSource,
  SendTarget,
  ServerTransaction,
  ServerTransactionFailure,
  SipListener,
  SipLogger,
  TransactionUser,
} from '@centralita/sip-transport';
import { DnsLocator, SipEndpoint } from '@centralita/sip-transport';
import type { ClientCertificatePolicy } from '@centralita/sip-transport';
import { sipAccounts, tenants } from '@centralita/store';
import type { Database, DigestHa1, SipAccount, TenantContext } from '@centralita/store';

/**
 * RFC 5626 §4.4.1: how often (seconds) a phone that registered a flow must show it is alive, sent as
 * `Flow-Timer` in the 2xx; the phone sends a keep-alive at 80 to 100% of it. Over UDP a NAT binding often
 * lives only 30 s, so 29 s keeps it open; connections (TCP, TLS, WebSocket) get 120 s, the RFC's default,
 * far below the endpoint's idle timeout (10 min), so a phone that keeps its flow alive is never cut off.
 */
export const flowTimerS = { datagram: 29, stream: 120 } as const;

/** Registrar settings (RFC 3261 §10.3). */
export interface RegistrarSettings {
  /** Shorter non-zero expirations get 423 Interval Too Brief with Min-Expires. */
  readonly minExpiresS: number;
  /** Longer ones are shortened to this. */
  readonly maxExpiresS: number;
  /** Used when the REGISTER names no expiration (RFC 3261 §10.2.1.1 suggests 3600). */
  readonly defaultExpiresS: number;
  /** How long a nonce we issued stays usable; older ones get `stale=true`. */
  readonly nonceLifetimeMs: number;
  /** Challenges offered, most preferred first (RFC 8760 §2.4: SHA-256 before MD5). */
  readonly digestAlgorithms: readonly ('SHA-256' | 'MD5')[];
  readonly authFailures: AuthFailurePolicy;
  /** Contacts one user may have registered at once; a REGISTER beyond it gets 403 and changes nothing. */
  readonly maxBindingsPerUser: number;
}

/** What the SIP service needs from the composition root. */
export interface SipServiceOptions {
  readonly database: Database;
  readonly logger: SipLogger;
  /** IP literal to bind, e.g. 0.0.0.0. */
  readonly host: string;
  /** 0 lets the system choose. */
  readonly udpPort: number;
  readonly tcpPort: number;
  /** The installation's SIP domain: tenant `demo` registers to `demo.<domain>`. */
  readonly domain: string;
  /** The address written in our Via sent-by when the bind address is a wildcard or behind NAT. */
  readonly advertisedAddress?: string | undefined;
  readonly registrar?: Partial<RegistrarSettings> | undefined;
  /** Milliseconds since the epoch; the system clock by default. */
  readonly now?: () => number;
  /** How often expired bindings are deleted. */
  readonly sweepIntervalMs?: number;
  /** DNS servers for RFC 3263 location (`address` or `address:port`); the system's when absent or empty. */
  readonly dnsServers?: readonly string[] | undefined;
  /**
   * SIP over TLS: a listener on `port` (client certificates as `clientCertificates` says, checked against
   * the CA bundle), and the same certificate presented on our connections to trunks, whose certificates are
   * checked against the bundle and the system's roots. Absent: no TLS.
   */
  readonly tls?:
    | {
        readonly port: number;
        readonly certPath: string;
        readonly keyPath: string;
        readonly caPath?: string | undefined;
        readonly clientCertificates: ClientCertificatePolicy;
      }
    | undefined;
}

/** The defaults of `RegistrarSettings`. */
export const defaultRegistrarSettings: RegistrarSettings = {
  minExpiresS: 60,
  maxExpiresS: 3600,
  defaultExpiresS: 3600,
  nonceLifetimeMs: 300_000,
  digestAlgorithms: ['SHA-256', 'MD5'],
  authFailures: { maxFailures: 10, windowMs: 60_000, blockMs: 600_000 },
  maxBindingsPerUser: 10,
};

/** What this element serves; `classifyIncoming` answers every other method (405 or 501, with Allow). */
const policy: UasPolicy = {
  supportedMethods: [
    'REGISTER',
    'OPTIONS',
    'INVITE',
    'ACK',
    'CANCEL',
    'BYE',
    'INFO',
    'UPDATE',
    'REFER',
    'NOTIFY',
  ],
  supportedUriSchemes: ['sip', 'sips'],
  supportedExtensions: ['path', 'timer', 'outbound'],
  acceptedContentTypes: ['application/sdp', 'application/dtmf-relay', 'application/dtmf', 'message/sipfrag'],
};

/**
 * The call layer as the SIP service sees it: INVITE, requests inside dialogs, ACK and CANCEL are handed
 * to it; REGISTER and OPTIONS stay with the registrar.
 */
export interface SipCallHandler {
  /** A new INVITE, or a re-INVITE (it has a To tag). */
  onInvite(transaction: ServerTransaction): void;
  /** BYE, INFO, UPDATE: answered by the handler (481 when it knows no such dialog). */
  onInDialogRequest(transaction: ServerTransaction): void;
  /** The ACK for a 2xx; `invite` is the INVITE it acknowledges while its 2xx is still being retransmitted. */
  onAck(ack: SipRequest, source: MessageSource, invite?: ServerTransaction): void;
  /** A CANCEL matched an INVITE that has no final response; the handler answers the INVITE (487). */
  onCancel(invite: ServerTransaction): void;
  /** An INVITE we answered 2xx was never acknowledged (RFC 3261 §13.3.1.4): the call must end. */
  onAckTimeout(invite: ServerTransaction): void;
  /** Calls in progress (for the overload guard). */
  activeCalls(): number;
}

/** Nonce counts kept for replay detection, at most (oldest pruned first when more). */
const maxTrackedNonces = 100_000;

/**
 * Whom a digest challenge comes from: the server the request is for (`uas`: 401 with `WWW-Authenticate`,
 * credentials in `Authorization`, RFC 3261 §22.2: the registrar, a carrier's trunk) or the proxy phones send
 * their calls through (`proxy`: 407 with `Proxy-Authenticate`, credentials in `Proxy-Authorization`, §22.3).
 */
type ChallengeRole = 'uas' | 'proxy';

class RegisterRefused extends Error {
  readonly refusal: RegistrarRefusal;

  constructor(refusal: RegistrarRefusal) {
    super(refusal.reasonPhrase);
    this.refusal = refusal;
  }
}

function isSipUri(uri: NameAddress['uri']): uri is SipUri {
  return uri.kind === 'sip';
}

/**
 * The SIP service of the server: a `SipEndpoint` on UDP and TCP with the registrar (RFC 3261 §10) as its
 * transaction user. REGISTER is authenticated with Digest (RFC 7616, RFC 8760: SHA-256 and MD5, qop=auth,
 * signed time-bound nonces, stale=true, nonce-count replay refused); bindings live in the database so
 * they survive a restart. OPTIONS is answered 200; INVITE gets 480 until inbound calls are built; BYE
 * gets 481 (there are no dialogs yet).
 */
export class SipService implements TransactionUser {
  readonly #options: SipServiceOptions;
  readonly #settings: RegistrarSettings;
  readonly #logger: SipLogger;
  readonly #now: () => number;
  readonly #endpoint: SipEndpoint;
  readonly #locator: DnsLocator;
  readonly #blocker: SourceBlocker;
  readonly #nonceSecret = randomBytes(32);
  /** An HA1 no password produces, verified for unknown users so they are answered like wrong passwords. */
  readonly #decoyHa1 = randomBytes(32).toString('hex');
  /** Highest nonce count accepted per nonce (RFC 7616 §3.4), with when the nonce was first used. */
  readonly #nonceCounts = new Map<string, { count: number; firstUsedMs: number }>();
  readonly #pending = new Set<Promise<void>>();
  #sweep: NodeJS.Timeout | undefined;
  #listeners: SipListener[] = [];
  #isClosed = false;
  #calls: SipCallHandler | undefined;

  private constructor(options: SipServiceOptions) {
    this.#options = options;
    this.#settings = {
      ...defaultRegistrarSettings,
      ...options.registrar,
      authFailures: { ...defaultRegistrarSettings.authFailures, ...options.registrar?.authFailures },
    };
    this.#logger = options.logger;
    this.#now = options.now ?? (() => Date.now());
    this.#blocker = new SourceBlocker(this.#settings.authFailures);
    this.#endpoint = new SipEndpoint({
      transactionUser: this,
      policy,
      logger: options.logger,
      // Phones behind NAT that do not ask for rport still hear us (RFC 3581 is not universal).
      isRportForced: true,
      ...(options.tls === undefined
        ? {}
        : {
            tlsClient: {
              ...(options.tls.caPath === undefined ? {} : { caPath: options.tls.caPath }),
              certPath: options.tls.certPath,
              keyPath: options.tls.keyPath,
            },
          }),
    });
    this.#locator = new DnsLocator({ servers: options.dnsServers });
  }

  /**
   * Where a request for `server` goes, every target in the order to try (RFC 3263 §4: NAPTR, SRV, then
   * A/AAAA, over the configured DNS servers), using only `transports`; empty when nothing is found.
   */
  async locate(server: ServerToLocate, transports: readonly LocatedTransport[]): Promise<SendTarget[]> {
    const targets = await this.#locator.locate(server, { ...defaultLocationPolicy, transports });
    // RFC 5922 §4.1: a TLS server is identified by the domain of the URI located, not the SRV target or the address.
    const host = server.host.replace(/^\[(.*)\]$/, '$1');
    return isIP(host) === 0
      ? targets.map((target) => (target.protocol === 'tls' ? { ...target, serverName: host } : target))
      : targets;
  }

  /** Binds UDP, TCP (and TLS) and starts serving; rejects (after cleaning up) when a port cannot be bound. */
  static async start(options: SipServiceOptions): Promise<SipService> {
    const service = new SipService(options);
    try {
      const advertised =
        options.advertisedAddress === undefined ? {} : { advertisedAddress: options.advertisedAddress };
      service.#listeners = [
        await service.#endpoint.listen({
          protocol: 'udp',
          host: options.host,
          port: options.udpPort,
          ...advertised,
        }),
        await service.#endpoint.listen({
          protocol: 'tcp',
          host: options.host,
          port: options.tcpPort,
          ...advertised,
        }),
      ];
      const tls = options.tls;
      if (tls !== undefined) {
        service.#listeners.push(
          await service.#endpoint.listen({
            protocol: 'tls',
            host: options.host,
            port: tls.port,
            ...advertised,
            tls: {
              certPath: tls.certPath,
              keyPath: tls.keyPath,
              ...(tls.caPath === undefined ? {} : { caPath: tls.caPath }),
              clientCertificates: tls.clientCertificates,
            },
          }),
        );
      }
    } catch (error) {
      await service.#endpoint.close();
      throw error;
    }
    service.#sweep = setInterval(() => {
      service.#track(service.#sweepExpired());
    }, options.sweepIntervalMs ?? 60_000);
    service.#sweep.unref();
    return service;
  }

  /**
   * Serves SIP over WebSocket (RFC 7118) on the application's HTTP server, which must already listen: its
   * route for the SIP path hands each socket to `acceptWebSocket`; this makes the server our WebSocket
   * listener (Via and Contact name it).
   */
  serveWebSocket(server: HttpServer): SipListener {
    const listener = this.#endpoint.addWebSocketListener(server, {
      ...(this.#options.advertisedAddress === undefined
        ? {}
        : { advertisedAddress: this.#options.advertisedAddress }),
    });
    this.#listeners.push(listener);
    return listener;
  }

  /** A WebSocket the HTTP server accepted on the SIP path: a SIP connection from now on. */
  acceptWebSocket(...connection: Parameters<SipEndpoint['acceptWebSocket']>): void {
    this.#endpoint.acceptWebSocket(...connection);
  }

  /** The bound UDP port. */
  get udpPort(): number {
    return this.#listeners.find((listener) => listener.protocol === 'udp')?.port ?? 0;
  }

  /** The bound TCP port. */
  get tcpPort(): number {
    return this.#listeners.find((listener) => listener.protocol === 'tcp')?.port ?? 0;
  }

  /** The bound TLS port; undefined without TLS. */
  get tlsPort(): number | undefined {
    return this.#listeners.find((listener) => listener.protocol === 'tls')?.port;
  }

  /** The endpoint's counters (for metrics and tests). */
  stats(): ReturnType<SipEndpoint['stats']> {
    return this.#endpoint.stats();
  }

  /** Stops listening once the requests being handled are answered. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#locator.cancel();
    await Promise.allSettled([...this.#pending]);
    await this.#endpoint.close();
  }

  /** Hands calls to the call layer (until then INVITE gets 480 and BYE 481). */
  attachCalls(handler: SipCallHandler): void {
    this.#calls = handler;
  }

  /** The SIP endpoint, for the call layer's requests. */
  get endpoint(): SipEndpoint {
    return this.#endpoint;
  }

  /** The listeners: protocol, address, port and sent-by. */
  get listeners(): readonly SipListener[] {
    return this.#listeners;
  }

  onAck(ack: SipRequest, source: MessageSource, invite?: ServerTransaction): void {
    this.#calls?.onAck(ack, source, invite);
  }

  onCancel(invite: ServerTransaction): void {
    if (this.#calls === undefined) invite.reply(487, 'Request Terminated');
    else this.#calls.onCancel(invite);
  }

  onServerFailure(transaction: ServerTransaction, failure: ServerTransactionFailure): void {
    this.#logger.info({ method: transaction.method, failure }, 'server transaction failed');
    if (transaction.isInvite && failure === 'ack-timeout') this.#calls?.onAckTimeout(transaction);
  }

  countActiveCalls(): number {
    return this.#calls?.activeCalls() ?? 0;
  }

  onRequest(transaction: ServerTransaction): void {
    if (this.#calls !== undefined && !this.#isClosed) {
      if (transaction.method === 'INVITE') {
        this.#calls.onInvite(transaction);
        return;
      }
      if (['BYE', 'INFO', 'UPDATE', 'REFER', 'NOTIFY'].includes(transaction.method)) {
        this.#calls.onInDialogRequest(transaction);
        return;
      }
    }
    switch (transaction.method) {
      case 'REGISTER':
        // While closing, the database may already be going away: the phone retries elsewhere or later.
        if (this.#isClosed) transaction.reply(503, 'Service Unavailable');
        else this.#track(this.#register(transaction));
        return;
      case 'OPTIONS':
        transaction.reply(200, 'OK', {
          extraHeaders: [
            { name: 'Allow', value: policy.supportedMethods.join(', ') },
            { name: 'Accept', value: policy.acceptedContentTypes.join(', ') },
          ],
        });
        return;
      case 'INVITE':
        // Calls arrive with the inbound-calls work (the B2BUA); until then nobody can take them.
        transaction.reply(480, 'Temporarily Unavailable');
        return;
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'REFER':
      case 'NOTIFY':
        transaction.reply(481, 'Call/Transaction Does Not Exist');
        return;
      default:
        transaction.reply(501, 'Not Implemented');
    }
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#logger.error({ err: error }, 'SIP service task failed');
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  async #sweepExpired(): Promise<void> {
    const removed = await this.#options.database.asSystem((tx) =>
      sipAccounts.sweepExpiredBindings(tx, new Date(this.#now())),
    );
    if (removed > 0) this.#logger.debug({ removed }, 'expired SIP bindings removed');
  }

  // ---- the registrar (RFC 3261 §10.3) -------------------------------------------------------------

  async #register(transaction: ServerTransaction): Promise<void> {
    try {
      await this.#registerOrRefuse(transaction);
    } catch (error) {
      if (transaction.hasFinalResponse) throw error;
      if (error instanceof RegisterRefused) {
        const { statusCode, reasonPhrase, extraHeaders } = error.refusal;
        transaction.reply(statusCode, reasonPhrase, extraHeaders === undefined ? {} : { extraHeaders });
        return;
      }
      transaction.reply(500, 'Server Internal Error');
      throw error;
    }
  }

  async #registerOrRefuse(transaction: ServerTransaction): Promise<void> {
    const request = transaction.request;
    const source = transaction.source;
    const nowMs = this.#now();
    if (this.#blocker.isBlocked(source.remoteAddress, nowMs)) {
      this.#logger.debug({ source: source.remoteAddress }, 'REGISTER from a blocked source refused');
      throw new RegisterRefused({ statusCode: 403, reasonPhrase: 'Forbidden' });
    }
    // Step 1: the Request-URI names the domain: <tenant slug>.<our SIP domain>.
    const requestUri = request.requestUri;
    if (!isSipUri(requestUri))
      throw new RegisterRefused({ statusCode: 416, reasonPhrase: 'Unsupported URI Scheme' });
    const realm = hostAddress(requestUri.host).toLowerCase();
    const suffix = `.${this.#options.domain.toLowerCase()}`;
    const slug = realm.endsWith(suffix) ? realm.slice(0, -suffix.length) : '';
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) {
      throw new RegisterRefused({ statusCode: 404, reasonPhrase: 'Not Found - Domain Not Served Here' });
    }
    // Step 4: authenticate.
    const authenticated = await this.authenticate(transaction, realm, 'uas');
    if (authenticated === undefined) return;
    const { account, context } = authenticated;
    await this.#updateBindings(transaction, context, account, nowMs);
  }

  /**
   * Digest authentication of a request for a tenant's realm (`<slug>.<SIP domain>`), as the registrar
   * (`uas`) or as the proxy phones send their calls through (`proxy`, see `ChallengeRole`). An unknown tenant or user is challenged and verified like any other, against
   * a decoy secret, so every failure looks the same (no account enumeration); failures count against the
   * source, which is blocked after too many. Undefined when the request was answered (challenged, refused).
   */
  async authenticate(
    transaction: ServerTransaction,
    realm: string,
    role: ChallengeRole,
  ): Promise<{ readonly account: SipAccount; readonly context: TenantContext } | undefined> {
    const suffix = `.${this.#options.domain.toLowerCase()}`;
    const slug = realm.endsWith(suffix) ? realm.slice(0, -suffix.length) : '';
    return this.#verify(transaction, realm, role, async (username) => {
      const tenant = await this.#options.database.asSystem((tx) => tenants.findTenantBySlug(tx, slug));
      if (tenant === undefined) return undefined;
      const context: TenantContext = {
        tenantId: tenant.id as TenantId,
        actor: { type: 'system', id: 'sip-registrar' },
      };
      const account = await this.#options.database.inTenant(context, (tx) =>
        sipAccounts.findSipAccount(tx, username, realm),
      );
      return account === undefined ? undefined : { ha1: account, value: { account, context } };
    });
  }

  /**
   * Digest authentication of a carrier's INVITE to one of `context`'s numbers, from an address none of the
   * tenant's trunks accepts as it is: the trunk whose inbound username the credentials name (RFC 3261 §22.2,
   * 401 as the UAS). Same nonces, decoys and blocking as for phones. Undefined when the request was answered.
   */
  async authenticateTrunk(
    transaction: ServerTransaction,
    context: TenantContext,
    realm: string,
  ): Promise<sipAccounts.TrunkInboundCredentials | undefined> {
    return this.#verify(transaction, realm, 'uas', async (username) => {
      const trunk = await this.#options.database.inTenant(context, (tx) =>
        sipAccounts.trunkByInboundUsername(tx, username),
      );
      return trunk === undefined || trunk.realm !== realm ? undefined : { ha1: trunk, value: trunk };
    });
  }

  /**
   * The shared digest check: a challenge without credentials for `realm`, then the credentials verified
   * against what `lookup` finds for their username, or against a decoy secret when it finds nothing, so an
   * unknown username fails exactly like a wrong password. Failures count against the source.
   */
  async #verify<T>(
    transaction: ServerTransaction,
    realm: string,
    role: ChallengeRole,
    lookup: (username: string) => Promise<{ readonly ha1: DigestHa1; readonly value: T } | undefined>,
  ): Promise<T | undefined> {
    const request = transaction.request;
    const nowMs = this.#now();
    if (this.#blocker.isBlocked(transaction.source.remoteAddress, nowMs)) {
      this.#logger.debug(
        { source: transaction.source.remoteAddress },
        'request from a blocked source refused',
      );
      transaction.reply(403, 'Forbidden');
      return undefined;
    }
    const credentials = this.#credentialsFor(request.headers, realm, role);
    if (credentials === undefined) {
      this.#challenge(transaction, realm, false, role);
      return undefined;
    }
    const found = await lookup(credentials.username);
    const verdict = verifyDigest({
      credentials,
      method: request.method,
      realm,
      secret: this.#secretFor(found?.ha1, credentials.algorithm),
      nonceSecret: this.#nonceSecret,
      nowMs,
      nonceLifetimeMs: this.#settings.nonceLifetimeMs,
      ...this.#previousCount(credentials.nonce),
    });
    switch (verdict.kind) {
      case 'stale':
        this.#challenge(transaction, realm, true, role);
        return undefined;
      case 'invalid':
      case 'replayed':
        this.#failed(transaction, realm, verdict.kind === 'replayed' ? 'replayed' : verdict.reason, role);
        return undefined;
      case 'ok':
        break;
    }
    if (found === undefined) {
      // Only a decoy could have matched, which no password produces; answered as a failure anyway.
      this.#failed(transaction, realm, 'unknown-user', role);
      return undefined;
    }
    this.#rememberCount(credentials.nonce, verdict.nonceCount, nowMs);
    return found.value;
  }

  /** The credentials for our realm in Authorization (registrar) or Proxy-Authorization (RFC 3261 §22). */
  #credentialsFor(
    headers: readonly SipHeader[],
    realm: string,
    role: ChallengeRole,
  ): DigestCredentials | undefined {
    for (const value of headerValues(headers, role === 'uas' ? 'Authorization' : 'Proxy-Authorization')) {
      const parsed = parseDigestCredentials(value);
      if (parsed.ok && parsed.value.realm.toLowerCase() === realm) return parsed.value;
    }
    return undefined;
  }

  #secretFor(account: DigestHa1 | undefined, algorithm: DigestAlgorithm): DigestSecret {
    if (account === undefined) {
      return {
        kind: 'ha1',
        ha1: algorithm.startsWith('SHA-256') ? this.#decoyHa1 : this.#decoyHa1.slice(0, 32),
      };
    }
    return { kind: 'ha1', ha1: algorithm.startsWith('SHA-256') ? account.ha1Sha256 : account.ha1Md5 };
  }

  #previousCount(nonce: string): { previousNonceCount?: number } {
    const known = this.#nonceCounts.get(nonce);
    return known === undefined ? {} : { previousNonceCount: known.count };
  }

  #rememberCount(nonce: string, count: number, nowMs: number): void {
    const known = this.#nonceCounts.get(nonce);
    if (known !== undefined) {
      known.count = count;
      return;
    }
    // A nonce is refused as stale once its lifetime is over, so its count can be forgotten then.
    if (this.#nonceCounts.size >= maxTrackedNonces) {
      for (const [key, entry] of this.#nonceCounts) {
        if (nowMs - entry.firstUsedMs > this.#settings.nonceLifetimeMs + 1000) this.#nonceCounts.delete(key);
      }
      const oldest = this.#nonceCounts.keys().next();
      if (this.#nonceCounts.size >= maxTrackedNonces && oldest.done !== true)
        this.#nonceCounts.delete(oldest.value);
    }
    this.#nonceCounts.set(nonce, { count, firstUsedMs: nowMs });
  }

  /**
   * 401 (407 as a proxy) with one challenge per algorithm, most preferred first (RFC 8760 §2.4), all on one
   * fresh nonce.
   */
  #challenge(
    transaction: ServerTransaction,
    realm: string,
    isStale: boolean,
    role: ChallengeRole = 'uas',
  ): void {
    const nonce = createNonce({
      secret: this.#nonceSecret,
      nowMs: this.#now(),
      randomBytes: randomBytes(16),
    });
    const isProxy = role === 'proxy';
    transaction.reply(isProxy ? 407 : 401, isProxy ? 'Proxy Authentication Required' : 'Unauthorized', {
      extraHeaders: this.#settings.digestAlgorithms.map((algorithm) => ({
        name: isProxy ? 'Proxy-Authenticate' : 'WWW-Authenticate',
        value: serializeDigestChallenge({ realm, nonce, algorithm, isStale }),
      })),
    });
  }

  /** A failed authentication: counted against the source, logged, and answered like a first attempt. */
  #failed(transaction: ServerTransaction, realm: string, reason: string, role: ChallengeRole = 'uas'): void {
    const address = transaction.source.remoteAddress;
    const nowMs = this.#now();
    if (this.#blocker.recordFailure(address, nowMs)) {
      this.#logger.warn(
        { source: address, realm, blockMs: this.#settings.authFailures.blockMs },
        'SIP source blocked after repeated authentication failures',
      );
    } else {
      this.#logger.info({ source: address, realm, reason }, 'SIP authentication failed');
    }
    this.#challenge(transaction, realm, false, role);
  }

  /**
   * Steps 5 to 8: the request read and checked (`readRegistration`), the changes planned against the live
   * bindings (`planBindingChanges`, both pure in `domain/sip`), written, and answered with the current ones.
   */
  async #updateBindings(
    transaction: ServerTransaction,
    context: TenantContext,
    account: SipAccount,
    nowMs: number,
  ): Promise<void> {
    const read = readRegistration(transaction.request, account, this.#settings);
    if (!read.ok) throw new RegisterRefused(read.error);
    const request = read.value;
    const source = transaction.source;
    const bindings = await this.#options.database.inTenant(context, async (tx) => {
      const existing = await sipAccounts.listBindings(tx, account.userId, new Date(nowMs));
      const planned = planBindingChanges(request, existing, this.#settings.maxBindingsPerUser);
      if (!planned.ok) throw new RegisterRefused(planned.error);
      const changes = planned.value;
      if (changes.kind === 'remove-all') await sipAccounts.removeAllBindings(tx, account.userId);
      else {
        for (const removed of changes.remove) {
          switch (removed.kind) {
            case 'contact':
              await sipAccounts.removeBinding(tx, account.userId, removed.contactUri);
              break;
            case 'flow':
              await sipAccounts.removeFlowBinding(tx, account.userId, removed.flow);
              break;
          }
        }
        // RFC 5626 §6: a flow binding is tied to the flow the REGISTER came on, which is its source: the
        // connection (its remote address and port name it) or, over UDP, the address and port datagrams
        // came from (they leave again from our socket of that family).
        for (const contact of changes.save)
          await sipAccounts.saveBinding(tx, {
            userId: account.userId,
            contactUri: contact.uri,
            transport: source.protocol,
            sourceAddress: source.remoteAddress,
            sourcePort: source.remotePort,
            callId: request.callId,
            cseq: request.cseq,
            userAgent: request.userAgent,
            expiresAt: new Date(nowMs + contact.expiresS * 1000),
            flow: contact.flow,
            path: request.path,
          });
      }
      return sipAccounts.listBindings(tx, account.userId, new Date(nowMs));
    });
    if (request.change.kind === 'contacts' && request.change.contacts.length > 0) {
      this.#logger.info(
        { tenantId: context.tenantId, userId: account.userId, bindings: bindings.length },
        'SIP registration updated',
      );
    }
    // RFC 5626 §6: `Require: outbound` (and how often to keep the flow alive) only when a flow was bound.
    const hasBoundFlow =
      request.change.kind === 'contacts' &&
      request.change.contacts.some((contact) => contact.flow !== undefined && contact.expiresS > 0);
    const outboundHeaders = hasBoundFlow
      ? [
          { name: 'Require', value: 'outbound' },
          {
            name: 'Flow-Timer',
            value: String(source.protocol === 'udp' ? flowTimerS.datagram : flowTimerS.stream),
          },
        ]
      : [];
    // RFC 3327 §5.3: the phone that supports path hears the proxies it is reached through.
    const pathHeaders = request.isPathSupported ? request.path.map((value) => ({ name: 'Path', value })) : [];
    // Step 8: 200 with every current binding and its remaining time (flows with their instance and reg-id).
    transaction.reply(200, 'OK', {
      extraHeaders: [
        ...outboundHeaders,
        ...pathHeaders,
        ...bindings.map((binding) => ({
          name: 'Contact',
          value:
            `<${binding.contactUri}>;expires=${Math.max(0, Math.round((binding.expiresAt.getTime() - nowMs) / 1000))}` +
            (binding.instanceId === null || binding.regId === null
              ? ''
              : `;+sip.instance="${binding.instanceId}";reg-id=${String(binding.regId)}`),
        })),
      ],
    });
  }
}

/** HA1 of a password for both algorithms the registrar challenges with (RFC 7616 §3.4.2, RFC 8760). */
export function sipHa1(username: string, realm: string, password: string): DigestHa1 {
  return {
    username,
    realm,
    ha1Md5: digestHa1('MD5', username, realm, password),
    ha1Sha256: digestHa1('SHA-256', username, realm, password),
  };
}
