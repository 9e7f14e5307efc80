/** When a source address that keeps failing authentication is blocked. */
export interface AuthFailurePolicy {
  /** Failed authentications (wrong response, unknown user, replayed nonce count) that trigger a block. */
  readonly maxFailures: number;
  /** The window those failures must fall in. */
  readonly windowMs: number;
  /** How long the source is refused (403) once blocked. */
  readonly blockMs: number;
}

interface FailureRecord {
  windowStartMs: number;
  failures: number;
  blockedUntilMs: number;
}

/**
 * Counts failed authentications per source address and blocks a source that fails `maxFailures` times
 * within `windowMs` for `blockMs` (a password-guessing phone or scanner). Memory is bounded: records
 * whose window and block have passed are pruned when the table grows.
 */
export class SourceBlocker {
  readonly #policy: AuthFailurePolicy;
  readonly #records = new Map<string, FailureRecord>();

  constructor(policy: AuthFailurePolicy) {
    this.#policy = policy;
  }

  /** True while `address` is blocked. */
  isBlocked(address: string, nowMs: number): boolean {
    return (this.#records.get(address)?.blockedUntilMs ?? 0) > nowMs;
  }

  /** Records a failure; true when it is the one that blocks the source. */
  recordFailure(address: string, nowMs: number): boolean {
    let record = this.#records.get(address);
    if (record === undefined || nowMs - record.windowStartMs > this.#policy.windowMs) {
      if (record === undefined && this.#records.size >= 100_000) this.#prune(nowMs);
      record = { windowStartMs: nowMs, failures: 0, blockedUntilMs: record?.blockedUntilMs ?? 0 };
      this.#records.set(address, record);
    }
    record.failures++;
    if (record.failures < this.#policy.maxFailures || record.blockedUntilMs > nowMs) return false;
    record.blockedUntilMs = nowMs + this.#policy.blockMs;
    record.failures = 0;
    record.windowStartMs = nowMs;
    return true;
  }

  #prune(nowMs: number): void {
    for (const [address, record] of this.#records) {
      if (record.blockedUntilMs <= nowMs && nowMs - record.windowStartMs > this.#policy.windowMs)
        this.#records.delete(address);
    }
  }
}
