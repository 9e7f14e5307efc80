/**
 * The STUN (RFC 5389) Binding exchange that RFC 5626 §4.4.2 and §8 use as the keep-alive of SIP over UDP:
 * the phone asks, we answer with the address and port its datagram came from (XOR-MAPPED-ADDRESS), so the
 * phone learns whether its NAT binding changed. Only what a SIP server answering keep-alives needs: decoding
 * a Binding request and encoding its success or 420 response. Bytes in, bytes out; nothing here throws.
 */

/** RFC 5389 §6: the fixed value at octets 4 to 7 of every STUN message. */
export const stunMagicCookie = 0x2112a442;

const headerLength = 20;
const transactionIdLength = 12;
const bindingRequest = 0x0001;
const bindingSuccess = 0x0101;
const bindingError = 0x0111;
const xorMappedAddressType = 0x0020;
const errorCodeType = 0x0009;
const unknownAttributesType = 0x000a;
/**
 * RFC 5389 §15: comprehension-required attributes we understand well enough to ignore: MAPPED-ADDRESS,
 * USERNAME, MESSAGE-INTEGRITY (we issue no short-term credentials, §10.1.2), ERROR-CODE, UNKNOWN-ATTRIBUTES,
 * REALM, NONCE, XOR-MAPPED-ADDRESS. Comprehension-optional ones (0x8000 and up: SOFTWARE, FINGERPRINT...)
 * are always ignored.
 */
const knownRequiredAttributes = new Set([0x0001, 0x0006, 0x0008, 0x0009, 0x000a, 0x0014, 0x0015, 0x0020]);

/** Why a datagram that looked like STUN was not a Binding request we can answer (it is dropped). */
export type StunDecodeFailure =
  'too-short' | 'not-stun' | 'bad-length' | 'not-a-binding-request' | 'malformed-attribute';

/** A STUN Binding request as read: what to answer it with. */
export type StunBindingRequest =
  | { readonly kind: 'binding-request'; readonly transactionId: Uint8Array }
  /** It has comprehension-required attributes we do not know: answer 420 listing them (RFC 5389 §7.3.1). */
  | {
      readonly kind: 'unknown-attributes';
      readonly transactionId: Uint8Array;
      readonly attributeTypes: readonly number[];
    };

/** The outcome of `decodeStunBindingRequest`. */
export type StunDecodeResult =
  | { readonly ok: true; readonly value: StunBindingRequest }
  | { readonly ok: false; readonly error: StunDecodeFailure };

function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return readUint16(bytes, offset) * 0x10000 + readUint16(bytes, offset + 2);
}

/**
 * True when a datagram is STUN rather than SIP (RFC 5626 §8, RFC 5389 §6): its first two bits are 0 and the
 * magic cookie follows the type and length. A SIP message starts with a letter or CR/LF and has no cookie,
 * so the test never mistakes one for the other.
 */
export function isStunMessage(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && ((bytes[0] ?? 0xff) & 0xc0) === 0 && readUint32(bytes, 4) === stunMagicCookie;
}

/**
 * Reads a STUN Binding request (RFC 5389 §6, §15): 20-octet header with the magic cookie, a length that
 * matches the datagram and is a multiple of 4, class request and method Binding, attributes that fit.
 */
export function decodeStunBindingRequest(bytes: Uint8Array): StunDecodeResult {
  if (bytes.length < headerLength) return { ok: false, error: 'too-short' };
  if (!isStunMessage(bytes)) return { ok: false, error: 'not-stun' };
  const length = readUint16(bytes, 2);
  if (length % 4 !== 0 || length !== bytes.length - headerLength) return { ok: false, error: 'bad-length' };
  if (readUint16(bytes, 0) !== bindingRequest) return { ok: false, error: 'not-a-binding-request' };
  const transactionId = bytes.slice(8, headerLength);
  const unknown: number[] = [];
  let offset = headerLength;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return { ok: false, error: 'malformed-attribute' };
    const type = readUint16(bytes, offset);
    const valueLength = readUint16(bytes, offset + 2);
    // Values are padded to a multiple of 4 octets (RFC 5389 §15).
    const next = offset + 4 + Math.ceil(valueLength / 4) * 4;
    if (next > bytes.length) return { ok: false, error: 'malformed-attribute' };
    if (type < 0x8000 && !knownRequiredAttributes.has(type) && !unknown.includes(type)) unknown.push(type);
    offset = next;
  }
  if (unknown.length > 0)
    return { ok: true, value: { kind: 'unknown-attributes', transactionId, attributeTypes: unknown } };
  return { ok: true, value: { kind: 'binding-request', transactionId } };
}

/** A transport address as octets: 4 for IPv4, 16 for IPv6. */
export interface StunAddress {
  readonly family: 4 | 6;
  readonly octets: Uint8Array;
  readonly port: number;
}

/** The octets of an IPv4 dotted quad, or undefined. */
function ipv4Octets(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((part) => (/^[0-9]{1,3}$/.test(part) ? Number(part) : 256));
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/**
 * Reads an IP address literal (IPv4 dotted quad, or IPv6 with `::` and an optional trailing dotted quad,
 * brackets and a zone allowed) into octets; undefined when it is not one.
 */
export function ipAddressOctets(text: string): { family: 4 | 6; octets: Uint8Array } | undefined {
  const v4 = ipv4Octets(text);
  if (v4 !== undefined) return { family: 4, octets: Uint8Array.from(v4) };
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (!bare.includes(':')) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const words: number[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      const quad = index === pieces.length - 1 ? ipv4Octets(piece) : undefined;
      if (quad !== undefined) {
        words.push(((quad[0] ?? 0) << 8) | (quad[1] ?? 0), ((quad[2] ?? 0) << 8) | (quad[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      words.push(parseInt(piece, 16));
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const octets = new Uint8Array(16);
  words.forEach((word, index) => {
    octets[index * 2] = word >> 8;
    octets[index * 2 + 1] = word & 0xff;
  });
  return { family: 6, octets };
}

function header(type: number, length: number, transactionId: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(headerLength + length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, type);
  view.setUint16(2, length);
  view.setUint32(4, stunMagicCookie);
  bytes.set(transactionId.subarray(0, transactionIdLength), 8);
  return bytes;
}

/**
 * The Binding success response (RFC 5389 §7.3.1) to the request with `transactionId`, carrying the source of
 * the request as XOR-MAPPED-ADDRESS (§15.2): the port XORed with the cookie's top 16 bits, an IPv4 address
 * with the cookie, an IPv6 address with the cookie followed by the transaction id.
 */
export function encodeBindingSuccess(transactionId: Uint8Array, mapped: StunAddress): Uint8Array {
  const addressLength = mapped.family === 4 ? 4 : 16;
  const bytes = header(bindingSuccess, 4 + 4 + addressLength, transactionId);
  const view = new DataView(bytes.buffer);
  view.setUint16(headerLength, xorMappedAddressType);
  view.setUint16(headerLength + 2, 4 + addressLength);
  bytes[headerLength + 5] = mapped.family === 4 ? 0x01 : 0x02;
  view.setUint16(headerLength + 6, (mapped.port ^ (stunMagicCookie >>> 16)) & 0xffff);
  // The key: cookie then transaction id, octet by octet (only its first 4 octets for IPv4).
  const key = bytes.subarray(4, headerLength);
  for (let i = 0; i < addressLength; i++)
    bytes[headerLength + 8 + i] = (mapped.octets[i] ?? 0) ^ (key[i] ?? 0);
  return bytes;
}

/** The 420 Unknown Attribute error response (RFC 5389 §7.3.1, §15.6, §15.9) listing `attributeTypes`. */
export function encodeUnknownAttributes(
  transactionId: Uint8Array,
  attributeTypes: readonly number[],
): Uint8Array {
  const reason = new TextEncoder().encode('Unknown Attribute');
  const errorValueLength = 4 + reason.length;
  const errorPadded = Math.ceil(errorValueLength / 4) * 4;
  const listLength = attributeTypes.length * 2;
  const listPadded = Math.ceil(listLength / 4) * 4;
  const bytes = header(bindingError, 4 + errorPadded + 4 + listPadded, transactionId);
  const view = new DataView(bytes.buffer);
  let offset = headerLength;
  view.setUint16(offset, errorCodeType);
  view.setUint16(offset + 2, errorValueLength);
  bytes[offset + 6] = 4; // class: 4xx
  bytes[offset + 7] = 20; // number: 420
  bytes.set(reason, offset + 8);
  offset += 4 + errorPadded;
  view.setUint16(offset, unknownAttributesType);
  view.setUint16(offset + 2, listLength);
  attributeTypes.forEach((type, index) => {
    view.setUint16(offset + 4 + index * 2, type);
  });
  return bytes;
}

/**
 * The answer to a datagram that is STUN (`isStunMessage`): the bytes to send back to `source`, or undefined
 * to drop it (malformed, a response, another method, or a source that is not an IP literal).
 */
export function answerStunBindingRequest(
  bytes: Uint8Array,
  source: { readonly address: string; readonly port: number },
): Uint8Array | undefined {
  const decoded = decodeStunBindingRequest(bytes);
  if (!decoded.ok) return undefined;
  const request = decoded.value;
  switch (request.kind) {
    case 'unknown-attributes':
      return encodeUnknownAttributes(request.transactionId, request.attributeTypes);
    case 'binding-request': {
      const address = ipAddressOctets(source.address);
      if (address === undefined || !Number.isInteger(source.port) || source.port < 0 || source.port > 65535)
        return undefined;
      return encodeBindingSuccess(request.transactionId, { ...address, port: source.port });
    }
  }
}
