/**
 * Messages for one side of a MessagePort, posted together once per turn of the event loop (at its check phase,
 * after the I/O callbacks of the turn), in the order they were pushed.
 *
 * The media worker runs at a higher priority than the main thread (ADR 0009), so each message posted alone
 * woke it and handed it the core: one context switch each way per command, some ten per call. A batch costs one
 * wake-up and one dispatch whatever it holds; the price is at most the rest of the current turn's latency.
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
    setImmediate(this.#flush);
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
