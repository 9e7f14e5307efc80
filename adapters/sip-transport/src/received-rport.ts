import type { Parameter, SipRequest, Via } from '@centralita/sip';
import { headerKey, hostAddress, parseVia, serializeVia, viaRport } from '@centralita/sip';
import { normalizeAddress } from './ip-address.ts';

/** A received request with its top Via stamped, and what that Via says about where answers go. */
export interface StampedRequest {
  readonly request: SipRequest;
  /** The client asked for its source port back (RFC 3581 §4): answers go to that port. */
  readonly isRportRequested: boolean;
  /** The port of the top Via's sent-by, when it has one. */
  readonly viaPort?: number;
}

function withParameter(params: readonly Parameter[], name: string, value: string): Parameter[] {
  const result: Parameter[] = [];
  let isSet = false;
  for (const param of params) {
    if (param.name.toLowerCase() === name) {
      if (!isSet) result.push({ name: param.name, value });
      isSet = true;
    } else {
      result.push(param);
    }
  }
  if (!isSet) result.push({ name, value });
  return result;
}

/**
 * Adds `received` to the top Via when its sent-by is a host name or another address than the packet's
 * source (RFC 3261 §18.2.1), and, when the client sent an empty `rport`, fills it with the source port
 * and adds `received` in any case (RFC 3581 §4). Returns the request untouched when nothing changes.
 * Only the first Via header field is rewritten; the other values of that field keep their meaning.
 */
export function stampReceivedAndRport(
  request: SipRequest,
  sourceAddress: string,
  sourcePort: number,
): StampedRequest {
  const index = request.headers.findIndex((header) => headerKey(header.name) === 'via');
  const field = request.headers[index];
  const vias = field === undefined ? undefined : parseVia(field.value);
  const top = vias?.[0];
  if (field === undefined || vias === undefined || top === undefined) {
    return { request, isRportRequested: false };
  }
  const isRportRequested = viaRport(top).kind === 'requested';
  const isSameAddress =
    top.host.kind !== 'domain' && normalizeAddress(hostAddress(top.host)) === sourceAddress;
  const viaPort = top.port;
  const port = viaPort === undefined ? {} : { viaPort };
  if (isSameAddress && !isRportRequested) return { request, isRportRequested, ...port };
  let params = withParameter(top.params, 'received', sourceAddress);
  if (isRportRequested) params = withParameter(params, 'rport', String(sourcePort));
  const stamped: Via = { ...top, params };
  const value = [stamped, ...vias.slice(1)].map(serializeVia).join(', ');
  const headers = request.headers.slice();
  headers[index] = { name: field.name, value };
  return { request: { ...request, headers }, isRportRequested, ...port };
}
