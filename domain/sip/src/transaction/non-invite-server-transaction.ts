import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionSettings,
  Transition,
} from './transaction-types.ts';
import { isProvisional, startTimer } from './transaction-types.ts';

/** A non-INVITE server transaction (RFC 3261 §17.2.2). */
export interface NonInviteServerTransaction {
  readonly state: 'trying' | 'proceeding' | 'completed' | 'terminated';
  readonly request: SipRequest;
  readonly settings: TransactionSettings;
  readonly lastResponse?: SipResponse;
}

/** Creates the transaction for a received request and passes the request to the core. */
export function startNonInviteServer(
  request: SipRequest,
  settings: TransactionSettings,
): { state: NonInviteServerTransaction; effects: TransactionEffect[] } {
  return { state: { state: 'trying', request, settings }, effects: [{ kind: 'PassRequestToCore', request }] };
}

/** The one transition function of the non-INVITE server transaction. */
export function nextNonInviteServer(
  transaction: NonInviteServerTransaction,
  event: TransactionEvent,
): Transition<NonInviteServerTransaction> {
  const stay = { state: transaction, effects: [] };
  switch (event.kind) {
    case 'CoreResponded': {
      if (transaction.state !== 'trying' && transaction.state !== 'proceeding') {
        return { kind: 'IllegalTransition', state: transaction, event: event.kind };
      }
      const response = event.response;
      const send: TransactionEffect = { kind: 'SendResponse', response };
      if (isProvisional(response))
        return { state: { ...transaction, state: 'proceeding', lastResponse: response }, effects: [send] };
      return {
        state: { ...transaction, state: 'completed', lastResponse: response },
        // Timer J absorbs request retransmissions: 64*T1 on UDP, zero on reliable transports.
        effects: [
          send,
          startTimer(
            'J',
            event.nowMs,
            transaction.settings.isReliable ? 0 : 64 * transaction.settings.timers.t1Ms,
          ),
        ],
      };
    }
    case 'RequestRetransmitted':
      // Trying absorbs; Proceeding and Completed resend the last response (§17.2.2).
      return transaction.lastResponse === undefined || transaction.state === 'terminated'
        ? stay
        : { state: transaction, effects: [{ kind: 'SendResponse', response: transaction.lastResponse }] };
    case 'TimerFired':
      return event.timer === 'J' && transaction.state === 'completed'
        ? { state: { ...transaction, state: 'terminated' }, effects: [] }
        : stay;
    case 'TransportFailed':
      return transaction.state === 'terminated'
        ? stay
        : {
            state: { ...transaction, state: 'terminated' },
            effects: [{ kind: 'StopTimer', timer: 'J' }, { kind: 'ReportTransportError' }],
          };
    case 'ResponseReceived':
    case 'AckReceived':
      return { kind: 'IllegalTransition', state: transaction, event: event.kind };
  }
}
