/** A call in progress as the API shows it. */
export interface LiveCallView {
  readonly interactionId: string;
  /** ivr, queued, offering, connected or ended. */
  readonly phase: string;
  readonly agentId: string | null;
  readonly isHeld: boolean;
}

/** What an agent (or a supervisor) can do to a call from the desktop. */
export type CallAction = 'hold' | 'resume' | 'hangup';

/** Where a transfer sends the customer: a queue (blind; the customer keeps their place in line). */
export interface CallTransferTarget {
  readonly kind: 'queue';
  readonly queueId: string;
}

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
  /** `not-found`: no such call in progress; `not-connected`: the call is not with an agent. */
  readonly reason: 'not-found' | 'not-connected';
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
}
