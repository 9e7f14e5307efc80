import { FRAME_SAMPLES, writeRtpFixedHeader } from '@centralita/media';

/** Where the stream's packets come from at the moment. */
type StreamSource = 'none' | 'generated' | 'relay';

/** Signed distance from `b` to `a` in 32-bit timestamp arithmetic. */
function timestampDelta(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * The one RTP stream we send on a leg (RFC 3550 §5.1): one SSRC for the leg's life, sequence numbers
 * that never repeat or jump back, and timestamps that advance with the 8 kHz media clock (160 per
 * 20 ms tick) whatever feeds the stream: frames we generate on the tick (prompts, tones, the mixer,
 * DTMF events) or packets relayed from a bridged leg.
 *
 * Relaying keeps the far end's sequence and timestamp spacing (so its losses and silences stay
 * visible to our peer's jitter buffer) by adding offsets fixed when the relay starts or its source
 * changes SSRC. Each switch of source re-anchors the timestamp on the media clock, never less than one
 * frame after the last timestamp sent, and sets the marker bit: for the receiver it is the start of a
 * talkspurt (RFC 3551 §4.1), so it may re-anchor its playout instead of seeing a jump.
 *
 * Pure arithmetic on numbers the caller passes in (the tick index, the incoming header): no clock,
 * no socket. The header is written in place in front of the payload, so relaying allocates nothing.
 */
export class OutgoingRtpStream {
  /** Our synchronisation source for this leg. */
  readonly ssrc: number;
  private nextSequence: number;
  private readonly timestampBase: number;
  private readonly startTick: number;
  /** Added to the clock when a switch had to move the stream forward; only ever grows. */
  private clockAdjust = 0;
  private lastTimestamp = 0;
  private hasSent = false;
  private source: StreamSource = 'none';
  private relaySourceKey = -1;
  private relaySequenceOffset = 0;
  private relayTimestampOffset = 0;
  /** The sequence number and timestamp of the packet last written (for tests and RTCP). */
  lastSequenceNumber = 0;
  /** Packets and payload octets sent, for the RTCP sender report (RFC 3550 §6.4.1). */
  packetsSent = 0;
  octetsSent = 0;

  /** `startTick` is the media clock's tick index when the leg was created. */
  constructor(ssrc: number, initialSequence: number, initialTimestamp: number, startTick: number) {
    this.ssrc = ssrc >>> 0;
    this.nextSequence = initialSequence & 0xffff;
    this.timestampBase = initialTimestamp >>> 0;
    this.startTick = startTick;
  }

  /** The timestamp the media clock gives a frame generated on `tick`. */
  clockTimestamp(tick: number): number {
    return (this.timestampBase + FRAME_SAMPLES * (tick - this.startTick) + this.clockAdjust) >>> 0;
  }

  /** The RTP timestamp of the last packet sent (for the SR's RTP timestamp), or the clock's if none. */
  get latestTimestamp(): number {
    return this.lastTimestamp;
  }

  /** Whether anything was sent yet. */
  get hasStarted(): boolean {
    return this.hasSent;
  }

  /** Moves the clock forward if needed so a new source starts at least one frame after the last packet. */
  private anchoredClock(tick: number): number {
    const now = this.clockTimestamp(tick);
    if (!this.hasSent) return now;
    const ahead = timestampDelta(now, this.lastTimestamp);
    if (ahead >= FRAME_SAMPLES) return now;
    this.clockAdjust += FRAME_SAMPLES - ahead;
    return this.clockTimestamp(tick);
  }

  private written(sequenceNumber: number, timestamp: number, payloadBytes: number): void {
    this.lastSequenceNumber = sequenceNumber;
    if (!this.hasSent || timestampDelta(timestamp, this.lastTimestamp) > 0) this.lastTimestamp = timestamp;
    this.hasSent = true;
    this.packetsSent++;
    this.octetsSent += payloadBytes;
  }

  /**
   * Writes the header of a frame generated on `tick` at `target[offset]` (the payload follows at
   * offset + 12). The first generated frame after another source carries the marker bit.
   */
  writeGenerated(
    target: Uint8Array,
    offset: number,
    payloadType: number,
    tick: number,
    payloadBytes: number,
  ): void {
    let isMarker = false;
    let timestamp: number;
    if (this.source !== 'generated') {
      this.source = 'generated';
      isMarker = true;
      timestamp = this.anchoredClock(tick);
    } else {
      timestamp = this.clockTimestamp(tick);
    }
    const sequenceNumber = this.nextSequence;
    this.nextSequence = (sequenceNumber + 1) & 0xffff;
    writeRtpFixedHeader(target, offset, payloadType, sequenceNumber, timestamp, this.ssrc, isMarker);
    this.written(sequenceNumber, timestamp, payloadBytes);
  }

  /**
   * The timestamp an RFC 4733 event starting on `tick` carries: the timestamp the next audio frame
   * would have had (RFC 4733 §2.5.1.2). Call once per event, then `writeEvent` for its packets.
   */
  startEvent(tick: number): number {
    const isSwitch = this.source !== 'generated';
    this.source = 'generated';
    return isSwitch ? this.anchoredClock(tick) : this.clockTimestamp(tick);
  }

  /** Writes the header of one telephone-event packet (all packets of an event share its timestamp). */
  writeEvent(
    target: Uint8Array,
    offset: number,
    payloadType: number,
    timestamp: number,
    isMarker: boolean,
    payloadBytes: number,
  ): void {
    const sequenceNumber = this.nextSequence;
    this.nextSequence = (sequenceNumber + 1) & 0xffff;
    writeRtpFixedHeader(target, offset, payloadType, sequenceNumber, timestamp, this.ssrc, isMarker);
    this.written(sequenceNumber, timestamp, payloadBytes);
  }

  /**
   * Rewrites a relayed packet's header at `target[offset]` (12 bytes in front of its payload).
   * `sourceKey` names the incoming stream (a leg and its current SSRC): a new key re-anchors the
   * offsets and sets the marker. Reordered packets keep their place: the sequence offset is fixed.
   */
  writeRelayed(
    target: Uint8Array,
    offset: number,
    payloadType: number,
    incomingSequence: number,
    incomingTimestamp: number,
    isIncomingMarker: boolean,
    sourceKey: number,
    tick: number,
    payloadBytes: number,
  ): void {
    let isMarker = isIncomingMarker;
    if (this.source !== 'relay' || sourceKey !== this.relaySourceKey) {
      this.source = 'relay';
      this.relaySourceKey = sourceKey;
      this.relaySequenceOffset = (this.nextSequence - incomingSequence) & 0xffff;
      this.relayTimestampOffset = (this.anchoredClock(tick) - incomingTimestamp) >>> 0;
      isMarker = true;
    }
    const sequenceNumber = (incomingSequence + this.relaySequenceOffset) & 0xffff;
    const timestamp = (incomingTimestamp + this.relayTimestampOffset) >>> 0;
    // Advance only for packets ahead of what was sent: a reordered packet keeps its older number.
    if (((sequenceNumber - this.nextSequence) & 0xffff) < 0x8000) {
      this.nextSequence = (sequenceNumber + 1) & 0xffff;
    }
    writeRtpFixedHeader(target, offset, payloadType, sequenceNumber, timestamp, this.ssrc, isMarker);
    this.written(sequenceNumber, timestamp, payloadBytes);
  }

  /** Ends the current source: the next packet, whatever its origin, starts a talkspurt. */
  interrupt(): void {
    this.source = 'none';
  }
}
