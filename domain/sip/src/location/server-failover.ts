/**
 * What became of a request sent to one of the targets server location gave (RFC 3263 §4), as far as
 * failing over to the next one cares.
 */
export type TargetOutcome =
  /** The request could not be sent, or its connection failed or was refused (RFC 3261 §8.1.3.1). */
  | { readonly kind: 'transport-error' }
  /** No response at all: Timer B (INVITE) or F ran out (RFC 3261 §17.1.1.2, §17.1.2.2). */
  | { readonly kind: 'timeout' }
  /**
   * Nothing yet, not even 100 Trying, within the caller's silence limit, well before Timer B: a live server
   * answers an INVITE with 100 within 200 ms (RFC 3261 §17.2.1), so the target is taken for dead. Only a
   * `try-next` decision acts on it; otherwise the request keeps waiting for its own timeout.
   */
  | { readonly kind: 'silent' }
  /** A final response (200-699). */
  | { readonly kind: 'final-response'; readonly statusCode: number };

/** Where the request stands when one target's outcome is known. */
export interface TargetAttempt {
  /** The position of the target in the ordered list server location gave (0: the first). */
  readonly targetIndex: number;
  /** How many targets that list has. */
  readonly targetCount: number;
  /** A provisional response other than 100 came from this target: it took the request and may have alerted someone. */
  readonly hasProgressed: boolean;
  /** Time since the first target was tried. */
  readonly elapsedMs: number;
  /** No new target is tried once this much time has passed since the first one, so nobody waits forever. */
  readonly budgetMs: number;
}

/** Whether to send the request to the next target, or to report this outcome as the request's own. */
export type FailoverDecision =
  | { readonly kind: 'try-next'; readonly targetIndex: number }
  | {
      readonly kind: 'give-up';
      readonly reason:
        /** An answer of the target's own (2xx, a refusal other than 503): it is the request's answer. */
        | 'answered'
        /** The target had already sent 180 or 183: the call reached it, trying elsewhere could ring twice. */
        | 'target-progressed'
        | 'no-more-targets'
        | 'budget-spent';
    };

/**
 * RFC 3263 §4.3 for one target's outcome: a transport error, a timeout (no response at all) or a 503
 * Service Unavailable moves on to the next target of the list, as a new transaction (RFC 3261 §21.5.4:
 * 503 says this server cannot take it now, not that the request is wrong). Once the target sent a
 * provisional response other than 100, or any other final response, it is the answer. A failure of the
 * last target, or one after the budget is spent, ends the request with that failure.
 */
export function failoverAfter(outcome: TargetOutcome, attempt: TargetAttempt): FailoverDecision {
  switch (outcome.kind) {
    case 'final-response':
      if (outcome.statusCode !== 503) return { kind: 'give-up', reason: 'answered' };
      break;
    case 'transport-error':
    case 'timeout':
    case 'silent':
      break;
  }
  if (attempt.hasProgressed) return { kind: 'give-up', reason: 'target-progressed' };
  const next = attempt.targetIndex + 1;
  if (next >= attempt.targetCount) return { kind: 'give-up', reason: 'no-more-targets' };
  if (attempt.elapsedMs >= attempt.budgetMs) return { kind: 'give-up', reason: 'budget-spent' };
  return { kind: 'try-next', targetIndex: next };
}
