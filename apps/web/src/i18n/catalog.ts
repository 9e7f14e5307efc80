import type { Language } from '../app/api-types.ts';
import { en } from './en.ts';
import { es } from './es.ts';

/** Every message key; the Spanish catalog is the reference, and English must have the same keys. */
export type MessageKey = keyof typeof es;

/** The messages of one language. */
export type Catalog = Readonly<Record<MessageKey, string>>;

/** Both catalogs by language. */
export const catalogs: Readonly<Record<Language, Catalog>> = { es, en };

/** Values interpolated into `{name}` placeholders. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** The message for a key in a language, with `{name}` placeholders filled in. */
export function translate(language: Language, key: MessageKey, values: MessageValues = {}): string {
  const template = catalogs[language][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** The app's language for a browser preference list: Spanish for any Spanish variant, else English. */
export function languageFromBrowser(preferences: readonly string[]): Language {
  for (const preference of preferences) {
    const primary = preference.toLowerCase().split('-')[0];
    if (primary === 'es' || primary === 'en') return primary;
  }
  return 'en';
}
