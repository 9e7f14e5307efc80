import { describe, expect, it } from 'vitest';
import type { SipRequest } from '@centralita/sip';
import { headerValues, parseMessage } from '@centralita/sip';
import { stampReceivedAndRport } from './received-rport.ts';

function request(via: string): SipRequest {
  const text = [
    'OPTIONS sip:core@example.com SIP/2.0',
    `Via: ${via}`,
    'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy',
    'From: <sip:a@example.com>;tag=1',
    'To: <sip:core@example.com>',
    'Call-ID: stamp',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.value.kind !== 'request') throw new Error('test request does not parse');
  return parsed.value;
}

describe('stampReceivedAndRport (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('leaves a Via alone when it names the source address and asks for nothing', () => {
    const original = request('SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1');
    const stamped = stampReceivedAndRport(original, '192.0.2.1', 40000);
    expect(stamped.request).toBe(original);
    expect(stamped).toMatchObject({ isRportRequested: false, viaPort: 5062 });
  });

  it('adds received when the sent-by is a host name or another address', () => {
    for (const host of ['phone.example.com', '10.0.0.7']) {
      const stamped = stampReceivedAndRport(
        request(`SIP/2.0/UDP ${host};branch=z9hG4bK1`),
        '192.0.2.1',
        40000,
      );
      expect(headerValues(stamped.request.headers, 'via')[0]).toBe(
        `SIP/2.0/UDP ${host};branch=z9hG4bK1;received=192.0.2.1`,
      );
    }
  });

  it('fills an empty rport with the source port and adds received even when the address is the same', () => {
    const stamped = stampReceivedAndRport(
      request('SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1'),
      '192.0.2.1',
      40000,
    );
    expect(stamped.isRportRequested).toBe(true);
    expect(headerValues(stamped.request.headers, 'via')[0]).toBe(
      'SIP/2.0/UDP 192.0.2.1:5060;rport=40000;branch=z9hG4bK1;received=192.0.2.1',
    );
  });

  it('replaces a received the client wrote itself, and touches only the top Via', () => {
    const stamped = stampReceivedAndRport(
      request(
        'SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bK1, SIP/2.0/TCP other.example.com',
      ),
      '2001:db8::1',
      5070,
    );
    const vias = headerValues(stamped.request.headers, 'via');
    expect(vias[0]).toBe(
      'SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::1;branch=z9hG4bK1, SIP/2.0/TCP other.example.com',
    );
    expect(vias[1]).toBe('SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy');
  });

  it('compares IPv6 sent-by addresses case-insensitively', () => {
    const original = request('SIP/2.0/UDP [2001:DB8::1]:5060;branch=z9hG4bK1');
    expect(stampReceivedAndRport(original, '2001:db8::1', 5060).request).toBe(original);
  });
});
