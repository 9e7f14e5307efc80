// Errors
export type { MediaError, MediaErrorCode } from './errors.ts';
export { mediaError, mediaErrorCodes } from './errors.ts';

// Levels and the frame clock
export {
  FRAME_MS,
  FRAME_SAMPLES,
  TELEPHONY_SAMPLE_RATE_HZ,
  ZERO_DBM0_PEAK_AMPLITUDE,
  amplitudeFromDbm0,
  dbm0FromAmplitude,
} from './signal-level.ts';

// G.711
export type { G711Law } from './g711.ts';
export {
  ALAW_DECODE_TABLE,
  ALAW_ENCODE_TABLE,
  ALAW_TO_MULAW_TABLE,
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  MULAW_TO_ALAW_TABLE,
  alawToLinear,
  decodeG711,
  encodeG711,
  g711SilenceByte,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
  transcodeG711,
} from './g711.ts';

// RTP
export type {
  RtpHeaderExtension,
  RtpPacket,
  RtpPacketFields,
  RtpReadError,
  RtpReadStatus,
} from './rtp-packet.ts';
export {
  RTP_FIXED_HEADER_BYTES,
  RtpHeaderView,
  parseRtpPacket,
  rtpPacketLength,
  serializeRtpPacket,
  writeRtpFixedHeader,
  writeRtpPacket,
} from './rtp-packet.ts';
export type { RtpSequenceVerdict } from './rtp-sequence.ts';
export {
  RTP_MAX_DROPOUT,
  RTP_MAX_MISORDER,
  RTP_MIN_SEQUENTIAL,
  RtpSequenceTracker,
  extendSequenceNumber,
  isAcceptedSequence,
} from './rtp-sequence.ts';

// RTCP, reception statistics, quality
export type { NtpTimestamp } from './ntp-time.ts';
export { compactNtpFromUnixMs, ntpFromUnixMs, ntpMiddle32, unixMsFromNtp } from './ntp-time.ts';
export type {
  RtcpBye,
  RtcpOtherPacket,
  RtcpPacket,
  RtcpParseOptions,
  RtcpReceiverReport,
  RtcpReportBlock,
  RtcpSenderReport,
  RtcpSourceDescription,
  SdesChunk,
  SdesItem,
  SdesItemType,
} from './rtcp-packet.ts';
export { parseRtcpCompound, serializeRtcpCompound } from './rtcp-packet.ts';
export type { ReceptionSnapshot } from './rtp-reception-statistics.ts';
export { RtpReceptionStatistics, roundTripTimeMs } from './rtp-reception-statistics.ts';
export type { EModelEstimate, EModelInput } from './e-model.ts';
export {
  DEFAULT_R_FACTOR,
  G711_IMPAIRMENT,
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateG711Quality,
  mosFromRFactor,
} from './e-model.ts';

// DTMF
export type { DtmfDigit } from './dtmf-digit.ts';
export {
  DTMF_COLUMN_FREQUENCIES_HZ,
  DTMF_DIGITS,
  DTMF_ROW_FREQUENCIES_HZ,
  dtmfDigitAt,
  dtmfDigitFromEventCode,
  dtmfEventCode,
  dtmfFrequencies,
  isDtmfDigit,
  parseDtmfDigit,
} from './dtmf-digit.ts';
export type { TelephoneEvent } from './telephone-event.ts';
export {
  TELEPHONE_EVENT_BYTES,
  TELEPHONE_EVENT_MAX_DURATION,
  decodeTelephoneEvents,
  encodeTelephoneEvent,
  writeTelephoneEvent,
} from './telephone-event.ts';
export type { TelephoneEventPacketPlan, TelephoneEventRequest } from './telephone-event-sender.ts';
export { TELEPHONE_EVENT_END_REPEATS, planTelephoneEvent } from './telephone-event-sender.ts';
export type { TelephoneEventNotice, TelephoneEventReceiverOptions } from './telephone-event-receiver.ts';
export { TelephoneEventReceiver } from './telephone-event-receiver.ts';
export { goertzelCoefficient, goertzelPower, toneAmplitude } from './goertzel.ts';
export type { DtmfDetectorOptions, DtmfToneNotice } from './dtmf-detector.ts';
export { DTMF_BLOCK_SAMPLES, DtmfDetector } from './dtmf-detector.ts';

// Tones
export type { ToneSpec } from './tone-generator.ts';
export { SPANISH_CALL_PROGRESS_TONES, ToneGenerator, dtmfToneSpec } from './tone-generator.ts';

// Jitter buffer and mixer
export type {
  ConcealmentMode,
  JitterBufferDepth,
  JitterBufferOptions,
  JitterBufferStatistics,
  JitterPopOutcome,
  JitterPushOutcome,
} from './jitter-buffer.ts';
export { JitterBuffer } from './jitter-buffer.ts';
export type { MixerOptions, MixerParticipantFlags } from './mixer.ts';
export { Mixer } from './mixer.ts';
export type {
  SupervisionMatrix,
  SupervisionMode,
  SupervisionParties,
  SupervisionRole,
} from './supervision-mode.ts';
export { applySupervisionMode, supervisionMatrix } from './supervision-mode.ts';

// WAV, resampling, recording
export { Resampler } from './resampler.ts';
export type { TelephonyPcm, WavAudio, WavInfo, WavSampleFormat } from './wav-reader.ts';
export { decodeWavChannels, parseWavHeader, readWav, wavToTelephonyPcm } from './wav-reader.ts';
export type { FilePatch, WavRecordingFormat } from './wav-writer.ts';
export {
  WAV_HEADER_BYTES,
  WavRecordingWriter,
  applyFilePatches,
  encodeWav,
  wavHeader,
} from './wav-writer.ts';
export { deinterleaveStereo, interleaveStereo, mixToMono } from './recording-channels.ts';
export type { RecordingPauseMarker } from './recording-pause.ts';
export { RecordingPauseGate } from './recording-pause.ts';
