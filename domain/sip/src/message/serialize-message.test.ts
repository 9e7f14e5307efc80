import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse-message.ts';
import { serializeMessage } from './serialize-message.ts';
import type { SipMessage } from './sip-message.ts';

const decoder = new TextDecoder();

const base: SipMessage = {
  kind: 'response',
  statusCode: 200,
  reasonPhrase: 'OK',
  headers: [
    { name: 'v', value: 'SIP/2.0/UDP a.example;branch=z9hG4bK1' },
    { name: 'From', value: '<sip:a@example.com>;tag=1' },
    { name: 'To', value: '<sip:b@example.com>;tag=2' },
    { name: 'Call-ID', value: 'x@y' },
    { name: 'CSeq', value: '1 INVITE' },
  ],
  body: new TextEncoder().encode('v=0\r\n'),
};

describe('serializeMessage', () => {
  it('writes names as held, one line per field, and a Content-Length that matches the body', () => {
    expect(decoder.decode(serializeMessage(base))).toBe(
      'SIP/2.0 200 OK\r\nv: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\n' +
        'To: <sip:b@example.com>;tag=2\r\nCall-ID: x@y\r\nCSeq: 1 INVITE\r\nContent-Length: 5\r\n\r\nv=0\r\n',
    );
  });

  it('corrects a wrong Content-Length in place and drops duplicates', () => {
    const message = {
      ...base,
      headers: [{ name: 'l', value: '99' }, ...base.headers, { name: 'Content-Length', value: '5' }],
    };
    const text = decoder.decode(serializeMessage(message));
    expect(text.startsWith('SIP/2.0 200 OK\r\nl: 5\r\n')).toBe(true);
    expect(text.match(/content-length|\nl:/gi)).toHaveLength(1);
  });

  it('cannot be made to write an extra header line through a value or a reason phrase', () => {
    const evil = {
      ...base,
      reasonPhrase: 'OK\r\nX-Evil: 1',
      headers: [...base.headers, { name: 'Subject', value: 'a\r\nX-Evil: 2' }],
    };
    const result = parseMessage(serializeMessage(evil));
    expect(result.ok && result.value.headers.some((header) => header.name === 'X-Evil')).toBe(false);
  });
});
