import type { SipHeader } from '../message/sip-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import { optionTags } from '../message/classify-incoming.ts';
import { parameterValue, parseParameters } from '../message/parameters.ts';

/** A UAS's session-timer settings (RFC 4028): the smallest interval it accepts and the one it proposes. */
export interface SessionTimerPolicy {
  /**
   * Min-SE: shorter intervals get 422. RFC 4028 §5 puts the floor at 90 s, as the default policy does; only
   * tests lower it, so that refresh and expiry happen within seconds.
   */
  readonly minSeS: number;
  /** The interval offered when the caller supports timers but asked for none. */
  readonly defaultIntervalS: number;
}

export const defaultSessionTimerPolicy: SessionTimerPolicy = { minSeS: 90, defaultIntervalS: 1800 };

/** Who refreshes the session: the caller (`uac`) or we (`uas`). */
export type Refresher = 'uac' | 'uas';

/** What a UAS does about session timers for an INVITE (RFC 4028 §9). */
export type SessionTimerDecision =
  /** Neither side wants a timer. */
  | { readonly kind: 'none' }
  /** The interval asked for is below our Min-SE: answer 422 with this Min-SE. */
  | { readonly kind: 'too-small'; readonly minSeS: number }
  /** Use a timer: the 2xx carries these headers; the refresher refreshes before `intervalS` runs out. */
  | {
      readonly kind: 'timer';
      readonly intervalS: number;
      readonly refresher: Refresher;
      /** Headers for the 2xx: Session-Expires, and Require: timer when the caller supports timers. */
      readonly responseHeaders: readonly SipHeader[];
    };

/** The interval and refresher of a Session-Expires value (`1800;refresher=uac`); undefined if malformed. */
export function parseSessionExpires(
  value: string,
): { readonly intervalS: number; readonly refresher: Refresher | undefined } | undefined {
  const match = /^\s*(\d{1,10})\s*/.exec(value);
  if (match === null) return undefined;
  const parsed = parseParameters(value, match[0].length);
  if (parsed === undefined || parsed.end !== value.length) return undefined;
  const refresher = parameterValue(parsed.params, 'refresher')?.toLowerCase();
  return {
    intervalS: Number(match[1]),
    refresher: refresher === 'uac' || refresher === 'uas' ? refresher : undefined,
  };
}

/**
 * The UAS's decision for an initial INVITE (pure): an interval below our Min-SE is refused (422); one we can
 * accept is kept (raised to the caller's own Min-SE if that is larger); a caller that supports timers but
 * asked for none gets ours with itself as refresher. The refresher is the one asked for; else the caller
 * when it supports timers, else us (a caller without timer support cannot refresh, §9).
 */
export function negotiateSessionTimer(
  headers: readonly SipHeader[],
  policy: SessionTimerPolicy = defaultSessionTimerPolicy,
): SessionTimerDecision {
  const supportsTimer = optionTags(headerValues(headers, 'supported')).some(
    (tag) => tag.toLowerCase() === 'timer',
  );
  const asked = headerValue(headers, 'session-expires');
  const requested = asked === undefined ? undefined : parseSessionExpires(asked);
  if (requested === undefined && !supportsTimer) return { kind: 'none' };
  const callerMinSe = Number(/^\s*(\d{1,10})/.exec(headerValue(headers, 'min-se') ?? '')?.[1] ?? '0');
  if (requested !== undefined && requested.intervalS < policy.minSeS)
    return { kind: 'too-small', minSeS: policy.minSeS };
  const intervalS = Math.max(requested?.intervalS ?? policy.defaultIntervalS, callerMinSe, policy.minSeS);
  const refresher: Refresher = supportsTimer ? (requested?.refresher ?? 'uac') : 'uas';
  return {
    kind: 'timer',
    intervalS,
    refresher,
    responseHeaders: [
      { name: 'Session-Expires', value: `${String(intervalS)};refresher=${refresher}` },
      ...(supportsTimer ? [{ name: 'Require', value: 'timer' }] : []),
    ],
  };
}

/**
 * When the refresher refreshes (half the interval, §7.2), and when the other side gives up on a session
 * nobody refreshed and ends it: the interval minus the smaller of 32 s and a third of it (§10).
 */
export function sessionTimerDeadlines(intervalS: number): {
  readonly refreshAfterMs: number;
  readonly expireAfterMs: number;
} {
  return {
    refreshAfterMs: (intervalS * 1000) / 2,
    expireAfterMs: (intervalS - Math.min(32, intervalS / 3)) * 1000,
  };
}

/** A session timer as one side of a dialog keeps it: the interval, and whether we are the refresher. */
export interface SessionTimerState {
  readonly intervalS: number;
  readonly isOurs: boolean;
}

function hasOptionTag(headers: readonly SipHeader[], name: 'supported' | 'require'): boolean {
  return optionTags(headerValues(headers, name)).some((tag) => tag.toLowerCase() === 'timer');
}

function minSeOf(headers: readonly SipHeader[]): number | undefined {
  const match = /^\s*(\d{1,10})\s*$/.exec(headerValue(headers, 'min-se') ?? '');
  return match === null ? undefined : Number(match[1]);
}

/**
 * The headers of an INVITE we send (RFC 4028 §7.1): `Supported: timer`, the interval we ask for without
 * naming the refresher (the answerer chooses), and our Min-SE. After a 422, `raisedMinSeS` is the Min-SE it
 * gave: the interval is at least that, and so is the Min-SE we send (§7.4).
 */
export function sessionTimerRequestHeaders(
  policy: SessionTimerPolicy = defaultSessionTimerPolicy,
  raisedMinSeS?: number,
): SipHeader[] {
  const minSeS = Math.max(policy.minSeS, raisedMinSeS ?? 0);
  return [
    { name: 'Supported', value: 'timer' },
    { name: 'Session-Expires', value: String(Math.max(policy.defaultIntervalS, minSeS)) },
    { name: 'Min-SE', value: String(minSeS) },
  ];
}

/**
 * What the 2xx to our INVITE says about the session timer (RFC 4028 §7.2), pure. No Session-Expires: there is
 * none. With one, the answerer named the refresher: `uac` is us, `uas` the answerer; a Session-Expires
 * without `Require: timer` means the answerer does not do timers (a proxy on the way asked for one), so we
 * refresh whatever it says, as we do when it named nobody.
 */
export function sessionTimerOfAnswer(headers: readonly SipHeader[]): SessionTimerState | undefined {
  const value = headerValue(headers, 'session-expires');
  const answered = value === undefined ? undefined : parseSessionExpires(value);
  if (answered === undefined || answered.intervalS === 0) return undefined;
  return {
    intervalS: answered.intervalS,
    isOurs: !hasOptionTag(headers, 'require') || answered.refresher !== 'uas',
  };
}

/**
 * The Min-SE to ask with again after a 422 to our INVITE (RFC 4028 §7.3): the 422's, when it is above the
 * interval we asked; undefined when the 422 gives no usable Min-SE (the call fails with the 422).
 */
export function minSeAfterTooSmall(
  headers: readonly SipHeader[],
  askedIntervalS: number,
): number | undefined {
  const minSeS = minSeOf(headers);
  return minSeS === undefined || minSeS <= askedIntervalS ? undefined : minSeS;
}

/**
 * Our answer to a session refresh the other side sent (a re-INVITE or UPDATE in a dialog with a timer,
 * RFC 4028 §9), pure. Its Session-Expires may change the interval (not below our Min-SE: 422) and name the
 * refresher; `refresher` in a refresh is relative to that request (`uac` is its sender), so our 2xx names
 * `uas` when we refresh from now on and `uac` when the sender does. A refresh that names nobody keeps who
 * refreshed before. `Require: timer` goes back only to a sender that supports timers.
 */
export function answerSessionRefresh(
  requestHeaders: readonly SipHeader[],
  current: SessionTimerState,
  policy: SessionTimerPolicy = defaultSessionTimerPolicy,
):
  | { readonly kind: 'too-small'; readonly minSeS: number }
  | {
      readonly kind: 'timer';
      readonly state: SessionTimerState;
      readonly responseHeaders: readonly SipHeader[];
    } {
  const value = headerValue(requestHeaders, 'session-expires');
  const asked = value === undefined ? undefined : parseSessionExpires(value);
  if (asked !== undefined && asked.intervalS < policy.minSeS)
    return { kind: 'too-small', minSeS: policy.minSeS };
  const intervalS = Math.max(asked?.intervalS ?? current.intervalS, minSeOf(requestHeaders) ?? 0);
  const isOurs = asked?.refresher === 'uas' ? true : asked?.refresher === 'uac' ? false : current.isOurs;
  return {
    kind: 'timer',
    state: { intervalS, isOurs },
    responseHeaders: [
      { name: 'Session-Expires', value: `${String(intervalS)};refresher=${isOurs ? 'uas' : 'uac'}` },
      ...(hasOptionTag(requestHeaders, 'supported') ? [{ name: 'Require', value: 'timer' }] : []),
    ],
  };
}

/**
 * The Session-Expires of a refresh we send (RFC 4028 §7.4): the session's interval, with `refresher=uac`
 * (the sender of the refresh, us) to stay the refresher.
 */
export function sessionRefreshHeaders(intervalS: number): SipHeader[] {
  return [
    { name: 'Session-Expires', value: `${String(intervalS)};refresher=uac` },
    { name: 'Supported', value: 'timer' },
  ];
}
