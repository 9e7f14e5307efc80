import { describe, expect, it } from 'vitest';
import {
  parseContact,
  parseNameAddress,
  parseNameAddressList,
  serializeNameAddress,
} from './name-address.ts';

describe('name-addr and addr-spec (RFC 3261 §20.10, §25.1)', () => {
  it('separates URI parameters (inside <>) from header parameters (outside)', () => {
    const address = parseNameAddress('"Agent 7" <sip:7@pbx.example.com;transport=tcp>;tag=abc;expires=60');
    expect(address).toMatchObject({
      displayName: 'Agent 7',
      uri: { user: '7', params: [{ name: 'transport', value: 'tcp' }] },
      params: [
        { name: 'tag', value: 'abc' },
        { name: 'expires', value: '60' },
      ],
    });
    expect(serializeNameAddress(address!)).toBe(
      '"Agent 7" <sip:7@pbx.example.com;transport=tcp>;tag=abc;expires=60',
    );
  });

  it('in addr-spec form, everything after ";" belongs to the header', () => {
    expect(parseNameAddress('sip:bob@example.com;tag=1')).toMatchObject({
      uri: { params: [] },
      params: [{ name: 'tag', value: '1' }],
    });
  });

  it('accepts token display names, quoted ones with escapes, and none', () => {
    expect(parseNameAddress('Bob  Smith <sip:b@example.com>')?.displayName).toBe('Bob  Smith');
    expect(parseNameAddress('"say \\"hi\\"" <sip:b@example.com>')?.displayName).toBe('say "hi"');
    expect(parseNameAddress('<sip:b@example.com>')?.displayName).toBeUndefined();
    expect(parseNameAddress('"" <sip:b@example.com>')?.displayName).toBe('');
  });

  it('quotes display names on the way out so they always read back the same', () => {
    const tricky = {
      displayName: 'a "b" \\ c, <d>\x07',
      uri: { kind: 'other' as const, scheme: 'tel', body: '+1' },
      params: [],
    };
    expect(parseNameAddress(serializeNameAddress(tricky))).toEqual(tricky);
    // CR and LF cannot be quoted: they become spaces instead of starting a new header line.
    expect(serializeNameAddress({ ...tricky, displayName: 'x\r\nVia: evil' })).toBe(
      '"x  Via: evil" <tel:+1>',
    );
  });

  it('rejects the RFC 4475 malformations', () => {
    for (const bad of [
      'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
      '"Mr. J. User <sip:j.user@example.com>',
      '"Watson, Thomas" < sip:t.watson@example.org >',
      'sip:user@example.com?Route=%3Csip:sip.example.com%3E',
      '<sip:a@b',
      '<sip:a@b>;;tag=1',
      '<sip:a@b> junk',
      '',
    ]) {
      expect(parseNameAddress(bad), bad).toBeUndefined();
    }
  });

  it('splits lists at top-level commas only', () => {
    const list = parseNameAddressList('"Doe, J" <sip:j@a.example>, <sip:k@b.example;lr>, sip:l@c.example');
    expect(list?.map((a) => a.displayName)).toEqual(['Doe, J', undefined, undefined]);
    expect(parseContact(' * ')).toEqual({ kind: 'star' });
    expect(parseContact('<sip:a@b>, ')).toBeUndefined();
  });
});
