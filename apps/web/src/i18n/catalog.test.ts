import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { roles } from '../app/api-types.ts';
import { catalogs, languageFromBrowser, translate } from './catalog.ts';

const sourceRoot = fileURLToPath(new URL('..', import.meta.url));
const spanishKeys = Object.keys(catalogs.es).sort();
const englishKeys = Object.keys(catalogs.en).sort();
const namespaces = new Set(spanishKeys.map((key) => key.split('.')[0]));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    const isCatalog =
      full === path.join(sourceRoot, 'i18n', 'es.ts') || full === path.join(sourceRoot, 'i18n', 'en.ts');
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') && !isCatalog ? [full] : [];
  });
}

/** Every message key the code names: `t('…')` calls and key literals such as route labels and error codes. */
function keysUsedInSources(): { key: string; file: string }[] {
  const used: { key: string; file: string }[] = [];
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bt\(\s*'([^']+)'/g)) used.push({ key: match[1]!, file });
    for (const match of text.matchAll(/'([a-zA-Z]+\.[a-zA-Z_]+)'/g))
      if (namespaces.has(match[1]!.split('.')[0])) used.push({ key: match[1]!, file });
  }
  return used;
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

describe('the Spanish and English catalogs', () => {
  it('have exactly the same keys', () => {
    expect(
      englishKeys.filter((key) => !spanishKeys.includes(key)),
      'keys only in English',
    ).toEqual([]);
    expect(
      spanishKeys.filter((key) => !englishKeys.includes(key)),
      'keys only in Spanish',
    ).toEqual([]);
  });

  it('use the same placeholders in both languages, and no message is empty', () => {
    for (const key of spanishKeys) {
      // A key missing from English is reported by the test above.
      if (!englishKeys.includes(key)) continue;
      const spanish = catalogs.es[key as keyof typeof catalogs.es];
      const english = catalogs.en[key as keyof typeof catalogs.en];
      expect(placeholders(english), key).toEqual(placeholders(spanish));
      expect(spanish.trim(), key).not.toBe('');
      expect(english.trim(), key).not.toBe('');
    }
  });

  it('contain every key the code uses, in both languages', () => {
    const used = keysUsedInSources();
    expect(used.length).toBeGreaterThan(100);
    const missing = used.filter(({ key }) => !spanishKeys.includes(key) || !englishKeys.includes(key));
    expect(missing.map(({ key, file }) => `${key} (${path.relative(sourceRoot, file)})`)).toEqual([]);
  });

  it('name every role the server knows', () => {
    for (const role of roles) expect(spanishKeys).toContain(`role.${role}`);
  });
});

describe('translate', () => {
  it('fills the placeholders', () => {
    expect(translate('es', 'problem.HTTP_LOGIN_THROTTLED', { seconds: 60 })).toBe(
      'Demasiados intentos fallidos. Espere 60 s y vuelva a intentarlo, o pida a un administrador que restablezca la contraseña.',
    );
    expect(translate('en', 'queues.serviceLevelValue', { pct: 80, seconds: 20 })).toBe('80% in 20 s');
  });
});

describe('languageFromBrowser', () => {
  it('takes the first Spanish or English preference, and English otherwise', () => {
    expect(languageFromBrowser(['es-MX', 'en-US'])).toBe('es');
    expect(languageFromBrowser(['fr-FR', 'en-GB', 'es'])).toBe('en');
    expect(languageFromBrowser(['de-DE'])).toBe('en');
    expect(languageFromBrowser([])).toBe('en');
  });
});
