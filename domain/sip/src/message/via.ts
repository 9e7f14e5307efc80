import type { Host } from './host.ts';
import { isIpv4Address, isIpv6Address, parseHost, serializeHost } from './host.ts';
import { isDigits, scanToken, skipWhiteSpace, splitTopLevel } from './lexical-rules.ts';
import type { Parameter } from './parameters.ts';
import { findParameter, parameterValue, parseParameters, serializeParameters } from './parameters.ts';

/** One Via value (RFC 3261 §20.42): protocol, transport, sent-by and parameters (branch, received, rport...). */
export interface Via {
  readonly protocolName: string;
  readonly protocolVersion: string;
  /** As written (UDP, TCP, TLS, SCTP, WS, WSS or any token); compare case-insensitively. */
  readonly transport: string;
  readonly host: Host;
  readonly port?: number;
  readonly params: readonly Parameter[];
}

/** The branch prefix that marks an RFC 3261 transaction id (RFC 3261 §8.1.1.7). */
export const magicCookie = 'z9hG4bK';

function isHostChar(char: string | undefined): boolean {
  return char !== undefined && /^[a-zA-Z0-9.\-_]$/.test(char);
}

function checkViaParams(params: readonly Parameter[]): boolean {
  for (const param of params) {
    switch (param.name.toLowerCase()) {
      case 'branch':
        if (param.value === undefined || param.value.startsWith('"')) return false;
        break;
      case 'received': {
        // RFC 3261 says IPv4address / IPv6address; RFC 5118 §4.5 asks us to accept the bracketed form too.
        const value = param.value ?? '';
        const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
        if (!isIpv4Address(bare) && !isIpv6Address(bare)) return false;
        break;
      }
      case 'rport':
        // RFC 3581 §3: a request carries it empty; a response gives the source port.
        if (param.value !== undefined && (!isDigits(param.value) || Number(param.value) > 65535))
          return false;
        break;
      case 'ttl':
        if (param.value === undefined || !isDigits(param.value) || Number(param.value) > 255) return false;
        break;
      case 'maddr':
        if (param.value === undefined || parseHost(param.value) === undefined) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

function parseOneVia(text: string): Via | undefined {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, with SWS around each slash
  // (RFC 4475 §3.1.1.1 writes "SIP  /   2.0 /UDP").
  let i = skipWhiteSpace(text, 0);
  const parts: string[] = [];
  for (let part = 0; part < 3; part++) {
    if (part > 0) {
      i = skipWhiteSpace(text, i);
      if (text[i] !== '/') return undefined;
      i = skipWhiteSpace(text, i + 1);
    }
    const end = scanToken(text, i);
    if (end === i) return undefined;
    parts.push(text.slice(i, end));
    i = end;
  }
  const afterProtocol = skipWhiteSpace(text, i);
  if (afterProtocol === i) return undefined;
  i = afterProtocol;
  let hostEnd = i;
  if (text[i] === '[') {
    hostEnd = text.indexOf(']', i);
    if (hostEnd < 0) return undefined;
    hostEnd++;
  } else {
    while (isHostChar(text[hostEnd])) hostEnd++;
  }
  const host = parseHost(text.slice(i, hostEnd));
  if (host === undefined) return undefined;
  i = skipWhiteSpace(text, hostEnd);
  let port: number | undefined;
  if (text[i] === ':') {
    i = skipWhiteSpace(text, i + 1);
    let portEnd = i;
    while (portEnd < text.length && /\d/.test(text.charAt(portEnd))) portEnd++;
    const portText = text.slice(i, portEnd);
    if (portText.length === 0 || portText.length > 5 || Number(portText) > 65535) return undefined;
    port = Number(portText);
    i = portEnd;
  }
  const parsed = parseParameters(text, i);
  if (parsed === undefined || parsed.end !== text.length || !checkViaParams(parsed.params)) return undefined;
  const [protocolName = '', protocolVersion = '', transport = ''] = parts;
  return {
    protocolName,
    protocolVersion,
    transport,
    host,
    ...(port === undefined ? {} : { port }),
    params: parsed.params,
  };
}

/** Parses a Via header value, which may hold several comma-separated vias. Undefined when malformed. */
export function parseVia(text: string): Via[] | undefined {
  const parts = splitTopLevel(text, ',');
  if (parts === undefined) return undefined;
  const vias: Via[] = [];
  for (const part of parts) {
    const via = parseOneVia(part);
    if (via === undefined) return undefined;
    vias.push(via);
  }
  return vias;
}

/** Writes one via in canonical form: `SIP/2.0/UDP host:port;params`. */
export function serializeVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocolName}/${via.protocolVersion}/${via.transport} ${serializeHost(via.host)}${port}${serializeParameters(via.params)}`;
}

/** The branch parameter, the transaction id of RFC 3261 §17. */
export function viaBranch(via: Via): string | undefined {
  return parameterValue(via.params, 'branch');
}

/** The received parameter without IPv6 brackets (RFC 3261 §18.2.1, RFC 5118 §4.5). */
export function viaReceived(via: Via): string | undefined {
  const value = parameterValue(via.params, 'received');
  return value?.startsWith('[') === true && value.endsWith(']') ? value.slice(1, -1) : value;
}

/**
 * The rport parameter (RFC 3581): absent, requested (present without a value: the client asks for its
 * source port to be written back), or the port a server wrote.
 */
export function viaRport(
  via: Via,
):
  | { readonly kind: 'absent' }
  | { readonly kind: 'requested' }
  | { readonly kind: 'port'; readonly port: number } {
  const param = findParameter(via.params, 'rport');
  if (param === undefined) return { kind: 'absent' };
  if (param.value === undefined) return { kind: 'requested' };
  return { kind: 'port', port: Number(param.value) };
}

/**
 * True when the branch marks an RFC 3261 transaction: it starts with the magic cookie and has something
 * after it. A bare cookie (RFC 4475 §3.2.1) or no branch means RFC 2543 matching rules apply (§17.2.3).
 */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return branch !== undefined && branch.startsWith(magicCookie) && branch.length > magicCookie.length;
}
