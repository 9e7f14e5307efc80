import type { AgentPool, QueueRecord } from './routing-state.ts';

/** The queue's average handle time today, or its configured default before the first contact ends. */
export function averageHandleTimeMs(queue: QueueRecord): number {
  const { handled, handleTotalMs } = queue.today;
  return handled > 0 ? handleTotalMs / handled : queue.config.defaultHandleTimeMs;
}

/**
 * Estimated wait for the contact at 1-based `position`: position × AHT / agents ready to serve the pool
 * (available presence, busy or not). A plain, explainable estimate that callers and the IVR can read out;
 * `undefined` when nobody is ready, because then no honest number exists.
 */
export function estimateWaitMs(queue: QueueRecord, pool: AgentPool, position: number): number | undefined {
  if (pool.readyCount === 0) return undefined;
  return Math.round((position * averageHandleTimeMs(queue)) / pool.readyCount);
}
