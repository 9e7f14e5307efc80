import {
  isToken,
  quoteString,
  scanQuotedString,
  skipWhiteSpace,
  splitTopLevel,
  trimWhiteSpace,
} from './lexical-rules.ts';
import type { Parameter } from './parameters.ts';
import { parseParameters, serializeParameters } from './parameters.ts';
import type { Uri } from './uri.ts';
import { parseUri, serializeUri } from './uri.ts';

/**
 * A From, To, Contact, Route or Record-Route value (RFC 3261 §20.10, §25.1: name-addr or addr-spec,
 * then header parameters). The display name is decoded (quotes and quoted-pairs removed); whether the
 * URI was written in angle brackets is not kept, because writing it back always uses them.
 */
export interface NameAddress {
  readonly displayName?: string;
  readonly uri: Uri;
  readonly params: readonly Parameter[];
}

/** A Contact header: the `*` of a REGISTER that removes every binding, or a list of addresses. */
export type ContactValue =
  { readonly kind: 'star' } | { readonly kind: 'addresses'; readonly addresses: readonly NameAddress[] };

function parseTokenDisplayName(text: string): string | undefined {
  const trimmed = trimWhiteSpace(text);
  if (trimmed === '') return undefined;
  // display-name = *(token LWS) / quoted-string: a comma or another non-token character is malformed
  // (RFC 4475 §3.1.2.15), and so is a stray quote.
  const words = trimmed.split(/[ \t]+/);
  return words.every(isToken) ? trimmed : undefined;
}

/**
 * Parses one name-addr or addr-spec with its parameters. In the addr-spec form the URI ends at the first
 * ";" (RFC 3261 §20: those parameters belong to the header) and may not carry URI headers ("?", RFC 4475
 * §3.1.2.13). Inside angle brackets no white space is allowed (RFC 4475 §3.1.2.14). Returns undefined
 * when the value is malformed.
 */
export function parseNameAddress(text: string): NameAddress | undefined {
  const value = trimWhiteSpace(text);
  if (value === '') return undefined;
  let displayName: string | undefined;
  let hasDisplayName = false;
  let angle = -1;
  if (value.startsWith('"')) {
    const quoted = scanQuotedString(value, 0);
    if (quoted === undefined) return undefined;
    displayName = quoted.content;
    hasDisplayName = true;
    angle = skipWhiteSpace(value, quoted.end);
    if (value[angle] !== '<') return undefined;
  } else {
    angle = value.indexOf('<');
    if (angle > 0) {
      displayName = parseTokenDisplayName(value.slice(0, angle));
      if (displayName === undefined) return undefined;
      hasDisplayName = true;
    }
  }
  if (angle >= 0) {
    const close = value.indexOf('>', angle);
    if (close < 0) return undefined;
    const uri = parseUri(value.slice(angle + 1, close));
    if (uri === undefined) return undefined;
    const parsed = parseParameters(value, close + 1);
    if (parsed === undefined || parsed.end !== value.length) return undefined;
    return { ...(hasDisplayName ? { displayName } : {}), uri, params: parsed.params };
  }
  const semicolon = value.indexOf(';');
  const uriText = trimWhiteSpace(semicolon >= 0 ? value.slice(0, semicolon) : value);
  const uri = parseUri(uriText);
  if (uri === undefined) return undefined;
  if (uri.kind === 'sip' && uri.headers.length > 0) return undefined;
  if (semicolon < 0) return { uri, params: [] };
  const parsed = parseParameters(value, semicolon);
  if (parsed === undefined || parsed.end !== value.length) return undefined;
  return { uri, params: parsed.params };
}

/** Parses a comma-separated list of name-addr / addr-spec values (Contact, Route, Record-Route). */
export function parseNameAddressList(text: string): NameAddress[] | undefined {
  const parts = splitTopLevel(text, ',');
  if (parts === undefined) return undefined;
  const addresses: NameAddress[] = [];
  for (const part of parts) {
    const address = parseNameAddress(part);
    if (address === undefined) return undefined;
    addresses.push(address);
  }
  return addresses;
}

/** Parses a Contact value: `*` or a list of addresses (RFC 3261 §20.10). */
export function parseContact(text: string): ContactValue | undefined {
  if (trimWhiteSpace(text) === '*') return { kind: 'star' };
  const addresses = parseNameAddressList(text);
  return addresses === undefined ? undefined : { kind: 'addresses', addresses };
}

/** Writes a name-addr: `"Display" <uri>;params`, always with angle brackets (RFC 3261 §20 recommends them). */
export function serializeNameAddress(address: NameAddress): string {
  const display = address.displayName === undefined ? '' : `${quoteString(address.displayName)} `;
  return `${display}<${serializeUri(address.uri)}>${serializeParameters(address.params)}`;
}
