import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWavHeader } from '@centralita/media';
import type { CachedPrompt } from './prompt-cache.ts';
import { PromptCache } from './prompt-cache.ts';

async function freshDirectory(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'centralita-prompts-'));
}

/** Share of 20 ms frames louder than -40 dBFS: speech has many, silence or noise has none. */
function voicedShare(samples: Int16Array): number {
  const frame = 160;
  let voiced = 0;
  let frames = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let energy = 0;
    for (let i = start; i < start + frame; i++) energy += (samples[i] ?? 0) ** 2;
    if (Math.sqrt(energy / frame) > 328) voiced++;
    frames++;
  }
  return frames === 0 ? 0 : voiced / frames;
}

function rendered(result: Awaited<ReturnType<PromptCache['get']>>): CachedPrompt {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

beforeAll(() => {
  try {
    execFileSync('espeak-ng', ['--version']);
  } catch {
    throw new Error(
      'espeak-ng is not installed: these tests need it (Debian/Ubuntu: apt-get install espeak-ng)',
    );
  }
});

describe('the prompt cache', () => {
  it('renders Spanish and English prompts as 8 kHz mono 16-bit WAV files with speech in them', async () => {
    const cache = new PromptCache({ directory: await freshDirectory() });
    for (const [language, text] of [
      ['es', 'Para soporte técnico, pulse 2.'],
      ['en', 'For technical support, press 2.'],
    ] as const) {
      const prompt = rendered(await cache.get({ language, text }));
      expect(prompt).toMatchObject({ language, voice: language, isCacheHit: false });
      expect(prompt.file).toBe(path.join(cache.directory, language, `${prompt.key}.wav`));
      const header = parseWavHeader(await readFile(prompt.file));
      expect(header.ok && header.value).toMatchObject({
        format: 'pcm',
        channels: 1,
        sampleRateHz: 8000,
        bitsPerSample: 16,
        frames: prompt.samples.length,
        isComplete: true,
      });
      expect(prompt.durationMs).toBeGreaterThan(1000);
      expect(prompt.durationMs).toBeLessThan(5000);
      expect(voicedShare(prompt.samples), `${language} speech energy`).toBeGreaterThan(0.3);
    }
  });

  it('answers the second request from the cache, in this process or another one', async () => {
    const directory = await freshDirectory();
    const cache = new PromptCache({ directory });
    const request = { language: 'es', text: 'Bienvenido a Centralita.' } as const;
    const first = rendered(await cache.get(request));
    const second = rendered(await cache.get({ ...request, text: '  Bienvenido a   Centralita. ' }));
    expect(second).toMatchObject({ isCacheHit: true, key: first.key, file: first.file });
    expect(second.samples).toEqual(first.samples);
    const restarted = new PromptCache({ directory });
    expect(rendered(await restarted.get(request)).isCacheHit).toBe(true);
    expect(cache.statistics()).toEqual({ renders: 1, hits: 1, shared: 0, failures: 0 });
  });

  it('keys files by language, voice and text', async () => {
    const cache = new PromptCache({ directory: await freshDirectory(), voices: { en: 'en-us' } });
    const keys = new Set([
      cache.keyOf({ language: 'es', text: 'Hola' }),
      cache.keyOf({ language: 'en', text: 'Hola' }),
      cache.keyOf({ language: 'es', text: 'Hola', voice: 'es+f3' }),
      cache.keyOf({ language: 'es', text: 'Hola.' }),
    ]);
    expect(keys.size).toBe(4);
    expect(cache.voiceFor({ language: 'en', text: 'Hi' })).toBe('en-us');
    expect(cache.keyOf({ language: 'en', text: 'Hi' })).toBe(
      cache.keyOf({ language: 'en', text: 'Hi', voice: 'en-us' }),
    );
  });

  it('renders a prompt once when several requests for it arrive together', async () => {
    const cache = new PromptCache({ directory: await freshDirectory() });
    const request = { language: 'en', text: 'All our agents are busy.' } as const;
    const results = (await Promise.all([cache.get(request), cache.get(request), cache.get(request)])).map(
      rendered,
    );
    expect(new Set(results.map((r) => r.file)).size).toBe(1);
    expect(cache.statistics()).toEqual({ renders: 1, hits: 0, shared: 2, failures: 0 });
    const files = await readdir(path.join(cache.directory, 'en'));
    expect(files).toEqual([`${results[0]?.key ?? ''}.wav`]);
  });

  it('serves a recently used prompt from memory, and reads its file again once the file changed', async () => {
    const cache = new PromptCache({ directory: await freshDirectory() });
    const welcome = rendered(await cache.get({ language: 'es', text: 'Bienvenido.' }));
    const goodbye = rendered(await cache.get({ language: 'es', text: 'Hasta luego, gracias por llamar.' }));
    // A file time in whole seconds, which utimes can set again exactly; the cache reads the file once more.
    const time = 1_700_000_000;
    await utimes(welcome.file, time, time);
    expect(rendered(await cache.get({ language: 'es', text: 'Bienvenido.' })).samples).toEqual(
      welcome.samples,
    );
    // Same size and time, other bytes: only the memory copy can still give the prompt.
    const { size } = await stat(welcome.file);
    await writeFile(welcome.file, Buffer.alloc(size, 0x55));
    await utimes(welcome.file, time, time);
    const remembered = rendered(await cache.get({ language: 'es', text: 'Bienvenido.' }));
    expect(remembered.isCacheHit).toBe(true);
    expect(remembered.samples).toEqual(welcome.samples);
    // Another prompt's file in its place (another size and time): read from disk again.
    await copyFile(goodbye.file, welcome.file);
    const replaced = rendered(await cache.get({ language: 'es', text: 'Bienvenido.' }));
    expect(replaced.samples).toEqual(goodbye.samples);
    expect(cache.statistics()).toEqual({ renders: 2, hits: 3, shared: 0, failures: 0 });
  });

  it('renders a damaged cache file again', async () => {
    const cache = new PromptCache({ directory: await freshDirectory() });
    const request = { language: 'es', text: 'Gracias por llamar.' } as const;
    const first = rendered(await cache.get(request));
    await writeFile(first.file, 'not a wav file');
    const again = rendered(await cache.get(request));
    expect(again.isCacheHit).toBe(false);
    expect(again.samples).toEqual(first.samples);
  });

  it('reports failures as values that say what to install or change, and caches nothing', async () => {
    const directory = await freshDirectory();
    const missing = await new PromptCache({ directory, command: 'espeak-ng-not-installed' }).get({
      language: 'es',
      text: 'Hola',
    });
    expect(!missing.ok && missing.error.code).toBe('PROMPT_TTS_NOT_INSTALLED');
    expect(!missing.ok && missing.error.message).toMatch(/apt-get install espeak-ng/);
    const cache = new PromptCache({ directory, voices: { es: 'xx-nope' } });
    const badVoice = await cache.get({ language: 'es', text: 'Hola' });
    expect(!badVoice.ok && badVoice.error.code).toBe('PROMPT_VOICE_UNKNOWN');
    expect(!badVoice.ok && badVoice.error.message).toMatch(/no voice 'xx-nope'.*espeak-ng --voices/);
    const empty = await cache.get({ language: 'es', text: '   ' });
    expect(!empty.ok && empty.error.code).toBe('PROMPT_TEXT_EMPTY');
    expect(cache.statistics()).toMatchObject({ renders: 0, failures: 2 });
    expect(await readdir(directory)).toEqual([]);
  });
});
