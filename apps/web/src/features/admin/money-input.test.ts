import { describe, expect, it } from 'vitest';
import { minorDigitsOf } from '../../app/money.ts';
import { formatDecimal, formatMoneyInput, parseDecimal, parseMoney } from './money-input.ts';

describe('numbers as people type them', () => {
  it('reads the decimal comma in Spanish and the decimal point in English', () => {
    expect(parseDecimal('18,50', 'es')).toBe(18.5);
    expect(parseDecimal('18.50', 'en')).toBe(18.5);
    expect(parseDecimal(' 0,02 ', 'es')).toBe(0.02);
    expect(parseDecimal('-12,5', 'es')).toBe(-12.5);
    expect(parseDecimal('42', 'en')).toBe(42);
  });

  it('takes a separator with one or two digits after it as decimal in either language', () => {
    expect(parseDecimal('18.50', 'es')).toBe(18.5);
    expect(parseDecimal('18,5', 'en')).toBe(18.5);
  });

  it('groups thousands the way the language does', () => {
    expect(parseDecimal('1.234', 'es')).toBe(1234);
    expect(parseDecimal('1,234', 'es')).toBe(1.234);
    expect(parseDecimal('1,234', 'en')).toBe(1234);
    expect(parseDecimal('1.234', 'en')).toBe(1.234);
    expect(parseDecimal('1.234.567,89', 'es')).toBe(1_234_567.89);
    expect(parseDecimal('1,234,567.89', 'en')).toBe(1_234_567.89);
    expect(parseDecimal('1 234,5', 'es')).toBe(1234.5);
  });

  it('refuses what is no number', () => {
    for (const text of ['', 'abc', '1,2,3', '1.23.4', '12,5,0', '1.2.3,4', '€', '--1', '1e3']) {
      expect(parseDecimal(text, 'es')).toBeNull();
    }
  });

  it('writes numbers back in the language, without grouping', () => {
    expect(formatDecimal(92.5, 'es')).toBe('92,5');
    expect(formatDecimal(92.5, 'en')).toBe('92.5');
    expect(formatDecimal(12345, 'es')).toBe('12345');
    expect(formatDecimal(0.1 + 0.2, 'en', 4)).toBe('0.3');
  });
});

describe('amounts in major units', () => {
  it('become minor units of the currency: Spanish "18,50" € is 1850', () => {
    expect(parseMoney('18,50', 'es', 'EUR')).toEqual({ kind: 'amount', minor: 1850 });
    expect(parseMoney('18.50', 'en', 'USD')).toEqual({ kind: 'amount', minor: 1850 });
    expect(parseMoney('0,02', 'es', 'EUR')).toEqual({ kind: 'amount', minor: 2 });
    expect(parseMoney('1.250', 'es', 'EUR')).toEqual({ kind: 'amount', minor: 125_000 });
    expect(parseMoney('19,99', 'es', 'EUR')).toEqual({ kind: 'amount', minor: 1999 });
  });

  it('follow the currency’s minor unit: the Chilean peso has none', () => {
    expect(minorDigitsOf('EUR')).toBe(2);
    expect(minorDigitsOf('CLP')).toBe(0);
    expect(parseMoney('1.500', 'es', 'CLP')).toEqual({ kind: 'amount', minor: 1500 });
    expect(parseMoney('15,5', 'es', 'CLP')).toEqual({ kind: 'invalid' });
  });

  it('are empty, or invalid when negative, not a number or finer than the currency', () => {
    expect(parseMoney('  ', 'es', 'EUR')).toEqual({ kind: 'empty' });
    expect(parseMoney('-1', 'es', 'EUR')).toEqual({ kind: 'invalid' });
    expect(parseMoney('dieciocho', 'es', 'EUR')).toEqual({ kind: 'invalid' });
    expect(parseMoney('18,505', 'es', 'EUR')).toEqual({ kind: 'invalid' });
  });

  it('show back as typed, with the currency’s decimals', () => {
    expect(formatMoneyInput(1850, 'es', 'EUR')).toBe('18,50');
    expect(formatMoneyInput(1850, 'en', 'EUR')).toBe('18.50');
    expect(formatMoneyInput(2, 'es', 'EUR')).toBe('0,02');
    expect(formatMoneyInput(125_000, 'es', 'EUR')).toBe('1250,00');
    expect(formatMoneyInput(1500, 'es', 'CLP')).toBe('1500');
    for (const minor of [0, 1, 99, 1850, 123_456]) {
      expect(parseMoney(formatMoneyInput(minor, 'es', 'EUR'), 'es', 'EUR')).toEqual({
        kind: 'amount',
        minor,
      });
      expect(parseMoney(formatMoneyInput(minor, 'en', 'EUR'), 'en', 'EUR')).toEqual({
        kind: 'amount',
        minor,
      });
    }
  });
});
