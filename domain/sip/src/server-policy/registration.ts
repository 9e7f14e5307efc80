import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { parseCSeq } from '../message/core-headers.ts';
import { hostAddress } from '../message/host.ts';
import { parseContact, parseNameAddress } from '../message/name-address.ts';
import { parameterValue } from '../message/parameters.ts';
import type { SipHeader, SipRequest } from '../message/sip-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import { serializeUri } from '../message/uri.ts';

/** A REGISTER the registrar refuses: the status, its reason phrase and any header the answer needs. */
export interface RegistrarRefusal {
  readonly statusCode: number;
  readonly reasonPhrase: string;
  readonly extraHeaders?: readonly SipHeader[];
}

/** The registrar's limits on binding lifetimes (RFC 3261 §10.3 step 7, §10.2.8). */
export interface RegistrationLimits {
  /** Lifetime when the REGISTER names none. */
  readonly defaultExpiresS: number;
  /** Shorter non-zero lifetimes get 423 with Min-Expires. */
  readonly minExpiresS: number;
  /** Longer lifetimes are shortened to this. */
  readonly maxExpiresS: number;
}

/** What a REGISTER asks for, once read and checked (steps 5 and 6 of RFC 3261 §10.3). */
export interface RegistrationRequest {
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string;
  /** `Contact: *` with `Expires: 0` (remove every binding), or the contacts with their lifetimes (0: remove). */
  readonly change:
    { readonly kind: 'star' } | { readonly kind: 'contacts'; readonly contacts: readonly RequestedContact[] };
}

/** One contact of a REGISTER and the lifetime it gets (0 removes it). */
export interface RequestedContact {
  readonly uri: string;
  readonly expiresS: number;
}

/** A binding as the registrar keeps it (live ones only). */
export interface StoredBinding {
  readonly contactUri: string;
  readonly callId: string;
  readonly cseq: number;
}

/** What to write: remove every binding, or these removals and these saves. */
export type BindingChanges =
  | { readonly kind: 'remove-all' }
  | {
      readonly kind: 'update';
      readonly remove: readonly string[];
      readonly save: readonly RequestedContact[];
    };

/** RFC 3261 §20.19: delta-seconds larger than 2³²−1 are read as 2³²−1 (RFC 4475 §3.1.2.4). */
const maxDeltaSeconds = 4_294_967_295;
/** Longer Call-IDs and contact URIs are refused rather than stored. */
const maxCallIdLength = 512;
const maxContactLength = 2048;

/** Reads delta-seconds leniently: digits only, capped at 2³²−1; anything else is undefined. */
export function readDeltaSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[0-9]+\s*$/.test(text)) return undefined;
  return Math.min(Number(text.trim()), maxDeltaSeconds);
}

function refused(statusCode: number, reasonPhrase: string, extraHeaders?: readonly SipHeader[]) {
  return err<RegistrarRefusal>({
    statusCode,
    reasonPhrase,
    ...(extraHeaders === undefined ? {} : { extraHeaders }),
  });
}

/**
 * Reads an authenticated REGISTER for `account` (RFC 3261 §10.3): the To header must be the account's own
 * address of record (404 for another domain, 403 for another user), every Contact must parse, `*` must come
 * alone with `Expires: 0`, lifetimes under the minimum get 423 with Min-Expires, longer ones are shortened.
 */
export function readRegistration(
  request: SipRequest,
  account: { readonly username: string; readonly realm: string },
  limits: RegistrationLimits,
): Result<RegistrationRequest, RegistrarRefusal> {
  // Steps 5 and 6: the To header is the address of record; only its owner may change its bindings.
  const to = parseNameAddress(headerValue(request.headers, 'to') ?? '');
  if (to?.uri.kind !== 'sip' || hostAddress(to.uri.host).toLowerCase() !== account.realm)
    return refused(404, 'Not Found');
  if (to.uri.user !== account.username) return refused(403, 'Forbidden - Not Your Address Of Record');
  const callId = headerValue(request.headers, 'call-id') ?? '';
  if (callId.length > maxCallIdLength) return refused(400, 'Bad Request - Call-ID Too Long');
  const cseq = parseCSeq(headerValue(request.headers, 'cseq') ?? '')?.sequence ?? 0;
  const defaultExpiresS = readDeltaSeconds(headerValue(request.headers, 'expires')) ?? limits.defaultExpiresS;
  const userAgent = headerValue(request.headers, 'user-agent') ?? '';
  const parsed = headerValues(request.headers, 'contact').map((value) => parseContact(value));
  if (parsed.some((contact) => contact === undefined)) return refused(400, 'Bad Request - Malformed Contact');
  if (parsed.some((contact) => contact?.kind === 'star')) {
    if (parsed.length !== 1 || defaultExpiresS !== 0)
      return refused(400, 'Bad Request - Contact * Needs Expires 0 Alone');
    return ok({ callId, cseq, userAgent, change: { kind: 'star' } });
  }
  const contacts: RequestedContact[] = [];
  for (const contact of parsed) {
    if (contact?.kind !== 'addresses') continue;
    for (const address of contact.addresses) {
      const requested = readDeltaSeconds(parameterValue(address.params, 'expires')) ?? defaultExpiresS;
      if (requested > 0 && requested < limits.minExpiresS)
        return refused(423, 'Interval Too Brief', [
          { name: 'Min-Expires', value: String(limits.minExpiresS) },
        ]);
      const uri = serializeUri(address.uri);
      if (uri.length > maxContactLength) return refused(400, 'Bad Request - Contact Too Long');
      contacts.push({ uri, expiresS: Math.min(requested, limits.maxExpiresS) });
    }
  }
  return ok({ callId, cseq, userAgent, change: { kind: 'contacts', contacts } });
}

/**
 * Step 7 of RFC 3261 §10.3 against the live bindings: a request older than what set a binding (same Call-ID,
 * CSeq not higher) changes nothing (400), and the user may hold at most `maxBindings` contacts afterwards
 * (403, nothing changed).
 */
export function planBindingChanges(
  request: RegistrationRequest,
  existing: readonly StoredBinding[],
  maxBindings: number,
): Result<BindingChanges, RegistrarRefusal> {
  const isOutOfOrder = (contactUri: string | undefined): boolean =>
    existing.some(
      (binding) =>
        (contactUri === undefined || binding.contactUri === contactUri) &&
        binding.callId === request.callId &&
        binding.cseq >= request.cseq,
    );
  if (request.change.kind === 'star') {
    if (isOutOfOrder(undefined)) return refused(400, 'Bad Request - CSeq Out Of Order');
    return ok({ kind: 'remove-all' });
  }
  const kept = new Set(existing.map((binding) => binding.contactUri));
  const remove: string[] = [];
  const save: RequestedContact[] = [];
  for (const contact of request.change.contacts) {
    if (isOutOfOrder(contact.uri)) return refused(400, 'Bad Request - CSeq Out Of Order');
    if (contact.expiresS === 0) {
      remove.push(contact.uri);
      kept.delete(contact.uri);
    } else {
      save.push(contact);
      kept.add(contact.uri);
    }
  }
  if (kept.size > maxBindings) return refused(403, 'Forbidden - Too Many Contacts');
  return ok({ kind: 'update', remove, save });
}
