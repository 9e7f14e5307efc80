import { describe, expect, it } from 'vitest';
import { parseUri, serializeUri, unescapeUriComponent, uriEquals, uriParameter } from './uri.ts';
import type { Uri } from './uri.ts';

function uri(text: string): Uri {
  const parsed = parseUri(text);
  if (parsed === undefined) throw new Error(`did not parse: ${text}`);
  return parsed;
}

describe('parseUri (RFC 3261 §19.1, RFC 5118)', () => {
  it('reads every part of a SIP URI and writes it back unchanged', () => {
    const text = 'sips:alice:pw@[2001:db8::1]:5061;transport=tls;lr?Subject=hi&Priority=urgent';
    expect(parseUri(text)).toEqual({
      kind: 'sip',
      scheme: 'sips',
      user: 'alice',
      password: 'pw',
      host: { kind: 'ipv6', address: '2001:db8::1' },
      port: 5061,
      params: [{ name: 'transport', value: 'tls' }, { name: 'lr' }],
      headers: [
        { name: 'Subject', value: 'hi' },
        { name: 'Priority', value: 'urgent' },
      ],
    });
    expect(serializeUri(uri(text))).toBe(text);
  });

  it('keeps telephone numbers with visual separators and phone-context in the user part', () => {
    const parsed = uri('sip:+1-212-555-0101;phone-context=example.com@gw.example.com;user=phone');
    expect(parsed.kind === 'sip' && [parsed.user, uriParameter(parsed, 'USER')]).toEqual([
      '+1-212-555-0101;phone-context=example.com',
      'phone',
    ]);
  });

  it('lowers the scheme and keeps other schemes opaque', () => {
    expect(uri('SIP:bob@example.com')).toMatchObject({ scheme: 'sip' });
    expect(uri('tel:+1-201-555-0123')).toEqual({ kind: 'other', scheme: 'tel', body: '+1-201-555-0123' });
  });

  it('rejects white space, brackets, bad escapes, bad ports and unbracketed IPv6', () => {
    for (const bad of [
      '<sip:a@b>',
      'sip:a@b c',
      'sip:a%4@b',
      'sip:a@b:99999',
      'sip:a@b:',
      'sip:2001:db8::10',
      'sip:@example.com',
      'sip:a@[2001:db8::1',
      'sip:a@1.2.3.999',
      'sip:a@example.com?noequals',
      'nocolon',
      ':empty-scheme',
      'tel:has space',
    ]) {
      expect(parseUri(bad), bad).toBeUndefined();
    }
  });
});

describe('unescapeUriComponent', () => {
  it('decodes UTF-8 escapes and NULs without truncating, and leaves broken escapes alone', () => {
    expect(unescapeUriComponent('caf%C3%A9')).toBe('café');
    expect(unescapeUriComponent('a%00b')).toBe('a\x00b');
    expect(unescapeUriComponent('100%')).toBe('100%');
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  it('treats the RFC examples of equal URIs as equal', () => {
    const pairs: [string, string][] = [
      ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
      ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
      [
        'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
        'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
      ],
      [
        'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
        'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
      ],
    ];
    for (const [a, b] of pairs) expect(uriEquals(uri(a), uri(b)), `${a} = ${b}`).toBe(true);
  });

  it('treats the RFC examples of different URIs as different', () => {
    const pairs: [string, string][] = [
      ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
      ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
      ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
      ['sip:alice@atlanta.com', 'tel:alice'],
    ];
    for (const [a, b] of pairs) expect(uriEquals(uri(a), uri(b)), `${a} != ${b}`).toBe(false);
  });
});
