import type { SipRequest } from '../message/sip-message.ts';
import { buildAckForFailure } from './build-ack.ts';
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  Transition,
} from './transaction-types.ts';
import { isProvisional, isSuccess, startTimer } from './transaction-types.ts';

/** An INVITE client transaction (RFC 3261 §17.1.1, with the Accepted state of RFC 6026 §7.2). */
export interface InviteClientTransaction {
  readonly state: 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';
  readonly request: SipRequest;
  readonly settings: TransactionSettings;
  /** Current Timer A interval: T1, doubling on each retransmission. */
  readonly retransmitIntervalMs: number;
  /** The ACK sent for a failure response, resent when the response is retransmitted. */
  readonly ack?: SipRequest;
}

/** Creates the transaction and sends the INVITE: Timer A on unreliable transports, Timer B always. */
export function startInviteClient(
  request: SipRequest,
  settings: TransactionSettings,
  nowMs: number,
): { state: InviteClientTransaction; effects: TransactionEffect[] } {
  const t1 = settings.timers.t1Ms;
  return {
    state: { state: 'calling', request, settings, retransmitIntervalMs: t1 },
    effects: [
      { kind: 'SendRequest', request },
      ...(settings.isReliable ? [] : [startTimer('A', nowMs, t1)]),
      startTimer('B', nowMs, 64 * t1),
    ],
  };
}

/** The one transition function of the INVITE client transaction. */
export function nextInviteClient(
  transaction: InviteClientTransaction,
  event: TransactionEvent,
): Transition<InviteClientTransaction> {
  const { settings } = transaction;
  const t1 = settings.timers.t1Ms;
  const stay = { state: transaction, effects: [] };
  const to = (
    state: InviteClientTransaction['state'],
    effects: TransactionEffect[],
    extra: Partial<InviteClientTransaction> = {},
  ) => ({
    state: { ...transaction, ...extra, state },
    effects,
  });
  switch (event.kind) {
    case 'ResponseReceived': {
      const response = event.response;
      switch (transaction.state) {
        case 'calling':
        case 'proceeding': {
          const stopTimers: TransactionEffect[] =
            transaction.state === 'calling'
              ? [
                  { kind: 'StopTimer', timer: 'A' },
                  { kind: 'StopTimer', timer: 'B' },
                ]
              : [];
          if (isProvisional(response)) {
            return to('proceeding', [...stopTimers, { kind: 'PassResponseToCore', response }]);
          }
          if (isSuccess(response)) {
            // RFC 6026 §7.2: stay to pass 2xx retransmissions to the core, which ACKs them itself.
            return to('accepted', [
              ...stopTimers,
              { kind: 'PassResponseToCore', response },
              startTimer('M', event.nowMs, 64 * t1),
            ]);
          }
          const ack = buildAckForFailure(transaction.request, response);
          return to(
            'completed',
            [
              ...stopTimers,
              { kind: 'PassResponseToCore', response },
              { kind: 'SendRequest', request: ack },
              startTimer('D', event.nowMs, settings.isReliable ? 0 : 32_000),
            ],
            { ack },
          );
        }
        case 'completed':
          // A retransmitted failure response: our ACK was lost (§17.1.1.2).
          return transaction.ack !== undefined && !isProvisional(response) && !isSuccess(response)
            ? { state: transaction, effects: [{ kind: 'SendRequest', request: transaction.ack }] }
            : stay;
        case 'accepted':
          return isSuccess(response)
            ? { state: transaction, effects: [{ kind: 'PassResponseToCore', response }] }
            : stay;
        case 'terminated':
          return stay;
      }
      break;
    }
    case 'TimerFired':
      switch (event.timer) {
        case 'A': {
          if (transaction.state !== 'calling') return stay;
          const interval = transaction.retransmitIntervalMs * 2;
          return to(
            'calling',
            [{ kind: 'SendRequest', request: transaction.request }, startTimer('A', event.nowMs, interval)],
            {
              retransmitIntervalMs: interval,
            },
          );
        }
        case 'B':
          return transaction.state === 'calling'
            ? to('terminated', [{ kind: 'StopTimer', timer: 'A' }, { kind: 'ReportTimeout' }])
            : stay;
        case 'D':
          return transaction.state === 'completed' ? to('terminated', []) : stay;
        case 'M':
          return transaction.state === 'accepted' ? to('terminated', []) : stay;
        case 'E':
        case 'F':
        case 'G':
        case 'H':
        case 'I':
        case 'J':
        case 'K':
        case 'L':
        case 'Trying':
          return stay;
      }
      break;
    case 'TransportFailed':
      return transaction.state === 'calling' || transaction.state === 'completed'
        ? to('terminated', [
            { kind: 'StopTimer', timer: 'A' },
            { kind: 'StopTimer', timer: 'B' },
            { kind: 'StopTimer', timer: 'D' },
            { kind: 'ReportTransportError' },
          ])
        : stay;
    case 'RequestRetransmitted':
    case 'AckReceived':
    case 'CoreResponded':
      return { kind: 'IllegalTransition', state: transaction, event: event.kind };
  }
}
