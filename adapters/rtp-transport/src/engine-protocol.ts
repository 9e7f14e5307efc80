import type { DatagramIoKind } from './media-socket.ts';
import type { Result } from '@centralita/kernel';
import type { DtmfDigit, RecordingPauseMarker, SupervisionMode, ToneSpec } from '@centralita/media';
import type { DigitCollectionEndReason } from './digit-collection.ts';
import type { MediaEngineError } from './errors.ts';
import type { MediaClockStatistics } from './media-clock.ts';
import type { PlaybackSource } from './playback-cursor.ts';

/** The two G.711 static payload types (RFC 3551 §6): 0 PCMU, 8 PCMA. */
export type G711PayloadType = 0 | 8;

/** A leg as the SDP negotiation left it. */
export interface CreateLegRequest {
  /** The call layer's id for the leg; unique in the engine. */
  readonly legId: string;
  /**
   * Placement key: legs with the same call id live on the same worker, so they can be bridged,
   * conferenced and recorded together. Give a supervisor's leg the supervised call's id.
   */
  readonly callId: string;
  /** Local address to bind (default: the engine's `bindAddress`). */
  readonly localAddress?: string;
  /** From the remote SDP's c= line: where to send until the peer's own packets latch its address. */
  readonly remoteAddress: string;
  /** From the remote SDP's m= line. */
  readonly remotePort: number;
  /** From a=rtcp (RFC 3605); default remotePort + 1. */
  readonly remoteRtcpPort?: number;
  readonly payloadType: G711PayloadType;
  /** The negotiated telephone-event payload type (96-127); absent: DTMF is detected in-band. */
  readonly telephoneEventPayloadType?: number;
  /**
   * False when nobody listens to this leg's keys (an agent's or a supervisor's phone): no `digit` events and,
   * above all, no in-band tone detection on every packet. RFC 4733 packets are still relayed. Default true.
   */
  readonly detectsDigits?: boolean;
  /** Report `noMedia` after this long without a packet; 0 turns it off (default: the engine's). */
  readonly noMediaTimeoutMs?: number;
}

/** What the leg got: put these in our SDP answer or offer. */
export interface LegCreated {
  readonly legId: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly localRtcpPort: number;
  /** Our SSRC towards this leg. */
  readonly ssrc: number;
  /** Which worker owns the leg (for logs and stats). */
  readonly workerIndex: number;
}

/** A re-INVITE changed the peer's address or codec. */
export interface UpdateRemoteRequest {
  readonly legId: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteRtcpPort?: number;
  readonly payloadType?: G711PayloadType;
  /** A number sets it; null removes it (in-band detection takes over); absent keeps it. */
  readonly telephoneEventPayloadType?: number | null;
  /** A new no-media timeout (0 while the peer holds the call with a=sendonly or a=inactive). */
  readonly noMediaTimeoutMs?: number;
}

/** Something to play, as the call layer names it. */
export type PlaybackItem =
  /** A WAV file of any common format; converted to 8 kHz once and kept in memory. */
  | { readonly kind: 'file'; readonly path: string }
  /** A tone (call-progress tones, a DTMF digit as audio...). */
  | { readonly kind: 'tone'; readonly tone: ToneSpec; readonly durationMs?: number }
  | { readonly kind: 'silence'; readonly durationMs: number };

/** Play to one leg. Its bridge or conference audio is replaced while the playback runs. */
export interface PlayRequest {
  readonly legId: string;
  readonly items: readonly PlaybackItem[];
  /** Start over at the end (music on hold) until stopped. */
  readonly isLooping?: boolean;
  /** Stop at the first digit the leg sends (barge-in). */
  readonly isBargeIn?: boolean;
  /** Id for the events; one is made up when absent. */
  readonly playbackId?: string;
}

/** The playback that started (a playback already running on the leg was replaced). */
export interface PlaybackStarted {
  readonly playbackId: string;
}

/** Collect keys from a leg; the result comes as a `collectDigitsResult` event. */
export interface CollectDigitsRequest {
  readonly legId: string;
  readonly minDigits: number;
  readonly maxDigits: number;
  /** Keys that end the input (default "#"); "" for none. */
  readonly terminators?: string;
  /** Counted from the end of the leg's current playback, if one is running. */
  readonly firstDigitTimeoutMs: number;
  readonly interDigitTimeoutMs: number;
}

/**
 * Record a two-party call: stereo WAV with the customer left and the agent right. Without `agentLegId`,
 * a one-party recording (a voicemail): mono WAV of what the customer says.
 */
export interface RecordStartRequest {
  readonly recordingId: string;
  readonly customerLegId: string;
  readonly agentLegId?: string;
  /** File path relative to the engine's recording directory. */
  readonly path: string;
  /** Optional mono mix of both parties, relative to the recording directory. */
  readonly monoPath?: string;
}

/** Where the recording is being written (absolute paths). */
export interface RecordingStarted {
  readonly recordingId: string;
  readonly path: string;
  readonly monoPath: string | undefined;
}

/** Why a recording ended. */
export type RecordingEndReason = 'stopped' | 'leg-destroyed' | 'engine-stopped' | 'write-failed';

/** A finished recording, to save on the interaction. */
export interface RecordingSummary {
  readonly recordingId: string;
  readonly path: string;
  readonly monoPath: string | undefined;
  readonly durationMs: number;
  /** Each pause (silence in the file), for the recording's metadata. */
  readonly markers: readonly RecordingPauseMarker[];
  readonly reason: RecordingEndReason;
  /** False when the file could not be finalised (a write failed); it is still readable. */
  readonly isComplete: boolean;
}

/** Add a leg to a conference (created on first use) with its hear/speak flags. */
export interface ConferenceAddRequest {
  readonly conferenceId: string;
  readonly legId: string;
  readonly isHearing?: boolean;
  readonly isSpeaking?: boolean;
}

/** Supervision: set the hear/speak matrix of a three-party conference to a mode. */
export interface ConferenceSuperviseRequest {
  readonly conferenceId: string;
  readonly mode: SupervisionMode;
  readonly customerLegId: string;
  readonly agentLegId: string;
  readonly supervisorLegId: string;
}

/** Send DTMF to a leg as RFC 4733 telephone-events. */
export interface SendDtmfRequest {
  readonly legId: string;
  readonly digits: string;
  /** Each key's duration (default 100 ms). */
  readonly durationMs?: number;
  /** Pause between keys (default 60 ms). */
  readonly gapMs?: number;
}

/** Per-leg quality figures, to save with the call. */
export interface LegQuality {
  readonly legId: string;
  readonly packetsReceived: number;
  readonly packetsExpected: number;
  readonly packetsLost: number;
  readonly lossPercent: number;
  /** RFC 3550 A.8 interarrival jitter of the peer's stream. */
  readonly jitterMs: number;
  /** From RTCP, if the peer reported on our stream. */
  readonly roundTripMs: number | undefined;
  /** G.107 E-model estimate (half the round trip as one-way delay; 0 without RTCP). */
  readonly rFactor: number;
  readonly mos: number;
  readonly packetsSent: number;
  /** Packets from another source after latching (hijack attempts, stale NAT bindings). */
  readonly packetsIgnored: number;
  readonly packetsMalformed: number;
  /** Packets with a payload type not negotiated (comfort noise, another codec): dropped. */
  readonly packetsOtherPayload: number;
  /** The address media was latched to, "address:port". */
  readonly latchedSource: string | undefined;
  readonly durationMs: number;
}

/** One worker's health: media clock lateness and traffic. */
export interface WorkerStatistics {
  readonly workerIndex: number;
  readonly legs: number;
  readonly clock: MediaClockStatistics;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly packetsRelayed: number;
  /** CPU time of the worker thread, in µs (process.threadCpuUsage). */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** How its sockets move datagrams. */
  readonly datagramIo: DatagramIoKind;
  /** Sends dropped because a socket's send buffer was full (native path; dgram queues instead). */
  readonly sendsDropped: number;
  /** Batches of received datagrams (native path): `packetsReceived` ÷ this is datagrams per wake-up. */
  readonly receiveBatches: number | undefined;
  /** Datagrams read in the middle of long ticks, so they did not wait for the tick to end (native path). */
  readonly datagramsReadInTicks: number;
}

/** How a digit reached us. */
export type DigitSource = 'rfc4733' | 'inband' | 'sip-info';

/** Why a playback ended. */
export type PlaybackEndReason = 'completed' | 'stopped' | 'barged-in' | 'replaced' | 'leg-destroyed';

/** Events the engine reports to the call layer. Times are Unix ms. */
export type MediaEvent =
  | {
      readonly type: 'digit';
      readonly legId: string;
      readonly digit: DtmfDigit;
      readonly source: DigitSource;
      readonly atMs: number;
    }
  | {
      readonly type: 'playbackFinished';
      readonly legId: string;
      readonly playbackId: string;
      readonly reason: PlaybackEndReason;
      /** The key that barged in. */
      readonly digit: DtmfDigit | undefined;
      readonly atMs: number;
    }
  | {
      readonly type: 'collectDigitsResult';
      readonly legId: string;
      readonly digits: string;
      readonly terminator: DtmfDigit | undefined;
      readonly reason: DigitCollectionEndReason;
      readonly isValid: boolean;
      readonly atMs: number;
    }
  | { readonly type: 'recordingFinished'; readonly summary: RecordingSummary; readonly atMs: number }
  | { readonly type: 'noMedia'; readonly legId: string; readonly seconds: number; readonly atMs: number }
  | { readonly type: 'legDestroyed'; readonly quality: LegQuality; readonly atMs: number }
  | {
      readonly type: 'workerExited';
      readonly workerIndex: number;
      /** Legs that died with the worker. */
      readonly legIds: readonly string[];
      readonly atMs: number;
    };

/** A playback source as the worker receives it: files already converted to 8 kHz PCM. */
export type WorkerPlaybackItem = PlaybackSource;

/** Commands from the engine (main thread) to a worker. */
export type WorkerCommand =
  | { readonly type: 'createLeg'; readonly request: CreateLegRequest; readonly bindAddress: string }
  | { readonly type: 'updateRemote'; readonly request: UpdateRemoteRequest }
  | {
      readonly type: 'play';
      readonly legId: string;
      readonly playbackId: string;
      readonly items: readonly WorkerPlaybackItem[];
      readonly isLooping: boolean;
      readonly isBargeIn: boolean;
    }
  | { readonly type: 'stopPlayback'; readonly legId: string }
  | { readonly type: 'collectDigits'; readonly request: CollectDigitsRequest }
  | { readonly type: 'stopCollectDigits'; readonly legId: string }
  | {
      readonly type: 'recordStart';
      readonly recordingId: string;
      readonly customerLegId: string;
      readonly agentLegId: string | undefined;
      readonly path: string;
      readonly monoPath: string | undefined;
    }
  | { readonly type: 'recordPause'; readonly recordingId: string; readonly reason: string }
  | { readonly type: 'recordResume'; readonly recordingId: string }
  | { readonly type: 'recordStop'; readonly recordingId: string }
  | { readonly type: 'bridge'; readonly legIdA: string; readonly legIdB: string }
  | { readonly type: 'unbridge'; readonly legId: string }
  | { readonly type: 'conferenceAdd'; readonly request: ConferenceAddRequest }
  | { readonly type: 'conferenceRemove'; readonly conferenceId: string; readonly legId: string }
  | {
      readonly type: 'conferenceSetFlags';
      readonly conferenceId: string;
      readonly legId: string;
      readonly isHearing?: boolean;
      readonly isSpeaking?: boolean;
    }
  | { readonly type: 'conferenceSupervise'; readonly request: ConferenceSuperviseRequest }
  | { readonly type: 'sendDtmf'; readonly request: SendDtmfRequest }
  | { readonly type: 'injectDigit'; readonly legId: string; readonly digit: DtmfDigit }
  | { readonly type: 'destroyLeg'; readonly legId: string }
  | { readonly type: 'statistics' }
  | { readonly type: 'shutdown' };

/** Main thread -> worker. */
export interface WorkerRequestMessage {
  readonly kind: 'command';
  readonly id: number;
  readonly command: WorkerCommand;
}

/** Worker -> main thread. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'reply'; readonly id: number; readonly result: Result<unknown, MediaEngineError> }
  | { readonly kind: 'event'; readonly event: MediaEvent }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly message: string;
      readonly fields: Readonly<Record<string, unknown>>;
    };

/** What the worker needs at start. */
export interface WorkerSetup {
  readonly workerIndex: number;
  /** Ports this worker may use (pairs from an even port); absent: the OS picks. */
  readonly portRange: { readonly min: number; readonly max: number } | undefined;
  readonly noMediaTimeoutMs: number;
  readonly recordingChunkMs: number;
  readonly rtcpIntervalMs: number;
  /** How the worker's sockets move datagrams, chosen by the main thread (ADR 0009). */
  readonly datagramIo: DatagramIoKind;
  /** On the native path: how long received datagrams may gather under load, in µs (0: not at all). */
  readonly gatherMicros: number;
  /** The worker thread's nice value (0: left alone). */
  readonly threadNice: number;
  /** During a long tick, read waiting datagrams this often, in µs (0: at every step). */
  readonly tickReadMicros: number;
}

/** What each worker command answers with when it succeeds. */
export interface WorkerReplies {
  readonly createLeg: LegCreated;
  readonly updateRemote: undefined;
  readonly play: PlaybackStarted;
  readonly stopPlayback: { readonly wasPlaying: boolean };
  readonly collectDigits: undefined;
  readonly stopCollectDigits: { readonly wasCollecting: boolean };
  readonly recordStart: RecordingStarted;
  readonly recordPause: { readonly isPaused: boolean };
  readonly recordResume: { readonly isPaused: boolean };
  readonly recordStop: RecordingSummary;
  readonly bridge: undefined;
  readonly unbridge: undefined;
  readonly conferenceAdd: undefined;
  readonly conferenceRemove: undefined;
  readonly conferenceSetFlags: undefined;
  readonly conferenceSupervise: undefined;
  readonly sendDtmf: { readonly expectedDurationMs: number };
  readonly injectDigit: undefined;
  readonly destroyLeg: LegQuality;
  readonly statistics: WorkerStatistics;
  readonly shutdown: undefined;
}

/** The command of one type. */
export type WorkerCommandOf<K extends WorkerCommand['type']> = Extract<WorkerCommand, { readonly type: K }>;
