/** When a batch is posted: `setImmediate` (once per turn of the event loop) or `process.nextTick`. */
export type BatchSchedule = (flush: () => void) => void;

/**
 * Messages for one side of a MessagePort, posted together, in the order they were pushed, when `schedule` says.
 *
 * The media worker runs at a higher priority than the main thread (docs/media.md, "Threads"), so each message
 * the main thread posted alone woke it and handed it the core: one context switch each way per command, some ten
 * per call. The main thread therefore posts once per turn of its event loop (`setImmediate`, after the turn's
 * I/O callbacks: the commands of every call served in that turn go together). The worker posts on
 * `process.nextTick`, once the commands of a batch have been handled: its replies do not preempt anything, and
 * it has no turn to spare.
 */
export class MessageBatch<T> {
  readonly #post: (messages: readonly T[]) => void;
  readonly #schedule: BatchSchedule;
  #queued: T[] = [];
  #isScheduled = false;

  constructor(post: (messages: readonly T[]) => void, schedule: BatchSchedule) {
    this.#post = post;
    this.#schedule = schedule;
  }

  push(message: T): void {
    this.#queued.push(message);
    if (this.#isScheduled) return;
    this.#isScheduled = true;
    this.#schedule(this.#flush);
  }

  /** Posts what is queued now (nothing when empty). */
  readonly #flush = (): void => {
    this.#isScheduled = false;
    if (this.#queued.length === 0) return;
    const batch = this.#queued;
    this.#queued = [];
    this.#post(batch);
  };
}
