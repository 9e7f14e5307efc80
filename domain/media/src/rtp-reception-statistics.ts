import { compactNtpFromUnixMs } from './ntp-time.ts';
import type { NtpTimestamp } from './ntp-time.ts';
import { ntpMiddle32 } from './ntp-time.ts';
import type { RtcpReportBlock } from './rtcp-packet.ts';
import type { RtpSequenceVerdict } from './rtp-sequence.ts';
import { RtpSequenceTracker, isAcceptedSequence } from './rtp-sequence.ts';

/** A point-in-time view of one received stream, for per-leg quality figures. */
export interface ReceptionSnapshot {
  readonly packetsReceived: number;
  readonly packetsExpected: number;
  /** Expected minus received since the source was validated; negative with duplicates. */
  readonly packetsLost: number;
  /** Cumulative loss in percent of expected, 0 when nothing was expected. */
  readonly lossPercent: number;
  /** Interarrival jitter (RFC 3550 A.8) in milliseconds. */
  readonly jitterMs: number;
  readonly extendedHighestSequence: number;
}

/**
 * Reception statistics for one SSRC, the receiver side of RFC 3550 §6.4.1: sequence validation
 * and loss (Appendix A.1 and A.3), interarrival jitter (A.8), and the LSR/DLSR pair that lets the
 * sender compute the round trip. Arrival times come in as milliseconds from the media clock.
 */
export class RtpReceptionStatistics {
  private readonly sequence: RtpSequenceTracker;
  private readonly clockRateHz: number;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit = 0;
  private hasTransit = false;
  /** Jitter estimate in RTP timestamp units, kept as a float; reported truncated. */
  private jitterUnits = 0;
  private lastSenderReport = 0;
  private lastSenderReportArrivalMs: number | undefined;

  constructor(clockRateHz: number, minSequential?: number) {
    this.clockRateHz = clockRateHz;
    this.sequence = new RtpSequenceTracker(minSequential);
  }

  /**
   * Accounts for one received RTP packet. Jitter is updated only for packets the sequence check
   * accepts, using transit = arrival - timestamp in RTP units (A.8): the sender's clock offset
   * cancels in the difference between consecutive transits.
   */
  onPacket(sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): RtpSequenceVerdict {
    const verdict = this.sequence.update(sequenceNumber);
    if (verdict === 'restarted') {
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.hasTransit = false;
    }
    if (!isAcceptedSequence(verdict)) return verdict;
    const arrivalUnits = (arrivalMs * this.clockRateHz) / 1000;
    const transit = arrivalUnits - rtpTimestamp;
    if (this.hasTransit) {
      // Timestamps are 32-bit and wrap: only the difference of two transits matters, taken as a
      // signed 32-bit value so a wrap between two packets is a step of one packet, not of 2^32.
      const d = ((((transit - this.transit) % 2 ** 32) + 1.5 * 2 ** 32) % 2 ** 32) - 2 ** 31;
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.transit = transit;
    this.hasTransit = true;
    return verdict;
  }

  /** Records the arrival of a sender report from this source, for LSR and DLSR. */
  onSenderReport(ntp: NtpTimestamp, arrivalMs: number): void {
    this.lastSenderReport = ntpMiddle32(ntp);
    this.lastSenderReportArrivalMs = arrivalMs;
  }

  /**
   * The report block for the next RR/SR (RFC 3550 §6.4.1 and A.3). Computing it closes the
   * reporting interval: `fractionLost` covers the packets since the previous call.
   */
  reportBlock(ssrc: number, nowMs: number): RtcpReportBlock {
    const expected = this.sequence.expected;
    const received = this.sequence.received;
    const lost = Math.max(-0x80_0000, Math.min(0x7f_ffff, expected - received));
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const sinceSrMs =
      this.lastSenderReportArrivalMs === undefined ? 0 : nowMs - this.lastSenderReportArrivalMs;
    return {
      ssrc: ssrc >>> 0,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: lost,
      extendedHighestSequence: this.sequence.extendedHighest >>> 0,
      jitter: Math.floor(this.jitterUnits) >>> 0,
      lastSenderReport: this.lastSenderReport,
      delaySinceLastSenderReport:
        this.lastSenderReportArrivalMs === undefined
          ? 0
          : Math.max(0, Math.round((sinceSrMs * 65_536) / 1000)) >>> 0,
    };
  }

  /** The figures to save with the call, without closing the reporting interval. */
  snapshot(): ReceptionSnapshot {
    const expected = this.sequence.expected;
    const received = this.sequence.received;
    return {
      packetsReceived: received,
      packetsExpected: expected,
      packetsLost: expected - received,
      lossPercent: expected > 0 ? (Math.max(0, expected - received) * 100) / expected : 0,
      jitterMs: (this.jitterUnits * 1000) / this.clockRateHz,
      extendedHighestSequence: this.sequence.extendedHighest,
    };
  }
}

/**
 * Round-trip time from a report block about our own stream (RFC 3550 §6.4.1): A - LSR - DLSR in
 * 1/65536 s, where A is when the report arrived. Undefined when the peer has not seen an SR yet.
 */
export function roundTripTimeMs(block: RtcpReportBlock, arrivalMs: number): number | undefined {
  if (block.lastSenderReport === 0) return undefined;
  const arrival = compactNtpFromUnixMs(arrivalMs);
  const units = (arrival - block.lastSenderReport - block.delaySinceLastSenderReport) | 0;
  return units < 0 ? undefined : (units * 1000) / 65_536;
}
