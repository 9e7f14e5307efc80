/**
 * Check-digit algorithms callers' account, card and ticket numbers carry, so a mistyped number is
 * refused at the keypad before anything is looked up.
 */

const isAllDigits = (value: string): boolean => /^[0-9]+$/.test(value);

/** Luhn (ISO/IEC 7812-1 annex B): catches every single-digit error and most adjacent swaps. */
export function isLuhnValid(value: string): boolean {
  if (value.length < 2 || !isAllDigits(value)) return false;
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    let digit = Number(value[value.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `payload`. */
export function luhnCheckDigit(payload: string): number {
  for (let candidate = 0; candidate <= 9; candidate++) {
    if (isLuhnValid(payload + String(candidate))) return candidate;
  }
  return 0;
}

/** The usual mod-11 weights, applied from the rightmost payload digit and repeated leftwards. */
export const defaultMod11Weights: readonly number[] = [2, 3, 4, 5, 6, 7];

/**
 * The mod-11 check digit of `payload`: (11 - Σ weightᵢ·digitᵢ mod 11) mod 11, or `null` when that is 10,
 * which a keypad cannot send (such payloads are never issued, so any number ending there is refused).
 */
export function mod11CheckDigit(
  payload: string,
  weights: readonly number[] = defaultMod11Weights,
): number | null {
  if (payload.length === 0 || !isAllDigits(payload) || weights.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    sum += Number(payload[payload.length - 1 - i]) * (weights[i % weights.length] ?? 1);
  }
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? null : check;
}

/** True when the last digit is the mod-11 check digit of the digits before it. */
export function isMod11Valid(value: string, weights: readonly number[] = defaultMod11Weights): boolean {
  if (value.length < 2 || !isAllDigits(value)) return false;
  const check = mod11CheckDigit(value.slice(0, -1), weights);
  return check !== null && String(check) === value.slice(-1);
}
