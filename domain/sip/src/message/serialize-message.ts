import { headerKey } from './header-names.ts';
import type { SipHeader, SipMessage } from './sip-message.ts';
import { serializeUri } from './uri.ts';

const utf8 = new TextEncoder();

/** A header value with CR and LF turned into spaces: a value can never start a new header line. */
function safeValue(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]/g, ' ') : value;
}

/**
 * The header fields with a truthful Content-Length: an existing one keeps its place and its text when its
 * number is right, is rewritten when wrong; a missing one is added at the end (RFC 3261 §20.14 requires it
 * on streams and recommends it on datagrams). Duplicates are dropped.
 */
function withTruthfulContentLength(headers: readonly SipHeader[], bodyLength: number): SipHeader[] {
  const result: SipHeader[] = [];
  let isWritten = false;
  for (const header of headers) {
    if (headerKey(header.name) !== 'content-length') {
      result.push(header);
      continue;
    }
    if (isWritten) continue;
    isWritten = true;
    const isRight = /^\d+$/.test(header.value) && Number(header.value) === bodyLength;
    result.push(isRight ? header : { name: header.name, value: String(bodyLength) });
  }
  if (!isWritten) result.push({ name: 'Content-Length', value: String(bodyLength) });
  return result;
}

/**
 * Writes a message as bytes: the start line with single spaces, one line per header field as it is held
 * (names as written, folded values on one line), the empty line, then the body bytes untouched.
 * Content-Length always matches the body. Parsing the output gives the same message back (apart from a
 * Content-Length added where the original had none).
 */
export function serializeMessage(message: SipMessage): Uint8Array {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${serializeUri(message.requestUri)} SIP/2.0`
      : `SIP/2.0 ${message.statusCode} ${safeValue(message.reasonPhrase)}`;
  let head = `${startLine}\r\n`;
  for (const header of withTruthfulContentLength(message.headers, message.body.length)) {
    head += `${header.name}: ${safeValue(header.value)}\r\n`;
  }
  head += '\r\n';
  const headBytes = utf8.encode(head);
  const bytes = new Uint8Array(headBytes.length + message.body.length);
  bytes.set(headBytes, 0);
  bytes.set(message.body, headBytes.length);
  return bytes;
}
