import type { EventEnvelope } from '@centralita/kernel';

/** Receives the events of one tenant, or of all tenants with `'*'`. */
export type EventHandler = (event: EventEnvelope) => void;

/** Publishes domain events to subscribers. One node: in process; several nodes: NATS or Redis (later). */
export interface EventBus {
  publish(events: readonly EventEnvelope[]): void;
  /** Returns the function that ends the subscription. */
  subscribe(tenantId: string, handler: EventHandler): () => void;
}

/**
 * The single-node bus. A failing subscriber is isolated: it cannot stop delivery to the others, and
 * its error goes to `onHandlerError` (the server logs it).
 */
export class InProcessBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly onHandlerError: (error: unknown, event: EventEnvelope) => void;

  constructor(onHandlerError: (error: unknown, event: EventEnvelope) => void = () => undefined) {
    this.onHandlerError = onHandlerError;
  }

  publish(events: readonly EventEnvelope[]): void {
    for (const event of events) {
      for (const key of [event.tenantId, '*']) {
        for (const handler of this.handlers.get(key) ?? []) {
          try {
            handler(event);
          } catch (error) {
            this.onHandlerError(error, event);
          }
        }
      }
    }
  }

  subscribe(tenantId: string, handler: EventHandler): () => void {
    let set = this.handlers.get(tenantId);
    if (!set) {
      set = new Set();
      this.handlers.set(tenantId, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.handlers.delete(tenantId);
    };
  }
}
