import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from '@centralita/kernel';
import type {
  Dialog,
  LocalMediaCapabilities,
  NegotiatedAudio,
  SessionDescription,
  SipRequest,
  SipResponse,
} from '@centralita/sip';
import {
  ackFor2xx,
  acceptAnswer,
  answerChallenge,
  answerOffer,
  createOffer,
  dialogAsUac,
  dialogAsUas,
  dialogKey,
  headerValue,
  inDialogRequest,
  nextGlareRetryDelayMs,
  offerCollision,
  parseCSeq,
  parseDigestChallenge,
  parseNameAddress,
  parseSdp,
  parseSessionExpires,
  receiveInDialog,
  serializeDigestCredentials,
  serializeSdp,
  serializeUri,
} from '@centralita/sip';
import type {
  ClientTransaction,
  SendTarget,
  ServerTransaction,
  SipEndpoint,
} from '@centralita/sip-transport';
import type { DtmfDigit } from '@centralita/media';
import type { RtpStream } from './rtp-stream.ts';

/** How a call ended, from this phone's side. */
export type CallEnding =
  /** We hung up (BYE), or gave up before an answer (CANCEL). */
  | { readonly reason: 'local-hangup' }
  /** The other side hung up (BYE). */
  | { readonly reason: 'remote-hangup' }
  /** The caller gave up while this phone rang (CANCEL, answered 487). */
  | { readonly reason: 'cancelled' }
  /** We declined the call while it rang. */
  | { readonly reason: 'declined'; readonly statusCode: number }
  /** Our call was refused (a final answer of 300 or more) or got no answer at all (408, 503). */
  | { readonly reason: 'failed'; readonly statusCode: number; readonly reasonPhrase: string };

/** What a call needs from the phone it is on. */
export interface PhoneLine {
  readonly endpoint: SipEndpoint;
  /** Where every request goes (the server, acting as outbound proxy). */
  readonly server: SendTarget;
  /** Our Contact header value. */
  readonly contact: string;
  /** The phone takes UPDATE (RFC 3311) and says so in Allow. */
  readonly allowsUpdate: boolean;
  readonly localAddress: string;
  bindDialog(call: PhoneCall, key: string): void;
  forget(call: PhoneCall): void;
}

const sdpType = 'application/sdp';
const encoder = new TextEncoder();
const allow = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';

function allowOf(line: PhoneLine): string {
  return line.allowsUpdate ? `${allow}, UPDATE` : allow;
}

/** A session refresh this phone sent (RFC 4028): the method, the answer's status and when it came. */
export interface SessionRefresh {
  readonly method: 'UPDATE' | 'INVITE';
  readonly statusCode: number;
  /** The answer's Session-Expires, if any. */
  readonly sessionExpires: string | undefined;
  readonly atMs: number;
}

/** A 491 Request Pending to our re-INVITE or UPDATE (glare, RFC 3261 §14.1), and how long we waited to retry. */
export interface GlareRetry {
  readonly method: 'UPDATE' | 'INVITE';
  readonly delayMs: number;
  /** When the 491 came. */
  readonly atMs: number;
}

/** A 491 is retried this many times at most before the request is given up. */
const maxGlareRetries = 3;

const reasonPhrases: Record<number, string> = {
  408: 'Request Timeout',
  422: 'Session Interval Too Small',
  481: 'Call/Transaction Does Not Exist',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
};

/** A request the other side sent inside the call's dialog, as it arrived. */
export interface ReceivedRequest {
  readonly method: string;
  readonly headers: SipRequest['headers'];
  readonly hasBody: boolean;
  readonly atMs: number;
}

/** A random token for tags and Call-IDs. */
export function token(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** What this phone can do for media, for an offer or an answer (RFC 3264). */
export function localCapabilities(
  address: string,
  rtpPort: number,
  sessionId: string,
  version: number,
): LocalMediaCapabilities {
  return {
    codecs: ['PCMA', 'PCMU'],
    isTelephoneEventSupported: true,
    telephoneEventPayloadType: 101,
    addressType: address.includes(':') ? 'IP6' : 'IP4',
    address,
    rtpPort,
    packetTimeMs: 20,
    origin: { username: 'centralita-traffic', sessionId, sessionVersion: String(version) },
  };
}

function peerOf(audio: NegotiatedAudio): Parameters<RtpStream['start']>[0] {
  return {
    address: audio.remoteAddress,
    port: audio.remotePort,
    law: audio.codec.name === 'PCMU' ? 'pcmu' : 'pcma',
    payloadType: audio.codec.payloadType,
    telephoneEventPayloadType: audio.telephoneEvent?.payloadType,
  };
}

/**
 * One call on a soft phone, placed or received: its INVITE transaction, then its dialog (RFC 3261 §12)
 * and its media. States: `calling` (our INVITE sent), `ringing` (a 18x came, or we sent 180), `connected`,
 * `ended`. Every way out goes through one place (`#end`), which stops the media and resolves `ended`.
 */
export class PhoneCall {
  readonly direction: 'outgoing' | 'incoming';
  /** `X-Centralita-Interaction-Id` of an INVITE from the server: the interaction this call belongs to. */
  readonly interactionId: string | undefined;
  /** The display name in the From header of an incoming call (the customer's name, for an agent's phone). */
  readonly remoteName: string | undefined;
  /** Resolves true when the call is connected, false when it ends first. */
  readonly connected: Promise<boolean>;
  /** Resolves once, when the call is over. */
  readonly ended: Promise<CallEnding>;
  #state: 'calling' | 'ringing' | 'connected' | 'ended';
  readonly #line: PhoneLine;
  readonly #rtp: RtpStream;
  readonly #sessionId = String(randomInt(1, 2 ** 31 - 1));
  #sdpVersion = 1;
  #dialog: Dialog | undefined;
  #offer: SessionDescription | undefined;
  #clientInvite: ClientTransaction | undefined;
  #serverInvite: ServerTransaction | undefined;
  /** The account's password for a 401/407 challenge to our INVITE (answered once). */
  #credentials: { readonly username: string; readonly password: string } | undefined;
  #isAuthenticating = false;
  readonly #referProgress: string[] = [];
  #answerHeaders: SipResponse['headers'] | undefined;
  #isCancelling = false;
  #isByeSent = false;
  /** Methods for our session refreshes, taken in turn, when the answer makes us the refresher (RFC 4028). */
  #refreshMethods: readonly ('UPDATE' | 'INVITE')[] = [];
  /** The session's interval when this phone is its refresher (RFC 4028): set once the call connects. */
  #ownRefreshIntervalS: number | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  readonly #sessionRefreshes: SessionRefresh[] = [];
  readonly #requestsReceived: ReceivedRequest[] = [];
  /** Our re-INVITE without a final response, our offer (re-INVITE or UPDATE) without an answer. */
  #isOwnInvitePending = false;
  #isOwnOfferPending = false;
  readonly #glareRetries: GlareRetry[] = [];
  readonly #glareTimers = new Set<NodeJS.Timeout>();
  readonly #random: Random = { next: () => Math.random() };
  /** Final statuses for the next re-INVITEs or UPDATEs from the other side, in turn, instead of accepting them. */
  #scriptedAnswers: number[] = [];
  /** Sends our own offer when the next one from the other side arrives, so that the two cross. */
  #beforeNextOffer: (() => void) | undefined;
  readonly #resolveConnected: (isConnected: boolean) => void;
  readonly #resolveEnded: (ending: CallEnding) => void;

  private constructor(
    line: PhoneLine,
    rtp: RtpStream,
    direction: 'outgoing' | 'incoming',
    invite?: SipRequest,
  ) {
    this.#line = line;
    this.#rtp = rtp;
    this.direction = direction;
    this.#state = direction === 'outgoing' ? 'calling' : 'ringing';
    this.interactionId =
      invite === undefined ? undefined : headerValue(invite.headers, 'x-centralita-interaction-id');
    this.remoteName =
      invite === undefined
        ? undefined
        : parseNameAddress(headerValue(invite.headers, 'from') ?? '')?.displayName;
    const connected = Promise.withResolvers<boolean>();
    const ended = Promise.withResolvers<CallEnding>();
    this.connected = connected.promise;
    this.ended = ended.promise;
    this.#resolveConnected = connected.resolve;
    this.#resolveEnded = ended.resolve;
  }

  /** calling, ringing, connected or ended. */
  get state(): 'calling' | 'ringing' | 'connected' | 'ended' {
    return this.#state;
  }

  /** RTP packets sent and received. */
  get mediaStats(): RtpStream['stats'] {
    return this.#rtp.stats;
  }

  /** The keys the other side sent as RFC 4733 events during the call, in order. */
  get keysReceived(): string {
    return this.#rtp.keysReceived;
  }

  /** Starts keeping the audio this phone hears (see `heard`), from now on. */
  listen(): void {
    this.#rtp.listen();
  }

  /** The audio heard since `listen`, as 8 kHz linear PCM. */
  heard(): Int16Array {
    return this.#rtp.heard();
  }

  /**
   * Places a call: INVITE with our offer, sent to the server. `requestUri`, `from` and `to` are written as
   * given (From gets our tag).
   */
  static place(
    line: PhoneLine,
    rtp: RtpStream,
    request: {
      readonly requestUri: SipRequest['requestUri'];
      readonly from: string;
      readonly to: string;
      /** Answers a 401/407 challenge to the INVITE (a registered phone calling through its server). */
      readonly credentials?: { readonly username: string; readonly password: string };
      /** More headers for the INVITE (e.g. `Supported: timer`, `Session-Expires`). */
      readonly extraHeaders?: readonly { readonly name: string; readonly value: string }[];
      /**
       * Refresh the session when the 2xx names us refresher (`refresher=uac`, RFC 4028 §7.2): at half the
       * interval, with these methods in turn, until `stopRefreshingSession`.
       */
      readonly refreshesSessionWith?: readonly ('UPDATE' | 'INVITE')[];
    },
  ): PhoneCall {
    const call = new PhoneCall(line, rtp, 'outgoing');
    call.#credentials = request.credentials;
    call.#refreshMethods = request.refreshesSessionWith ?? [];
    const offer = createOfferFor(line, rtp, call.#sessionId);
    call.#offer = offer;
    const invite: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      requestUri: request.requestUri,
      headers: [
        { name: 'From', value: `${request.from};tag=${token()}` },
        { name: 'To', value: request.to },
        { name: 'Call-ID', value: `${token(12)}@centralita-traffic` },
        { name: 'CSeq', value: '1 INVITE' },
        { name: 'Contact', value: line.contact },
        { name: 'Allow', value: allowOf(line) },
        { name: 'User-Agent', value: 'Centralita demo traffic' },
        ...(request.extraHeaders ?? []),
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(offer)),
    };
    call.#sendInvite(invite);
    return call;
  }

  #sendInvite(invite: SipRequest): void {
    const line = this.#line;
    const sent = line.endpoint.sendRequest(invite, line.server, {
      onResponse: (response, transaction) => {
        this.#onInviteResponse(response, transaction);
      },
      onFailure: (failure) => {
        if (this.#dialog !== undefined) return;
        this.#end(
          failure === 'timeout'
            ? { reason: 'failed', statusCode: 408, reasonPhrase: 'No answer from the server' }
            : { reason: 'failed', statusCode: 503, reasonPhrase: 'The INVITE could not be sent' },
        );
      },
    });
    if (sent.ok) this.#clientInvite = sent.value;
    else
      queueMicrotask(() => {
        this.#end({ reason: 'failed', statusCode: 503, reasonPhrase: sent.error.message });
      });
  }

  /**
   * Answers a 401/407 to our INVITE once (RFC 3261 §22.2, §22.3): the same request with the next CSeq and
   * the credentials for the first challenge we can answer. False when there is nothing to answer with.
   */
  #retryWithCredentials(response: SipResponse, transaction: ClientTransaction): boolean {
    if (this.#credentials === undefined || this.#isAuthenticating || this.#isCancelling) return false;
    const isProxy = response.statusCode === 407;
    let challenge: ReturnType<typeof parseDigestChallenge> | undefined;
    for (const header of response.headers) {
      if (header.name.toLowerCase() !== (isProxy ? 'proxy-authenticate' : 'www-authenticate')) continue;
      const parsed = parseDigestChallenge(header.value);
      if (parsed.ok && (parsed.value.algorithm === 'MD5' || parsed.value.algorithm === 'SHA-256')) {
        challenge = parsed;
        break;
      }
    }
    if (challenge === undefined || !challenge.ok) return false;
    this.#isAuthenticating = true;
    const previous = transaction.request;
    const sequence = (parseCSeq(headerValue(previous.headers, 'cseq') ?? '')?.sequence ?? 1) + 1;
    const credentials = answerChallenge(challenge.value, {
      username: this.#credentials.username,
      password: this.#credentials.password,
      method: 'INVITE',
      uri: serializeUri(previous.requestUri),
      cnonce: token(),
      nonceCount: 1,
    });
    this.#sendInvite({
      ...previous,
      headers: [
        ...previous.headers.filter((header) => !/^(cseq|via)$/i.test(header.name)),
        { name: 'CSeq', value: `${String(sequence)} INVITE` },
        {
          name: isProxy ? 'Proxy-Authorization' : 'Authorization',
          value: serializeDigestCredentials(credentials),
        },
      ],
    });
    return true;
  }

  /** An INVITE from the server: answered 180 at once; the owner answers or declines it. */
  static receive(line: PhoneLine, rtp: RtpStream, transaction: ServerTransaction): PhoneCall {
    const call = new PhoneCall(line, rtp, 'incoming', transaction.request);
    call.#serverInvite = transaction;
    transaction.reply(180, 'Ringing', { extraHeaders: [{ name: 'Contact', value: line.contact }] });
    return call;
  }

  /** The headers of the INVITE this phone received (an incoming call); undefined for calls it placed. */
  get inviteHeaders(): SipRequest['headers'] | undefined {
    return this.#serverInvite?.request.headers;
  }

  /**
   * Refuses a ringing incoming call's session interval as a phone with a larger minimum does: 422 with this
   * Min-SE (RFC 4028 §6). The caller may ask again with a longer interval, as a new incoming call.
   */
  refuseSessionInterval(minSeS: number): void {
    const transaction = this.#serverInvite;
    if (this.#state !== 'ringing' || transaction === undefined || transaction.hasFinalResponse) return;
    transaction.reply(422, 'Session Interval Too Small', {
      extraHeaders: [{ name: 'Min-SE', value: String(minSeS) }],
    });
    this.#end({ reason: 'declined', statusCode: 422 });
  }

  /**
   * Answers a ringing incoming call: 200 with our SDP answer, a dialog, and media. `sessionExpires` puts a
   * session timer in the 200 (RFC 4028 §9: `Session-Expires` as given, `Require: timer`); when it names this
   * phone refresher (`refresher=uas`), the phone refreshes at half the interval with `refreshesSessionWith`
   * in turn, until `stopRefreshingSession`.
   */
  answer(
    options: {
      readonly sessionExpires?: string;
      readonly refreshesSessionWith?: readonly ('UPDATE' | 'INVITE')[];
    } = {},
  ): boolean {
    const transaction = this.#serverInvite;
    if (this.direction !== 'incoming' || this.#state !== 'ringing' || transaction === undefined) return false;
    if (transaction.hasFinalResponse) return false;
    const offer = parseSdp(transaction.request.body);
    const answered = offer.ok
      ? answerOffer(
          offer.value,
          localCapabilities(this.#line.localAddress, this.#rtp.port, this.#sessionId, this.#sdpVersion),
        )
      : undefined;
    if (answered === undefined || !answered.ok) {
      transaction.reply(488, 'Not Acceptable Here');
      this.#end({ reason: 'declined', statusCode: 488 });
      return false;
    }
    const dialog = dialogAsUas(
      transaction.request,
      transaction.localTag,
      this.#line.contact,
      randomInt(1, 10_000),
    );
    if (!dialog.ok) {
      transaction.reply(400, `Bad Request - Cannot Make a Dialog (${dialog.error})`);
      this.#end({ reason: 'declined', statusCode: 400 });
      return false;
    }
    this.#dialog = dialog.value;
    this.#line.bindDialog(
      this,
      dialogKey(dialog.value.callId, dialog.value.localTag, dialog.value.remoteTag),
    );
    const timer =
      options.sessionExpires === undefined ? undefined : parseSessionExpires(options.sessionExpires);
    transaction.reply(200, 'OK', {
      extraHeaders: [
        { name: 'Contact', value: this.#line.contact },
        { name: 'Allow', value: allowOf(this.#line) },
        ...(options.sessionExpires === undefined
          ? []
          : [
              { name: 'Session-Expires', value: options.sessionExpires },
              { name: 'Require', value: 'timer' },
              { name: 'Supported', value: 'timer' },
            ]),
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(answered.value.answer)),
    });
    if (timer?.refresher === 'uas') {
      this.#ownRefreshIntervalS = timer.intervalS;
      this.#refreshMethods = options.refreshesSessionWith ?? [];
    }
    this.#connect(answered.value.audio);
    return true;
  }

  /** Presses a key (RFC 4733 in the media). */
  sendDigit(digit: DtmfDigit): void {
    if (this.#state === 'connected') this.#rtp.sendDigit(digit);
  }

  /**
   * Hangs up: BYE when connected, CANCEL while our INVITE has no answer (RFC 3261 §9.1), 603 Decline
   * while this phone rings.
   */
  hangUp(): void {
    switch (this.#state) {
      case 'ended':
        return;
      case 'connected':
        this.#sendBye();
        this.#end({ reason: 'local-hangup' });
        return;
      case 'calling':
      case 'ringing':
        if (this.direction === 'incoming') {
          this.#serverInvite?.reply(603, 'Decline');
          this.#end({ reason: 'declined', statusCode: 603 });
          return;
        }
        // The call ends when the INVITE gets its 487 (or its 200, which is then acknowledged and hung up).
        this.#isCancelling = true;
        if (this.#clientInvite === undefined || !this.#clientInvite.cancel().ok)
          this.#end({ reason: 'local-hangup' });
        return;
    }
  }

  // ---- called by the phone ------------------------------------------------------------------------

  /** A request inside this call's dialog: BYE, a re-INVITE, INFO. */
  onInDialogRequest(transaction: ServerTransaction): void {
    const dialog = this.#dialog;
    if (dialog === undefined || this.#state === 'ended') {
      transaction.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const accepted = receiveInDialog(dialog, transaction.request);
    if (!accepted.ok) {
      transaction.reply(500, 'Server Internal Error - CSeq Out of Order');
      return;
    }
    this.#dialog = accepted.value;
    this.#requestsReceived.push({
      method: transaction.request.method,
      headers: transaction.request.headers,
      hasBody: transaction.request.body.length > 0,
      atMs: Date.now(),
    });
    switch (transaction.request.method) {
      case 'BYE':
        transaction.reply(200, 'OK');
        this.#end({ reason: 'remote-hangup' });
        return;
      case 'INVITE':
      case 'UPDATE': {
        const method = transaction.request.method === 'INVITE' ? 'INVITE' : 'UPDATE';
        const hasOffer = transaction.request.body.length > 0;
        const scripted = this.#scriptedAnswers.shift();
        if (scripted !== undefined) {
          transaction.reply(scripted, reasonPhrases[scripted] ?? 'Refused');
          return;
        }
        const sendOwnOffer = hasOffer ? this.#beforeNextOffer : undefined;
        this.#beforeNextOffer = hasOffer ? undefined : this.#beforeNextOffer;
        sendOwnOffer?.();
        // Glare (RFC 3261 §14.2, RFC 3311 §5.2): an offer crossing ours gets 491. Offers to us are answered at
        // once, so the other side's is never pending here.
        const collision = offerCollision(
          { method, hasOffer },
          {
            isOwnInvitePending: this.#isOwnInvitePending,
            isOwnOfferPending: this.#isOwnOfferPending,
            isPeerOfferPending: false,
          },
          this.#random,
        );
        if (collision !== undefined) {
          transaction.reply(collision.statusCode, reasonPhrases[collision.statusCode] ?? 'Refused');
          return;
        }
        // A session refresh without an offer gets a bare 200 (RFC 3311 §5.2); one with an offer, our answer.
        if (method === 'UPDATE' && !hasOffer) transaction.reply(200, 'OK');
        else this.#answerReInvite(transaction);
        return;
      }
      case 'NOTIFY':
        transaction.reply(200, 'OK');
        this.#referProgress.push(new TextDecoder().decode(transaction.request.body).trim());
        return;
      default:
        transaction.reply(200, 'OK');
    }
  }

  /**
   * Transfers the call as a phone's transfer key does: REFER with `Refer-To` the target at the server's
   * domain of our dialog (RFC 3515). Blind, or attended when `replacing` is this phone's other call with the
   * target: its dialog goes in an escaped `Replaces` (RFC 5589 §7.1, tags from the target's point of view).
   * What the server reports back arrives in `referProgress`.
   */
  refer(target: string, replacing?: PhoneCall): void {
    if (this.#dialog === undefined || this.#state !== 'connected') return;
    const host = /@([^>;]+)/.exec(this.#dialog.localParty)?.[1] ?? this.#line.server.address;
    const other = replacing === undefined ? undefined : replacing.#dialog;
    const replaces =
      other === undefined
        ? ''
        : `?Replaces=${encodeURIComponent(`${other.callId};to-tag=${other.remoteTag};from-tag=${other.localTag}`)}`;
    const { request, dialog } = inDialogRequest(this.#dialog, 'REFER', {
      extraHeaders: [
        { name: 'Refer-To', value: `<sip:${target}@${host}${replaces}>` },
        { name: 'Referred-By', value: this.#dialog.localParty.replace(/;tag=[^;>]*/, '') },
      ],
    });
    this.#dialog = dialog;
    this.#line.endpoint.sendRequest(request, this.#line.server, {
      onResponse: (response) => {
        if (response.statusCode >= 200) this.#referProgress.push(`REFER ${String(response.statusCode)}`);
      },
      onFailure: () => undefined,
    });
  }

  /**
   * Holds the other party as a phone's hold key does, or takes them off hold: a new offer with `sendonly`
   * (or `sendrecv`) in an UPDATE (RFC 3311) or a re-INVITE (RFC 3264 §8.4). Resolves with the final
   * response, after any glare retries.
   */
  hold(isHeld = true, method: 'UPDATE' | 'INVITE' = 'UPDATE'): Promise<SipResponse | undefined> {
    this.#sdpVersion++;
    const offer = createOffer({
      ...localCapabilities(this.#line.localAddress, this.#rtp.port, this.#sessionId, this.#sdpVersion),
      direction: isHeld ? 'sendonly' : 'sendrecv',
    });
    this.#offer = offer;
    return this.#sendInDialog(method, [], encoder.encode(serializeSdp(offer)));
  }

  /**
   * Makes glare happen on purpose (RFC 3261 §14): when the other side's next re-INVITE or UPDATE with an
   * offer arrives, we first send our hold (`method`), so each side has an offer pending when the other's
   * arrives. Resolves with our hold's final response, after its glare retries (undefined if the call ends).
   */
  holdOnNextOffer(method: 'UPDATE' | 'INVITE' = 'INVITE'): Promise<SipResponse | undefined> {
    const { promise, resolve } = Promise.withResolvers<SipResponse | undefined>();
    this.#beforeNextOffer = () => {
      void this.hold(true, method).then(resolve);
    };
    void this.ended.then(() => {
      resolve(undefined);
    });
    return promise;
  }

  /**
   * Answers the other side's next re-INVITEs or UPDATEs with these final statuses, one each in turn (a
   * refused session refresh: 500, then 481), instead of accepting them.
   */
  answerNextReInvitesWith(statusCodes: readonly number[]): void {
    this.#scriptedAnswers = [...statusCodes];
  }

  /** Each 491 our re-INVITEs and UPDATEs got, with the delay before the retry, oldest first. */
  get glareRetries(): readonly GlareRetry[] {
    return this.#glareRetries;
  }

  /**
   * The headers of the final answer to our INVITE: its 2xx, or the failure that ended the call (a 422's
   * Min-SE, say); undefined until then.
   */
  get answerHeaders(): SipResponse['headers'] | undefined {
    return this.#answerHeaders;
  }

  /** Sends an UPDATE in the dialog (a session refresh, RFC 4028) and resolves with the final response. */
  update(
    extraHeaders: readonly { readonly name: string; readonly value: string }[],
    body?: Uint8Array,
  ): Promise<SipResponse | undefined> {
    return this.#sendInDialog('UPDATE', extraHeaders, body);
  }

  /**
   * Sends a re-INVITE or an UPDATE in the dialog, an offer when `body` is set, and resolves with the final
   * response; every 2xx to a re-INVITE is acknowledged (RFC 3261 §13.2.2.4). A 491 is retried after the
   * glare delay of our side (RFC 3261 §14.1: longer when we placed the call), a few times at most.
   */
  #sendInDialog(
    method: 'UPDATE' | 'INVITE',
    extraHeaders: readonly { readonly name: string; readonly value: string }[],
    body: Uint8Array | undefined,
    retriesLeft = maxGlareRetries,
  ): Promise<SipResponse | undefined> {
    const dialog = this.#dialog;
    if (dialog === undefined || this.#state !== 'connected') return Promise.resolve(undefined);
    const { request, dialog: next } = inDialogRequest(dialog, method, {
      extraHeaders,
      ...(body === undefined ? {} : { body, contentType: sdpType }),
    });
    this.#dialog = next;
    if (method === 'INVITE') this.#isOwnInvitePending = true;
    if (body !== undefined) this.#isOwnOfferPending = true;
    return new Promise((resolve) => {
      let isSettled = false;
      const settle = (response: SipResponse | undefined) => {
        if (isSettled) return;
        isSettled = true;
        if (method === 'INVITE') this.#isOwnInvitePending = false;
        if (body !== undefined) this.#isOwnOfferPending = false;
        if (response?.statusCode !== 491 || retriesLeft === 0 || this.#state !== 'connected') {
          resolve(response);
          return;
        }
        const delayMs = nextGlareRetryDelayMs(this.direction === 'outgoing', this.#random);
        this.#glareRetries.push({ method, delayMs, atMs: Date.now() });
        const timer = setTimeout(() => {
          this.#glareTimers.delete(timer);
          resolve(this.#sendInDialog(method, extraHeaders, body, retriesLeft - 1));
        }, delayMs);
        this.#glareTimers.add(timer);
      };
      const sent = this.#line.endpoint.sendRequest(request, this.#line.server, {
        onResponse: (response) => {
          if (response.statusCode < 200) return;
          if (method === 'INVITE' && response.statusCode < 300 && this.#dialog !== undefined)
            this.#line.endpoint.sendStateless(ackFor2xx(this.#dialog, next.localCSeq), this.#line.server);
          settle(response);
        },
        onFailure: () => {
          settle(undefined);
        },
      });
      if (!sent.ok) settle(undefined);
    });
  }

  /** The session refreshes this phone sent and how they were answered, oldest first. */
  get sessionRefreshes(): readonly SessionRefresh[] {
    return this.#sessionRefreshes;
  }

  /** The requests the other side sent inside the call (BYE, re-INVITE, UPDATE, INFO...), oldest first. */
  get requestsReceived(): readonly ReceivedRequest[] {
    return this.#requestsReceived;
  }

  /** Stops refreshing the session, as a phone that lost its network would: the other side must end it. */
  stopRefreshingSession(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#refreshMethods = [];
  }

  /**
   * Arms our next session refresh at half the interval, if we refresh: a call we placed whose 2xx names us
   * (`refresher=uac`), or one we answered naming ourselves (`refresher=uas`, see `answer`).
   */
  #armSessionRefresh(): void {
    if (this.direction === 'outgoing' && this.#ownRefreshIntervalS === undefined) {
      const value = headerValue(this.#answerHeaders ?? [], 'session-expires');
      const answered = value === undefined ? undefined : parseSessionExpires(value);
      if (answered?.refresher === 'uac') this.#ownRefreshIntervalS = answered.intervalS;
    }
    const intervalS = this.#ownRefreshIntervalS;
    if (intervalS === undefined || this.#refreshMethods.length === 0 || this.#state !== 'connected') return;
    const method = this.#refreshMethods[this.#sessionRefreshes.length % this.#refreshMethods.length];
    if (method === undefined) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      const headers = [
        { name: 'Session-Expires', value: `${String(intervalS)};refresher=uac` },
        { name: 'Supported', value: 'timer' },
      ];
      void (method === 'UPDATE' ? this.update(headers) : this.#reInvite(headers)).then((response) => {
        this.#sessionRefreshes.push({
          method,
          statusCode: response?.statusCode ?? 408,
          sessionExpires:
            response === undefined ? undefined : headerValue(response.headers, 'session-expires'),
          atMs: Date.now(),
        });
        if (response !== undefined && response.statusCode < 300) this.#armSessionRefresh();
      });
    }, intervalS * 500);
  }

  /**
   * A re-INVITE offering our last SDP unchanged (a session refresh, RFC 4028 §7.4); every 2xx is
   * acknowledged. Resolves with the final response.
   */
  #reInvite(
    extraHeaders: readonly { readonly name: string; readonly value: string }[],
  ): Promise<SipResponse | undefined> {
    const offer = this.#offer;
    if (offer === undefined) return Promise.resolve(undefined);
    return this.#sendInDialog('INVITE', extraHeaders, encoder.encode(serializeSdp(offer)));
  }

  /** The answer to our REFER (`REFER 202`) and the status lines of the NOTIFYs that followed. */
  get referProgress(): readonly string[] {
    return this.#referProgress;
  }

  /** The caller's CANCEL reached our ringing phone (the endpoint answered the CANCEL itself). */
  onCancel(transaction: ServerTransaction): void {
    if (!transaction.hasFinalResponse) transaction.reply(487, 'Request Terminated');
    this.#end({ reason: 'cancelled' });
  }

  /** Our 200 was never acknowledged (RFC 3261 §13.3.1.4): the call is hung up. */
  onAckTimeout(): void {
    this.hangUp();
  }

  // ---- inside ---------------------------------------------------------------------------------------

  #onInviteResponse(response: SipResponse, transaction: ClientTransaction): void {
    const status = response.statusCode;
    if (status < 200) {
      if (status > 100 && this.#state === 'calling') this.#state = 'ringing';
      return;
    }
    if ((status === 401 || status === 407) && this.#retryWithCredentials(response, transaction)) return;
    if (status >= 300) {
      this.#clientInvite = undefined;
      this.#answerHeaders ??= response.headers;
      this.#end(
        this.#isCancelling && status === 487
          ? { reason: 'local-hangup' }
          : { reason: 'failed', statusCode: status, reasonPhrase: response.reasonPhrase },
      );
      return;
    }
    this.#answerHeaders ??= response.headers;
    // Every 2xx is acknowledged, retransmissions included (RFC 3261 §13.2.2.4).
    if (this.#dialog === undefined) {
      const dialog = dialogAsUac(transaction.request, response, this.#line.contact);
      if (!dialog.ok) return;
      this.#dialog = dialog.value;
      this.#line.bindDialog(
        this,
        dialogKey(dialog.value.callId, dialog.value.localTag, dialog.value.remoteTag),
      );
    }
    const cseq = parseCSeq(headerValue(transaction.request.headers, 'cseq') ?? '')?.sequence ?? 1;
    this.#line.endpoint.sendStateless(ackFor2xx(this.#dialog, cseq), this.#line.server);
    if (this.#state === 'connected' || this.#state === 'ended') {
      // A retransmitted 2xx; or one that crossed our CANCEL, or came after we gave up: hang it up.
      if (this.#state === 'ended' && !this.#isByeSent) this.#sendBye();
      return;
    }
    if (this.#isCancelling) {
      this.#sendBye();
      this.#end({ reason: 'local-hangup' });
      return;
    }
    const answer = parseSdp(response.body);
    const audio =
      answer.ok && this.#offer !== undefined ? acceptAnswer(this.#offer, answer.value) : undefined;
    if (audio === undefined || !audio.ok) {
      this.#sendBye();
      this.#end({ reason: 'failed', statusCode: 488, reasonPhrase: 'The answer has no usable audio' });
      return;
    }
    this.#connect(audio.value);
  }

  #sendBye(): void {
    if (this.#dialog === undefined || this.#isByeSent) return;
    this.#isByeSent = true;
    const { request, dialog } = inDialogRequest(this.#dialog, 'BYE');
    this.#dialog = dialog;
    this.#line.endpoint.sendRequest(request, this.#line.server, {
      onResponse: () => undefined,
      onFailure: () => undefined,
    });
  }

  #answerReInvite(transaction: ServerTransaction): void {
    const offer = parseSdp(transaction.request.body);
    this.#sdpVersion++;
    const local = localCapabilities(
      this.#line.localAddress,
      this.#rtp.port,
      this.#sessionId,
      this.#sdpVersion,
    );
    if (!offer.ok) {
      // A session refresh without an offer: our offer goes in the 200, its answer in the ACK (ignored).
      transaction.reply(200, 'OK', {
        extraHeaders: [
          { name: 'Contact', value: this.#line.contact },
          { name: 'Content-Type', value: sdpType },
        ],
        body: encoder.encode(
          serializeSdp(createOfferFor(this.#line, this.#rtp, this.#sessionId, this.#sdpVersion)),
        ),
      });
      return;
    }
    const answered = answerOffer(offer.value, local);
    if (!answered.ok) {
      transaction.reply(488, 'Not Acceptable Here');
      return;
    }
    transaction.reply(200, 'OK', {
      extraHeaders: [
        { name: 'Contact', value: this.#line.contact },
        { name: 'Content-Type', value: sdpType },
      ],
      body: encoder.encode(serializeSdp(answered.value.answer)),
    });
    this.#rtp.start(peerOf(answered.value.audio));
  }

  #connect(audio: NegotiatedAudio): void {
    this.#state = 'connected';
    this.#rtp.start(peerOf(audio));
    this.#resolveConnected(true);
    this.#armSessionRefresh();
  }

  #end(ending: CallEnding): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    clearTimeout(this.#refreshTimer);
    for (const timer of this.#glareTimers) clearTimeout(timer);
    this.#glareTimers.clear();
    this.#resolveConnected(false);
    this.#resolveEnded(ending);
    void this.#rtp.close();
    this.#line.forget(this);
  }
}

function createOfferFor(line: PhoneLine, rtp: RtpStream, sessionId: string, version = 1): SessionDescription {
  return createOffer(localCapabilities(line.localAddress, rtp.port, sessionId, version));
}
