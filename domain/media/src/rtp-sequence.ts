/** A source is valid once this many packets arrive in sequence (RFC 3550 A.1, MIN_SEQUENTIAL). */
export const RTP_MIN_SEQUENTIAL = 2;
/** The largest forward gap still taken as loss rather than a jump (RFC 3550 A.1, MAX_DROPOUT). */
export const RTP_MAX_DROPOUT = 3000;
/** The largest backward step still taken as reordering (RFC 3550 A.1, MAX_MISORDER). */
export const RTP_MAX_MISORDER = 100;

const RTP_SEQ_MOD = 0x1_0000;

/**
 * What one packet's sequence number means for its source (RFC 3550 A.1 `update_seq`):
 * - `probation`: the source is not yet validated; the packet is not counted.
 * - `in-order`: the next packet, or a forward gap smaller than MAX_DROPOUT (the gap is loss).
 * - `reordered`: a duplicate or late packet within MAX_MISORDER; counted, but not the new highest.
 * - `jumped`: a large jump, dropped; if the next packet continues from it the source restarts.
 * - `restarted`: two sequential packets after a jump: the sender restarted, statistics start over.
 */
export type RtpSequenceVerdict = 'probation' | 'in-order' | 'reordered' | 'jumped' | 'restarted';

/** True when the packet should be used (RFC 3550 A.1 returns 1 for these). */
export function isAcceptedSequence(verdict: RtpSequenceVerdict): boolean {
  return verdict === 'in-order' || verdict === 'reordered' || verdict === 'restarted';
}

/**
 * The 32-bit-plus extension of a 16-bit sequence number: the value congruent to `sequenceNumber`
 * modulo 2^16 that is nearest to `reference` (an extended sequence number already seen). This is
 * how a late packet from before a wrap gets its place (65535 just after 65537 is 65535, not 131071).
 */
export function extendSequenceNumber(sequenceNumber: number, reference: number): number {
  const referenceLow = reference & 0xffff;
  let delta = (sequenceNumber - referenceLow) & 0xffff;
  if (delta >= 0x8000) delta -= RTP_SEQ_MOD;
  return reference + delta;
}

/**
 * RFC 3550 Appendix A.1, one instance per SSRC: validates a new source with a probation of
 * MIN_SEQUENTIAL in-sequence packets, counts 16-bit wrap-arounds into an extended sequence number,
 * tells loss from reordering and from a sender restart, and counts accepted packets for A.3.
 * Mutable on purpose: it runs for every packet of every call.
 */
export class RtpSequenceTracker {
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  private hasStarted = false;
  private readonly minSequential: number;
  /** Packets accepted since the source was (re)initialised (A.1 `received`). */
  received = 0;

  /** `minSequential` may be 0 for a source already known to be genuine (RFC 3550 A.1). */
  constructor(minSequential: number = RTP_MIN_SEQUENTIAL) {
    this.minSequential = minSequential;
    this.probation = minSequential;
  }

  private initialise(sequenceNumber: number): void {
    this.baseSeq = sequenceNumber;
    this.maxSeq = sequenceNumber;
    this.badSeq = RTP_SEQ_MOD + 1; // cannot equal a 16-bit value
    this.cycles = 0;
    this.received = 0;
  }

  /** Feeds one packet's sequence number (RFC 3550 A.1 `update_seq`). */
  update(sequenceNumber: number): RtpSequenceVerdict {
    const seq = sequenceNumber & 0xffff;
    if (!this.hasStarted) {
      this.hasStarted = true;
      this.initialise(seq);
      if (this.minSequential === 0) {
        this.received = 1;
        return 'in-order';
      }
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initialise(seq);
          this.received++;
          return 'in-order';
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    }
    if (udelta < RTP_MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped: one more 64K cycle
      this.maxSeq = seq;
      this.received++;
      return 'in-order';
    }
    if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
      if (seq === this.badSeq) {
        // Two sequential packets after a jump: the other side restarted without telling us.
        this.initialise(seq);
        this.received++;
        return 'restarted';
      }
      this.badSeq = (seq + 1) & 0xffff;
      return 'jumped';
    }
    this.received++;
    return 'reordered';
  }

  /** True once probation is over. */
  get isValidated(): boolean {
    return this.hasStarted && this.probation === 0;
  }

  /** The highest sequence number seen, extended with the wrap count (A.1 `cycles + max_seq`). */
  get extendedHighest(): number {
    return this.cycles + this.maxSeq;
  }

  /** The extended sequence number the source started from (A.1 `base_seq`). */
  get base(): number {
    return this.baseSeq;
  }

  /** Packets expected from base to highest (A.3 `expected`). */
  get expected(): number {
    return this.isValidated ? this.extendedHighest - this.baseSeq + 1 : 0;
  }
}
