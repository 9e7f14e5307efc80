import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { WriteFiles } from './file-write-batcher.ts';
import type { DatagramHandler, MediaSocket, MediaSocketFactory } from './media-socket.ts';
import { unixNowMs } from './media-socket.ts';

/**
 * The native datagram path (ADR 0009): `native/media_io.c`, a Node-API addon compiled on this machine
 * with its C compiler and Node's own headers (nothing is downloaded). It reads every ready media
 * socket of a thread with `recvmmsg` and calls into JavaScript once per wake-up with the whole batch,
 * instead of once per datagram with a fresh `Buffer` and `rinfo` as `dgram` does; sends are one
 * `sendto` each, without dgram's send request objects. It also writes the recordings' files, a media
 * tick's writes in one thread-pool job (`writeFiles`, used by `FileWriteBatcher`).
 */

const nativeDirectory = fileURLToPath(new URL('../native/', import.meta.url));
const sourcePath = join(nativeDirectory, 'media_io.c');
const buildDirectory = join(nativeDirectory, 'build');
const COMPILER_FLAGS = ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror'];

/** What the addon exports (native/media_io.c). Socket ids are small integers; failures are -errno. */
interface MediaIoBinding {
  createPoller(
    onBatch: (count: number) => void,
    gatherMicros: number,
  ): {
    readonly poller: object;
    readonly slab: ArrayBuffer;
    readonly meta: ArrayBuffer;
    readonly slotBytes: number;
    readonly metaWords: number;
  };
  bind(poller: object, address: string, port: number): number;
  localPort(poller: object, id: number): number;
  setDestination(poller: object, id: number, address: string, port: number): number;
  send(poller: object, id: number, bytes: Uint8Array, offset: number, length: number): number;
  close(poller: object, id: number): void;
  shutDown(poller: object): void;
  /** True while the reader wakes once per gathering window (traffic is flowing), not on each datagram. */
  isGathering(poller: object): boolean;
  /** Reads the waiting datagrams now, through the batch callback; how many (0 inside a batch callback). */
  readWaiting(poller: object): number;
  errorText(code: number): string;
  addressText(bytes: Uint8Array, offset: number, family: number): string;
  /** Positional writes in one thread-pool job (see `WriteFiles`). */
  writeFiles: WriteFiles;
  /** Sets the calling thread's nice value (-20 to 19): 0 or -errno (-EACCES/-EPERM without CAP_SYS_NICE). */
  setThreadNice(nice: number): number;
}

/** Where the compiled addon for this source lives: its name carries the source's hash, so an edit rebuilds. */
export function nativeMediaIoPath(directory = buildDirectory): string {
  const hash = createHash('sha256')
    .update(readFileSync(sourcePath))
    .update(COMPILER_FLAGS.join(' '))
    .digest('hex')
    .slice(0, 16);
  return join(directory, `media_io-${hash}.node`);
}

/** Directories holding `node_api.h` and `uv.h` for the running Node, best first. */
function headerDirectories(): string[] {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env['npm_config_nodedir'] === undefined
      ? undefined
      : join(process.env['npm_config_nodedir'], 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.filter(
    (directory): directory is string =>
      directory !== undefined &&
      existsSync(join(directory, 'node_api.h')) &&
      existsSync(join(directory, 'uv.h')),
  );
}

/**
 * Compiles the addon unless this source is already built. Safe to run from several processes or
 * threads at once: each compiles to its own file and renames it into place.
 */
export function buildNativeMediaIo(
  options: { readonly directory?: string; readonly compiler?: string } = {},
): Result<string, string> {
  try {
    return compileUnlessBuilt(
      options.directory ?? buildDirectory,
      options.compiler ?? process.env['CC'] ?? 'cc',
    );
  } catch (error) {
    // An unreadable source or a read-only install directory: the dgram path still works.
    return err(
      `cannot build the native media path: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function compileUnlessBuilt(directory: string, compiler: string): Result<string, string> {
  const target = nativeMediaIoPath(directory);
  if (existsSync(target)) return ok(target);
  if (process.platform !== 'linux')
    return err(`the native media path needs Linux (this is ${process.platform})`);
  const headers = headerDirectories()[0];
  if (headers === undefined) {
    return err(
      'no Node.js headers (node_api.h, uv.h) found: reinstall with `npm ci` or install nodejs headers',
    );
  }
  mkdirSync(directory, { recursive: true });
  const temporary = `${target}.${process.pid}-${threadId}.tmp`;
  try {
    execFileSync(compiler, [...COMPILER_FLAGS, `-I${headers}`, sourcePath, '-o', temporary], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    renameSync(temporary, target);
    return ok(target);
  } catch (error) {
    rmSync(temporary, { force: true });
    const output = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no C compiler (${compiler}): install gcc`
        : output;
    return err(`cannot compile ${sourcePath}: ${reason ?? String(error)}`);
  }
}

let loaded: Result<MediaIoBinding, string> | undefined;

/** Loads the addon (compiling it first when needed); the error says why the native path is unavailable. */
export function loadNativeMediaIo(): Result<MediaIoBinding, string> {
  if (loaded !== undefined) return loaded;
  const built = buildNativeMediaIo();
  if (!built.ok) {
    loaded = built;
    return loaded;
  }
  try {
    const binding = createRequire(import.meta.url)(built.value) as MediaIoBinding;
    loaded = ok(binding);
  } catch (error) {
    loaded = err(`cannot load ${built.value}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return loaded;
}

/** The metadata word with a datagram's age in µs (native/media_io.c, AGE_WORD; -1 without a kernel stamp). */
const AGE_WORD = 8;
const EAGAIN = constants.errno.EAGAIN;
const ENOBUFS = constants.errno.ENOBUFS;

class NativeMediaSocket implements MediaSocket {
  readonly port: number;
  readonly id: number;
  handler: DatagramHandler | undefined;
  private errorHandler: ((error: Error) => void) | undefined;
  private readonly owner: NativeSocketFactory;
  private destinationAddress = '';
  private destinationPort = -1;
  private lastErrorCode = 0;
  /** The last source seen, as the addon's four address words and as text: most datagrams repeat it. */
  private sourceFamily = 0;
  private sourceWords = new Int32Array(4);
  private sourceText = '';
  isClosed = false;

  constructor(owner: NativeSocketFactory, id: number, port: number) {
    this.owner = owner;
    this.id = id;
    this.port = port;
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  onError(handler: (error: Error) => void): void {
    this.errorHandler = handler;
  }

  sourceAddress(meta: Int32Array, bytes: Uint8Array, row: number): string {
    // An IPv4 row has zeros in words 1-3, so comparing family and all four words serves both families.
    const family = meta[row + 2] ?? 0;
    const words = this.sourceWords;
    let isSame = family === this.sourceFamily;
    for (let w = 0; w < 4 && isSame; w++) isSame = meta[row + 4 + w] === words[w];
    if (isSame) return this.sourceText;
    this.sourceFamily = family;
    for (let w = 0; w < 4; w++) words[w] = meta[row + 4 + w] ?? 0;
    this.sourceText = this.owner.binding.addressText(bytes, (row + 4) * 4, family);
    return this.sourceText;
  }

  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string): void {
    if (this.isClosed) return;
    const owner = this.owner;
    if (port !== this.destinationPort || address !== this.destinationAddress) {
      const set = owner.binding.setDestination(owner.poller, this.id, address, port);
      if (set < 0) {
        this.report(set, `cannot send to ${address}:${port}`);
        return;
      }
      this.destinationAddress = address;
      this.destinationPort = port;
    }
    const sent = owner.binding.send(owner.poller, this.id, bytes, offset, length);
    if (sent >= 0) return;
    // A full socket buffer drops the datagram, as the kernel drops one on a full queue: UDP media
    // recovers from loss, and a retry would only arrive late.
    if (sent === -EAGAIN || sent === -ENOBUFS) owner.sendsDropped++;
    else this.report(sent, `send to ${address}:${port} failed`);
  }

  /** Tells the owner's error handler, once per kind of failure in a row (a dead peer fails every send). */
  report(code: number, message: string): void {
    if (code === this.lastErrorCode) return;
    this.lastErrorCode = code;
    this.errorHandler?.(new Error(`${message}: ${this.owner.binding.errorText(code)}`));
  }

  reportFault(error: unknown): void {
    this.errorHandler?.(error instanceof Error ? error : new Error(String(error)));
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.handler = undefined;
    this.owner.release(this);
  }
}

/** Media sockets of one thread on the native path; one epoll set, one batch callback. */
export class NativeSocketFactory implements MediaSocketFactory {
  readonly kind = 'native';
  readonly binding: MediaIoBinding;
  readonly poller: object;
  /** A batch of recording writes in one thread-pool job (the addon's `writeFiles`). */
  readonly writeFiles: WriteFiles;
  /** Sends dropped because the socket's buffer was full. */
  sendsDropped = 0;
  /** Batches delivered: with `packetsReceived`, how many datagrams each wake-up read. */
  receiveBatches = 0;
  private readonly sockets: (NativeMediaSocket | undefined)[] = [];
  private readonly slab: ArrayBuffer;
  private readonly meta: Int32Array;
  private readonly metaBytes: Uint8Array;
  private readonly slotBytes: number;
  private readonly metaWords: number;
  /**
   * One `Buffer` view per slot, made again only when the length changes (RTP of one codec keeps one
   * length): no allocation per datagram, so the media thread's young generation fills slowly and its
   * collections (which pause the thread) are rare. Handlers never keep a datagram, so reuse is safe.
   */
  private readonly views: (Buffer | undefined)[] = [];
  private isDelivering = false;
  private readonly closingIds: number[] = [];
  private isShutDown = false;

  /**
   * `gatherMicros`: under load, how long datagrams may gather before they are read in one go (see
   * native/media_io.c); 0 reads each one as soon as it arrives.
   */
  constructor(binding: MediaIoBinding, gatherMicros = 0) {
    this.binding = binding;
    this.writeFiles = (fds, positions, buffers, results, count, onDone) => {
      binding.writeFiles(fds, positions, buffers, results, count, onDone);
    };
    const created = binding.createPoller((count) => {
      this.deliver(count);
    }, gatherMicros);
    this.poller = created.poller;
    this.slab = created.slab;
    this.meta = new Int32Array(created.meta);
    this.metaBytes = new Uint8Array(created.meta);
    this.slotBytes = created.slotBytes;
    this.metaWords = created.metaWords;
  }

  bind(address: string, port: number): Promise<Result<MediaSocket, string>> {
    if (this.isShutDown) return Promise.resolve(err('the media sockets are shut down'));
    const id = this.binding.bind(this.poller, address, port);
    if (id < 0) return Promise.resolve(err(`bind ${address}:${port}: ${this.binding.errorText(id)}`));
    const socket = new NativeMediaSocket(this, id, this.binding.localPort(this.poller, id));
    this.sockets[id] = socket;
    return Promise.resolve(ok(socket));
  }

  /** One wake-up's datagrams: rows of metadata beside slots of the shared slab. */
  private deliver(count: number): void {
    const { meta, metaBytes, metaWords, slotBytes, slab, sockets } = this;
    this.receiveBatches++;
    this.isDelivering = true;
    // The addon gives each datagram's age against its clock read just before this call (AGE_WORD).
    const nowMs = unixNowMs();
    try {
      for (let i = 0; i < count; i++) {
        const row = i * metaWords;
        const socket = sockets[meta[row] ?? -1];
        const length = meta[row + 1] ?? -1;
        const handler = socket?.handler;
        // A datagram longer than a slot (2 KB) is no RTP we relay: the addon marks it -1.
        if (socket === undefined || handler === undefined || length < 0) continue;
        let datagram = this.views[i];
        if (datagram?.length !== length) {
          datagram = Buffer.from(slab, i * slotBytes, length);
          this.views[i] = datagram;
        }
        try {
          const ageMicros = meta[row + AGE_WORD] ?? -1;
          const receivedAtMs = ageMicros < 0 ? nowMs : nowMs - ageMicros / 1000;
          handler(datagram, socket.sourceAddress(meta, metaBytes, row), meta[row + 3] ?? 0, receivedAtMs);
        } catch (error) {
          socket.reportFault(error);
        }
      }
    } finally {
      this.isDelivering = false;
      const closing = this.closingIds.splice(0);
      if (!this.isShutDown) for (const id of closing) this.binding.close(this.poller, id);
    }
  }

  /** Forgets a socket; its id is freed after the batch being delivered (its datagrams there are dropped). */
  release(socket: NativeMediaSocket): void {
    if (this.sockets[socket.id] !== socket) return;
    this.sockets[socket.id] = undefined;
    if (this.isShutDown) return;
    if (this.isDelivering) this.closingIds.push(socket.id);
    else this.binding.close(this.poller, socket.id);
  }

  readWaiting(): number {
    // The addon itself reads nothing inside a batch callback; a shut-down poller it would refuse with an error.
    return this.isShutDown ? 0 : this.binding.readWaiting(this.poller);
  }

  /** True while datagrams keep coming and the reader wakes once per gathering window. */
  get isGathering(): boolean {
    return !this.isShutDown && this.binding.isGathering(this.poller);
  }

  shutDown(): void {
    if (this.isShutDown) return;
    for (const socket of this.sockets) socket?.close();
    this.isShutDown = true;
    this.binding.shutDown(this.poller);
  }
}
