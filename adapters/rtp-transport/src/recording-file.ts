import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FilePatch, WavRecordingFormat } from '@centralita/media';
import { WAV_HEADER_BYTES, WavRecordingWriter } from '@centralita/media';

/**
 * One WAV file being recorded, written incrementally and crash-safely: `WavRecordingWriter` decides
 * the bytes (a streamed header first, a chunk and a data-size patch about once a second, the final
 * sizes at the end); this class only puts them on disk, in order, from the libuv thread pool so the
 * media thread never waits for the disk. A crash loses at most the chunk still in memory.
 */
export class RecordingFile {
  readonly path: string;
  private readonly writer: WavRecordingWriter;
  private handle: FileHandle | undefined;
  /** Writes are chained: each starts when the previous one finished, so patches follow their chunks. */
  private queue: Promise<void> = Promise.resolve();
  private position = WAV_HEADER_BYTES;
  /** The first write error, if any: the recording stops and is reported incomplete. */
  failure: string | undefined;

  private constructor(path: string, format: WavRecordingFormat, chunkMs: number, firstChunkMs: number) {
    this.path = path;
    this.writer = new WavRecordingWriter(format, chunkMs, firstChunkMs);
  }

  /** Creates the file (and its directory) and writes the streamed header. */
  static async create(
    path: string,
    format: WavRecordingFormat,
    chunkMs: number,
    firstChunkMs = chunkMs,
  ): Promise<RecordingFile> {
    const file = new RecordingFile(path, format, chunkMs, firstChunkMs);
    await mkdir(dirname(path), { recursive: true });
    file.handle = await open(path, 'w');
    const header = file.writer.start();
    await file.handle.write(header, 0, header.length, 0);
    return file;
  }

  /** Takes one frame of samples (interleaved for stereo); a full chunk goes to disk. */
  append(samples: Int16Array): void {
    const chunk = this.writer.append(samples);
    if (chunk !== undefined && chunk.length > 0) this.enqueue(chunk, this.writer.checkpoint());
  }

  /** Duration of the audio taken so far. */
  get durationMs(): number {
    return this.writer.durationMs;
  }

  private enqueue(bytes: Uint8Array, patches: readonly FilePatch[]): void {
    const position = this.position;
    this.position += bytes.length;
    this.queue = this.queue.then(async () => {
      const handle = this.handle;
      if (handle === undefined || this.failure !== undefined) return;
      try {
        if (bytes.length > 0) await handle.write(bytes, 0, bytes.length, position);
        for (const patch of patches) await handle.write(patch.bytes, 0, patch.bytes.length, patch.offset);
        this.writer.recycle(bytes);
      } catch (error) {
        this.failure = error instanceof Error ? error.message : String(error);
      }
    });
  }

  /** Writes what is left and the final header sizes, then closes the file. */
  async finish(): Promise<void> {
    const end = this.writer.finish();
    this.enqueue(end.bytes, end.patches);
    await this.queue;
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    try {
      await handle.close();
    } catch (error) {
      this.failure ??= error instanceof Error ? error.message : String(error);
    }
  }
}
