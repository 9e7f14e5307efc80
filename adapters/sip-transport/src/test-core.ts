import type { LocalMediaCapabilities, SipRequest, SipResponse, UasPolicy } from '@centralita/sip';
import type {
  ClientTransaction,
  ClientTransactionFailure,
  ClientTransactionListener,
} from './client-transaction.ts';
import { answerOffer, headerValue, mediaType, parseSdp, serializeSdp } from '@centralita/sip';
import type { ServerTransaction, ServerTransactionFailure } from './server-transaction.ts';
import type { TransactionUser } from './transaction-user.ts';
import type { MessageSource } from './transport-types.ts';

/**
 * Test support (not exported): the policy of the RFC 4475 torture test in domain/sip, so the verdicts of
 * `classifyIncoming` there hold here too.
 */
export const testPolicy: UasPolicy = {
  supportedMethods: [
    'INVITE',
    'ACK',
    'BYE',
    'CANCEL',
    'OPTIONS',
    'REGISTER',
    'INFO',
    'UPDATE',
    'REFER',
    'NOTIFY',
    'MESSAGE',
  ],
  supportedUriSchemes: ['sip', 'sips'],
  supportedExtensions: ['replaces', 'timer', 'path', 'outbound'],
  acceptedContentTypes: [
    'application/sdp',
    'multipart/mixed',
    'text/plain',
    'message/sipfrag',
    'application/dtmf-relay',
  ],
};

const media: LocalMediaCapabilities = {
  codecs: ['PCMU', 'PCMA'],
  isTelephoneEventSupported: true,
  addressType: 'IP4',
  address: '127.0.0.1',
  rtpPort: 40_000,
  origin: { username: 'centralita', sessionId: '1', sessionVersion: '1' },
};

/** Resolves waiters when a condition they wait for becomes true; every wait has a deadline that fails it. */
export class Signal {
  readonly #waiters = new Set<() => void>();

  /** Re-checks every waiter; call it whenever something a test may wait for happened. */
  notify(): void {
    for (const check of [...this.#waiters]) check();
  }

  /** Waits until `condition()` holds, checked now and on every `notify`; rejects after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

/** What the test core saw. */
export interface CoreRecord {
  readonly method: string;
  readonly callId: string;
  readonly status: number;
}

/**
 * A minimal transaction user for tests: OPTIONS gets 200 with Allow and Accept; INVITE gets 180 then
 * 200 with the SDP answer of `answerOffer` (488 when there is no usable offer), or what `inviteBehaviour` says;
 * BYE and every other method the policy serves get 200 (a registrar stand-in for REGISTER).
 */
export class TestCore implements TransactionUser {
  readonly signal = new Signal();
  readonly answered: CoreRecord[] = [];
  /** Where each request came from, in order (a registrar would keep these as flows). */
  readonly sources: MessageSource[] = [];
  readonly acks: SipRequest[] = [];
  readonly failures: { readonly method: string; readonly failure: ServerTransactionFailure }[] = [];
  readonly cancelled: string[] = [];
  /** What an INVITE gets: 180 then 200 (`answer`), only 180 (`ring`), nothing (`silent`), or a status. */
  inviteBehaviour: 'answer' | 'ring' | 'silent' | number = 'answer';
  /** A method whose requests make `onRequest` throw (to test that the endpoint contains it). */
  throwOn: string | undefined;
  /** INVITEs left ringing or silent, to be answered or cancelled by the test. */
  readonly pendingInvites: ServerTransaction[] = [];
  activeCalls = 0;

  count(method: string, status?: number): number {
    return this.answered.filter(
      (record) => record.method === method && (status === undefined || record.status === status),
    ).length;
  }

  onRequest(transaction: ServerTransaction): void {
    const request = transaction.request;
    if (request.method === this.throwOn) throw new Error('the test core fails on purpose');
    const callId = headerValue(request.headers, 'call-id') ?? '';
    this.sources.push(transaction.source);
    const status = this.#answer(transaction);
    this.answered.push({ method: request.method, callId, status });
    this.signal.notify();
  }

  onAck(ack: SipRequest, _source: MessageSource): void {
    this.acks.push(ack);
    this.signal.notify();
  }

  onCancel(invite: ServerTransaction): void {
    this.cancelled.push(headerValue(invite.request.headers, 'call-id') ?? '');
    invite.reply(487, 'Request Terminated');
    this.signal.notify();
  }

  onServerFailure(transaction: ServerTransaction, failure: ServerTransactionFailure): void {
    this.failures.push({ method: transaction.method, failure });
    this.signal.notify();
  }

  countActiveCalls(): number {
    return this.activeCalls;
  }

  #answer(transaction: ServerTransaction): number {
    const request = transaction.request;
    const contact = {
      name: 'Contact',
      value: `<sip:core@${transaction.route.flow.localAddress || '127.0.0.1'}>`,
    };
    switch (request.method) {
      case 'OPTIONS':
        transaction.reply(200, 'OK', {
          extraHeaders: [
            { name: 'Allow', value: testPolicy.supportedMethods.join(', ') },
            { name: 'Accept', value: 'application/sdp' },
          ],
        });
        return 200;
      case 'INVITE': {
        const behaviour = this.inviteBehaviour;
        if (typeof behaviour === 'number') {
          transaction.reply(behaviour, 'Busy Here');
          return behaviour;
        }
        if (behaviour === 'silent' || behaviour === 'ring') {
          if (behaviour === 'ring') transaction.reply(180, 'Ringing', { extraHeaders: [contact] });
          this.pendingInvites.push(transaction);
          return behaviour === 'ring' ? 180 : 0;
        }
        const contentType = headerValue(request.headers, 'content-type');
        const offer =
          contentType !== undefined && mediaType(contentType) === 'application/sdp'
            ? parseSdp(request.body)
            : undefined;
        const answer = offer?.ok === true ? answerOffer(offer.value, media) : undefined;
        if (answer?.ok !== true) {
          transaction.reply(488, 'Not Acceptable Here');
          return 488;
        }
        transaction.reply(180, 'Ringing', { extraHeaders: [contact] });
        transaction.reply(200, 'OK', {
          extraHeaders: [contact, { name: 'Content-Type', value: 'application/sdp' }],
          body: Buffer.from(serializeSdp(answer.value.answer), 'utf8'),
        });
        return 200;
      }
      default:
        transaction.reply(200, 'OK', { extraHeaders: [contact] });
        return 200;
    }
  }
}

/** Records what happens to client transactions (test support). */
export class RecordingListener implements ClientTransactionListener {
  readonly signal = new Signal();
  readonly responses: { readonly method: string; readonly response: SipResponse; readonly atMs: number }[] =
    [];
  readonly failures: {
    readonly method: string;
    readonly failure: ClientTransactionFailure;
    readonly atMs: number;
  }[] = [];

  onResponse(response: SipResponse, transaction: ClientTransaction): void {
    this.responses.push({ method: transaction.method, response, atMs: Date.now() });
    this.signal.notify();
  }

  onFailure(failure: ClientTransactionFailure, transaction: ClientTransaction): void {
    this.failures.push({ method: transaction.method, failure, atMs: Date.now() });
    this.signal.notify();
  }

  /** Status codes received for requests of `method`, in order. */
  statuses(method: string): number[] {
    return this.responses
      .filter((entry) => entry.method === method)
      .map((entry) => entry.response.statusCode);
  }
}
