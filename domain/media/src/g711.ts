/**
 * ITU-T G.711 µ-law and A-law, on 16-bit linear samples.
 *
 * G.711 is specified on 14-bit (µ-law) and 13-bit (A-law) linear values; we work on 16-bit samples
 * scaled by 4 and 8 respectively, which is what every 16-bit PCM source gives us. Everything runs
 * through lookup tables built once at module load: a 64 KiB table per encoder indexed by the
 * sample's 16-bit pattern, a 256-entry table per decoder, and two 256-entry transcoding tables, so
 * the per-sample cost in the media loop is one array read.
 */

/** µ-law: the bias added before finding the segment (G.711 §3.2, 33 in 14-bit units, ×4). */
const MULAW_BIAS = 0x84;
/** µ-law: the largest magnitude the encoder represents; anything louder saturates. */
const MULAW_CLIP = 32_635;

/** Encodes one 16-bit sample to µ-law with the segment arithmetic (used to build the table). */
function computeMulaw(sample: number): number {
  let magnitude = sample < 0 ? -sample : sample;
  if (magnitude > MULAW_CLIP) magnitude = MULAW_CLIP;
  magnitude += MULAW_BIAS;
  // Segment = position of the highest set bit among bits 7..14 of the biased magnitude.
  let segment = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && segment > 0; mask >>= 1) segment--;
  const mantissa = (magnitude >> (segment + 3)) & 0x0f;
  const code = (segment << 4) | mantissa;
  // Positive values carry sign bit 1 after inversion; all bits are inverted on the line (G.711 Table 2).
  return sample < 0 ? code ^ 0x7f : ~code & 0xff;
}

/** Decodes one µ-law byte with the segment arithmetic (used to build the table). */
function computeMulawDecode(code: number): number {
  const inverted = ~code & 0xff;
  const segment = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const magnitude = (((mantissa << 3) + MULAW_BIAS) << segment) - MULAW_BIAS;
  return (inverted & 0x80) !== 0 ? -magnitude : magnitude;
}

/** Encodes one 16-bit sample to A-law with the segment arithmetic (used to build the table). */
function computeAlaw(sample: number): number {
  // A-law has no zero code: -1 maps to the smallest negative step, so take the one's complement.
  let magnitude = sample >= 0 ? sample : -sample - 1;
  if (magnitude > 0x7fff) magnitude = 0x7fff;
  let code: number;
  if (magnitude < 256) {
    code = magnitude >> 4;
  } else {
    let segment = 1;
    while (segment < 7 && magnitude >= 256 << segment) segment++;
    code = (segment << 4) | ((magnitude >> (segment + 3)) & 0x0f);
  }
  // Even bits are inverted on the line (G.711 Table 1, the 0x55 pattern); the sign bit is 1 for positive.
  return code ^ (sample >= 0 ? 0xd5 : 0x55);
}

/** Decodes one A-law byte with the segment arithmetic (used to build the table). */
function computeAlawDecode(code: number): number {
  const value = code ^ 0x55;
  const segment = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude = segment === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (segment - 1);
  return (value & 0x80) !== 0 ? magnitude : -magnitude;
}

/** µ-law byte -> 16-bit linear sample. */
export const MULAW_DECODE_TABLE: Readonly<Int16Array> = Int16Array.from({ length: 256 }, (_, code) =>
  computeMulawDecode(code),
);

/** A-law byte -> 16-bit linear sample. */
export const ALAW_DECODE_TABLE: Readonly<Int16Array> = Int16Array.from({ length: 256 }, (_, code) =>
  computeAlawDecode(code),
);

/** 16-bit linear sample (as its unsigned 16-bit pattern, `sample & 0xffff`) -> µ-law byte. */
export const MULAW_ENCODE_TABLE: Readonly<Uint8Array> = Uint8Array.from({ length: 65_536 }, (_, pattern) =>
  computeMulaw((pattern << 16) >> 16),
);

/** 16-bit linear sample (as its unsigned 16-bit pattern, `sample & 0xffff`) -> A-law byte. */
export const ALAW_ENCODE_TABLE: Readonly<Uint8Array> = Uint8Array.from({ length: 65_536 }, (_, pattern) =>
  computeAlaw((pattern << 16) >> 16),
);

/**
 * µ-law byte -> A-law byte, through the linear value (decode then re-encode). G.711 Tables 3 and 4
 * give hand-tuned tables that can differ from this by one step for a few quiet codes; going
 * through the linear domain keeps every conversion within one quantization step of the source.
 */
export const MULAW_TO_ALAW_TABLE: Readonly<Uint8Array> = Uint8Array.from(
  { length: 256 },
  (_, code) => ALAW_ENCODE_TABLE[(MULAW_DECODE_TABLE[code] ?? 0) & 0xffff] ?? 0,
);

/** A-law byte -> µ-law byte, through the linear value. */
export const ALAW_TO_MULAW_TABLE: Readonly<Uint8Array> = Uint8Array.from(
  { length: 256 },
  (_, code) => MULAW_ENCODE_TABLE[(ALAW_DECODE_TABLE[code] ?? 0) & 0xffff] ?? 0,
);

/** The µ-law byte for one 16-bit sample. */
export function linearToMulaw(sample: number): number {
  return MULAW_ENCODE_TABLE[sample & 0xffff] ?? 0xff;
}

/** The 16-bit sample for one µ-law byte. */
export function mulawToLinear(code: number): number {
  return MULAW_DECODE_TABLE[code & 0xff] ?? 0;
}

/** The A-law byte for one 16-bit sample. */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE_TABLE[sample & 0xffff] ?? 0xd5;
}

/** The 16-bit sample for one A-law byte. */
export function alawToLinear(code: number): number {
  return ALAW_DECODE_TABLE[code & 0xff] ?? 0;
}

/** The two G.711 laws, by the names SDP uses for their static payload types 0 and 8. */
export type G711Law = 'pcmu' | 'pcma';

/**
 * Encodes `count` samples from `source` into `target` (both from index 0). No allocation: the media
 * loop passes the same buffers every packet. Returns the number of bytes written.
 */
export function encodeG711(
  law: G711Law,
  source: Int16Array,
  target: Uint8Array,
  count: number = source.length,
): number {
  const table = law === 'pcmu' ? MULAW_ENCODE_TABLE : ALAW_ENCODE_TABLE;
  const n = Math.min(count, source.length, target.length);
  for (let i = 0; i < n; i++) target[i] = table[(source[i] ?? 0) & 0xffff] ?? 0;
  return n;
}

/**
 * Decodes `count` bytes of `source` from `sourceOffset` into `target` from `targetOffset`; returns the samples
 * written. The offsets let a caller decode an RTP payload where it lies in the datagram, straight into a
 * jitter buffer's ring, without a view object per packet.
 */
export function decodeG711(
  law: G711Law,
  source: Uint8Array,
  target: Int16Array,
  count: number = source.length,
  sourceOffset = 0,
  targetOffset = 0,
): number {
  const table = law === 'pcmu' ? MULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
  const n = Math.max(0, Math.min(count, source.length - sourceOffset, target.length - targetOffset));
  for (let i = 0; i < n; i++) target[targetOffset + i] = table[source[sourceOffset + i] ?? 0] ?? 0;
  return n;
}

/**
 * Converts G.711 bytes from one law to the other in one table lookup per byte, for legs whose
 * codecs differ. `source` and `target` may be the same buffer (in-place). Returns bytes written.
 */
export function transcodeG711(
  from: G711Law,
  source: Uint8Array,
  target: Uint8Array,
  count: number = source.length,
): number {
  const n = Math.min(count, source.length, target.length);
  if (from === 'pcmu') {
    for (let i = 0; i < n; i++) target[i] = MULAW_TO_ALAW_TABLE[source[i] ?? 0] ?? 0;
  } else {
    for (let i = 0; i < n; i++) target[i] = ALAW_TO_MULAW_TABLE[source[i] ?? 0] ?? 0;
  }
  return n;
}

/** The G.711 byte for digital silence in each law (positive zero). */
export function g711SilenceByte(law: G711Law): number {
  return law === 'pcmu' ? 0xff : 0xd5;
}
