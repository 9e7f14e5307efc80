import { write } from 'node:fs';
import { constants } from 'node:os';
import { getSystemErrorMessage, getSystemErrorName } from 'node:util';

/**
 * Performs `count` positional writes in order, off the calling thread: entry i writes all of
 * `buffers[i]` at `positions[i]` of descriptor `fds[i]`. When every write is done, `results[i]` holds 0
 * or -errno and `onDone` runs once. A write after a failed one on the same descriptor is skipped
 * (-ECANCELED). The caller leaves the buffers and `results` alone until then.
 */
export type WriteFiles = (
  fds: Int32Array,
  positions: Float64Array,
  buffers: readonly Uint8Array[],
  results: Int32Array,
  count: number,
  onDone: () => void,
) => void;

const ECANCELED = constants.errno.ECANCELED;
const EIO = constants.errno.EIO;
const EBADF = constants.errno.EBADF;

/**
 * `WriteFiles` without the native addon: Node's callback `fs.write`, one after the other (one hop to
 * the thread pool per write, where the addon's `writeFiles` makes one per batch).
 */
export const writeFilesWithNodeFs: WriteFiles = (fds, positions, buffers, results, count, onDone) => {
  let index = 0;
  const next = (): void => {
    while (index < count) {
      const fd = fds[index] ?? -1;
      if (!isAfterFailure(fds, results, index, fd)) break;
      results[index++] = -ECANCELED;
    }
    if (index >= count) {
      onDone();
      return;
    }
    const bytes = buffers[index] ?? new Uint8Array(0);
    writeFully(fds[index] ?? -1, bytes, 0, positions[index] ?? 0, (code) => {
      results[index++] = code;
      next();
    });
  };
  next();
};

function isAfterFailure(fds: Int32Array, results: Int32Array, index: number, fd: number): boolean {
  for (let j = 0; j < index; j++) if ((results[j] ?? 0) < 0 && fds[j] === fd) return true;
  return false;
}

/** One write to the end (a regular file may take fewer bytes than asked); gives 0 or -errno. */
function writeFully(
  fd: number,
  bytes: Uint8Array,
  from: number,
  position: number,
  done: (code: number) => void,
): void {
  if (from >= bytes.length) {
    done(0);
    return;
  }
  try {
    write(fd, bytes, from, bytes.length - from, position, (error, written) => {
      if (error !== null) done(error.errno ?? -EIO);
      else if (written === 0) done(-EIO);
      else writeFully(fd, bytes, from + written, position + written, done);
    });
  } catch {
    // Node refuses a descriptor that cannot be one (negative) before any I/O.
    done(-EBADF);
  }
}

/** Text for a -errno result: `EBADF: bad file descriptor`. */
export function writeErrorText(code: number): string {
  return `${getSystemErrorName(code)}: ${getSystemErrorMessage(code)}`;
}

/** Whoever queued a write: told once it is on disk, or why not. */
export interface FileWriteOwner {
  written(bytes: Uint8Array, error: string | undefined): void;
}

interface QueuedWrite {
  readonly owner: FileWriteOwner;
  readonly fd: number;
  readonly bytes: Uint8Array;
  readonly position: number;
}

/**
 * A media worker's file writes (the recordings'), gathered and sent to the thread pool as one job:
 * what comes due in a tick (about 4 chunks and their header patches a tick at 200 recordings) costs
 * one hop to the pool and back instead of two per recording a second. One job at a time: writes queued
 * while one runs go in the next, so a file's writes reach the disk in the order they were queued and
 * none waits on the media thread. Bytes stay untouched until their owner hears they are written.
 */
export class FileWriteBatcher {
  private readonly writeFiles: WriteFiles;
  private queued: QueuedWrite[] = [];
  private inFlight: QueuedWrite[] = [];
  private isWriting = false;
  private fds = new Int32Array(16);
  private positions = new Float64Array(16);
  private results = new Int32Array(16);
  private readonly buffers: Uint8Array[] = [];
  private readonly onDone = (): void => {
    this.done();
  };
  /** Jobs sent to the thread pool (each a batch of writes). */
  batches = 0;

  constructor(writeFiles: WriteFiles) {
    this.writeFiles = writeFiles;
  }

  /** Queues `bytes` for `position` of `fd`; `owner.written` is called once they are on disk or failed. */
  write(owner: FileWriteOwner, fd: number, bytes: Uint8Array, position: number): void {
    this.queued.push({ owner, fd, bytes, position });
  }

  /** Sends the queued writes as one job now, or as soon as the job in flight is over. */
  submit(): void {
    if (this.isWriting || this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = this.inFlight;
    this.inFlight = batch;
    const count = batch.length;
    if (this.fds.length < count) {
      const size = Math.max(count, this.fds.length * 2);
      this.fds = new Int32Array(size);
      this.positions = new Float64Array(size);
      this.results = new Int32Array(size);
    }
    for (let i = 0; i < count; i++) {
      const entry = batch[i] as QueuedWrite;
      this.fds[i] = entry.fd;
      this.positions[i] = entry.position;
      this.buffers[i] = entry.bytes;
    }
    this.buffers.length = count;
    this.isWriting = true;
    this.batches++;
    try {
      this.writeFiles(this.fds, this.positions, this.buffers, this.results, count, this.onDone);
    } catch (error) {
      // The job was not queued (bad arguments): nothing was written.
      this.results.fill(-EIO, 0, count);
      this.done(error instanceof Error ? error.message : String(error));
    }
  }

  private done(failure?: string): void {
    const batch = this.inFlight;
    const results = this.results;
    this.isWriting = false;
    this.buffers.length = 0;
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i] as QueuedWrite;
      const code = results[i] ?? -EIO;
      entry.owner.written(entry.bytes, code === 0 ? undefined : (failure ?? writeErrorText(code)));
    }
    batch.length = 0;
    this.submit();
  }
}
