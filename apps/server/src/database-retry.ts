/**
 * How the server retries a write an unavailable database refused (RoutingFactWriter, DeferredWrites): first a
 * second later, then at doubling delays up to 30 s, on timers that never keep the process up.
 */
export const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** The delay after `delayMs` when the retry is refused again. */
export function nextRetryMs(delayMs: number): number {
  return Math.min(MAX_RETRY_MS, delayMs * 2);
}

/** Runs `retry` after `delayMs` on an unreferenced timer. */
export function scheduleRetry(retry: () => void, delayMs: number): void {
  setTimeout(retry, delayMs).unref();
}

/** How long a shutdown waits for its last attempt at the writes still waiting. */
export const LAST_ATTEMPT_MS = 5_000;

/** Waits for `work` for at most `limitMs` (a shutdown's last attempt must not hang on an unreachable host). */
export async function waitAtMost(work: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
