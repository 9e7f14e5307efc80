import type { TransferTarget } from './commands.ts';
import type { IvrEventType, QueueFigures } from './events.ts';
import type { Flow } from './flow.ts';
import type { Language } from './language.ts';
import { ownValue } from './own-value.ts';
import type { Scalar } from './template.ts';

/** The customer an identify node found. */
export interface CallerIdentity {
  readonly customerId: string;
  readonly name: string | null;
  readonly isVip: boolean;
}

/**
 * A flow being run. The flow document itself is kept (not its id), so a call finishes on the version
 * it started on whatever is published meanwhile. `returnTo` is the node of the calling frame that
 * follows the subflow node; null for the flow the call started on.
 */
export interface Frame {
  readonly flow: Flow;
  readonly returnTo: string | null;
}

/** How a call left the IVR. */
export type CallOutcome =
  /** The flow hung up (a hangup node, or the fallback queue overflowed). */
  | { readonly kind: 'hungUp' }
  | { readonly kind: 'callerHungUp' }
  | { readonly kind: 'answered'; readonly queueId: string }
  | { readonly kind: 'transferred'; readonly target: TransferTarget };

/** What the call is doing, and so which answer it waits for. `nodeId` is in the top frame's flow. */
export type Activity =
  | { readonly kind: 'notStarted' }
  | { readonly kind: 'playing'; readonly nodeId: string }
  | { readonly kind: 'choosing'; readonly nodeId: string; readonly attempt: number }
  | { readonly kind: 'gathering'; readonly nodeId: string; readonly attempt: number }
  | { readonly kind: 'requesting'; readonly nodeId: string }
  | { readonly kind: 'identifying'; readonly nodeId: string }
  | {
      readonly kind: 'checkingQueues';
      readonly nodeId: string;
      readonly pendingQueueIds: readonly string[];
      readonly figures: Readonly<Record<string, QueueFigures>>;
    }
  | { readonly kind: 'queued'; readonly nodeId: string; readonly queueId: string }
  | { readonly kind: 'recording'; readonly nodeId: string }
  | { readonly kind: 'offeringCallback'; readonly nodeId: string; readonly attempt: number }
  | {
      readonly kind: 'confirmingCallback';
      readonly nodeId: string;
      readonly attempt: number;
      readonly number: string;
    }
  | { readonly kind: 'enteringCallbackNumber'; readonly nodeId: string; readonly attempt: number }
  | { readonly kind: 'transferring'; readonly nodeId: string; readonly target: TransferTarget }
  | {
      readonly kind: 'surveying';
      readonly nodeId: string;
      readonly questionIndex: number;
      readonly attempt: number;
    }
  /** A flow fault moved the caller to the tenant fallback queue. */
  | { readonly kind: 'inFallbackQueue'; readonly queueId: string }
  | { readonly kind: 'ended'; readonly outcome: CallOutcome };

/** The interpreter's whole state for one call: plain data, safe to store between events. */
export interface CallState {
  readonly callId: string | null;
  readonly callerId: string | null;
  readonly dialledNumber: string | null;
  readonly startedAtMs: number | null;
  readonly language: Language;
  readonly variables: Readonly<Record<string, Scalar>>;
  readonly caller: CallerIdentity | null;
  /** The flow stack: `frames[0]` is the flow the call started on, the last one is running. */
  readonly frames: readonly [Frame, ...Frame[]];
  readonly activity: Activity;
}

/** A call about to start on `flow` (validated), in the flow's default language. */
export function initialCallState(flow: Flow): CallState {
  return {
    callId: null,
    callerId: null,
    dialledNumber: null,
    startedAtMs: null,
    language: flow.defaultLanguage,
    variables: {},
    caller: null,
    frames: [{ flow, returnTo: null }],
    activity: { kind: 'notStarted' },
  };
}

/** The flow running now (the innermost subflow, if any). */
export function runningFrame(state: CallState): Frame {
  return state.frames[state.frames.length - 1] ?? state.frames[0];
}

/** The events the call waits for in its state (CallerHungUp fits any started, unfinished call). */
export function expectedEvents(state: CallState): readonly IvrEventType[] {
  const withHangUp = (...types: IvrEventType[]): IvrEventType[] => [...types, 'CallerHungUp'];
  const activity = state.activity;
  switch (activity.kind) {
    case 'notStarted':
      return ['Started'];
    case 'playing':
      return withHangUp('PromptFinished');
    case 'choosing':
    case 'gathering':
    case 'offeringCallback':
    case 'confirmingCallback':
    case 'enteringCallbackNumber':
    case 'surveying':
      return withHangUp('DigitsCollected', 'DigitsTimedOut');
    case 'requesting':
      return withHangUp('HttpResponded', 'HttpFailed');
    case 'identifying':
      return withHangUp('CallerIdentified', 'CallerNotIdentified');
    case 'checkingQueues':
      return withHangUp('QueueFiguresAnswered', 'QueueFiguresUnavailable');
    case 'queued':
    case 'inFallbackQueue':
      return withHangUp('AnsweredByAgent', 'QueueOverflowed');
    case 'recording':
      return withHangUp('VoicemailRecorded');
    case 'transferring':
      return withHangUp('TransferCompleted', 'TransferFailed');
    case 'ended':
      return [];
  }
}

/**
 * The value of a variable as flows see it: the interpreter's own (`call.id`, `call.callerId`,
 * `call.dialledNumber`, `call.language`, `caller.customerId`, `caller.name`, `caller.isVip`,
 * `callback.number`) or one the flow set.
 */
export function variableValue(state: CallState, name: string): Scalar | undefined {
  switch (name) {
    case 'call.id':
      return state.callId ?? undefined;
    case 'call.callerId':
      return state.callerId ?? undefined;
    case 'call.dialledNumber':
      return state.dialledNumber ?? undefined;
    case 'call.language':
      return state.language;
    case 'caller.customerId':
      return state.caller?.customerId;
    case 'caller.name':
      return state.caller?.name ?? undefined;
    case 'caller.isVip':
      return state.caller?.isVip;
    default:
      return ownValue(state.variables, name);
  }
}

/** Every variable that has a value, built-in ones included: the call data handed to queues and tickets. */
export function callData(state: CallState): Record<string, Scalar> {
  const builtIn = [
    'call.id',
    'call.callerId',
    'call.dialledNumber',
    'call.language',
    'caller.customerId',
    'caller.name',
    'caller.isVip',
  ];
  const data: Record<string, Scalar> = { ...state.variables };
  for (const name of builtIn) {
    const value = variableValue(state, name);
    if (value !== undefined) data[name] = value;
  }
  return data;
}
