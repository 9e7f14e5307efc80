import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Language } from '@centralita/ivr';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { encodeWav, parseWavHeader, TELEPHONY_SAMPLE_RATE_HZ, wavToTelephonyPcm } from '@centralita/media';
import { synthesizeWithEspeakNg } from './espeak-ng.ts';
import type { PromptCacheError } from './errors.ts';
import { promptCacheError } from './errors.ts';

/** Text to speak in a language, optionally with a voice other than the language's default. */
export interface SpeechRequest {
  readonly language: Language;
  readonly text: string;
  /** An espeak-ng voice (`en-us`, `es+f3`); by default the cache's voice for the language. */
  readonly voice?: string | undefined;
}

/** A rendered prompt: 8 kHz mono 16-bit linear audio, in memory and as a WAV file in the cache. */
export interface CachedPrompt {
  /** The hash of (language, voice, text) the file is named by. */
  readonly key: string;
  /** The WAV file (8 kHz, mono, 16-bit PCM). */
  readonly file: string;
  readonly language: Language;
  readonly voice: string;
  readonly samples: Int16Array;
  readonly durationMs: number;
  /** True when the file was already in the cache (nothing was rendered for this request). */
  readonly isCacheHit: boolean;
}

/** Where the cache is and how it speaks. */
export interface PromptCacheOptions {
  /** The cache directory; created when needed. Files live in `<directory>/<language>/<key>.wav`. */
  readonly directory: string;
  /** The espeak-ng voice of each language (default: `es` and `en`). */
  readonly voices?: Partial<Record<Language, string>>;
  /** The synthesizer program (default `espeak-ng`, from the PATH). */
  readonly command?: string;
  /** How long one rendering may take (default 20 s). */
  readonly renderTimeoutMs?: number;
}

/** What the cache has done since it was created. */
export interface PromptCacheStatistics {
  /** Prompts rendered with espeak-ng. */
  readonly renders: number;
  /** Requests answered from a file already in the cache. */
  readonly hits: number;
  /** Requests that waited for a render another request had started. */
  readonly shared: number;
  readonly failures: number;
}

/** Changing how files are produced changes every key, so old files are never served for the new format. */
const cacheFormat = 'centralita-prompt/1 espeak-ng wav 8000 Hz mono s16le';

/** How many prompts the cache keeps in memory (the most recently used), so a hit costs one `stat`. */
const PROMPTS_IN_MEMORY = 256;

/** A prompt held in memory, with what its file looked like when it was read or written. */
interface KnownPrompt {
  readonly prompt: CachedPrompt;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Spaces do not change what is said: runs of white space count as one. */
function normalizedText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Text-to-speech prompts rendered once and kept on disk: espeak-ng speaks the text, domain/media
 * converts it to the engine's 8 kHz mono 16-bit format, and the WAV file is stored under a hash of
 * (language, voice, text). Later requests, from this process or another one using the same directory,
 * read the file; requests for a prompt that is being rendered wait for that render. Files are written
 * to a temporary name and renamed, so a reader never sees half a file. The most recently used prompts
 * stay in memory: a request for one of them only checks that its file has not changed (a `stat`), so
 * an IVR prompt played on every call is not read and parsed again each time.
 */
export class PromptCache {
  readonly directory: string;
  private readonly voices: Readonly<Record<Language, string>>;
  private readonly command: string;
  private readonly renderTimeoutMs: number;
  private readonly inFlight = new Map<string, Promise<Result<CachedPrompt, PromptCacheError>>>();
  /** Recently used prompts by key, least recently used first (a Map keeps insertion order). */
  private readonly known = new Map<string, KnownPrompt>();
  private counts = { renders: 0, hits: 0, shared: 0, failures: 0 };

  constructor(options: PromptCacheOptions) {
    this.directory = path.resolve(options.directory);
    this.voices = { es: options.voices?.es ?? 'es', en: options.voices?.en ?? 'en' };
    this.command = options.command ?? 'espeak-ng';
    this.renderTimeoutMs = options.renderTimeoutMs ?? 20_000;
  }

  /** The voice a request is spoken with. */
  voiceFor(request: SpeechRequest): string {
    return request.voice ?? this.voices[request.language];
  }

  /** The cache key of a request: a SHA-256 of the format, language, voice and text. */
  keyOf(request: SpeechRequest): string {
    return createHash('sha256')
      .update(
        JSON.stringify([cacheFormat, request.language, this.voiceFor(request), normalizedText(request.text)]),
      )
      .digest('hex');
  }

  /** The file a request is cached in (whether or not it exists yet). */
  fileOf(request: SpeechRequest): string {
    return path.join(this.directory, request.language, `${this.keyOf(request)}.wav`);
  }

  /** The prompt from the cache, rendered first if it is not there. */
  get(request: SpeechRequest): Promise<Result<CachedPrompt, PromptCacheError>> {
    if (normalizedText(request.text) === '') {
      this.counts.failures++;
      return Promise.resolve(err(promptCacheError('PROMPT_TEXT_EMPTY', 'there is no text to speak')));
    }
    const key = this.keyOf(request);
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.counts.shared++;
      return pending;
    }
    const work = this.load(request, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Counts of renders, cache hits, shared renders and failures. */
  statistics(): PromptCacheStatistics {
    return { ...this.counts };
  }

  private async load(request: SpeechRequest, key: string): Promise<Result<CachedPrompt, PromptCacheError>> {
    const file = path.join(this.directory, request.language, `${key}.wav`);
    const voice = this.voiceFor(request);
    const known = this.known.get(key);
    if (known !== undefined) {
      this.known.delete(key);
      const now = await fileVersion(file);
      if (now !== null && now.size === known.size && now.mtimeMs === known.mtimeMs) {
        this.known.set(key, known);
        this.counts.hits++;
        return ok(known.prompt);
      }
    }
    const cached = await readCachedFile(file);
    if (cached !== null) {
      this.counts.hits++;
      return ok(await this.remember(prompt(key, file, request.language, voice, cached, true)));
    }
    const result = await this.render(request, voice, file);
    if (!result.ok) {
      this.counts.failures++;
      return result;
    }
    this.counts.renders++;
    const rendered = await this.remember(prompt(key, file, request.language, voice, result.value, false));
    return ok(rendered);
  }

  /** Keeps a prompt in memory with its file's size and time (a file that cannot be checked is not kept). */
  private async remember(cached: CachedPrompt): Promise<CachedPrompt> {
    const version = await fileVersion(cached.file);
    if (version === null) return cached;
    this.known.set(cached.key, { prompt: { ...cached, isCacheHit: true }, ...version });
    if (this.known.size > PROMPTS_IN_MEMORY) {
      const oldest = this.known.keys().next();
      if (oldest.done !== true) this.known.delete(oldest.value);
    }
    return cached;
  }

  private async render(
    request: SpeechRequest,
    voice: string,
    file: string,
  ): Promise<Result<Int16Array, PromptCacheError>> {
    const spoken = await synthesizeWithEspeakNg({
      text: normalizedText(request.text),
      voice,
      command: this.command,
      timeoutMs: this.renderTimeoutMs,
    });
    if (!spoken.ok) return spoken;
    const converted = wavToTelephonyPcm(spoken.value);
    if (!converted.ok) {
      return err(
        promptCacheError(
          'PROMPT_AUDIO_INVALID',
          `espeak-ng's output is unreadable: ${converted.error.message}`,
        ),
      );
    }
    const samples = converted.value.samples;
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temporary, encodeWav({ channels: 1, sampleRateHz: TELEPHONY_SAMPLE_RATE_HZ }, samples));
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      return err(
        promptCacheError(
          'PROMPT_CACHE_UNWRITABLE',
          `cannot write the prompt cache in ${this.directory}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    return ok(samples);
  }
}

function prompt(
  key: string,
  file: string,
  language: Language,
  voice: string,
  samples: Int16Array,
  isCacheHit: boolean,
): CachedPrompt {
  const durationMs = Math.round((samples.length * 1000) / TELEPHONY_SAMPLE_RATE_HZ);
  return { key, file, language, voice, samples, durationMs, isCacheHit };
}

/** A file's size and modification time, or null when it cannot be read. */
async function fileVersion(file: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const info = await stat(file);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return null;
  }
}

/**
 * The samples of a cached file, or null when there is none or it is not what the cache writes (a
 * damaged file is rendered again and replaced).
 */
async function readCachedFile(file: string): Promise<Int16Array | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }
  const header = parseWavHeader(bytes);
  if (
    !header.ok ||
    !header.value.isComplete ||
    header.value.format !== 'pcm' ||
    header.value.bitsPerSample !== 16 ||
    header.value.channels !== 1 ||
    header.value.sampleRateHz !== TELEPHONY_SAMPLE_RATE_HZ
  ) {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.value.dataOffset, header.value.dataBytes);
  const samples = new Int16Array(header.value.frames);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
  return samples;
}
