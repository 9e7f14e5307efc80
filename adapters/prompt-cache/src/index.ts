export { PromptCache } from './prompt-cache.ts';
export type {
  CachedPrompt,
  PromptCacheOptions,
  PromptCacheStatistics,
  SpeechRequest,
} from './prompt-cache.ts';
export { flowSpeech, prerenderFlowPrompts } from './flow-prompts.ts';
export type { FlowSpeechInventory, PrerenderReport } from './flow-prompts.ts';
export { synthesizeWithEspeakNg } from './espeak-ng.ts';
export type { SpeechSynthesis } from './espeak-ng.ts';
export { promptCacheErrors, promptCacheError } from './errors.ts';
export type { PromptCacheError, PromptCacheErrorCode } from './errors.ts';
