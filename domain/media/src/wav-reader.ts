import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';
import { ALAW_DECODE_TABLE, MULAW_DECODE_TABLE } from './g711.ts';
import { Resampler } from './resampler.ts';
import { TELEPHONY_SAMPLE_RATE_HZ } from './signal-level.ts';

/** How the samples of a WAV file are coded. */
export type WavSampleFormat = 'pcm' | 'float' | 'alaw' | 'mulaw';

/** Everything the header says, and where the audio is. */
export interface WavInfo {
  readonly format: WavSampleFormat;
  readonly channels: number;
  readonly sampleRateHz: number;
  /** Bits per sample as stored (the container size: 24-bit audio in 24 or 32 bits). */
  readonly bitsPerSample: number;
  /** Bytes per frame (one sample of every channel). */
  readonly blockAlign: number;
  readonly frames: number;
  readonly dataOffset: number;
  readonly dataBytes: number;
  /**
   * False when the sizes in the header could not be trusted and the audio was taken to the end of
   * the file: an unfinalised recording (RIFF size 0xFFFFFFFF, see wav-writer.ts), a data size of
   * 0 or 0xFFFFFFFF with audio after it, or a file cut short.
   */
  readonly isComplete: boolean;
}

/** Decoded audio: one Float32Array per channel, full scale = 1.0. */
export interface WavAudio {
  readonly info: WavInfo;
  readonly channels: readonly Float32Array[];
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const UNKNOWN_SIZE = 0xffffffff;

function fourCc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(
    bytes[offset] ?? 0,
    bytes[offset + 1] ?? 0,
    bytes[offset + 2] ?? 0,
    bytes[offset + 3] ?? 0,
  );
}

function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) |
      ((bytes[offset + 1] ?? 0) << 8) |
      ((bytes[offset + 2] ?? 0) << 16) |
      ((bytes[offset + 3] ?? 0) << 24)) >>>
    0
  );
}

function sampleFormat(tag: number, bits: number): WavSampleFormat | undefined {
  switch (tag) {
    case FORMAT_PCM:
      return bits === 8 || bits === 16 || bits === 24 || bits === 32 ? 'pcm' : undefined;
    case FORMAT_FLOAT:
      return bits === 32 || bits === 64 ? 'float' : undefined;
    case FORMAT_ALAW:
      return bits === 8 ? 'alaw' : undefined;
    case FORMAT_MULAW:
      return bits === 8 ? 'mulaw' : undefined;
    default:
      return undefined;
  }
}

/**
 * Reads the RIFF/WAVE header: walks the chunks (skipping LIST, fact, cue... and their pad bytes),
 * takes the format from `fmt ` (WAVE_FORMAT_EXTENSIBLE resolved through its sub-format) and the
 * audio from `data`. Sizes that cannot be right are recovered rather than refused, because a
 * recording cut by a crash must still play: see `WavInfo.isComplete`.
 */
export function parseWavHeader(bytes: Uint8Array): Result<WavInfo, MediaError> {
  if (bytes.length < 12 || fourCc(bytes, 0) !== 'RIFF' || fourCc(bytes, 8) !== 'WAVE') {
    return err(mediaError('MEDIA_WAV_NOT_RIFF', 'not a RIFF/WAVE file'));
  }
  const riffSize = u32(bytes, 4);
  let isComplete = riffSize !== UNKNOWN_SIZE && riffSize + 8 <= bytes.length;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourCc(bytes, offset);
    const size = u32(bytes, offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length)
        return err(mediaError('MEDIA_WAV_NO_FORMAT', 'fmt chunk too short'));
      let tag = u16(bytes, body);
      if (tag === FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) tag = u16(bytes, body + 24);
      format = {
        tag,
        channels: u16(bytes, body + 2),
        rate: u32(bytes, body + 4),
        bits: u16(bytes, body + 14),
      };
    } else if (id === 'data') {
      if (format === undefined)
        return err(mediaError('MEDIA_WAV_NO_FORMAT', 'data chunk before any fmt chunk'));
      const kind = sampleFormat(format.tag, format.bits);
      if (kind === undefined) {
        return err(
          mediaError(
            'MEDIA_WAV_UNSUPPORTED_FORMAT',
            `format tag ${format.tag} with ${format.bits}-bit samples is not supported`,
          ),
        );
      }
      // The block alignment is derived, not trusted: some tools write it wrong.
      const blockAlign = format.channels * (format.bits / 8);
      if (format.channels === 0 || format.rate === 0) {
        return err(
          mediaError('MEDIA_WAV_BAD_FORMAT', 'a WAV file needs at least one channel and a sample rate'),
        );
      }
      const available = bytes.length - body;
      let dataBytes = size;
      // Our own unfinalised recordings keep RIFF at 0xFFFFFFFF: their audio runs to the end of the file.
      if (riffSize === UNKNOWN_SIZE || size === UNKNOWN_SIZE || size === 0 || size > available) {
        if (size !== available) isComplete = false;
        dataBytes = available;
      }
      dataBytes -= dataBytes % blockAlign;
      return ok({
        format: kind,
        channels: format.channels,
        sampleRateHz: format.rate,
        bitsPerSample: format.bits,
        blockAlign,
        frames: dataBytes / blockAlign,
        dataOffset: body,
        dataBytes,
        isComplete,
      });
    }
    offset = body + size + (size % 2);
  }
  return err(
    mediaError(
      format === undefined ? 'MEDIA_WAV_NO_FORMAT' : 'MEDIA_WAV_NO_DATA',
      'no audio data in the file',
    ),
  );
}

/** Decodes the audio of a parsed file into one float channel each (full scale 1.0). */
export function decodeWavChannels(bytes: Uint8Array, info: WavInfo): Float32Array[] {
  const channels = Array.from({ length: info.channels }, () => new Float32Array(info.frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, info.dataBytes);
  const width = info.bitsPerSample / 8;
  for (let frame = 0; frame < info.frames; frame++) {
    for (let c = 0; c < info.channels; c++) {
      const at = frame * info.blockAlign + c * width;
      let value: number;
      switch (info.format) {
        case 'pcm':
          if (width === 1) value = (view.getUint8(at) - 128) / 128;
          else if (width === 2) value = view.getInt16(at, true) / 32_768;
          else if (width === 3)
            value =
              (((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) >>
                8) /
              8_388_608;
          else value = view.getInt32(at, true) / 2_147_483_648;
          break;
        case 'float':
          value = width === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
          break;
        case 'alaw':
          value = (ALAW_DECODE_TABLE[view.getUint8(at)] ?? 0) / 32_768;
          break;
        case 'mulaw':
          value = (MULAW_DECODE_TABLE[view.getUint8(at)] ?? 0) / 32_768;
          break;
      }
      const channel = channels[c];
      if (channel !== undefined) channel[frame] = value;
    }
  }
  return channels;
}

/** Parses and decodes a WAV file. */
export function readWav(bytes: Uint8Array): Result<WavAudio, MediaError> {
  const info = parseWavHeader(bytes);
  if (!info.ok) return info;
  return ok({ info: info.value, channels: decodeWavChannels(bytes, info.value) });
}

/** A prompt ready for the media loop: 8 kHz, mono, 16-bit linear. */
export interface TelephonyPcm {
  readonly samples: Int16Array;
  /** The source file's header, for logs and the prompt cache. */
  readonly source: WavInfo;
}

/**
 * Converts any supported WAV file to 8 kHz mono 16-bit linear, the engine's inside format, once
 * (prompts and music on hold are converted when cached, not per call): channels are averaged,
 * the rate is changed with the windowed-sinc low-pass of `Resampler`, and values are rounded and
 * clamped to 16 bits.
 */
export function wavToTelephonyPcm(bytes: Uint8Array): Result<TelephonyPcm, MediaError> {
  const audio = readWav(bytes);
  if (!audio.ok) return audio;
  const { info, channels } = audio.value;
  let mono: Float32Array;
  if (channels.length === 1 && channels[0] !== undefined) {
    mono = channels[0];
  } else {
    mono = new Float32Array(info.frames);
    for (const channel of channels)
      for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0) / channels.length;
  }
  const resampler = Resampler.create(info.sampleRateHz, TELEPHONY_SAMPLE_RATE_HZ);
  if (!resampler.ok) return resampler;
  const resampled = resampler.value.process(mono);
  const samples = new Int16Array(resampled.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round((resampled[i] ?? 0) * 32_768);
    samples[i] = v > 32_767 ? 32_767 : v < -32_768 ? -32_768 : v;
  }
  return ok({ samples, source: info });
}
