import { parseNameAddressList } from '../message/name-address.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { headerValue } from '../message/sip-message.ts';
import type { Uri } from '../message/uri.ts';

/** The transport a message goes out on, as our Contact must name it: RFC 3261 §18 and RFC 7118. */
export type ContactTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * Where our Contact points: the user part, the transport of the message that carries it, the `host:port` of
 * our listener for that transport (the Via sent-by), and whether the Contact must be a SIPS URI.
 */
export interface LocalContactInput {
  readonly user: string;
  readonly transport: ContactTransport;
  /**
   * Our listener's `host:port` for `transport` (IPv6 in brackets); undefined when we have none, as for a
   * WebSocket connection we opened: the peer can only reach us back over that connection.
   */
  readonly hostPort: string | undefined;
  /** The dialog is SIPS (`requiresSipsContact`). */
  readonly isSips: boolean;
}

/**
 * The host of a Contact nobody can resolve (RFC 7118 §5, RFC 6761 §6.4): a WebSocket peer with no listener
 * is reached over its open connection only.
 */
export const unreachableContactHost = 'centralita.invalid';

/**
 * Our Contact header value for a message sent over `transport`, so the peer's requests in the dialog come
 * back over the same transport to the listener that serves it (RFC 3261 §8.1.1.8, §12.1.1):
 *
 * - UDP: `<sip:user@host:port>` (UDP is the default of a SIP URI with a port, RFC 3263 §4.1);
 * - TCP: `<sip:user@host:port;transport=tcp>`;
 * - TLS: `<sips:user@host:port>` in a SIPS dialog, else `<sip:user@host:port;transport=tls>` (RFC 5630 §3.1.3
 *   lets a SIP URI be reached over TLS; the parameter is deprecated but it is what says "TLS" in a `sip:` URI);
 * - WS, WSS: `;transport=ws`, the only value RFC 7118 §5.2 defines (WSS is `sips:` with it), at our listener,
 *   or at an `.invalid` host without one (RFC 7118 §5).
 *
 * A SIPS dialog gets a SIPS Contact on any transport, as RFC 3261 §8.1.1.8 requires; only TLS and WSS make it
 * true.
 */
export function localContact(input: LocalContactInput): string {
  const scheme = input.isSips ? 'sips' : 'sip';
  const host = input.hostPort ?? unreachableContactHost;
  const parameter = contactTransportParameter(input.transport, input.isSips);
  return `<${scheme}:${input.user}@${host}${parameter === undefined ? '' : `;transport=${parameter}`}>`;
}

function contactTransportParameter(transport: ContactTransport, isSips: boolean): string | undefined {
  switch (transport) {
    case 'udp':
      return undefined;
    case 'tcp':
      return 'tcp';
    case 'tls':
      return isSips ? undefined : 'tls';
    case 'ws':
    case 'wss':
      return 'ws';
  }
}

function isSipsUri(uri: Uri | undefined): boolean {
  return uri?.kind === 'sip' && uri.scheme === 'sips';
}

/** The URI of the first value of a name-addr header (Route, Record-Route, Contact); undefined without one. */
function firstHeaderUri(request: SipRequest, name: string): Uri | undefined {
  const value = headerValue(request.headers, name);
  return value === undefined ? undefined : parseNameAddressList(value)?.[0]?.uri;
}

/**
 * Whether our Contact for `request` must be a SIPS URI. As the UAC of a request we send (RFC 3261 §8.1.1.8):
 * its Request-URI or top Route is SIPS. As the UAS of a request that starts a dialog (§12.1.1): its
 * Request-URI is SIPS, or its top Record-Route, or its Contact when there is no Record-Route.
 */
export function requiresSipsContact(request: SipRequest, role: 'uac' | 'uas'): boolean {
  if (isSipsUri(request.requestUri)) return true;
  if (role === 'uac') return isSipsUri(firstHeaderUri(request, 'route'));
  const recordRoute = firstHeaderUri(request, 'record-route');
  return isSipsUri(recordRoute ?? firstHeaderUri(request, 'contact'));
}
