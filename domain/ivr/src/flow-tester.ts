import type { CallOutcome, CallState } from './call-state.ts';
import { initialCallState } from './call-state.ts';
import type { IvrCommand } from './commands.ts';
import type { FlowFaultCode } from './errors.ts';
import type { IvrEvent, QueueFigures } from './events.ts';
import type { Flow } from './flow.ts';
import type { FlowNodeType } from './flow-node.ts';
import type { Language } from './language.ts';
import { ownValue } from './own-value.ts';
import type { StepContext, TenantFallback } from './step.ts';
import { step } from './step.ts';

/** A scripted answer to an http node: a response, or a failure such as a timeout. */
export type ScriptedHttpAnswer =
  { readonly status: number; readonly body?: unknown } | { readonly failure: string };

/** A scripted CRM answer to an identify node; `null` means not found. */
export type ScriptedIdentity = {
  readonly customerId: string;
  readonly name?: string | null;
  readonly isVip?: boolean;
} | null;

/** A simulated call: who calls, when, what they press and what the systems around answer. */
export interface FlowScript {
  /** E.164; null (the default) for a withheld number. */
  readonly callerId?: string | null;
  readonly dialledNumber?: string;
  /**
   * One entry per time the flow collects keys: the keys up to the terminator or the node's maximum
   * (`'2#'` enters 2), or `''` for silence until the timeout.
   */
  readonly digits?: readonly string[];
  /** When the call starts (epoch ms); the clock does not move during the script. */
  readonly now: number;
  /** The tenant's IANA time zone. */
  readonly timeZone: string;
  /** Answers to http nodes, in order; a request with no answer left fails. */
  readonly http?: readonly ScriptedHttpAnswer[];
  /** Answers to identify nodes, in order; by default the caller is not found. */
  readonly identities?: readonly ScriptedIdentity[];
  /** Live figures per queue; a queue left out has no figures available. */
  readonly queueFigures?: Readonly<Record<string, QueueFigures>>;
  /** What happens in each queue; by default an agent answers. */
  readonly queueOutcomes?: Readonly<Record<string, 'answered' | 'overflow'>>;
  /** What happens to transfers; by default they complete. */
  readonly transferOutcome?: 'completed' | 'failed';
  /** Other flows, published, for subflows and transfers to a flow. */
  readonly publishedFlows?: Readonly<Record<string, Flow>>;
  readonly fallback?: TenantFallback;
  /** When the flow wants keys the script no longer has: the caller hangs up (default) or stays silent. */
  readonly whenDigitsRunOut?: 'hangUp' | 'silence';
  /** A guard against flows that never end (for instance a queue that overflows into itself). */
  readonly maxEvents?: number;
}

/** A prompt the caller heard. `text` is the spoken text or a file's transcript, null for a file without one. */
export interface HeardPrompt {
  readonly language: Language;
  readonly text: string | null;
  readonly file: string | null;
}

/** One line of what happened, in order. */
export type TranscriptEntry =
  | { readonly kind: 'node'; readonly pathId: string; readonly nodeType: FlowNodeType }
  | ({ readonly kind: 'prompt' } & HeardPrompt)
  /** Keys as the caller pressed them, terminator included. */
  | { readonly kind: 'keys'; readonly digits: string }
  | { readonly kind: 'silence' }
  | { readonly kind: 'command'; readonly command: IvrCommand }
  | { readonly kind: 'answer'; readonly event: IvrEvent }
  | {
      readonly kind: 'fault';
      readonly code: FlowFaultCode;
      readonly message: string;
      readonly nodeId: string | null;
    };

/** How the scripted call ended; `stopped` when the script could not bring it to an end. */
export type TranscriptOutcome = CallOutcome | { readonly kind: 'stopped'; readonly reason: string };

/** Everything the flow tester saw. */
export interface FlowTranscript {
  /** Node ids in the order entered; nodes of other flows (subflows, transfers) as `flowId:nodeId`. */
  readonly path: readonly string[];
  readonly prompts: readonly HeardPrompt[];
  readonly entries: readonly TranscriptEntry[];
  readonly outcome: TranscriptOutcome;
  readonly state: CallState;
}

const defaultFallback: TenantFallback = {
  prompt: {
    es: { text: 'Disculpe las molestias. Le pasamos con un agente.' },
    en: { text: 'Sorry for the inconvenience. We are putting you through to an agent.' },
  },
  queueId: 'fallback',
};

/**
 * Runs a flow without telephony: drives the interpreter with the script's answers until the call
 * ends, and returns the path taken and every prompt heard. The CLI's `ivr test` prints it.
 */
export function runFlowScript(flow: Flow, script: FlowScript): FlowTranscript {
  const context: StepContext = {
    timeZone: script.timeZone,
    fallback: script.fallback ?? defaultFallback,
    publishedFlows: script.publishedFlows ?? {},
  };
  const entries: TranscriptEntry[] = [];
  const path: string[] = [];
  const prompts: HeardPrompt[] = [];
  const cursor = { digits: 0, http: 0, identities: 0 };
  const maxEvents = script.maxEvents ?? 500;
  let lastCollect: Extract<IvrCommand, { type: 'CollectDigits' }> | null = null;
  let state = initialCallState(flow);
  let event: IvrEvent = {
    type: 'Started',
    now: script.now,
    callId: 'flow-test',
    callerId: script.callerId ?? null,
    dialledNumber: script.dialledNumber ?? '',
  };

  for (let events = 0; ; events++) {
    if (events >= maxEvents) return finish({ kind: 'stopped', reason: `no end after ${maxEvents} events` });
    const result = step(state, event, context);
    if (!result.ok) return finish({ kind: 'stopped', reason: result.error.message });
    state = result.value.state;
    for (const command of result.value.commands) record(command);
    if (state.activity.kind === 'ended') return finish(state.activity.outcome);
    const next = answer(state);
    if (next === null)
      return finish({ kind: 'stopped', reason: `nothing scripted for state '${state.activity.kind}'` });
    event = next;
    if (
      event.type !== 'PromptFinished' &&
      event.type !== 'DigitsCollected' &&
      event.type !== 'DigitsTimedOut'
    ) {
      entries.push({ kind: 'answer', event });
    }
  }

  function finish(outcome: TranscriptOutcome): FlowTranscript {
    return { path, prompts, entries, outcome, state };
  }

  function record(command: IvrCommand): void {
    switch (command.type) {
      case 'RecordNodeVisit': {
        const pathId = command.flowId === flow.id ? command.nodeId : `${command.flowId}:${command.nodeId}`;
        path.push(pathId);
        entries.push({ kind: 'node', pathId, nodeType: command.nodeType });
        return;
      }
      case 'PlayPrompt': {
        const heard: HeardPrompt =
          command.audio.kind === 'tts'
            ? { language: command.language, text: command.audio.text, file: null }
            : { language: command.language, text: command.audio.transcript, file: command.audio.file };
        prompts.push(heard);
        entries.push({ kind: 'prompt', ...heard });
        return;
      }
      case 'LogFault':
        entries.push({ kind: 'fault', code: command.code, message: command.message, nodeId: command.nodeId });
        return;
      case 'CollectDigits':
        lastCollect = command;
        return;
      case 'SetLanguage':
      case 'HttpRequest':
      case 'IdentifyCaller':
      case 'RequestQueueFigures':
      case 'Enqueue':
      case 'StartVoicemail':
      case 'ScheduleCallback':
      case 'RecordSurveyAnswer':
      case 'Transfer':
      case 'Hangup':
        entries.push({ kind: 'command', command });
        return;
    }
  }

  function answer(current: CallState): IvrEvent | null {
    const now = script.now;
    const activity = current.activity;
    switch (activity.kind) {
      case 'playing':
        return { type: 'PromptFinished', now };
      case 'choosing':
      case 'gathering':
      case 'offeringCallback':
      case 'confirmingCallback':
      case 'enteringCallbackNumber':
      case 'surveying': {
        const entry = script.digits?.[cursor.digits];
        cursor.digits += 1;
        if (entry === undefined) {
          return script.whenDigitsRunOut === 'silence'
            ? { type: 'DigitsTimedOut', now }
            : { type: 'CallerHungUp', now };
        }
        const pressed = entry.replace(/[^0-9*#]/g, '');
        if (pressed === '') {
          entries.push({ kind: 'silence' });
          return { type: 'DigitsTimedOut', now };
        }
        entries.push({ kind: 'keys', digits: pressed });
        return { type: 'DigitsCollected', now, digits: collectedKeys(pressed, lastCollect) };
      }
      case 'requesting': {
        const scripted = script.http?.[cursor.http];
        cursor.http += 1;
        if (scripted === undefined) return { type: 'HttpFailed', now, reason: 'no scripted answer' };
        return 'failure' in scripted
          ? { type: 'HttpFailed', now, reason: scripted.failure }
          : { type: 'HttpResponded', now, status: scripted.status, body: scripted.body ?? null };
      }
      case 'identifying': {
        const scripted = script.identities?.[cursor.identities] ?? null;
        cursor.identities += 1;
        return scripted === null
          ? { type: 'CallerNotIdentified', now }
          : {
              type: 'CallerIdentified',
              now,
              customerId: scripted.customerId,
              name: scripted.name ?? null,
              isVip: scripted.isVip ?? false,
            };
      }
      case 'checkingQueues': {
        const queueId = activity.pendingQueueIds[0];
        if (queueId === undefined) return null;
        const figures = ownValue(script.queueFigures ?? {}, queueId);
        return figures === undefined
          ? { type: 'QueueFiguresUnavailable', now, queueId }
          : { type: 'QueueFiguresAnswered', now, queueId, ...figures };
      }
      case 'queued':
      case 'inFallbackQueue':
        return ownValue(script.queueOutcomes ?? {}, activity.queueId) === 'overflow'
          ? { type: 'QueueOverflowed', now, reason: 'waitExceeded' }
          : { type: 'AnsweredByAgent', now };
      case 'recording':
        return { type: 'VoicemailRecorded', now, recordingId: 'flow-test-recording', durationMs: 15_000 };
      case 'transferring':
        return script.transferOutcome === 'failed'
          ? { type: 'TransferFailed', now, reason: 'scripted failure' }
          : { type: 'TransferCompleted', now };
      case 'notStarted':
      case 'ended':
        return null;
    }
  }
}

/** What a digit collector hands over for one scripted entry: keys up to the terminator or the maximum. */
export function collectedKeys(
  entry: string,
  collect: { readonly maxDigits: number; readonly terminator: '#' | '*' | null } | null,
): string {
  const keys = entry.replace(/[^0-9*#]/g, '');
  const terminator = collect?.terminator ?? null;
  const end = terminator === null ? -1 : keys.indexOf(terminator);
  const entered = end === -1 ? keys : keys.slice(0, end);
  return collect === null ? entered : entered.slice(0, collect.maxDigits);
}
