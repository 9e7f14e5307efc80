import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber } from './phone-number.ts';

function normalized(raw: string, country = 'ES'): string | undefined {
  const result = normalizePhoneNumber(raw, country);
  return result.ok ? result.value : undefined;
}

describe('normalizePhoneNumber', () => {
  it('finds one number whatever way a Spanish caller or agent writes it', () => {
    for (const written of [
      '+34 912 345 678',
      '0034912345678',
      '912345678',
      '912 34 56 78',
      '+34-912-345-678',
      '(+34) 912.345.678',
    ]) {
      expect(normalized(written)).toBe('+34912345678');
    }
  });

  it('reads national numbers with the tenant country and international ones as written', () => {
    expect(normalized('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalized('011 34 912345678', 'US')).toBe('+34912345678');
    expect(normalized('+1 415 555 2671', 'ES')).toBe('+14155552671');
    expect(normalized('600 12 34 56')).toBe('+34600123456');
  });

  it('refuses what is not a phone number and names the field', () => {
    const tooShort = normalizePhoneNumber('12', 'ES', 'phones[0]');
    expect(tooShort.ok).toBe(false);
    if (!tooShort.ok) {
      expect(tooShort.error.code).toBe('CRM_PHONE_INVALID');
      expect(tooShort.error.field).toBe('phones[0]');
    }
    expect(normalizePhoneNumber('call me', 'ES').ok).toBe(false);
    expect(normalizePhoneNumber('', 'ES').ok).toBe(false);
    const badCountry = normalizePhoneNumber('912345678', 'XX');
    expect(!badCountry.ok && badCountry.error.code).toBe('CRM_COUNTRY_INVALID');
  });

  it('is idempotent: normalising an E.164 number gives it back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 600_000_000, max: 799_999_999 }), (n) => {
        const first = normalized(String(n));
        expect(first).toBeDefined();
        expect(normalized(first ?? '')).toBe(first);
      }),
    );
  });
});
