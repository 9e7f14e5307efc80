import { z } from 'zod';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { Language } from './language.ts';
import { languages } from './language.ts';
import type { VariableLookup } from './template.ts';
import { fillTemplate, isWellFormedTemplate } from './template.ts';

/** A media path relative to the tenant's prompt store: no absolute paths, no `..`, no odd characters. */
const promptFileSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9_./-]*$/,
    'a prompt file is a relative path of letters, digits, _ - . and /',
  )
  .refine(
    (path) => !path.split('/').includes('..'),
    'a prompt file may not climb out of the prompt store (..)',
  );

const promptTextSchema = z
  .string()
  .trim()
  .min(1)
  .refine(isWellFormedTemplate, 'malformed placeholder: write {{variable}} or {{variable|digits}}');

/**
 * What one language says: text for text-to-speech, or a recorded file (whose `text`, if given, is the
 * transcript shown by the tester and the admin screens).
 */
export const promptVariantSchema = z
  .strictObject({ text: promptTextSchema.optional(), file: promptFileSchema.optional() })
  .refine((v) => v.text !== undefined || v.file !== undefined, 'give a text to speak or a file to play');

/** A bilingual prompt: a variant per language; the validator requires every language the flow declares. */
export const promptSchema = z
  .strictObject({ es: promptVariantSchema.optional(), en: promptVariantSchema.optional() })
  .refine((p) => p.es !== undefined || p.en !== undefined, 'a prompt needs at least one language');

/** A prompt as written in a flow. */
export type Prompt = z.output<typeof promptSchema>;

/** What the call layer plays: synthesized text, or a file with its transcript when known. */
export type PromptAudio =
  | { readonly kind: 'tts'; readonly text: string }
  | { readonly kind: 'file'; readonly file: string; readonly transcript: string | null };

/** A prompt resolved for the caller: the language actually used and what to play. */
export interface ResolvedPrompt {
  readonly language: Language;
  readonly audio: PromptAudio;
}

/** Why a prompt could not be resolved. */
export type PromptResolutionError =
  { readonly kind: 'noVariant' } | { readonly kind: 'missingVariable'; readonly variable: string };

/**
 * Picks the caller's language, else the flow's default, else whatever the prompt has (a caller who
 * hears the other language is better served than one who hears silence), and fills its placeholders.
 */
export function resolvePrompt(
  prompt: Prompt,
  language: Language,
  defaultLanguage: Language,
  lookup: VariableLookup,
): Result<ResolvedPrompt, PromptResolutionError> {
  const order = [language, defaultLanguage, ...languages];
  const chosen = order.find((candidate) => prompt[candidate] !== undefined);
  const variant = chosen === undefined ? undefined : prompt[chosen];
  if (chosen === undefined || variant === undefined) return err({ kind: 'noVariant' });
  let text: string | null = null;
  if (variant.text !== undefined) {
    const filled = fillTemplate(variant.text, lookup);
    if (!filled.ok) return err({ kind: 'missingVariable', variable: filled.error.missingVariable });
    text = filled.value;
  }
  if (variant.file !== undefined) {
    return ok({ language: chosen, audio: { kind: 'file', file: variant.file, transcript: text } });
  }
  return ok({ language: chosen, audio: { kind: 'tts', text: text ?? '' } });
}
