import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';
import type { NtpTimestamp } from './ntp-time.ts';

/** RTCP packet types (RFC 3550 §12.1). */
const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;

/** One reception report block (RFC 3550 §6.4.1), 24 bytes on the wire. */
export interface RtcpReportBlock {
  /** The source this block reports on. */
  readonly ssrc: number;
  /** Fraction of packets lost since the previous report, as an 8-bit fixed-point number (x/256). */
  readonly fractionLost: number;
  /** Packets lost since the start, signed 24-bit (duplicates can make it negative). */
  readonly cumulativeLost: number;
  /** Highest sequence number received, with the wrap count in the upper 16 bits. */
  readonly extendedHighestSequence: number;
  /** Interarrival jitter in RTP timestamp units (RFC 3550 A.8). */
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from this source; 0 if none. */
  readonly lastSenderReport: number;
  /** Delay since that SR was received, in units of 1/65536 s; 0 if none. */
  readonly delaySinceLastSenderReport: number;
}

/** Sender report (RFC 3550 §6.4.1). */
export interface RtcpSenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly ntp: NtpTimestamp;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly RtcpReportBlock[];
  /** Profile-specific extension after the report blocks (usually empty). */
  readonly profileExtension: Uint8Array;
}

/** Receiver report (RFC 3550 §6.4.2). */
export interface RtcpReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly RtcpReportBlock[];
  readonly profileExtension: Uint8Array;
}

/** SDES item types (RFC 3550 §6.5), by their codes 1-8. */
export type SdesItemType = 'cname' | 'name' | 'email' | 'phone' | 'loc' | 'tool' | 'note' | 'priv';

const sdesItemCodes: Record<SdesItemType, number> = {
  cname: 1,
  name: 2,
  email: 3,
  phone: 4,
  loc: 5,
  tool: 6,
  note: 7,
  priv: 8,
};
const sdesItemTypes: readonly SdesItemType[] = [
  'cname',
  'name',
  'email',
  'phone',
  'loc',
  'tool',
  'note',
  'priv',
];

/** One SDES item; the text is UTF-8 on the wire, at most 255 bytes. */
export interface SdesItem {
  readonly type: SdesItemType;
  readonly text: string;
}

/** The items describing one source. */
export interface SdesChunk {
  readonly ssrc: number;
  readonly items: readonly SdesItem[];
}

/** Source description (RFC 3550 §6.5). */
export interface RtcpSourceDescription {
  readonly type: 'sdes';
  readonly chunks: readonly SdesChunk[];
}

/** Goodbye (RFC 3550 §6.6). */
export interface RtcpBye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason: string | undefined;
}

/** Any other RTCP packet (APP, feedback, XR...), kept as its count field and body. */
export interface RtcpOtherPacket {
  readonly type: 'other';
  readonly packetType: number;
  readonly count: number;
  readonly body: Uint8Array;
}

/** One packet of a compound RTCP packet. */
export type RtcpPacket =
  RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpBye | RtcpOtherPacket;

/** Parse options: RFC 3550 requires compound packets; RFC 5506 reduced-size RTCP relaxes that. */
export interface RtcpParseOptions {
  readonly isCompoundRequired?: boolean;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

function readReportBlocks(body: Uint8Array, offset: number, count: number): RtcpReportBlock[] {
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 24 * i;
    const lostRaw = ((body[at + 5] ?? 0) << 16) | ((body[at + 6] ?? 0) << 8) | (body[at + 7] ?? 0);
    reports.push({
      ssrc: readUint32(body, at),
      fractionLost: body[at + 4] ?? 0,
      cumulativeLost: (lostRaw << 8) >> 8, // sign-extend 24 bits
      extendedHighestSequence: readUint32(body, at + 8),
      jitter: readUint32(body, at + 12),
      lastSenderReport: readUint32(body, at + 16),
      delaySinceLastSenderReport: readUint32(body, at + 20),
    });
  }
  return reports;
}

function truncated(what: string): MediaError {
  return mediaError('MEDIA_RTCP_TRUNCATED', `RTCP ${what} is shorter than its counts say`);
}

/** Parses the body (after the 4-byte header, without padding) of one RTCP packet. */
function parseOne(packetType: number, count: number, body: Uint8Array): Result<RtcpPacket, MediaError> {
  switch (packetType) {
    case PT_SR: {
      if (body.length < 24 + 24 * count) return err(truncated('sender report'));
      return ok({
        type: 'sr',
        ssrc: readUint32(body, 0),
        ntp: { seconds: readUint32(body, 4), fraction: readUint32(body, 8) },
        rtpTimestamp: readUint32(body, 12),
        packetCount: readUint32(body, 16),
        octetCount: readUint32(body, 20),
        reports: readReportBlocks(body, 24, count),
        profileExtension: body.subarray(24 + 24 * count),
      });
    }
    case PT_RR: {
      if (body.length < 4 + 24 * count) return err(truncated('receiver report'));
      return ok({
        type: 'rr',
        ssrc: readUint32(body, 0),
        reports: readReportBlocks(body, 4, count),
        profileExtension: body.subarray(4 + 24 * count),
      });
    }
    case PT_SDES: {
      const chunks: SdesChunk[] = [];
      let at = 0;
      for (let c = 0; c < count; c++) {
        if (at + 4 > body.length) return err(truncated('SDES'));
        const ssrc = readUint32(body, at);
        at += 4;
        const items: SdesItem[] = [];
        // Items until a null octet; then skip to the next 32-bit boundary (RFC 3550 §6.5).
        for (;;) {
          if (at >= body.length) return err(truncated('SDES'));
          const code = body[at] ?? 0;
          if (code === 0) break;
          const length = body[at + 1];
          if (length === undefined || at + 2 + length > body.length) return err(truncated('SDES item'));
          const type = sdesItemTypes[code - 1];
          // Unknown item types are skipped, as RFC 3550 §6.5 asks of receivers.
          if (type !== undefined) {
            items.push({ type, text: utf8Decoder.decode(body.subarray(at + 2, at + 2 + length)) });
          }
          at += 2 + length;
        }
        at = (at + 4) & ~3;
        chunks.push({ ssrc, items });
      }
      return ok({ type: 'sdes', chunks });
    }
    case PT_BYE: {
      if (body.length < 4 * count) return err(truncated('BYE'));
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(readUint32(body, 4 * i));
      let reason: string | undefined;
      const at = 4 * count;
      if (at < body.length) {
        const length = body[at] ?? 0;
        if (at + 1 + length > body.length) return err(truncated('BYE reason'));
        reason = utf8Decoder.decode(body.subarray(at + 1, at + 1 + length));
      }
      return ok({ type: 'bye', ssrcs, reason });
    }
    default:
      return ok({ type: 'other', packetType, count, body });
  }
}

/**
 * Parses a compound RTCP packet (RFC 3550 §6.1) with the validity checks of Appendix A.2: every
 * packet is version 2, only the last one may be padded, the length fields add up to the datagram,
 * and (unless reduced-size RTCP is allowed) the first packet is an SR or RR. Never throws.
 */
export function parseRtcpCompound(
  bytes: Uint8Array,
  options: RtcpParseOptions = {},
): Result<readonly RtcpPacket[], MediaError> {
  const packets: RtcpPacket[] = [];
  let offset = 0;
  if (bytes.length < 4) return err(mediaError('MEDIA_RTCP_TRUNCATED', 'RTCP datagram shorter than a header'));
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return err(mediaError('MEDIA_RTCP_TRUNCATED', 'RTCP header cut short'));
    const first = bytes[offset] ?? 0;
    if (first >> 6 !== 2) return err(mediaError('MEDIA_RTCP_BAD_VERSION', 'RTCP version is not 2'));
    const count = first & 0x1f;
    const packetType = bytes[offset + 1] ?? 0;
    const lengthBytes = 4 * ((((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) + 1);
    const end = offset + lengthBytes;
    if (end > bytes.length)
      return err(mediaError('MEDIA_RTCP_TRUNCATED', 'RTCP length runs past the datagram'));
    let bodyEnd = end;
    if ((first & 0x20) !== 0) {
      if (end !== bytes.length) {
        return err(
          mediaError('MEDIA_RTCP_BAD_PADDING', 'only the last RTCP packet of a compound may be padded'),
        );
      }
      const padding = bytes[end - 1] ?? 0;
      if (padding === 0 || padding > lengthBytes - 4) {
        return err(mediaError('MEDIA_RTCP_BAD_PADDING', 'RTCP padding count is 0 or too large'));
      }
      bodyEnd = end - padding;
    }
    if (
      packets.length === 0 &&
      options.isCompoundRequired !== false &&
      packetType !== PT_SR &&
      packetType !== PT_RR
    ) {
      return err(mediaError('MEDIA_RTCP_NOT_COMPOUND', 'a compound RTCP packet must start with SR or RR'));
    }
    const parsed = parseOne(packetType, count, bytes.subarray(offset + 4, bodyEnd));
    if (!parsed.ok) return parsed;
    packets.push(parsed.value);
    offset = end;
  }
  return ok(packets);
}

function isUint(value: number, bits: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

function outOfRange(field: string): MediaError {
  return mediaError('MEDIA_RTCP_FIELD_OUT_OF_RANGE', `${field} does not fit its RTCP field`, field);
}

function checkReportBlocks(reports: readonly RtcpReportBlock[]): MediaError | undefined {
  if (reports.length > 31) return outOfRange('reports');
  for (const r of reports) {
    if (!isUint(r.ssrc, 32) || !isUint(r.fractionLost, 8) || !isUint(r.extendedHighestSequence, 32)) {
      return outOfRange('reports');
    }
    if (
      !isUint(r.jitter, 32) ||
      !isUint(r.lastSenderReport, 32) ||
      !isUint(r.delaySinceLastSenderReport, 32)
    ) {
      return outOfRange('reports');
    }
    if (
      !Number.isInteger(r.cumulativeLost) ||
      r.cumulativeLost < -0x80_0000 ||
      r.cumulativeLost > 0x7f_ffff
    ) {
      return outOfRange('reports.cumulativeLost');
    }
  }
  return undefined;
}

function writeReportBlocks(target: Uint8Array, offset: number, reports: readonly RtcpReportBlock[]): void {
  reports.forEach((r, i) => {
    const at = offset + 24 * i;
    writeUint32(target, at, r.ssrc);
    writeUint32(target, at + 4, ((r.fractionLost & 0xff) << 24) | (r.cumulativeLost & 0xff_ffff));
    writeUint32(target, at + 8, r.extendedHighestSequence);
    writeUint32(target, at + 12, r.jitter);
    writeUint32(target, at + 16, r.lastSenderReport);
    writeUint32(target, at + 20, r.delaySinceLastSenderReport);
  });
}

/** Encodes one packet's body and count field (the header is added by the caller). */
function encodeBody(
  packet: RtcpPacket,
): Result<{ count: number; packetType: number; body: Uint8Array }, MediaError> {
  switch (packet.type) {
    case 'sr': {
      const problem = checkReportBlocks(packet.reports);
      if (problem !== undefined) return err(problem);
      if (packet.profileExtension.length % 4 !== 0) return outOfRangeResult('profileExtension');
      const body = new Uint8Array(24 + 24 * packet.reports.length + packet.profileExtension.length);
      writeUint32(body, 0, packet.ssrc);
      writeUint32(body, 4, packet.ntp.seconds);
      writeUint32(body, 8, packet.ntp.fraction);
      writeUint32(body, 12, packet.rtpTimestamp);
      writeUint32(body, 16, packet.packetCount);
      writeUint32(body, 20, packet.octetCount);
      writeReportBlocks(body, 24, packet.reports);
      body.set(packet.profileExtension, 24 + 24 * packet.reports.length);
      return ok({ count: packet.reports.length, packetType: PT_SR, body });
    }
    case 'rr': {
      const problem = checkReportBlocks(packet.reports);
      if (problem !== undefined) return err(problem);
      if (packet.profileExtension.length % 4 !== 0) return outOfRangeResult('profileExtension');
      const body = new Uint8Array(4 + 24 * packet.reports.length + packet.profileExtension.length);
      writeUint32(body, 0, packet.ssrc);
      writeReportBlocks(body, 4, packet.reports);
      body.set(packet.profileExtension, 4 + 24 * packet.reports.length);
      return ok({ count: packet.reports.length, packetType: PT_RR, body });
    }
    case 'sdes': {
      if (packet.chunks.length > 31) return outOfRangeResult('chunks');
      const encoded = packet.chunks.map((chunk) => ({
        ssrc: chunk.ssrc,
        items: chunk.items.map((item) => ({
          code: sdesItemCodes[item.type],
          text: utf8Encoder.encode(item.text),
        })),
      }));
      let size = 0;
      for (const chunk of encoded) {
        if (chunk.items.some((item) => item.text.length > 255)) return outOfRangeResult('chunks.items.text');
        const itemsBytes = chunk.items.reduce((sum, item) => sum + 2 + item.text.length, 0);
        // At least one null octet ends the item list, then pad to a 32-bit boundary.
        size += 4 + ((itemsBytes + 4) & ~3);
      }
      const body = new Uint8Array(size);
      let at = 0;
      for (const chunk of encoded) {
        writeUint32(body, at, chunk.ssrc);
        at += 4;
        const start = at;
        for (const item of chunk.items) {
          body[at] = item.code;
          body[at + 1] = item.text.length;
          body.set(item.text, at + 2);
          at += 2 + item.text.length;
        }
        at = start + ((at - start + 4) & ~3);
      }
      return ok({ count: packet.chunks.length, packetType: PT_SDES, body });
    }
    case 'bye': {
      if (packet.ssrcs.length > 31) return outOfRangeResult('ssrcs');
      const reason = packet.reason === undefined ? undefined : utf8Encoder.encode(packet.reason);
      if (reason !== undefined && reason.length > 255) return outOfRangeResult('reason');
      const reasonBytes = reason === undefined ? 0 : (reason.length + 1 + 3) & ~3;
      const body = new Uint8Array(4 * packet.ssrcs.length + reasonBytes);
      packet.ssrcs.forEach((ssrc, i) => {
        writeUint32(body, 4 * i, ssrc);
      });
      if (reason !== undefined) {
        body[4 * packet.ssrcs.length] = reason.length;
        body.set(reason, 4 * packet.ssrcs.length + 1);
      }
      return ok({ count: packet.ssrcs.length, packetType: PT_BYE, body });
    }
    case 'other': {
      if (!isUint(packet.count, 5) || !isUint(packet.packetType, 8)) return outOfRangeResult('count');
      if (packet.body.length % 4 !== 0) return outOfRangeResult('body');
      return ok({ count: packet.count, packetType: packet.packetType, body: packet.body });
    }
  }
}

function outOfRangeResult(field: string): { readonly ok: false; readonly error: MediaError } {
  return err(outOfRange(field));
}

/**
 * Builds a compound RTCP packet. RFC 3550 §6.1 wants an SR or RR first and an SDES with a CNAME in
 * every compound; the order given is kept, so the caller decides (reduced-size RTCP is possible).
 */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Result<Uint8Array, MediaError> {
  const parts: { count: number; packetType: number; body: Uint8Array }[] = [];
  for (const packet of packets) {
    const encoded = encodeBody(packet);
    if (!encoded.ok) return encoded;
    if (encoded.value.body.length / 4 > 0xffff) return outOfRangeResult('length');
    parts.push(encoded.value);
  }
  const total = parts.reduce((sum, part) => sum + 4 + part.body.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes[at] = 0x80 | part.count;
    bytes[at + 1] = part.packetType;
    const words = part.body.length / 4;
    bytes[at + 2] = words >>> 8;
    bytes[at + 3] = words;
    bytes.set(part.body, at + 4);
    at += 4 + part.body.length;
  }
  return ok(bytes);
}
