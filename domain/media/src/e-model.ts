/**
 * A listening-quality estimate from network figures: the ITU-T G.107 E-model reduced to the terms
 * a media engine can measure (delay, loss, jitter), with every other parameter at its G.107
 * default. With defaults, Ro - Is - (the echo parts of Id) give R = 93.2, the familiar ceiling of
 * narrowband G.711.
 */

/** R for a narrowband connection with every G.107 parameter at its default value (G.107 §7.7). */
export const DEFAULT_R_FACTOR = 93.2;

/**
 * G.113 Appendix I equipment impairment figures for G.711 (Ie = 0). Bpl is the packet-loss
 * robustness factor: 4.3 with no concealment, 25.1 with the G.711 Appendix I concealment.
 */
export const G711_IMPAIRMENT = {
  ie: 0,
  bplWithoutConcealment: 4.3,
  bplWithConcealment: 25.1,
} as const;

/** Inputs of the estimate. */
export interface EModelInput {
  /** Packets lost or discarded as too late, in percent (0-100). */
  readonly lossPercent: number;
  /** Interarrival jitter in milliseconds (RFC 3550 A.8). */
  readonly jitterMs: number;
  /** One-way network delay in milliseconds (half the RTCP round trip is the usual estimate). */
  readonly oneWayDelayMs: number;
  /**
   * Delay the receiver's jitter buffer adds, in ms. When omitted it is taken as twice the jitter,
   * about what an adaptive buffer settles at.
   */
  readonly jitterBufferMs?: number;
  /** Packetization delay in ms (20 for the usual G.711 ptime). */
  readonly packetizationMs?: number;
  /** Loss burstiness: 1 for random loss, above 1 for bursty loss (G.107 BurstR). */
  readonly burstRatio?: number;
  /** Whether the receiver conceals lost packets; picks the G.113 Bpl. */
  readonly hasConcealment?: boolean;
}

/** The estimate: the transmission rating R and the MOS it maps to (G.107 Annex B). */
export interface EModelEstimate {
  readonly rFactor: number;
  readonly mos: number;
  /** The mouth-to-ear delay the estimate used, in ms. */
  readonly mouthToEarDelayMs: number;
}

/** Idd, the impairment from pure delay (G.107 §7.4); zero up to 100 ms. */
export function delayImpairment(mouthToEarDelayMs: number): number {
  if (mouthToEarDelayMs <= 100) return 0;
  const x = Math.log10(mouthToEarDelayMs / 100) / Math.log10(2);
  return 25 * ((1 + x ** 6) ** (1 / 6) - 3 * (1 + (x / 3) ** 6) ** (1 / 6) + 2);
}

/** Ie,eff, the equipment impairment including packet loss (G.107 §7.5). */
export function effectiveEquipmentImpairment(
  ie: number,
  bpl: number,
  lossPercent: number,
  burstRatio = 1,
): number {
  const ppl = Math.max(0, Math.min(100, lossPercent));
  return ie + ((95 - ie) * ppl) / (ppl / burstRatio + bpl);
}

/** MOS (conversational quality estimate) from R (G.107 Annex B). */
export function mosFromRFactor(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/**
 * Estimates R and MOS for a G.711 stream. Jitter enters twice, as in practice: as the delay the
 * jitter buffer adds, and (through the caller's loss figure) as packets that came too late.
 */
export function estimateG711Quality(input: EModelInput): EModelEstimate {
  const jitterBufferMs = input.jitterBufferMs ?? 2 * Math.max(0, input.jitterMs);
  const mouthToEarDelayMs = Math.max(0, input.oneWayDelayMs) + jitterBufferMs + (input.packetizationMs ?? 20);
  const bpl =
    input.hasConcealment === true
      ? G711_IMPAIRMENT.bplWithConcealment
      : G711_IMPAIRMENT.bplWithoutConcealment;
  const ieEff = effectiveEquipmentImpairment(
    G711_IMPAIRMENT.ie,
    bpl,
    input.lossPercent,
    input.burstRatio ?? 1,
  );
  const rFactor = Math.max(0, Math.min(100, DEFAULT_R_FACTOR - delayImpairment(mouthToEarDelayMs) - ieEff));
  return { rFactor, mos: mosFromRFactor(rFactor), mouthToEarDelayMs };
}
