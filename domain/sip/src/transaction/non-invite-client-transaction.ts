import type { SipRequest } from '../message/sip-message.ts';
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  Transition,
} from './transaction-types.ts';
import { isProvisional, startTimer } from './transaction-types.ts';

/** A non-INVITE client transaction (RFC 3261 §17.1.2). */
export interface NonInviteClientTransaction {
  readonly state: 'trying' | 'proceeding' | 'completed' | 'terminated';
  readonly request: SipRequest;
  readonly settings: TransactionSettings;
  /** Current Timer E interval: T1 doubling up to T2, then T2 once a provisional arrived. */
  readonly retransmitIntervalMs: number;
}

/** Creates the transaction and sends the request: Timer E on unreliable transports, Timer F always. */
export function startNonInviteClient(
  request: SipRequest,
  settings: TransactionSettings,
  nowMs: number,
): { state: NonInviteClientTransaction; effects: TransactionEffect[] } {
  const t1 = settings.timers.t1Ms;
  return {
    state: { state: 'trying', request, settings, retransmitIntervalMs: t1 },
    effects: [
      { kind: 'SendRequest', request },
      ...(settings.isReliable ? [] : [startTimer('E', nowMs, t1)]),
      startTimer('F', nowMs, 64 * t1),
    ],
  };
}

/** The one transition function of the non-INVITE client transaction. */
export function nextNonInviteClient(
  transaction: NonInviteClientTransaction,
  event: TransactionEvent,
): Transition<NonInviteClientTransaction> {
  const { settings } = transaction;
  const stay = { state: transaction, effects: [] };
  const isActive = transaction.state === 'trying' || transaction.state === 'proceeding';
  switch (event.kind) {
    case 'ResponseReceived': {
      if (!isActive) return stay;
      const response = event.response;
      if (isProvisional(response)) {
        return {
          state: { ...transaction, state: 'proceeding' },
          effects: [{ kind: 'PassResponseToCore', response }],
        };
      }
      return {
        state: { ...transaction, state: 'completed' },
        effects: [
          { kind: 'StopTimer', timer: 'E' },
          { kind: 'StopTimer', timer: 'F' },
          { kind: 'PassResponseToCore', response },
          // Timer K absorbs retransmitted responses: T4 on UDP, zero on reliable transports.
          startTimer('K', event.nowMs, settings.isReliable ? 0 : settings.timers.t4Ms),
        ],
      };
    }
    case 'TimerFired':
      switch (event.timer) {
        case 'E': {
          if (!isActive) return stay;
          // §17.1.2.2: doubling up to T2 in Trying; every T2 once in Proceeding.
          const interval =
            transaction.state === 'proceeding'
              ? settings.timers.t2Ms
              : Math.min(transaction.retransmitIntervalMs * 2, settings.timers.t2Ms);
          return {
            state: { ...transaction, retransmitIntervalMs: interval },
            effects: [
              { kind: 'SendRequest', request: transaction.request },
              startTimer('E', event.nowMs, interval),
            ],
          };
        }
        case 'F':
          return isActive
            ? {
                state: { ...transaction, state: 'terminated' },
                effects: [{ kind: 'StopTimer', timer: 'E' }, { kind: 'ReportTimeout' }],
              }
            : stay;
        case 'K':
          return transaction.state === 'completed'
            ? { state: { ...transaction, state: 'terminated' }, effects: [] }
            : stay;
        case 'A':
        case 'B':
        case 'D':
        case 'G':
        case 'H':
        case 'I':
        case 'J':
        case 'L':
        case 'M':
        case 'Trying':
          return stay;
      }
      break;
    case 'TransportFailed':
      return isActive
        ? {
            state: { ...transaction, state: 'terminated' },
            effects: [
              { kind: 'StopTimer', timer: 'E' },
              { kind: 'StopTimer', timer: 'F' },
              { kind: 'ReportTransportError' },
            ],
          }
        : stay;
    case 'RequestRetransmitted':
    case 'AckReceived':
    case 'CoreResponded':
      return { kind: 'IllegalTransition', state: transaction, event: event.kind };
  }
}
