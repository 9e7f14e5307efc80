import type { DomainError } from '@centralita/kernel';
import { domainError } from '@centralita/kernel';
import type { MediaErrorCode } from '@centralita/media';

/**
 * Every expected failure of the media engine's control interface, with a stable code. A call that
 * fails resolves to one of these (or to a `MEDIA_WAV_*`/`MEDIA_DTMF_*`/`MEDIA_MIXER_*` code of
 * `@centralita/media` passed through); no control call rejects its promise.
 */
export const mediaEngineErrorCodes = [
  // The engine was stopped, or is stopping, and takes no more commands.
  'MEDIA_ENGINE_NOT_RUNNING',
  // A media worker could not start.
  'MEDIA_ENGINE_WORKER_FAILED',
  // datagramIo 'native' was asked for but the media_io addon cannot be built or loaded (the message says why).
  'MEDIA_ENGINE_DATAGRAM_IO',
  // The worker that owned the leg (or ran the command) exited; its legs are gone.
  'MEDIA_ENGINE_WORKER_EXITED',
  // An unexpected fault in the worker while running the command; it is logged.
  'MEDIA_ENGINE_INTERNAL',
  // The worker did not answer within the command timeout.
  'MEDIA_ENGINE_TIMEOUT',
  // A parameter is missing or out of range (payload type, port, address, lengths, path).
  'MEDIA_ENGINE_BAD_REQUEST',
  // A leg with that id already exists.
  'MEDIA_ENGINE_LEG_EXISTS',
  // No leg with that id.
  'MEDIA_ENGINE_LEG_NOT_FOUND',
  // No free RTP/RTCP port pair in the configured range (or the OS gave none).
  'MEDIA_ENGINE_NO_PORTS',
  // The legs live on different workers: create legs that will meet with the same call id.
  'MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS',
  // The leg is already bridged or in a conference.
  'MEDIA_ENGINE_LEG_BUSY',
  // The leg is not bridged (unbridge) or not in that conference (conference calls).
  'MEDIA_ENGINE_LEG_NOT_CONNECTED',
  // No conference with that id.
  'MEDIA_ENGINE_CONFERENCE_NOT_FOUND',
  // A prompt file could not be read.
  'MEDIA_ENGINE_PROMPT_UNREADABLE',
  // A recording with that id already exists.
  'MEDIA_ENGINE_RECORDING_EXISTS',
  // No recording with that id.
  'MEDIA_ENGINE_RECORDING_NOT_FOUND',
  // The recording file could not be created or written.
  'MEDIA_ENGINE_RECORDING_IO',
] as const;

/** A stable media engine error code. */
export type MediaEngineErrorCode = (typeof mediaEngineErrorCodes)[number];

/** A failure of a control call: an engine code, or a code of the media package passed through. */
export type MediaEngineError = DomainError<MediaEngineErrorCode | MediaErrorCode>;

/** Builds a media engine failure value. */
export function mediaEngineError(
  code: MediaEngineErrorCode,
  message: string,
  field?: string,
): MediaEngineError {
  return domainError(code, message, field);
}
