/**
 * Retry timers a test runs by hand (for writers that retry a refused database write): `schedule` keeps each
 * retry and its delay, `runDue` runs those due and lets the writes they start finish.
 */
export function manualTimers(): {
  readonly delays: number[];
  readonly schedule: (retry: () => void, delayMs: number) => void;
  runDue(): Promise<void>;
} {
  const due: (() => void)[] = [];
  const delays: number[] = [];
  return {
    delays,
    schedule: (retry, delayMs) => {
      due.push(retry);
      delays.push(delayMs);
    },
    async runDue() {
      for (const retry of due.splice(0)) retry();
      // The retries' writes resolve at once in these tests: one turn of the event loop settles them.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
