import type { FlowFaultCode } from './errors.ts';
import type { FlowNodeType } from './flow-node.ts';
import type { Language } from './language.ts';
import type { PromptAudio, ResolvedPrompt } from './prompt.ts';
import type { Scalar } from './template.ts';

/** Where a `Transfer` command sends the call (transfers to another flow stay inside the interpreter). */
export type TransferTarget =
  | { readonly kind: 'extension'; readonly extension: string }
  | { readonly kind: 'external'; readonly number: string };

/** A queue announcement resolved in the caller's language, for the call layer to play while waiting. */
export interface ResolvedAnnouncement {
  readonly prompt: ResolvedPrompt;
  readonly firstAfterMs: number;
  readonly repeatEveryMs: number | null;
}

/**
 * What the interpreter asks the call layer to do. A step returns a batch; the call layer carries it
 * out in order and answers only the batch's last command, when that command expects an answer
 * (PlayPrompt -> PromptFinished, CollectDigits -> DigitsCollected | DigitsTimedOut, ...). A PlayPrompt
 * in the middle of a batch is played to its end, or until a key when it allows barge-in and the batch
 * ends with CollectDigits (the key then counts as the first digit collected).
 */
export type IvrCommand =
  /** A node was entered: for the IVR path report and the tester. No answer. */
  | {
      readonly type: 'RecordNodeVisit';
      readonly flowId: string;
      readonly version: number;
      readonly nodeId: string;
      readonly nodeType: FlowNodeType;
    }
  | {
      readonly type: 'PlayPrompt';
      readonly language: Language;
      readonly audio: PromptAudio;
      readonly isBargeInAllowed: boolean;
    }
  /** Collect keys after the preceding prompts; the first-digit timeout starts when they end. */
  | {
      readonly type: 'CollectDigits';
      readonly minDigits: number;
      readonly maxDigits: number;
      readonly terminator: '#' | '*' | null;
      readonly firstDigitTimeoutMs: number;
      readonly interDigitTimeoutMs: number;
    }
  /** The caller's language changed (the call layer may pick voices, the ACD language skills). No answer. */
  | { readonly type: 'SetLanguage'; readonly language: Language }
  /** A relative `url` (starting with /) is a path on the platform's own API. Answered by HttpResponded | HttpFailed. */
  | {
      readonly type: 'HttpRequest';
      readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Readonly<Record<string, Scalar>> | null;
      readonly timeoutMs: number;
    }
  /** Answered by CallerIdentified | CallerNotIdentified. */
  | {
      readonly type: 'IdentifyCaller';
      readonly by: 'callerId' | 'accountNumber' | 'phoneNumber';
      readonly value: string;
    }
  /** Answered by QueueFiguresAnswered | QueueFiguresUnavailable for that queue. */
  | { readonly type: 'RequestQueueFigures'; readonly queueId: string }
  /** Answered by AnsweredByAgent | QueueOverflowed. */
  | {
      readonly type: 'Enqueue';
      readonly queueId: string;
      readonly priority: number;
      readonly requiredSkills: readonly string[];
      readonly language: Language;
      readonly announcements: readonly ResolvedAnnouncement[];
      readonly overflow: {
        readonly afterWaitMs: number | null;
        readonly whenNoAgentsLoggedIn: boolean;
      } | null;
      /** The call's variables, for the agent's screen and the interaction record. */
      readonly callData: Readonly<Record<string, Scalar>>;
    }
  /** Record a message; the recording becomes a ticket assigned to the queue. Answered by VoicemailRecorded. */
  | {
      readonly type: 'StartVoicemail';
      readonly queueId: string;
      readonly maxDurationMs: number;
      readonly isBeepPlayed: boolean;
      readonly ticketSubject: string | null;
      readonly language: Language;
      readonly callData: Readonly<Record<string, Scalar>>;
    }
  /** No answer. `isPlaceKept`: the callback is ordered as if the caller had stayed in the queue. */
  | {
      readonly type: 'ScheduleCallback';
      readonly queueId: string;
      readonly number: string;
      readonly isPlaceKept: boolean;
      readonly language: Language;
      readonly callData: Readonly<Record<string, Scalar>>;
    }
  /** No answer. */
  | {
      readonly type: 'RecordSurveyAnswer';
      readonly surveyId: string;
      readonly questionId: string;
      readonly answer: number;
    }
  /** Answered by TransferCompleted | TransferFailed. */
  | { readonly type: 'Transfer'; readonly target: TransferTarget }
  /** The interpreter ends the call. No answer. */
  | { readonly type: 'Hangup' }
  /** A flow fault: log it with the call id; the same batch carries on with the tenant fallback. No answer. */
  | {
      readonly type: 'LogFault';
      readonly callId: string;
      readonly flowId: string;
      readonly version: number;
      readonly nodeId: string | null;
      readonly code: FlowFaultCode;
      readonly message: string;
    };

/** A command type name. */
export type IvrCommandType = IvrCommand['type'];
