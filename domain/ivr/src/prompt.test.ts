import { describe, expect, it } from 'vitest';
import { promptSchema, resolvePrompt } from './prompt.ts';

const none = () => undefined;

describe('promptSchema', () => {
  it('accepts text per language or a file per language', () => {
    expect(
      promptSchema.safeParse({ es: { text: 'Hola' }, en: { file: 'en/hello.wav', text: 'Hello' } }).success,
    ).toBe(true);
  });

  it.each([
    [{}, 'a prompt needs at least one language'],
    [{ es: {} }, 'give a text to speak or a file to play'],
    [{ es: { file: '../../etc/passwd' } }, 'climb out'],
    [{ es: { file: '/etc/passwd' } }, 'relative path'],
    [{ es: { text: 'Hola {{nombre' } }, 'malformed placeholder'],
    [{ fr: { text: 'Bonjour' } }, 'Unrecognized key'],
  ])('refuses %j', (input, message) => {
    const parsed = promptSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join(' | ')).toContain(message);
  });
});

describe('resolvePrompt', () => {
  const bilingual = promptSchema.parse({ es: { text: 'Hola {{name}}' }, en: { text: 'Hello {{name}}' } });

  it("speaks the caller's language with variables filled in", () => {
    expect(resolvePrompt(bilingual, 'en', 'es', () => 'Ana')).toEqual({
      ok: true,
      value: { language: 'en', audio: { kind: 'tts', text: 'Hello Ana' } },
    });
  });

  it("falls back to the flow's default language, then to any language, rather than silence", () => {
    const spanishOnly = promptSchema.parse({ es: { file: 'es/hola.wav' } });
    expect(resolvePrompt(spanishOnly, 'en', 'es', none)).toEqual({
      ok: true,
      value: { language: 'es', audio: { kind: 'file', file: 'es/hola.wav', transcript: null } },
    });
    const englishOnly = promptSchema.parse({ en: { text: 'Hi' } });
    expect(resolvePrompt(englishOnly, 'es', 'es', none)).toMatchObject({
      ok: true,
      value: { language: 'en' },
    });
  });

  it('reports the missing variable instead of speaking a gap', () => {
    expect(resolvePrompt(bilingual, 'es', 'es', none)).toEqual({
      ok: false,
      error: { kind: 'missingVariable', variable: 'name' },
    });
  });
});
