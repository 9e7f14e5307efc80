import type { SipErrorCode } from '../errors.ts';
import { parseCSeq } from './core-headers.ts';
import { splitTopLevel, trimWhiteSpace } from './lexical-rules.ts';
import type { ParseResult } from './parse-message.ts';
import type { PartialRequest } from './sip-parse-error.ts';
import type { SipHeader, SipMessage, SipRequest } from './sip-message.ts';
import { headerValue, headerValues } from './sip-message.ts';
import { parseVia } from './via.ts';

/** What this element supports, which decides how it answers requests it cannot serve. */
export interface UasPolicy {
  /** Methods served; they also fill the Allow header of 405 and 501 answers. */
  readonly supportedMethods: readonly string[];
  /** Request-URI schemes served, lower case (usually sip and sips; tel for trunks). */
  readonly supportedUriSchemes: readonly string[];
  /** Option tags this element implements (RFC 3261 §8.2.2.3: anything else in Require gets 420). */
  readonly supportedExtensions: readonly string[];
  /** Body types accepted in requests (RFC 3261 §8.2.3); listed in Accept on a 415. */
  readonly acceptedContentTypes: readonly string[];
}

/** Facts about one received message that the parse result does not carry. */
export interface ReceiveContext {
  /** True when the request would be forwarded (a B2BUA leg towards a trunk or phone), false when it ends here. */
  readonly isForwarding?: boolean;
  /** True on TCP, TLS or WebSocket: a framing error then closes the connection. */
  readonly isStream?: boolean;
}

/** What the server does with a received message. */
export type UasVerdict =
  | { readonly action: 'process'; readonly message: SipMessage }
  | {
      readonly action: 'respond';
      readonly code: SipErrorCode;
      readonly statusCode: number;
      readonly reasonPhrase: string;
      /** Headers the answer must carry besides the copied ones (Allow, Unsupported, Accept). */
      readonly extraHeaders: readonly SipHeader[];
      /** The request as far as it was read: its Via, From, To, Call-ID and CSeq go into the answer. */
      readonly request: PartialRequest;
      readonly shouldCloseConnection: boolean;
    }
  | { readonly action: 'drop'; readonly code: SipErrorCode };

/** Methods this package knows by name (RFC 3261 and the extensions that define a method). */
const knownMethods = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK', // RFC 3262
  'SUBSCRIBE', // RFC 6665
  'NOTIFY', // RFC 6665
  'PUBLISH', // RFC 3903
  'INFO', // RFC 6086
  'REFER', // RFC 3515
  'MESSAGE', // RFC 3428
  'UPDATE', // RFC 3311
]);

/** A media type without parameters, in lower case: `Application/SDP; x=y` gives `application/sdp`. */
export function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return trimWhiteSpace(semicolon >= 0 ? contentType.slice(0, semicolon) : contentType).toLowerCase();
}

/** The option tags of a Require, Proxy-Require, Supported or Unsupported header list. */
export function optionTags(values: readonly string[]): string[] {
  const tags: string[] = [];
  for (const value of values) {
    for (const tag of splitTopLevel(value, ',') ?? []) if (tag !== '') tags.push(tag);
  }
  return tags;
}

/**
 * True when an Accept header list admits `type` (RFC 3261 §20.1 media ranges, with type/* and star/star).
 * No Accept header at all means application/sdp (RFC 3261 §20.1); an empty one admits nothing.
 */
export function isAccepted(acceptValues: readonly string[], type: string): boolean {
  if (acceptValues.length === 0) return type === 'application/sdp';
  const [major] = type.split('/');
  for (const value of acceptValues) {
    for (const range of splitTopLevel(value, ',') ?? []) {
      const candidate = mediaType(range);
      if (candidate === type || candidate === '*/*' || candidate === `${major}/*`) return true;
    }
  }
  return false;
}

function respond(
  request: PartialRequest,
  code: SipErrorCode,
  statusCode: number,
  reasonPhrase: string,
  extraHeaders: readonly SipHeader[] = [],
  shouldCloseConnection = false,
): UasVerdict {
  return { action: 'respond', code, statusCode, reasonPhrase, extraHeaders, request, shouldCloseConnection };
}

function classifyRequest(request: SipRequest, policy: UasPolicy, context: ReceiveContext): UasVerdict {
  // An ACK never gets a response (RFC 3261 §17.2.1); the transaction layer absorbs or drops it.
  if (request.method === 'ACK') return { action: 'process', message: request };
  const allow = [{ name: 'Allow', value: policy.supportedMethods.join(', ') }];
  // §8.2.1 method inspection comes first: RFC 4475 §3.1.2.18 prefers 501 to 400 for an unknown method
  // whose CSeq disagrees.
  if (!policy.supportedMethods.includes(request.method)) {
    return knownMethods.has(request.method)
      ? respond(request, 'SIP_METHOD_NOT_ALLOWED', 405, 'Method Not Allowed', allow)
      : respond(request, 'SIP_METHOD_NOT_IMPLEMENTED', 501, 'Not Implemented', allow);
  }
  const cseq = parseCSeq(headerValue(request.headers, 'cseq') ?? '');
  if (cseq !== undefined && cseq.method !== request.method) {
    return respond(
      request,
      'SIP_CSEQ_METHOD_MISMATCH',
      400,
      'Bad Request - CSeq method does not match Request-Line',
    );
  }
  // §8.2.2.1: an unsupported Request-URI scheme gets 416.
  if (!policy.supportedUriSchemes.includes(request.requestUri.scheme)) {
    return respond(request, 'SIP_UNSUPPORTED_URI_SCHEME', 416, 'Unsupported URI Scheme');
  }
  // §19.1.1: URI headers are not allowed in a Request-URI; RFC 4475 §3.1.2.11 lets us reject rather
  // than risk turning them into real headers.
  if (request.requestUri.kind === 'sip' && request.requestUri.headers.length > 0) {
    return respond(
      request,
      'SIP_REQUEST_URI_HEADERS',
      400,
      'Bad Request - Headers not allowed in Request-URI',
    );
  }
  // §16.3 item 3: a forwarding element does not forward Max-Forwards 0, but may answer OPTIONS itself.
  const maxForwards = headerValue(request.headers, 'max-forwards');
  if (context.isForwarding === true && maxForwards !== undefined && Number(maxForwards) === 0) {
    if (request.method !== 'OPTIONS') return respond(request, 'SIP_TOO_MANY_HOPS', 483, 'Too Many Hops');
  }
  // §8.2.2.3: Require lists extensions the UAS must understand; not applied to CANCEL (nor ACK, above).
  if (request.method !== 'CANCEL') {
    const unsupported = optionTags(headerValues(request.headers, 'require')).filter(
      (tag) => !policy.supportedExtensions.includes(tag),
    );
    if (unsupported.length > 0) {
      return respond(request, 'SIP_BAD_EXTENSION', 420, 'Bad Extension', [
        { name: 'Unsupported', value: unsupported.join(', ') },
      ]);
    }
  }
  // §8.2.3: a body we cannot read gets 415 with the types we accept.
  if (request.body.length > 0) {
    const contentType = headerValue(request.headers, 'content-type');
    if (contentType === undefined) {
      return respond(request, 'SIP_MISSING_CONTENT_TYPE', 400, 'Bad Request - Missing Content-Type');
    }
    if (!policy.acceptedContentTypes.includes(mediaType(contentType))) {
      return respond(request, 'SIP_UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Media Type', [
        { name: 'Accept', value: policy.acceptedContentTypes.join(', ') },
      ]);
    }
  }
  // An INVITE's 2xx carries SDP; if Accept rules SDP out, no answer can be formed (RFC 4475 §3.3.15).
  if (
    request.method === 'INVITE' &&
    !isAccepted(headerValues(request.headers, 'accept'), 'application/sdp')
  ) {
    return respond(request, 'SIP_NOT_ACCEPTABLE', 406, 'Not Acceptable');
  }
  return { action: 'process', message: request };
}

/**
 * Decides what a UAS (or the UAS side of the B2BUA) does with a received message, in the order RFC 3261
 * §8.2 inspects a request: parse errors first (400 with a reason, 505), then method (501/405), CSeq,
 * Request-URI scheme (416), Max-Forwards (483, forwarding only), Require (420), body type (415), Accept
 * (406). Responses are processed (matched to a transaction) or dropped, never answered.
 */
export function classifyIncoming(
  result: ParseResult,
  policy: UasPolicy,
  context: ReceiveContext = {},
): UasVerdict {
  if (result.ok) {
    const message = result.value;
    if (message.kind === 'request') return classifyRequest(message, policy, context);
    // §8.1.3.3: a UAC discards a response with more than one Via (RFC 4475 §3.3.10: never route by it).
    const vias = headerValues(message.headers, 'via').flatMap((value) => parseVia(value) ?? []);
    return vias.length > 1
      ? { action: 'drop', code: 'SIP_RESPONSE_WITH_SEVERAL_VIAS' }
      : { action: 'process', message };
  }
  const error = result.error;
  const request = error.request;
  if (request === undefined) {
    // Responses and unreadable start lines are never answered.
    return { action: 'drop', code: error.code };
  }
  // Without a Via there is nowhere to send an answer (RFC 3261 §18.2.2); an ACK is never answered.
  if (request.method === 'ACK' || headerValue(request.headers, 'via') === undefined) {
    return { action: 'drop', code: 'SIP_UNANSWERABLE_REQUEST' };
  }
  return respond(
    request,
    error.code,
    error.statusCode,
    error.reasonPhrase,
    [],
    context.isStream === true && error.isFramingError,
  );
}
