import type { DomainError } from '@centralita/kernel';

/** Stable codes of the prompt cache; docs/errors.md lists each one. */
export type PromptCacheErrorCode =
  | 'PROMPT_TTS_NOT_INSTALLED'
  | 'PROMPT_VOICE_UNKNOWN'
  | 'PROMPT_TTS_FAILED'
  | 'PROMPT_TEXT_EMPTY'
  | 'PROMPT_AUDIO_INVALID'
  | 'PROMPT_CACHE_UNWRITABLE';

/** Why a prompt could not be rendered or cached; `message` says what to do about it. */
export type PromptCacheError = DomainError<PromptCacheErrorCode>;

/** Every code with what it means (docs/errors.md shows the same table). */
export const promptCacheErrors: Readonly<Record<PromptCacheErrorCode, string>> = {
  PROMPT_TTS_NOT_INSTALLED: 'The text-to-speech program (espeak-ng) is not installed or cannot be run.',
  PROMPT_VOICE_UNKNOWN: 'espeak-ng has no voice of that name.',
  PROMPT_TTS_FAILED: 'espeak-ng failed, timed out or produced no audio for the text.',
  PROMPT_TEXT_EMPTY: 'There is no text to speak.',
  PROMPT_AUDIO_INVALID: 'The audio espeak-ng produced is not a WAV file the media core reads.',
  PROMPT_CACHE_UNWRITABLE: 'The cache directory cannot be created or written.',
};

/** A prompt cache error value. */
export function promptCacheError(code: PromptCacheErrorCode, message: string): PromptCacheError {
  return { code, message };
}
