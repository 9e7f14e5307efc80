import type { DtmfDigit } from './dtmf-digit.ts';
import { dtmfDigitFromEventCode } from './dtmf-digit.ts';
import { TELEPHONE_EVENT_MAX_DURATION, decodeTelephoneEvents } from './telephone-event.ts';

/** What the receiver tells the call layer. Each key press gives one `began` and one `ended`. */
export type TelephoneEventNotice =
  | {
      readonly kind: 'digit-began';
      readonly digit: DtmfDigit;
      /** RTP timestamp of the event's start. */
      readonly rtpTimestamp: number;
      /** When the first packet we got for it arrived (media clock, ms). */
      readonly atMs: number;
    }
  | {
      readonly kind: 'digit-ended';
      readonly digit: DtmfDigit;
      readonly rtpTimestamp: number;
      readonly atMs: number;
      /** The duration the sender reported last, in ms. */
      readonly durationMs: number;
      /** True when no end packet arrived: a newer event started, or the event went quiet. */
      readonly isEndInferred: boolean;
    };

/** Tuning for the receiver. */
export interface TelephoneEventReceiverOptions {
  readonly clockRateHz?: number;
  /** An event with no packet for this long is ended by `poll` (all its end packets were lost). */
  readonly quietEndMs?: number;
}

const NONE: readonly TelephoneEventNotice[] = [];
/** How many finished events to remember, so late retransmissions of their end packets are ignored. */
const RECENT_EVENTS = 8;

/** Signed distance from `b` to `a` in 32-bit timestamp arithmetic. */
function timestampDelta(a: number, b: number): number {
  return (a - b) | 0;
}

/** The event being received. */
interface ActiveEvent {
  /** Timestamp of the current segment. */
  timestamp: number;
  /** Timestamp of the first segment: the start of the press. */
  firstTimestamp: number;
  digit: DtmfDigit;
  event: number;
  /** Duration in timestamp units of the earlier segments. */
  segmentBase: number;
  duration: number;
  hasEnded: boolean;
  lastPacketMs: number;
}

/**
 * Turns RFC 4733 telephone-event packets of one SSRC into digit notices, each key press exactly
 * once. Packets of one event share its RTP timestamp (§2.5.1.2), so the timestamp, not the marker
 * bit, identifies the event: a lost first packet still starts the digit at the next update, the
 * three end packets (§2.5.1.4) and any reordered update of a finished event are recognised as
 * repeats, and a §2.5.1.3 segment continuing a long event (timestamp advanced by the maximum
 * duration) is not taken for a new press. Events other than the 16 DTMF keys are ignored.
 */
export class TelephoneEventReceiver {
  private readonly clockRateHz: number;
  private readonly quietEndMs: number;
  private current: ActiveEvent | undefined;
  private readonly recent: number[] = [];
  /** Packets whose payload could not be decoded. */
  malformedPackets = 0;

  constructor(options: TelephoneEventReceiverOptions = {}) {
    this.clockRateHz = options.clockRateHz ?? 8000;
    this.quietEndMs = options.quietEndMs ?? 1000;
  }

  private remember(timestamp: number): void {
    this.recent.push(timestamp);
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
  }

  private durationMs(units: number): number {
    return (units * 1000) / this.clockRateHz;
  }

  private end(current: ActiveEvent, atMs: number, isEndInferred: boolean): TelephoneEventNotice {
    current.hasEnded = true;
    return {
      kind: 'digit-ended',
      digit: current.digit,
      rtpTimestamp: current.firstTimestamp,
      atMs,
      durationMs: this.durationMs(current.segmentBase + current.duration),
      isEndInferred,
    };
  }

  /** Feeds one telephone-event packet (already matched to the negotiated payload type). */
  receive(timestamp: number, payload: Uint8Array, arrivalMs: number): readonly TelephoneEventNotice[] {
    const decoded = decodeTelephoneEvents(payload);
    if (!decoded.ok) {
      this.malformedPackets++;
      return NONE;
    }
    const block = decoded.value[decoded.value.length - 1];
    if (block === undefined) return NONE;
    const digit = dtmfDigitFromEventCode(block.event);
    if (digit === undefined) return NONE;
    const ts = timestamp >>> 0;
    const current = this.current;

    if (current?.timestamp === ts) {
      // An update or a repeat of the event in progress.
      if (current.hasEnded) return NONE;
      current.lastPacketMs = arrivalMs;
      current.duration = Math.max(current.duration, block.duration);
      return block.isEnd ? [this.end(current, arrivalMs, false)] : NONE;
    }
    if (this.recent.includes(ts)) return NONE; // a late repeat of an earlier event

    if (current !== undefined && !current.hasEnded && block.event === current.event) {
      // §2.5.1.3: a long event goes on in a new segment whose timestamp is the old one plus the
      // maximum duration. Same press, no new digit.
      if (timestampDelta(ts, current.timestamp) === TELEPHONE_EVENT_MAX_DURATION) {
        this.remember(current.timestamp);
        current.segmentBase += TELEPHONE_EVENT_MAX_DURATION;
        current.timestamp = ts;
        current.duration = block.duration;
        current.lastPacketMs = arrivalMs;
        return block.isEnd ? [this.end(current, arrivalMs, false)] : NONE;
      }
    }
    // Timestamps move forward; an unknown older timestamp is a stray from before the current event.
    if (current !== undefined && timestampDelta(ts, current.timestamp) < 0) return NONE;

    const notices: TelephoneEventNotice[] = [];
    if (current !== undefined) {
      if (!current.hasEnded) notices.push(this.end(current, arrivalMs, true));
      this.remember(current.timestamp);
    }
    const started: ActiveEvent = {
      timestamp: ts,
      firstTimestamp: ts,
      digit,
      event: block.event,
      segmentBase: 0,
      duration: block.duration,
      hasEnded: false,
      lastPacketMs: arrivalMs,
    };
    this.current = started;
    notices.push({ kind: 'digit-began', digit, rtpTimestamp: ts, atMs: arrivalMs });
    if (block.isEnd) notices.push(this.end(started, arrivalMs, false));
    return notices;
  }

  /** Ends an event whose packets stopped without an end packet; call it from the media tick. */
  poll(nowMs: number): readonly TelephoneEventNotice[] {
    const current = this.current;
    if (current === undefined || current.hasEnded || nowMs - current.lastPacketMs < this.quietEndMs)
      return NONE;
    return [this.end(current, nowMs, true)];
  }
}
