import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError, MediaErrorCode } from './errors.ts';
import { mediaError } from './errors.ts';

/** The fixed part of an RTP header, before any CSRC (RFC 3550 §5.1). */
export const RTP_FIXED_HEADER_BYTES = 12;

/** An RTP header extension (RFC 3550 §5.3.1): a 16-bit profile-defined id and whole 32-bit words. */
export interface RtpHeaderExtension {
  readonly profile: number;
  /** The extension body, a multiple of 4 bytes long. */
  readonly data: Uint8Array;
}

/** A parsed RTP packet (RFC 3550 §5.1). `payload` is a view into the parsed bytes, not a copy. */
export interface RtpPacket {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly isMarker: boolean;
  readonly csrcs: readonly number[];
  readonly extension: RtpHeaderExtension | undefined;
  /** Padding octets after the payload, including the count octet itself; 0 when the P bit is clear. */
  readonly paddingBytes: number;
  readonly payload: Uint8Array;
}

/** What the packet builder needs; omitted CSRCs, extension and padding mean none. */
export interface RtpPacketFields {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly isMarker?: boolean;
  readonly csrcs?: readonly number[];
  readonly extension?: RtpHeaderExtension;
  /** Total padding octets to append (1..255), the last one holding the count. */
  readonly paddingBytes?: number;
  readonly payload: Uint8Array;
}

/** Why an RTP packet could not be read. */
export type RtpReadError = Extract<
  MediaErrorCode,
  'MEDIA_RTP_TRUNCATED' | 'MEDIA_RTP_BAD_VERSION' | 'MEDIA_RTP_BAD_PADDING'
>;

/** The outcome of an allocation-free header read: 'ok' or the reason the packet is malformed. */
export type RtpReadStatus = 'ok' | RtpReadError;

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

/**
 * A reusable, mutable view of one RTP header. The media loop keeps one per socket and calls `read`
 * for every datagram: no object is created per packet, and the payload is found by offset and
 * length into the datagram the socket gave us.
 */
export class RtpHeaderView {
  payloadType = 0;
  sequenceNumber = 0;
  timestamp = 0;
  ssrc = 0;
  isMarker = false;
  csrcCount = 0;
  hasExtension = false;
  extensionProfile = 0;
  /** Offset of the extension body (after its 4-byte header) and its length in bytes. */
  extensionOffset = 0;
  extensionLength = 0;
  paddingBytes = 0;
  payloadOffset = 0;
  payloadLength = 0;

  /**
   * Reads the header of `bytes` into this view. Validation follows RFC 3550 §5.1 and the checks of
   * A.1 that need only the packet: version 2, the CSRC list and extension inside the packet, and a
   * padding count that is neither 0 nor larger than what follows the header.
   */
  read(bytes: Uint8Array): RtpReadStatus {
    const length = bytes.length;
    if (length < RTP_FIXED_HEADER_BYTES) return 'MEDIA_RTP_TRUNCATED';
    const first = bytes[0] ?? 0;
    if (first >> 6 !== 2) return 'MEDIA_RTP_BAD_VERSION';
    const hasPadding = (first & 0x20) !== 0;
    this.hasExtension = (first & 0x10) !== 0;
    this.csrcCount = first & 0x0f;
    const second = bytes[1] ?? 0;
    this.isMarker = (second & 0x80) !== 0;
    this.payloadType = second & 0x7f;
    this.sequenceNumber = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
    this.timestamp = readUint32(bytes, 4);
    this.ssrc = readUint32(bytes, 8);
    let offset = RTP_FIXED_HEADER_BYTES + 4 * this.csrcCount;
    if (offset > length) return 'MEDIA_RTP_TRUNCATED';
    this.extensionProfile = 0;
    this.extensionOffset = 0;
    this.extensionLength = 0;
    if (this.hasExtension) {
      if (offset + 4 > length) return 'MEDIA_RTP_TRUNCATED';
      this.extensionProfile = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
      this.extensionLength = 4 * (((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0));
      this.extensionOffset = offset + 4;
      offset += 4 + this.extensionLength;
      if (offset > length) return 'MEDIA_RTP_TRUNCATED';
    }
    this.paddingBytes = 0;
    if (hasPadding) {
      const count = bytes[length - 1] ?? 0;
      if (count === 0 || count > length - offset) return 'MEDIA_RTP_BAD_PADDING';
      this.paddingBytes = count;
    }
    this.payloadOffset = offset;
    this.payloadLength = length - offset - this.paddingBytes;
    return 'ok';
  }

  /** The i-th contributing source of the packet last read from `bytes`. */
  csrc(bytes: Uint8Array, index: number): number {
    return readUint32(bytes, RTP_FIXED_HEADER_BYTES + 4 * index);
  }
}

const readMessages: Record<RtpReadError, string> = {
  MEDIA_RTP_TRUNCATED: 'RTP packet shorter than its header says',
  MEDIA_RTP_BAD_VERSION: 'RTP version is not 2',
  MEDIA_RTP_BAD_PADDING: 'RTP padding count is 0 or runs into the header',
};

/**
 * Parses an RTP packet into a value. Malformed input gives an error value, never a throw. The
 * payload, CSRCs and extension data are views into `bytes`; copy them if the buffer will be reused.
 */
export function parseRtpPacket(bytes: Uint8Array): Result<RtpPacket, MediaError> {
  const view = new RtpHeaderView();
  const status = view.read(bytes);
  if (status !== 'ok') return err(mediaError(status, readMessages[status]));
  const csrcs: number[] = [];
  for (let i = 0; i < view.csrcCount; i++) csrcs.push(view.csrc(bytes, i));
  return ok({
    payloadType: view.payloadType,
    sequenceNumber: view.sequenceNumber,
    timestamp: view.timestamp,
    ssrc: view.ssrc,
    isMarker: view.isMarker,
    csrcs,
    extension: view.hasExtension
      ? {
          profile: view.extensionProfile,
          data: bytes.subarray(view.extensionOffset, view.extensionOffset + view.extensionLength),
        }
      : undefined,
    paddingBytes: view.paddingBytes,
    payload: bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength),
  });
}

/** The size in bytes `writeRtpPacket` needs for these fields. */
export function rtpPacketLength(fields: RtpPacketFields): number {
  const csrcBytes = 4 * (fields.csrcs?.length ?? 0);
  const extensionBytes = fields.extension === undefined ? 0 : 4 + fields.extension.data.length;
  return (
    RTP_FIXED_HEADER_BYTES + csrcBytes + extensionBytes + fields.payload.length + (fields.paddingBytes ?? 0)
  );
}

function isUint(value: number, bits: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

function checkFields(fields: RtpPacketFields): MediaError | undefined {
  const outOfRange = (field: string): MediaError =>
    mediaError('MEDIA_RTP_FIELD_OUT_OF_RANGE', `${field} does not fit its RTP field`, field);
  if (!isUint(fields.payloadType, 7)) return outOfRange('payloadType');
  if (!isUint(fields.sequenceNumber, 16)) return outOfRange('sequenceNumber');
  if (!isUint(fields.timestamp, 32)) return outOfRange('timestamp');
  if (!isUint(fields.ssrc, 32)) return outOfRange('ssrc');
  const csrcs = fields.csrcs ?? [];
  if (csrcs.length > 15 || !csrcs.every((c) => isUint(c, 32))) return outOfRange('csrcs');
  if (fields.extension !== undefined) {
    const { profile, data } = fields.extension;
    if (!isUint(profile, 16) || data.length % 4 !== 0 || data.length / 4 > 0xffff)
      return outOfRange('extension');
  }
  if (fields.paddingBytes !== undefined && fields.paddingBytes !== 0 && !isUint(fields.paddingBytes - 1, 8)) {
    return outOfRange('paddingBytes');
  }
  return undefined;
}

/**
 * Writes a complete RTP packet into `target` at `offset` and returns the bytes written. Checked:
 * every field must fit its width, and the buffer must be large enough.
 */
export function writeRtpPacket(
  fields: RtpPacketFields,
  target: Uint8Array,
  offset = 0,
): Result<number, MediaError> {
  const problem = checkFields(fields);
  if (problem !== undefined) return err(problem);
  const length = rtpPacketLength(fields);
  if (offset + length > target.length) {
    return err(mediaError('MEDIA_RTP_BUFFER_TOO_SMALL', `RTP packet needs ${length} bytes`));
  }
  const csrcs = fields.csrcs ?? [];
  const padding = fields.paddingBytes ?? 0;
  target[offset] =
    0x80 | (padding > 0 ? 0x20 : 0) | (fields.extension === undefined ? 0 : 0x10) | csrcs.length;
  target[offset + 1] = (fields.isMarker === true ? 0x80 : 0) | fields.payloadType;
  target[offset + 2] = fields.sequenceNumber >>> 8;
  target[offset + 3] = fields.sequenceNumber;
  writeUint32(target, offset + 4, fields.timestamp);
  writeUint32(target, offset + 8, fields.ssrc);
  let at = offset + RTP_FIXED_HEADER_BYTES;
  for (const csrc of csrcs) {
    writeUint32(target, at, csrc);
    at += 4;
  }
  if (fields.extension !== undefined) {
    const { profile, data } = fields.extension;
    target[at] = profile >>> 8;
    target[at + 1] = profile;
    target[at + 2] = (data.length / 4) >>> 8;
    target[at + 3] = data.length / 4;
    target.set(data, at + 4);
    at += 4 + data.length;
  }
  target.set(fields.payload, at);
  at += fields.payload.length;
  if (padding > 0) {
    target.fill(0, at, at + padding - 1);
    target[at + padding - 1] = padding;
    at += padding;
  }
  return ok(at - offset);
}

/** Serializes an RTP packet into a new buffer (for tests and control paths; the media loop uses `writeRtpPacket`). */
export function serializeRtpPacket(fields: RtpPacketFields): Result<Uint8Array, MediaError> {
  const bytes = new Uint8Array(rtpPacketLength(fields));
  const written = writeRtpPacket(fields, bytes);
  return written.ok ? ok(bytes) : written;
}

/**
 * Writes the 12-byte fixed header (no CSRC, no extension, no padding) in front of a payload the
 * caller has already placed at `target[offset + 12]`. This is the relay's per-packet path: plain
 * numbers in, no validation beyond masking each field to its width, no allocation. Returns 12.
 */
export function writeRtpFixedHeader(
  target: Uint8Array,
  offset: number,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  isMarker: boolean,
): number {
  target[offset] = 0x80;
  target[offset + 1] = (isMarker ? 0x80 : 0) | (payloadType & 0x7f);
  target[offset + 2] = (sequenceNumber >>> 8) & 0xff;
  target[offset + 3] = sequenceNumber & 0xff;
  writeUint32(target, offset + 4, timestamp >>> 0);
  writeUint32(target, offset + 8, ssrc >>> 0);
  return RTP_FIXED_HEADER_BYTES;
}
