export type {
  CallEndCause,
  InboundCall,
  InboundCallPhase,
  InboundCallEvent,
  InboundCallCommand,
  InboundCallFact,
  IllegalCallTransition,
  InboundCallTransition,
} from './inbound-call.ts';
export { startInboundCall, nextInboundCall } from './inbound-call.ts';
export type { CallErrorCode } from './errors.ts';
export { callErrorCatalog } from './errors.ts';
