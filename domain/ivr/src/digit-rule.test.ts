import { describe, expect, it } from 'vitest';
import { digitRuleSchema, satisfiesDigitRule } from './digit-rule.ts';

const rule = (input: unknown) => digitRuleSchema.parse(input);

describe('satisfiesDigitRule', () => {
  it('applies check digits', () => {
    expect(satisfiesDigitRule('79927398713', rule({ rule: 'luhn' }))).toBe(true);
    expect(satisfiesDigitRule('79927398714', rule({ rule: 'luhn' }))).toBe(false);
    expect(satisfiesDigitRule('1234560', rule({ rule: 'mod11' }))).toBe(true);
    // With weights 1,2: 3·1 = 3 -> 11 - 3 = 8.
    expect(satisfiesDigitRule('38', rule({ rule: 'mod11', weights: [1, 2] }))).toBe(true);
  });

  it('matches a pattern against the whole entry, not a part of it', () => {
    const mobile = rule({ rule: 'regex', pattern: '[67][0-9]{8}' });
    expect(satisfiesDigitRule('600111222', mobile)).toBe(true);
    expect(satisfiesDigitRule('9600111222', mobile)).toBe(false);
    expect(satisfiesDigitRule('6001112223', mobile)).toBe(false);
  });

  it('accepts only the listed lengths', () => {
    const nineOrTwelve = rule({ rule: 'length', lengths: [9, 12] });
    expect(satisfiesDigitRule('123456789', nineOrTwelve)).toBe(true);
    expect(satisfiesDigitRule('1234567890', nineOrTwelve)).toBe(false);
  });

  it('refuses a pattern that does not compile, when the flow is saved', () => {
    expect(digitRuleSchema.safeParse({ rule: 'regex', pattern: '([0-9]' }).error?.issues[0]?.message).toBe(
      'not a valid regular expression',
    );
  });
});
