import { describe, expect, it } from 'vitest';
import { isRfc3261Branch, parseVia, serializeVia, viaBranch, viaReceived, viaRport } from './via.ts';

describe('Via (RFC 3261 §20.42, RFC 3581, RFC 5118)', () => {
  it('reads several comma-separated vias with LWS around slashes, colons and parameters', () => {
    const vias = parseVia(
      'SIP / 2.0 / UDP host.example.com : 5060 ; branch = z9hG4bK1 ; rport , SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK2',
    );
    expect(vias?.map(serializeVia)).toEqual([
      'SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1;rport',
      'SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK2',
    ]);
  });

  it('reads rport as requested, or as the port a server filled in, and received with or without brackets', () => {
    const [requested] = parseVia('SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa') ?? [];
    expect(viaRport(requested!)).toEqual({ kind: 'requested' });
    const [answered] =
      parseVia('SIP/2.0/UDP 10.0.0.5:5060;rport=40123;received=203.0.113.9;branch=z9hG4bKa') ?? [];
    expect([viaRport(answered!), viaReceived(answered!)]).toEqual([
      { kind: 'port', port: 40123 },
      '203.0.113.9',
    ]);
    expect(viaRport(parseVia('SIP/2.0/UDP a.example')![0]!)).toEqual({ kind: 'absent' });
  });

  it('rejects empty elements and parameters, bad received/rport/ttl/maddr values, and missing sent-by', () => {
    for (const bad of [
      'SIP/2.0/UDP 192.0.2.15;;,;,,',
      'SIP/2.0/UDP a.example,',
      'SIP/2.0/UDP a.example;received=host.example.com',
      'SIP/2.0/UDP a.example;rport=x',
      'SIP/2.0/UDP a.example;ttl=300',
      'SIP/2.0/UDP a.example;maddr=bad_host!',
      'SIP/2.0/UDP a.example;branch',
      'SIP/2.0/UDP',
      'SIP/2.0 a.example',
      'SIP/2.0/UDPa.example',
      'SIP/2.0/UDP a.example:70000',
    ]) {
      expect(parseVia(bad), bad).toBeUndefined();
    }
  });

  it('knows an RFC 3261 branch from an RFC 2543 one', () => {
    expect(isRfc3261Branch('z9hG4bK776asdhds')).toBe(true);
    expect(isRfc3261Branch('z9hG4bK')).toBe(false);
    expect(isRfc3261Branch('390skdjuw')).toBe(false);
    expect(isRfc3261Branch(undefined)).toBe(false);
    expect(viaBranch(parseVia('SIP/2.0/UDP a;BRANCH=z9hG4bKx')![0]!)).toBe('z9hG4bKx');
  });
});
