import { z } from 'zod';

/** The languages prompts are written in: Spanish and English. */
export const languageSchema = z.enum(['es', 'en']);

/** A prompt language (ISO 639-1 code). */
export type Language = z.output<typeof languageSchema>;

/** Every supported language, in the order messages list them. */
export const languages: readonly Language[] = languageSchema.options;

/** The language's name in English, for validation messages. */
export function languageName(language: Language): string {
  switch (language) {
    case 'es':
      return 'Spanish';
    case 'en':
      return 'English';
  }
}
