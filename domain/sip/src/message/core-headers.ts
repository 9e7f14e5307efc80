import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { headerDisplayName, headerKey } from './header-names.ts';
import { isToken, parseBoundedInteger, trimWhiteSpace } from './lexical-rules.ts';
import type { ContactValue, NameAddress } from './name-address.ts';
import { parseContact, parseNameAddress, parseNameAddressList } from './name-address.ts';
import type { SipParseError } from './sip-parse-error.ts';
import { sipParseError } from './sip-parse-error.ts';
import type { SipMessage } from './sip-message.ts';
import type { Via } from './via.ts';
import { parseVia } from './via.ts';

/** A CSeq value (RFC 3261 §20.16): a 32-bit sequence number and the method it counts. */
export interface CSeq {
  readonly sequence: number;
  readonly method: string;
}

/** The largest CSeq number (RFC 3261 §8.1.1.5: less than 2**32). */
export const maxCSeq = 2 ** 32 - 1;

/**
 * Parses `1*DIGIT LWS Method`. Values above 2**32-1 are malformed (RFC 4475 §3.1.2.4 answers 400);
 * leading zeros are fine (RFC 4475 §3.1.1.1 sends `0009 INVITE`).
 */
export function parseCSeq(text: string): CSeq | undefined {
  const match = /^(\d+)[ \t]+(\S+)$/.exec(trimWhiteSpace(text));
  if (match === null) return undefined;
  const sequence = parseBoundedInteger(match[1] ?? '', maxCSeq);
  const method = match[2] ?? '';
  return sequence === undefined || !isToken(method) ? undefined : { sequence, method };
}

/** Writes a CSeq value. */
export function serializeCSeq(cseq: CSeq): string {
  return `${cseq.sequence} ${cseq.method}`;
}

/** Parses Max-Forwards: 0 to 255 (RFC 3261 §20.22). */
export function parseMaxForwards(text: string): number | undefined {
  return parseBoundedInteger(trimWhiteSpace(text), 255);
}

/**
 * Parses a Call-ID. The grammar (`word ["@" word]`) is checked loosely: any non-empty run of visible
 * characters, because the core only compares Call-IDs and real phones use characters `word` lacks.
 */
export function parseCallId(text: string): string | undefined {
  const value = trimWhiteSpace(text);
  return value.length > 0 && !/[\s]/.test(value) ? value : undefined;
}

/** The typed view of the headers every request and response must carry, plus the routing ones. */
export interface CoreHeaders {
  readonly vias: readonly Via[];
  readonly from: NameAddress;
  readonly to: NameAddress;
  readonly callId: string;
  readonly cseq: CSeq;
  readonly maxForwards?: number;
  readonly contact?: ContactValue;
  readonly routes: readonly NameAddress[];
  readonly recordRoutes: readonly NameAddress[];
}

const singletonKeys = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length', 'content-type'];
const mandatoryKeys = ['via', 'from', 'to', 'call-id', 'cseq'];

/**
 * Reads and checks the core headers: Via, From, To, Call-ID and CSeq present (RFC 3261 §8.1.1), the
 * single-valued ones present once (RFC 4475 §3.3.8), each following its grammar. Any message that
 * `parseMessage` returns has passed this, so the result can be trusted by transactions and dialogs.
 */
export function readCoreHeaders(message: SipMessage): Result<CoreHeaders, SipParseError> {
  const request =
    message.kind === 'request' ? { method: message.method, headers: message.headers } : undefined;
  const fail = (
    code: 'SIP_MISSING_HEADER' | 'SIP_DUPLICATE_HEADER' | 'SIP_MALFORMED_HEADER',
    key: string,
  ) => {
    const name = headerDisplayName(key);
    const reason =
      code === 'SIP_MISSING_HEADER'
        ? `Bad Request - Missing ${name} header`
        : code === 'SIP_DUPLICATE_HEADER'
          ? `Bad Request - Multiple ${name} headers`
          : `Bad Request - Malformed ${name} header`;
    return err(
      sipParseError(code, 400, reason, { field: name, ...(request === undefined ? {} : { request }) }),
    );
  };
  const byKey = new Map<string, string[]>();
  for (const header of message.headers) {
    const key = headerKey(header.name);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [header.value]);
    else list.push(header.value);
  }
  for (const key of mandatoryKeys) if (!byKey.has(key)) return fail('SIP_MISSING_HEADER', key);
  for (const key of singletonKeys)
    if ((byKey.get(key)?.length ?? 0) > 1) return fail('SIP_DUPLICATE_HEADER', key);

  const vias: Via[] = [];
  for (const value of byKey.get('via') ?? []) {
    const parsed = parseVia(value);
    if (parsed === undefined) return fail('SIP_MALFORMED_HEADER', 'via');
    vias.push(...parsed);
  }
  const from = parseNameAddress(byKey.get('from')?.[0] ?? '');
  if (from === undefined) return fail('SIP_MALFORMED_HEADER', 'from');
  const to = parseNameAddress(byKey.get('to')?.[0] ?? '');
  if (to === undefined) return fail('SIP_MALFORMED_HEADER', 'to');
  const callId = parseCallId(byKey.get('call-id')?.[0] ?? '');
  if (callId === undefined) return fail('SIP_MALFORMED_HEADER', 'call-id');
  const cseq = parseCSeq(byKey.get('cseq')?.[0] ?? '');
  if (cseq === undefined) return fail('SIP_MALFORMED_HEADER', 'cseq');
  const maxForwardsText = byKey.get('max-forwards')?.[0];
  const maxForwards = maxForwardsText === undefined ? undefined : parseMaxForwards(maxForwardsText);
  if (maxForwardsText !== undefined && maxForwards === undefined)
    return fail('SIP_MALFORMED_HEADER', 'max-forwards');

  let contact: ContactValue | undefined;
  const contactValues = byKey.get('contact');
  if (contactValues !== undefined) {
    const addresses: NameAddress[] = [];
    for (const value of contactValues) {
      const parsed = parseContact(value);
      if (parsed === undefined) return fail('SIP_MALFORMED_HEADER', 'contact');
      if (parsed.kind === 'star') {
        // "*" stands alone: one Contact field, one value (RFC 3261 §10.2.2).
        if (contactValues.length > 1) return fail('SIP_MALFORMED_HEADER', 'contact');
        contact = parsed;
      } else {
        addresses.push(...parsed.addresses);
      }
    }
    contact ??= { kind: 'addresses', addresses };
  }
  const routeList = (key: string): NameAddress[] | undefined => {
    const all: NameAddress[] = [];
    for (const value of byKey.get(key) ?? []) {
      const parsed = parseNameAddressList(value);
      if (parsed === undefined) return undefined;
      all.push(...parsed);
    }
    return all;
  };
  const routes = routeList('route');
  if (routes === undefined) return fail('SIP_MALFORMED_HEADER', 'route');
  const recordRoutes = routeList('record-route');
  if (recordRoutes === undefined) return fail('SIP_MALFORMED_HEADER', 'record-route');
  return ok({
    vias,
    from,
    to,
    callId,
    cseq,
    ...(maxForwards === undefined ? {} : { maxForwards }),
    ...(contact === undefined ? {} : { contact }),
    routes,
    recordRoutes,
  });
}
