/** Limits on new calls; above them new INVITEs get 503 with Retry-After while in-dialog requests flow. */
export interface OverloadLimits {
  /** New INVITEs admitted per second (a token bucket holding one second's worth); unlimited when absent. */
  readonly maxNewInvitesPerSecond?: number;
  /** Concurrent calls, as the transaction user counts them; unlimited when absent. */
  readonly maxConcurrentCalls?: number;
  /** Seconds to put in Retry-After (RFC 3261 §20.33); 5 by default. */
  readonly retryAfterSeconds?: number;
}

/** The token bucket: tokens left and when they were counted. */
export interface OverloadState {
  readonly tokens: number;
  readonly updatedAtMs: number;
}

/** Whether a new INVITE may start a call, and why not. */
export type AdmissionVerdict = 'admit' | 'rate-exceeded' | 'concurrency-exceeded';

/** A full bucket at `nowMs`. */
export function startOverloadGuard(limits: OverloadLimits, nowMs: number): OverloadState {
  return { tokens: limits.maxNewInvitesPerSecond ?? 0, updatedAtMs: nowMs };
}

/**
 * Decides on one new INVITE (one without a To tag). The bucket refills at `maxNewInvitesPerSecond` and
 * holds at most one second's worth, so a burst of that size passes and a steady rate above it does not.
 * A refused INVITE takes no token. Pure: time and the concurrent-call count come in as arguments.
 */
export function admitNewInvite(
  limits: OverloadLimits,
  state: OverloadState,
  nowMs: number,
  activeCalls: number,
): { readonly state: OverloadState; readonly verdict: AdmissionVerdict } {
  if (limits.maxConcurrentCalls !== undefined && activeCalls >= limits.maxConcurrentCalls) {
    return { state, verdict: 'concurrency-exceeded' };
  }
  const rate = limits.maxNewInvitesPerSecond;
  if (rate === undefined) return { state, verdict: 'admit' };
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = Math.min(rate, state.tokens + (elapsedMs * rate) / 1000);
  if (tokens < 1) return { state: { tokens, updatedAtMs: nowMs }, verdict: 'rate-exceeded' };
  return { state: { tokens: tokens - 1, updatedAtMs: nowMs }, verdict: 'admit' };
}
