export type { AcdErrorCode, AcdError } from './errors.ts';
export { acdErrorCatalog } from './errors.ts';
export type { Channel } from './channel.ts';
export { channels } from './channel.ts';
export type {
  RoutingConfig,
  RoutingConfigInput,
  QueueConfig,
  AgentConfig,
  StrategyConfig,
  StrategyName,
  OverflowTarget,
  EscalationStep,
  EscalationAction,
  SkillRequirement,
} from './routing-config.ts';
export { parseRoutingConfig, strategies, formatConfigPath } from './routing-config.ts';
export type { IllegalTransition } from './illegal-transition.ts';
export type { Presence, PresenceTrigger } from './agent-presence.ts';
export {
  nextAgentPresence,
  missedOfferBreakReason,
  noPhoneBreakReason,
  systemBreakReasons,
} from './agent-presence.ts';
export type { AgentActivity, ActivityTrigger } from './agent-activity.ts';
export { nextAgentActivity, agentActivities } from './agent-activity.ts';
export type { ContactStage, ContactOutcome, ContactTrigger } from './contact-stage.ts';
export { nextContactStage, contactStages } from './contact-stage.ts';
export type { HelpRequest, HelpRequestState, HelpTrigger } from './help-request.ts';
export { nextHelpRequest, helpRequestState, helpTriggerTypes } from './help-request.ts';
export type * from './events.ts';
export type * from './commands.ts';
export type * from './facts.ts';
export type { RoutingState, AgentStatus } from './routing-state.ts';
export { createRoutingState, agentStatuses } from './routing-state.ts';
export type { Decision } from './decide.ts';
export { decide } from './decide.ts';
export { reconfigure } from './reconfigure.ts';
export type {
  QueueStatistics,
  AgentStatistics,
  StatusCount,
  AgentWorkView,
  ContactView,
} from './statistics.ts';
export {
  queueStatistics,
  agentStatistics,
  estimatedWaitTime,
  contactView,
  queueAgentIds,
} from './statistics.ts';
