import type { DatagramIoKind } from './media-socket.ts';
import { loadNativeMediaIo } from './native-media-io.ts';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { isAbsolute, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { DtmfDigit } from '@centralita/media';
import { parseDtmfDigit } from '@centralita/media';
import type {
  CollectDigitsRequest,
  ConferenceAddRequest,
  ConferenceSuperviseRequest,
  CreateLegRequest,
  LegCreated,
  LegQuality,
  MediaEvent,
  PlayRequest,
  PlaybackStarted,
  RecordStartRequest,
  RecordingStarted,
  RecordingSummary,
  SendDtmfRequest,
  UpdateRemoteRequest,
  WorkerCommand,
  WorkerMessage,
  WorkerPlaybackItem,
  WorkerReplies,
  WorkerRequestMessage,
  WorkerSetup,
  WorkerStatistics,
} from './engine-protocol.ts';
import type { MediaEngineError, MediaEngineErrorCode } from './errors.ts';
import { mediaEngineError } from './errors.ts';
import { MessageBatch } from './message-batch.ts';
import { PromptLibrary } from './prompt-library.ts';
import type { PortRange } from './udp-port-pair.ts';

/** A pino-compatible logger (only the three levels the engine uses). */
export interface MediaEngineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Engine configuration. */
export interface MediaEngineOptions {
  /** Media worker threads (default 1). Legs of one call always share a worker. */
  readonly workerCount?: number;
  /** Address the RTP sockets bind to unless a leg says otherwise. */
  readonly bindAddress: string;
  /** RTP ports to use (split between workers); absent: the OS picks even/odd pairs. */
  readonly portRange?: PortRange;
  /** Recordings are written under this directory; request paths are relative to it. */
  readonly recordingDirectory: string;
  /** Default no-media timeout per leg (default 30 s; 0 turns it off). */
  readonly noMediaTimeoutMs?: number;
  /** How long a worker may take to answer a command (default 5 s). */
  readonly commandTimeoutMs?: number;
  /** How much audio a recording holds in memory before writing (default 1 s: the most a crash loses). */
  readonly recordingChunkMs?: number;
  /** RTCP report interval T (default 5 s, randomised over [0.5 T, 1.5 T]). */
  readonly rtcpIntervalMs?: number;
  /**
   * How datagrams get in and out (ADR 0009): `native` batches receives through the `media_io` addon
   * (compiled on this machine at install or first start), `dgram` is Node's own path, `auto` (the
   * default) takes native when the addon builds and loads, else dgram with a warning saying why.
   */
  readonly datagramIo?: 'auto' | DatagramIoKind;
  /**
   * On the native path, how long received datagrams may gather before they are read together, in µs
   * (default 500, at most 20 000; 0 reads each one as it arrives). Phones send on their own clocks, so
   * under load datagrams arrive one by one; reading them in groups saves a wake-up per datagram, and
   * adds at most this much delay. Only while traffic flows: a quiet socket is read at once.
   */
  readonly gatherMicros?: number;
  /**
   * The longest a received datagram waits for a busy media tick, in µs (default 500, at most 20 000; native
   * path). A tick with hundreds of recordings, conferences or prompts runs for milliseconds; its loops stop this
   * often to read and relay what is waiting, instead of holding every datagram until the tick ends (added
   * jitter on every stream of the worker). 0 reads at every step of the tick (tests).
   */
  readonly tickReadMicros?: number;
  /**
   * The nice value of the media worker threads (-20 to 19; default -10), so that the process's other
   * threads (V8's compiler and collector helpers, the thread pool, the main thread) do not delay the
   * audio when they share a core with a worker. Below 0 it needs CAP_SYS_NICE or RLIMIT_NICE (systemd:
   * `AmbientCapabilities=CAP_SYS_NICE` or `LimitNICE=`); without them the workers keep the process's
   * priority and log why. 0 leaves them alone. Needs the native media addon (set on the dgram path too
   * when the addon loads).
   */
  readonly threadNice?: number;
  readonly logger?: MediaEngineLogger;
}

type Reply<K extends WorkerCommand['type']> = Result<WorkerReplies[K], MediaEngineError>;

interface PendingCommand {
  readonly resolve: (result: Result<unknown, MediaEngineError>) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** One worker slot: the thread, its pending commands and what lives on it. */
interface WorkerSlot {
  readonly index: number;
  worker: Worker;
  isReady: boolean;
  readonly pending: Map<number, PendingCommand>;
  readonly legIds: Set<string>;
  /** Commands waiting to be posted together (MessageBatch). */
  readonly outbox: MessageBatch<WorkerRequestMessage>;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
const workerUrl = new URL('./media-worker.ts', import.meta.url);

function failure(
  code: MediaEngineErrorCode,
  message: string,
  field?: string,
): { readonly ok: false; readonly error: MediaEngineError } {
  return err(mediaEngineError(code, message, field));
}

/** The error for an option that is not a whole number from `min` to `max`, or undefined when it is one. */
function wholeNumberOutOf(
  field: string,
  value: number,
  min: number,
  max: number,
): MediaEngineError | undefined {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return mediaEngineError(
    'MEDIA_ENGINE_BAD_REQUEST',
    `${field} must be a whole number from ${min} to ${max}`,
    field,
  );
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value < 65_536;
}

/** Checked at run time too: JavaScript callers and JSON do not obey the type. */
function isG711PayloadType(value: number): boolean {
  return value === 0 || value === 8;
}

const datagramIoChoices = ['auto', 'native', 'dgram'] as const;
/** Half a millisecond: several datagrams per wake-up at a few hundred calls, no audible delay. */
export const DEFAULT_GATHER_MICROS = 500;
/** The addon's own limit (native/media_io.c). */
export const MAX_GATHER_MICROS = 20_000;
/** Default for `tickReadMicros`: a datagram waits for a long tick about as long as for a gathering window. */
export const DEFAULT_TICK_READ_MICROS = 500;
/** Ahead of the process's other threads without starving them (each nice step is about 1.25 times the CPU share). */
export const DEFAULT_MEDIA_THREAD_NICE = -10;

function isDynamicPayloadType(value: number): boolean {
  return Number.isInteger(value) && value >= 96 && value <= 127;
}

function splitRange(range: PortRange | undefined, count: number, index: number): PortRange | undefined {
  if (range === undefined) return undefined;
  const size = Math.floor((range.max - range.min + 1) / count);
  const min = range.min + index * size;
  return { min, max: index === count - 1 ? range.max : min + size - 1 };
}

/**
 * The media engine's control interface, on the main thread. Each leg lives on one media worker
 * thread (legs of one call on the same one); every call is a message over that worker's port and
 * resolves to a Result: no method rejects. Events (digits, playback and recording ends, no media,
 * quality on destroy) come back through `onEvent`.
 */
export class MediaEngine {
  private readonly options: MediaEngineOptions;
  private readonly slots: WorkerSlot[] = [];
  private readonly listeners = new Set<(event: MediaEvent) => void>();
  private readonly prompts = new PromptLibrary();
  private readonly legWorkers = new Map<string, WorkerSlot>();
  private readonly callWorkers = new Map<string, { slot: WorkerSlot; legs: number }>();
  private readonly legCalls = new Map<string, string>();
  private readonly conferences = new Map<string, { slot: WorkerSlot; legIds: Set<string> }>();
  private readonly recordingWorkers = new Map<string, WorkerSlot>();
  private readonly recordingDirectory: string;
  private nextCommandId = 1;
  private isStopping = false;

  /** How the workers move datagrams. */
  readonly datagramIo: DatagramIoKind;
  /** The native path's gathering window, in µs (validated). */
  private readonly gatherMicros: number;
  /** The workers' nice value (validated). */
  private readonly threadNice: number;
  /** How often a long tick reads waiting datagrams, in µs (validated). */
  private readonly tickReadMicros: number;

  private constructor(
    options: MediaEngineOptions,
    datagramIo: DatagramIoKind,
    gatherMicros: number,
    threadNice: number,
    tickReadMicros: number,
  ) {
    this.options = options;
    this.datagramIo = datagramIo;
    this.gatherMicros = gatherMicros;
    this.threadNice = threadNice;
    this.tickReadMicros = tickReadMicros;
    this.recordingDirectory = resolve(options.recordingDirectory);
  }

  /** Starts the workers; resolves once every one of them runs its media clock. */
  static async start(options: MediaEngineOptions): Promise<Result<MediaEngine, MediaEngineError>> {
    const count = options.workerCount ?? 1;
    if (!Number.isInteger(count) || count < 1)
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'workerCount must be at least 1', 'workerCount');
    if (isIP(options.bindAddress) === 0)
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'bindAddress must be an IP address', 'bindAddress');
    const range = options.portRange;
    if (
      range !== undefined &&
      (!isPort(range.min) || !isPort(range.max) || range.max - range.min + 1 < 2 * count)
    ) {
      return failure(
        'MEDIA_ENGINE_BAD_REQUEST',
        'portRange must hold at least one pair per worker',
        'portRange',
      );
    }
    // Options may come from configuration files: check the value, not only its type.
    const wanted = datagramIoChoices.find((choice) => choice === (options.datagramIo ?? 'auto'));
    if (wanted === undefined) {
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'datagramIo must be auto, native or dgram', 'datagramIo');
    }
    const gatherMicros = options.gatherMicros ?? DEFAULT_GATHER_MICROS;
    const tickReadMicros = options.tickReadMicros ?? DEFAULT_TICK_READ_MICROS;
    const threadNice = options.threadNice ?? DEFAULT_MEDIA_THREAD_NICE;
    const outOfRange =
      wholeNumberOutOf('gatherMicros', gatherMicros, 0, MAX_GATHER_MICROS) ??
      wholeNumberOutOf('tickReadMicros', tickReadMicros, 0, MAX_GATHER_MICROS) ??
      wholeNumberOutOf('threadNice', threadNice, -20, 19);
    if (outOfRange !== undefined) return err(outOfRange);
    let datagramIo: DatagramIoKind = 'dgram';
    if (wanted !== 'dgram') {
      const native = loadNativeMediaIo();
      if (native.ok) datagramIo = 'native';
      else if (wanted === 'native') return failure('MEDIA_ENGINE_DATAGRAM_IO', native.error, 'datagramIo');
      else options.logger?.warn({ reason: native.error }, 'native media I/O unavailable; using dgram');
    }
    const engine = new MediaEngine(options, datagramIo, gatherMicros, threadNice, tickReadMicros);
    const started = await Promise.all(Array.from({ length: count }, (_, index) => engine.startWorker(index)));
    const failed = started.find((result) => !result.ok);
    if (failed !== undefined) {
      await engine.terminate();
      return failed;
    }
    return ok(engine);
  }

  private setupFor(index: number): WorkerSetup {
    const count = this.options.workerCount ?? 1;
    return {
      workerIndex: index,
      portRange: splitRange(this.options.portRange, count, index),
      noMediaTimeoutMs: this.options.noMediaTimeoutMs ?? 30_000,
      recordingChunkMs: this.options.recordingChunkMs ?? 1000,
      rtcpIntervalMs: this.options.rtcpIntervalMs ?? 5000,
      datagramIo: this.datagramIo,
      gatherMicros: this.gatherMicros,
      threadNice: this.threadNice,
      tickReadMicros: this.tickReadMicros,
    };
  }

  private startWorker(index: number): Promise<Result<WorkerSlot, MediaEngineError>> {
    const worker = new Worker(workerUrl, { workerData: this.setupFor(index), name: `media-${index}` });
    const slot: WorkerSlot = {
      index,
      worker,
      isReady: false,
      pending: new Map(),
      legIds: new Set(),
      outbox: new MessageBatch((messages) => {
        worker.postMessage(messages);
      }, setImmediate),
    };
    this.slots[index] = slot;
    return new Promise((resolvePromise) => {
      const onEarlyError = (error: Error): void => {
        resolvePromise(
          failure('MEDIA_ENGINE_WORKER_FAILED', `media worker ${index} failed: ${error.message}`),
        );
      };
      worker.once('error', onEarlyError);
      // The worker posts its replies, events and logs in batches (MessageBatch), in order.
      worker.on('message', (messages: readonly WorkerMessage[]) => {
        for (const message of messages) {
          if (message.kind === 'ready') {
            slot.isReady = true;
            worker.off('error', onEarlyError);
            worker.on('error', (error: Error) => {
              this.options.logger?.error(
                { workerIndex: index, error: error.message },
                'media worker crashed',
              );
            });
            resolvePromise(ok(slot));
            continue;
          }
          this.onWorkerMessage(slot, message);
        }
      });
      worker.once('exit', (code) => {
        if (!slot.isReady)
          resolvePromise(failure('MEDIA_ENGINE_WORKER_FAILED', `media worker ${index} exited with ${code}`));
        this.onWorkerExit(slot, code);
      });
    });
  }

  private onWorkerMessage(slot: WorkerSlot, message: WorkerMessage): void {
    switch (message.kind) {
      case 'ready':
        return;
      case 'reply': {
        const pending = slot.pending.get(message.id);
        if (pending === undefined) return;
        slot.pending.delete(message.id);
        clearTimeout(pending.timer);
        pending.resolve(message.result);
        return;
      }
      case 'event':
        this.dispatch(message.event);
        return;
      case 'log': {
        const logger = this.options.logger;
        if (logger === undefined) return;
        const fields = { workerIndex: slot.index, ...message.fields };
        if (message.level === 'info') logger.info(fields, message.message);
        else if (message.level === 'warn') logger.warn(fields, message.message);
        else logger.error(fields, message.message);
        return;
      }
    }
  }

  private dispatch(event: MediaEvent): void {
    if (event.type === 'legDestroyed') this.forgetLeg(event.quality.legId);
    if (event.type === 'recordingFinished') this.recordingWorkers.delete(event.summary.recordingId);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger?.error(
          { error: error instanceof Error ? error.message : String(error) },
          'media event listener threw',
        );
      }
    }
  }

  private onWorkerExit(slot: WorkerSlot, code: number): void {
    for (const [, pending] of slot.pending) {
      clearTimeout(pending.timer);
      pending.resolve(failure('MEDIA_ENGINE_WORKER_EXITED', `media worker ${slot.index} exited`));
    }
    slot.pending.clear();
    const legIds = [...slot.legIds];
    for (const legId of legIds) this.forgetLeg(legId);
    for (const [id, worker] of this.recordingWorkers) if (worker === slot) this.recordingWorkers.delete(id);
    for (const [id, conference] of this.conferences)
      if (conference.slot === slot) this.conferences.delete(id);
    if (this.isStopping || !slot.isReady) return;
    slot.isReady = false;
    this.options.logger?.error(
      { workerIndex: slot.index, exitCode: code, legs: legIds.length },
      'media worker exited',
    );
    this.dispatch({ type: 'workerExited', workerIndex: slot.index, legIds, atMs: Date.now() });
    // A fresh worker takes the slot so new calls can be placed; the old calls are gone.
    void this.startWorker(slot.index);
  }

  private forgetLeg(legId: string): void {
    const slot = this.legWorkers.get(legId);
    slot?.legIds.delete(legId);
    this.legWorkers.delete(legId);
    const callId = this.legCalls.get(legId);
    this.legCalls.delete(legId);
    if (callId !== undefined) {
      const call = this.callWorkers.get(callId);
      if (call !== undefined && --call.legs <= 0) this.callWorkers.delete(callId);
    }
    for (const [id, conference] of this.conferences) {
      conference.legIds.delete(legId);
      if (conference.legIds.size === 0) this.conferences.delete(id);
    }
  }

  private send<K extends WorkerCommand['type']>(
    slot: WorkerSlot,
    command: Extract<WorkerCommand, { readonly type: K }>,
    timeoutMs: number = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<Reply<K>> {
    if (this.isStopping && command.type !== 'shutdown' && command.type !== 'statistics') {
      return Promise.resolve(failure('MEDIA_ENGINE_NOT_RUNNING', 'the media engine is stopping'));
    }
    if (!slot.isReady)
      return Promise.resolve(
        failure('MEDIA_ENGINE_WORKER_EXITED', `media worker ${slot.index} is not running`),
      );
    const id = this.nextCommandId++;
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        resolvePromise(
          failure('MEDIA_ENGINE_TIMEOUT', `media worker ${slot.index} did not answer ${command.type}`),
        );
      }, timeoutMs);
      timer.unref();
      // The worker answers with the reply type of this command (WorkerReplies[K]).
      slot.pending.set(id, {
        resolve: resolvePromise as (result: Result<unknown, MediaEngineError>) => void,
        timer,
      });
      slot.outbox.push({ kind: 'command', id, command });
    });
  }

  private slotOfLeg(legId: string): Result<WorkerSlot, MediaEngineError> {
    const slot = this.legWorkers.get(legId);
    return slot === undefined ? failure('MEDIA_ENGINE_LEG_NOT_FOUND', `no leg ${legId}`, 'legId') : ok(slot);
  }

  private sameSlot(legIds: readonly string[]): Result<WorkerSlot, MediaEngineError> {
    let slot: WorkerSlot | undefined;
    for (const legId of legIds) {
      const found = this.slotOfLeg(legId);
      if (!found.ok) return found;
      if (slot !== undefined && found.value !== slot) {
        return failure(
          'MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS',
          `legs ${legIds.join(', ')} live on different media workers: create them with the same callId`,
          'legId',
        );
      }
      slot = found.value;
    }
    return slot === undefined ? failure('MEDIA_ENGINE_BAD_REQUEST', 'no legs given', 'legId') : ok(slot);
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---------------------------------------------------------------- legs

  /** Creates a leg: binds an RTP/RTCP port pair on the call's worker. Put `localPort` in the SDP. */
  async createLeg(request: CreateLegRequest): Promise<Result<LegCreated, MediaEngineError>> {
    if (request.legId === '' || request.callId === '')
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'legId and callId are required', 'legId');
    if (isIP(request.remoteAddress) === 0)
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'remoteAddress must be an IP address', 'remoteAddress');
    if (!isPort(request.remotePort))
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'remotePort out of range', 'remotePort');
    if (request.remoteRtcpPort !== undefined && !isPort(request.remoteRtcpPort)) {
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'remoteRtcpPort out of range', 'remoteRtcpPort');
    }
    if (!isG711PayloadType(request.payloadType)) {
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'payloadType must be 0 (PCMU) or 8 (PCMA)', 'payloadType');
    }
    if (
      request.telephoneEventPayloadType !== undefined &&
      !isDynamicPayloadType(request.telephoneEventPayloadType)
    ) {
      return failure(
        'MEDIA_ENGINE_BAD_REQUEST',
        'telephoneEventPayloadType must be 96-127',
        'telephoneEventPayloadType',
      );
    }
    if (this.legWorkers.has(request.legId))
      return failure('MEDIA_ENGINE_LEG_EXISTS', `leg ${request.legId} exists`, 'legId');
    const slot = this.placeCall(request.callId);
    if (!slot.ok) return slot;
    // Reserve the placement now so a second leg of the call created concurrently lands here too.
    const call = this.callWorkers.get(request.callId) ?? { slot: slot.value, legs: 0 };
    call.legs++;
    this.callWorkers.set(request.callId, call);
    this.legWorkers.set(request.legId, slot.value);
    this.legCalls.set(request.legId, request.callId);
    slot.value.legIds.add(request.legId);
    const created = await this.send(slot.value, {
      type: 'createLeg',
      request,
      bindAddress: this.options.bindAddress,
    });
    if (!created.ok && created.error.code !== 'MEDIA_ENGINE_LEG_EXISTS') this.forgetLeg(request.legId);
    return created;
  }

  /** The worker for a call: the one its legs are on, else the least loaded running worker. */
  private placeCall(callId: string): Result<WorkerSlot, MediaEngineError> {
    const existing = this.callWorkers.get(callId);
    if (existing !== undefined) return ok(existing.slot);
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (!slot.isReady) continue;
      if (best === undefined || slot.legIds.size < best.legIds.size) best = slot;
    }
    return best === undefined ? failure('MEDIA_ENGINE_NOT_RUNNING', 'no media worker is running') : ok(best);
  }

  /** A re-INVITE changed the remote address or codec; latching starts over. */
  async updateRemote(request: UpdateRemoteRequest): Promise<Result<void, MediaEngineError>> {
    if (isIP(request.remoteAddress) === 0)
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'remoteAddress must be an IP address', 'remoteAddress');
    if (!isPort(request.remotePort))
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'remotePort out of range', 'remotePort');
    if (request.payloadType !== undefined && !isG711PayloadType(request.payloadType)) {
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'payloadType must be 0 (PCMU) or 8 (PCMA)', 'payloadType');
    }
    const eventType = request.telephoneEventPayloadType;
    if (eventType !== undefined && eventType !== null && !isDynamicPayloadType(eventType)) {
      return failure(
        'MEDIA_ENGINE_BAD_REQUEST',
        'telephoneEventPayloadType must be 96-127',
        'telephoneEventPayloadType',
      );
    }
    const slot = this.slotOfLeg(request.legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'updateRemote', request });
  }

  /** Destroys a leg; resolves to its quality figures (also sent as a `legDestroyed` event). */
  async destroyLeg(legId: string): Promise<Result<LegQuality, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'destroyLeg', legId });
  }

  // ---------------------------------------------------------------- playback and digits

  /**
   * Plays files, tones and silences to a leg, replacing what its bridge or conference sends it
   * until the playback ends. Files are converted to 8 kHz on first use and kept in memory.
   */
  async play(request: PlayRequest): Promise<Result<PlaybackStarted, MediaEngineError>> {
    const slot = this.slotOfLeg(request.legId);
    if (!slot.ok) return slot;
    if (request.items.length === 0) return failure('MEDIA_ENGINE_BAD_REQUEST', 'nothing to play', 'items');
    const items: WorkerPlaybackItem[] = [];
    for (const item of request.items) {
      switch (item.kind) {
        case 'file': {
          const samples = await this.prompts.load(item.path);
          if (!samples.ok) return samples;
          items.push({ kind: 'pcm', samples: samples.value });
          break;
        }
        case 'tone':
          items.push(item);
          break;
        case 'silence':
          items.push(item);
          break;
      }
    }
    return this.send(slot.value, {
      type: 'play',
      legId: request.legId,
      playbackId: request.playbackId ?? randomUUID(),
      items,
      isLooping: request.isLooping ?? false,
      isBargeIn: request.isBargeIn ?? false,
    });
  }

  /** Stops the leg's playback (a `playbackFinished` event with reason "stopped" follows). */
  async stopPlayback(legId: string): Promise<Result<{ readonly wasPlaying: boolean }, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'stopPlayback', legId });
  }

  /** Starts collecting keys; the outcome arrives as a `collectDigitsResult` event. */
  async collectDigits(request: CollectDigitsRequest): Promise<Result<void, MediaEngineError>> {
    const { minDigits, maxDigits, firstDigitTimeoutMs, interDigitTimeoutMs } = request;
    if (
      !Number.isInteger(minDigits) ||
      !Number.isInteger(maxDigits) ||
      minDigits < 0 ||
      maxDigits < 1 ||
      minDigits > maxDigits
    ) {
      return failure(
        'MEDIA_ENGINE_BAD_REQUEST',
        'need 0 <= minDigits <= maxDigits and maxDigits >= 1',
        'maxDigits',
      );
    }
    if (!(firstDigitTimeoutMs > 0) || !(interDigitTimeoutMs > 0)) {
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'timeouts must be positive', 'firstDigitTimeoutMs');
    }
    for (const key of request.terminators ?? '') {
      if (!parseDtmfDigit(key).ok)
        return failure('MEDIA_ENGINE_BAD_REQUEST', `terminator "${key}" is not a key`, 'terminators');
    }
    const slot = this.slotOfLeg(request.legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'collectDigits', request });
  }

  /** Cancels digit collection (a `collectDigitsResult` with reason "cancelled" follows). */
  async stopCollectDigits(
    legId: string,
  ): Promise<Result<{ readonly wasCollecting: boolean }, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'stopCollectDigits', legId });
  }

  /** Sends keys to a leg as RFC 4733 events (in-band tones if the leg has no telephone-event). */
  async sendDtmf(
    request: SendDtmfRequest,
  ): Promise<Result<{ readonly expectedDurationMs: number }, MediaEngineError>> {
    const durationMs = request.durationMs ?? 100;
    if (!(durationMs >= 40 && durationMs <= 5000))
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'durationMs must be 40-5000', 'durationMs');
    if (request.gapMs !== undefined && !(request.gapMs >= 20))
      return failure('MEDIA_ENGINE_BAD_REQUEST', 'gapMs must be at least 20', 'gapMs');
    const slot = this.slotOfLeg(request.legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'sendDtmf', request });
  }

  /** Hands in a digit the signalling received (SIP INFO application/dtmf-relay). */
  async injectDigit(legId: string, key: string): Promise<Result<void, MediaEngineError>> {
    const digit = parseDtmfDigit(key);
    if (!digit.ok) return digit;
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    const value: DtmfDigit = digit.value;
    return this.send(slot.value, { type: 'injectDigit', legId, digit: value });
  }

  // ---------------------------------------------------------------- bridges and conferences

  /** Relays two legs to each other (transcoding µ-law/A-law if their codecs differ). */
  async bridge(legIdA: string, legIdB: string): Promise<Result<void, MediaEngineError>> {
    const slot = this.sameSlot([legIdA, legIdB]);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'bridge', legIdA, legIdB });
  }

  /** Ends a leg's bridge (both sides stop hearing each other). */
  async unbridge(legId: string): Promise<Result<void, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'unbridge', legId });
  }

  /** Adds a leg to a conference, creating it on first use (on the leg's worker). */
  async conferenceAdd(request: ConferenceAddRequest): Promise<Result<void, MediaEngineError>> {
    const slot = this.slotOfLeg(request.legId);
    if (!slot.ok) return slot;
    const conference = this.conferences.get(request.conferenceId);
    if (conference !== undefined && conference.slot !== slot.value) {
      return failure(
        'MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS',
        `conference ${request.conferenceId} lives on another media worker: create the leg with the call's callId`,
        'legId',
      );
    }
    const added = await this.send(slot.value, { type: 'conferenceAdd', request });
    if (added.ok) {
      const entry = this.conferences.get(request.conferenceId) ?? {
        slot: slot.value,
        legIds: new Set<string>(),
      };
      entry.legIds.add(request.legId);
      this.conferences.set(request.conferenceId, entry);
    }
    return added;
  }

  /** Takes a leg out of a conference (the conference ends with its last member). */
  async conferenceRemove(conferenceId: string, legId: string): Promise<Result<void, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    const removed = await this.send(slot.value, { type: 'conferenceRemove', conferenceId, legId });
    if (removed.ok) this.leaveConference(conferenceId, legId);
    return removed;
  }

  private leaveConference(conferenceId: string, legId: string): void {
    const conference = this.conferences.get(conferenceId);
    conference?.legIds.delete(legId);
    if (conference?.legIds.size === 0) this.conferences.delete(conferenceId);
  }

  /** Changes a member's hear/speak flags. */
  async conferenceSetFlags(
    conferenceId: string,
    legId: string,
    flags: { readonly isHearing?: boolean; readonly isSpeaking?: boolean },
  ): Promise<Result<void, MediaEngineError>> {
    const slot = this.slotOfLeg(legId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'conferenceSetFlags', conferenceId, legId, ...flags });
  }

  /**
   * Sets a supervised call's mode: listen, whisper, barge or takeover (the agent leaves the
   * conference; destroy its leg when the call layer drops it).
   */
  async conferenceSupervise(request: ConferenceSuperviseRequest): Promise<Result<void, MediaEngineError>> {
    const slot = this.sameSlot([request.customerLegId, request.agentLegId, request.supervisorLegId]);
    if (!slot.ok) return slot;
    const supervised = await this.send(slot.value, { type: 'conferenceSupervise', request });
    if (supervised.ok && request.mode === 'takeover')
      this.leaveConference(request.conferenceId, request.agentLegId);
    return supervised;
  }

  // ---------------------------------------------------------------- recording

  private recordingPath(path: string, field: string): Result<string, MediaEngineError> {
    const absolute = resolve(this.recordingDirectory, path);
    const inside = relative(this.recordingDirectory, absolute);
    if (path === '' || isAbsolute(path) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      return failure(
        'MEDIA_ENGINE_BAD_REQUEST',
        `${field} must be a file path inside the recording directory`,
        field,
      );
    }
    return ok(absolute);
  }

  /** Starts recording a two-party call (stereo: customer left, agent right; optional mono mix). */
  async recordStart(request: RecordStartRequest): Promise<Result<RecordingStarted, MediaEngineError>> {
    const path = this.recordingPath(request.path, 'path');
    if (!path.ok) return path;
    let monoPath: string | undefined;
    if (request.monoPath !== undefined) {
      const mono = this.recordingPath(request.monoPath, 'monoPath');
      if (!mono.ok) return mono;
      monoPath = mono.value;
    }
    const slot = this.sameSlot(
      request.agentLegId === undefined
        ? [request.customerLegId]
        : [request.customerLegId, request.agentLegId],
    );
    if (!slot.ok) return slot;
    const started = await this.send(slot.value, {
      type: 'recordStart',
      recordingId: request.recordingId,
      customerLegId: request.customerLegId,
      agentLegId: request.agentLegId,
      path: path.value,
      monoPath,
    });
    if (started.ok) this.recordingWorkers.set(request.recordingId, slot.value);
    return started;
  }

  private slotOfRecording(recordingId: string): Result<WorkerSlot, MediaEngineError> {
    const slot = this.recordingWorkers.get(recordingId);
    return slot === undefined
      ? failure('MEDIA_ENGINE_RECORDING_NOT_FOUND', `no recording ${recordingId}`, 'recordingId')
      : ok(slot);
  }

  /** Pauses a recording: silence from the next 20 ms frame, and a marker in the metadata. */
  async recordPause(
    recordingId: string,
    reason: string,
  ): Promise<Result<{ readonly isPaused: boolean }, MediaEngineError>> {
    const slot = this.slotOfRecording(recordingId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'recordPause', recordingId, reason });
  }

  /** Resumes a paused recording. */
  async recordResume(recordingId: string): Promise<Result<{ readonly isPaused: boolean }, MediaEngineError>> {
    const slot = this.slotOfRecording(recordingId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'recordResume', recordingId });
  }

  /** Stops and finalises a recording; resolves to its path, duration and pause markers. */
  async recordStop(recordingId: string): Promise<Result<RecordingSummary, MediaEngineError>> {
    const slot = this.slotOfRecording(recordingId);
    if (!slot.ok) return slot;
    return this.send(slot.value, { type: 'recordStop', recordingId });
  }

  // ---------------------------------------------------------------- engine

  /** Clock lateness and traffic of every running worker. */
  async statistics(): Promise<Result<readonly WorkerStatistics[], MediaEngineError>> {
    const replies = await Promise.all(
      this.slots.filter((slot) => slot.isReady).map((slot) => this.send(slot, { type: 'statistics' })),
    );
    const figures: WorkerStatistics[] = [];
    for (const reply of replies) {
      if (!reply.ok) return reply;
      figures.push(reply.value);
    }
    return ok(figures);
  }

  /** Graceful stop: recordings are finalised (recordingFinished events), sockets closed, workers ended. */
  async stop(): Promise<void> {
    if (this.isStopping) return;
    this.isStopping = true;
    await Promise.all(
      this.slots.filter((slot) => slot.isReady).map((slot) => this.send(slot, { type: 'shutdown' }, 30_000)),
    );
    await this.terminate();
  }

  /**
   * Ends every worker at once, as a crash would: nothing is flushed or finalised (recordings stay
   * readable and are flagged incomplete). For tests of crash safety and last-resort shutdown.
   */
  async terminate(): Promise<void> {
    this.isStopping = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
