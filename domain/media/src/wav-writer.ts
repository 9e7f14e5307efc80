import { TELEPHONY_SAMPLE_RATE_HZ } from './signal-level.ts';

/** The RIFF and data sizes of a file still being written (see `WavRecordingWriter`). */
const UNKNOWN_SIZE = 0xffffffff;
/** Header length of a canonical 16-bit PCM WAV file; the data starts here. */
export const WAV_HEADER_BYTES = 44;
const RIFF_SIZE_OFFSET = 4;
const DATA_SIZE_OFFSET = 40;

/** Layout of a recording: 16-bit linear PCM, mono or stereo (customer left, agent right). */
export interface WavRecordingFormat {
  readonly channels: 1 | 2;
  readonly sampleRateHz?: number;
}

/** Bytes to write at an absolute offset of the file (the adapter does the pwrite). */
export interface FilePatch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

function u32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  writeU32(bytes, 0, value);
  return bytes;
}

/**
 * A canonical 44-byte header for 16-bit PCM. With `dataBytes` undefined both sizes are written as
 * 0xFFFFFFFF, the conventional "length unknown, read to the end" value for streamed WAV.
 */
export function wavHeader(format: WavRecordingFormat, dataBytes?: number): Uint8Array {
  const rate = format.sampleRateHz ?? TELEPHONY_SAMPLE_RATE_HZ;
  const blockAlign = format.channels * 2;
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  writeU32(header, RIFF_SIZE_OFFSET, dataBytes === undefined ? UNKNOWN_SIZE : 36 + dataBytes);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  writeU32(header, 16, 16);
  header[20] = 1; // PCM
  header[22] = format.channels;
  writeU32(header, 24, rate);
  writeU32(header, 28, rate * blockAlign);
  header[32] = blockAlign;
  header[34] = 16;
  ascii(36, 'data');
  writeU32(header, DATA_SIZE_OFFSET, dataBytes === undefined ? UNKNOWN_SIZE : dataBytes);
  return header;
}

/** True on little-endian hosts (every platform Node.js ships for today), where WAV bytes are a plain copy. */
const IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The end of a recording: the last bytes to append, then the patches that finalise the header. */
export interface WavRecordingEnd {
  readonly bytes: Uint8Array;
  readonly patches: readonly FilePatch[];
}

/**
 * Writes a recording incrementally. Frames go in every tick (`append`, a memory copy); about once
 * a second a chunk of bytes comes out for the adapter to append to the file, and with it a header
 * patch. Crash safety, in three layers:
 * 1. `start()` writes both sizes as 0xFFFFFFFF, so from the first byte the file is a valid
 *    "streamed" WAV that readers play to the end of the file.
 * 2. Each chunk comes with `checkpoint()` patches setting the data size to the bytes handed out
 *    so far, for strict players that ignore 0xFFFFFFFF. The RIFF size stays 0xFFFFFFFF: that is
 *    the mark of a recording that was never finalised.
 * 3. `finish()` gives the last bytes and the patches for both sizes. Our reader
 *    (`parseWavHeader`) treats RIFF 0xFFFFFFFF as incomplete and reads the data to the end of the
 *    file, so a crash loses only the chunk not yet written (at most `chunkMs`), and the recording
 *    is flagged incomplete yet plays.
 */
export class WavRecordingWriter {
  private readonly format: WavRecordingFormat;
  private readonly chunkSamples: number;
  /** Samples that complete the chunk being filled: `chunkSamples`, except the first chunk when staggered. */
  private limitSamples: number;
  private chunk: Int16Array;
  /** A written chunk handed back (`recycle`), to fill next instead of allocating one. */
  private spare: Int16Array | undefined;
  private filled = 0;
  /** Audio bytes handed out so far (after the header). */
  private flushedBytes = 0;

  /**
   * `firstChunkMs` (at most `chunkMs`) makes the first chunk shorter, so recordings started together
   * (a burst of answered calls) do not all write in the same 20 ms tick every second afterwards.
   */
  constructor(format: WavRecordingFormat, chunkMs = 1000, firstChunkMs = chunkMs) {
    this.format = format;
    const rate = format.sampleRateHz ?? TELEPHONY_SAMPLE_RATE_HZ;
    this.chunkSamples = Math.max(1, Math.round((chunkMs * rate) / 1000)) * format.channels;
    this.chunk = new Int16Array(this.chunkSamples);
    const firstSamples = Math.round((Math.min(firstChunkMs, chunkMs) * rate) / 1000) * format.channels;
    this.limitSamples = Math.max(format.channels, Math.min(this.chunkSamples, firstSamples));
  }

  /** The header to write first. */
  start(): Uint8Array {
    return wavHeader(this.format);
  }

  /**
   * Takes `count` samples (interleaved for stereo). Returns a chunk to append to the file when
   * one is full, otherwise undefined. A returned chunk is never reused by the writer until it is
   * handed back with `recycle`, so it can be written asynchronously.
   */
  append(samples: Int16Array, count: number = samples.length): Uint8Array | undefined {
    let remaining = Math.min(count, samples.length);
    let from = 0;
    let ready: Uint8Array | undefined;
    while (remaining > 0) {
      const n = Math.min(remaining, this.limitSamples - this.filled);
      // A whole frame (the usual call) is copied without a view object.
      if (from === 0 && n === samples.length) this.chunk.set(samples, this.filled);
      else this.chunk.set(samples.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      remaining -= n;
      if (this.filled === this.limitSamples) ready = concat(ready, this.takeChunk());
    }
    return ready;
  }

  /** Hands out whatever is buffered (for example before a pause or on shutdown). */
  flush(): Uint8Array {
    return this.takeChunk();
  }

  private takeChunk(): Uint8Array {
    if (this.filled === 0) return new Uint8Array(0);
    const samples = this.chunk.subarray(0, this.filled);
    let bytes: Uint8Array;
    if (IS_LITTLE_ENDIAN) {
      bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.length * 2);
      this.chunk = this.spare ?? new Int16Array(this.chunkSamples);
      this.spare = undefined;
    } else {
      bytes = new Uint8Array(samples.length * 2);
      for (let i = 0; i < samples.length; i++) {
        const v = samples[i] ?? 0;
        bytes[2 * i] = v & 0xff;
        bytes[2 * i + 1] = (v >> 8) & 0xff;
      }
    }
    this.flushedBytes += bytes.length;
    this.filled = 0;
    this.limitSamples = this.chunkSamples;
    return bytes;
  }

  /**
   * Hands back a chunk from `append` once it is on disk, so the next chunk reuses its memory: a
   * recording then allocates no new chunk a second (the media thread's collector has less to do).
   * Anything else (a chunk joined from two, the final bytes) is ignored.
   */
  recycle(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    if (!IS_LITTLE_ENDIAN || bytes.byteOffset !== 0 || buffer.byteLength !== this.chunkSamples * 2) return;
    if (buffer === this.chunk.buffer) return;
    this.spare = new Int16Array(buffer, 0, this.chunkSamples);
  }

  /** Audio bytes handed out so far. */
  get dataBytes(): number {
    return this.flushedBytes;
  }

  /**
   * The patch that records the data handed out so far without marking the file complete; apply
   * it once the chunks it counts are written.
   */
  checkpoint(): readonly FilePatch[] {
    return [{ offset: DATA_SIZE_OFFSET, bytes: u32Bytes(this.flushedBytes) }];
  }

  /** The last bytes to append and the patches that make the header exact. */
  finish(): WavRecordingEnd {
    const bytes = this.takeChunk();
    return {
      bytes,
      patches: [
        { offset: RIFF_SIZE_OFFSET, bytes: u32Bytes(36 + this.flushedBytes) },
        { offset: DATA_SIZE_OFFSET, bytes: u32Bytes(this.flushedBytes) },
      ],
    };
  }

  /** Duration of the audio taken so far (written or buffered), in ms. */
  get durationMs(): number {
    const rate = this.format.sampleRateHz ?? TELEPHONY_SAMPLE_RATE_HZ;
    return ((this.flushedBytes / 2 + this.filled) / this.format.channels / rate) * 1000;
  }
}

function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (a === undefined) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Applies patches to an in-memory copy of a file (for tests and tools that build files in memory). */
export function applyFilePatches(file: Uint8Array, patches: readonly FilePatch[]): void {
  for (const patch of patches) file.set(patch.bytes, patch.offset);
}

/** A complete, finalised WAV file for 16-bit samples (interleaved for stereo), built in memory. */
export function encodeWav(format: WavRecordingFormat, samples: Int16Array): Uint8Array {
  const writer = new WavRecordingWriter(format);
  const header = writer.start();
  const first = writer.append(samples) ?? new Uint8Array(0);
  const end = writer.finish();
  const file = new Uint8Array(header.length + first.length + end.bytes.length);
  file.set(header);
  file.set(first, header.length);
  file.set(end.bytes, header.length + first.length);
  applyFilePatches(file, end.patches);
  return file;
}
