import type { SipRequest, TransactionTimerConfig } from '@centralita/sip';
import type { ClientTransaction } from './client-transaction.ts';
import type { RandomTokens } from './random-tokens.ts';
import type { ServerTransaction, ServerTransactionFailure } from './server-transaction.ts';

/** What transaction records need from the endpoint that owns them. Internal to this package. */
export interface TransactionRuntime {
  readonly timers: TransactionTimerConfig;
  readonly tokens: RandomTokens;
  now(): number;
  /** Sends the serialized response along the transaction's route (RFC 3261 §18.2.2). */
  sendResponse(transaction: ServerTransaction, bytes: Uint8Array): void;
  /** Sends the serialized request over the transaction's flow. */
  sendRequest(transaction: ClientTransaction, bytes: Uint8Array): void;
  deliverRequest(transaction: ServerTransaction): void;
  deliverAck(ack: SipRequest, transaction: ServerTransaction): void;
  serverFailed(transaction: ServerTransaction, failure: ServerTransactionFailure): void;
  serverEnded(transaction: ServerTransaction): void;
  /** The 2xx to `transaction` waits for its ACK (or stops waiting, when `isWaiting` is false). */
  awaitAck(transaction: ServerTransaction, isWaiting: boolean): void;
  /** Sends the CANCEL `request` for `invite` as a new client transaction (RFC 3261 §9.1). */
  sendCancel(invite: ClientTransaction, request: SipRequest): ClientTransaction;
  clientEnded(transaction: ClientTransaction): void;
  /** Logs an exception thrown by a transaction user's callback (it never reaches the socket). */
  reportCallbackError(error: unknown, callback: string): void;
}
