import type { Brand } from './brand.ts';

/** Ids of the records every package talks about. They are UUID strings at run time. */
export type TenantId = Brand<string, 'TenantId'>;
export type UserId = Brand<string, 'UserId'>;
export type TeamId = Brand<string, 'TeamId'>;
export type CustomerId = Brand<string, 'CustomerId'>;
export type InteractionId = Brand<string, 'InteractionId'>;
export type TicketId = Brand<string, 'TicketId'>;
export type QueueId = Brand<string, 'QueueId'>;
export type AgentId = Brand<string, 'AgentId'>;
export type CallId = Brand<string, 'CallId'>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True when `value` is a canonical RFC 9562 UUID string (versions 1 to 8). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
