import type { Host } from './host.ts';
import { parseHost, serializeHost } from './host.ts';
import { isAlphanumeric } from './lexical-rules.ts';

/** A `uri-parameter` of a SIP URI, name and value still %-escaped as written (RFC 3261 §19.1.1). */
export interface UriParameter {
  readonly name: string;
  readonly value?: string;
}

/** A `header` of a SIP URI (`?name=value&...`), still %-escaped: it must never become a real header here. */
export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * A SIP or SIPS URI (RFC 3261 §19.1). User, password, parameters and headers keep their %-escapes as
 * written, so a URI passes through byte for byte; `unescapeUriComponent` gives the decoded text, and
 * `uriEquals` compares as §19.1.4 says.
 */
export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  readonly host: Host;
  readonly port?: number;
  readonly params: readonly UriParameter[];
  readonly headers: readonly UriHeader[];
}

/** Any other absolute URI (tel:, http:, urn:...), kept opaque (RFC 3261 §25.1 absoluteURI). */
export interface OtherUri {
  readonly kind: 'other';
  /** Lower case. */
  readonly scheme: string;
  /** Everything after the colon, as written. */
  readonly body: string;
}

/** A URI as it appears in a Request-URI, a name-addr or an addr-spec. */
export type Uri = SipUri | OtherUri;

const unreservedMarks = new Set("-_.!~*'()");
const userExtra = new Set('&=+$,;?/');
const passwordExtra = new Set('&=+$,');
const paramExtra = new Set('[]/:&+$');
const headerExtra = new Set('[]/?:+$');
// absoluteURI bodies: reserved / unreserved / escaped (RFC 2396 uric, as RFC 3261 §25.1 uses it).
const uricExtra = new Set(';/?:@&=+$,[]');

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function isUnreserved(char: string): boolean {
  return isAlphanumeric(char) || unreservedMarks.has(char);
}

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

/** True when `text` (non-empty unless `mayBeEmpty`) uses only unreserved characters, `extra`, and valid %HH escapes. */
function isEscapedText(text: string, extra: ReadonlySet<string>, mayBeEmpty = false): boolean {
  if (text.length === 0) return mayBeEmpty;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '%') {
      if (!isHexDigit(text[i + 1]) || !isHexDigit(text[i + 2])) return false;
      i += 2;
    } else if (!isUnreserved(char) && !extra.has(char)) {
      return false;
    }
  }
  return true;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function parseHostPort(text: string): { host: Host; port?: number } | undefined {
  let hostText = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    hostText = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      hostText = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  const host = parseHost(hostText);
  if (host === undefined) return undefined;
  if (portText === undefined) return { host };
  const port = parsePort(portText);
  return port === undefined ? undefined : { host, port };
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | undefined {
  let user: string | undefined;
  let password: string | undefined;
  let remainder = rest;
  // The user part may hold ";", "?" and "," (RFC 4475 §3.1.1.9) but never a bare "@", nor may anything
  // after the host: so the first "@" ends the userinfo.
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (colon >= 0) password = userinfo.slice(colon + 1);
    if (!isEscapedText(user, userExtra)) return undefined;
    if (password !== undefined && !isEscapedText(password, passwordExtra, true)) return undefined;
    remainder = rest.slice(at + 1);
  }
  const question = remainder.indexOf('?');
  const beforeHeaders = question >= 0 ? remainder.slice(0, question) : remainder;
  const semicolon = beforeHeaders.indexOf(';');
  const hostPort = parseHostPort(semicolon >= 0 ? beforeHeaders.slice(0, semicolon) : beforeHeaders);
  if (hostPort === undefined) return undefined;

  const params: UriParameter[] = [];
  if (semicolon >= 0) {
    for (const piece of beforeHeaders.slice(semicolon + 1).split(';')) {
      const equals = piece.indexOf('=');
      const name = equals >= 0 ? piece.slice(0, equals) : piece;
      const value = equals >= 0 ? piece.slice(equals + 1) : undefined;
      if (!isEscapedText(name, paramExtra)) return undefined;
      if (value !== undefined && !isEscapedText(value, paramExtra)) return undefined;
      params.push(value === undefined ? { name } : { name, value });
    }
  }
  const headers: UriHeader[] = [];
  if (question >= 0) {
    for (const piece of remainder.slice(question + 1).split('&')) {
      const equals = piece.indexOf('=');
      if (equals < 0) return undefined;
      const name = piece.slice(0, equals);
      const value = piece.slice(equals + 1);
      if (!isEscapedText(name, headerExtra) || !isEscapedText(value, headerExtra, true)) return undefined;
      headers.push({ name, value });
    }
  }
  return {
    kind: 'sip',
    scheme,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    host: hostPort.host,
    ...(hostPort.port === undefined ? {} : { port: hostPort.port }),
    params,
    headers,
  };
}

/**
 * Parses a URI: `sip:` and `sips:` in full (RFC 3261 §19.1.1, IPv6 references per RFC 5118), any other
 * scheme as an opaque absolute URI. Returns undefined for anything else, including white space or angle
 * brackets inside (RFC 4475 §3.1.2.7, §3.1.2.8, §3.1.2.14).
 */
export function parseUri(text: string): Uri | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) return undefined;
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest);
  if (!isEscapedText(rest, uricExtra)) return undefined;
  return { kind: 'other', scheme, body: rest };
}

/** Writes a URI back; a parsed SIP URI comes out exactly as it went in, except for the scheme's case. */
export function serializeUri(uri: Uri): string {
  if (uri.kind === 'other') return `${uri.scheme}:${uri.body}`;
  let text = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    text += uri.user;
    if (uri.password !== undefined) text += `:${uri.password}`;
    text += '@';
  }
  text += serializeHost(uri.host);
  if (uri.port !== undefined) text += `:${uri.port}`;
  for (const param of uri.params)
    text += param.value === undefined ? `;${param.name}` : `;${param.name}=${param.value}`;
  if (uri.headers.length > 0)
    text += `?${uri.headers.map((header) => `${header.name}=${header.value}`).join('&')}`;
  return text;
}

/**
 * Decodes %HH escapes into the characters they stand for (UTF-8). `%00` becomes a NUL character and
 * nothing is truncated at it (RFC 4475 §3.1.1.4). A malformed escape stays as written.
 */
export function unescapeUriComponent(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '%' && isHexDigit(text[i + 1]) && isHexDigit(text[i + 2])) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const byte of utf8Encoder.encode(char)) bytes.push(byte);
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

/** The decoded value of a URI parameter, or undefined when absent (names compare case-insensitively). */
export function uriParameter(uri: SipUri, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const param = uri.params.find((candidate) => unescapeUriComponent(candidate.name).toLowerCase() === wanted);
  return param?.value === undefined ? undefined : unescapeUriComponent(param.value);
}

/** True when the URI has the parameter, with or without a value. */
export function hasUriParameter(uri: SipUri, name: string): boolean {
  const wanted = name.toLowerCase();
  return uri.params.some((candidate) => unescapeUriComponent(candidate.name).toLowerCase() === wanted);
}

function comparableHost(host: Host): string {
  return serializeHost(host).toLowerCase();
}

/**
 * URI equality as RFC 3261 §19.1.4 defines it for SIP and SIPS URIs: escapes decoded, user and password
 * case-sensitive, host and parameter names case-insensitive, user/ttl/method/maddr/transport present on
 * both sides or neither, other parameters compared only when both sides have them, headers all compared.
 * Other schemes compare their text after decoding, with a case-insensitive scheme.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'other' || b.kind === 'other') {
    if (a.kind !== 'other' || b.kind !== 'other') return false;
    return a.scheme === b.scheme && unescapeUriComponent(a.body) === unescapeUriComponent(b.body);
  }
  if (a.scheme !== b.scheme) return false;
  const decode = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : unescapeUriComponent(value);
  if (decode(a.user) !== decode(b.user) || decode(a.password) !== decode(b.password)) return false;
  if (comparableHost(a.host) !== comparableHost(b.host) || a.port !== b.port) return false;
  const paramsOf = (uri: SipUri): Map<string, string | undefined> =>
    new Map(
      uri.params.map((param) => [
        unescapeUriComponent(param.name).toLowerCase(),
        param.value === undefined ? undefined : unescapeUriComponent(param.value).toLowerCase(),
      ]),
    );
  const paramsA = paramsOf(a);
  const paramsB = paramsOf(b);
  for (const name of ['user', 'ttl', 'method', 'maddr', 'transport']) {
    if (paramsA.has(name) !== paramsB.has(name)) return false;
  }
  for (const [name, value] of paramsA) {
    if (paramsB.has(name) && paramsB.get(name) !== value) return false;
  }
  const headersOf = (uri: SipUri): string[] =>
    uri.headers
      .map(
        (header) =>
          `${unescapeUriComponent(header.name).toLowerCase()}=${unescapeUriComponent(header.value)}`,
      )
      .sort();
  const headersA = headersOf(a);
  const headersB = headersOf(b);
  return headersA.length === headersB.length && headersA.every((header, i) => header === headersB[i]);
}
