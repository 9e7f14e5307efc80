import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerStunBindingRequest,
  decodeStunBindingRequest,
  encodeBindingSuccess,
  ipAddressOctets,
  isStunMessage,
} from './stun-binding.ts';

const hex = (text: string): Uint8Array =>
  Uint8Array.from((text.replace(/\s+/g, '').match(/../g) ?? []).map((pair) => parseInt(pair, 16)));

// RFC 5769 §2.2 and §2.3: the transaction id of the sample responses.
const transactionId = hex('b7e7a701 bc34d686 fa87dfae');

function bindingRequest(
  attributes: Uint8Array = new Uint8Array(0),
  id: Uint8Array = transactionId,
): Uint8Array {
  const bytes = new Uint8Array(20 + attributes.length);
  bytes.set(hex('0001'), 0);
  bytes[2] = attributes.length >> 8;
  bytes[3] = attributes.length & 0xff;
  bytes.set(hex('2112a442'), 4);
  bytes.set(id, 8);
  bytes.set(attributes, 20);
  return bytes;
}

describe('STUN Binding (RFC 5389) as the SIP-over-UDP keep-alive (RFC 5626 §8)', () => {
  it('answers with XOR-MAPPED-ADDRESS of an IPv4 source, as RFC 5769 §2.2 encodes 192.0.2.1:32853', () => {
    const answer = answerStunBindingRequest(bindingRequest(), { address: '192.0.2.1', port: 32853 });
    expect(answer).toEqual(hex('0101 000c 2112a442 b7e7a701bc34d686fa87dfae  0020 0008 0001 a147 e112a643'));
  });

  it('answers an IPv6 source with the address XORed with the cookie and transaction id (RFC 5769 §2.3)', () => {
    const answer = answerStunBindingRequest(bindingRequest(), {
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
    expect(answer).toEqual(
      hex(
        '0101 0018 2112a442 b7e7a701bc34d686fa87dfae 0020 0014 0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9',
      ),
    );
  });

  it('ignores comprehension-optional attributes (SOFTWARE, FINGERPRINT) and known required ones', () => {
    const software = hex('8022 0004 74657374');
    const fingerprint = hex('8028 0004 01020304');
    const username = hex('0006 0003 616263 00');
    const decoded = decodeStunBindingRequest(
      bindingRequest(Uint8Array.from([...software, ...username, ...fingerprint])),
    );
    expect(decoded).toEqual({ ok: true, value: { kind: 'binding-request', transactionId } });
  });

  it('answers 420 listing an unknown comprehension-required attribute', () => {
    const answer = answerStunBindingRequest(bindingRequest(hex('0033 0000')), {
      address: '192.0.2.1',
      port: 5060,
    });
    expect(answer?.subarray(0, 2)).toEqual(hex('0111'));
    expect(answer?.subarray(8, 20)).toEqual(transactionId);
    // ERROR-CODE 420, then UNKNOWN-ATTRIBUTES with 0x0033.
    expect(answer?.subarray(20, 28)).toEqual(hex('0009 0015 0000 0414'));
    expect(answer?.subarray(-8)).toEqual(hex('000a 0002 0033 0000'));
  });

  it('drops what is not a well-formed Binding request', () => {
    const source = { address: '192.0.2.1', port: 5060 };
    const request = bindingRequest();
    const truncated = request.subarray(0, 19);
    const badCookie = Uint8Array.from(request);
    badCookie[7] = 0;
    const badLength = Uint8Array.from(request);
    badLength[3] = 4;
    const response = Uint8Array.from(request);
    response[0] = 0x01;
    response[1] = 0x01;
    const overlongAttribute = bindingRequest(hex('8022 0008 74657374'));
    const halfAttribute = bindingRequest(hex('8022 0000 0000 0000').subarray(0, 4));
    halfAttribute[3] = 4;
    expect(decodeStunBindingRequest(truncated)).toEqual({ ok: false, error: 'too-short' });
    expect(decodeStunBindingRequest(badCookie)).toEqual({ ok: false, error: 'not-stun' });
    expect(decodeStunBindingRequest(badLength)).toEqual({ ok: false, error: 'bad-length' });
    expect(decodeStunBindingRequest(response)).toEqual({ ok: false, error: 'not-a-binding-request' });
    expect(decodeStunBindingRequest(overlongAttribute)).toEqual({ ok: false, error: 'malformed-attribute' });
    for (const bytes of [truncated, badCookie, badLength, response, overlongAttribute])
      expect(answerStunBindingRequest(bytes, source)).toBeUndefined();
    expect(answerStunBindingRequest(request, { address: 'phone.example.com', port: 5060 })).toBeUndefined();
  });

  it('never takes a SIP message or a CRLF keep-alive for STUN', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(isStunMessage(encode('OPTIONS sip:pbx.test SIP/2.0\r\n'))).toBe(false);
    expect(isStunMessage(encode('\r\n\r\n'))).toBe(false);
    expect(isStunMessage(encode('\r\n\r\nREGISTER sip:x SIP/2.0\r\n'))).toBe(false);
    expect(isStunMessage(bindingRequest())).toBe(true);
  });

  it('reads IP address literals, IPv6 with :: and an embedded IPv4', () => {
    expect(ipAddressOctets('::1')?.octets).toEqual(hex('00000000000000000000000000000001'));
    expect(ipAddressOctets('[::ffff:192.0.2.1]')?.octets).toEqual(hex('00000000000000000000ffffc0000201'));
    expect(ipAddressOctets('fe80::1%eth0')?.family).toBe(6);
    for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7', 'g::1', '1:2:3:4:5:6:7:8::'])
      expect(ipAddressOctets(bad)).toBeUndefined();
  });

  it('never throws on any datagram, and any answer keeps the transaction id', () => {
    const stunLike = fc
      .tuple(fc.uint8Array({ maxLength: 12, minLength: 12 }), fc.uint8Array({ maxLength: 64 }))
      .map(([id, tail]) => {
        const bytes = bindingRequest(tail, id);
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 128 }), stunLike), fc.nat(70_000), (bytes, port) => {
        const answer = answerStunBindingRequest(bytes, { address: '2001:db8::1', port });
        if (answer !== undefined) expect(answer.subarray(8, 20)).toEqual(bytes.subarray(8, 20));
      }),
    );
  });

  it('encodes the mapped port and address so that XORing again gives them back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 65535 }),
        (ip, port) => {
          const bytes = encodeBindingSuccess(transactionId, { family: 4, octets: ip, port });
          const view = new DataView(bytes.buffer);
          expect(view.getUint16(26) ^ 0x2112).toBe(port);
          expect(Array.from(bytes.subarray(28, 32), (octet, i) => octet ^ (bytes[4 + i] ?? 0))).toEqual(
            Array.from(ip),
          );
        },
      ),
    );
  });
});
