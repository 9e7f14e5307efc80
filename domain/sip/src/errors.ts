/**
 * Every error code the SIP package produces, with what it means. Parse and framing codes come back in a
 * `SipParseError` or `FramerError` (with the status a UAS answers, when it answers); classifier codes come
 * back in a `respond` or `drop` verdict; SDP and digest codes come back from their functions as values.
 */
export const sipErrors = {
  // Framing and start line (RFC 3261 §7, §7.5, §18.3, §25).
  SIP_EMPTY_MESSAGE: 'Nothing but line breaks: a keep-alive, not a message (RFC 3261 §7.5, RFC 5626 §3.5.1).',
  SIP_HEADER_SECTION_UNTERMINATED: 'The header section does not end with an empty line.',
  SIP_HEADER_SECTION_TOO_LARGE: 'The header section is larger than the configured limit.',
  SIP_MESSAGE_TOO_LARGE: 'Header section plus Content-Length is larger than the configured limit.',
  SIP_INVALID_UTF8: 'The header section is not valid UTF-8 (RFC 3261 §25: TEXT-UTF8).',
  SIP_MALFORMED_START_LINE: 'The Request-Line or Status-Line does not follow RFC 3261 §7.1/§7.2.',
  SIP_VERSION_NOT_SUPPORTED: 'The message is not SIP/2.0 (answered with 505).',
  SIP_MALFORMED_REQUEST_URI: 'The Request-URI is not a valid SIP, SIPS or absolute URI.',
  SIP_INVALID_STATUS_CODE: 'The status code is not three digits from 100 to 699.',
  SIP_MALFORMED_HEADER_LINE: 'A header line has no colon, an empty or non-token name, or a stray CR.',
  SIP_MALFORMED_HEADER: 'A header the core needs does not follow its grammar (RFC 3261 §20, §25).',
  SIP_MISSING_HEADER: 'A mandatory header (Via, From, To, Call-ID, CSeq) is missing (RFC 3261 §8.1.1).',
  SIP_DUPLICATE_HEADER: 'A header that may appear only once appears several times (RFC 4475 §3.3.8, §3.3.9).',
  SIP_INVALID_CONTENT_LENGTH: 'Content-Length is not a non-negative decimal integer (RFC 3261 §20.14).',
  SIP_CONTENT_LENGTH_EXCEEDS_BODY: 'Content-Length is larger than the bytes that follow the headers.',
  SIP_MISSING_CONTENT_LENGTH: 'A message on a stream transport has no Content-Length (RFC 3261 §18.3).',

  // What a UAS answers to a well-formed request (RFC 3261 §8.2).
  SIP_METHOD_NOT_IMPLEMENTED: 'The method is not one this element recognises (501, RFC 3261 §8.2.1).',
  SIP_METHOD_NOT_ALLOWED: 'The method is recognised but not supported here (405, RFC 3261 §8.2.1).',
  SIP_CSEQ_METHOD_MISMATCH: 'The CSeq method differs from the Request-Line method (RFC 3261 §8.1.1.5).',
  SIP_UNSUPPORTED_URI_SCHEME: 'The Request-URI scheme is not supported (416, RFC 3261 §8.2.2.1).',
  SIP_REQUEST_URI_HEADERS: 'The Request-URI carries URI headers, which RFC 3261 §19.1.1 forbids there.',
  SIP_TOO_MANY_HOPS: 'Max-Forwards is 0 on a request this element would forward (483, RFC 3261 §16.3).',
  SIP_BAD_EXTENSION: 'Require names an option tag this element does not support (420, RFC 3261 §8.2.2.3).',
  SIP_MISSING_CONTENT_TYPE: 'The request has a body but no Content-Type (RFC 3261 §20.15).',
  SIP_UNSUPPORTED_MEDIA_TYPE: 'The body type is not one this element accepts (415, RFC 3261 §8.2.3).',
  SIP_NOT_ACCEPTABLE: 'Accept excludes the body type the response must carry (406, RFC 3261 §21.4.7).',
  SIP_RESPONSE_WITH_SEVERAL_VIAS:
    'A response reached a UAC with more than one Via (discarded, RFC 3261 §8.1.3.3).',
  SIP_UNANSWERABLE_REQUEST: 'A malformed request without a Via, or an ACK: no response can be sent.',

  // SDP (RFC 4566, RFC 3264).
  SIP_SDP_MALFORMED: 'The SDP body does not follow RFC 4566 (a bad line, a missing v=, o=, s= or m= field).',
  SIP_SDP_NO_COMMON_CODEC: 'No audio stream of the offer has a codec in common with us (488).',
  SIP_SDP_NO_CONNECTION_ADDRESS: 'An accepted stream has no c= line at media or session level.',

  // Digest authentication (RFC 7616, RFC 8760).
  SIP_DIGEST_MALFORMED: 'The Authorization or WWW-Authenticate value does not follow RFC 7616 §3.3-§3.4.',
  SIP_DIGEST_NOT_DIGEST: 'The credentials use another scheme than Digest: challenge as if none were sent.',
  SIP_DIGEST_UNSUPPORTED_ALGORITHM: 'The algorithm is neither MD5 nor SHA-256 (RFC 8760 §2).',
} as const;

/** A stable SIP error code (see `sipErrors`). */
export type SipErrorCode = keyof typeof sipErrors;
