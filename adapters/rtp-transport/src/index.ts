// The control interface (main thread)
export type { MediaEngineLogger, MediaEngineOptions } from './media-engine.ts';
export {
  DEFAULT_GATHER_MICROS,
  DEFAULT_MEDIA_THREAD_NICE,
  MAX_GATHER_MICROS,
  MediaEngine,
} from './media-engine.ts';
export type {
  CollectDigitsRequest,
  ConferenceAddRequest,
  ConferenceSuperviseRequest,
  CreateLegRequest,
  DigitSource,
  G711PayloadType,
  LegCreated,
  LegQuality,
  MediaEvent,
  PlayRequest,
  PlaybackEndReason,
  PlaybackItem,
  PlaybackStarted,
  RecordStartRequest,
  RecordingEndReason,
  RecordingStarted,
  RecordingSummary,
  SendDtmfRequest,
  UpdateRemoteRequest,
  WorkerStatistics,
} from './engine-protocol.ts';
export type { DigitCollectionEndReason, DigitCollectionResult } from './digit-collection.ts';
export type { MediaClockStatistics } from './media-clock.ts';
export type { PortRange } from './udp-port-pair.ts';

// Errors
export type { MediaEngineError, MediaEngineErrorCode } from './errors.ts';
export { mediaEngineError, mediaEngineErrorCodes } from './errors.ts';

// The datagram path, for tools that send and time media themselves (the media benchmark's generator)
export type { MediaSocket } from './media-socket.ts';
export { unixNowMs } from './media-socket.ts';
export { loadNativeMediaIo, NativeSocketFactory } from './native-media-io.ts';
