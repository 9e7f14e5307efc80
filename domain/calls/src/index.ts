export type {
  CallEndCause,
  FlowTransferTarget,
  InboundCall,
  InboundCallPhase,
  InboundCallEvent,
  InboundCallCommand,
  InboundCallFact,
  IllegalCallTransition,
  InboundCallTransition,
} from './inbound-call.ts';
export { startInboundCall, nextInboundCall, adoptConnectedCall } from './inbound-call.ts';
export type { CallErrorCode } from './errors.ts';
export { callErrorCatalog } from './errors.ts';
export type {
  OutboundCall,
  OutboundCallPhase,
  OutboundCallEvent,
  OutboundCallCommand,
  OutboundCallFact,
  OutboundCallTransition,
} from './outbound-call.ts';
export { startOutboundCall, nextOutboundCall } from './outbound-call.ts';
export type { Companion, CompanionEvent, CompanionFact, SupervisionMode } from './companion.ts';
export type { FeaturePresence, PhoneDialInput, PhoneDialPlan } from './phone-dial-plan.ts';
export { featureCodes, phoneDialPlan, placedCallFlow } from './phone-dial-plan.ts';
