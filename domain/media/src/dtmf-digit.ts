import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';

/** The sixteen DTMF keys. */
export type DtmfDigit =
  '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** All sixteen keys, in RFC 4733 event-code order (0-9, *, #, A-D). */
export const DTMF_DIGITS: readonly DtmfDigit[] = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '*',
  '#',
  'A',
  'B',
  'C',
  'D',
];

/** The low-group (row) frequencies in Hz (ITU-T Q.23). */
export const DTMF_ROW_FREQUENCIES_HZ: readonly number[] = [697, 770, 852, 941];
/** The high-group (column) frequencies in Hz (ITU-T Q.23). */
export const DTMF_COLUMN_FREQUENCIES_HZ: readonly number[] = [1209, 1336, 1477, 1633];

/** The keypad, row by row: KEYPAD[row][column]. */
const KEYPAD: readonly (readonly DtmfDigit[])[] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

/** True for one of the sixteen DTMF characters (upper case A-D). */
export function isDtmfDigit(value: string): value is DtmfDigit {
  return (DTMF_DIGITS as readonly string[]).includes(value);
}

/** The digit at a keypad position, if the indexes are in range. */
export function dtmfDigitAt(row: number, column: number): DtmfDigit | undefined {
  return KEYPAD[row]?.[column];
}

/** The row and column frequencies of a digit (ITU-T Q.23). */
export function dtmfFrequencies(digit: DtmfDigit): { readonly lowHz: number; readonly highHz: number } {
  for (let row = 0; row < 4; row++) {
    const column = KEYPAD[row]?.indexOf(digit) ?? -1;
    if (column >= 0) {
      return { lowHz: DTMF_ROW_FREQUENCIES_HZ[row] ?? 0, highHz: DTMF_COLUMN_FREQUENCIES_HZ[column] ?? 0 };
    }
  }
  // Unreachable for a DtmfDigit; the type guarantees a keypad position.
  return { lowHz: 0, highHz: 0 };
}

/** The RFC 4733 §3.2 event code of a digit (0-9 -> 0-9, * -> 10, # -> 11, A-D -> 12-15). */
export function dtmfEventCode(digit: DtmfDigit): number {
  return DTMF_DIGITS.indexOf(digit);
}

/** The digit for an RFC 4733 event code 0-15; undefined for other events (flash is 16). */
export function dtmfDigitFromEventCode(code: number): DtmfDigit | undefined {
  return DTMF_DIGITS[code];
}

/**
 * Reads one key from text, as SIP INFO (application/dtmf-relay "Signal=5") or an API hands it in;
 * a-d are accepted for A-D.
 */
export function parseDtmfDigit(value: string): Result<DtmfDigit, MediaError> {
  const upper = value.trim().toUpperCase();
  return isDtmfDigit(upper)
    ? ok(upper)
    : err(mediaError('MEDIA_DTMF_UNKNOWN_DIGIT', `"${value}" is not a DTMF key (0-9, *, #, A-D)`));
}
