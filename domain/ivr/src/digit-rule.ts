import { z } from 'zod';
import { defaultMod11Weights, isLuhnValid, isMod11Valid } from './check-digit.ts';

function isCompilableRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * A rule the digits a caller enters must satisfy, beyond the node's minimum and maximum length:
 * a check digit (Luhn, mod 11), a pattern (matched against the whole entry) or a set of lengths.
 */
export const digitRuleSchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('luhn') }),
  z.strictObject({
    rule: z.literal('mod11'),
    weights: z.array(z.int().min(1).max(10)).min(1).max(16).optional(),
  }),
  z.strictObject({
    rule: z.literal('regex'),
    pattern: z.string().min(1).max(200).refine(isCompilableRegex, 'not a valid regular expression'),
  }),
  z.strictObject({ rule: z.literal('length'), lengths: z.array(z.int().min(1).max(32)).min(1) }),
]);

/** A validation rule for gathered digits. */
export type DigitRule = z.output<typeof digitRuleSchema>;

/** True when the entered digits satisfy the rule. */
export function satisfiesDigitRule(digits: string, rule: DigitRule): boolean {
  switch (rule.rule) {
    case 'luhn':
      return isLuhnValid(digits);
    case 'mod11':
      return isMod11Valid(digits, rule.weights ?? defaultMod11Weights);
    case 'regex':
      // Anchored so that a pattern like "9[0-9]{8}" means the whole entry, not a part of it.
      return new RegExp(`^(?:${rule.pattern})$`).test(digits);
    case 'length':
      return rule.lengths.includes(digits.length);
  }
}
