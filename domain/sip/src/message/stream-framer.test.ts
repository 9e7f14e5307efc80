import { describe, expect, it } from 'vitest';
import { StreamFramer } from './stream-framer.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function request(body: string, extra = ''): string {
  return `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n${extra}Content-Length: ${encoder.encode(body).length}\r\n\r\n${body}`;
}

describe('StreamFramer (RFC 3261 §18.3, RFC 5626 §3.5.1)', () => {
  it('cuts back-to-back messages by Content-Length, bodies with CRLFs and NULs included', () => {
    const stream = request('a\r\n\r\nb\x00') + request('') + request('xyz');
    const output = new StreamFramer().push(encoder.encode(stream));
    expect(output.messages.map((message) => decoder.decode(message))).toEqual([
      request('a\r\n\r\nb\x00'),
      request(''),
      request('xyz'),
    ]);
    expect(output.error).toBeUndefined();
  });

  it('counts double-CRLF pings between messages and ignores single-CRLF pongs', () => {
    const framer = new StreamFramer();
    expect(framer.push(encoder.encode('\r\n\r\n'))).toEqual({ messages: [], keepAlivePings: 1 });
    expect(framer.push(encoder.encode('\r\n'))).toEqual({ messages: [], keepAlivePings: 0 });
    const output = framer.push(encoder.encode(`\r\n${request('x')}\r\n\r\n`));
    // The CRLF left from the pong plus this one make the second ping; then a message; then a third ping.
    expect([output.messages.length, output.keepAlivePings]).toEqual([1, 2]);
  });

  it('holds a partial message across pushes, header split anywhere', () => {
    const framer = new StreamFramer();
    const text = request('body');
    const cut = text.indexOf('\r\n\r\n') + 2;
    expect(framer.push(encoder.encode(text.slice(0, cut))).messages).toEqual([]);
    expect(framer.bufferedBytes).toBe(cut);
    expect(framer.push(encoder.encode(text.slice(cut))).messages.map((m) => decoder.decode(m))).toEqual([
      text,
    ]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('refuses a message larger than the limit with 413 and the headers to answer it, before reading the body', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 1024, maxMessageBytes: 2048 });
    const head = request('').replace('Content-Length: 0', 'Content-Length: 100000');
    const output = framer.push(encoder.encode(head));
    expect(output.error).toMatchObject({ code: 'SIP_MESSAGE_TOO_LARGE', statusCode: 413 });
    expect(decoder.decode(output.error?.headerBytes)).toBe(head);
    expect(framer.capacityBytes).toBe(0);
  });

  it('refuses an endless header section with 513 once it passes the header limit', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 256, maxMessageBytes: 1024 });
    const output = framer.push(encoder.encode(`OPTIONS sip:a@b SIP/2.0\r\n${'X-Long: y\r\n'.repeat(40)}`));
    expect(output.error).toMatchObject({ code: 'SIP_HEADER_SECTION_TOO_LARGE', statusCode: 513 });
  });

  it('delivers the messages completed before an error in the same chunk', () => {
    const output = new StreamFramer().push(
      encoder.encode(`${request('ok')}OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n`),
    );
    expect(output.messages).toHaveLength(1);
    expect(output.error?.code).toBe('SIP_INVALID_CONTENT_LENGTH');
  });
});
