import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLuhnValid, isMod11Valid, luhnCheckDigit, mod11CheckDigit } from './check-digit.ts';

const payloads = fc.string({
  unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
  minLength: 1,
  maxLength: 18,
});

/** Every way of changing exactly one digit of `value`. */
function singleDigitErrors(value: string): string[] {
  const variants: string[] = [];
  for (let i = 0; i < value.length; i++) {
    for (const digit of '0123456789') {
      if (digit !== value[i]) variants.push(value.slice(0, i) + digit + value.slice(i + 1));
    }
  }
  return variants;
}

describe('Luhn', () => {
  it('accepts well-known valid numbers and refuses a mistyped one', () => {
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('79927398710')).toBe(false);
    expect(isLuhnValid('7992739871a')).toBe(false);
  });

  it('accepts payload + check digit and refuses every single-digit mistake', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const value = payload + String(luhnCheckDigit(payload));
        expect(isLuhnValid(value)).toBe(true);
        for (const typo of singleDigitErrors(value)) expect(isLuhnValid(typo)).toBe(false);
      }),
      { numRuns: 200, seed: 6 },
    );
  });
});

describe('mod 11', () => {
  it('computes the check digit with weights 2..7 from the right', () => {
    // 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 77 ≡ 0 (mod 11) -> check digit (11 - 0) mod 11 = 0.
    expect(mod11CheckDigit('123456')).toBe(0);
    expect(isMod11Valid('1234560')).toBe(true);
    expect(isMod11Valid('1234561')).toBe(false);
    // 3·2 = 6 -> 11 - 6 = 5.
    expect(mod11CheckDigit('3')).toBe(5);
    // 1·2 = 2 -> 11 - 2 = 9.
    expect(mod11CheckDigit('1')).toBe(9);
  });

  it('refuses payloads whose check would be 10, which a keypad cannot send', () => {
    // 6·2 = 12 ≡ 1 -> 11 - 1 = 10.
    expect(mod11CheckDigit('6')).toBeNull();
    expect(isMod11Valid('60')).toBe(false);
  });

  it('accepts payload + check digit and refuses every single-digit mistake', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const check = mod11CheckDigit(payload);
        fc.pre(check !== null);
        const value = payload + String(check);
        expect(isMod11Valid(value)).toBe(true);
        for (const typo of singleDigitErrors(value)) expect(isMod11Valid(typo)).toBe(false);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
