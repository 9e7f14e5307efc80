/** What the latch decided about one packet. */
export type LatchVerdict =
  /** From the latched source: use it. */
  | 'accepted'
  /** This packet completed the probation of its source, which is now the latched one: use it. */
  | 'latched'
  /** From a source still on probation: do not use it yet. */
  | 'probation'
  /** From another source after latching (or crowded out of probation): ignored and counted. */
  | 'ignored';

/** Tuning of the latch. */
export interface SymmetricRtpLatchOptions {
  /** In-sequence packets (same SSRC, sequence + 1) a source must send to be latched. */
  readonly probationPackets?: number;
  /** Sources tracked at once during probation; packets from more are ignored. */
  readonly maxCandidates?: number;
}

interface Candidate {
  readonly address: string;
  readonly port: number;
  ssrc: number;
  nextSequence: number;
  inSequence: number;
}

/**
 * Symmetric RTP (RFC 4961) for peers behind NAT: we send to wherever the peer's media comes from,
 * not to the address in its SDP, which a NAT makes useless. The first source to send
 * `probationPackets` valid packets in sequence (the RFC 3550 A.1 probation idea) wins; from then on
 * packets from any other address or port are ignored and counted, so a third party that learns
 * the port cannot take the stream over (RTP hijacking, the "RTP bleed" attack on latching that
 * re-learns on every packet). `reopen()` starts over, for a signalled change of remote (re-INVITE).
 */
export class SymmetricRtpLatch {
  private readonly probationPackets: number;
  private readonly maxCandidates: number;
  private candidates: Candidate[] = [];
  /** The latched source's address, once latched. */
  address: string | undefined;
  /** The latched source's port, once latched (0 before). */
  port = 0;
  /** Packets ignored because they came from another source. */
  ignoredPackets = 0;

  constructor(options: SymmetricRtpLatchOptions = {}) {
    this.probationPackets = Math.max(1, options.probationPackets ?? 2);
    this.maxCandidates = Math.max(1, options.maxCandidates ?? 4);
  }

  /** True once a source is latched. */
  get isLatched(): boolean {
    return this.address !== undefined;
  }

  /**
   * Judges one valid RTP packet (already parsed) by where it came from. The latched case is two
   * comparisons and no allocation: it runs for every packet.
   */
  offer(address: string, port: number, ssrc: number, sequenceNumber: number): LatchVerdict {
    if (this.address !== undefined) {
      if (port === this.port && address === this.address) return 'accepted';
      this.ignoredPackets++;
      return 'ignored';
    }
    // Source port 0 means "no reply port" (RFC 768): such a source can never be answered, so it must not win
    // (every packet sent back would fail) nor crowd out the real one.
    if (port === 0) {
      this.ignoredPackets++;
      return 'ignored';
    }
    let candidate: Candidate | undefined;
    for (const c of this.candidates) {
      if (c.port === port && c.address === address) {
        candidate = c;
        break;
      }
    }
    if (candidate === undefined) {
      if (this.candidates.length >= this.maxCandidates) {
        this.ignoredPackets++;
        return 'ignored';
      }
      candidate = { address, port, ssrc, nextSequence: sequenceNumber, inSequence: 0 };
      this.candidates.push(candidate);
    }
    if (candidate.ssrc === ssrc && candidate.nextSequence === sequenceNumber) {
      candidate.inSequence++;
    } else {
      candidate.ssrc = ssrc;
      candidate.inSequence = 1;
    }
    candidate.nextSequence = (sequenceNumber + 1) & 0xffff;
    if (candidate.inSequence < this.probationPackets) return 'probation';
    this.address = candidate.address;
    this.port = candidate.port;
    // Packets still in flight from the losers are counted as ignored from now on.
    this.candidates = [];
    return 'latched';
  }

  /** Forgets the latched source and starts a new probation (the peer signalled a new address). */
  reopen(): void {
    this.address = undefined;
    this.port = 0;
    this.candidates = [];
  }
}
