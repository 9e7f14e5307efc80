import { readFile } from 'node:fs/promises';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { wavToTelephonyPcm } from '@centralita/media';
import type { MediaEngineError } from './errors.ts';
import { mediaEngineError } from './errors.ts';

/**
 * Prompts and music on hold, converted once to 8 kHz mono 16-bit and kept in memory for the
 * engine's life. The samples live in a SharedArrayBuffer: posting them to a worker shares the
 * memory instead of copying it, so every worker and every call plays from the same copy.
 * Concurrent requests for one file share one conversion. Files are keyed by path: a changed prompt
 * needs a new path (the prompt cache writes versioned names) or `forget`.
 */
export class PromptLibrary {
  private readonly prompts = new Map<string, Promise<Result<Int16Array, MediaEngineError>>>();

  /** The prompt's samples, converting the file on first use. */
  load(path: string): Promise<Result<Int16Array, MediaEngineError>> {
    let prompt = this.prompts.get(path);
    if (prompt === undefined) {
      prompt = PromptLibrary.convert(path);
      this.prompts.set(path, prompt);
      // A failure is not cached: the file may appear later.
      void prompt.then((result) => {
        if (!result.ok) this.prompts.delete(path);
      });
    }
    return prompt;
  }

  /** Drops a prompt from memory (the next play converts the file again). */
  forget(path: string): void {
    this.prompts.delete(path);
  }

  private static async convert(path: string): Promise<Result<Int16Array, MediaEngineError>> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return err(
        mediaEngineError('MEDIA_ENGINE_PROMPT_UNREADABLE', `cannot read ${path}: ${reason}`, 'path'),
      );
    }
    const pcm = wavToTelephonyPcm(bytes);
    if (!pcm.ok) return pcm;
    const shared = new Int16Array(new SharedArrayBuffer(pcm.value.samples.byteLength));
    shared.set(pcm.value.samples);
    return ok(shared);
  }
}
