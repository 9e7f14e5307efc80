import { VirtualClock } from '@centralita/kernel';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import { buildAckForFailure } from './build-ack.ts';
import { nextInviteClient, startInviteClient } from './invite-client-transaction.ts';
import { nextInviteServer, startInviteServer } from './invite-server-transaction.ts';
import { nextNonInviteClient, startNonInviteClient } from './non-invite-client-transaction.ts';
import { nextNonInviteServer, startNonInviteServer } from './non-invite-server-transaction.ts';
import { transactionKey } from './transaction-key.ts';
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  TransactionTimer,
  Transition,
} from './transaction-types.ts';
import { defaultTimerConfig } from './transaction-types.ts';

function parse(text: string): SipMessage {
  const result = parseMessage(new TextEncoder().encode(text.replaceAll('\n', '\r\n')));
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
}

const invite = parse(`INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8
Max-Forwards: 70
To: Bob <sip:bob@biloxi.example.com>
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Route: <sip:proxy.example.com;lr>
Contact: <sip:alice@pc33.atlanta.example.com>
Content-Length: 0

`) as SipRequest;

const register = parse(`REGISTER sip:registrar.biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7
To: Bob <sip:bob@biloxi.example.com>
From: Bob <sip:bob@biloxi.example.com>;tag=456248
Call-ID: 843817637684230@998sdasdh09
CSeq: 1826 REGISTER
Content-Length: 0

`) as SipRequest;

function response(request: SipRequest, statusCode: number, toTag = 'srv'): SipResponse {
  const to = `${headerValue(request.headers, 'to') ?? ''}${statusCode > 100 ? `;tag=${toTag}` : ''}`;
  return {
    kind: 'response',
    statusCode,
    reasonPhrase: 'x',
    headers: request.headers.map((header) => (header.name === 'To' ? { ...header, value: to } : header)),
    body: new Uint8Array(0),
  };
}

const udp: TransactionSettings = { isReliable: false, timers: defaultTimerConfig };
const tcp: TransactionSettings = { isReliable: true, timers: defaultTimerConfig };

/**
 * Runs a transaction on a virtual clock: carries out StartTimer and StopTimer, fires due timers in time
 * order, and records what was sent and reported, with the time it happened.
 */
type WithoutTime<E> = E extends unknown ? Omit<E, 'nowMs'> : never;

class Harness<State extends { readonly state: string }> {
  readonly clock = new VirtualClock(0);
  readonly timers = new Map<TransactionTimer, number>();
  readonly log: { atMs: number; effect: TransactionEffect }[] = [];
  state: State;
  private readonly next: (state: State, event: TransactionEvent) => Transition<State>;

  constructor(
    start: { state: State; effects: readonly TransactionEffect[] },
    next: (state: State, event: TransactionEvent) => Transition<State>,
  ) {
    this.next = next;
    this.state = start.state;
    this.apply(start.effects);
  }

  send(event: WithoutTime<TransactionEvent>): void {
    const result = this.next(this.state, { ...event, nowMs: this.clock.now() });
    if ('kind' in result) throw new Error(`illegal ${result.event} in ${result.state.state}`);
    this.state = result.state;
    this.apply(result.effects);
  }

  /** Moves time to `untilMs`, firing every timer due on the way. */
  runUntil(untilMs: number): void {
    for (;;) {
      const due = [...this.timers.entries()].filter(([, at]) => at <= untilMs).sort((a, b) => a[1] - b[1])[0];
      if (due === undefined) break;
      this.clock.advanceTo(Math.max(this.clock.now(), due[1]));
      this.timers.delete(due[0]);
      this.send({ kind: 'TimerFired', timer: due[0] });
    }
    this.clock.advanceTo(Math.max(this.clock.now(), untilMs));
  }

  private apply(effects: readonly TransactionEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'StartTimer') this.timers.set(effect.timer, effect.at);
      else if (effect.kind === 'StopTimer') this.timers.delete(effect.timer);
      else this.log.push({ atMs: this.clock.now(), effect });
    }
  }

  sentAt(kind: 'SendRequest' | 'SendResponse', method?: string): number[] {
    return this.log
      .filter(
        ({ effect }) =>
          effect.kind === kind &&
          (method === undefined || (effect.kind === 'SendRequest' && effect.request.method === method)),
      )
      .map(({ atMs }) => atMs);
  }

  reported(kind: TransactionEffect['kind']): number[] {
    return this.log.filter(({ effect }) => effect.kind === kind).map(({ atMs }) => atMs);
  }
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits on UDP at T1, 2T1, 4T1... and times out with Timer B at 64*T1', () => {
    const harness = new Harness(startInviteClient(invite, udp, 0), nextInviteClient);
    harness.runUntil(40_000);
    expect(harness.sentAt('SendRequest')).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(harness.reported('ReportTimeout')).toEqual([32_000]);
    expect(harness.state.state).toBe('terminated');
  });

  it('never retransmits on a reliable transport, and takes T1 from the configuration', () => {
    const harness = new Harness(
      startInviteClient(invite, { isReliable: true, timers: { ...defaultTimerConfig, t1Ms: 100 } }, 0),
      nextInviteClient,
    );
    harness.runUntil(10_000);
    expect(harness.sentAt('SendRequest')).toEqual([0]);
    expect(harness.reported('ReportTimeout')).toEqual([6_400]);
  });

  it('stops retransmitting on 1xx, ACKs a failure inside the transaction, resends the ACK, ends on Timer D', () => {
    const harness = new Harness(startInviteClient(invite, udp, 0), nextInviteClient);
    harness.runUntil(700);
    harness.send({ kind: 'ResponseReceived', response: response(invite, 180) });
    harness.runUntil(2_000);
    harness.send({ kind: 'ResponseReceived', response: response(invite, 486) });
    harness.runUntil(2_100);
    harness.send({ kind: 'ResponseReceived', response: response(invite, 486) });
    expect(harness.sentAt('SendRequest', 'INVITE')).toEqual([0, 500]);
    expect(harness.sentAt('SendRequest', 'ACK')).toEqual([2_000, 2_100]);
    expect(harness.reported('PassResponseToCore')).toEqual([700, 2_000]);
    harness.runUntil(33_999);
    expect(harness.state.state).toBe('completed');
    harness.runUntil(34_000);
    expect(harness.state.state).toBe('terminated');
  });

  it('passes every 2xx to the core (which ACKs it) and lingers in Accepted for 64*T1', () => {
    const harness = new Harness(startInviteClient(invite, tcp, 0), nextInviteClient);
    harness.send({ kind: 'ResponseReceived', response: response(invite, 200) });
    harness.runUntil(1_000);
    harness.send({ kind: 'ResponseReceived', response: response(invite, 200) });
    expect(harness.reported('PassResponseToCore')).toEqual([0, 1_000]);
    expect(harness.sentAt('SendRequest', 'ACK')).toEqual([]);
    harness.runUntil(32_000);
    expect(harness.state.state).toBe('terminated');
  });

  it('reports a transport error and refuses server-side events as illegal', () => {
    const started = startInviteClient(invite, udp, 0);
    expect(nextInviteClient(started.state, { kind: 'TransportFailed', nowMs: 1 })).toMatchObject({
      state: { state: 'terminated' },
      effects: expect.arrayContaining([{ kind: 'ReportTransportError' }]) as unknown,
    });
    expect(nextInviteClient(started.state, { kind: 'RequestRetransmitted', nowMs: 1 })).toMatchObject({
      kind: 'IllegalTransition',
    });
  });
});

describe('the ACK for a failure response (RFC 3261 §17.1.1.3)', () => {
  it('copies Request-URI, From, Call-ID, Route, the top Via and the CSeq number; takes To from the response', () => {
    const ack = buildAckForFailure(invite, response(invite, 404, 'x9'));
    expect(ack.method).toBe('ACK');
    expect(ack.requestUri).toEqual(invite.requestUri);
    expect(headerValues(ack.headers, 'via')).toEqual([
      'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8',
    ]);
    expect(headerValue(ack.headers, 'to')).toBe('Bob <sip:bob@biloxi.example.com>;tag=x9');
    expect(headerValue(ack.headers, 'cseq')).toBe('314159 ACK');
    expect(headerValue(ack.headers, 'route')).toBe('<sip:proxy.example.com;lr>');
    expect(headerValue(ack.headers, 'contact')).toBeUndefined();
  });
});

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits at T1 doubling up to T2 and times out with Timer F', () => {
    const harness = new Harness(startNonInviteClient(register, udp, 0), nextNonInviteClient);
    harness.runUntil(40_000);
    expect(harness.sentAt('SendRequest')).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(harness.reported('ReportTimeout')).toEqual([32_000]);
  });

  it('after a provisional response retransmits every T2, then absorbs retransmitted finals for T4', () => {
    const harness = new Harness(startNonInviteClient(register, udp, 0), nextNonInviteClient);
    harness.runUntil(600);
    harness.send({ kind: 'ResponseReceived', response: response(register, 100) });
    harness.runUntil(6_000);
    expect(harness.sentAt('SendRequest')).toEqual([0, 500, 1500, 5500]);
    harness.send({ kind: 'ResponseReceived', response: response(register, 200) });
    harness.send({ kind: 'ResponseReceived', response: response(register, 200) });
    expect(harness.reported('PassResponseToCore')).toEqual([600, 6_000]);
    harness.runUntil(10_999);
    expect(harness.state.state).toBe('completed');
    harness.runUntil(11_000);
    expect(harness.state.state).toBe('terminated');
  });

  it('on a reliable transport ends as soon as the final response arrives', () => {
    const harness = new Harness(startNonInviteClient(register, tcp, 0), nextNonInviteClient);
    harness.send({ kind: 'ResponseReceived', response: response(register, 401) });
    harness.runUntil(0);
    expect(harness.state.state).toBe('terminated');
  });
});

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('sends 100 Trying at 200 ms when the core has not answered, then resends it on retransmission', () => {
    const harness = new Harness(startInviteServer(invite, udp, 0), nextInviteServer);
    expect(harness.reported('PassRequestToCore')).toEqual([0]);
    harness.runUntil(500);
    harness.send({ kind: 'RequestRetransmitted' });
    expect(harness.sentAt('SendResponse')).toEqual([200, 500]);
    const trying = harness.log.find(({ effect }) => effect.kind === 'SendResponse')?.effect;
    expect(
      trying?.kind === 'SendResponse' && [
        trying.response.statusCode,
        headerValue(trying.response.headers, 'to'),
      ],
    ).toEqual([100, 'Bob <sip:bob@biloxi.example.com>']);
  });

  it('sends no 100 Trying when the core answers within 200 ms', () => {
    const harness = new Harness(startInviteServer(invite, udp, 0), nextInviteServer);
    harness.runUntil(50);
    harness.send({ kind: 'CoreResponded', response: response(invite, 180) });
    harness.runUntil(1_000);
    expect(
      harness.log
        .filter(({ effect }) => effect.kind === 'SendResponse')
        .map(({ effect }) => effect.kind === 'SendResponse' && effect.response.statusCode),
    ).toEqual([180]);
  });

  it('retransmits a failure response on Timer G (T1 doubling to T2) until the ACK, then absorbs for T4', () => {
    const harness = new Harness(startInviteServer(invite, udp, 0), nextInviteServer);
    harness.runUntil(1_000);
    harness.send({ kind: 'CoreResponded', response: response(invite, 486) });
    harness.runUntil(13_000);
    expect(harness.sentAt('SendResponse')).toEqual([200, 1_000, 1_500, 2_500, 4_500, 8_500, 12_500]);
    harness.send({ kind: 'AckReceived', request: buildAckForFailure(invite, response(invite, 486)) });
    harness.runUntil(17_999);
    expect(harness.state.state).toBe('confirmed');
    harness.runUntil(18_000);
    expect(harness.state.state).toBe('terminated');
    expect(harness.reported('ReportTimeout')).toEqual([]);
  });

  it('reports a timeout on Timer H when no ACK comes', () => {
    const harness = new Harness(startInviteServer(invite, udp, 0), nextInviteServer);
    harness.send({ kind: 'CoreResponded', response: response(invite, 603) });
    harness.runUntil(40_000);
    expect(harness.reported('ReportTimeout')).toEqual([32_000]);
  });

  it('after a 2xx absorbs INVITE retransmissions, sends the core 2xx retransmissions, and ends on Timer L', () => {
    const harness = new Harness(startInviteServer(invite, udp, 0), nextInviteServer);
    harness.send({ kind: 'CoreResponded', response: response(invite, 200) });
    harness.runUntil(500);
    harness.send({ kind: 'RequestRetransmitted' });
    harness.send({ kind: 'CoreResponded', response: response(invite, 200) });
    expect(harness.sentAt('SendResponse')).toEqual([0, 500]);
    harness.runUntil(32_000);
    expect(harness.state.state).toBe('terminated');
  });

  it('refuses a second final response and a 1xx after the final one', () => {
    const started = startInviteServer(invite, udp, 0);
    const completed = nextInviteServer(started.state, {
      kind: 'CoreResponded',
      response: response(invite, 404),
      nowMs: 0,
    });
    if ('kind' in completed) throw new Error('unexpected');
    expect(
      nextInviteServer(completed.state, { kind: 'CoreResponded', response: response(invite, 500), nowMs: 1 }),
    ).toMatchObject({
      kind: 'IllegalTransition',
      event: 'CoreResponded',
    });
    expect(
      nextInviteServer(completed.state, { kind: 'CoreResponded', response: response(invite, 180), nowMs: 1 }),
    ).toMatchObject({
      kind: 'IllegalTransition',
    });
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions while Trying, resends the last response afterwards, ends on Timer J', () => {
    const harness = new Harness(startNonInviteServer(register, udp), nextNonInviteServer);
    harness.send({ kind: 'RequestRetransmitted' });
    expect(harness.sentAt('SendResponse')).toEqual([]);
    harness.runUntil(100);
    harness.send({ kind: 'CoreResponded', response: response(register, 200) });
    harness.runUntil(5_000);
    harness.send({ kind: 'RequestRetransmitted' });
    expect(harness.sentAt('SendResponse')).toEqual([100, 5_000]);
    harness.runUntil(32_099);
    expect(harness.state.state).toBe('completed');
    harness.runUntil(32_100);
    expect(harness.state.state).toBe('terminated');
  });

  it('on a reliable transport ends at once after the final response', () => {
    const harness = new Harness(startNonInviteServer(register, tcp), nextNonInviteServer);
    harness.send({ kind: 'CoreResponded', response: response(register, 200) });
    harness.runUntil(0);
    expect(harness.state.state).toBe('terminated');
  });
});

describe('transactionKey (RFC 3261 §17.1.3, §17.2.3)', () => {
  it('matches an ACK and the responses to their INVITE, but not the CANCEL', () => {
    const ack = buildAckForFailure(invite, response(invite, 486));
    const cancel: SipRequest = {
      ...invite,
      method: 'CANCEL',
      headers: invite.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: '314159 CANCEL' } : h)),
    };
    expect(transactionKey(ack)).toBe(transactionKey(invite));
    expect(transactionKey(response(invite, 180))).toBe(transactionKey(invite));
    expect(transactionKey(cancel)).not.toBe(transactionKey(invite));
    expect(transactionKey(register)).not.toBe(transactionKey(invite));
  });

  it('falls back to RFC 2543 matching without a magic-cookie branch', () => {
    const old = {
      ...invite,
      headers: invite.headers.map((h) =>
        h.name === 'Via' ? { ...h, value: 'SIP/2.0/UDP pc33.atlanta.example.com' } : h,
      ),
    };
    expect(transactionKey(old)).toMatch(/^2543\|/);
    expect(transactionKey(buildAckForFailure(old, response(old, 486)))).toBe(transactionKey(old));
  });
});
