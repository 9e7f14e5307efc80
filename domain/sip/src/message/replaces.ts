import { isToken, trimWhiteSpace } from './lexical-rules.ts';
import { parseCallId } from './core-headers.ts';
import type { SipUri } from './uri.ts';
import { unescapeUriComponent } from './uri.ts';

/**
 * The dialog a `Replaces` header names (RFC 3891 §6.1): its Call-ID and the two tags. The tags are named
 * from the point of view of the UA that receives the INVITE carrying the header (`to-tag` is that UA's own
 * tag), so a B2BUA matching a dialog it holds compares `toTag` with its local tag.
 */
export interface Replaces {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  /** `early-only`: replace the dialog only while it is still early (RFC 3891 §3). */
  readonly isEarlyOnly: boolean;
}

/**
 * Parses a `Replaces` value: `callid *(SEMI replaces-param)`, where both `to-tag` and `from-tag` are required
 * (RFC 3891 §6.1). Undefined when the value does not follow the grammar.
 */
export function parseReplaces(text: string): Replaces | undefined {
  const [head, ...params] = text.split(';');
  const callId = parseCallId(trimWhiteSpace(head ?? ''));
  if (callId === undefined) return undefined;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let isEarlyOnly = false;
  for (const param of params) {
    const equals = param.indexOf('=');
    const name = trimWhiteSpace(equals < 0 ? param : param.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? undefined : trimWhiteSpace(param.slice(equals + 1));
    if (!isToken(name)) return undefined;
    if (value !== undefined && value !== '' && !isToken(value)) return undefined;
    if (name === 'to-tag') toTag = value;
    else if (name === 'from-tag') fromTag = value;
    else if (name === 'early-only') isEarlyOnly = true;
  }
  if (toTag === undefined || toTag === '' || fromTag === undefined || fromTag === '') return undefined;
  return { callId, toTag, fromTag, isEarlyOnly };
}

/**
 * The `Replaces` a `Refer-To` URI carries as an embedded header (`?Replaces=...`, escaped as RFC 3261 §19.1.1
 * asks): what an attended transfer sends (RFC 5589 §7.1). `absent` when the URI has none, `malformed` when
 * it has one that does not parse.
 */
export function referToReplaces(uri: SipUri): Replaces | 'absent' | 'malformed' {
  const header = uri.headers.find(
    (candidate) => unescapeUriComponent(candidate.name).toLowerCase() === 'replaces',
  );
  if (header === undefined) return 'absent';
  return parseReplaces(unescapeUriComponent(header.value)) ?? 'malformed';
}
