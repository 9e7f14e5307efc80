export { reportingErrorCodes } from './errors.ts';
export type { ReportingErrorCode } from './errors.ts';
export { granularities, timeZoneCalendar } from './time-zone-calendar.ts';
export type {
  Granularity,
  Interval,
  IntervalShare,
  LocalLabel,
  TimeZoneCalendar,
} from './time-zone-calendar.ts';
export { reportingEventTypes, compareEvents, contactIdOf, timelineAgentIdOf, ticketIdOf } from './events.ts';
export type {
  ReportingEvent,
  Channel,
  Direction,
  MoveReason,
  ContactOutcome,
  PresenceKind,
  Activity,
  CallEndCause,
  ContactQueued,
  ContactAnswered,
  ContactMoved,
  EscalationApplied,
  ContactFinished,
  AgentPresenceChanged,
  AgentActivityChanged,
  CallReceived,
  CallAnswered,
  CallHeld,
  CallResumed,
  CallTransferred,
  CallEnded,
  InteractionUpdated,
  TicketCreated,
  TicketUpdated,
  SurveyAnswered,
  QualityScored,
} from './events.ts';
export { reportingEventOf } from './recorded-event.ts';
export type { RecordedEventRow } from './recorded-event.ts';
export { foldContact, foldContacts } from './contact-record.ts';
export type { ContactRecord, QueueVisit, VisitExit, Handling, ContactScore } from './contact-record.ts';
export { foldAgentTimeline } from './agent-timeline.ts';
export type { AgentState, AgentSegment, AgentTimeline } from './agent-timeline.ts';
export { foldTicket, builtInTicketCategory } from './ticket-record.ts';
export type { TicketRecord, TicketStatusCategory, TicketCategoryOf } from './ticket-record.ts';
export {
  firstContactResolution,
  isFcrEligible,
  isRepeatOf,
  matterQueueOf,
  fcrContactOf,
  fcrSameMatterValues,
  isFcrSameMatter,
} from './first-contact-resolution.ts';
export type {
  FcrStatus,
  FcrOptions,
  FcrRule,
  FcrContact,
  FcrSameMatter,
} from './first-contact-resolution.ts';
export {
  summaryFields,
  emptyValues,
  valuesOf,
  isEmptyValues,
  rowKeyId,
  addValues,
  subtractValues,
  mergeRows,
  totalOf,
  regroup,
  contributionChanges,
  applyChange,
} from './summary-row.ts';
export type {
  SummaryField,
  SummaryValues,
  RowKey,
  SummaryRow,
  Subtraction,
  Dimensions,
  ContributionChange,
  AppliedChange,
} from './summary-row.ts';
export {
  contributionsOf,
  agentTimeContributions,
  ticketContributions,
  billedSecondsOf,
} from './contributions.ts';
export type { ContributionOptions, BillingRounding } from './contributions.ts';
export { figuresOf, ratio, contactsPerAgent, costPerContactMinor } from './figures.ts';
export type { Figures, CostRates } from './figures.ts';
export { billingStatement } from './billing.ts';
export type { BillingPlan, BillingStatement, StatementLine } from './billing.ts';
export { evaluateSla, slaMetrics, slaTargetRange } from './sla.ts';
export type { SlaMetric, SlaScale, SlaTarget, SlaBreach, SlaResult } from './sla.ts';
export { leaderboard, leaderboardOrders } from './leaderboard.ts';
export type { Leaderboard, LeaderboardAgentInput, LeaderboardLine, LeaderboardOrder } from './leaderboard.ts';
