import { describe, expect, it } from 'vitest';
import { parseReplaces, referToReplaces } from './replaces.ts';
import { parseUri } from './uri.ts';
import type { SipUri } from './uri.ts';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (parsed?.kind !== 'sip') throw new Error(`not a SIP URI: ${text}`);
  return parsed;
}

describe('parseReplaces (RFC 3891 §6.1)', () => {
  it('reads the Call-ID and both tags, in any order and case, with the early-only flag', () => {
    expect(parseReplaces('425928@bobster.example.org;to-tag=7743;from-tag=6472')).toEqual({
      callId: '425928@bobster.example.org',
      toTag: '7743',
      fromTag: '6472',
      isEarlyOnly: false,
    });
    expect(parseReplaces('abc ; FROM-TAG=1 ; early-only ; To-Tag=2 ; x=y')).toEqual({
      callId: 'abc',
      toTag: '2',
      fromTag: '1',
      isEarlyOnly: true,
    });
  });

  it('refuses a value without a Call-ID or without either tag', () => {
    expect(parseReplaces('')).toBeUndefined();
    expect(parseReplaces(';to-tag=1;from-tag=2')).toBeUndefined();
    expect(parseReplaces('abc;to-tag=1')).toBeUndefined();
    expect(parseReplaces('abc;from-tag=2')).toBeUndefined();
    expect(parseReplaces('abc;to-tag=;from-tag=2')).toBeUndefined();
    expect(parseReplaces('abc;to-tag=a b;from-tag=2')).toBeUndefined();
  });
});

describe('referToReplaces (RFC 5589 §7.1)', () => {
  it('unescapes the Replaces a Refer-To URI carries', () => {
    const uri = sipUri('sip:1002@example.com?Replaces=12345%40192.168.0.10%3Bto-tag%3D8a%3Bfrom-tag%3D9b');
    expect(referToReplaces(uri)).toEqual({
      callId: '12345@192.168.0.10',
      toTag: '8a',
      fromTag: '9b',
      isEarlyOnly: false,
    });
  });

  it('tells a blind transfer (no Replaces) from a malformed one', () => {
    expect(referToReplaces(sipUri('sip:1002@example.com'))).toBe('absent');
    expect(referToReplaces(sipUri('sip:1002@example.com?Subject=hi'))).toBe('absent');
    expect(referToReplaces(sipUri('sip:1002@example.com?replaces=12345%3Bto-tag%3D8a'))).toBe('malformed');
  });
});
