import { parseCSeq } from '../message/core-headers.ts';
import { headerKey } from '../message/header-names.ts';
import type { NameAddress } from '../message/name-address.ts';
import {
  parseContact,
  parseNameAddress,
  parseNameAddressList,
  serializeNameAddress,
} from '../message/name-address.ts';
import { parameterValue } from '../message/parameters.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message/sip-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import type { Uri } from '../message/uri.ts';
import { hasUriParameter } from '../message/uri.ts';

/**
 * A dialog (RFC 3261 §12): the peer-to-peer relationship an INVITE creates, as plain data. Everything a
 * request inside the dialog needs is here: Call-ID, both tags, both parties as written in From/To, the
 * CSeq counters, the remote target (the peer's Contact) and the route set (from Record-Route).
 */
export interface Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our party with our tag: the From of requests we send in this dialog. */
  readonly localParty: string;
  /** The peer with its tag: the To of requests we send. */
  readonly remoteParty: string;
  /** The CSeq number of the last request we sent (the next one is this + 1). */
  readonly localCSeq: number;
  /** The CSeq number of the last request the peer sent; undefined until it sends one (RFC 3261 §12.1.2). */
  readonly remoteCSeq: number | undefined;
  /** Where requests go: the peer's Contact, refreshed by target-refresh requests (re-INVITE, UPDATE). */
  readonly remoteTarget: Uri;
  /** Route header values for requests we send, in order. */
  readonly routeSet: readonly string[];
  /** Our Contact header value, sent in target-refresh requests. */
  readonly localContact: string;
}

/** Why a dialog could not be made or used. */
export type DialogProblem =
  | 'missing-call-id'
  | 'missing-from-tag'
  | 'missing-to-tag'
  | 'missing-contact'
  | 'malformed-header'
  /** A request whose CSeq is not above the last one from the peer (RFC 3261 §12.2.2: answer 500). */
  | 'cseq-out-of-order';

/** The dialog id of a dialog as a string key: Call-ID, local tag and remote tag (RFC 3261 §12). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/**
 * The key of the dialog a received request belongs to, seen from us: our tag is the To tag, the peer's
 * the From tag. Undefined for a request outside any dialog (no To tag).
 */
export function receivedRequestDialogKey(request: SipRequest): string | undefined {
  const callId = headerValue(request.headers, 'call-id');
  const localTag = tagOf(headerValue(request.headers, 'to'));
  const remoteTag = tagOf(headerValue(request.headers, 'from'));
  if (callId === undefined || localTag === undefined || remoteTag === undefined) return undefined;
  return dialogKey(callId, localTag, remoteTag);
}

/** The tag parameter of a From or To value. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const address = parseNameAddress(value);
  return address === undefined ? undefined : parameterValue(address.params, 'tag');
}

/** A From or To value with `tag` set (replacing any tag it had). */
export function withTag(value: string, tag: string): string | undefined {
  const address = parseNameAddress(value);
  if (address === undefined) return undefined;
  return serializeNameAddress({
    ...address,
    params: [
      ...address.params.filter((param) => param.name.toLowerCase() !== 'tag'),
      { name: 'tag', value: tag },
    ],
  });
}

/** Every Record-Route value of a message, comma lists split, in message order. */
function recordRoutes(headers: readonly SipHeader[]): string[] | undefined {
  const routes: NameAddress[] = [];
  for (const value of headerValues(headers, 'record-route')) {
    const list = parseNameAddressList(value);
    if (list === undefined) return undefined;
    routes.push(...list);
  }
  return routes.map((route) => serializeNameAddress(route));
}

function contactUri(headers: readonly SipHeader[]): Uri | undefined {
  const contact = parseContact(headerValue(headers, 'contact') ?? '');
  if (contact?.kind !== 'addresses') return undefined;
  return contact.addresses[0]?.uri;
}

/**
 * The dialog a UAS creates when it answers an INVITE with a 2xx or 1xx carrying `localTag` (RFC 3261
 * §12.1.1): route set from Record-Route in order, remote target from Contact, remote CSeq from the
 * INVITE. `initialLocalCSeq` is the number before our first request (any value below 2³¹, §8.1.1.5).
 */
export function dialogAsUas(
  invite: SipRequest,
  localTag: string,
  localContact: string,
  initialLocalCSeq: number,
): { ok: true; value: Dialog } | { ok: false; error: DialogProblem } {
  const callId = headerValue(invite.headers, 'call-id');
  if (callId === undefined) return { ok: false, error: 'missing-call-id' };
  const from = headerValue(invite.headers, 'from');
  const remoteTag = tagOf(from);
  if (from === undefined || remoteTag === undefined) return { ok: false, error: 'missing-from-tag' };
  const localParty = withTag(headerValue(invite.headers, 'to') ?? '', localTag);
  const routeSet = recordRoutes(invite.headers);
  const cseq = parseCSeq(headerValue(invite.headers, 'cseq') ?? '');
  if (localParty === undefined || routeSet === undefined || cseq === undefined)
    return { ok: false, error: 'malformed-header' };
  const remoteTarget = contactUri(invite.headers);
  if (remoteTarget === undefined) return { ok: false, error: 'missing-contact' };
  return {
    ok: true,
    value: {
      callId,
      localTag,
      remoteTag,
      localParty,
      remoteParty: from,
      localCSeq: initialLocalCSeq,
      remoteCSeq: cseq.sequence,
      remoteTarget,
      routeSet,
      localContact,
    },
  };
}

/**
 * The dialog a UAC gets from a response with a To tag to its INVITE (RFC 3261 §12.1.2): route set from
 * the response's Record-Route in reverse order, remote target from its Contact, local CSeq from the
 * INVITE. `localContact` is the Contact the INVITE carried.
 */
export function dialogAsUac(
  invite: SipRequest,
  response: SipResponse,
  localContact: string,
): { ok: true; value: Dialog } | { ok: false; error: DialogProblem } {
  const callId = headerValue(invite.headers, 'call-id');
  if (callId === undefined) return { ok: false, error: 'missing-call-id' };
  const localParty = headerValue(invite.headers, 'from');
  const localTag = tagOf(localParty);
  if (localParty === undefined || localTag === undefined) return { ok: false, error: 'missing-from-tag' };
  const remoteParty = headerValue(response.headers, 'to');
  const remoteTag = tagOf(remoteParty);
  if (remoteParty === undefined || remoteTag === undefined) return { ok: false, error: 'missing-to-tag' };
  const routes = recordRoutes(response.headers);
  const cseq = parseCSeq(headerValue(invite.headers, 'cseq') ?? '');
  if (routes === undefined || cseq === undefined) return { ok: false, error: 'malformed-header' };
  // A 2xx must carry a Contact (RFC 3261 §13.3.1.4); some phones omit it, and then the Request-URI we
  // reached them on is the best remote target there is.
  const remoteTarget = contactUri(response.headers) ?? invite.requestUri;
  return {
    ok: true,
    value: {
      callId,
      localTag,
      remoteTag,
      localParty,
      remoteParty,
      localCSeq: cseq.sequence,
      remoteCSeq: undefined,
      remoteTarget,
      routeSet: routes.reverse(),
      localContact,
    },
  };
}

/** What to put in a request sent inside a dialog. */
export interface InDialogRequestOptions {
  readonly body?: Uint8Array;
  /** Required with a body. */
  readonly contentType?: string;
  readonly extraHeaders?: readonly SipHeader[];
}

/** Methods whose requests update the remote target and carry our Contact (RFC 3261 §12.2, RFC 3311). */
const targetRefreshMethods = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

function routeUri(route: string): Uri | undefined {
  return parseNameAddress(route)?.uri;
}

function isLooseRoute(route: string): boolean {
  const uri = routeUri(route);
  return uri?.kind === 'sip' && hasUriParameter(uri, 'lr');
}

/**
 * Request-URI and Route headers for a request in the dialog (RFC 3261 §12.2.1.1): with no route set, or
 * a loose-routing first hop (`;lr`), the Request-URI is the remote target and the route set becomes Route
 * headers; a strict router as first hop gets the Request-URI and the remote target goes last in Route.
 */
function routing(dialog: Dialog): { requestUri: Uri; routes: readonly string[] } {
  const [firstRoute, ...restRoutes] = dialog.routeSet;
  if (firstRoute === undefined || isLooseRoute(firstRoute))
    return { requestUri: dialog.remoteTarget, routes: dialog.routeSet };
  const strictUri = routeUri(firstRoute);
  if (strictUri === undefined) return { requestUri: dialog.remoteTarget, routes: dialog.routeSet };
  const targetRoute = serializeNameAddress({ uri: dialog.remoteTarget, params: [] });
  return { requestUri: strictUri, routes: [...restRoutes, targetRoute] };
}

function baseHeaders(dialog: Dialog, cseq: number, method: string): SipHeader[] {
  const headers: SipHeader[] = [
    { name: 'From', value: dialog.localParty },
    { name: 'To', value: dialog.remoteParty },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${String(cseq)} ${method}` },
    { name: 'Max-Forwards', value: '70' },
  ];
  for (const route of routing(dialog).routes) headers.push({ name: 'Route', value: route });
  return headers;
}

/**
 * A new request inside the dialog (BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY, OPTIONS) with the next
 * local CSeq (RFC 3261 §12.2.1.1), and the dialog with that CSeq recorded. The transport adds the Via.
 */
export function inDialogRequest(
  dialog: Dialog,
  method: string,
  options: InDialogRequestOptions = {},
): { request: SipRequest; dialog: Dialog } {
  const cseq = dialog.localCSeq + 1;
  const headers = baseHeaders(dialog, cseq, method);
  if (targetRefreshMethods.has(method)) headers.push({ name: 'Contact', value: dialog.localContact });
  if (options.contentType !== undefined) headers.push({ name: 'Content-Type', value: options.contentType });
  headers.push(...(options.extraHeaders ?? []));
  return {
    request: {
      kind: 'request',
      method,
      requestUri: routing(dialog).requestUri,
      headers,
      body: options.body ?? new Uint8Array(0),
    },
    dialog: { ...dialog, localCSeq: cseq },
  };
}

/**
 * The ACK for a 2xx to an INVITE we sent in this dialog (RFC 3261 §13.2.2.4): the INVITE's CSeq number
 * with method ACK, the dialog's routing; a body only when the INVITE had no offer (late offer).
 */
export function ackFor2xx(
  dialog: Dialog,
  inviteCSeq: number,
  options: InDialogRequestOptions = {},
): SipRequest {
  const headers = baseHeaders(dialog, inviteCSeq, 'ACK');
  if (options.contentType !== undefined) headers.push({ name: 'Content-Type', value: options.contentType });
  headers.push(...(options.extraHeaders ?? []));
  return {
    kind: 'request',
    method: 'ACK',
    requestUri: routing(dialog).requestUri,
    headers,
    body: options.body ?? new Uint8Array(0),
  };
}

/**
 * Accepts a request the peer sent in the dialog (RFC 3261 §12.2.2): its CSeq must be above the last one
 * (ACK and CANCEL reuse the INVITE's and are not checked); a target-refresh request with a Contact moves
 * the remote target. Returns the updated dialog, or `cseq-out-of-order` (answer 500).
 */
export function receiveInDialog(
  dialog: Dialog,
  request: SipRequest,
): { ok: true; value: Dialog } | { ok: false; error: DialogProblem } {
  if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true, value: dialog };
  const cseq = parseCSeq(headerValue(request.headers, 'cseq') ?? '');
  if (cseq === undefined) return { ok: false, error: 'malformed-header' };
  if (dialog.remoteCSeq !== undefined && cseq.sequence <= dialog.remoteCSeq)
    return { ok: false, error: 'cseq-out-of-order' };
  const refreshed = targetRefreshMethods.has(request.method) ? contactUri(request.headers) : undefined;
  return {
    ok: true,
    value: { ...dialog, remoteCSeq: cseq.sequence, remoteTarget: refreshed ?? dialog.remoteTarget },
  };
}

/**
 * The URI the next request in the dialog is sent towards: the first route, or the remote target (RFC
 * 3261 §8.1.2). Name resolution (RFC 3263) of its host is the caller's.
 */
export function nextHopUri(dialog: Dialog): Uri {
  const first = dialog.routeSet[0];
  const uri = first === undefined ? undefined : routeUri(first);
  return uri ?? dialog.remoteTarget;
}

/** True when `name` is a header a B2BUA must never copy from one leg to the other (dialog and transport state). */
export function isDialogHeader(name: string): boolean {
  return dialogHeaderKeys.has(headerKey(name));
}

const dialogHeaderKeys = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'route',
  'record-route',
  'max-forwards',
  'content-length',
  'content-type',
]);
