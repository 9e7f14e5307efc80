import type { Random } from '@centralita/kernel';
import type { RtcpPacket, RtcpReportBlock, RtpReceptionStatistics } from '@centralita/media';
import { ntpFromUnixMs, parseRtcpCompound, roundTripTimeMs, serializeRtcpCompound } from '@centralita/media';

/** The figures of our own stream the sender report carries. */
export interface SenderFigures {
  readonly ssrc: number;
  readonly packetsSent: number;
  readonly octetsSent: number;
  /** The RTP timestamp that corresponds to the report's NTP time (RFC 3550 §6.4.1). */
  readonly rtpTimestamp: number;
}

/** What the peer's stream looks like to us, for our report block. */
export interface ReceptionFigures {
  readonly remoteSsrc: number;
  readonly statistics: RtpReceptionStatistics;
}

/** Options of an RTCP session. */
export interface RtcpSessionOptions {
  /** SDES CNAME (RFC 3550 §6.5.1), required in every compound packet. */
  readonly cname: string;
  /** The deterministic minimum interval T (RFC 3550 §6.2 recommends 5 s). */
  readonly intervalMs?: number;
  readonly random: Random;
}

/**
 * RTCP for one leg (RFC 3550 §6), two-party case: a compound SR or RR with SDES CNAME about every
 * 5 s, the interval randomised over [0.5 T, 1.5 T] (§6.3.1) so legs set up together do not report
 * together; incoming SRs feed LSR/DLSR, and report blocks about our SSRC give the round-trip time.
 */
export class RtcpSession {
  private readonly cname: string;
  private readonly intervalMs: number;
  private readonly random: Random;
  private nextReportAtMs: number | undefined;
  private packetsSentAtLastReport = 0;
  /** Round-trip time from the peer's last report about us, if any. */
  roundTripMs: number | undefined;
  /** The peer's view of our stream, from its last report block about us. */
  remoteView: RtcpReportBlock | undefined;
  reportsSent = 0;
  reportsReceived = 0;
  malformedPackets = 0;

  constructor(options: RtcpSessionOptions) {
    this.cname = options.cname;
    this.intervalMs = options.intervalMs ?? 5000;
    this.random = options.random;
  }

  private scheduleFrom(nowMs: number): void {
    this.nextReportAtMs = nowMs + this.intervalMs * (0.5 + this.random.next());
  }

  /** Whether a report is due; the first call schedules the first report. */
  isReportDue(nowMs: number): boolean {
    if (this.nextReportAtMs === undefined) {
      // RFC 3550 §6.2: the first report goes out after half the minimum interval.
      this.nextReportAtMs = nowMs + (this.intervalMs / 2) * (0.5 + this.random.next());
      return false;
    }
    return nowMs >= this.nextReportAtMs;
  }

  /**
   * The compound report to send now: SR if we sent RTP since the last report, RR otherwise, each with
   * a report block on the peer's stream once we have one, then SDES CNAME. Schedules the next one.
   */
  buildReport(nowUnixMs: number, sender: SenderFigures, reception: ReceptionFigures | undefined): Uint8Array {
    this.scheduleFrom(nowUnixMs);
    const reports =
      reception === undefined ? [] : [reception.statistics.reportBlock(reception.remoteSsrc, nowUnixMs)];
    const isSender = sender.packetsSent > this.packetsSentAtLastReport;
    this.packetsSentAtLastReport = sender.packetsSent;
    const first: RtcpPacket = isSender
      ? {
          type: 'sr',
          ssrc: sender.ssrc,
          ntp: ntpFromUnixMs(nowUnixMs),
          rtpTimestamp: sender.rtpTimestamp >>> 0,
          packetCount: sender.packetsSent >>> 0,
          octetCount: sender.octetsSent >>> 0,
          reports,
          profileExtension: new Uint8Array(0),
        }
      : { type: 'rr', ssrc: sender.ssrc, reports, profileExtension: new Uint8Array(0) };
    const sdes: RtcpPacket = {
      type: 'sdes',
      chunks: [{ ssrc: sender.ssrc, items: [{ type: 'cname', text: this.cname }] }],
    };
    const compound = serializeRtcpCompound([first, sdes]);
    this.reportsSent++;
    // Our own fields are all in range; an error here would be a bug, reported as an empty packet.
    return compound.ok ? compound.value : new Uint8Array(0);
  }

  /** Takes in one RTCP datagram from the peer. */
  receive(
    bytes: Uint8Array,
    arrivalUnixMs: number,
    ourSsrc: number,
    reception: ReceptionFigures | undefined,
  ): void {
    const parsed = parseRtcpCompound(bytes);
    if (!parsed.ok) {
      this.malformedPackets++;
      return;
    }
    this.reportsReceived++;
    for (const packet of parsed.value) {
      if (packet.type !== 'sr' && packet.type !== 'rr') continue;
      if (packet.type === 'sr' && reception !== undefined && packet.ssrc === reception.remoteSsrc) {
        reception.statistics.onSenderReport(packet.ntp, arrivalUnixMs);
      }
      for (const block of packet.reports) {
        if (block.ssrc !== ourSsrc >>> 0) continue;
        this.remoteView = block;
        const rtt = roundTripTimeMs(block, arrivalUnixMs);
        if (rtt !== undefined) this.roundTripMs = rtt;
      }
    }
  }
}
