import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';

/**
 * Text with placeholders: `{{ticketNumber}}` inserts a variable, `{{ticketNumber|digits}}` inserts its
 * digits one by one ("1 2 3 4") so text-to-speech reads a ticket or phone number digit by digit
 * instead of as one large quantity.
 */
const placeholderPattern =
  /\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)\s*(?:\|\s*(digits)\s*)?\}\}/g;

/** A variable value: what digits, HTTP responses and `set` nodes can store. */
export type Scalar = string | number | boolean;

/** Where placeholders find their values; `undefined` means the variable is not set. */
export type VariableLookup = (name: string) => Scalar | undefined;

/** How an inserted value is escaped: as is (speech, JSON values) or for a URL path or query. */
export type TemplateEncoding = 'plain' | 'url';

/** The variable names a template refers to, in order of appearance (duplicates kept). */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(placeholderPattern)].map((match) => match[1] ?? '');
}

/** True when every `{{` in the text opens a well-formed placeholder and no `}}` is left over. */
export function isWellFormedTemplate(template: string): boolean {
  const rest = template.replace(placeholderPattern, '');
  return !rest.includes('{{') && !rest.includes('}}');
}

/** Replaces every placeholder, or names the first variable that is not set. */
export function fillTemplate(
  template: string,
  lookup: VariableLookup,
  encoding: TemplateEncoding = 'plain',
): Result<string, { readonly missingVariable: string }> {
  const missing: string[] = [];
  const filled = template.replace(placeholderPattern, (_whole, name: string, filter: string | undefined) => {
    const value = lookup(name);
    if (value === undefined) {
      missing.push(name);
      return '';
    }
    const text = filter === 'digits' ? spellDigits(String(value)) : String(value);
    return encoding === 'url' ? encodeURIComponent(text) : text;
  });
  const [missingVariable] = missing;
  return missingVariable === undefined ? ok(filled) : err({ missingVariable });
}

/** "+34 600-11" -> "3 4 6 0 0 1 1": only the digits, separated so speech reads them one by one. */
export function spellDigits(value: string): string {
  return (value.match(/[0-9]/g) ?? []).join(' ');
}
