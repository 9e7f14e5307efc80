import type { DomainError } from '@centralita/kernel';
import { domainError } from '@centralita/kernel';

/**
 * Every expected failure of the media package, with a stable code. Parsers return these as values: a
 * malformed packet from the network is an everyday event, not an exception.
 */
export const mediaErrorCodes = [
  /** Fewer bytes than the fixed RTP header, or the CSRC list / header extension run past the end. */
  'MEDIA_RTP_TRUNCATED',
  /** The version field is not 2 (RFC 3550 §5.1). */
  'MEDIA_RTP_BAD_VERSION',
  /** The P bit is set but the padding count is 0 or larger than the space after the header. */
  'MEDIA_RTP_BAD_PADDING',
  /** A field given to the serializer does not fit its width (PT 7 bits, seq 16, timestamp 32...). */
  'MEDIA_RTP_FIELD_OUT_OF_RANGE',
  /** The output buffer cannot hold the packet. */
  'MEDIA_RTP_BUFFER_TOO_SMALL',
  /** An RTCP packet is shorter than its header or its length field says. */
  'MEDIA_RTCP_TRUNCATED',
  /** An RTCP packet's version is not 2. */
  'MEDIA_RTCP_BAD_VERSION',
  /** An RTCP padding count is invalid, or padding appears in a packet that is not the last (RFC 3550 A.2). */
  'MEDIA_RTCP_BAD_PADDING',
  /** A compound RTCP packet does not start with SR or RR (RFC 3550 §6.1). */
  'MEDIA_RTCP_NOT_COMPOUND',
  /** A count, text or field given to the RTCP builder does not fit its width. */
  'MEDIA_RTCP_FIELD_OUT_OF_RANGE',
  /** A telephone-event payload is not a whole number of 4-byte blocks (RFC 4733 §2.3). */
  'MEDIA_DTMF_BAD_PAYLOAD',
  /** A character that is not one of 0-9, *, #, A-D. */
  'MEDIA_DTMF_UNKNOWN_DIGIT',
  /** A DTMF duration or packet interval that is not a positive number. */
  'MEDIA_DTMF_BAD_DURATION',
  /** The bytes do not start with a RIFF/WAVE header. */
  'MEDIA_WAV_NOT_RIFF',
  /** No usable `fmt ` chunk before the data. */
  'MEDIA_WAV_NO_FORMAT',
  /** No `data` chunk. */
  'MEDIA_WAV_NO_DATA',
  /** A format tag or sample width this reader does not decode. */
  'MEDIA_WAV_UNSUPPORTED_FORMAT',
  /** A sample rate or channel count that cannot be right (0 channels, rate 0...). */
  'MEDIA_WAV_BAD_FORMAT',
  /** A resampler rate that is not a positive integer. */
  'MEDIA_RESAMPLE_BAD_RATE',
  /** The mixer has no free slot for another participant. */
  'MEDIA_MIXER_FULL',
  /** No participant with that id is in the mixer. */
  'MEDIA_MIXER_UNKNOWN_PARTICIPANT',
  /** A participant with that id is already in the mixer. */
  'MEDIA_MIXER_DUPLICATE_PARTICIPANT',
] as const;

/** A stable media error code. */
export type MediaErrorCode = (typeof mediaErrorCodes)[number];

/** A media failure value. */
export type MediaError = DomainError<MediaErrorCode>;

/** Builds a media failure value. */
export function mediaError(code: MediaErrorCode, message: string, field?: string): MediaError {
  return domainError(code, message, field);
}
