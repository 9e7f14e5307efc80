/** A call in progress as the API shows it. */
export interface LiveCallView {
  readonly interactionId: string;
  /** ivr, queued, offering, connected or ended. */
  readonly phase: string;
  readonly agentId: string | null;
  readonly isHeld: boolean;
  /** Whether the call is being recorded now: off (never, or finished), on, or paused by the agent. */
  readonly recording: 'off' | 'on' | 'paused';
  /** A supervisor monitoring the call or a colleague the agent consults, while there is one. */
  readonly companion: LiveCompanionView | null;
}

/** The third party of a call as the API shows it. */
export interface LiveCompanionView {
  readonly kind: 'supervisor' | 'colleague';
  readonly userId: string;
  /** listen, whisper or barge (a supervisor); consult or conference (a colleague). */
  readonly mode: string;
  /** False while their phone rings. */
  readonly isAnswered: boolean;
}

/**
 * What a supervisor or the agent asks of the call's third party:
 * - `monitor`: a supervisor's phone joins the call to listen, whisper or barge in (again: change the mode);
 * - `consult`: the agent holds the customer and calls a colleague;
 * - `conference`: the consultation becomes a three-way call;
 * - `hand-over`: the agent leaves and the companion keeps the customer (takeover, attended transfer);
 * - `end`: the companion's phone is hung up (the supervisor stops, the consultation ends).
 */
export type CompanionRequest =
  | { readonly action: 'monitor'; readonly userId: string; readonly mode: 'listen' | 'whisper' | 'barge' }
  | { readonly action: 'consult'; readonly userId: string }
  | { readonly action: 'conference' }
  | { readonly action: 'hand-over' }
  | { readonly action: 'end' };

/** Pausing the recording while the customer gives a card number, and resuming it. */
export type RecordingAction = 'pause' | 'resume';

/** What an agent (or a supervisor) can do to a call from the desktop. */
export type CallAction = 'hold' | 'resume' | 'hangup';

/**
 * Where a blind transfer sends the customer: a queue (they keep their place in line), a colleague's extension
 * or a number (through the trunk; back to the queue when nobody answers).
 */
export type CallTransferTarget =
  | { readonly kind: 'queue'; readonly queueId: string }
  | { readonly kind: 'extension'; readonly extension: string }
  | { readonly kind: 'number'; readonly number: string }
  /** An IVR flow by its key (its published version runs from the entry). */
  | { readonly kind: 'flow'; readonly flowKey: string };

/** Whom an agent calls from the desktop: a number (through the tenant's trunk) or a colleague's extension. */
export type PlaceCallTarget =
  | { readonly kind: 'number'; readonly number: string }
  | { readonly kind: 'extension'; readonly extension: string };

/** Why a call could not be placed. */
export interface PlaceCallRefusal {
  readonly reason: 'no-phone' | 'no-trunk' | 'invalid-number' | 'unknown-extension';
  readonly message: string;
}

/** Why a call control was refused. */
export interface CallControlRefusal {
  /**
   * `not-found`: no such call in progress; `not-connected`: the call is not with an agent, or not in a
   * state for the request (a companion already on it, none to change); `unknown-target`: the extension or
   * number to transfer to does not exist.
   */
  readonly reason: 'not-found' | 'not-connected' | 'unknown-target';
  readonly message: string;
}

/** The live call layer, as the HTTP API uses it (implemented by the server's call service). */
export interface CallControlPort {
  /** The call of an interaction while it is in progress. */
  liveCall(tenantId: string, interactionId: string): LiveCallView | undefined;
  control(
    tenantId: string,
    interactionId: string,
    action: CallAction,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
  /** Rings the agent's phone, then calls the target once the agent picks up (click-to-call). */
  placeCall(
    tenantId: string,
    agentId: string,
    target: PlaceCallTarget,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: PlaceCallRefusal }>;
  transfer(
    tenantId: string,
    interactionId: string,
    target: CallTransferTarget,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
  /** Asks the agent's ringing phone to pick up (remote answer, where the phone supports it). */
  answer(
    tenantId: string,
    interactionId: string,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
  /** Sends keys (0-9, *, #, A-D) to the other party of a connected call. */
  sendDigits(
    tenantId: string,
    interactionId: string,
    digits: string,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
  /** Pauses or resumes the call's recording. */
  recording(
    tenantId: string,
    interactionId: string,
    action: RecordingAction,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
  /** Supervision, consultation, conference and hand-over (the call's third party). */
  companion(
    tenantId: string,
    interactionId: string,
    request: CompanionRequest,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }>;
}
