import { languages, nodePrompts, templateVariables } from '@centralita/ivr';
import type { Flow, Prompt } from '@centralita/ivr';
import type { PromptCacheError } from './errors.ts';
import type { PromptCache, SpeechRequest } from './prompt-cache.ts';

/** The prompts a flow can play, sorted by what the cache can do with them. */
export interface FlowSpeechInventory {
  /** Texts to speak that are known in advance, each once. */
  readonly speech: readonly SpeechRequest[];
  /** Texts with placeholders (`{{ticketNumber|digits}}`): known only during a call, rendered on first use. */
  readonly dynamic: readonly SpeechRequest[];
  /** Recorded files the prompts play (each once): nothing to render. */
  readonly recordedCount: number;
}

/** What pre-rendering did. */
export interface PrerenderReport {
  /** Prompts rendered now. */
  readonly rendered: number;
  /** Prompts that were already in the cache. */
  readonly cached: number;
  /** Prompts with placeholders, left for the first call that needs them. */
  readonly dynamic: number;
  readonly recorded: number;
  readonly failures: readonly { readonly request: SpeechRequest; readonly error: PromptCacheError }[];
}

/**
 * Every text-to-speech prompt of the flows (every language a prompt has, not only the declared ones:
 * the interpreter falls back to any variant), plus extra prompts such as the tenant's fallback message.
 */
export function flowSpeech(
  flows: readonly Flow[],
  extraPrompts: readonly Prompt[] = [],
): FlowSpeechInventory {
  const prompts = [
    ...flows.flatMap((flow) =>
      Object.values(flow.nodes).flatMap((node) => nodePrompts(node).map((found) => found.prompt)),
    ),
    ...extraPrompts,
  ];
  const speech = new Map<string, SpeechRequest>();
  const dynamic = new Map<string, SpeechRequest>();
  const recorded = new Set<string>();
  for (const prompt of prompts) {
    for (const language of languages) {
      const variant = prompt[language];
      if (variant === undefined) continue;
      if (variant.file !== undefined) {
        recorded.add(variant.file);
      } else if (variant.text !== undefined) {
        const target = templateVariables(variant.text).length > 0 ? dynamic : speech;
        target.set(JSON.stringify([language, variant.text]), { language, text: variant.text });
      }
    }
  }
  return { speech: [...speech.values()], dynamic: [...dynamic.values()], recordedCount: recorded.size };
}

/**
 * Renders every known-in-advance prompt of the flows into the cache, `concurrency` at a time (default
 * 2: espeak-ng is single-threaded), so that the first caller does not wait for text-to-speech.
 * Failures are reported, not thrown: a missing synthesizer fails every prompt with the same message.
 */
export async function prerenderFlowPrompts(
  cache: PromptCache,
  flows: readonly Flow[],
  options: { readonly extraPrompts?: readonly Prompt[]; readonly concurrency?: number } = {},
): Promise<PrerenderReport> {
  const inventory = flowSpeech(flows, options.extraPrompts);
  const failures: { request: SpeechRequest; error: PromptCacheError }[] = [];
  let rendered = 0;
  let cached = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let request = inventory.speech[next++]; request !== undefined; request = inventory.speech[next++]) {
      const result = await cache.get(request);
      if (!result.ok) failures.push({ request, error: result.error });
      else if (result.value.isCacheHit) cached++;
      else rendered++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return {
    rendered,
    cached,
    dynamic: inventory.dynamic.length,
    recorded: inventory.recordedCount,
    failures,
  };
}
