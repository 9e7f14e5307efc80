import type { DomainError, Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { Activity, CallState } from './call-state.ts';
import { callData, expectedEvents, runningFrame, variableValue } from './call-state.ts';
import type { IvrCommand } from './commands.ts';
import type { FlowFault } from './evaluate-condition.ts';
import { evaluateCondition, queuesNeeded } from './evaluate-condition.ts';
import type { IvrEvent, IvrEventType, QueueFigures } from './events.ts';
import type { Flow } from './flow.ts';
import type { FlowNode, FlowNodeOf, FlowNodeType } from './flow-node.ts';
import { ownValue } from './own-value.ts';
import type { Prompt, ResolvedPrompt } from './prompt.ts';
import { resolvePrompt } from './prompt.ts';
import { satisfiesDigitRule } from './digit-rule.ts';
import type { Scalar, TemplateEncoding, VariableLookup } from './template.ts';
import { fillTemplate } from './template.ts';

/** Where a flow fault sends the caller: a message, then a queue. Configured per tenant. */
export interface TenantFallback {
  /** Write it without placeholders: a fault may be a missing variable, so they are left empty. */
  readonly prompt: Prompt;
  readonly queueId: string;
}

/** Tenant data the interpreter reads besides the call state. */
export interface StepContext {
  /** The tenant's IANA time zone, for business hours and holidays. */
  readonly timeZone: string;
  readonly fallback: TenantFallback;
  /** The published version of each of the tenant's flows, for subflows and transfers to a flow. */
  readonly publishedFlows: Readonly<Record<string, Flow>>;
}

/** The new state and the batch of commands for the call layer. */
export interface IvrTransition {
  readonly state: CallState;
  readonly commands: readonly IvrCommand[];
}

/** An event that does not fit the call's state; the state is unchanged. */
export interface IllegalTransition extends DomainError<'IVR_UNEXPECTED_EVENT'> {
  readonly activity: Activity['kind'];
  readonly event: IvrEventType;
}

/** More node entries than this in one step means a loop the validator could not see (through subflows). */
export const maxNodesPerStep = 100;

/** How deeply subflows may nest. */
export const maxSubflowDepth = 8;

/**
 * The interpreter: one event in, the new call state and the commands to carry out. Pure: time comes in
 * the event, tenant data in the context. A fault in the flow never leaves the caller in silence: it
 * is logged (LogFault) and the caller hears the tenant fallback message and waits in its queue.
 */
export function step(
  state: CallState,
  event: IvrEvent,
  context: StepContext,
): Result<IvrTransition, IllegalTransition> {
  const run: Run = { context, nowMs: event.now, commands: [], nodesEntered: 0 };
  const next = react(state, event, run);
  if (next === null) {
    return err({
      code: 'IVR_UNEXPECTED_EVENT',
      message: `${event.type} does not fit a call in state '${state.activity.kind}' (it expects ${
        expectedEvents(state).join(', ') || 'nothing: the call has ended'
      })`,
      activity: state.activity.kind,
      event: event.type,
    });
  }
  return ok({ state: settle(next, run), commands: run.commands });
}

/** The step being computed: commands accumulate in order. */
interface Run {
  readonly context: StepContext;
  readonly nowMs: number;
  readonly commands: IvrCommand[];
  nodesEntered: number;
}

/** What happens next: enter a node, wait for the call layer's answer, or handle a fault. */
type Next =
  | { readonly kind: 'enter'; readonly state: CallState; readonly nodeId: string }
  | { readonly kind: 'wait'; readonly state: CallState }
  | {
      readonly kind: 'fault';
      readonly state: CallState;
      readonly fault: FlowFault;
      readonly nodeId: string | null;
    };

const enter = (state: CallState, nodeId: string): Next => ({ kind: 'enter', state, nodeId });
const wait = (state: CallState, activity: Activity): Next => ({
  kind: 'wait',
  state: { ...state, activity },
});
const faulted = (state: CallState, fault: FlowFault, nodeId: string | null): Next => ({
  kind: 'fault',
  state,
  fault,
  nodeId,
});

function settle(first: Next, run: Run): CallState {
  let next = first;
  for (;;) {
    switch (next.kind) {
      case 'wait':
        return next.state;
      case 'fault':
        return enterFallback(next.state, next.fault, next.nodeId, run);
      case 'enter':
        run.nodesEntered += 1;
        next =
          run.nodesEntered > maxNodesPerStep
            ? faulted(
                next.state,
                {
                  code: 'IVR_RUNAWAY_STEP',
                  message: `more than ${maxNodesPerStep} nodes without waiting for the caller: a loop`,
                },
                next.nodeId,
              )
            : enterNode(next.state, next.nodeId, run);
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Reacting to events

function react(state: CallState, event: IvrEvent, run: Run): Next | null {
  const activity = state.activity;
  if (event.type === 'CallerHungUp') {
    if (activity.kind === 'notStarted' || activity.kind === 'ended') return null;
    return wait(state, { kind: 'ended', outcome: { kind: 'callerHungUp' } });
  }
  switch (activity.kind) {
    case 'notStarted': {
      if (event.type !== 'Started') return null;
      const started: CallState = {
        ...state,
        callId: event.callId,
        callerId: event.callerId,
        dialledNumber: event.dialledNumber,
        startedAtMs: event.now,
      };
      return enter(started, state.frames[0].flow.entry);
    }
    case 'playing': {
      if (event.type !== 'PromptFinished') return null;
      return withNode(state, activity.nodeId, 'play', (node) => enter(state, node.next));
    }
    case 'choosing': {
      const answer = keypadAnswer(event);
      if (answer === null) return null;
      return withNode(state, activity.nodeId, 'menu', (node) =>
        onMenuAnswer(state, activity.nodeId, node, activity.attempt, answer, run),
      );
    }
    case 'gathering': {
      const answer = keypadAnswer(event);
      if (answer === null) return null;
      return withNode(state, activity.nodeId, 'gather', (node) =>
        onGatherAnswer(state, activity.nodeId, node, activity.attempt, answer, run),
      );
    }
    case 'requesting': {
      if (event.type !== 'HttpResponded' && event.type !== 'HttpFailed') return null;
      return withNode(state, activity.nodeId, 'http', (node) => onHttpAnswer(state, node, event));
    }
    case 'identifying': {
      if (event.type === 'CallerIdentified') {
        return withNode(state, activity.nodeId, 'identify', (node) =>
          enter(
            { ...state, caller: { customerId: event.customerId, name: event.name, isVip: event.isVip } },
            node.next,
          ),
        );
      }
      if (event.type === 'CallerNotIdentified') {
        return withNode(state, activity.nodeId, 'identify', (node) => enter(state, node.onNotFound));
      }
      return null;
    }
    case 'checkingQueues': {
      if (event.type === 'QueueFiguresUnavailable' && activity.pendingQueueIds.includes(event.queueId)) {
        return faulted(
          state,
          {
            code: 'IVR_QUEUE_FIGURES_UNAVAILABLE',
            message: `live figures of queue '${event.queueId}' are unavailable`,
          },
          activity.nodeId,
        );
      }
      if (event.type !== 'QueueFiguresAnswered' || !activity.pendingQueueIds.includes(event.queueId))
        return null;
      const figures = {
        ...activity.figures,
        [event.queueId]: {
          agentsAvailable: event.agentsAvailable,
          callsWaiting: event.callsWaiting,
          estimatedWaitMs: event.estimatedWaitMs,
        },
      };
      const pendingQueueIds = activity.pendingQueueIds.filter((id) => id !== event.queueId);
      if (pendingQueueIds.length > 0) return wait(state, { ...activity, pendingQueueIds, figures });
      return withNode(state, activity.nodeId, 'condition', (node) =>
        chooseBranch(state, activity.nodeId, node, figures, run),
      );
    }
    case 'queued': {
      if (event.type === 'AnsweredByAgent') {
        return wait(state, { kind: 'ended', outcome: { kind: 'answered', queueId: activity.queueId } });
      }
      if (event.type !== 'QueueOverflowed') return null;
      return withNode(state, activity.nodeId, 'queue', (node) =>
        node.overflow === undefined
          ? faulted(
              state,
              {
                code: 'IVR_QUEUE_OVERFLOW_UNHANDLED',
                message: `queue '${node.queue}' overflowed (${event.reason}) and the node has no overflow branch`,
              },
              activity.nodeId,
            )
          : enter(state, node.overflow.next),
      );
    }
    case 'recording': {
      if (event.type !== 'VoicemailRecorded') return null;
      return withNode(state, activity.nodeId, 'voicemail', (node) => enter(state, node.next));
    }
    case 'offeringCallback':
    case 'confirmingCallback':
    case 'enteringCallbackNumber': {
      const answer = keypadAnswer(event);
      if (answer === null) return null;
      return withNode(state, activity.nodeId, 'callback', (node) =>
        onCallbackAnswer(state, activity, node, answer, run),
      );
    }
    case 'transferring': {
      if (event.type === 'TransferCompleted') {
        return wait(state, { kind: 'ended', outcome: { kind: 'transferred', target: activity.target } });
      }
      if (event.type !== 'TransferFailed') return null;
      return withNode(state, activity.nodeId, 'transfer', (node) =>
        node.onFailure === undefined
          ? faulted(
              state,
              {
                code: 'IVR_TRANSFER_FAILED',
                message: `transfer failed (${event.reason}) and the node has no onFailure`,
              },
              activity.nodeId,
            )
          : enter(state, node.onFailure),
      );
    }
    case 'surveying': {
      const answer = keypadAnswer(event);
      if (answer === null) return null;
      return withNode(state, activity.nodeId, 'survey', (node) =>
        onSurveyAnswer(state, activity.nodeId, node, activity.questionIndex, activity.attempt, answer, run),
      );
    }
    case 'inFallbackQueue': {
      if (event.type === 'AnsweredByAgent') {
        return wait(state, { kind: 'ended', outcome: { kind: 'answered', queueId: activity.queueId } });
      }
      if (event.type !== 'QueueOverflowed') return null;
      // The last resort is exhausted too: end the call rather than keep the caller on a line nobody answers.
      run.commands.push({ type: 'Hangup' });
      return wait(state, { kind: 'ended', outcome: { kind: 'hungUp' } });
    }
    case 'ended':
      return null;
  }
}

/** The node the call is waiting in; its absence means the state does not belong to its flow. */
function withNode<T extends FlowNodeType>(
  state: CallState,
  nodeId: string,
  type: T,
  then: (node: FlowNodeOf<T>) => Next,
): Next {
  const node = ownValue(runningFrame(state).flow.nodes, nodeId);
  if (node?.type !== type) {
    return faulted(
      state,
      { code: 'IVR_NODE_NOT_FOUND', message: `no ${type} node '${nodeId}' in the running flow` },
      nodeId,
    );
  }
  return then(node as FlowNodeOf<T>);
}

type KeypadAnswer = { readonly kind: 'keys'; readonly digits: string } | { readonly kind: 'timeout' };

function keypadAnswer(event: IvrEvent): KeypadAnswer | null {
  if (event.type === 'DigitsCollected') return { kind: 'keys', digits: event.digits };
  if (event.type === 'DigitsTimedOut') return { kind: 'timeout' };
  return null;
}

function onMenuAnswer(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'menu'>,
  attempt: number,
  answer: KeypadAnswer,
  run: Run,
): Next {
  if (answer.kind === 'keys') {
    const option = ownValue(node.options, answer.digits);
    if (option !== undefined) return enter(state, option.next);
  }
  return retry(state, nodeId, run, {
    attempt,
    retries: node.retries,
    notice: answer.kind === 'keys' ? node.invalidPrompt : node.timeoutPrompt,
    isBargeInAllowed: node.isBargeInAllowed,
    ask: () => askMenu(state, node, run),
    activity: (nextAttempt) => ({ kind: 'choosing', nodeId, attempt: nextAttempt }),
    giveUp: (s) => enter(s, node.onFailure),
  });
}

function onGatherAnswer(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'gather'>,
  attempt: number,
  answer: KeypadAnswer,
  run: Run,
): Next {
  if (answer.kind === 'keys') {
    // The call layer strips the terminator; strip it here too should one slip through.
    const digits =
      node.terminator !== null && answer.digits.endsWith(node.terminator)
        ? answer.digits.slice(0, -1)
        : answer.digits;
    const isValid =
      /^[0-9]+$/.test(digits) &&
      digits.length >= node.minDigits &&
      digits.length <= node.maxDigits &&
      (node.validation === undefined || satisfiesDigitRule(digits, node.validation));
    if (isValid)
      return enter({ ...state, variables: { ...state.variables, [node.variable]: digits } }, node.next);
  }
  return retry(state, nodeId, run, {
    attempt,
    retries: node.retries,
    notice: answer.kind === 'keys' ? node.invalidPrompt : node.timeoutPrompt,
    isBargeInAllowed: node.isBargeInAllowed,
    ask: () => askGather(state, node, run),
    activity: (nextAttempt) => ({ kind: 'gathering', nodeId, attempt: nextAttempt }),
    giveUp: (s) => enter(s, node.onFailure),
  });
}

function onHttpAnswer(
  state: CallState,
  node: FlowNodeOf<'http'>,
  event: Extract<IvrEvent, { type: 'HttpResponded' | 'HttpFailed' }>,
): Next {
  if (event.type === 'HttpFailed' || event.status < 200 || event.status > 299)
    return enter(state, node.onFailure);
  const assigned: Record<string, Scalar> = {};
  for (const [field, variable] of Object.entries(node.responseFields)) {
    const value = fieldAt(event.body, field);
    // A response without a field the flow relies on is a failed request, not a flow fault: the flow
    // author planned onFailure for exactly this.
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return enter(state, node.onFailure);
    }
    assigned[variable] = value;
  }
  return enter({ ...state, variables: { ...state.variables, ...assigned } }, node.next);
}

/** The value at a dotted path (`ticket.status`, `items.0.id`) of a parsed JSON body. */
function fieldAt(body: unknown, path: string): unknown {
  let at: unknown = body;
  for (const part of path.split('.')) {
    if (Array.isArray(at)) at = /^[0-9]+$/.test(part) ? (at as unknown[])[Number(part)] : undefined;
    else if (typeof at === 'object' && at !== null && Object.hasOwn(at, part))
      at = (at as Record<string, unknown>)[part];
    else return undefined;
  }
  return at;
}

function onCallbackAnswer(
  state: CallState,
  activity: Extract<Activity, { kind: 'offeringCallback' | 'confirmingCallback' | 'enteringCallbackNumber' }>,
  node: FlowNodeOf<'callback'>,
  answer: KeypadAnswer,
  run: Run,
): Next {
  const { nodeId, attempt } = activity;
  const keys = answer.kind === 'keys' ? answer.digits : null;
  const common = {
    retries: node.retries,
    notice: answer.kind === 'keys' ? node.invalidPrompt : undefined,
    isBargeInAllowed: true,
    giveUp: (s: CallState) => enter(s, node.onDecline),
  };
  switch (activity.kind) {
    case 'offeringCallback':
      if (keys === '1') return askCallbackConfirmOrNumber(state, nodeId, node, run);
      if (keys === '2') return enter(state, node.onDecline);
      return retry(state, nodeId, run, {
        ...common,
        attempt,
        ask: () => askKey(state, node.offerPrompt, node.timeoutMs, run),
        activity: (next) => ({ kind: 'offeringCallback', nodeId, attempt: next }),
      });
    case 'confirmingCallback':
      if (keys === '1') {
        run.commands.push({
          type: 'ScheduleCallback',
          queueId: node.queue,
          number: activity.number,
          isPlaceKept: node.isPlaceKept,
          language: state.language,
          callData: callData(state),
        });
        return enter(state, node.next);
      }
      if (keys === '2') return askCallbackNumber(state, nodeId, node, 0, run);
      return retry(state, nodeId, run, {
        ...common,
        attempt,
        ask: () => askKey(state, node.confirmPrompt, node.timeoutMs, run),
        activity: (next) => ({ ...activity, attempt: next }),
      });
    case 'enteringCallbackNumber':
      if (
        keys !== null &&
        /^[0-9]+$/.test(keys) &&
        keys.length >= node.minDigits &&
        keys.length <= node.maxDigits
      ) {
        return askCallbackConfirm(state, nodeId, node, keys, run);
      }
      return retry(state, nodeId, run, {
        ...common,
        attempt,
        ask: () => askCallbackNumberPrompt(state, node, run),
        activity: (next) => ({ kind: 'enteringCallbackNumber', nodeId, attempt: next }),
      });
  }
}

function onSurveyAnswer(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'survey'>,
  questionIndex: number,
  attempt: number,
  answer: KeypadAnswer,
  run: Run,
): Next {
  const question = node.questions[questionIndex];
  if (question === undefined) return enter(state, node.next);
  if (answer.kind === 'keys' && /^[0-9]$/.test(answer.digits)) {
    const value = Number(answer.digits);
    if (value >= question.minAnswer && value <= question.maxAnswer) {
      run.commands.push({
        type: 'RecordSurveyAnswer',
        surveyId: node.survey,
        questionId: question.id,
        answer: value,
      });
      return askSurveyQuestion(state, nodeId, node, questionIndex + 1, run);
    }
  }
  return retry(state, nodeId, run, {
    attempt,
    retries: node.retries,
    notice: answer.kind === 'keys' ? node.invalidPrompt : undefined,
    isBargeInAllowed: true,
    ask: () => askKey(state, question.prompt, node.timeoutMs, run),
    activity: (next) => ({ kind: 'surveying', nodeId, questionIndex, attempt: next }),
    // An unanswered question is skipped, not a reason to lose the answers to the others.
    giveUp: (s) => askSurveyQuestion(s, nodeId, node, questionIndex + 1, run),
  });
}

interface RetryPlan {
  readonly attempt: number;
  readonly retries: number;
  /** Played first, on every failed attempt, the last one included ("Opción no válida."). */
  readonly notice: Prompt | undefined;
  readonly isBargeInAllowed: boolean;
  readonly ask: () => FlowFault | null;
  readonly activity: (attempt: number) => Activity;
  readonly giveUp: (state: CallState) => Next;
}

/** Plays the notice, then asks again, or gives up when the attempts are spent. */
function retry(state: CallState, nodeId: string, run: Run, plan: RetryPlan): Next {
  if (plan.notice !== undefined) {
    const fault = playPrompt(state, plan.notice, plan.isBargeInAllowed, run);
    if (fault !== null) return faulted(state, fault, nodeId);
  }
  if (plan.attempt >= plan.retries) return plan.giveUp(state);
  const fault = plan.ask();
  return fault === null ? wait(state, plan.activity(plan.attempt + 1)) : faulted(state, fault, nodeId);
}

// ---------------------------------------------------------------------------------------------------
// Entering nodes

function enterNode(state: CallState, nodeId: string, run: Run): Next {
  const frame = runningFrame(state);
  const node = ownValue(frame.flow.nodes, nodeId);
  if (node === undefined) {
    return faulted(
      state,
      {
        code: 'IVR_NODE_NOT_FOUND',
        message: `node '${nodeId}' is not in flow '${frame.flow.id}' version ${frame.flow.version}`,
      },
      nodeId,
    );
  }
  run.commands.push({
    type: 'RecordNodeVisit',
    flowId: frame.flow.id,
    version: frame.flow.version,
    nodeId,
    nodeType: node.type,
  });
  return enterTyped(state, nodeId, node, run);
}

function enterTyped(state: CallState, nodeId: string, node: FlowNode, run: Run): Next {
  const orFault = (fault: FlowFault | null, then: () => Next): Next =>
    fault === null ? then() : faulted(state, fault, nodeId);
  switch (node.type) {
    case 'play':
      return orFault(playPrompt(state, node.prompt, false, run), () =>
        wait(state, { kind: 'playing', nodeId }),
      );
    case 'menu':
      return orFault(askMenu(state, node, run), () => wait(state, { kind: 'choosing', nodeId, attempt: 0 }));
    case 'gather':
      return orFault(askGather(state, node, run), () =>
        wait(state, { kind: 'gathering', nodeId, attempt: 0 }),
      );
    case 'condition': {
      const queues = queuesNeeded(node.branches.map((branch) => branch.when));
      if (queues.length === 0) return chooseBranch(state, nodeId, node, {}, run);
      for (const queueId of queues) run.commands.push({ type: 'RequestQueueFigures', queueId });
      return wait(state, { kind: 'checkingQueues', nodeId, pendingQueueIds: queues, figures: {} });
    }
    case 'set': {
      const assigned: Record<string, Scalar> = {};
      for (const [variable, value] of Object.entries(node.assign)) {
        const filled = typeof value === 'string' ? fill(state, value, 'plain') : ok(value);
        if (!filled.ok) return faulted(state, filled.error, nodeId);
        assigned[variable] = filled.value;
      }
      return enter({ ...state, variables: { ...state.variables, ...assigned } }, node.next);
    }
    case 'identify': {
      const value = node.variable === undefined ? state.callerId : variableValue(state, node.variable);
      if (node.variable !== undefined && value === undefined) {
        return faulted(state, missingVariable(node.variable), nodeId);
      }
      // A withheld caller id cannot identify anyone: no need to ask the CRM.
      if (value === null || value === undefined) return enter(state, node.onNotFound);
      run.commands.push({ type: 'IdentifyCaller', by: node.by, value: String(value) });
      return wait(state, { kind: 'identifying', nodeId });
    }
    case 'http':
      return enterHttp(state, nodeId, node, run);
    case 'queue':
      return enterQueue(state, nodeId, node, run);
    case 'voicemail': {
      const subject = node.ticketSubject === undefined ? ok(null) : fill(state, node.ticketSubject, 'plain');
      if (!subject.ok) return faulted(state, subject.error, nodeId);
      return orFault(playPrompt(state, node.prompt, false, run), () => {
        run.commands.push({
          type: 'StartVoicemail',
          queueId: node.queue,
          maxDurationMs: node.maxDurationMs,
          isBeepPlayed: node.isBeepPlayed,
          ticketSubject: subject.value,
          language: state.language,
          callData: callData(state),
        });
        return wait(state, { kind: 'recording', nodeId });
      });
    }
    case 'callback':
      return orFault(askKey(state, node.offerPrompt, node.timeoutMs, run), () =>
        wait(state, { kind: 'offeringCallback', nodeId, attempt: 0 }),
      );
    case 'transfer':
      return enterTransfer(state, nodeId, node, run);
    case 'language':
      run.commands.push({ type: 'SetLanguage', language: node.language });
      return enter({ ...state, language: node.language }, node.next);
    case 'survey':
      return askSurveyQuestion(state, nodeId, node, 0, run);
    case 'hangup':
      return orFault(node.prompt === undefined ? null : playPrompt(state, node.prompt, false, run), () => {
        run.commands.push({ type: 'Hangup' });
        return wait(state, { kind: 'ended', outcome: { kind: 'hungUp' } });
      });
    case 'goto':
      return enter(state, node.next);
    case 'subflow': {
      const flow = ownValue(run.context.publishedFlows, node.flow);
      if (flow === undefined) {
        return faulted(
          state,
          { code: 'IVR_SUBFLOW_NOT_FOUND', message: `subflow '${node.flow}' is not published` },
          nodeId,
        );
      }
      if (state.frames.length >= maxSubflowDepth) {
        return faulted(
          state,
          { code: 'IVR_SUBFLOW_TOO_DEEP', message: `subflows nest deeper than ${maxSubflowDepth} flows` },
          nodeId,
        );
      }
      return enter({ ...state, frames: [...state.frames, { flow, returnTo: node.next }] }, flow.entry);
    }
    case 'return': {
      const frame = runningFrame(state);
      if (state.frames.length < 2 || frame.returnTo === null) {
        return faulted(
          state,
          {
            code: 'IVR_RETURN_OUTSIDE_SUBFLOW',
            message: `flow '${frame.flow.id}' was not called as a subflow`,
          },
          nodeId,
        );
      }
      const [first, ...rest] = state.frames;
      return enter({ ...state, frames: [first, ...rest.slice(0, -1)] }, frame.returnTo);
    }
  }
}

function chooseBranch(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'condition'>,
  queueFigures: Readonly<Record<string, QueueFigures>>,
  run: Run,
): Next {
  const inputs = {
    flow: runningFrame(state).flow,
    nowMs: run.nowMs,
    timeZone: run.context.timeZone,
    lookup: lookupIn(state),
    isCallerKnown: state.caller !== null,
    isVip: state.caller?.isVip ?? false,
    queueFigures,
  };
  for (const branch of node.branches) {
    const holds = evaluateCondition(branch.when, inputs);
    if (!holds.ok) return faulted(state, holds.error, nodeId);
    if (holds.value) return enter(state, branch.next);
  }
  return enter(state, node.otherwise);
}

function enterHttp(state: CallState, nodeId: string, node: FlowNodeOf<'http'>, run: Run): Next {
  const url = fill(state, node.url, 'url');
  if (!url.ok) return faulted(state, url.error, nodeId);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(node.headers)) {
    const value = fill(state, template, 'plain');
    if (!value.ok) return faulted(state, value.error, nodeId);
    headers[name] = value.value;
  }
  let body: Record<string, Scalar> | null = null;
  if (node.body !== undefined) {
    body = {};
    for (const [name, template] of Object.entries(node.body)) {
      const value = typeof template === 'string' ? fill(state, template, 'plain') : ok(template);
      if (!value.ok) return faulted(state, value.error, nodeId);
      body[name] = value.value;
    }
  }
  run.commands.push({
    type: 'HttpRequest',
    method: node.method,
    url: url.value,
    headers,
    body,
    timeoutMs: node.timeoutMs,
  });
  return wait(state, { kind: 'requesting', nodeId });
}

function enterQueue(state: CallState, nodeId: string, node: FlowNodeOf<'queue'>, run: Run): Next {
  const announcements = [];
  for (const announcement of node.announcements) {
    const prompt = resolveFor(state, announcement.prompt);
    if (!prompt.ok) return faulted(state, prompt.error, nodeId);
    announcements.push({
      prompt: prompt.value,
      firstAfterMs: announcement.firstAfterMs,
      repeatEveryMs: announcement.repeatEveryMs ?? null,
    });
  }
  run.commands.push({
    type: 'Enqueue',
    queueId: node.queue,
    priority: node.priority,
    requiredSkills: node.requiredSkills,
    language: state.language,
    announcements,
    overflow:
      node.overflow === undefined
        ? null
        : {
            afterWaitMs: node.overflow.afterWaitMs ?? null,
            whenNoAgentsLoggedIn: node.overflow.whenNoAgentsLoggedIn,
          },
    callData: callData(state),
  });
  return wait(state, { kind: 'queued', nodeId, queueId: node.queue });
}

function enterTransfer(state: CallState, nodeId: string, node: FlowNodeOf<'transfer'>, run: Run): Next {
  if (node.prompt !== undefined) {
    const fault = playPrompt(state, node.prompt, false, run);
    if (fault !== null) return faulted(state, fault, nodeId);
  }
  const to = node.to;
  switch (to.kind) {
    case 'flow': {
      const flow = ownValue(run.context.publishedFlows, to.flow);
      if (flow === undefined) {
        return faulted(
          state,
          { code: 'IVR_FLOW_NOT_FOUND', message: `flow '${to.flow}' is not published` },
          nodeId,
        );
      }
      // The call now belongs to the other flow: it does not come back, so the stack starts afresh.
      return enter({ ...state, frames: [{ flow, returnTo: null }] }, flow.entry);
    }
    case 'extension':
    case 'external':
      run.commands.push({ type: 'Transfer', target: to });
      return wait(state, { kind: 'transferring', nodeId, target: to });
  }
}

// ---------------------------------------------------------------------------------------------------
// Asking the caller

function askMenu(state: CallState, node: FlowNodeOf<'menu'>, run: Run): FlowFault | null {
  const fault = playPrompt(state, node.prompt, node.isBargeInAllowed, run);
  if (fault !== null) return fault;
  run.commands.push(collectOneKey(node.timeoutMs));
  return null;
}

function askGather(state: CallState, node: FlowNodeOf<'gather'>, run: Run): FlowFault | null {
  const fault = playPrompt(state, node.prompt, node.isBargeInAllowed, run);
  if (fault !== null) return fault;
  run.commands.push({
    type: 'CollectDigits',
    minDigits: node.minDigits,
    maxDigits: node.maxDigits,
    terminator: node.terminator,
    firstDigitTimeoutMs: node.firstDigitTimeoutMs,
    interDigitTimeoutMs: node.interDigitTimeoutMs,
  });
  return null;
}

function askKey(state: CallState, prompt: Prompt, timeoutMs: number, run: Run): FlowFault | null {
  const fault = playPrompt(state, prompt, true, run);
  if (fault !== null) return fault;
  run.commands.push(collectOneKey(timeoutMs));
  return null;
}

function collectOneKey(timeoutMs: number): IvrCommand {
  return {
    type: 'CollectDigits',
    minDigits: 1,
    maxDigits: 1,
    terminator: null,
    firstDigitTimeoutMs: timeoutMs,
    interDigitTimeoutMs: timeoutMs,
  };
}

function askCallbackConfirmOrNumber(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'callback'>,
  run: Run,
): Next {
  // Without a caller id there is nothing to confirm: ask for the number straight away.
  return state.callerId === null
    ? askCallbackNumber(state, nodeId, node, 0, run)
    : askCallbackConfirm(state, nodeId, node, state.callerId, run);
}

function askCallbackConfirm(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'callback'>,
  number: string,
  run: Run,
): Next {
  const withNumber: CallState = { ...state, variables: { ...state.variables, 'callback.number': number } };
  const fault = askKey(withNumber, node.confirmPrompt, node.timeoutMs, run);
  return fault === null
    ? wait(withNumber, { kind: 'confirmingCallback', nodeId, attempt: 0, number })
    : faulted(withNumber, fault, nodeId);
}

function askCallbackNumber(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'callback'>,
  attempt: number,
  run: Run,
): Next {
  const fault = askCallbackNumberPrompt(state, node, run);
  return fault === null
    ? wait(state, { kind: 'enteringCallbackNumber', nodeId, attempt })
    : faulted(state, fault, nodeId);
}

function askCallbackNumberPrompt(state: CallState, node: FlowNodeOf<'callback'>, run: Run): FlowFault | null {
  const fault = playPrompt(state, node.numberPrompt, true, run);
  if (fault !== null) return fault;
  run.commands.push({
    type: 'CollectDigits',
    minDigits: node.minDigits,
    maxDigits: node.maxDigits,
    terminator: '#',
    firstDigitTimeoutMs: node.timeoutMs,
    interDigitTimeoutMs: node.timeoutMs,
  });
  return null;
}

function askSurveyQuestion(
  state: CallState,
  nodeId: string,
  node: FlowNodeOf<'survey'>,
  questionIndex: number,
  run: Run,
): Next {
  const question = node.questions[questionIndex];
  if (question === undefined) return enter(state, node.next);
  const fault = askKey(state, question.prompt, node.timeoutMs, run);
  return fault === null
    ? wait(state, { kind: 'surveying', nodeId, questionIndex, attempt: 0 })
    : faulted(state, fault, nodeId);
}

// ---------------------------------------------------------------------------------------------------
// Prompts, variables and the fallback

function lookupIn(state: CallState): VariableLookup {
  return (name) => variableValue(state, name);
}

function missingVariable(name: string): FlowFault {
  return { code: 'IVR_VARIABLE_MISSING', message: `variable '${name}' is not set` };
}

function fill(state: CallState, template: string, encoding: TemplateEncoding): Result<string, FlowFault> {
  const filled = fillTemplate(template, lookupIn(state), encoding);
  return filled.ok ? filled : err(missingVariable(filled.error.missingVariable));
}

function resolveFor(state: CallState, prompt: Prompt): Result<ResolvedPrompt, FlowFault> {
  const resolved = resolvePrompt(
    prompt,
    state.language,
    runningFrame(state).flow.defaultLanguage,
    lookupIn(state),
  );
  if (resolved.ok) return resolved;
  return err(
    resolved.error.kind === 'missingVariable'
      ? missingVariable(resolved.error.variable)
      : { code: 'IVR_PROMPT_UNAVAILABLE', message: 'the prompt has no language to play' },
  );
}

function playPrompt(state: CallState, prompt: Prompt, isBargeInAllowed: boolean, run: Run): FlowFault | null {
  const resolved = resolveFor(state, prompt);
  if (!resolved.ok) return resolved.error;
  run.commands.push({ type: 'PlayPrompt', ...resolved.value, isBargeInAllowed });
  return null;
}

function enterFallback(state: CallState, fault: FlowFault, nodeId: string | null, run: Run): CallState {
  const frame = runningFrame(state);
  run.commands.push({
    type: 'LogFault',
    callId: state.callId ?? '',
    flowId: frame.flow.id,
    version: frame.flow.version,
    nodeId,
    code: fault.code,
    message: fault.message,
  });
  const { prompt, queueId } = run.context.fallback;
  const resolved = resolvePrompt(prompt, state.language, frame.flow.defaultLanguage, () => '');
  if (resolved.ok) run.commands.push({ type: 'PlayPrompt', ...resolved.value, isBargeInAllowed: false });
  run.commands.push({
    type: 'Enqueue',
    queueId,
    priority: 0,
    requiredSkills: [],
    language: state.language,
    announcements: [],
    overflow: null,
    callData: callData(state),
  });
  return { ...state, activity: { kind: 'inFallbackQueue', queueId } };
}
