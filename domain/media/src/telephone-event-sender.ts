import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { DtmfDigit } from './dtmf-digit.ts';
import { dtmfEventCode } from './dtmf-digit.ts';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';
import type { TelephoneEvent } from './telephone-event.ts';
import { TELEPHONE_EVENT_MAX_DURATION } from './telephone-event.ts';

/** How often the final packet is sent in all (RFC 4733 §2.5.1.4: "a total of three times"). */
export const TELEPHONE_EVENT_END_REPEATS = 3;

/** What to send. */
export interface TelephoneEventRequest {
  readonly digit: DtmfDigit;
  /** How long the key is held, in ms (Q.24 wants at least 40 ms; 100 ms is a common choice). */
  readonly durationMs: number;
  /** The packet clock: one event packet per media tick (usually the audio ptime, 20 ms). */
  readonly packetIntervalMs: number;
  /** RTP timestamp of the event's start: the timestamp the next audio packet would have had. */
  readonly startTimestamp: number;
  /** RTP clock rate of telephone-event, normally the audio rate (8000). */
  readonly clockRateHz?: number;
  /** Tone power in -dBm0 (0-63). */
  readonly volume?: number;
}

/** One packet of the plan. The adapter sends it at `offsetMs` after the event starts. */
export interface TelephoneEventPacketPlan {
  readonly offsetMs: number;
  /** Add to the stream's next sequence number: every packet, retransmissions included, gets its own. */
  readonly sequenceOffset: number;
  /** The same for every packet of the event: the event's start (RFC 4733 §2.5.1.2). */
  readonly timestamp: number;
  /** Set on the first packet only (§2.5.1.2). */
  readonly isMarker: boolean;
  readonly payload: TelephoneEvent;
}

/**
 * Plans the packets RFC 4733 asks for one key press: a first packet with the marker bit, one update
 * per packet interval with a growing duration, all on the event's start timestamp, and a final
 * packet with the E bit and the full duration sent three times in all. Each packet reports the
 * duration up to the end of the interval it stands for, as the audio packet it replaces would.
 *
 * Events longer than one 16-bit duration (8.19 s at 8 kHz) would need §2.5.1.3 segments, which no
 * key press does; they are refused with MEDIA_DTMF_BAD_DURATION.
 */
export function planTelephoneEvent(
  request: TelephoneEventRequest,
): Result<readonly TelephoneEventPacketPlan[], MediaError> {
  const clockRateHz = request.clockRateHz ?? 8000;
  const { durationMs, packetIntervalMs } = request;
  if (!(durationMs > 0) || !(packetIntervalMs > 0) || !Number.isFinite(durationMs)) {
    return err(mediaError('MEDIA_DTMF_BAD_DURATION', 'DTMF duration and packet interval must be positive'));
  }
  const totalUnits = Math.round((durationMs * clockRateHz) / 1000);
  if (totalUnits > TELEPHONE_EVENT_MAX_DURATION) {
    return err(
      mediaError('MEDIA_DTMF_BAD_DURATION', 'DTMF event longer than one 16-bit duration', 'durationMs'),
    );
  }
  const intervalUnits = Math.round((packetIntervalMs * clockRateHz) / 1000);
  const event = dtmfEventCode(request.digit);
  const volume = Math.max(0, Math.min(63, Math.round(request.volume ?? 10)));
  const timestamp = request.startTimestamp >>> 0;
  const updates = Math.max(1, Math.ceil(totalUnits / intervalUnits));
  const plan: TelephoneEventPacketPlan[] = [];
  for (let k = 0; k < updates + TELEPHONE_EVENT_END_REPEATS - 1; k++) {
    const isEnd = k >= updates - 1;
    plan.push({
      offsetMs: k * packetIntervalMs,
      sequenceOffset: k,
      timestamp,
      isMarker: k === 0,
      payload: { event, isEnd, volume, duration: isEnd ? totalUnits : (k + 1) * intervalUnits },
    });
  }
  return ok(plan);
}
