import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse-message.ts';
import { headerValue, headerValues } from './sip-message.ts';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

const options = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 63104 OPTIONS',
];

function message(lines: string[], body = ''): Uint8Array {
  return bytes(`${lines.join('\r\n')}\r\nContent-Length: ${encoder.encode(body).length}\r\n\r\n${body}`);
}

describe('parseMessage', () => {
  it('reads a request: method, URI, headers in order, body as bytes', () => {
    const result = parseMessage(message(options, 'hi'));
    expect(result.ok).toBe(true);
    if (!result.ok || result.value.kind !== 'request') return;
    expect(result.value.method).toBe('OPTIONS');
    expect(result.value.requestUri).toMatchObject({ kind: 'sip', user: 'bob' });
    expect(result.value.headers.map((header) => header.name)).toEqual([
      'Via',
      'Max-Forwards',
      'To',
      'From',
      'Call-ID',
      'CSeq',
      'Content-Length',
    ]);
    expect(result.value.body).toEqual(bytes('hi'));
  });

  it('looks headers up by long or compact name in any case', () => {
    const result = parseMessage(
      message([
        ...options.slice(0, 3),
        't: <sip:bob@example.com>',
        ...options.slice(4),
        'k: timer',
        'SUPPORTED: path',
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(headerValue(result.value.headers, 'To')).toBe('<sip:bob@example.com>');
    expect(headerValues(result.value.headers, 'supported')).toEqual(['timer', 'path']);
  });

  it('ignores CRLFs before the start line and accepts bare LF line ends', () => {
    const text = `\r\n\r\n${options.join('\n')}\nl: 0\n\n`;
    expect(parseMessage(bytes(text)).ok).toBe(true);
  });

  it('unfolds continuation lines into one space (RFC 3261 §7.3.1)', () => {
    const result = parseMessage(message([...options, 'Subject: lunch', '   at noon,', '\tplease']));
    expect(result.ok && headerValue(result.value.headers, 'subject')).toBe('lunch at noon, please');
  });

  it('reads a response with a multi-word reason phrase', () => {
    const lines = ['SIP/2.0 180 Ringing now', ...options.slice(1)];
    const result = parseMessage(message(lines));
    expect(
      result.ok && result.value.kind === 'response' && [result.value.statusCode, result.value.reasonPhrase],
    ).toEqual([180, 'Ringing now']);
  });

  it('answers 505 for another version, keeping the request so the 505 can be sent', () => {
    const result = parseMessage(message([options[0]!.replace('SIP/2.0', 'SIP/3.0'), ...options.slice(1)]));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SIP_VERSION_NOT_SUPPORTED', statusCode: 505, request: { method: 'OPTIONS' } },
    });
  });

  it('requires Content-Length on a stream, not on a datagram', () => {
    const text = bytes(`${options.join('\r\n')}\r\n\r\nbody`);
    expect(parseMessage(text).ok && parseMessage(text)).toMatchObject({ value: { body: bytes('body') } });
    expect(parseMessage(text, { framing: 'stream' })).toMatchObject({
      ok: false,
      error: { code: 'SIP_MISSING_CONTENT_LENGTH' },
    });
  });

  it('refuses what it cannot read, each with its own code', () => {
    const cases: [Uint8Array, string][] = [
      [bytes('\r\n\r\n'), 'SIP_EMPTY_MESSAGE'],
      [bytes(options.join('\r\n')), 'SIP_HEADER_SECTION_UNTERMINATED'],
      [
        Uint8Array.from([...bytes(`${options.join('\r\n')}\r\nSubject: `), 0xc3, 0x28, ...bytes('\r\n\r\n')]),
        'SIP_INVALID_UTF8',
      ],
      [message(['OPTIONS sip:bob@example.com', ...options.slice(1)]), 'SIP_MALFORMED_START_LINE'],
      [message(['OPTIONS sip:bob@example.com HTTP/1.1', ...options.slice(1)]), 'SIP_MALFORMED_START_LINE'],
      [message(['SIP/2.0 99 Odd', ...options.slice(1)]), 'SIP_INVALID_STATUS_CODE'],
      [message(['SIP/2.0 1000 Odd', ...options.slice(1)]), 'SIP_INVALID_STATUS_CODE'],
      [message([...options, 'Broken header']), 'SIP_MALFORMED_HEADER_LINE'],
      [message([...options, 'Bad Name: x']), 'SIP_MALFORMED_HEADER_LINE'],
      [message([...options, 'X-Bare: a\rb']), 'SIP_MALFORMED_HEADER_LINE'],
      [message(options.filter((line) => !line.startsWith('Call-ID'))), 'SIP_MISSING_HEADER'],
      [message([...options, 'Max-Forwards: 69']), 'SIP_DUPLICATE_HEADER'],
      [message([...options.slice(0, 2), 'Max-Forwards: 256', ...options.slice(3)]), 'SIP_MALFORMED_HEADER'],
      [message([...options.slice(0, 6), 'CSeq: 4294967296 OPTIONS']), 'SIP_MALFORMED_HEADER'],
      [
        bytes(`${options.join('\r\n')}\r\nContent-Length: 10\r\n\r\nshort`),
        'SIP_CONTENT_LENGTH_EXCEEDS_BODY',
      ],
      [bytes(`${options.join('\r\n')}\r\nContent-Length: 1e3\r\n\r\n`), 'SIP_INVALID_CONTENT_LENGTH'],
    ];
    for (const [input, code] of cases) {
      const result = parseMessage(input);
      expect(result.ok ? 'parsed' : result.error.code, code).toBe(code);
    }
  });

  it('accepts the largest CSeq and Max-Forwards values the grammar allows', () => {
    const result = parseMessage(
      message([
        ...options.slice(0, 2),
        'Max-Forwards: 255',
        ...options.slice(3, 6),
        'CSeq: 4294967295 OPTIONS',
      ]),
    );
    expect(result.ok).toBe(true);
  });
});
