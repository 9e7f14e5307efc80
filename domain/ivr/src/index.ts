// Flow documents
export type { Flow, FlowInput } from './flow.ts';
export { flowSchema, flowJsonSchema } from './flow.ts';
export type { FlowNode, FlowNodeType, FlowNodeOf } from './flow-node.ts';
export { flowNodeSchema, transferTargetSchema } from './flow-node.ts';
export type { Prompt, PromptAudio, ResolvedPrompt, PromptResolutionError } from './prompt.ts';
export { promptSchema, resolvePrompt } from './prompt.ts';
export type { Language } from './language.ts';
export { languageSchema, languages, languageName } from './language.ts';
export type { Condition, ComparisonOperator, QueueFigure } from './condition.ts';
export { conditionSchema } from './condition.ts';
export type { DigitRule } from './digit-rule.ts';
export { digitRuleSchema, satisfiesDigitRule } from './digit-rule.ts';
export {
  isLuhnValid,
  luhnCheckDigit,
  isMod11Valid,
  mod11CheckDigit,
  defaultMod11Weights,
} from './check-digit.ts';
export type { WeeklySchedule, HolidayCalendar } from './business-calendar.ts';
export { weeklyScheduleSchema, holidayCalendarSchema, isOpenAt, holidayOn } from './business-calendar.ts';
export type { LocalDateTime, Weekday } from './local-time.ts';
export { localDateTime, isValidTimeZone } from './local-time.ts';
export type { Scalar, VariableLookup } from './template.ts';
export { fillTemplate, templateVariables, isWellFormedTemplate } from './template.ts';
export type { NodeLink, NodePath } from './node-references.ts';
export { nodeLinks, nodePrompts, nodeQueues } from './node-references.ts';

// Validation on save
export type { FlowProblem, FlowValidationOptions } from './validate-flow.ts';
export { validateFlow, subflowTargets } from './validate-flow.ts';

// The interpreter
export type { CallState, Activity, CallOutcome, CallerIdentity, Frame } from './call-state.ts';
export { initialCallState, expectedEvents, variableValue, callData } from './call-state.ts';
export type { IvrCommand, IvrCommandType, TransferTarget, ResolvedAnnouncement } from './commands.ts';
export type { IvrEvent, IvrEventType, QueueFigures } from './events.ts';
export type { StepContext, TenantFallback, IvrTransition, IllegalTransition } from './step.ts';
export { step, maxNodesPerStep, maxSubflowDepth } from './step.ts';

// The flow tester
export type {
  FlowScript,
  FlowTranscript,
  TranscriptEntry,
  TranscriptOutcome,
  HeardPrompt,
  ScriptedHttpAnswer,
  ScriptedIdentity,
} from './flow-tester.ts';
export { runFlowScript, collectedKeys } from './flow-tester.ts';
export { formatTranscript, describeOutcome, describeCommand, describePrompt } from './transcript-format.ts';
export type { FlowSuite, FlowSuiteCaseResult } from './flow-suite.ts';
export { flowSuiteSchema, flowSuiteCaseSchema, runFlowSuite } from './flow-suite.ts';

// Errors
export type { IvrErrorCode, FlowProblemCode, FlowFaultCode } from './errors.ts';
export { ivrErrors } from './errors.ts';
