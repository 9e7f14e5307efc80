/**
 * Messages for one side of a MessagePort, posted together, in the order they were pushed, once the work in hand
 * is done: on `process.nextTick`, which runs when the promise continuations queued by the current callback have
 * all run (a chain of awaits that does not wait for I/O is one batch), and without a turn of the event loop of
 * its own.
 *
 * The media worker runs at a higher priority than the main thread (ADR 0009), so each message posted alone
 * woke it and handed it the core: one context switch each way per command, some ten per call. A batch costs one
 * wake-up and one dispatch whatever it holds.
 */
export class MessageBatch<T> {
  readonly #post: (messages: readonly T[]) => void;
  #queued: T[] = [];
  #isScheduled = false;

  constructor(post: (messages: readonly T[]) => void) {
    this.#post = post;
  }

  push(message: T): void {
    this.#queued.push(message);
    if (this.#isScheduled) return;
    this.#isScheduled = true;
    process.nextTick(this.#flush);
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
