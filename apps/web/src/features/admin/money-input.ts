import type { Language } from '../../app/api-types.ts';
import { minorDigitsOf } from '../../app/money.ts';

/**
 * Numbers and amounts as people type them: "18,50" in Spanish and "18.50" in English. A single separator
 * followed by one or two digits is decimal in either language (nobody groups thousands by two), so an
 * English-style "18.50" typed on the Spanish screen still means eighteen and a half; otherwise the
 * language decides which separator groups thousands ("1.234,5" in Spanish, "1,234.5" in English).
 */
export function parseDecimal(text: string, language: Language): number | null {
  const trimmed = text.replace(/[\s\u00a0\u202f]/g, '');
  const match = /^(-?)([0-9.,]+)$/.exec(trimmed);
  if (match === null) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const body = match[2] ?? '';
  const decimalMark = decimalMarkOf(body, language);
  const [whole = '', fraction, ...rest] = decimalMark === null ? [body] : body.split(decimalMark);
  if (rest.length > 0) return null;
  const grouping = decimalMark === null ? (body.includes(',') ? ',' : '.') : decimalMark === '.' ? ',' : '.';
  const groups = whole.split(grouping);
  if (groups.some((group) => !/^[0-9]+$/.test(group))) return null;
  // A grouped number has groups of three after the first: "1.234", never "1.23.4".
  if (groups.length > 1 && groups.slice(1).some((group) => group.length !== 3)) return null;
  if (fraction !== undefined && !/^[0-9]+$/.test(fraction)) return null;
  const value = Number(`${groups.join('')}.${fraction ?? '0'}`);
  return Number.isFinite(value) ? sign * value : null;
}

function decimalMarkOf(body: string, language: Language): '.' | ',' | null {
  const hasComma = body.includes(',');
  const hasDot = body.includes('.');
  if (hasComma && hasDot) return body.lastIndexOf(',') > body.lastIndexOf('.') ? ',' : '.';
  if (!hasComma && !hasDot) return null;
  const mark = hasComma ? ',' : '.';
  const parts = body.split(mark);
  if (parts.length === 2 && (parts[1] ?? '').length !== 3) return mark;
  return mark === (language === 'es' ? ',' : '.') && parts.length === 2 ? mark : null;
}

/** A number as the language writes it, without grouping, with at most `maximumFractionDigits`. */
export function formatDecimal(value: number, language: Language, maximumFractionDigits = 6): string {
  return new Intl.NumberFormat(language, { useGrouping: false, maximumFractionDigits }).format(value);
}

/** What parsing an amount field gave: nothing typed, an amount in minor units, or text that is no amount. */
export type ParsedMoney =
  | { readonly kind: 'empty' }
  | { readonly kind: 'amount'; readonly minor: number }
  | { readonly kind: 'invalid' };

/**
 * An amount typed in major units ("18,50" €) as minor units of the currency (1850). Negative amounts and
 * more decimals than the currency has are invalid.
 */
export function parseMoney(text: string, language: Language, currency: string): ParsedMoney {
  if (text.trim() === '') return { kind: 'empty' };
  const major = parseDecimal(text, language);
  if (major === null || major < 0) return { kind: 'invalid' };
  const scale = 10 ** minorDigitsOf(currency);
  const minor = Math.round(major * scale);
  // 18.505 € cannot be charged: refuse rather than round a price silently.
  if (Math.abs(minor - major * scale) > 1e-6 || !Number.isSafeInteger(minor)) return { kind: 'invalid' };
  return { kind: 'amount', minor };
}

/** Minor units as the amount field shows them: 1850 → "18,50" in Spanish, "18.50" in English. */
export function formatMoneyInput(minor: number, language: Language, currency: string): string {
  const digits = minorDigitsOf(currency);
  return new Intl.NumberFormat(language, {
    useGrouping: false,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}
