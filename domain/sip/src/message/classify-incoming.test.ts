import { describe, expect, it } from 'vitest';
import { classifyIncoming, isAccepted, mediaType } from './classify-incoming.ts';
import type { UasPolicy } from './classify-incoming.ts';
import { parseMessage } from './parse-message.ts';

const policy: UasPolicy = {
  supportedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'],
  supportedUriSchemes: ['sip', 'sips'],
  supportedExtensions: ['timer'],
  acceptedContentTypes: ['application/sdp'],
};

function request(method: string, extra: string[] = [], body = '', cseqMethod = method): Uint8Array {
  return new TextEncoder().encode(
    [
      `${method} sip:bob@example.com SIP/2.0`,
      'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
      'To: <sip:bob@example.com>',
      'From: <sip:alice@example.com>;tag=1',
      'Call-ID: c1',
      `CSeq: 1 ${cseqMethod}`,
      ...extra,
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n'),
  );
}

const verdict = (bytes: Uint8Array, context = {}) => classifyIncoming(parseMessage(bytes), policy, context);

describe('classifyIncoming (RFC 3261 §8.2)', () => {
  it('answers 405 with Allow for a known method we do not serve, 501 for an unknown one', () => {
    expect(verdict(request('SUBSCRIBE'))).toMatchObject({
      action: 'respond',
      statusCode: 405,
      extraHeaders: [{ name: 'Allow', value: 'INVITE, ACK, BYE, CANCEL, OPTIONS' }],
    });
    expect(verdict(request('FROBNICATE'))).toMatchObject({ action: 'respond', statusCode: 501 });
  });

  it('never answers an ACK, even a malformed one', () => {
    expect(verdict(request('ACK', ['Require: nope']))).toMatchObject({ action: 'process' });
    expect(verdict(request('ACK', ['Max-Forwards: x']))).toMatchObject({
      action: 'drop',
      code: 'SIP_UNANSWERABLE_REQUEST',
    });
  });

  it('does not apply Require to CANCEL, and accepts supported option tags', () => {
    expect(verdict(request('CANCEL', ['Require: nope'])).action).toBe('process');
    expect(verdict(request('OPTIONS', ['Require: timer'])).action).toBe('process');
    expect(verdict(request('OPTIONS', ['Require: timer, 100rel']))).toMatchObject({
      statusCode: 420,
      extraHeaders: [{ name: 'Unsupported', value: '100rel' }],
    });
  });

  it('wants a Content-Type on every body and answers 415 for unknown ones', () => {
    expect(verdict(request('INVITE', [], 'v=0'))).toMatchObject({
      statusCode: 400,
      code: 'SIP_MISSING_CONTENT_TYPE',
    });
    expect(verdict(request('INVITE', ['Content-Type: Application/SDP; charset=utf-8'], 'v=0')).action).toBe(
      'process',
    );
    expect(verdict(request('INVITE', ['Content-Type: text/html'], '<p>'))).toMatchObject({ statusCode: 415 });
  });

  it('answers 406 to an INVITE whose Accept rules out SDP, not to one that accepts it by wildcard', () => {
    expect(verdict(request('INVITE', ['Accept: text/plain']))).toMatchObject({ statusCode: 406 });
    expect(verdict(request('INVITE', ['Accept: application/*'])).action).toBe('process');
    expect(isAccepted([], 'application/sdp')).toBe(true);
    expect(isAccepted([''], 'application/sdp')).toBe(false);
    expect(mediaType(' Multipart/Mixed ;boundary=x')).toBe('multipart/mixed');
  });

  it('drops responses with several Vias and unparsable ones, and keeps a stream open for non-framing errors', () => {
    const response = new TextEncoder().encode(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\nTo: <sip:b@x>;tag=2\r\n' +
        'From: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
    expect(verdict(response)).toEqual({ action: 'drop', code: 'SIP_RESPONSE_WITH_SEVERAL_VIAS' });
    expect(verdict(request('OPTIONS', ['Max-Forwards: 300']), { isStream: true })).toMatchObject({
      statusCode: 400,
      shouldCloseConnection: false,
    });
    expect(verdict(request('OPTIONS', [], '', 'INVITE'))).toMatchObject({
      statusCode: 400,
      code: 'SIP_CSEQ_METHOD_MISMATCH',
    });
  });
});
