/** Live figures of a queue, as the ACD reports them. */
export interface QueueFigures {
  readonly agentsAvailable: number;
  readonly callsWaiting: number;
  readonly estimatedWaitMs: number;
}

/**
 * What the call layer tells the interpreter. Every event carries `now` (epoch ms), the time the
 * interpreter uses for business hours and holidays when the event leads to a condition node.
 */
export type IvrEvent =
  | {
      readonly type: 'Started';
      readonly now: number;
      readonly callId: string;
      /** E.164 when known; null for withheld numbers. */
      readonly callerId: string | null;
      readonly dialledNumber: string;
    }
  | { readonly type: 'PromptFinished'; readonly now: number }
  /** The keys pressed, without the terminator (a partial entry when the inter-digit timeout ran out). */
  | { readonly type: 'DigitsCollected'; readonly now: number; readonly digits: string }
  /** Not a single key before the first-digit timeout. */
  | { readonly type: 'DigitsTimedOut'; readonly now: number }
  | { readonly type: 'HttpResponded'; readonly now: number; readonly status: number; readonly body: unknown }
  | { readonly type: 'HttpFailed'; readonly now: number; readonly reason: string }
  | {
      readonly type: 'CallerIdentified';
      readonly now: number;
      readonly customerId: string;
      readonly name: string | null;
      readonly isVip: boolean;
    }
  | { readonly type: 'CallerNotIdentified'; readonly now: number }
  | ({ readonly type: 'QueueFiguresAnswered'; readonly now: number; readonly queueId: string } & QueueFigures)
  | { readonly type: 'QueueFiguresUnavailable'; readonly now: number; readonly queueId: string }
  | { readonly type: 'AnsweredByAgent'; readonly now: number }
  | {
      readonly type: 'QueueOverflowed';
      readonly now: number;
      readonly reason: 'waitExceeded' | 'noAgentsLoggedIn';
    }
  | {
      readonly type: 'VoicemailRecorded';
      readonly now: number;
      readonly recordingId: string;
      readonly durationMs: number;
    }
  | { readonly type: 'TransferCompleted'; readonly now: number }
  | { readonly type: 'TransferFailed'; readonly now: number; readonly reason: string }
  | { readonly type: 'CallerHungUp'; readonly now: number };

/** An event type name. */
export type IvrEventType = IvrEvent['type'];
