import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Random, Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { DtmfDigit } from '@centralita/media';
import { FRAME_MS, parseDtmfDigit } from '@centralita/media';
import { CallRecorder } from './call-recorder.ts';
import { Conference } from './conference.ts';
import { FileWriteBatcher } from './file-write-batcher.ts';
import type { DigitCollectionInput, DigitCollectionSpec } from './digit-collection.ts';
import { nextDigitCollection, startDigitCollection } from './digit-collection.ts';
import type {
  DigitSource,
  MediaEvent,
  PlaybackEndReason,
  RecordingEndReason,
  RecordingSummary,
  WorkerCommand,
  WorkerCommandOf,
  WorkerReplies,
  WorkerSetup,
} from './engine-protocol.ts';
import type { MediaEngineError } from './errors.ts';
import { mediaEngineError } from './errors.ts';
import { MediaClock } from './media-clock.ts';
import { PlaybackCursor } from './playback-cursor.ts';
import type { ActivePlayback, LegContext, TrafficCounters } from './rtp-leg.ts';
import { HousekeepingRota } from './housekeeping-rota.ts';
import { RtpLeg } from './rtp-leg.ts';
import type { MediaSocketFactory } from './media-socket.ts';
import { DgramSocketFactory, unixNowMs } from './media-socket.ts';
import { loadNativeMediaIo, NativeSocketFactory } from './native-media-io.ts';
import { UdpPortAllocator } from './udp-port-pair.ts';

/** Log sink of a worker (the worker forwards to the main thread's logger). */
export type WorkerLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
) => void;

type Reply<K extends WorkerCommand['type']> = Result<WorkerReplies[K], MediaEngineError>;

/**
 * Housekeeping (RTCP, digit timeouts, telephone-event ends, the no-media check) runs for each leg every few
 * ticks rather than every tick: none of it needs 20 ms precision. The legs are spread over the ticks (a fifth
 * of them each tick), so no tick does it for every leg at once: a long tick holds up the datagrams that
 * arrive meanwhile, and shows as added jitter on every relayed stream.
 */
const HOUSEKEEPING_EVERY_TICKS = 5;
/** The no-media check runs on one housekeeping round in this many (so every 25 ticks for each leg). */
const NO_MEDIA_EVERY_ROUNDS = 5;
/**
 * Datagrams that arrive during a tick wait for it to end, and that wait is added jitter on every stream the
 * thread relays. A tick with hundreds of recordings, conferences or prompts runs for milliseconds, so its loops
 * stop to read and relay the waiting datagrams every `tickReadMicros` (`WorkerSetup`); to keep that cheap they
 * look at the clock once every this many steps (a power of two, used as a mask).
 */
const TICK_STEPS_PER_CLOCK_READ = 16;

function notFound(legId: string): { readonly ok: false; readonly error: MediaEngineError } {
  return err(mediaEngineError('MEDIA_ENGINE_LEG_NOT_FOUND', `no leg ${legId}`, 'legId'));
}

function badRequest(
  message: string,
  field?: string,
): { readonly ok: false; readonly error: MediaEngineError } {
  return err(mediaEngineError('MEDIA_ENGINE_BAD_REQUEST', message, field));
}

const mathRandom: Random = { next: () => Math.random() };

/**
 * The worker's sockets: the native datagram path when the main thread chose it (it checked the addon
 * loads), else Node's dgram. Should the addon fail here after all, the worker logs why and uses dgram.
 */
function socketFactoryFor(setup: WorkerSetup, log: WorkerLog): MediaSocketFactory {
  if (setup.datagramIo === 'dgram') return new DgramSocketFactory();
  const native = loadNativeMediaIo();
  if (native.ok) return new NativeSocketFactory(native.value, setup.gatherMicros);
  log('error', 'native media I/O unavailable in the worker; using dgram', { reason: native.error });
  return new DgramSocketFactory();
}

/**
 * Everything one media worker owns: its legs and their sockets, bridges, conferences, recordings
 * and the media clock that drives them. Commands come in from the main thread (`handle`), events go
 * out through `emit`. It runs on the worker thread, but nothing in it depends on being there: tests
 * may drive it directly.
 */
export class WorkerEngine {
  private readonly setup: WorkerSetup;
  private readonly emit: (event: MediaEvent) => void;
  private readonly log: WorkerLog;
  private readonly legs = new Map<string, RtpLeg>();
  /** Which tick of every HOUSEKEEPING_EVERY_TICKS each leg's housekeeping runs in. */
  private readonly housekeeping = new HousekeepingRota<RtpLeg>(HOUSEKEEPING_EVERY_TICKS);
  /** Legs whose sockets are being bound: their ids are taken. */
  private readonly pendingLegIds = new Set<string>();
  private readonly conferences = new Map<string, Conference>();
  private readonly recordings = new Map<string, CallRecorder>();
  private readonly pendingRecordingIds = new Set<string>();
  private readonly ports: UdpPortAllocator;
  private readonly sockets: MediaSocketFactory;
  /** The recordings' file writes, sent to the thread pool once per tick. */
  private readonly fileWrites: FileWriteBatcher;
  private readonly clock: MediaClock;
  private readonly traffic: TrafficCounters = { packetsReceived: 0, packetsSent: 0, packetsRelayed: 0 };
  private readonly context: LegContext;
  private sourceKeys = 0;
  private recordingsStarted = 0;
  private isShutDown = false;
  /** `tickReadMicros` in ms; the tick's loop steps so far, and when it last read datagrams (see `stepTick`). */
  private readonly tickReadMs: number;
  private tickSteps = 0;
  private lastReadMs = 0;
  /** This tick's time spent reading datagrams in the middle of it. */
  private readingMs = 0;
  /** Datagrams read in the middle of ticks. */
  private datagramsReadInTicks = 0;

  constructor(setup: WorkerSetup, emit: (event: MediaEvent) => void, log: WorkerLog) {
    this.setup = setup;
    this.tickReadMs = setup.tickReadMicros / 1000;
    this.emit = emit;
    this.log = log;
    this.sockets = socketFactoryFor(setup, log);
    this.fileWrites = new FileWriteBatcher(this.sockets.writeFiles);
    this.ports = new UdpPortAllocator(setup.portRange, this.sockets);
    this.clock = new MediaClock((tick) => this.onTick(tick));
    this.context = {
      currentTick: () => this.clock.currentTick,
      nowUnixMs: unixNowMs,
      onDigit: (leg, digit, source, atMs) => {
        this.onDigit(leg, digit, source, atMs);
      },
      nextSourceKey: () => ++this.sourceKeys,
      traffic: this.traffic,
      random: mathRandom,
      log,
    };
  }

  /** Starts the media clock. */
  start(): void {
    this.clock.start();
  }

  private now(): number {
    return this.context.nowUnixMs();
  }

  /** Runs one command from the main thread. Never rejects: failures are values. */
  async handle(command: WorkerCommand): Promise<Result<unknown, MediaEngineError>> {
    if (this.isShutDown && command.type !== 'statistics') {
      return err(mediaEngineError('MEDIA_ENGINE_NOT_RUNNING', 'the worker is shutting down'));
    }
    switch (command.type) {
      case 'createLeg':
        return this.createLeg(command);
      case 'updateRemote':
        return this.updateRemote(command);
      case 'play':
        return this.play(command);
      case 'stopPlayback':
        return this.stopPlayback(command);
      case 'collectDigits':
        return this.collectDigits(command);
      case 'stopCollectDigits':
        return this.stopCollectDigits(command);
      case 'recordStart':
        return this.recordStart(command);
      case 'recordPause':
        return this.recordPause(command);
      case 'recordResume':
        return this.recordResume(command);
      case 'recordStop':
        return this.recordStop(command);
      case 'bridge':
        return this.bridge(command);
      case 'unbridge':
        return this.unbridge(command);
      case 'conferenceAdd':
        return this.conferenceAdd(command);
      case 'conferenceRemove':
        return this.conferenceRemove(command);
      case 'conferenceSetFlags':
        return this.conferenceSetFlags(command);
      case 'conferenceSupervise':
        return this.conferenceSupervise(command);
      case 'sendDtmf':
        return this.sendDtmf(command);
      case 'injectDigit':
        return this.injectDigit(command);
      case 'destroyLeg':
        return this.destroyLeg(command);
      case 'statistics':
        return this.statistics();
      case 'shutdown':
        return this.shutdown();
    }
  }

  // ---------------------------------------------------------------- legs

  private async createLeg(command: WorkerCommandOf<'createLeg'>): Promise<Reply<'createLeg'>> {
    const request = command.request;
    if (this.legs.has(request.legId) || this.pendingLegIds.has(request.legId)) {
      return err(mediaEngineError('MEDIA_ENGINE_LEG_EXISTS', `leg ${request.legId} exists`, 'legId'));
    }
    const localAddress = request.localAddress ?? command.bindAddress;
    if (isIP(localAddress) === 0) return badRequest(`${localAddress} is not an IP address`, 'localAddress');
    this.pendingLegIds.add(request.legId);
    const pair = await this.ports.allocate(localAddress);
    this.pendingLegIds.delete(request.legId);
    if (!pair.ok) return pair;
    if (this.isShutDown) {
      pair.value.rtp.close();
      pair.value.rtcp.close();
      return err(mediaEngineError('MEDIA_ENGINE_NOT_RUNNING', 'the worker is shutting down'));
    }
    // RFC 3550 §5.1: SSRC, first sequence number and first timestamp are random.
    const ssrc = randomInt(0, 2 ** 32);
    const leg = new RtpLeg(
      {
        legId: request.legId,
        callId: request.callId,
        localAddress,
        remoteAddress: request.remoteAddress,
        remotePort: request.remotePort,
        remoteRtcpPort: request.remoteRtcpPort ?? request.remotePort + 1,
        payloadType: request.payloadType,
        telephoneEventPayloadType: request.telephoneEventPayloadType,
        detectsDigits: request.detectsDigits ?? true,
        noMediaTimeoutMs: request.noMediaTimeoutMs ?? this.setup.noMediaTimeoutMs,
        rtcpIntervalMs: this.setup.rtcpIntervalMs,
        ssrc,
        initialSequence: randomInt(0, 2 ** 16),
        initialTimestamp: randomInt(0, 2 ** 32),
      },
      pair.value,
      this.context,
    );
    this.legs.set(leg.id, leg);
    this.housekeeping.add(leg);
    return ok({
      legId: leg.id,
      localAddress,
      localPort: leg.localPort,
      localRtcpPort: leg.localPort + 1,
      ssrc,
      workerIndex: this.setup.workerIndex,
    });
  }

  private updateRemote(command: WorkerCommandOf<'updateRemote'>): Reply<'updateRemote'> {
    const request = command.request;
    const leg = this.legs.get(request.legId);
    if (leg === undefined) return notFound(request.legId);
    leg.updateRemote(
      request.remoteAddress,
      request.remotePort,
      request.remoteRtcpPort ?? request.remotePort + 1,
      request.payloadType,
      request.telephoneEventPayloadType,
      request.noMediaTimeoutMs,
    );
    return ok(undefined);
  }

  private destroyLeg(command: WorkerCommandOf<'destroyLeg'>): Reply<'destroyLeg'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    const nowMs = this.now();
    this.legs.delete(leg.id);
    this.housekeeping.delete(leg);
    if (leg.playback !== undefined) this.endPlayback(leg, leg.playback, 'leg-destroyed', undefined, nowMs);
    if (leg.collection !== undefined) this.stepCollection(leg, { kind: 'cancel' }, nowMs);
    const peer = leg.peer;
    if (peer !== undefined) {
      peer.peer = undefined;
      peer.out.interrupt();
      leg.peer = undefined;
    }
    this.leaveConference(leg);
    for (const recorder of [...this.recordings.values()]) {
      if (recorder.customer === leg || recorder.agent === leg)
        void this.finishRecording(recorder, 'leg-destroyed');
    }
    const quality = leg.quality(nowMs);
    leg.close();
    this.emit({ type: 'legDestroyed', quality, atMs: nowMs });
    return ok(quality);
  }

  // ---------------------------------------------------------------- playback and digits

  private play(command: WorkerCommandOf<'play'>): Reply<'play'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    const nowMs = this.now();
    if (leg.playback !== undefined) this.endPlayback(leg, leg.playback, 'replaced', undefined, nowMs);
    leg.playback = {
      playbackId: command.playbackId,
      cursor: new PlaybackCursor(command.items, command.isLooping),
      isBargeIn: command.isBargeIn,
    };
    leg.out.interrupt();
    return ok({ playbackId: command.playbackId });
  }

  private stopPlayback(command: WorkerCommandOf<'stopPlayback'>): Reply<'stopPlayback'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    const playback = leg.playback;
    if (playback === undefined) return ok({ wasPlaying: false });
    this.endPlayback(leg, playback, 'stopped', undefined, this.now());
    return ok({ wasPlaying: true });
  }

  private endPlayback(
    leg: RtpLeg,
    playback: ActivePlayback,
    reason: PlaybackEndReason,
    digit: DtmfDigit | undefined,
    nowMs: number,
  ): void {
    if (leg.playback === playback) {
      leg.playback = undefined;
      leg.out.interrupt();
    }
    this.emit({
      type: 'playbackFinished',
      legId: leg.id,
      playbackId: playback.playbackId,
      reason,
      digit,
      atMs: nowMs,
    });
    // A menu's first-digit timeout runs from the end of its prompt.
    if (reason !== 'replaced' && leg.collection !== undefined) {
      this.stepCollection(leg, { kind: 'release-timers', atMs: nowMs }, nowMs);
    }
  }

  private collectDigits(command: WorkerCommandOf<'collectDigits'>): Reply<'collectDigits'> {
    const request = command.request;
    const leg = this.legs.get(request.legId);
    if (leg === undefined) return notFound(request.legId);
    const spec: DigitCollectionSpec = {
      minDigits: request.minDigits,
      maxDigits: request.maxDigits,
      terminators: request.terminators ?? '#',
      firstDigitTimeoutMs: request.firstDigitTimeoutMs,
      interDigitTimeoutMs: request.interDigitTimeoutMs,
    };
    const nowMs = this.now();
    if (leg.collection !== undefined) this.stepCollection(leg, { kind: 'cancel' }, nowMs);
    leg.collection = startDigitCollection(spec, nowMs, leg.playback !== undefined);
    return ok(undefined);
  }

  private stopCollectDigits(command: WorkerCommandOf<'stopCollectDigits'>): Reply<'stopCollectDigits'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    if (leg.collection === undefined) return ok({ wasCollecting: false });
    this.stepCollection(leg, { kind: 'cancel' }, this.now());
    return ok({ wasCollecting: true });
  }

  private stepCollection(leg: RtpLeg, input: DigitCollectionInput, nowMs: number): void {
    const state = leg.collection;
    if (state === undefined) return;
    const step = nextDigitCollection(state, input);
    const result = step.result;
    if (result === undefined) {
      leg.collection = step.state;
      return;
    }
    leg.collection = undefined;
    this.emit({ type: 'collectDigitsResult', legId: leg.id, ...result, atMs: nowMs });
  }

  private onDigit(leg: RtpLeg, digit: DtmfDigit, source: DigitSource, atMs: number): void {
    this.emit({ type: 'digit', legId: leg.id, digit, source, atMs });
    const playback = leg.playback;
    if (playback?.isBargeIn === true) this.endPlayback(leg, playback, 'barged-in', digit, atMs);
    if (leg.collection !== undefined) this.stepCollection(leg, { kind: 'digit', digit, atMs }, atMs);
  }

  private sendDtmf(command: WorkerCommandOf<'sendDtmf'>): Reply<'sendDtmf'> {
    const request = command.request;
    const leg = this.legs.get(request.legId);
    if (leg === undefined) return notFound(request.legId);
    const digits: DtmfDigit[] = [];
    for (const character of request.digits) {
      const digit = parseDtmfDigit(character);
      if (!digit.ok) return digit;
      digits.push(digit.value);
    }
    const durationMs = request.durationMs ?? 100;
    const gapMs = request.gapMs ?? 60;
    leg.queueDtmf(digits, durationMs, gapMs);
    return ok({ expectedDurationMs: digits.length * (durationMs + gapMs) });
  }

  private injectDigit(command: WorkerCommandOf<'injectDigit'>): Reply<'injectDigit'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    this.onDigit(leg, command.digit, 'sip-info', this.now());
    return ok(undefined);
  }

  // ---------------------------------------------------------------- bridges and conferences

  private bridge(command: WorkerCommandOf<'bridge'>): Reply<'bridge'> {
    const a = this.legs.get(command.legIdA);
    if (a === undefined) return notFound(command.legIdA);
    const b = this.legs.get(command.legIdB);
    if (b === undefined) return notFound(command.legIdB);
    if (a === b) return badRequest('a leg cannot be bridged to itself', 'legIdB');
    for (const leg of [a, b]) {
      if (leg.peer !== undefined || leg.conferenceId !== undefined) {
        return err(mediaEngineError('MEDIA_ENGINE_LEG_BUSY', `leg ${leg.id} is already connected`, 'legId'));
      }
    }
    a.peer = b;
    b.peer = a;
    return ok(undefined);
  }

  private unbridge(command: WorkerCommandOf<'unbridge'>): Reply<'unbridge'> {
    const leg = this.legs.get(command.legId);
    if (leg === undefined) return notFound(command.legId);
    const peer = leg.peer;
    if (peer === undefined) {
      return err(mediaEngineError('MEDIA_ENGINE_LEG_NOT_CONNECTED', `leg ${leg.id} is not bridged`, 'legId'));
    }
    leg.peer = undefined;
    peer.peer = undefined;
    leg.out.interrupt();
    peer.out.interrupt();
    return ok(undefined);
  }

  private conferenceAdd(command: WorkerCommandOf<'conferenceAdd'>): Reply<'conferenceAdd'> {
    const request = command.request;
    const leg = this.legs.get(request.legId);
    if (leg === undefined) return notFound(request.legId);
    if (leg.peer !== undefined || leg.conferenceId !== undefined) {
      return err(mediaEngineError('MEDIA_ENGINE_LEG_BUSY', `leg ${leg.id} is already connected`, 'legId'));
    }
    let conference = this.conferences.get(request.conferenceId);
    if (conference === undefined) {
      conference = new Conference(request.conferenceId);
      this.conferences.set(conference.id, conference);
    }
    const flags: { isHearing?: boolean; isSpeaking?: boolean } = {};
    if (request.isHearing !== undefined) flags.isHearing = request.isHearing;
    if (request.isSpeaking !== undefined) flags.isSpeaking = request.isSpeaking;
    const added = conference.add(leg, flags);
    if (added.ok) return ok(undefined);
    if (conference.size === 0) this.conferences.delete(conference.id);
    return added;
  }

  private memberOf(
    conferenceId: string,
    legId: string,
  ): Result<{ conference: Conference; leg: RtpLeg }, MediaEngineError> {
    const conference = this.conferences.get(conferenceId);
    if (conference === undefined) {
      return err(
        mediaEngineError(
          'MEDIA_ENGINE_CONFERENCE_NOT_FOUND',
          `no conference ${conferenceId}`,
          'conferenceId',
        ),
      );
    }
    const leg = this.legs.get(legId);
    if (leg === undefined) return notFound(legId);
    if (leg.conferenceId !== conferenceId) {
      return err(
        mediaEngineError(
          'MEDIA_ENGINE_LEG_NOT_CONNECTED',
          `leg ${legId} is not in conference ${conferenceId}`,
          'legId',
        ),
      );
    }
    return ok({ conference, leg });
  }

  private conferenceRemove(command: WorkerCommandOf<'conferenceRemove'>): Reply<'conferenceRemove'> {
    const member = this.memberOf(command.conferenceId, command.legId);
    if (!member.ok) return member;
    this.leaveConference(member.value.leg);
    return ok(undefined);
  }

  private leaveConference(leg: RtpLeg): void {
    const conferenceId = leg.conferenceId;
    if (conferenceId === undefined) return;
    const conference = this.conferences.get(conferenceId);
    if (conference === undefined) return;
    conference.remove(leg);
    if (conference.size === 0) this.conferences.delete(conferenceId);
  }

  private conferenceSetFlags(command: WorkerCommandOf<'conferenceSetFlags'>): Reply<'conferenceSetFlags'> {
    const member = this.memberOf(command.conferenceId, command.legId);
    if (!member.ok) return member;
    const flags: { isHearing?: boolean; isSpeaking?: boolean } = {};
    if (command.isHearing !== undefined) flags.isHearing = command.isHearing;
    if (command.isSpeaking !== undefined) flags.isSpeaking = command.isSpeaking;
    const set = member.value.conference.setFlags(member.value.leg, flags);
    return set.ok ? ok(undefined) : set;
  }

  private conferenceSupervise(command: WorkerCommandOf<'conferenceSupervise'>): Reply<'conferenceSupervise'> {
    const request = command.request;
    let conference: Conference | undefined;
    for (const legId of [request.customerLegId, request.agentLegId, request.supervisorLegId]) {
      const member = this.memberOf(request.conferenceId, legId);
      if (!member.ok) return member;
      conference = member.value.conference;
    }
    if (conference === undefined) return badRequest('no parties', 'conferenceId');
    const supervised = conference.supervise(
      { customer: request.customerLegId, agent: request.agentLegId, supervisor: request.supervisorLegId },
      request.mode,
    );
    if (conference.size === 0) this.conferences.delete(conference.id);
    return supervised.ok ? ok(undefined) : supervised;
  }

  // ---------------------------------------------------------------- recording

  private async recordStart(command: WorkerCommandOf<'recordStart'>): Promise<Reply<'recordStart'>> {
    const id = command.recordingId;
    if (this.recordings.has(id) || this.pendingRecordingIds.has(id)) {
      return err(mediaEngineError('MEDIA_ENGINE_RECORDING_EXISTS', `recording ${id} exists`, 'recordingId'));
    }
    const customer = this.legs.get(command.customerLegId);
    if (customer === undefined) return notFound(command.customerLegId);
    const agent = command.agentLegId === undefined ? undefined : this.legs.get(command.agentLegId);
    if (command.agentLegId !== undefined && agent === undefined) return notFound(command.agentLegId);
    if (customer === agent) return badRequest('customer and agent must be different legs', 'agentLegId');
    this.pendingRecordingIds.add(id);
    let recorder: CallRecorder;
    try {
      recorder = await CallRecorder.start(
        id,
        customer,
        agent,
        command.path,
        command.monoPath,
        this.fileWrites,
        this.setup.recordingChunkMs,
        this.firstChunkMs(),
      );
    } catch (error) {
      return err(
        mediaEngineError(
          'MEDIA_ENGINE_RECORDING_IO',
          error instanceof Error ? error.message : String(error),
          'path',
        ),
      );
    } finally {
      this.pendingRecordingIds.delete(id);
    }
    if (!this.legs.has(customer.id) || (agent !== undefined && !this.legs.has(agent.id))) {
      // A leg went away while the files were being opened.
      void this.finishRecording(recorder, 'leg-destroyed');
    } else {
      this.recordings.set(id, recorder);
    }
    return ok({ recordingId: id, path: command.path, monoPath: command.monoPath });
  }

  private recording(id: string): Result<CallRecorder, MediaEngineError> {
    const recorder = this.recordings.get(id);
    return recorder === undefined
      ? err(mediaEngineError('MEDIA_ENGINE_RECORDING_NOT_FOUND', `no recording ${id}`, 'recordingId'))
      : ok(recorder);
  }

  private recordPause(command: WorkerCommandOf<'recordPause'>): Reply<'recordPause'> {
    const recorder = this.recording(command.recordingId);
    if (!recorder.ok) return recorder;
    recorder.value.pause(command.reason);
    return ok({ isPaused: true });
  }

  private recordResume(command: WorkerCommandOf<'recordResume'>): Reply<'recordResume'> {
    const recorder = this.recording(command.recordingId);
    if (!recorder.ok) return recorder;
    recorder.value.resume();
    return ok({ isPaused: false });
  }

  /**
   * Staggers recordings' disk writes: each new recording's first chunk ends at a different tick of the
   * chunk period (stepping 7 ticks at a time round it), so a burst of recordings started together (calls
   * answered at once) does not write every one of its files in the same tick each second, which would
   * hold up the media thread and show as jitter.
   */
  private firstChunkMs(): number {
    const ticksPerChunk = Math.max(1, Math.round(this.setup.recordingChunkMs / FRAME_MS));
    const offset = (this.recordingsStarted++ * 7) % ticksPerChunk;
    return (ticksPerChunk - offset) * FRAME_MS;
  }

  private async recordStop(command: WorkerCommandOf<'recordStop'>): Promise<Reply<'recordStop'>> {
    const recorder = this.recording(command.recordingId);
    if (!recorder.ok) return recorder;
    return ok(await this.finishRecording(recorder.value, 'stopped'));
  }

  private async finishRecording(
    recorder: CallRecorder,
    reason: RecordingEndReason,
  ): Promise<RecordingSummary> {
    this.recordings.delete(recorder.id);
    const summary = await recorder.finish(reason);
    this.emit({ type: 'recordingFinished', summary, atMs: this.now() });
    return summary;
  }

  // ---------------------------------------------------------------- the tick

  /** Runs one tick; returns the ms it spent reading and relaying datagrams on the way (see `stepTick`). */
  private onTick(tick: number): number {
    const nowMs = this.now();
    this.tickSteps = 0;
    this.lastReadMs = nowMs;
    this.readingMs = 0;
    for (const leg of this.legs.values()) {
      if (!leg.hasTap) continue;
      leg.popTap();
      this.stepTick();
    }
    for (const conference of this.conferences.values()) {
      conference.tick(tick);
      this.stepTick();
    }
    for (const leg of this.legs.values()) {
      if (!leg.isGeneratingOutput) continue;
      const finished = leg.tickOutput(tick);
      if (finished !== undefined) this.endPlayback(leg, finished, 'completed', undefined, nowMs);
      this.stepTick();
    }
    for (const recorder of this.recordings.values()) {
      recorder.tick();
      this.stepTick();
      if (recorder.failure !== undefined) {
        this.log('error', 'recording write failed', { recordingId: recorder.id, error: recorder.failure });
        void this.finishRecording(recorder, 'write-failed');
      }
    }
    // Every chunk (and header patch) that came due this tick, in one thread-pool job.
    this.fileWrites.submit();
    const round = Math.floor(tick / HOUSEKEEPING_EVERY_TICKS);
    const isNoMediaCheck = round % NO_MEDIA_EVERY_ROUNDS === 0;
    for (const leg of this.housekeeping.due(tick)) {
      if (leg.collection !== undefined) this.stepCollection(leg, { kind: 'time', nowMs }, nowMs);
      leg.pollTelephoneEvents(nowMs);
      leg.tickRtcp(nowMs);
      if (isNoMediaCheck) {
        const seconds = leg.checkNoMedia(nowMs);
        if (seconds !== undefined) this.emit({ type: 'noMedia', legId: leg.id, seconds, atMs: nowMs });
      }
      this.stepTick();
    }
    return this.readingMs;
  }

  /**
   * One step of a tick's loops: every `tickReadMicros` of the tick's work the datagrams waiting are read and
   * relayed on the spot. A leg already popped this tick keeps what arrives for the next; one not yet popped
   * finds it in its buffer, as if it had come just before the tick.
   */
  private stepTick(): void {
    if (this.tickReadMs > 0 && (++this.tickSteps & (TICK_STEPS_PER_CLOCK_READ - 1)) !== 0) return;
    const nowMs = this.now();
    if (nowMs - this.lastReadMs < this.tickReadMs) return;
    this.datagramsReadInTicks += this.sockets.readWaiting();
    this.lastReadMs = this.now();
    this.readingMs += this.lastReadMs - nowMs;
  }

  // ---------------------------------------------------------------- worker

  private statistics(): Reply<'statistics'> {
    const cpu = process.threadCpuUsage();
    return ok({
      workerIndex: this.setup.workerIndex,
      legs: this.legs.size,
      clock: this.clock.statistics(),
      packetsReceived: this.traffic.packetsReceived,
      packetsSent: this.traffic.packetsSent,
      packetsRelayed: this.traffic.packetsRelayed,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      datagramIo: this.sockets.kind,
      sendsDropped: this.sockets.sendsDropped,
      receiveBatches: this.sockets.receiveBatches,
      datagramsReadInTicks: this.datagramsReadInTicks,
    });
  }

  /** Finishes every recording, closes every leg and stops the clock. */
  private async shutdown(): Promise<Reply<'shutdown'>> {
    this.isShutDown = true;
    await Promise.all(
      [...this.recordings.values()].map((recorder) => this.finishRecording(recorder, 'engine-stopped')),
    );
    for (const leg of this.legs.values()) leg.close();
    this.legs.clear();
    this.housekeeping.clear();
    this.conferences.clear();
    this.clock.stop();
    this.sockets.shutDown();
    return ok(undefined);
  }
}
