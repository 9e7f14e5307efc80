import { headerKey } from './header-names.ts';
import type { Uri } from './uri.ts';

/**
 * One header field as received: the name as written (compact or long, any case) and the value with
 * line folding replaced by a single space and outer white space removed (RFC 3261 §7.3.1). Nothing else is
 * changed, so unknown headers pass through untouched. Comma-separated values stay in one field.
 */
export interface SipHeader {
  readonly name: string;
  readonly value: string;
}

/** A SIP request (RFC 3261 §7.1). The body is bytes: it may hold anything, NULs included. */
export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly requestUri: Uri;
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

/** A SIP response (RFC 3261 §7.2). */
export interface SipResponse {
  readonly kind: 'response';
  readonly statusCode: number;
  readonly reasonPhrase: string;
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

/** A request or a response. Only SIP/2.0 exists, so the version is not stored. */
export type SipMessage = SipRequest | SipResponse;

/** The raw values of every header field with this name, compact forms included, in message order. */
export function headerValues(headers: readonly SipHeader[], name: string): string[] {
  const key = headerKey(name);
  const values: string[] = [];
  for (const header of headers) if (headerKey(header.name) === key) values.push(header.value);
  return values;
}

/** The raw value of the first header field with this name, or undefined. */
export function headerValue(headers: readonly SipHeader[], name: string): string | undefined {
  const key = headerKey(name);
  return headers.find((header) => headerKey(header.name) === key)?.value;
}

/** The headers without any field of this name (compact forms included). */
export function withoutHeader(headers: readonly SipHeader[], name: string): SipHeader[] {
  const key = headerKey(name);
  return headers.filter((header) => headerKey(header.name) !== key);
}

/** The headers with every field of this name replaced by one field holding `value`, where the first was. */
export function withHeader(headers: readonly SipHeader[], name: string, value: string): SipHeader[] {
  const key = headerKey(name);
  const index = headers.findIndex((header) => headerKey(header.name) === key);
  const rest = withoutHeader(headers, name);
  if (index < 0) return [...rest, { name, value }];
  rest.splice(index, 0, { name, value });
  return rest;
}
