import { describe, expect, it } from 'vitest';
import {
  DTMF_DIGITS,
  dtmfDigitAt,
  dtmfDigitFromEventCode,
  dtmfEventCode,
  dtmfFrequencies,
  isDtmfDigit,
  parseDtmfDigit,
} from './dtmf-digit.ts';

describe('DTMF digits', () => {
  it('maps keys to their Q.23 frequency pairs', () => {
    expect(dtmfFrequencies('1')).toEqual({ lowHz: 697, highHz: 1209 });
    expect(dtmfFrequencies('0')).toEqual({ lowHz: 941, highHz: 1336 });
    expect(dtmfFrequencies('#')).toEqual({ lowHz: 941, highHz: 1477 });
    expect(dtmfFrequencies('D')).toEqual({ lowHz: 941, highHz: 1633 });
    expect(dtmfDigitAt(1, 2)).toBe('6');
    expect(dtmfDigitAt(4, 0)).toBeUndefined();
  });

  it('maps keys to RFC 4733 event codes and back', () => {
    expect(DTMF_DIGITS.map(dtmfEventCode)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(dtmfEventCode('*')).toBe(10);
    expect(dtmfEventCode('#')).toBe(11);
    expect(dtmfDigitFromEventCode(12)).toBe('A');
    expect(dtmfDigitFromEventCode(16)).toBeUndefined(); // flash is not a digit
  });

  it('recognises only the sixteen characters', () => {
    expect(isDtmfDigit('5')).toBe(true);
    expect(isDtmfDigit('a')).toBe(false);
    expect(isDtmfDigit('E')).toBe(false);
  });

  it('parses keys handed in as text, refusing anything else as a value', () => {
    expect(parseDtmfDigit('5')).toEqual({ ok: true, value: '5' });
    expect(parseDtmfDigit(' b ')).toEqual({ ok: true, value: 'B' });
    const bad = parseDtmfDigit('12');
    expect(!bad.ok && bad.error.code).toBe('MEDIA_DTMF_UNKNOWN_DIGIT');
  });
});
