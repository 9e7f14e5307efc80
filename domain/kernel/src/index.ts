export type { Brand } from './brand.ts';
export type {
  TenantId,
  UserId,
  TeamId,
  CustomerId,
  InteractionId,
  TicketId,
  QueueId,
  AgentId,
  CallId,
} from './ids.ts';
export { isUuid } from './ids.ts';
export type { Clock } from './clock.ts';
export { VirtualClock } from './clock.ts';
export type { Random } from './random.ts';
export { SeededRandom } from './random.ts';
export type { IdGenerator } from './id-generator.ts';
export type { Result } from './result.ts';
export { ok, err } from './result.ts';
export type { DomainError } from './domain-error.ts';
export { domainError } from './domain-error.ts';
export type { EventEnvelope } from './event-envelope.ts';
