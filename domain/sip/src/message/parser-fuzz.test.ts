import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIncoming } from './classify-incoming.ts';
import type { UasPolicy } from './classify-incoming.ts';
import { readCoreHeaders } from './core-headers.ts';
import type { Host } from './host.ts';
import { serializeNameAddress } from './name-address.ts';
import type { NameAddress } from './name-address.ts';
import { parseMessage } from './parse-message.ts';
import { serializeMessage } from './serialize-message.ts';
import type { SipHeader, SipMessage } from './sip-message.ts';
import { StreamFramer } from './stream-framer.ts';
import type { FramerLimits } from './stream-framer.ts';
import type { SipUri } from './uri.ts';
import { serializeVia } from './via.ts';
import type { Via } from './via.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const corpusDir = path.resolve(repoRoot, '../shared/sip-torture');
if (!existsSync(corpusDir)) throw new Error(`SIP torture corpus not found at ${corpusDir}`);
const corpus: Buffer[] = ['rfc4475', 'rfc4475-extra', 'rfc5118'].flatMap((folder) =>
  readdirSync(path.join(corpusDir, folder))
    .filter((name) => name.endsWith('.dat'))
    .sort()
    .map((name) => readFileSync(path.join(corpusDir, folder, name))),
);

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER'],
  supportedUriSchemes: ['sip', 'sips'],
  supportedExtensions: [],
  acceptedContentTypes: ['application/sdp'],
};

// Bytes that sit on grammar boundaries: most parser bugs hide behind one of them.
const specialBytes = [
  0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x2f, 0x3a, 0x3b, 0x3c, 0x3e, 0x40, 0x5b, 0x5c, 0x5d, 0x7f,
  0xc3, 0xff,
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'special'; at: number; byte: number }
  | { kind: 'repeat'; at: number; length: number };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ kind: fc.constant('special' as const), at: fc.nat(), byte: fc.constantFrom(...specialBytes) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(source: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(source);
  for (const mutation of mutations) {
    const at = bytes.length === 0 ? 0 : mutation.at % bytes.length;
    switch (mutation.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << mutation.bit);
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...mutation.bytes, ...bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + mutation.length)]);
        break;
      case 'special':
        if (bytes.length > 0) bytes[at] = mutation.byte;
        break;
      case 'repeat':
        bytes = Uint8Array.from([...bytes.subarray(0, at + mutation.length), ...bytes.subarray(at)]);
        break;
    }
  }
  return bytes;
}

const mutatedCorpusMessage = fc
  .tuple(
    fc.integer({ min: 0, max: corpus.length - 1 }),
    fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
  )
  .map(([index, mutations]) => mutate(corpus[index] ?? new Uint8Array(0), mutations));

// ---- Generators of valid messages, built through the typed serializers.

const alphanumeric = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const tokenArbitrary = fc.string({
  unit: fc.constantFrom(...alphanumeric, ...Array.from("-.!%*_+`'~")),
  minLength: 1,
  maxLength: 12,
});
const labelArbitrary = fc
  .string({ unit: fc.constantFrom(...alphanumeric, '-'), minLength: 1, maxLength: 10 })
  .filter((label) => !label.startsWith('-') && !label.endsWith('-'));
const hostArbitrary: fc.Arbitrary<Host> = fc.oneof(
  fc
    .tuple(
      fc.array(labelArbitrary, { maxLength: 3 }),
      fc.constantFrom('example.com', 'example.net', 'invalid'),
    )
    .map(([labels, top]) => ({ kind: 'domain' as const, name: [...labels, top].join('.') })),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    .map((octets) => ({ kind: 'ipv4' as const, address: octets.join('.') })),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((groups) => ({
    kind: 'ipv6' as const,
    address: groups.map((group) => group.toString(16)).join(':'),
  })),
  fc.constantFrom<Host>(
    { kind: 'ipv6', address: '2001:db8::10' },
    { kind: 'ipv6', address: '::ffff:192.0.2.1' },
  ),
);
const userArbitrary = fc.string({
  unit: fc.constantFrom(...alphanumeric, ...Array.from("-_.!~*'()&=+$,;?/"), '%41', '%00'),
  minLength: 1,
  maxLength: 16,
});
const uriParamArbitrary = fc.record(
  {
    name: fc.string({
      unit: fc.constantFrom(...alphanumeric, ...Array.from("-_.!~*'()")),
      minLength: 1,
      maxLength: 8,
    }),
    value: fc.option(labelArbitrary, { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);
const sipUriArbitrary: fc.Arbitrary<SipUri> = fc
  .record({
    scheme: fc.constantFrom<'sip' | 'sips'>('sip', 'sips'),
    user: fc.option(userArbitrary, { nil: undefined }),
    host: hostArbitrary,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    params: fc.array(uriParamArbitrary, { maxLength: 3 }),
  })
  .map((parts) => ({
    kind: 'sip' as const,
    scheme: parts.scheme,
    ...(parts.user === undefined ? {} : { user: parts.user }),
    host: parts.host,
    ...(parts.port === undefined ? {} : { port: parts.port }),
    params: parts.params.map((param) =>
      param.value === undefined ? { name: param.name } : { name: param.name, value: param.value },
    ),
    headers: [],
  }));
// Display names mix plain text, characters that must be quoted, control characters and UTF-8.
const displayNameArbitrary = fc.string({
  unit: fc.constantFrom(
    ...alphanumeric,
    ' ',
    '"',
    '\\',
    ',',
    ';',
    '<',
    '>',
    '\x00',
    '\x07',
    '\t',
    'é',
    '大',
    'ж',
  ),
  maxLength: 16,
});
const headerParamArbitrary = fc.record(
  {
    name: tokenArbitrary,
    value: fc.option(fc.oneof(tokenArbitrary, fc.constant('"quoted, value;"')), { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);
const nameAddressArbitrary: fc.Arbitrary<NameAddress> = fc
  .record({
    displayName: fc.option(displayNameArbitrary, { nil: undefined }),
    uri: sipUriArbitrary,
    params: fc.array(headerParamArbitrary, { maxLength: 3 }),
  })
  .map((parts) => ({
    ...(parts.displayName === undefined ? {} : { displayName: parts.displayName }),
    uri: parts.uri,
    params: parts.params.map((param) =>
      param.value === undefined ? { name: param.name } : { name: param.name, value: param.value },
    ),
  }));
const viaArbitrary: fc.Arbitrary<Via> = fc
  .record({
    transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'),
    host: hostArbitrary,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    branch: tokenArbitrary,
    isRportRequested: fc.boolean(),
  })
  .map((parts) => ({
    protocolName: 'SIP',
    protocolVersion: '2.0',
    transport: parts.transport,
    host: parts.host,
    ...(parts.port === undefined ? {} : { port: parts.port }),
    params: [
      { name: 'branch', value: `z9hG4bK${parts.branch}` },
      ...(parts.isRportRequested ? [{ name: 'rport' }] : []),
    ],
  }));
// Unknown header values: printable text, UTF-8, inner white space; never white space at either end.
const unknownValueArbitrary = fc
  .string({
    unit: fc.constantFrom(...alphanumeric, ' ', '\t', ';', ',', '=', '"', '<', '>', '大', '\\'),
    maxLength: 30,
  })
  .map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));

const validMessageArbitrary: fc.Arbitrary<SipMessage> = fc
  .record({
    isRequest: fc.boolean(),
    method: fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'OPTIONS', 'REGISTER'), tokenArbitrary),
    requestUri: sipUriArbitrary,
    statusCode: fc.integer({ min: 100, max: 699 }),
    reasonPhrase: fc.string({ unit: fc.constantFrom(...alphanumeric, ' ', 'ñ'), maxLength: 20 }),
    vias: fc.array(viaArbitrary, { minLength: 1, maxLength: 3 }),
    from: nameAddressArbitrary,
    to: nameAddressArbitrary,
    callId: fc
      .tuple(tokenArbitrary, fc.option(tokenArbitrary, { nil: undefined }))
      .map(([word, host]) => (host === undefined ? word : `${word}@${host}`)),
    sequence: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    unknown: fc.array(
      fc.tuple(
        tokenArbitrary.map((name) => `X-${name}`),
        unknownValueArbitrary,
      ),
      { maxLength: 4 },
    ),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((parts): SipMessage => {
    const headers: SipHeader[] = [
      ...parts.vias.map((via) => ({ name: 'Via', value: serializeVia(via) })),
      { name: 'From', value: serializeNameAddress(parts.from) },
      { name: 'To', value: serializeNameAddress(parts.to) },
      { name: 'Call-ID', value: parts.callId },
      { name: 'CSeq', value: `${parts.sequence} ${parts.method}` },
      { name: 'Max-Forwards', value: String(parts.maxForwards) },
      ...parts.unknown.map(([name, value]) => ({ name, value })),
      { name: 'Content-Length', value: String(parts.body.length) },
    ];
    return parts.isRequest
      ? { kind: 'request', method: parts.method, requestUri: parts.requestUri, headers, body: parts.body }
      : {
          kind: 'response',
          statusCode: parts.statusCode,
          reasonPhrase: parts.reasonPhrase,
          headers,
          body: parts.body,
        };
  });

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

describe('the parser under mutation (never throws, always returns a value)', () => {
  it('returns a result and a verdict for mutated, truncated and byte-flipped torture messages', () => {
    fc.assert(
      fc.property(mutatedCorpusMessage, fc.boolean(), (bytes, isStream) => {
        const result = parseMessage(bytes, { framing: isStream ? 'stream' : 'datagram' });
        expect(typeof result.ok).toBe('boolean');
        const verdict = classifyIncoming(result, policy, { isStream });
        expect(['process', 'respond', 'drop']).toContain(verdict.action);
        if (result.ok) expect(readCoreHeaders(result.value).ok).toBe(true);
      }),
      { seed: 4475, numRuns: 1200 },
    );
  });

  it('returns a result for arbitrary bytes and for arbitrary text shaped like SIP', () => {
    const sipish = fc
      .array(
        fc.constantFrom(
          'INVITE ',
          'SIP/2.0 ',
          'sip:',
          '@',
          '[',
          ']',
          ':',
          ';',
          ',',
          '"',
          '\\',
          '<',
          '>',
          '\r\n',
          '\r\n ',
          'Via: ',
          'l: ',
          'Content-Length: ',
          '0',
          '9',
          ' ',
          '=',
          'tag',
          '%',
        ),
        { maxLength: 60 },
      )
      .map((pieces) => new TextEncoder().encode(pieces.join('')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), sipish), (bytes) => {
        const result = parseMessage(bytes);
        expect(typeof result.ok).toBe('boolean');
        classifyIncoming(result, policy);
      }),
      { seed: 5118, numRuns: 1200 },
    );
  });

  it('round-trips any mutated message it accepts: serialize then parse gives it back', () => {
    fc.assert(
      fc.property(mutatedCorpusMessage, (bytes) => {
        const first = parseMessage(bytes);
        if (!first.ok) return;
        const second = parseMessage(serializeMessage(first.value));
        expect(second.ok).toBe(true);
        if (!second.ok) return;
        expect(second.value.body).toEqual(first.value.body);
        expect(second.value.kind).toBe(first.value.kind);
        const third = parseMessage(serializeMessage(second.value));
        expect(third).toEqual(second);
      }),
      { seed: 3261, numRuns: 800 },
    );
  });
});

describe('generated valid messages', () => {
  it('serialize then parse gives exactly the message that was built', () => {
    fc.assert(
      fc.property(validMessageArbitrary, (message) => {
        const result = parseMessage(serializeMessage(message));
        expect(result).toEqual({ ok: true, value: message });
      }),
      { seed: 7, numRuns: 600 },
    );
  });

  it('the typed headers read back equal the values they were serialized from', () => {
    fc.assert(
      fc.property(nameAddressArbitrary, viaArbitrary, (address, via) => {
        const message: SipMessage = {
          kind: 'request',
          method: 'OPTIONS',
          requestUri: address.uri,
          headers: [
            { name: 'Via', value: serializeVia(via) },
            { name: 'From', value: serializeNameAddress(address) },
            { name: 'To', value: serializeNameAddress(address) },
            { name: 'Call-ID', value: 'a@b' },
            { name: 'CSeq', value: '1 OPTIONS' },
          ],
          body: new Uint8Array(0),
        };
        const core = readCoreHeaders(message);
        expect(core.ok && core.value.from).toEqual(address);
        expect(core.ok && core.value.vias).toEqual([via]);
      }),
      { seed: 11, numRuns: 600 },
    );
  });
});

describe('the stream framer under arbitrary chunking', () => {
  const limits: FramerLimits = { maxHeaderBytes: 600, maxMessageBytes: 1500 };

  it('never holds more than maxMessageBytes, whatever the bytes and the chunk boundaries', () => {
    const streamArbitrary = fc.array(
      fc.oneof(
        mutatedCorpusMessage,
        fc.constant(new TextEncoder().encode('\r\n\r\n')),
        fc.uint8Array({ maxLength: 2000 }),
      ),
      {
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(streamArbitrary, fc.array(fc.nat(), { maxLength: 30 }), (parts, cuts) => {
        const framer = new StreamFramer(limits);
        for (const chunk of chunked(concatenate(parts), cuts)) {
          const output = framer.push(chunk);
          expect(framer.capacityBytes).toBeLessThanOrEqual(limits.maxMessageBytes);
          expect(framer.bufferedBytes).toBeLessThanOrEqual(limits.maxMessageBytes);
          for (const message of output.messages)
            expect(message.length).toBeLessThanOrEqual(limits.maxMessageBytes);
          if (output.error !== undefined) break;
        }
      }),
      { seed: 5626, numRuns: 600 },
    );
  });

  it('cuts a stream of valid messages and keep-alives into the same messages, however it is chunked', () => {
    const itemArbitrary = fc.oneof(
      {
        weight: 4,
        arbitrary: validMessageArbitrary.map((message) => ({
          kind: 'message' as const,
          bytes: serializeMessage(message),
        })),
      },
      {
        weight: 1,
        arbitrary: fc.constant({ kind: 'ping' as const, bytes: new TextEncoder().encode('\r\n\r\n') }),
      },
      {
        weight: 1,
        arbitrary: fc.constant({ kind: 'pong' as const, bytes: new TextEncoder().encode('\r\n') }),
      },
    );
    fc.assert(
      fc.property(
        fc.array(itemArbitrary, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (items, cuts) => {
          // A pong followed by a ping reads as three line breaks: one ping. Keep pings countable by never
          // putting two keep-alive items next to each other.
          const cleaned = items.filter(
            (item, i) => item.kind === 'message' || items[i - 1]?.kind === 'message' || i === 0,
          );
          const framer = new StreamFramer();
          const messages: Uint8Array[] = [];
          let pings = 0;
          for (const chunk of chunked(concatenate(cleaned.map((item) => item.bytes)), cuts)) {
            const output = framer.push(chunk);
            expect(output.error).toBeUndefined();
            messages.push(...output.messages);
            pings += output.keepAlivePings;
          }
          expect(messages).toEqual(
            cleaned.filter((item) => item.kind === 'message').map((item) => item.bytes),
          );
          expect(pings).toBe(cleaned.filter((item) => item.kind === 'ping').length);
        },
      ),
      { seed: 18, numRuns: 250 },
    );
  });

  it('cuts off a slow-drip sender at the header limit without growing past it', () => {
    const framer = new StreamFramer(limits);
    const junk = new TextEncoder().encode(`INVITE sip:a@b SIP/2.0\r\nX-Drip: ${'x'.repeat(5000)}`);
    let error;
    for (const byte of junk) {
      error = framer.push(Uint8Array.of(byte)).error;
      expect(framer.capacityBytes).toBeLessThanOrEqual(limits.maxHeaderBytes);
      if (error !== undefined) break;
    }
    expect(error).toMatchObject({ code: 'SIP_HEADER_SECTION_TOO_LARGE', statusCode: 513 });
    expect(framer.push(new Uint8Array([65])).error?.code).toBe('SIP_HEADER_SECTION_TOO_LARGE');
  });
});
