import type { TenantId } from './ids.ts';

/** A fact that happened, as it travels on the bus and the WebSocket stream. */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  /** Unique id of this event (UUID). */
  readonly id: string;
  /** Past-tense fact name, for example `CustomerCreated`. */
  readonly type: Type;
  readonly tenantId: TenantId;
  /** When it happened, ISO 8601 in UTC. */
  readonly occurredAt: string;
  readonly data: Data;
  /**
   * When set, only this user's event streams receive it: a screen pop carries a customer's details to the
   * agent being offered the call, not to everyone in the tenant. Such events are not stored.
   */
  readonly recipientUserId?: string;
}
