import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { readCoreHeaders } from './core-headers.ts';
import { headerKey } from './header-names.ts';
import { findHeaderSectionEnd, skipLeadingLineBreaks, splitHeaderSection } from './header-section.ts';
import { isDigits, isToken } from './lexical-rules.ts';
import type { PartialRequest, SipParseError } from './sip-parse-error.ts';
import { sipParseError } from './sip-parse-error.ts';
import type { SipHeader, SipMessage } from './sip-message.ts';
import { parseUri } from './uri.ts';

/**
 * How the bytes arrived. On a datagram the end of the packet ends the message: without Content-Length
 * the body is the rest (RFC 3261 §18.3, RFC 4475 §3.4.1) and octets past Content-Length are discarded
 * (RFC 4475 §3.1.1.8). On a stream Content-Length is mandatory (RFC 3261 §18.3).
 */
export type Framing = 'datagram' | 'stream';

/** Options of `parseMessage`. */
export interface ParseOptions {
  readonly framing?: Framing;
}

/** A parsed message, or why it could not be parsed. */
export type ParseResult = Result<SipMessage, SipParseError>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    // A fatal TextDecoder signals invalid input only by throwing; turn it into a value here.
    return undefined;
  }
}

const versionPattern = /^SIP\/(\d+)\.(\d+)$/i;

function isSupportedVersion(text: string): 'yes' | 'other-version' | 'not-a-version' {
  const match = versionPattern.exec(text);
  if (match === null) return 'not-a-version';
  return Number(match[1]) === 2 && Number(match[2]) === 0 ? 'yes' : 'other-version';
}

function parseContentLength(
  headers: readonly SipHeader[],
  request: PartialRequest | undefined,
): Result<number | undefined, SipParseError> {
  const values = headers
    .filter((header) => headerKey(header.name) === 'content-length')
    .map((header) => header.value);
  const context = {
    isFramingError: true,
    field: 'Content-Length',
    ...(request === undefined ? {} : { request }),
  };
  if (values.length > 1) {
    // RFC 4475 §3.3.9: with two lengths nobody can tell where the message ends.
    return err(
      sipParseError('SIP_DUPLICATE_HEADER', 400, 'Bad Request - Multiple Content-Length headers', context),
    );
  }
  const value = values[0];
  if (value === undefined) return ok(undefined);
  if (!isDigits(value)) {
    return err(
      sipParseError('SIP_INVALID_CONTENT_LENGTH', 400, 'Bad Request - Invalid Content-Length', context),
    );
  }
  const significant = value.replace(/^0+(?=\d)/, '');
  return ok(significant.length > 15 ? Number.MAX_SAFE_INTEGER : Number(significant));
}

/**
 * Parses one SIP message from bytes (RFC 3261 §7, §25). Never throws: a malformed message comes back as a
 * `SipParseError` value with the status a UAS answers. Lenient where RFC 4475 allows it (extra spaces in
 * the Request-Line, LWS anywhere LWS may be, leading CRLFs, bare LF line ends, a header section ended by
 * the end of a datagram), strict where it asks for rejection (see docs/sip.md).
 */
export function parseMessage(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const framing = options.framing ?? 'datagram';
  const start = skipLeadingLineBreaks(bytes);
  if (start >= bytes.length) {
    return err(
      sipParseError('SIP_EMPTY_MESSAGE', 400, 'Bad Request - Empty message', { isFramingError: false }),
    );
  }
  let bounds = findHeaderSectionEnd(bytes, start);
  if (bounds === undefined) {
    // A datagram that ends right after a header line's CRLF has ended its header section too.
    const last = bytes[bytes.length - 1];
    if (framing === 'datagram' && last === 0x0a) {
      bounds = { start, headerEnd: bytes.length, bodyStart: bytes.length };
    } else {
      return err(
        sipParseError('SIP_HEADER_SECTION_UNTERMINATED', 400, 'Bad Request - Header section not terminated', {
          isFramingError: true,
        }),
      );
    }
  }
  const text = decodeUtf8(bytes.subarray(bounds.start, bounds.headerEnd));
  if (text === undefined) {
    return err(sipParseError('SIP_INVALID_UTF8', 400, 'Bad Request - Invalid UTF-8 in header section'));
  }
  const section = splitHeaderSection(text);
  const startLine = section.startLine;

  if (/^SIP\//i.test(startLine)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2).
    const match = /^(\S+) (\d+)(?: (.*))?$/.exec(startLine);
    if (match === null)
      return err(sipParseError('SIP_MALFORMED_START_LINE', 400, 'Bad Request - Malformed Status-Line'));
    if (isSupportedVersion(match[1] ?? '') !== 'yes') {
      return err(sipParseError('SIP_VERSION_NOT_SUPPORTED', 505, 'Version Not Supported'));
    }
    const codeText = match[2] ?? '';
    const statusCode = Number(codeText);
    if (codeText.length !== 3 || statusCode < 100 || statusCode > 699) {
      return err(sipParseError('SIP_INVALID_STATUS_CODE', 400, 'Bad Request - Invalid status code'));
    }
    if (section.malformedLine !== undefined) {
      return err(sipParseError('SIP_MALFORMED_HEADER_LINE', 400, 'Bad Request - Malformed header line'));
    }
    const body = readBody(bytes, bounds.bodyStart, section.headers, framing, undefined);
    if (!body.ok) return body;
    const message: SipMessage = {
      kind: 'response',
      statusCode,
      reasonPhrase: match[3] ?? '',
      headers: section.headers,
      body: body.value,
    };
    const core = readCoreHeaders(message);
    return core.ok ? ok(message) : core;
  }

  // Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1). Runs of SP and trailing SP are
  // accepted (RFC 4475 §3.1.2.9, §3.1.2.10 allow that liberality); serializing writes single SPs.
  const parts = startLine.split(/ +/).filter((part) => part !== '');
  const method = parts[0] ?? '';
  const request: PartialRequest | undefined = isToken(method)
    ? { method, headers: section.headers }
    : undefined;
  const withRequest = request === undefined ? {} : { request };
  if (parts.length !== 3 || request === undefined) {
    return err(
      sipParseError('SIP_MALFORMED_START_LINE', 400, 'Bad Request - Malformed Request-Line', withRequest),
    );
  }
  const version = isSupportedVersion(parts[2] ?? '');
  if (version === 'not-a-version') {
    return err(
      sipParseError('SIP_MALFORMED_START_LINE', 400, 'Bad Request - Malformed Request-Line', withRequest),
    );
  }
  if (version === 'other-version') {
    return err(sipParseError('SIP_VERSION_NOT_SUPPORTED', 505, 'Version Not Supported', withRequest));
  }
  const requestUri = parseUri(parts[1] ?? '');
  if (requestUri === undefined) {
    return err(
      sipParseError('SIP_MALFORMED_REQUEST_URI', 400, 'Bad Request - Malformed Request-URI', withRequest),
    );
  }
  if (section.malformedLine !== undefined) {
    return err(
      sipParseError('SIP_MALFORMED_HEADER_LINE', 400, 'Bad Request - Malformed header line', withRequest),
    );
  }
  const body = readBody(bytes, bounds.bodyStart, section.headers, framing, request);
  if (!body.ok) return body;
  const message: SipMessage = {
    kind: 'request',
    method,
    requestUri,
    headers: section.headers,
    body: body.value,
  };
  const core = readCoreHeaders(message);
  return core.ok ? ok(message) : core;
}

function readBody(
  bytes: Uint8Array,
  bodyStart: number,
  headers: readonly SipHeader[],
  framing: Framing,
  request: PartialRequest | undefined,
): Result<Uint8Array, SipParseError> {
  const contentLength = parseContentLength(headers, request);
  if (!contentLength.ok) return contentLength;
  const available = bytes.length - bodyStart;
  if (contentLength.value === undefined) {
    if (framing === 'stream') {
      return err(
        sipParseError('SIP_MISSING_CONTENT_LENGTH', 400, 'Bad Request - Missing Content-Length', {
          isFramingError: true,
          field: 'Content-Length',
          ...(request === undefined ? {} : { request }),
        }),
      );
    }
    return ok(new Uint8Array(bytes.subarray(bodyStart)));
  }
  if (contentLength.value > available) {
    // RFC 4475 §3.1.2.2: on a datagram the rest of the message is missing for good.
    return err(
      sipParseError('SIP_CONTENT_LENGTH_EXCEEDS_BODY', 400, 'Bad Request - Content-Length larger than body', {
        isFramingError: true,
        field: 'Content-Length',
        ...(request === undefined ? {} : { request }),
      }),
    );
  }
  return ok(new Uint8Array(bytes.subarray(bodyStart, bodyStart + contentLength.value)));
}
