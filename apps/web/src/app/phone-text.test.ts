import { describe, expect, it } from 'vitest';
import { phoneText } from './phone-text.ts';

describe('phoneText', () => {
  it('groups a number of the tenant’s country the national way, and any other the international way', () => {
    expect(phoneText('+34612345678', 'ES')).toBe('612 34 56 78');
    expect(phoneText('+34910000000', 'ES')).toBe('910 00 00 00');
    expect(phoneText('+442079460958', 'ES')).toBe('+44 20 7946 0958');
    expect(phoneText('+34612345678', 'MX')).toBe('+34 612 34 56 78');
    expect(phoneText('+34612345678', undefined)).toBe('+34 612 34 56 78');
  });

  it('leaves what is not a phone number as it is', () => {
    expect(phoneText('sip:1001@demo.pbx.example', 'ES')).toBe('sip:1001@demo.pbx.example');
    expect(phoneText('ana@example.com', 'ES')).toBe('ana@example.com');
    expect(phoneText('anonymous', 'ES')).toBe('anonymous');
    expect(phoneText('+1', 'ES')).toBe('+1');
  });
});
