/** Stable codes of what stops simulated traffic; the message always says what to do about it. */
export type TrafficErrorCode =
  /** Nothing answers HTTP at the given URL. */
  | 'TRAFFIC_SERVER_UNREACHABLE'
  /** The server answered, but refused a demo login (no demo tenant, changed password). */
  | 'TRAFFIC_LOGIN_REFUSED'
  /** The HTTP API refused a request the demo needs (a flow, a number, a presence change). */
  | 'TRAFFIC_API_REFUSED'
  /** No answer from the SIP service. */
  | 'TRAFFIC_SIP_UNREACHABLE'
  /** The registrar refused a phone (wrong SIP domain, unknown extension, blocked address). */
  | 'TRAFFIC_REGISTRATION_REFUSED';

/** A failure a person can act on: printed as it is, without a stack trace. */
export class TrafficError extends Error {
  override readonly name = 'TrafficError';
  readonly code: TrafficErrorCode;

  constructor(code: TrafficErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
