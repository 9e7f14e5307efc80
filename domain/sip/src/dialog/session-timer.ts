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
