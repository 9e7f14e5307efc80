/** How repeated login failures slow an attacker down. */
export interface LoginThrottlePolicy {
  /** Failures on one account before it is locked. */
  readonly accountFreeFailures: number;
  /** Failures from one source address before it is locked. */
  readonly addressFreeFailures: number;
  /** First lock; each further failure doubles it. */
  readonly firstLockMs: number;
  readonly maxLockMs: number;
}

export const defaultLoginThrottlePolicy: LoginThrottlePolicy = {
  accountFreeFailures: 5,
  addressFreeFailures: 20,
  firstLockMs: 30_000,
  maxLockMs: 15 * 60_000,
};

/**
 * The lock that follows the n-th failure: none until the free failures are used up, then a lock that
 * doubles with every further failure up to the maximum (30 s, 1 min, 2 min … 15 min by default).
 */
export function lockDurationMs(failures: number, freeFailures: number, policy: LoginThrottlePolicy): number {
  if (failures < freeFailures) return 0;
  const doublings = Math.min(failures - freeFailures, 30);
  return Math.min(policy.firstLockMs * 2 ** doublings, policy.maxLockMs);
}
