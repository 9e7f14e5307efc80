/** Codes `validateFlow` reports: the flow is refused on save. */
export type FlowProblemCode =
  | 'IVR_FLOW_SCHEMA'
  | 'IVR_ENTRY_NODE_MISSING'
  | 'IVR_DANGLING_REFERENCE'
  | 'IVR_UNREACHABLE_NODE'
  | 'IVR_MENU_WITHOUT_OPTIONS'
  | 'IVR_PROMPT_MISSING_LANGUAGE'
  | 'IVR_LANGUAGE_NOT_DECLARED'
  | 'IVR_UNKNOWN_QUEUE'
  | 'IVR_UNKNOWN_FLOW'
  | 'IVR_UNKNOWN_SCHEDULE'
  | 'IVR_UNKNOWN_HOLIDAY_CALENDAR'
  | 'IVR_LOOP_WITHOUT_INPUT'
  | 'IVR_SUBFLOW_RECURSION';

/** Codes the interpreter reports in `LogFault` before moving the caller to the tenant fallback. */
export type FlowFaultCode =
  | 'IVR_NODE_NOT_FOUND'
  | 'IVR_VARIABLE_MISSING'
  | 'IVR_NOT_A_NUMBER'
  | 'IVR_SUBFLOW_NOT_FOUND'
  | 'IVR_SUBFLOW_TOO_DEEP'
  | 'IVR_FLOW_NOT_FOUND'
  | 'IVR_RETURN_OUTSIDE_SUBFLOW'
  | 'IVR_TIME_ZONE_INVALID'
  | 'IVR_QUEUE_FIGURES_UNAVAILABLE'
  | 'IVR_QUEUE_OVERFLOW_UNHANDLED'
  | 'IVR_TRANSFER_FAILED'
  | 'IVR_PROMPT_UNAVAILABLE'
  | 'IVR_RUNAWAY_STEP';

/** Every stable IVR error code; `ivrErrors` says what each means and docs/errors.md lists them. */
export type IvrErrorCode = FlowProblemCode | FlowFaultCode | 'IVR_UNEXPECTED_EVENT';

/**
 * Every error code the IVR package produces, with what it means. Save-time codes come from
 * `validateFlow` (the flow is refused); run-time codes come from the interpreter in a `LogFault`
 * command (the caller is moved to the tenant fallback) or as an `IllegalTransition`.
 */
export const ivrErrors: Readonly<Record<IvrErrorCode, string>> = {
  // Refused on save.
  IVR_FLOW_SCHEMA: 'The flow document does not match the schema (a missing field, a wrong type, a typo).',
  IVR_ENTRY_NODE_MISSING: 'The entry node named by the flow does not exist.',
  IVR_DANGLING_REFERENCE: 'A node points to a node that does not exist.',
  IVR_UNREACHABLE_NODE: 'A node can never be reached from the entry node.',
  IVR_MENU_WITHOUT_OPTIONS: 'A menu offers no option to choose.',
  IVR_PROMPT_MISSING_LANGUAGE: 'A prompt has no text or file for a language the flow declares.',
  IVR_LANGUAGE_NOT_DECLARED:
    'A language is used (default language, language node) that the flow does not declare.',
  IVR_UNKNOWN_QUEUE: 'A node names a queue the tenant does not have.',
  IVR_UNKNOWN_FLOW: 'A subflow or flow transfer names a flow the tenant does not have.',
  IVR_UNKNOWN_SCHEDULE: 'A business-hours condition names a schedule the flow does not define.',
  IVR_UNKNOWN_HOLIDAY_CALENDAR: 'A holiday condition names a calendar the flow does not define.',
  IVR_LOOP_WITHOUT_INPUT:
    'Nodes form a loop in which the caller is never asked for input nor queued: the call would loop for ever.',
  IVR_SUBFLOW_RECURSION: 'A subflow calls, directly or through other flows, the flow it is called from.',

  // Faults at run time: logged, and the caller goes to the tenant fallback.
  IVR_NODE_NOT_FOUND: 'The call reached a node id the running flow version does not have.',
  IVR_VARIABLE_MISSING: 'A prompt, request, comparison or identification needs a variable that is not set.',
  IVR_NOT_A_NUMBER: 'An ordering comparison (lt, le, gt, ge) met a value that is not a number.',
  IVR_SUBFLOW_NOT_FOUND: 'A subflow node names a flow that is not published.',
  IVR_SUBFLOW_TOO_DEEP: 'Subflows are nested deeper than the interpreter allows.',
  IVR_FLOW_NOT_FOUND: 'A transfer to another flow names a flow that is not published.',
  IVR_RETURN_OUTSIDE_SUBFLOW: 'A return node was reached in a flow that was not called as a subflow.',
  IVR_TIME_ZONE_INVALID: "The tenant's time zone is not a valid IANA time zone.",
  IVR_QUEUE_FIGURES_UNAVAILABLE: 'Live queue figures needed by a condition could not be obtained.',
  IVR_QUEUE_OVERFLOW_UNHANDLED: 'A queue overflowed but its node has no overflow branch.',
  IVR_TRANSFER_FAILED: 'A transfer failed and its node has no failure branch.',
  IVR_PROMPT_UNAVAILABLE: 'A prompt has neither the current language nor any other.',
  IVR_RUNAWAY_STEP: 'One step moved through too many nodes without waiting for anything.',

  // The event does not fit the state: the runtime fed the wrong answer, a late one, or one after the end.
  IVR_UNEXPECTED_EVENT: 'The event is not one the call is waiting for in its current state.',
};
