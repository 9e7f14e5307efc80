import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FilePatch, WavRecordingFormat } from '@centralita/media';
import { WAV_HEADER_BYTES, WavRecordingWriter } from '@centralita/media';
import type { FileWriteBatcher, FileWriteOwner } from './file-write-batcher.ts';

/**
 * One WAV file being recorded, written incrementally and crash-safely: `WavRecordingWriter` decides
 * the bytes (a streamed header first, a chunk and a data-size patch about once a second, the final
 * sizes at the end); this class only puts them on disk, in order, through the worker's
 * `FileWriteBatcher` (the libuv thread pool, one job per tick for all recordings) so the media thread
 * never waits for the disk. A crash loses at most the chunk still in memory.
 */
export class RecordingFile implements FileWriteOwner {
  readonly path: string;
  private readonly writer: WavRecordingWriter;
  private readonly writes: FileWriteBatcher;
  /** Owns the descriptor (Node closes it if the worker dies); the batched writes use its `fd`. */
  private handle: FileHandle | undefined;
  private fd = -1;
  private position = WAV_HEADER_BYTES;
  /** Writes queued and not yet done: the file is closed only once none is left. */
  private pendingWrites = 0;
  private onDrained: (() => void) | undefined;
  /** The first write error, if any: the recording stops and is reported incomplete. */
  failure: string | undefined;

  private constructor(
    path: string,
    format: WavRecordingFormat,
    chunkMs: number,
    firstChunkMs: number,
    writes: FileWriteBatcher,
  ) {
    this.path = path;
    this.writer = new WavRecordingWriter(format, chunkMs, firstChunkMs);
    this.writes = writes;
  }

  /** Creates the file (and its directory) and writes the streamed header. */
  static async create(
    path: string,
    format: WavRecordingFormat,
    writes: FileWriteBatcher,
    chunkMs: number,
    firstChunkMs = chunkMs,
  ): Promise<RecordingFile> {
    const file = new RecordingFile(path, format, chunkMs, firstChunkMs, writes);
    const handle = await openCreatingDirectory(path);
    file.handle = handle;
    file.fd = handle.fd;
    const header = file.writer.start();
    try {
      await handle.write(header, 0, header.length, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return file;
  }

  /** Takes one frame of samples (interleaved for stereo); a full chunk is queued for the disk. */
  append(samples: Int16Array): void {
    const chunk = this.writer.append(samples);
    if (chunk !== undefined && chunk.length > 0) this.enqueue(chunk, this.writer.checkpoint());
  }

  /** Duration of the audio taken so far. */
  get durationMs(): number {
    return this.writer.durationMs;
  }

  /** The chunk, then its patches: the batcher keeps that order, so a patch never counts bytes not yet written. */
  private enqueue(bytes: Uint8Array, patches: readonly FilePatch[]): void {
    const position = this.position;
    this.position += bytes.length;
    if (this.handle === undefined || this.failure !== undefined) return;
    if (bytes.length > 0) {
      this.pendingWrites++;
      this.writes.write(this, this.fd, bytes, position);
    }
    for (const patch of patches) {
      this.pendingWrites++;
      this.writes.write(this, this.fd, patch.bytes, patch.offset);
    }
  }

  /** One queued write is over (the batcher calls this on the media thread). */
  written(bytes: Uint8Array, error: string | undefined): void {
    this.pendingWrites--;
    if (error === undefined) this.writer.recycle(bytes);
    else this.failure ??= error;
    if (this.pendingWrites === 0) this.onDrained?.();
  }

  /** Writes what is left and the final header sizes, then closes the file. */
  async finish(): Promise<void> {
    const end = this.writer.finish();
    this.enqueue(end.bytes, end.patches);
    if (this.pendingWrites > 0) {
      await new Promise<void>((resolve) => {
        this.onDrained = resolve;
        this.writes.submit();
      });
    }
    this.onDrained = undefined;
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

/**
 * Opens `path` for writing, creating its directory only when it is missing: recordings share their
 * directories, so most find it there, and a `mkdir` would be one more trip to the thread pool per call.
 */
async function openCreatingDirectory(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    return await open(path, 'w');
  }
}
