import type { SipRequest, SipResponse } from '@centralita/sip';
import type { ServerTransaction, ServerTransactionFailure } from './server-transaction.ts';
import type { MessageSource } from './transport-types.ts';

/**
 * The transaction user (RFC 3261 §17: the "TU", our core: dialogs, registrar, B2BUA) as the endpoint
 * sees it. Every callback runs on the receive path: keep it short, answer through the transaction, never
 * block. An exception thrown here is logged and contained (an unanswered request then gets 500).
 */
export interface TransactionUser {
  /** A new request that passed `classifyIncoming`, the merged-request check and the overload guard. */
  onRequest(transaction: ServerTransaction): void;
  /**
   * An ACK the transaction layer does not absorb: the ACK for a 2xx (its own transaction, §17.1.1.3).
   * `transaction` is the INVITE whose 2xx it acknowledges, while that 2xx is still being retransmitted.
   */
  onAck?(ack: SipRequest, source: MessageSource, transaction: ServerTransaction | undefined): void;
  /**
   * A CANCEL matched `invite`, which has no final response yet (RFC 3261 §9.2). The endpoint has already
   * answered the CANCEL with 200; the core ends its work and answers the INVITE, normally with 487. When
   * absent, the endpoint answers 487 itself.
   */
  onCancel?(invite: ServerTransaction, cancel: SipRequest): void;
  /** A server transaction ended badly: no ACK (Timer H, or 64×T1 after a 2xx) or a transport error. */
  onServerFailure?(transaction: ServerTransaction, failure: ServerTransactionFailure): void;
  /** A response matching no client transaction: a 2xx retransmitted after Timer M (re-send the ACK). */
  onStrayResponse?(response: SipResponse, source: MessageSource): void;
  /** Calls in progress, for the overload guard's `maxConcurrentCalls`. */
  countActiveCalls?(): number;
}
