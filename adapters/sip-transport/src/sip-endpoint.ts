import { readFileSync } from 'node:fs';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { connect as connectTcp } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFile } from 'node:fs/promises';
import { Server as TlsServer, TLSSocket, connect as connectTls, rootCertificates } from 'node:tls';
import type { Clock, Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type {
  FramerError,
  FramerLimits,
  OverloadLimits,
  OverloadState,
  ParseResult,
  PartialRequest,
  SipHeader,
  SipMessage,
  SipRequest,
  SipResponse,
  TransactionTimerConfig,
  UasPolicy,
} from '@centralita/sip';
import {
  admitNewInvite,
  answerStunBindingRequest,
  classifyIncoming,
  createResponse,
  defaultFramerLimits,
  defaultTimerConfig,
  headerValue,
  isStunMessage,
  magicCookie,
  parameterValue,
  parseCSeq,
  parseCallId,
  parseMessage,
  parseNameAddress,
  parseVia,
  serializeMessage,
  startOverloadGuard,
  transactionKey,
  viaRport,
  withHeader,
} from '@centralita/sip';
import { WebSocket } from 'ws';
import type { ClientTransactionListener } from './client-transaction.ts';
import { ClientTransaction } from './client-transaction.ts';
import type { Connection } from './connection.ts';
import { connectionKey } from './connection.ts';
import type { SipTransportErrorCode } from './errors.ts';
import { addressFamily, hostText, normalizeAddress } from './ip-address.ts';
import type { SipLogger } from './logger.ts';
import { silentLogger } from './logger.ts';
import { RandomTokens } from './random-tokens.ts';
import { stampReceivedAndRport } from './received-rport.ts';
import type { ResponseRoute, ServerTransactionFailure } from './server-transaction.ts';
import { ServerTransaction } from './server-transaction.ts';
import { SocketConnection } from './socket-connection.ts';
import type { TlsFiles } from './stream-listener.ts';
import { closeServer, listenOn, listenStream } from './stream-listener.ts';
import type { TransactionRuntime } from './transaction-runtime.ts';
import type { TransactionUser } from './transaction-user.ts';
import type { ConnectionLimits, TransportHost } from './transport-host.ts';
import { defaultConnectionLimits } from './transport-host.ts';
import type {
  DiscardCode,
  Flow,
  MessageSource,
  SendTarget,
  SipTransportError,
  TransportProtocol,
} from './transport-types.ts';
import { defaultPort, reportFailureLater, viaTransportName } from './transport-types.ts';
import { UdpTransport } from './udp-transport.ts';
import { WebSocketConnection } from './websocket-connection.ts';
import { serveSipUpgrades } from './websocket-upgrade.ts';

/** What outgoing TLS connections trust and present, read from `tlsClient`'s files. */
interface TlsClientSecrets {
  readonly ca?: (string | Buffer)[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** How a `SipEndpoint` is set up. Only `transactionUser` and `policy` are required. */
export interface SipEndpointOptions {
  readonly transactionUser: TransactionUser;
  /** What this element serves; `classifyIncoming` answers everything else (501, 405, 416, 420, 415...). */
  readonly policy: UasPolicy;
  /** T1, T2, T4 (RFC 3261 Table 4); 500 ms, 4 s, 5 s by default. */
  readonly timers?: Partial<TransactionTimerConfig>;
  /** Header-section and message size limits of the stream framer (and of WebSocket messages). */
  readonly framerLimits?: FramerLimits;
  readonly connectionLimits?: Partial<ConnectionLimits>;
  /** New-call limits; 503 with Retry-After above them. */
  readonly overload?: OverloadLimits;
  /**
   * Answer UDP requests at their source port even without `rport` (what Kamailio's `force_rport` and
   * Asterisk's `force_rport` do): phones behind NAT that do not ask for it still hear us. Off by default,
   * which is RFC 3261 §18.2.2 (the sent-by port).
   */
  readonly isRportForced?: boolean;
  /**
   * Outgoing TLS: a CA bundle trusted besides the system's, whether to check the peer's certificate (true
   * by default), and our certificate and key, presented to servers that ask for one (mutual TLS).
   */
  readonly tlsClient?: {
    readonly caPath?: string;
    readonly isServerVerified?: boolean;
    readonly certPath?: string;
    readonly keyPath?: string;
  };
  readonly logger?: SipLogger;
  /** Time for the transaction machines; the system clock by default. */
  readonly clock?: Clock;
  /** Told of every discarded message and closed connection (for metrics); runs on the receive path. */
  readonly onDiscard?: (code: DiscardCode, source: MessageSource | undefined) => void;
}

/** Where and how to listen. `host` is an IP literal; `port` 0 lets the system choose. */
export interface ListenOptions {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
  /** The address to write in our Via sent-by (a public address, or the one to use for a wildcard bind). */
  readonly advertisedAddress?: string;
  /** Certificate and key for `tls` and `wss`. */
  readonly tls?: TlsFiles;
  /** The HTTP path of `ws` and `wss` listeners; `/` by default. */
  readonly path?: string;
}

/** A listening transport. */
export interface SipListener {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** `host:port` we write in the Via of requests sent over this transport (RFC 3261 §18.1.1). */
  readonly sentBy: string;
  close(): Promise<void>;
}

/** Counters of the endpoint, for metrics and tests. */
export interface SipEndpointStats {
  readonly messagesReceived: number;
  readonly messagesSent: number;
  /** Empty datagrams (CRLF keep-alives over UDP) and STUN Binding requests answered (RFC 5626 §4.4.2). */
  readonly keepAlives: number;
  /** Errors sockets reported: refused or reset connections, failed TLS handshakes, failed datagram sends. */
  readonly socketErrors: number;
  /** Discarded messages and closed connections, by code. */
  readonly discarded: Readonly<Record<string, number>>;
  readonly serverTransactions: number;
  readonly clientTransactions: number;
  readonly connections: number;
  /** Bytes held by all stream framers for messages not yet complete. */
  readonly bufferedBytes: number;
  /** 2xx responses being retransmitted until their ACK. */
  readonly awaitingAck: number;
}

interface ListenerRecord {
  readonly info: SipListener;
  readonly udp?: UdpTransport;
}

interface Rejection {
  readonly statusCode: number;
  readonly reasonPhrase: string;
  readonly extraHeaders: readonly SipHeader[];
  readonly code: DiscardCode;
  readonly shouldCloseConnection: boolean;
}

const datagramFraming = { framing: 'datagram' } as const;
const streamFraming = { framing: 'stream' } as const;
const streamContext = { isStream: true } as const;
const datagramContext = { isStream: false } as const;

function transportError(code: SipTransportErrorCode, message: string): SipTransportError {
  return domainError(code, message);
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The SIP endpoint: it owns the transports (UDP, TCP, TLS, WS, WSS over IPv4 and IPv6), the table of
 * transactions keyed by the domain's `transactionKey`, and the real timers behind the domain's timer
 * data. Each received message goes through `parseMessage` and `classifyIncoming`; malformed requests
 * are answered (400 with the reason, 505...) or dropped and counted, and nothing on the receive path can
 * throw out of it. New requests reach the transaction user with their server transaction; responses
 * reach the listener of their client transaction. It also answers CANCEL (§9.2), detects merged
 * requests (§8.2.2.2, 482), stamps `received`/`rport` (RFC 3581) and applies the overload guard.
 */
export class SipEndpoint {
  readonly #user: TransactionUser;
  readonly #policy: UasPolicy;
  readonly #timers: TransactionTimerConfig;
  readonly #framerLimits: FramerLimits;
  readonly #connectionLimits: ConnectionLimits;
  readonly #overload: OverloadLimits | undefined;
  #overloadState: OverloadState;
  readonly #isRportForced: boolean;
  readonly #logger: SipLogger;
  readonly #clock: Clock;
  readonly #onDiscard: SipEndpointOptions['onDiscard'];
  readonly #tlsClient: SipEndpointOptions['tlsClient'];
  #tlsClientSecrets: TlsClientSecrets | undefined;
  readonly #tokens = new RandomTokens();
  readonly #listeners: ListenerRecord[] = [];
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #merging = new Map<string, ServerTransaction>();
  readonly #awaitingAck = new Map<string, ServerTransaction>();
  readonly #connections = new Set<Connection>();
  readonly #connectionsByKey = new Map<string, Connection>();
  readonly #discarded = new Map<string, number>();
  #messagesReceived = 0;
  #messagesSent = 0;
  #keepAlives = 0;
  #socketErrors = 0;
  #sweep: NodeJS.Timeout | undefined;
  #isClosed = false;
  readonly #host: TransportHost;
  readonly #runtime: TransactionRuntime;
  readonly #onConnectionClosed = (connection: Connection): void => {
    this.#connections.delete(connection);
    if (this.#connectionsByKey.get(connection.key) === connection) {
      this.#connectionsByKey.delete(connection.key);
    }
  };

  constructor(options: SipEndpointOptions) {
    this.#user = options.transactionUser;
    this.#policy = options.policy;
    this.#timers = { ...defaultTimerConfig, ...options.timers };
    this.#framerLimits = options.framerLimits ?? defaultFramerLimits;
    this.#connectionLimits = { ...defaultConnectionLimits, ...options.connectionLimits };
    this.#overload = options.overload;
    this.#isRportForced = options.isRportForced ?? false;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#onDiscard = options.onDiscard;
    this.#tlsClient = options.tlsClient;
    this.#overloadState = startOverloadGuard(options.overload ?? {}, this.#clock.now());
    this.#host = {
      framerLimits: this.#framerLimits,
      connectionLimits: this.#connectionLimits,
      receiveMessage: (bytes, source) => {
        this.#receive(bytes, source);
      },
      answerFramingError: (connection, error) => {
        this.#answerFramingError(connection, error);
      },
      discard: (code, source) => {
        this.#discard(code, source);
      },
      reportSocketError: (protocol, error) => {
        this.#socketErrors++;
        this.#logger.debug({ protocol, err: error }, 'SIP socket error');
      },
    };
    this.#runtime = this.#createRuntime();
  }

  /** Starts a listener: UDP, TCP, TLS, or a standalone WS/WSS server on `path`. */
  async listen(options: ListenOptions): Promise<SipListener> {
    const family = addressFamily(options.host);
    if (family === 0) throw new Error(`listen needs an IP address literal, not ${options.host}`);
    switch (options.protocol) {
      case 'udp': {
        const udp = await UdpTransport.bind(this.#host, options.host, options.port);
        const info = this.#listenerInfo(options, family, udp.localPort, () => udp.close());
        this.#listeners.push({ info, udp });
        return info;
      }
      case 'tcp':
      case 'tls': {
        const protocol = options.protocol;
        const { server, address } = await listenStream({
          protocol,
          host: options.host,
          port: options.port,
          ...(options.tls === undefined ? {} : { tls: options.tls }),
          handshakeTimeoutMs: this.#connectionLimits.messageTimeoutMs,
          maxConnections: this.#connectionLimits.maxConnections,
          onSocket: (socket) => {
            this.#acceptSocket(socket, protocol);
          },
          onError: (error) => {
            this.#logger.debug({ protocol, err: error }, 'SIP listener error');
          },
          onDrop: () => {
            this.#discard('SIP_TRANSPORT_CONNECTION_LIMIT', undefined);
          },
        });
        this.#ensureSweep();
        const info = this.#listenerInfo(options, family, address.port, () => closeServer(server));
        this.#listeners.push({ info });
        return info;
      }
      case 'ws':
      case 'wss': {
        let server: HttpServer;
        const refuseHttp = (_request: IncomingMessage, response: ServerResponse) => {
          response.statusCode = 426;
          response.setHeader('Upgrade', 'websocket');
          response.end();
        };
        if (options.protocol === 'wss') {
          if (options.tls === undefined) throw new Error('a WSS listener needs certPath and keyPath');
          const [cert, key] = await Promise.all([
            readFile(options.tls.certPath),
            readFile(options.tls.keyPath),
          ]);
          server = createHttpsServer({ cert, key }, refuseHttp);
        } else {
          server = createHttpServer(refuseHttp);
        }
        const address = await listenOn(server, options.host, options.port);
        const attached = this.#attach(server, options.path ?? '/', options.protocol);
        const info = this.#listenerInfo(options, family, address.port, async () => {
          attached();
          server.closeAllConnections();
          await closeServer(server);
        });
        this.#listeners.push({ info });
        return info;
      }
    }
  }

  /**
   * Serves SIP over WebSocket (RFC 7118) on `path` of an HTTP or HTTPS server the caller owns (the
   * application's HTTP server): WSS when it is an HTTPS server. The server must already listen.
   */
  attachWebSocket(
    server: HttpServer,
    options: { readonly path?: string; readonly advertisedAddress?: string } = {},
  ): SipListener {
    let detach = (): void => undefined;
    // The listener first: it refuses a server that does not listen yet, before any upgrade is taken.
    const info = this.#addWebSocketListener(server, options, () => {
      detach();
      return Promise.resolve();
    });
    detach = this.#attach(server, options.path ?? '/', info.protocol === 'wss' ? 'wss' : 'ws');
    return info;
  }

  /**
   * Registers, as a listener (the sent-by of our Via and Contact over WebSocket), an HTTP or HTTPS server
   * whose WebSocket upgrades another handler accepts, such as the web framework of the application's HTTP
   * server; that handler passes each socket to `acceptWebSocket`. The server must already listen.
   */
  addWebSocketListener(
    server: HttpServer,
    options: { readonly advertisedAddress?: string } = {},
  ): SipListener {
    return this.#addWebSocketListener(server, options, () => Promise.resolve());
  }

  #addWebSocketListener(
    server: HttpServer,
    options: { readonly advertisedAddress?: string },
    close: () => Promise<void>,
  ): SipListener {
    const protocol = server instanceof TlsServer ? 'wss' : 'ws';
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('a WebSocket listener needs a listening server');
    const host = normalizeAddress(address.address);
    const info = this.#listenerInfo(
      {
        protocol,
        host,
        ...(options.advertisedAddress === undefined ? {} : { advertisedAddress: options.advertisedAddress }),
      },
      addressFamily(host) === 6 ? 6 : 4,
      address.port,
      close,
    );
    this.#listeners.push({ info });
    this.#ensureSweep();
    return info;
  }

  /**
   * Takes a WebSocket another upgrade handler accepted (see `addWebSocketListener`) as a SIP connection
   * (RFC 7118): one that did not agree on the `sip` sub-protocol is closed (§4.1), as is any beyond the
   * connection limit or after `close`.
   */
  acceptWebSocket(webSocket: WebSocket, request: IncomingMessage): void {
    if (webSocket.protocol !== 'sip') {
      this.#discard('SIP_TRANSPORT_WEBSOCKET_PROTOCOL_REQUIRED', undefined);
      webSocket.close(1002, 'the sip sub-protocol is required (RFC 7118)');
      return;
    }
    if (this.#isClosed || this.#connections.size >= this.#connectionLimits.maxConnections) {
      this.#discard('SIP_TRANSPORT_CONNECTION_LIMIT', undefined);
      webSocket.close(1013, 'try again later');
      return;
    }
    this.#acceptWebSocket(webSocket, request.socket, request.socket instanceof TLSSocket ? 'wss' : 'ws');
  }

  /**
   * Opens a WebSocket to a SIP server (RFC 7118 §4.1: the `sip` sub-protocol asked for and required), as a
   * browser phone does, and keeps it as a connection: requests sent to the returned target go over it, and
   * requests the server sends back over it reach the transaction user. Our Via names the connection's local
   * end (no listener can be reached from outside). Fails when the server refuses the upgrade or the
   * sub-protocol, or does not answer within `timeoutMs`. Gives the target and the connection's local port.
   */
  async connectWebSocket(
    url: string,
    timeoutMs = 10_000,
  ): Promise<Result<{ readonly target: SendTarget; readonly localPort: number }, SipTransportError>> {
    if (this.#isClosed) return err(transportError('SIP_TRANSPORT_NO_ROUTE', 'The endpoint is closed.'));
    const protocol = url.startsWith('wss:') ? 'wss' : 'ws';
    const webSocket = new WebSocket(url, 'sip', {
      handshakeTimeout: timeoutMs,
      ...(protocol === 'wss' ? this.#tlsClientFiles() : {}),
      rejectUnauthorized: this.#tlsClient?.isServerVerified ?? true,
    });
    const opened = await new Promise<Socket | Error>((resolve) => {
      let socket: Socket | undefined;
      webSocket.once('upgrade', (response: IncomingMessage) => {
        socket = response.socket;
      });
      webSocket.once('open', () => {
        resolve(socket ?? new Error('the upgrade gave no socket'));
      });
      webSocket.once('error', (error: Error) => {
        resolve(error);
      });
    });
    if (opened instanceof Error || webSocket.protocol !== 'sip') {
      webSocket.terminate();
      const reason =
        opened instanceof Error ? opened.message : 'the server did not agree on the sip sub-protocol';
      return err(
        transportError('SIP_TRANSPORT_NO_ROUTE', `No SIP WebSocket connection to ${url}: ${reason}.`),
      );
    }
    const connection = this.#acceptWebSocket(webSocket, opened, protocol);
    return ok({
      target: { protocol, address: connection.remoteAddress, port: connection.remotePort },
      localPort: connection.localPort,
    });
  }

  /** The listeners, in the order they were started. */
  listeners(): readonly SipListener[] {
    return this.#listeners.map((record) => record.info);
  }

  /**
   * The `host:port` our messages over `protocol` to `address` name as sent-by (RFC 3261 §18.1.1): that of
   * the listener they leave from, which is also where the peer reaches us over that transport (our Contact).
   * Undefined when no listener serves `protocol` for the address's family (a WebSocket connection we opened).
   */
  sentByFor(protocol: TransportProtocol, address: string): string | undefined {
    return this.#listenerFor(protocol, addressFamily(normalizeAddress(address)) === 6 ? 6 : 4)?.info.sentBy;
  }

  /**
   * Whether `target` names a flow that can still carry a request without opening anything new (RFC 5626
   * §5.3): an open connection from or to that address and port for TCP, TLS and WebSocket; for UDP, a
   * listener of the address's family (a datagram flow has no state of its own to lose here).
   */
  hasFlow(target: SendTarget): boolean {
    if (this.#isClosed || addressFamily(target.address) === 0) return false;
    const address = normalizeAddress(target.address);
    switch (target.protocol) {
      case 'udp':
        return this.#listenerFor('udp', addressFamily(address) === 6 ? 6 : 4)?.udp !== undefined;
      case 'tcp':
      case 'tls':
      case 'ws':
      case 'wss':
        return (
          this.#connectionsByKey.get(connectionKey(target.protocol, address, target.port))?.isOpen === true
        );
    }
  }

  /**
   * Sends a request in a new client transaction: adds our Via (fresh branch, `rport`) on top and
   * Max-Forwards 70 when missing, reuses an open connection to the target or opens one. ACK is not sent
   * this way: the ACK for a 2xx goes through `sendStateless`, the one for a failure is the transaction's.
   */
  sendRequest(
    request: SipRequest,
    target: SendTarget,
    listener: ClientTransactionListener,
  ): Result<ClientTransaction, SipTransportError> {
    const cseq = parseCSeq(headerValue(request.headers, 'cseq') ?? '');
    if (cseq === undefined || cseq.method !== request.method || request.method === 'ACK') {
      return err(
        transportError(
          'SIP_TRANSPORT_UNSENDABLE_REQUEST',
          'A client transaction needs a CSeq matching its method, and no ACK.',
        ),
      );
    }
    const route = this.#routeTo(target);
    if (!route.ok) return route;
    const withVia = this.#withOurVia(request, target.protocol, route.value.sentBy);
    const key = transactionKey(withVia);
    if (key === undefined) {
      return err(
        transportError('SIP_TRANSPORT_UNSENDABLE_REQUEST', 'The request has no usable Via or CSeq.'),
      );
    }
    return ok(this.#startClient(key, withVia, route.value.target, route.value.flow, listener));
  }

  /**
   * Sends a message outside any transaction: the ACK for a 2xx (RFC 3261 §13.2.2.4, with its own Via and
   * branch), or a response a proxy forwards. Requests get our Via on top.
   */
  sendStateless(message: SipMessage, target: SendTarget): Result<void, SipTransportError> {
    const route = this.#routeTo(target);
    if (!route.ok) return route;
    const outgoing =
      message.kind === 'request' ? this.#withOurVia(message, target.protocol, route.value.sentBy) : message;
    route.value.flow.send(serializeMessage(outgoing), route.value.target.address, route.value.target.port);
    this.#messagesSent++;
    return ok(undefined);
  }

  /** A snapshot of the counters. */
  stats(): SipEndpointStats {
    let bufferedBytes = 0;
    for (const connection of this.#connections) bufferedBytes += connection.bufferedBytes;
    return {
      messagesReceived: this.#messagesReceived,
      messagesSent: this.#messagesSent,
      keepAlives: this.#keepAlives,
      socketErrors: this.#socketErrors,
      discarded: Object.fromEntries(this.#discarded),
      serverTransactions: this.#servers.size,
      clientTransactions: this.#clients.size,
      connections: this.#connections.size,
      bufferedBytes,
      awaitingAck: this.#awaitingAck.size,
    };
  }

  /** Closes listeners and connections and disarms every transaction timer. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    for (const transaction of this.#servers.values()) transaction.dispose();
    for (const transaction of this.#clients.values()) transaction.dispose();
    this.#servers.clear();
    this.#clients.clear();
    this.#awaitingAck.clear();
    this.#merging.clear();
    for (const connection of [...this.#connections]) connection.destroy();
    await Promise.all(this.#listeners.map((record) => record.info.close()));
  }

  // ---- receive path -------------------------------------------------------------------------------

  #receive(bytes: Uint8Array, source: MessageSource): void {
    this.#messagesReceived++;
    try {
      this.#dispatch(bytes, source);
    } catch (error) {
      // The receive path must survive anything: a bug costs one message, never the process.
      this.#discard('SIP_TRANSPORT_RECEIVE_FAILED', source);
      this.#logger.error(
        { err: error, protocol: source.protocol, remoteAddress: source.remoteAddress },
        'SIP receive path failed',
      );
    }
  }

  #dispatch(bytes: Uint8Array, source: MessageSource): void {
    if (source.protocol === 'udp' && isStunMessage(bytes)) {
      this.#answerStun(bytes, source);
      return;
    }
    const isStream = source.protocol === 'tcp' || source.protocol === 'tls';
    const result = parseMessage(bytes, isStream ? streamFraming : datagramFraming);
    if (result.ok) {
      const message = result.value;
      if (message.kind === 'request') this.#receiveRequest(message, result, source, isStream);
      else this.#receiveResponse(message, result, source);
      return;
    }
    if (result.error.code === 'SIP_EMPTY_MESSAGE') {
      // CRLF keep-alives over UDP (some phones send them; RFC 5626 uses STUN there).
      this.#keepAlives++;
      return;
    }
    const verdict = classifyIncoming(result, this.#policy, isStream ? streamContext : datagramContext);
    switch (verdict.action) {
      case 'respond':
        this.#discard(verdict.code, source);
        this.#respondStatelessly(
          verdict.request,
          verdict.statusCode,
          verdict.reasonPhrase,
          verdict.extraHeaders,
          source,
        );
        if (verdict.shouldCloseConnection) this.#closeAfterFlush(source);
        return;
      case 'drop':
        this.#discard(verdict.code, source);
        return;
      case 'process':
        return;
    }
  }

  #receiveRequest(request: SipRequest, result: ParseResult, source: MessageSource, isStream: boolean): void {
    const key = transactionKey(request);
    if (key === undefined) {
      this.#discard('SIP_UNANSWERABLE_REQUEST', source);
      return;
    }
    if (request.method === 'ACK') {
      this.#receiveAck(request, key, source);
      return;
    }
    const existing = this.#servers.get(key);
    if (existing?.method === request.method) {
      existing.retransmitted();
      return;
    }
    const verdict = classifyIncoming(result, this.#policy, isStream ? streamContext : datagramContext);
    if (verdict.action === 'drop') {
      this.#discard(verdict.code, source);
      return;
    }
    if (existing !== undefined) {
      // The key comes from the CSeq method: a request whose Request-Line disagrees (RFC 4475 §3.1.2.17)
      // can share it with a real transaction. It gets no transaction of its own, only an answer.
      this.#discard(verdict.action === 'respond' ? verdict.code : 'SIP_CSEQ_METHOD_MISMATCH', source);
      if (verdict.action === 'respond') {
        this.#respondStatelessly(
          verdict.request,
          verdict.statusCode,
          verdict.reasonPhrase,
          verdict.extraHeaders,
          source,
        );
      }
      return;
    }
    const stamped = stampReceivedAndRport(request, source.remoteAddress, source.remotePort);
    const to = parseNameAddress(headerValue(request.headers, 'to') ?? '');
    const toTag = to === undefined ? undefined : parameterValue(to.params, 'tag');
    const callId = parseCallId(headerValue(request.headers, 'call-id') ?? '') ?? '';
    const cseq = parseCSeq(headerValue(request.headers, 'cseq') ?? '');
    let mergeKey: string | undefined;
    if (toTag === undefined) {
      const from = parseNameAddress(headerValue(request.headers, 'from') ?? '');
      const fromTag = from === undefined ? '' : (parameterValue(from.params, 'tag') ?? '');
      mergeKey = `${fromTag}\n${callId}\n${cseq?.sequence ?? ''} ${cseq?.method ?? ''}`;
    }
    const transaction = new ServerTransaction(
      this.#runtime,
      {
        key,
        request: stamped.request,
        source,
        route: this.#responseRoute(source, stamped.isRportRequested, stamped.viaPort),
        requestToTag: toTag,
        mergeKey,
        ackKey: `${callId}\n${cseq?.sequence ?? ''}`,
      },
      this.#clock.now(),
    );
    let rejection: Rejection | undefined =
      verdict.action === 'respond'
        ? {
            statusCode: verdict.statusCode,
            reasonPhrase: verdict.reasonPhrase,
            extraHeaders: verdict.extraHeaders,
            code: verdict.code,
            shouldCloseConnection: verdict.shouldCloseConnection,
          }
        : undefined;
    if (rejection === undefined && request.method === 'CANCEL') {
      this.#servers.set(key, transaction);
      this.#receiveCancel(transaction);
      return;
    }
    rejection ??= this.#admit(transaction, toTag);
    this.#servers.set(key, transaction);
    if (mergeKey !== undefined && !this.#merging.has(mergeKey)) this.#merging.set(mergeKey, transaction);
    if (rejection === undefined) {
      transaction.start(true);
      return;
    }
    this.#discard(rejection.code, source);
    transaction.start(false);
    transaction.reply(rejection.statusCode, rejection.reasonPhrase, { extraHeaders: rejection.extraHeaders });
    if (rejection.shouldCloseConnection) this.#closeAfterFlush(source);
  }

  /** Merged requests (RFC 3261 §8.2.2.2) and the overload guard; undefined admits the request. */
  #admit(transaction: ServerTransaction, toTag: string | undefined): Rejection | undefined {
    const mergeKey = transaction.mergeKey;
    if (mergeKey !== undefined) {
      const ongoing = this.#merging.get(mergeKey);
      if (ongoing !== undefined && ongoing.key !== transaction.key) {
        return {
          statusCode: 482,
          reasonPhrase: 'Loop Detected',
          extraHeaders: [],
          code: 'SIP_TRANSPORT_LOOP_DETECTED',
          shouldCloseConnection: false,
        };
      }
    }
    const limits = this.#overload;
    if (limits === undefined || transaction.method !== 'INVITE' || toTag !== undefined) return undefined;
    let activeCalls = 0;
    try {
      activeCalls = this.#user.countActiveCalls?.() ?? 0;
    } catch (error) {
      this.#reportCallbackError(error, 'countActiveCalls');
    }
    const decision = admitNewInvite(limits, this.#overloadState, this.#clock.now(), activeCalls);
    this.#overloadState = decision.state;
    if (decision.verdict === 'admit') return undefined;
    return {
      statusCode: 503,
      reasonPhrase: 'Service Unavailable',
      extraHeaders: [{ name: 'Retry-After', value: String(limits.retryAfterSeconds ?? 5) }],
      code: 'SIP_TRANSPORT_OVERLOADED',
      shouldCloseConnection: false,
    };
  }

  /** RFC 3261 §9.2: find the INVITE the CANCEL names, answer the CANCEL, let the core end the INVITE. */
  #receiveCancel(cancel: ServerTransaction): void {
    cancel.start(false);
    const request = cancel.request;
    const sequence = parseCSeq(headerValue(request.headers, 'cseq') ?? '')?.sequence ?? 0;
    // The INVITE's id is the CANCEL's with the method INVITE (§9.2 applies §17.2.3 that way).
    const inviteKey = transactionKey({
      ...request,
      headers: withHeader(request.headers, 'CSeq', `${sequence} INVITE`),
    });
    const invite = inviteKey === undefined ? undefined : this.#servers.get(inviteKey);
    if (invite === undefined || !invite.isInvite) {
      this.#discard('SIP_TRANSPORT_TRANSACTION_NOT_FOUND', cancel.source);
      cancel.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    // The 200 to the CANCEL carries the To tag of the INVITE's responses (§9.2).
    cancel.reply(200, 'OK', { toTag: invite.localTag });
    if (invite.hasFinalResponse || invite.isTerminated) return;
    if (this.#user.onCancel === undefined) {
      invite.reply(487, 'Request Terminated');
      return;
    }
    try {
      this.#user.onCancel(invite, request);
    } catch (error) {
      this.#reportCallbackError(error, 'onCancel');
      // Refused (as a value) when the core had already answered before throwing.
      invite.reply(487, 'Request Terminated');
    }
  }

  #receiveAck(ack: SipRequest, key: string, source: MessageSource): void {
    const transaction = this.#servers.get(key);
    if (transaction?.isInvite === true) {
      transaction.ackReceived(ack);
      return;
    }
    // The ACK for a 2xx is a transaction of its own (§17.1.1.3): match it by Call-ID and CSeq number.
    const callId = parseCallId(headerValue(ack.headers, 'call-id') ?? '') ?? '';
    const sequence = parseCSeq(headerValue(ack.headers, 'cseq') ?? '')?.sequence ?? '';
    const acknowledged = this.#awaitingAck.get(`${callId}\n${sequence}`);
    acknowledged?.acknowledged();
    this.#deliverAck(ack, source, acknowledged);
  }

  #receiveResponse(response: SipResponse, result: ParseResult, source: MessageSource): void {
    const verdict = classifyIncoming(result, this.#policy);
    if (verdict.action === 'drop') {
      this.#discard(verdict.code, source);
      return;
    }
    const key = transactionKey(response);
    const transaction = key === undefined ? undefined : this.#clients.get(key);
    if (transaction !== undefined) {
      transaction.responseReceived(response);
      return;
    }
    if (this.#user.onStrayResponse === undefined) {
      this.#discard('SIP_TRANSPORT_STRAY_RESPONSE', source);
      return;
    }
    try {
      this.#user.onStrayResponse(response, source);
    } catch (error) {
      this.#reportCallbackError(error, 'onStrayResponse');
    }
  }

  /**
   * Answers a request that could not be parsed (no transaction can hold it). Over UDP the answer goes to
   * the source address and to the sent-by port, or the source port with `rport` or when forced; when the
   * Via itself is unreadable, to the source port (there is nowhere else).
   */
  #respondStatelessly(
    request: PartialRequest,
    statusCode: number,
    reasonPhrase: string,
    extraHeaders: readonly SipHeader[],
    source: MessageSource,
  ): void {
    const response = createResponse(request, statusCode, reasonPhrase, {
      toTag: this.#tokens.next(),
      extraHeaders,
    });
    let port = source.remotePort;
    if (!source.flow.isReliable && !this.#isRportForced) {
      const top = parseVia(headerValue(request.headers, 'via') ?? '')?.[0];
      if (top !== undefined && viaRport(top).kind !== 'requested') port = top.port ?? 5060;
    }
    source.flow.send(serializeMessage(response), source.remoteAddress, port);
    this.#messagesSent++;
  }

  #answerFramingError(connection: Connection, error: FramerError): void {
    this.#discard(error.code, connection);
    if (error.headerBytes !== undefined) {
      // The header section was read: answer with its Via, From, To, Call-ID and CSeq (413, 400...).
      const parsed = parseMessage(error.headerBytes, datagramFraming);
      const request: PartialRequest | undefined = parsed.ok
        ? parsed.value.kind === 'request'
          ? parsed.value
          : undefined
        : parsed.error.request;
      if (
        request !== undefined &&
        request.method !== 'ACK' &&
        headerValue(request.headers, 'via') !== undefined
      ) {
        this.#respondStatelessly(request, error.statusCode, error.reasonPhrase, [], connection);
      }
    }
    connection.closeAfterFlush();
  }

  /**
   * RFC 5626 §4.4.2, §8: a phone keeps its UDP flow (and its NAT binding) alive with STUN Binding requests
   * on the SIP port; the answer tells it the address and port we see, so it notices a NAT rebinding. What
   * is not a well-formed Binding request is dropped (never parsed as SIP).
   */
  #answerStun(bytes: Uint8Array, source: MessageSource): void {
    const answer = answerStunBindingRequest(bytes, {
      address: source.remoteAddress,
      port: source.remotePort,
    });
    if (answer === undefined) {
      this.#discard('SIP_TRANSPORT_MALFORMED_STUN', source);
      return;
    }
    this.#keepAlives++;
    source.flow.send(answer, source.remoteAddress, source.remotePort);
  }

  #closeAfterFlush(source: MessageSource): void {
    const connection = this.#connectionsByKey.get(
      connectionKey(source.protocol, source.remoteAddress, source.remotePort),
    );
    if (connection?.flow === source.flow) connection.closeAfterFlush();
  }

  #discard(code: DiscardCode, source: MessageSource | undefined): void {
    this.#discarded.set(code, (this.#discarded.get(code) ?? 0) + 1);
    this.#logger.debug(
      {
        code,
        protocol: source?.protocol,
        remoteAddress: source?.remoteAddress,
        remotePort: source?.remotePort,
      },
      'SIP message discarded',
    );
    if (this.#onDiscard === undefined) return;
    try {
      this.#onDiscard(code, source);
    } catch (error) {
      this.#reportCallbackError(error, 'onDiscard');
    }
  }

  // ---- calls up to the transaction user -----------------------------------------------------------

  #deliverAck(ack: SipRequest, source: MessageSource, transaction: ServerTransaction | undefined): void {
    if (this.#user.onAck === undefined) return;
    try {
      this.#user.onAck(ack, source, transaction);
    } catch (error) {
      this.#reportCallbackError(error, 'onAck');
    }
  }

  #reportCallbackError(error: unknown, callback: string): void {
    this.#logger.error({ err: error, callback }, 'SIP transaction user callback threw');
  }

  // ---- sending ------------------------------------------------------------------------------------

  #withOurVia(request: SipRequest, protocol: TransportProtocol, sentBy: string): SipRequest {
    const via = `SIP/2.0/${viaTransportName(protocol)} ${sentBy};branch=${magicCookie}${this.#tokens.next()};rport`;
    const headers: SipHeader[] = [{ name: 'Via', value: via }, ...request.headers];
    if (headerValue(request.headers, 'max-forwards') === undefined)
      headers.push({ name: 'Max-Forwards', value: '70' });
    return { ...request, headers };
  }

  /** RFC 3261 §18.2.2 with RFC 3581: the flow the request came on, the address it came from. */
  #responseRoute(
    source: MessageSource,
    isRportRequested: boolean,
    viaPort: number | undefined,
  ): ResponseRoute {
    if (source.flow.isReliable) {
      return {
        flow: source.flow,
        address: source.remoteAddress,
        port: viaPort ?? defaultPort(source.protocol),
      };
    }
    const port = isRportRequested || this.#isRportForced ? source.remotePort : (viaPort ?? 5060);
    return { flow: source.flow, address: source.remoteAddress, port };
  }

  #routeTo(
    target: SendTarget,
  ): Result<{ flow: Flow; sentBy: string; target: SendTarget }, SipTransportError> {
    const family = addressFamily(target.address);
    if (family === 0 || !Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      return err(
        transportError('SIP_TRANSPORT_INVALID_TARGET', 'The target needs an IP address literal and a port.'),
      );
    }
    const address = normalizeAddress(target.address);
    const normalized: SendTarget = { protocol: target.protocol, address, port: target.port };
    const listener = this.#listenerFor(target.protocol, addressFamily(address) === 6 ? 6 : 4);
    const existing = this.#connectionsByKey.get(connectionKey(target.protocol, address, target.port));
    switch (target.protocol) {
      case 'udp':
        return listener?.udp === undefined
          ? err(transportError('SIP_TRANSPORT_NO_ROUTE', 'No UDP listener of the target address family.'))
          : ok({ flow: listener.udp, sentBy: listener.info.sentBy, target: normalized });
      case 'tcp':
      case 'tls': {
        if (listener === undefined) {
          return err(
            transportError(
              'SIP_TRANSPORT_NO_ROUTE',
              `No ${target.protocol.toUpperCase()} listener to name in the Via.`,
            ),
          );
        }
        if (existing?.isOpen !== true && target.isFlowOnly === true) {
          // RFC 5626 §5.3: a phone behind NAT is reached over its own flow or not at all.
          return err(transportError('SIP_TRANSPORT_NO_ROUTE', 'The flow to the target is closed.'));
        }
        const flow =
          existing?.isOpen === true
            ? existing
            : this.#connect(target.protocol, address, target.port, target.serverName);
        return ok({ flow, sentBy: listener.info.sentBy, target: normalized });
      }
      case 'ws':
      case 'wss': {
        // A WebSocket peer (a browser) cannot be called back: only its open connection reaches it.
        if (existing?.isOpen !== true) {
          return err(transportError('SIP_TRANSPORT_NO_ROUTE', 'No open WebSocket connection to the target.'));
        }
        return ok({
          flow: existing,
          sentBy: listener?.info.sentBy ?? `${hostText(existing.localAddress)}:${existing.localPort}`,
          target: normalized,
        });
      }
    }
  }

  #listenerFor(protocol: TransportProtocol, family: 4 | 6): ListenerRecord | undefined {
    let dualStack: ListenerRecord | undefined;
    for (const record of this.#listeners) {
      if (record.info.protocol !== protocol) continue;
      if (record.info.family === family) return record;
      if (family === 4 && record.info.address === '::') dualStack = record;
    }
    return (
      dualStack ?? this.#listeners.find((record) => record.info.protocol === protocol && protocol !== 'udp')
    );
  }

  #startClient(
    key: string,
    request: SipRequest,
    target: SendTarget,
    flow: Flow,
    listener: ClientTransactionListener,
  ): ClientTransaction {
    const transaction = new ClientTransaction(
      this.#runtime,
      { key, request, target, flow, listener },
      this.#clock.now(),
    );
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction;
  }

  // ---- connections --------------------------------------------------------------------------------

  #acceptSocket(socket: Socket, protocol: 'tcp' | 'tls'): void {
    if (this.#isClosed || this.#connections.size >= this.#connectionLimits.maxConnections) {
      this.#discard('SIP_TRANSPORT_CONNECTION_LIMIT', undefined);
      socket.destroy();
      return;
    }
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.#adopt(new SocketConnection(this.#host, socket, protocol, remote, Date.now(), true));
  }

  /** Keeps an open WebSocket (one we accepted, or opened over `socket`) as a SIP connection. */
  #acceptWebSocket(webSocket: WebSocket, socket: Socket, protocol: 'ws' | 'wss'): WebSocketConnection {
    const connection = new WebSocketConnection(
      this.#host,
      webSocket,
      protocol,
      {
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        localAddress: socket.localAddress ?? '',
        localPort: socket.localPort ?? 0,
      },
      Date.now(),
    );
    this.#adopt(connection);
    return connection;
  }

  #connect(protocol: 'tcp' | 'tls', address: string, port: number, serverName?: string): Connection {
    let socket: Socket;
    if (protocol === 'tcp') {
      socket = connectTcp({ host: address, port, noDelay: true });
    } else {
      const secrets = this.#tlsClientFiles();
      socket = connectTls({
        host: address,
        port,
        // The certificate is checked against `servername` when there is one (a name: SNI cannot carry an
        // address), else against the address.
        ...(serverName === undefined || addressFamily(serverName) !== 0 ? {} : { servername: serverName }),
        ...secrets,
        rejectUnauthorized: this.#tlsClient?.isServerVerified ?? true,
      });
    }
    const connection = new SocketConnection(
      this.#host,
      socket,
      protocol,
      { address, port },
      Date.now(),
      false,
    );
    this.#adopt(connection);
    return connection;
  }

  /**
   * The files of `tlsClient`, read once: the CA bundle added to the system's roots (a `ca` option alone
   * would replace them), and our certificate and key.
   */
  #tlsClientFiles(): TlsClientSecrets {
    if (this.#tlsClientSecrets !== undefined) return this.#tlsClientSecrets;
    const { caPath, certPath, keyPath } = this.#tlsClient ?? {};
    this.#tlsClientSecrets = {
      ...(caPath === undefined ? {} : { ca: [...rootCertificates, readFileSync(caPath)] }),
      ...(certPath === undefined || keyPath === undefined
        ? {}
        : { cert: readFileSync(certPath), key: readFileSync(keyPath) }),
    };
    return this.#tlsClientSecrets;
  }

  #adopt(connection: Connection): void {
    connection.onClosed = this.#onConnectionClosed;
    this.#connections.add(connection);
    this.#connectionsByKey.set(connection.key, connection);
    this.#ensureSweep();
  }

  #ensureSweep(): void {
    if (this.#sweep !== undefined || this.#isClosed) return;
    const limits = this.#connectionLimits;
    const periodMs = Math.min(
      1000,
      Math.max(10, Math.min(limits.messageTimeoutMs, limits.idleTimeoutMs) / 4),
    );
    this.#sweep = setInterval(() => {
      this.#sweepConnections();
    }, periodMs);
    this.#sweep.unref();
  }

  /** Closes connections that stalled in the middle of a message or stayed idle without a transaction. */
  #sweepConnections(): void {
    const nowMs = Date.now();
    const limits = this.#connectionLimits;
    for (const connection of this.#connections) {
      const startedMs = connection.messageStartedMs;
      if (startedMs !== undefined && nowMs - startedMs > limits.messageTimeoutMs) {
        this.#discard('SIP_TRANSPORT_MESSAGE_TIMEOUT', connection);
        connection.destroy();
      } else if (!connection.hasWatchers && nowMs - connection.lastActivityMs > limits.idleTimeoutMs) {
        this.#discard('SIP_TRANSPORT_IDLE_TIMEOUT', connection);
        connection.destroy();
      }
    }
  }

  #attach(server: HttpServer, path: string, protocol: 'ws' | 'wss'): () => void {
    const { detach } = serveSipUpgrades(server, {
      path,
      maxPayloadBytes: this.#framerLimits.maxMessageBytes,
      canAccept: () => !this.#isClosed && this.#connections.size < this.#connectionLimits.maxConnections,
      onRefused: (reason) => {
        this.#discard(
          reason === 'no-sip-protocol'
            ? 'SIP_TRANSPORT_WEBSOCKET_PROTOCOL_REQUIRED'
            : 'SIP_TRANSPORT_CONNECTION_LIMIT',
          undefined,
        );
      },
      onWebSocket: (webSocket, request) => {
        this.#acceptWebSocket(webSocket, request.socket, protocol);
      },
    });
    this.#ensureSweep();
    return detach;
  }

  #listenerInfo(
    options: Pick<ListenOptions, 'protocol' | 'host' | 'advertisedAddress'>,
    family: 4 | 6,
    port: number,
    close: () => Promise<void>,
  ): SipListener {
    const address = normalizeAddress(options.host);
    const advertised =
      options.advertisedAddress ?? (isWildcard(address) ? firstInterfaceAddress(family) : address);
    return {
      protocol: options.protocol,
      address,
      port,
      family,
      sentBy: `${hostText(advertised)}:${port}`,
      close: async () => {
        const index = this.#listeners.findIndex(
          (record) => record.info.port === port && record.info.protocol === options.protocol,
        );
        if (index >= 0) this.#listeners.splice(index, 1);
        await close();
      },
    };
  }

  // ---- the runtime the transactions see -----------------------------------------------------------

  #createRuntime(): TransactionRuntime {
    return {
      timers: this.#timers,
      tokens: this.#tokens,
      now: () => this.#clock.now(),
      sendResponse: (transaction, bytes) => {
        this.#sendResponse(transaction, bytes);
      },
      sendRequest: (transaction, bytes) => {
        transaction.flow.send(bytes, transaction.target.address, transaction.target.port, transaction);
        this.#messagesSent++;
      },
      deliverRequest: (transaction) => {
        try {
          this.#user.onRequest(transaction);
        } catch (error) {
          this.#reportCallbackError(error, 'onRequest');
          if (!transaction.hasFinalResponse && !transaction.isTerminated) {
            transaction.reply(500, 'Server Internal Error');
          }
        }
      },
      deliverAck: (ack, transaction) => {
        this.#deliverAck(ack, transaction.source, transaction);
      },
      serverFailed: (transaction, failure: ServerTransactionFailure) => {
        if (this.#user.onServerFailure === undefined) return;
        try {
          this.#user.onServerFailure(transaction, failure);
        } catch (error) {
          this.#reportCallbackError(error, 'onServerFailure');
        }
      },
      serverEnded: (transaction) => {
        if (this.#servers.get(transaction.key) === transaction) this.#servers.delete(transaction.key);
        const mergeKey = transaction.mergeKey;
        if (mergeKey !== undefined && this.#merging.get(mergeKey) === transaction)
          this.#merging.delete(mergeKey);
        transaction.route.flow.unwatch(transaction);
      },
      awaitAck: (transaction, isWaiting) => {
        if (isWaiting) this.#awaitingAck.set(transaction.ackKey, transaction);
        else if (this.#awaitingAck.get(transaction.ackKey) === transaction)
          this.#awaitingAck.delete(transaction.ackKey);
      },
      sendCancel: (invite, request) => {
        let flow = invite.flow;
        if (!flow.isOpen) {
          const route = this.#routeTo(invite.target);
          if (route.ok) flow = route.value.flow;
        }
        const key = transactionKey(request) ?? `${invite.key}|CANCEL`;
        return this.#startClient(key, request, invite.target, flow, invite.listener);
      },
      clientEnded: (transaction) => {
        if (this.#clients.get(transaction.key) === transaction) this.#clients.delete(transaction.key);
        transaction.flow.unwatch(transaction);
      },
      reportCallbackError: (error, callback) => {
        this.#reportCallbackError(error, callback);
      },
    };
  }

  #sendResponse(transaction: ServerTransaction, bytes: Uint8Array): void {
    const route = transaction.route;
    const flow = route.flow;
    this.#messagesSent++;
    if (flow.isOpen) {
      // Datagram sends report nothing per message (no closure on the hot path); connections watch.
      flow.send(bytes, route.address, route.port, flow.isReliable ? transaction : undefined);
      return;
    }
    if (flow.protocol === 'tcp' || flow.protocol === 'tls') {
      // §18.2.2: the connection is gone; open one to the source address and the sent-by port.
      const existing = this.#connectionsByKey.get(connectionKey(flow.protocol, route.address, route.port));
      const connection =
        existing?.isOpen === true ? existing : this.#connect(flow.protocol, route.address, route.port);
      connection.send(bytes, route.address, route.port, transaction);
      return;
    }
    reportFailureLater(transaction);
  }
}

/** The first non-internal address of the family, for a wildcard listener with no advertised address. */
function firstInterfaceAddress(family: 4 | 6): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (!entry.internal && entry.family === (family === 4 ? 'IPv4' : 'IPv6')) return entry.address;
    }
  }
  return family === 4 ? '127.0.0.1' : '::1';
}
