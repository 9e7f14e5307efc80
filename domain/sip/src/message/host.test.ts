import { describe, expect, it } from 'vitest';
import { isIpv6Address, parseHost, serializeHost } from './host.ts';

describe('hosts (RFC 3261 §25.1, RFC 5118)', () => {
  it('tells domain names, IPv4 addresses and bracketed IPv6 references apart', () => {
    expect(parseHost('pbx.example.com.')).toEqual({ kind: 'domain', name: 'pbx.example.com.' });
    expect(parseHost('192.0.2.1')).toEqual({ kind: 'ipv4', address: '192.0.2.1' });
    expect(parseHost('[::ffff:192.0.2.1]')).toEqual({ kind: 'ipv6', address: '::ffff:192.0.2.1' });
    expect(serializeHost({ kind: 'ipv6', address: '::1' })).toBe('[::1]');
  });

  it('rejects numbers that are neither names nor addresses, and bad labels', () => {
    for (const bad of [
      '2001',
      '1.2.3.999',
      '-a.com',
      'a-.com',
      'a..com',
      '[::1',
      '[1:2:3:4:5:6:7:8:9]',
      'a b',
      '',
    ]) {
      expect(parseHost(bad), bad).toBeUndefined();
    }
  });

  it('validates IPv6 text forms, tolerating the RFC 3261 three-colon bug only when asked (RFC 5118 §4.10)', () => {
    for (const good of [
      '::',
      '::1',
      '2001:db8::10:5070',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:1.2.3.4',
      '::ffff:192.0.2.2',
    ]) {
      expect(isIpv6Address(good), good).toBe(true);
    }
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3']) {
      expect(isIpv6Address(bad), bad).toBe(false);
    }
    expect(isIpv6Address('2001:db8:::192.0.2.1')).toBe(false);
    expect(isIpv6Address('2001:db8:::192.0.2.1', true)).toBe(true);
  });
});
