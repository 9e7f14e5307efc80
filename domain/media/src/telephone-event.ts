import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';

/** Size of one telephone-event block on the wire (RFC 4733 §2.3). */
export const TELEPHONE_EVENT_BYTES = 4;

/** The largest duration one packet can carry, in timestamp units (16 bits; 8.19 s at 8 kHz). */
export const TELEPHONE_EVENT_MAX_DURATION = 0xffff;

/** One RFC 4733 §2.3 telephone-event block. */
export interface TelephoneEvent {
  /** Event code (§3.2: 0-9, 10 = *, 11 = #, 12-15 = A-D, 16 = flash). */
  readonly event: number;
  /** The E bit: this packet reports the end of the event. */
  readonly isEnd: boolean;
  /** Power level of the tone in -dBm0, 0-63 (DTMF is usually sent around 10). */
  readonly volume: number;
  /** Duration so far, in RTP timestamp units from the event's timestamp. */
  readonly duration: number;
}

/**
 * Writes one telephone-event block at `offset` (the R bit is sent as 0, §2.3.3). Fields are masked
 * to their widths; returns the bytes written (4).
 */
export function writeTelephoneEvent(event: TelephoneEvent, target: Uint8Array, offset = 0): number {
  target[offset] = event.event & 0xff;
  target[offset + 1] = (event.isEnd ? 0x80 : 0) | (event.volume & 0x3f);
  target[offset + 2] = (event.duration >>> 8) & 0xff;
  target[offset + 3] = event.duration & 0xff;
  return TELEPHONE_EVENT_BYTES;
}

/** Encodes one telephone-event block into a new 4-byte payload. */
export function encodeTelephoneEvent(event: TelephoneEvent): Uint8Array {
  const bytes = new Uint8Array(TELEPHONE_EVENT_BYTES);
  writeTelephoneEvent(event, bytes);
  return bytes;
}

/**
 * Decodes every block of a telephone-event payload. RFC 4733 §2.5.1.5 allows several events in one
 * packet (earlier ones repeated for redundancy); the last block is the current event.
 */
export function decodeTelephoneEvents(payload: Uint8Array): Result<readonly TelephoneEvent[], MediaError> {
  if (payload.length === 0 || payload.length % TELEPHONE_EVENT_BYTES !== 0) {
    return err(
      mediaError('MEDIA_DTMF_BAD_PAYLOAD', 'telephone-event payload is not a whole number of 4-byte blocks'),
    );
  }
  const events: TelephoneEvent[] = [];
  for (let at = 0; at < payload.length; at += TELEPHONE_EVENT_BYTES) {
    const flags = payload[at + 1] ?? 0;
    events.push({
      event: payload[at] ?? 0,
      isEnd: (flags & 0x80) !== 0,
      volume: flags & 0x3f,
      duration: ((payload[at + 2] ?? 0) << 8) | (payload[at + 3] ?? 0),
    });
  }
  return ok(events);
}
