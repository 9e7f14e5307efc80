import { describe, expect, it } from 'vitest';
import { createResponse } from './create-response.ts';
import { headerValue, headerValues } from './sip-message.ts';

const request = {
  method: 'INVITE',
  headers: [
    { name: 'Via', value: 'SIP/2.0/UDP a;branch=z9hG4bK1' },
    { name: 'v', value: 'SIP/2.0/UDP b;branch=z9hG4bK2' },
    { name: 'Max-Forwards', value: '70' },
    { name: 't', value: 'Bob <sip:bob@example.com>' },
    { name: 'From', value: '<sip:alice@example.com>;tag=9' },
    { name: 'Call-ID', value: 'c1' },
    { name: 'CSeq', value: '5 INVITE' },
    { name: 'Contact', value: '<sip:alice@pc.example.com>' },
  ],
};

describe('createResponse (RFC 3261 §8.2.6.2)', () => {
  it('copies Via, From, To, Call-ID and CSeq and adds the To tag', () => {
    const response = createResponse(request, 486, 'Busy Here', {
      toTag: 'x1',
      extraHeaders: [{ name: 'Retry-After', value: '30' }],
    });
    expect(headerValues(response.headers, 'via')).toEqual([
      'SIP/2.0/UDP a;branch=z9hG4bK1',
      'SIP/2.0/UDP b;branch=z9hG4bK2',
    ]);
    expect(headerValue(response.headers, 'to')).toBe('"Bob" <sip:bob@example.com>;tag=x1');
    expect(headerValue(response.headers, 'contact')).toBeUndefined();
    expect(headerValue(response.headers, 'max-forwards')).toBeUndefined();
    expect(headerValue(response.headers, 'retry-after')).toBe('30');
  });

  it('adds no To tag to a 100 Trying nor to a To that already has one', () => {
    expect(headerValue(createResponse(request, 100, 'Trying', { toTag: 'x1' }).headers, 'to')).toBe(
      'Bob <sip:bob@example.com>',
    );
    const tagged = {
      ...request,
      headers: request.headers.map((h) =>
        h.name === 't' ? { ...h, value: '<sip:bob@example.com>;tag=old' } : h,
      ),
    };
    expect(headerValue(createResponse(tagged, 200, 'OK', { toTag: 'new' }).headers, 'to')).toBe(
      '<sip:bob@example.com>;tag=old',
    );
  });
});
