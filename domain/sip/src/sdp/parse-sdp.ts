import type { DomainError, Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type { SipErrorCode } from '../errors.ts';
import type {
  ConnectionData,
  SdpAttribute,
  SdpField,
  SdpOrigin,
  SessionDescription,
} from './session-description.ts';

/** Why an SDP body was refused. */
export type SdpError = DomainError<Extract<SipErrorCode, 'SIP_SDP_MALFORMED'>>;

function malformed(message: string): { readonly ok: false; readonly error: SdpError } {
  return err(domainError('SIP_SDP_MALFORMED', message));
}

function parseConnection(value: string): ConnectionData | undefined {
  const parts = value.split(' ');
  if (parts.length !== 3) return undefined;
  const [networkType = '', addressType = '', addressWithTtl = ''] = parts;
  // Multicast addresses carry /ttl and /count (RFC 4566 §5.7); the address is what we need.
  const address = addressWithTtl.split('/')[0] ?? '';
  return networkType === '' || addressType === '' || address === ''
    ? undefined
    : { networkType, addressType, address };
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  return colon < 0 ? { name: value } : { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

interface MutableMedia {
  media: string;
  port: number;
  portCount?: number;
  protocol: string;
  formats: string[];
  connection?: ConnectionData;
  attributes: SdpAttribute[];
  otherFields: SdpField[];
}

/**
 * Parses an SDP body (RFC 4566): UTF-8 text of `type=value` lines ending in CRLF or LF. Requires v=0
 * first and an o= field; tolerates a missing s= or t= (common in the wild; RFC 4475 §3.1.2.18 sends such
 * a body) and unknown field types. Returns a value, never throws.
 */
export function parseSdp(body: Uint8Array | string): Result<SessionDescription, SdpError> {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  // Trailing white space is not SDP, but some phones send it; it must not hide a=sendonly (hold).
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
  if (lines[0] !== 'v=0') return malformed('SDP must start with v=0');
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let connection: ConnectionData | undefined;
  const times: string[] = [];
  const attributes: SdpAttribute[] = [];
  const otherFields: SdpField[] = [];
  const media: MutableMedia[] = [];
  for (const line of lines.slice(1)) {
    if (line.length < 2 || line[1] !== '=' || !/^[a-z]$/.test(line[0] ?? ''))
      return malformed(`bad SDP line: ${line.slice(0, 20)}`);
    const type = line[0] ?? '';
    const value = line.slice(2);
    const current = media[media.length - 1];
    switch (type) {
      case 'o': {
        const parts = value.split(' ');
        if (parts.length !== 6 || current !== undefined) return malformed('bad o= field');
        const [
          username = '',
          sessionId = '',
          sessionVersion = '',
          networkType = '',
          addressType = '',
          address = '',
        ] = parts;
        origin = { username, sessionId, sessionVersion, networkType, addressType, address };
        break;
      }
      case 's':
        if (current === undefined) sessionName = value;
        break;
      case 't':
        if (current === undefined) times.push(value);
        break;
      case 'c': {
        const parsed = parseConnection(value);
        if (parsed === undefined) return malformed('bad c= field');
        if (current === undefined) connection = parsed;
        else current.connection = parsed;
        break;
      }
      case 'a':
        (current?.attributes ?? attributes).push(parseAttribute(value));
        break;
      case 'm': {
        const match = /^(\S+) (\d+)(?:\/(\d+))? (\S+)((?: \S+)*)$/.exec(value);
        const port = Number(match?.[2]);
        if (match === null || port > 65535) return malformed('bad m= field');
        media.push({
          media: match[1] ?? '',
          port,
          ...(match[3] === undefined ? {} : { portCount: Number(match[3]) }),
          protocol: match[4] ?? '',
          formats: (match[5] ?? '').split(' ').filter((format) => format !== ''),
          attributes: [],
          otherFields: [],
        });
        break;
      }
      default:
        (current?.otherFields ?? otherFields).push({ type, value });
    }
  }
  if (origin === undefined) return malformed('SDP has no o= field');
  return ok({
    origin,
    sessionName: sessionName ?? '-',
    ...(connection === undefined ? {} : { connection }),
    times: times.length === 0 ? ['0 0'] : times,
    attributes,
    otherFields,
    media,
  });
}
