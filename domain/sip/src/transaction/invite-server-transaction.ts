import { createResponse } from '../message/create-response.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  Transition,
} from './transaction-types.ts';
import { isProvisional, isSuccess, startTimer } from './transaction-types.ts';

/** An INVITE server transaction (RFC 3261 §17.2.1, with the Accepted state of RFC 6026 §7.1). */
export interface InviteServerTransaction {
  readonly state: 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';
  readonly request: SipRequest;
  readonly settings: TransactionSettings;
  /** The last response sent, resent when the INVITE is retransmitted. */
  readonly lastResponse?: SipResponse;
  /** Current Timer G interval: T1 doubling up to T2. */
  readonly retransmitIntervalMs: number;
}

/** Time allowed to the core before the transaction sends 100 Trying itself (RFC 3261 §17.2.1). */
export const tryingDelayMs = 200;

/**
 * Creates the transaction for a received INVITE and passes it to the core. If the core has sent nothing
 * within 200 ms, the `Trying` timer makes the transaction send 100 Trying (§17.2.1), which stops the
 * caller's INVITE retransmissions.
 */
export function startInviteServer(
  request: SipRequest,
  settings: TransactionSettings,
  nowMs: number,
): { state: InviteServerTransaction; effects: TransactionEffect[] } {
  return {
    state: { state: 'proceeding', request, settings, retransmitIntervalMs: settings.timers.t1Ms },
    effects: [{ kind: 'PassRequestToCore', request }, startTimer('Trying', nowMs, tryingDelayMs)],
  };
}

/** The one transition function of the INVITE server transaction. */
export function nextInviteServer(
  transaction: InviteServerTransaction,
  event: TransactionEvent,
): Transition<InviteServerTransaction> {
  const { settings } = transaction;
  const t1 = settings.timers.t1Ms;
  const stay = { state: transaction, effects: [] };
  const resendLast: TransactionEffect[] =
    transaction.lastResponse === undefined
      ? []
      : [{ kind: 'SendResponse', response: transaction.lastResponse }];
  switch (event.kind) {
    case 'CoreResponded': {
      const response = event.response;
      if (transaction.state === 'accepted' && isSuccess(response)) {
        // RFC 6026 §7.1: the core retransmits its 2xx through the transaction until the ACK comes.
        return { state: transaction, effects: [{ kind: 'SendResponse', response }] };
      }
      if (transaction.state !== 'proceeding') {
        return { kind: 'IllegalTransition', state: transaction, event: event.kind };
      }
      const sent: TransactionEffect[] = [
        { kind: 'StopTimer', timer: 'Trying' },
        { kind: 'SendResponse', response },
      ];
      if (isProvisional(response))
        return { state: { ...transaction, lastResponse: response }, effects: sent };
      if (isSuccess(response)) {
        return {
          state: { ...transaction, state: 'accepted', lastResponse: response },
          effects: [...sent, startTimer('L', event.nowMs, 64 * t1)],
        };
      }
      return {
        state: { ...transaction, state: 'completed', lastResponse: response },
        effects: [
          ...sent,
          ...(settings.isReliable ? [] : [startTimer('G', event.nowMs, t1)]),
          startTimer('H', event.nowMs, 64 * t1),
        ],
      };
    }
    case 'RequestRetransmitted':
      // §17.2.1: resend the last provisional (Proceeding) or the final response (Completed); the
      // Accepted state absorbs retransmissions (RFC 6026 §7.1), the core handles 2xx retransmission.
      return transaction.state === 'proceeding' || transaction.state === 'completed'
        ? { state: transaction, effects: resendLast }
        : stay;
    case 'AckReceived':
      if (transaction.state === 'completed') {
        return {
          state: { ...transaction, state: 'confirmed' },
          effects: [
            { kind: 'StopTimer', timer: 'G' },
            { kind: 'StopTimer', timer: 'H' },
            startTimer('I', event.nowMs, settings.isReliable ? 0 : settings.timers.t4Ms),
          ],
        };
      }
      if (transaction.state === 'accepted') {
        return { state: transaction, effects: [{ kind: 'PassRequestToCore', request: event.request }] };
      }
      return stay;
    case 'TimerFired':
      switch (event.timer) {
        case 'Trying':
          if (transaction.state !== 'proceeding' || transaction.lastResponse !== undefined) return stay;
          {
            const trying = createResponse(transaction.request, 100, 'Trying');
            return {
              state: { ...transaction, lastResponse: trying },
              effects: [{ kind: 'SendResponse', response: trying }],
            };
          }
        case 'G': {
          if (transaction.state !== 'completed') return stay;
          const interval = Math.min(transaction.retransmitIntervalMs * 2, settings.timers.t2Ms);
          return {
            state: { ...transaction, retransmitIntervalMs: interval },
            effects: [...resendLast, startTimer('G', event.nowMs, interval)],
          };
        }
        case 'H':
          // No ACK ever came: the core learns of it (RFC 3261 §17.2.1).
          return transaction.state === 'completed'
            ? {
                state: { ...transaction, state: 'terminated' },
                effects: [{ kind: 'StopTimer', timer: 'G' }, { kind: 'ReportTimeout' }],
              }
            : stay;
        case 'I':
          return transaction.state === 'confirmed'
            ? { state: { ...transaction, state: 'terminated' }, effects: [] }
            : stay;
        case 'L':
          return transaction.state === 'accepted'
            ? { state: { ...transaction, state: 'terminated' }, effects: [] }
            : stay;
        case 'A':
        case 'B':
        case 'D':
        case 'E':
        case 'F':
        case 'J':
        case 'K':
        case 'M':
          return stay;
      }
      break;
    case 'TransportFailed':
      return transaction.state === 'terminated'
        ? stay
        : {
            state: { ...transaction, state: 'terminated' },
            effects: [
              { kind: 'StopTimer', timer: 'G' },
              { kind: 'StopTimer', timer: 'H' },
              { kind: 'StopTimer', timer: 'L' },
              { kind: 'ReportTransportError' },
            ],
          };
    case 'ResponseReceived':
      return { kind: 'IllegalTransition', state: transaction, event: event.kind };
  }
}
