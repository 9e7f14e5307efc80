import type { TransactionTimer } from '@centralita/sip';

/**
 * The timers a transaction record runs: the domain's (A to M and Trying, which arrive as `StartTimer`
 * data) and two of the runtime's own: `Retransmit2xx` (the UAS core's 2xx retransmission, RFC 3261
 * §13.3.1.4) and `CancelGuard` (giving up on an INVITE that ignores its CANCEL, §9.1).
 */
export type RuntimeTimer = TransactionTimer | 'Retransmit2xx' | 'CancelGuard';

/** Something whose timers fire back into it. */
export interface TimerOwner {
  fireTimer(timer: RuntimeTimer): void;
}

function fire(owner: TimerOwner, timer: RuntimeTimer): void {
  owner.fireTimer(timer);
}

/**
 * Maps timer names to `setTimeout` handles. The callback is one shared function that gets the owner and
 * the timer name as arguments, so arming a timer allocates no closure.
 */
export class TransactionTimers {
  #handles: Map<RuntimeTimer, NodeJS.Timeout> | undefined;

  /** Arms `timer` to fire after `delayMs`, replacing a running one of the same name. */
  start(owner: TimerOwner, timer: RuntimeTimer, delayMs: number): void {
    this.#handles ??= new Map();
    const running = this.#handles.get(timer);
    if (running !== undefined) clearTimeout(running);
    this.#handles.set(timer, setTimeout(fire, delayMs, owner, timer));
  }

  /** Disarms `timer` if it runs. */
  stop(timer: RuntimeTimer): void {
    const running = this.#handles?.get(timer);
    if (running === undefined) return;
    clearTimeout(running);
    this.#handles?.delete(timer);
  }

  /** Forgets that `timer` runs (it just fired). */
  fired(timer: RuntimeTimer): void {
    this.#handles?.delete(timer);
  }

  /** Disarms every timer. */
  clear(): void {
    if (this.#handles === undefined) return;
    for (const handle of this.#handles.values()) clearTimeout(handle);
    this.#handles.clear();
  }

  /** How many timers are armed. */
  get size(): number {
    return this.#handles?.size ?? 0;
  }
}
