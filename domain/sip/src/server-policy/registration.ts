import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { parseCSeq } from '../message/core-headers.ts';
import { hostAddress } from '../message/host.ts';
import {
  parseContact,
  parseNameAddress,
  parseNameAddressList,
  serializeNameAddress,
} from '../message/name-address.ts';
import { parameterValue } from '../message/parameters.ts';
import type { SipHeader, SipRequest } from '../message/sip-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import { serializeUri } from '../message/uri.ts';
import { parseVia } from '../message/via.ts';

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
  /**
   * RFC 3327: the proxies between the phone and the registrar (the REGISTER's Path values, topmost first),
   * stored with the bindings; a request to the phone carries them as its Route headers, in this order.
   */
  readonly path: readonly string[];
  /** The phone listed `path` in `Supported`: the 200 gives the stored path back (RFC 3327 §5.3). */
  readonly isPathSupported: boolean;
  /** `Contact: *` with `Expires: 0` (remove every binding), or the contacts with their lifetimes (0: remove). */
  readonly change:
    { readonly kind: 'star' } | { readonly kind: 'contacts'; readonly contacts: readonly RequestedContact[] };
}

/**
 * RFC 5626 §6: the flow a binding is tied to, named by the phone's instance (`+sip.instance`, RFC 5626 §4.1)
 * and the number of its registration flow (`reg-id`). A REGISTER with the same user, instance and reg-id
 * replaces that binding whatever its Contact URI.
 */
export interface FlowKey {
  /** The `+sip.instance` value without its quotes, e.g. `<urn:uuid:00000000-0000-1000-8000-000a95a0e128>`. */
  readonly instanceId: string;
  readonly regId: number;
}

/** One contact of a REGISTER and the lifetime it gets (0 removes it). */
export interface RequestedContact {
  readonly uri: string;
  readonly expiresS: number;
  /** Present when the REGISTER uses outbound (RFC 5626): the binding belongs to the flow it arrived on. */
  readonly flow?: FlowKey;
}

/** A binding as the registrar keeps it (live ones only). */
export interface StoredBinding {
  readonly contactUri: string;
  readonly callId: string;
  readonly cseq: number;
  /** RFC 5626 flow bindings carry both; plain bindings neither (null). */
  readonly instanceId?: string | null;
  readonly regId?: number | null;
}

/** A binding to remove: a plain one by its Contact URI, a flow binding by its instance and reg-id. */
export type BindingToRemove =
  | { readonly kind: 'contact'; readonly contactUri: string }
  | { readonly kind: 'flow'; readonly flow: FlowKey };

/** What to write: remove every binding, or these removals and these saves. */
export type BindingChanges =
  | { readonly kind: 'remove-all' }
  | {
      readonly kind: 'update';
      readonly remove: readonly BindingToRemove[];
      readonly save: readonly RequestedContact[];
    };

/** RFC 3261 §20.19: delta-seconds larger than 2³²−1 are read as 2³²−1 (RFC 4475 §3.1.2.4). */
const maxDeltaSeconds = 4_294_967_295;
/** Longer Call-IDs and contact URIs are refused rather than stored. */
const maxCallIdLength = 512;
const maxContactLength = 2048;
/** Longer `+sip.instance` values are refused rather than stored (a UUID URN is 47 characters). */
const maxInstanceLength = 256;
/** RFC 5626 §13: reg-id = 1*DIGIT, "%x31-39 *DIGIT" in value; kept within a PostgreSQL integer. */
const maxRegId = 2_147_483_647;
/** More proxies than this between a phone and the registrar are refused rather than stored. */
const maxPathEntries = 8;

/** True when a `Supported` (or `Require`) field of the request lists `tag` (RFC 3261 §20.37, case-insensitive). */
export function listsOptionTag(request: SipRequest, header: string, tag: string): boolean {
  return headerValues(request.headers, header).some((value) =>
    value.split(',').some((item) => item.trim().toLowerCase() === tag),
  );
}

/** The `+sip.instance` value without its quotes, or undefined when absent or not a quoted string. */
function instanceIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^"(.*)"$/s.exec(value.trim());
  const inner = match?.[1];
  return inner === undefined || inner.length === 0 ? undefined : inner;
}

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
  const path = readPath(request);
  if (!path.ok) return refused(400, path.error);
  const isPathSupported = listsOptionTag(request, 'supported', 'path');
  const common = { callId, cseq, userAgent, path: path.value, isPathSupported };
  const parsed = headerValues(request.headers, 'contact').map((value) => parseContact(value));
  if (parsed.some((contact) => contact === undefined)) return refused(400, 'Bad Request - Malformed Contact');
  if (parsed.some((contact) => contact?.kind === 'star')) {
    if (parsed.length !== 1 || defaultExpiresS !== 0)
      return refused(400, 'Bad Request - Contact * Needs Expires 0 Alone');
    return ok({ ...common, change: { kind: 'star' } });
  }
  // RFC 5626 §6: reg-id counts only when the REGISTER says `Supported: outbound` and the Contact names its
  // instance; otherwise it is ignored and the binding is a plain one, as in RFC 3261.
  const isOutboundSupported = listsOptionTag(request, 'supported', 'outbound');
  const contacts: RequestedContact[] = [];
  for (const contact of parsed) {
    if (contact?.kind !== 'addresses') continue;
    for (const address of contact.addresses) {
      const flow = isOutboundSupported ? readFlowKey(address.params) : undefined;
      if (flow !== undefined && !flow.ok) return refused(400, flow.error);
      const requested = readDeltaSeconds(parameterValue(address.params, 'expires')) ?? defaultExpiresS;
      if (requested > 0 && requested < limits.minExpiresS)
        return refused(423, 'Interval Too Brief', [
          { name: 'Min-Expires', value: String(limits.minExpiresS) },
        ]);
      const uri = serializeUri(address.uri);
      if (uri.length > maxContactLength) return refused(400, 'Bad Request - Contact Too Long');
      contacts.push({
        uri,
        expiresS: Math.min(requested, limits.maxExpiresS),
        ...(flow === undefined ? {} : { flow: flow.value }),
      });
    }
  }
  // RFC 5626 §6: a REGISTER binds at most one flow (a UA registers each flow on its own connection).
  if (contacts.filter((contact) => contact.flow !== undefined).length > 1)
    return refused(400, 'Bad Request - More Than One reg-id');
  // RFC 5626 §6: a flow can only be kept by the phone's first hop. A REGISTER that came through a proxy (more
  // than one Via) whose first Path URI has no `ob` (or no Path at all) asks for outbound its first hop
  // does not give: 439, and the phone may register again without outbound (§4.2.1).
  if (
    contacts.some((contact) => contact.flow !== undefined && contact.expiresS > 0) &&
    viaCount(request) > 1 &&
    !firstPathHasOb(path.value)
  )
    return refused(439, 'First Hop Lacks Outbound Support');
  return ok({ ...common, change: { kind: 'contacts', contacts } });
}

/** The Path values of a REGISTER (RFC 3327 §4), topmost first; an error text when one is malformed. */
function readPath(request: SipRequest): Result<readonly string[], string> {
  const path: string[] = [];
  for (const value of headerValues(request.headers, 'path')) {
    const addresses = parseNameAddressList(value);
    if (addresses === undefined || addresses.some((address) => address.uri.kind !== 'sip'))
      return err('Bad Request - Malformed Path');
    for (const address of addresses)
      path.push(serializeNameAddress({ uri: address.uri, params: address.params }));
  }
  if (path.length > maxPathEntries) return err('Bad Request - Path Too Long');
  if (path.some((entry) => entry.length > maxContactLength)) return err('Bad Request - Path Too Long');
  return ok(path);
}

/** How many Via values the request has: one when the phone sent it to us directly. */
function viaCount(request: SipRequest): number {
  return headerValues(request.headers, 'via').reduce((sum, value) => sum + (parseVia(value)?.length ?? 1), 0);
}

/** True when the first (topmost) Path URI carries `ob`: the proxy that added it keeps the phone's flow. */
function firstPathHasOb(path: readonly string[]): boolean {
  const first = path[0] === undefined ? undefined : parseNameAddress(path[0]);
  return first?.uri.kind === 'sip' && first.uri.params.some((param) => param.name.toLowerCase() === 'ob');
}

/**
 * The flow key of one Contact of a REGISTER that supports outbound: undefined when it has no reg-id or no
 * `+sip.instance` (RFC 5626 §6: the reg-id is then ignored), an error text when either is malformed.
 */
function readFlowKey(
  params: readonly { readonly name: string; readonly value?: string }[],
): Result<FlowKey, string> | undefined {
  const regIdText = parameterValue(params, 'reg-id');
  const instanceText = params.find((param) => param.name.toLowerCase() === '+sip.instance')?.value;
  if (regIdText === undefined || instanceText === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(regIdText) || Number(regIdText) > maxRegId)
    return err('Bad Request - Malformed reg-id');
  const instanceId = instanceIdOf(instanceText);
  if (instanceId === undefined || instanceId.length > maxInstanceLength)
    return err('Bad Request - Malformed +sip.instance');
  return ok({ instanceId, regId: Number(regIdText) });
}

/** The key a binding is replaced by: its flow when it has one (RFC 5626 §6), else its Contact URI (RFC 3261). */
function bindingKey(contactUri: string, flow: FlowKey | undefined): string {
  return flow === undefined ? `contact ${contactUri}` : `flow ${String(flow.regId)} ${flow.instanceId}`;
}

function storedKey(binding: StoredBinding): string {
  return bindingKey(
    binding.contactUri,
    binding.instanceId != null && binding.regId != null
      ? { instanceId: binding.instanceId, regId: binding.regId }
      : undefined,
  );
}

function toRemove(contactUri: string, flow: FlowKey | undefined): BindingToRemove {
  return flow === undefined ? { kind: 'contact', contactUri } : { kind: 'flow', flow };
}

/**
 * Step 7 of RFC 3261 §10.3 against the live bindings: a request older than what set a binding (same Call-ID,
 * CSeq not higher) changes nothing (400), and the user may hold at most `maxBindings` contacts afterwards
 * (403, nothing changed). Bindings are keyed by Contact URI, or by instance and reg-id for RFC 5626 flows:
 * a flow's REGISTER replaces that flow's binding even under another Contact URI, and also the plain binding
 * of the same Contact URI (the same phone, now registering with outbound), so it is not rung twice.
 */
export function planBindingChanges(
  request: RegistrationRequest,
  existing: readonly StoredBinding[],
  maxBindings: number,
): Result<BindingChanges, RegistrarRefusal> {
  const isOutOfOrder = (key: string | undefined): boolean =>
    existing.some(
      (binding) =>
        (key === undefined || storedKey(binding) === key) &&
        binding.callId === request.callId &&
        binding.cseq >= request.cseq,
    );
  if (request.change.kind === 'star') {
    if (isOutOfOrder(undefined)) return refused(400, 'Bad Request - CSeq Out Of Order');
    return ok({ kind: 'remove-all' });
  }
  const kept = new Set(existing.map(storedKey));
  const remove: BindingToRemove[] = [];
  const save: RequestedContact[] = [];
  for (const contact of request.change.contacts) {
    const key = bindingKey(contact.uri, contact.flow);
    if (isOutOfOrder(key)) return refused(400, 'Bad Request - CSeq Out Of Order');
    if (contact.expiresS === 0) {
      remove.push(toRemove(contact.uri, contact.flow));
      kept.delete(key);
    } else {
      save.push(contact);
      kept.add(key);
      const plainKey = bindingKey(contact.uri, undefined);
      if (contact.flow !== undefined && kept.has(plainKey)) {
        remove.push(toRemove(contact.uri, undefined));
        kept.delete(plainKey);
      }
    }
  }
  if (kept.size > maxBindings) return refused(403, 'Forbidden - Too Many Contacts');
  return ok({ kind: 'update', remove, save });
}
