import { describe, expect, it } from 'vitest';
import { headerDisplayName, headerKey } from './header-names.ts';

describe('header names', () => {
  it('compare without case, and a compact name is its long form', () => {
    for (const name of ['Via', 'VIA', 'via', 'v', 'V']) expect(headerKey(name)).toBe('via');
    expect(headerKey('i')).toBe('call-id');
    expect(headerKey('Call-ID')).toBe('call-id');
    expect(headerKey('X-Custom-Thing')).toBe('x-custom-thing');
    // The same name again, now remembered: the same key.
    expect(headerKey('Call-ID')).toBe('call-id');
  });

  it('are only names, even when they spell a property every object has', () => {
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf']) {
      expect(headerKey(name)).toBe(name.toLowerCase());
      expect(headerDisplayName(name)).toBe(name);
    }
    expect(headerDisplayName('cseq')).toBe('CSeq');
  });

  it('keep their keys however many different names a peer sends', () => {
    for (let index = 0; index < 1_000; index++)
      expect(headerKey(`X-Junk-${String(index)}`)).toBe(`x-junk-${String(index)}`);
    expect(headerKey('CSeq')).toBe('cseq');
    expect(headerKey('l')).toBe('content-length');
  });
});
