import type {
  DigestChallenge,
  SipRequest,
  SipResponse,
  TransactionTimerConfig,
  UasPolicy,
} from '@centralita/sip';
import {
  answerChallenge,
  headerValue,
  headerValues,
  parseContact,
  parseDigestChallenge,
  parseUri,
  receivedRequestDialogKey,
  serializeDigestCredentials,
  serializeUri,
} from '@centralita/sip';
import type {
  ClientTransactionFailure,
  SendTarget,
  ServerTransaction,
  SipListener,
} from '@centralita/sip-transport';
import { SipEndpoint } from '@centralita/sip-transport';
import { TrafficError } from './errors.ts';
import type { PhoneLine } from './phone-call.ts';
import { PhoneCall, token } from './phone-call.ts';
import { RtpStream } from './rtp-stream.ts';
import type { VoiceOptions } from './voice-signal.ts';
import { VoiceSignal } from './voice-signal.ts';

/** A SIP account: username (the extension), password and domain (the tenant's realm, `demo.<SIP domain>`). */
export interface SipAccount {
  readonly username: string;
  readonly password: string;
  readonly domain: string;
}

/** How a soft phone is set up. */
export interface SoftPhoneOptions {
  /** The server's SIP address: every request goes there (it acts as outbound proxy). */
  readonly server: { readonly address: string; readonly port: number };
  /** The address the phone binds for SIP and RTP; 127.0.0.1 by default. */
  readonly localAddress?: string;
  /** The account to register; a phone without one only places calls (a customer behind a trunk). */
  readonly account?: SipAccount;
  /** The voice it sends in calls (each call gets its own phrasing from the seed). */
  readonly voice: VoiceOptions;
  /** Told of every INVITE that reaches the phone, already ringing (180 sent); answer or hang up. */
  readonly onIncomingCall?: (call: PhoneCall) => void;
  /**
   * Picks up a ringing call when the server asks (NOTIFY `Event: talk`, a remote answer); without it such
   * a NOTIFY gets 489 Bad Event, as on phones where remote answer is switched off.
   */
  readonly answersRemotely?: boolean;
  /** SIP timers (T1, T2, T4); RFC 3261 defaults otherwise. */
  readonly timers?: Partial<TransactionTimerConfig>;
  /** Takes UPDATE (RFC 3311) and lists it in Allow; without it an UPDATE gets 405, as on many phones. */
  readonly allowsUpdate?: boolean;
  /** How the phone reaches the server; UDP at `server` by default. */
  readonly transport?: PhoneTransport;
}

/**
 * The transport of a phone's signalling. TCP and TLS go to `server`'s address (TLS on `port`), from a listener
 * of the phone's own that its Via and Contact name (TLS with `certificate`, trusting `caPath` for the
 * server's); the server reaches the phone back over the connection it registered on. WebSocket connects to
 * `url` as a browser phone does (RFC 7118), with a Contact at an `.invalid` host: only that connection
 * reaches the phone.
 */
export type PhoneTransport =
  | { readonly protocol: 'udp' | 'tcp' }
  | {
      readonly protocol: 'tls';
      readonly port: number;
      readonly certificate: { readonly certPath: string; readonly keyPath: string };
      readonly caPath: string;
    }
  | { readonly protocol: 'ws'; readonly url: string };

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'NOTIFY'],
  supportedUriSchemes: ['sip'],
  supportedExtensions: [],
  acceptedContentTypes: ['application/sdp', 'application/dtmf-relay', 'message/sipfrag'],
};

/** The methods a phone takes: UPDATE only when it says so. */
function policyOf(options: SoftPhoneOptions): UasPolicy {
  return options.allowsUpdate === true
    ? { ...policy, supportedMethods: [...policy.supportedMethods, 'UPDATE'] }
    : policy;
}

/** Digest algorithms this phone answers, in the server's order of preference (RFC 8760). */
const answerableAlgorithms = new Set(['SHA-256', 'MD5']);

/**
 * A soft phone over our own SIP stack: a `SipEndpoint` on UDP, the dialog functions of `@centralita/sip`
 * and RTP from `RtpStream`. It registers with digest (RFC 3261 §10, RFC 7616: SHA-256 or MD5 with
 * qop=auth, whichever the server offers first) and keeps the registration fresh, places calls, rings for
 * incoming ones, and hangs up. Every request goes to the server's address, as to an outbound proxy.
 */
export class SoftPhone {
  readonly #endpoint: SipEndpoint;
  readonly #port: number;
  readonly #options: SoftPhoneOptions;
  readonly #server: SendTarget;
  readonly #localAddress: string;
  readonly #line: PhoneLine;
  readonly #calls = new Set<PhoneCall>();
  readonly #dialogs = new Map<string, PhoneCall>();
  readonly #ringing = new Map<ServerTransaction, PhoneCall>();
  readonly #registrationCallId = `${token(12)}@centralita-traffic`;
  readonly #registrationTag = token();
  #registrationCSeq = 0;
  #refresh: NodeJS.Timeout | undefined;
  #voiceCount = 0;
  #isClosed = false;

  private constructor(
    endpoint: SipEndpoint,
    signalling: { readonly server: SendTarget; readonly contactHost: string; readonly port: number },
    options: SoftPhoneOptions,
    localAddress: string,
  ) {
    this.#endpoint = endpoint;
    this.#port = signalling.port;
    this.#options = options;
    this.#localAddress = localAddress;
    this.#server = signalling.server;
    const user = options.account?.username ?? 'traffic';
    const protocol = signalling.server.protocol;
    this.#line = {
      endpoint,
      server: this.#server,
      contact: `<sip:${user}@${signalling.contactHost}${protocol === 'udp' ? '' : `;transport=${protocol}`}>`,
      allowsUpdate: options.allowsUpdate === true,
      localAddress,
      bindDialog: (call, key) => {
        this.#dialogs.set(key, call);
      },
      forget: (call) => {
        this.#calls.delete(call);
        for (const [key, bound] of this.#dialogs) if (bound === call) this.#dialogs.delete(key);
        for (const [transaction, ringing] of this.#ringing)
          if (ringing === call) this.#ringing.delete(transaction);
      },
    };
  }

  /**
   * Opens the phone: a SIP endpoint at the local address on a port the system picks, on UDP unless
   * `transport` says otherwise (a WebSocket is connected here).
   */
  static async open(options: SoftPhoneOptions): Promise<SoftPhone> {
    const localAddress = options.localAddress ?? '127.0.0.1';
    const transport = options.transport ?? { protocol: 'udp' };
    // The transaction user is made before the phone it calls into; nothing arrives before `listen`.
    const core: { phone?: SoftPhone } = {};
    const endpoint = new SipEndpoint({
      policy: policyOf(options),
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      ...(transport.protocol === 'tls' ? { tlsClient: { caPath: transport.caPath } } : {}),
      transactionUser: {
        onRequest: (transaction) => {
          const phone = core.phone;
          if (phone === undefined) transaction.reply(503, 'Service Unavailable');
          else phone.#onRequest(transaction);
        },
        onCancel: (invite) => {
          const phone = core.phone;
          const call = phone === undefined ? undefined : phone.#ringing.get(invite);
          if (call === undefined) invite.reply(487, 'Request Terminated');
          else call.onCancel(invite);
        },
        onServerFailure: (transaction, failure) => {
          const phone = core.phone;
          if (failure === 'ack-timeout' && phone !== undefined)
            phone.#ringing.get(transaction)?.onAckTimeout();
        },
      },
    });
    const phone = new SoftPhone(
      endpoint,
      await signallingOf(endpoint, transport, options),
      options,
      localAddress,
    );
    core.phone = phone;
    return phone;
  }

  /** The phone's SIP port: where it listens, or the local port of its WebSocket. */
  get port(): number {
    return this.#port;
  }

  /** Calls in progress on this phone. */
  get calls(): readonly PhoneCall[] {
    return [...this.#calls];
  }

  /**
   * Registers the account (REGISTER, the digest challenge answered) and refreshes it at half its
   * expiration. Throws a `TrafficError` saying what to check when the server refuses or does not answer.
   */
  async register(expiresS = 600): Promise<void> {
    const grantedS = await this.#register(expiresS);
    if (this.#refresh !== undefined) clearTimeout(this.#refresh);
    this.#refresh = setTimeout(
      () => {
        this.register(expiresS).catch(() => undefined);
      },
      Math.max(30, grantedS / 2) * 1000,
    );
    this.#refresh.unref();
  }

  /** Removes the registration (`Expires: 0`) and stops refreshing it. */
  async unregister(): Promise<void> {
    if (this.#refresh !== undefined) clearTimeout(this.#refresh);
    this.#refresh = undefined;
    await this.#register(0);
  }

  /**
   * Places a call to `number` through the server (a trunk call when the phone has no account):
   * From carries `callerId` and `callerName`.
   */
  async call(request: {
    readonly number: string;
    readonly callerId: string;
    readonly callerName?: string;
    /** More headers for the INVITE (e.g. session timers). */
    readonly extraHeaders?: readonly { readonly name: string; readonly value: string }[];
    /** Refresh the session with these methods in turn when the 2xx makes us refresher (RFC 4028). */
    readonly refreshesSessionWith?: readonly ('UPDATE' | 'INVITE')[];
    /** A carrier's digest credentials, to answer the server's 401 as a trunk that authenticates does. */
    readonly credentials?: { readonly username: string; readonly password: string };
  }): Promise<PhoneCall> {
    const rtp = await RtpStream.open(this.#localAddress, this.#nextVoice());
    const server = `${this.#server.address}:${String(this.#server.port)}`;
    const requestUri = parseUri(`sip:${request.number}@${server}`);
    if (requestUri === undefined) {
      await rtp.close();
      throw new Error(`not a number to call: ${request.number}`);
    }
    const name = request.callerName === undefined ? '' : `"${request.callerName.replace(/["\\]/g, '')}" `;
    const call = PhoneCall.place(this.#line, rtp, {
      requestUri,
      from: `${name}<sip:${request.callerId}@${this.#localAddress}>`,
      to: `<sip:${request.number}@${server}>`,
      ...(request.extraHeaders === undefined ? {} : { extraHeaders: request.extraHeaders }),
      ...(request.refreshesSessionWith === undefined
        ? {}
        : { refreshesSessionWith: request.refreshesSessionWith }),
      ...(request.credentials === undefined ? {} : { credentials: request.credentials }),
    });
    this.#calls.add(call);
    return call;
  }

  /**
   * Dials from this registered phone, as a desk phone does: the INVITE goes to the server as our account
   * (From is our address of record) and answers its 407 challenge with our password. The server's dial
   * plan decides what `dialled` means (an extension, a number, a feature code such as `*50`).
   */
  async dial(dialled: string): Promise<PhoneCall> {
    const account = this.#options.account;
    if (account === undefined) throw new Error('this phone has no SIP account to dial with');
    const rtp = await RtpStream.open(this.#localAddress, this.#nextVoice());
    const requestUri = parseUri(`sip:${dialled}@${account.domain}`);
    if (requestUri === undefined) {
      await rtp.close();
      throw new Error(`not something to dial: ${dialled}`);
    }
    const call = PhoneCall.place(this.#line, rtp, {
      requestUri,
      from: `<sip:${account.username}@${account.domain}>`,
      to: `<sip:${dialled}@${account.domain}>`,
      credentials: { username: account.username, password: account.password },
    });
    this.#calls.add(call);
    return call;
  }

  /** Hangs up every call and waits until each is over (a BYE is not waited for; a CANCEL is). */
  async hangUpAll(): Promise<void> {
    const calls = [...this.#calls];
    for (const call of calls) call.hangUp();
    await Promise.all(calls.map((call) => call.ended));
  }

  /** Hangs up, unregisters (when registered) and closes the endpoint. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    await this.hangUpAll();
    if (this.#options.account !== undefined && this.#registrationCSeq > 0)
      await this.unregister().catch(() => undefined);
    this.#isClosed = true;
    if (this.#refresh !== undefined) clearTimeout(this.#refresh);
    await this.#endpoint.close();
  }

  #nextVoice(): VoiceSignal {
    this.#voiceCount++;
    return new VoiceSignal({ ...this.#options.voice, seed: this.#options.voice.seed + this.#voiceCount });
  }

  #onRequest(transaction: ServerTransaction): void {
    const request = transaction.request;
    if (
      request.method === 'NOTIFY' &&
      (headerValue(request.headers, 'event') ?? '').trim().toLowerCase() === 'talk'
    ) {
      this.#remoteAnswer(transaction);
      return;
    }
    const key = receivedRequestDialogKey(request);
    if (key !== undefined) {
      const call = this.#dialogs.get(key);
      if (call === undefined) transaction.reply(481, 'Call/Transaction Does Not Exist');
      else call.onInDialogRequest(transaction);
      return;
    }
    switch (request.method) {
      case 'INVITE':
        this.#receiveInvite(transaction);
        return;
      case 'OPTIONS':
        transaction.reply(200, 'OK', {
          extraHeaders: [{ name: 'Allow', value: policyOf(this.#options).supportedMethods.join(', ') }],
        });
        return;
      default:
        transaction.reply(481, 'Call/Transaction Does Not Exist');
    }
  }

  /** A remote answer: the ringing call of the NOTIFY's Call-ID is picked up, if this phone allows it. */
  #remoteAnswer(transaction: ServerTransaction): void {
    if (this.#options.answersRemotely !== true) {
      transaction.reply(489, 'Bad Event');
      return;
    }
    const callId = headerValue(transaction.request.headers, 'call-id');
    const ringing = [...this.#ringing].find(
      ([invite, call]) =>
        headerValue(invite.request.headers, 'call-id') === callId && call.state === 'ringing',
    );
    if (ringing === undefined) {
      transaction.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    transaction.reply(200, 'OK');
    ringing[1].answer();
  }

  #receiveInvite(transaction: ServerTransaction): void {
    const onIncomingCall = this.#options.onIncomingCall;
    if (onIncomingCall === undefined || this.#isClosed) {
      transaction.reply(480, 'Temporarily Unavailable');
      return;
    }
    // The media socket is opened first, so the answer can name its port; a CANCEL meanwhile gets 487.
    RtpStream.open(this.#localAddress, this.#nextVoice()).then(
      (rtp) => {
        if (transaction.hasFinalResponse || transaction.isTerminated || this.#isClosed) {
          void rtp.close();
          if (!transaction.hasFinalResponse) transaction.reply(480, 'Temporarily Unavailable');
          return;
        }
        const call = PhoneCall.receive(this.#line, rtp, transaction);
        this.#calls.add(call);
        this.#ringing.set(transaction, call);
        onIncomingCall(call);
      },
      () => {
        transaction.reply(500, 'Server Internal Error - No Media Port');
      },
    );
  }

  // ---- registration -----------------------------------------------------------------------------

  async #register(expiresS: number): Promise<number> {
    const account = this.#options.account;
    if (account === undefined) throw new Error('this phone has no SIP account to register');
    const first = await this.#sendRegister(account, expiresS, undefined);
    let response = first;
    if (response !== 'timeout' && response !== 'transport-error' && response.statusCode === 401) {
      const challenge = chosenChallenge(response);
      if (challenge !== undefined) response = await this.#sendRegister(account, expiresS, challenge);
    }
    if (response === 'timeout' || response === 'transport-error') {
      throw new TrafficError(
        'TRAFFIC_SIP_UNREACHABLE',
        `No answer from the SIP service at ${this.#server.address}:${String(this.#server.port)}. Is Centralita running with SIP on (CENTRALITA_SIP_ENABLED) on that port? Give its address with --sip.`,
      );
    }
    if (response.statusCode >= 200 && response.statusCode < 300)
      return grantedExpiresS(response, this.#line.contact, expiresS);
    throw new TrafficError('TRAFFIC_REGISTRATION_REFUSED', refusalAdvice(account, response));
  }

  #sendRegister(
    account: SipAccount,
    expiresS: number,
    challenge: DigestChallenge | undefined,
  ): Promise<SipResponse | ClientTransactionFailure> {
    this.#registrationCSeq++;
    const aor = `<sip:${account.username}@${account.domain}>`;
    const requestUri = parseUri(`sip:${account.domain}`);
    if (requestUri === undefined)
      throw new TrafficError('TRAFFIC_REGISTRATION_REFUSED', `"${account.domain}" is not a SIP domain.`);
    const headers: SipRequest['headers'][number][] = [
      { name: 'From', value: `${aor};tag=${this.#registrationTag}` },
      { name: 'To', value: aor },
      { name: 'Call-ID', value: this.#registrationCallId },
      { name: 'CSeq', value: `${String(this.#registrationCSeq)} REGISTER` },
      { name: 'Contact', value: this.#line.contact },
      { name: 'Expires', value: String(expiresS) },
      { name: 'User-Agent', value: 'Centralita demo traffic' },
    ];
    if (challenge !== undefined) {
      const credentials = answerChallenge(challenge, {
        username: account.username,
        password: account.password,
        method: 'REGISTER',
        uri: serializeUri(requestUri),
        cnonce: token(),
        nonceCount: 1,
      });
      headers.push({ name: 'Authorization', value: serializeDigestCredentials(credentials) });
    }
    const request: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      requestUri,
      headers,
      body: new Uint8Array(0),
    };
    return new Promise((resolve) => {
      const sent = this.#endpoint.sendRequest(request, this.#server, {
        onResponse: (response) => {
          if (response.statusCode >= 200) resolve(response);
        },
        onFailure: (failure) => {
          resolve(failure);
        },
      });
      if (!sent.ok) resolve('transport-error');
    });
  }
}

/** Where the phone's requests go, the host of its Contact and its own SIP port, for its transport. */
async function signallingOf(
  endpoint: SipEndpoint,
  transport: PhoneTransport,
  options: SoftPhoneOptions,
): Promise<{ readonly server: SendTarget; readonly contactHost: string; readonly port: number }> {
  const host = options.localAddress ?? '127.0.0.1';
  if (transport.protocol === 'ws') {
    const connected = await endpoint.connectWebSocket(transport.url);
    if (!connected.ok) {
      await endpoint.close();
      throw new TrafficError('TRAFFIC_SIP_UNREACHABLE', connected.error.message);
    }
    // RFC 7118 §5: a WebSocket client cannot be reached at any address, so its Contact host is invalid.
    return {
      server: connected.value.target,
      contactHost: `${token(10)}.invalid`,
      port: connected.value.localPort,
    };
  }
  const listener: SipListener = await endpoint.listen({
    protocol: transport.protocol,
    host,
    port: 0,
    ...(transport.protocol === 'tls' ? { tls: transport.certificate } : {}),
  });
  const port = transport.protocol === 'tls' ? transport.port : options.server.port;
  return {
    server: { protocol: transport.protocol, address: options.server.address, port },
    contactHost: listener.sentBy,
    port: listener.port,
  };
}

/** The first challenge of a 401 whose algorithm we answer: the server lists them by preference (RFC 8760 §2.4). */
function chosenChallenge(response: SipResponse): DigestChallenge | undefined {
  for (const value of headerValues(response.headers, 'www-authenticate')) {
    const parsed = parseDigestChallenge(value);
    if (parsed.ok && answerableAlgorithms.has(parsed.value.algorithm)) return parsed.value;
  }
  return undefined;
}

/** The expiration the registrar granted our contact (it lists every binding), or what we asked for. */
function grantedExpiresS(response: SipResponse, contact: string, askedS: number): number {
  const ours = parseContact(contact);
  const ourUri =
    ours?.kind === 'addresses' && ours.addresses[0] !== undefined ? serializeUri(ours.addresses[0].uri) : '';
  for (const value of headerValues(response.headers, 'contact')) {
    const parsed = parseContact(value);
    if (parsed?.kind !== 'addresses') continue;
    for (const address of parsed.addresses) {
      if (serializeUri(address.uri) !== ourUri) continue;
      const expires = Number(address.params.find((param) => param.name.toLowerCase() === 'expires')?.value);
      if (Number.isFinite(expires)) return expires;
    }
  }
  const header = Number(headerValue(response.headers, 'expires'));
  return Number.isFinite(header) ? header : askedS;
}

/** What the user should check when the registrar refuses a phone. */
function refusalAdvice(account: SipAccount, response: SipResponse): string {
  const who = `${account.username}@${account.domain}`;
  const status = `${String(response.statusCode)} ${response.reasonPhrase}`;
  switch (response.statusCode) {
    case 401:
    case 404:
      return `The server refused to register ${who} (${status}). Check the SIP domain: the server uses CENTRALITA_SIP_DOMAIN, or its host name when unset; give the same with --sip-domain (or CENTRALITA_SIP_DOMAIN).`;
    case 403:
      return `The server refused to register ${who} (${status}): after repeated failed registrations it blocks this address for a while (CENTRALITA_SIP_AUTH_BLOCK_S). Check the SIP domain (--sip-domain), then try again later or restart the server.`;
    default:
      return `The server refused to register ${who} (${status}).`;
  }
}
