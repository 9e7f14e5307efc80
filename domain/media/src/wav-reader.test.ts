import { describe, expect, it } from 'vitest';
import { linearToAlaw, linearToMulaw } from './g711.ts';
import { toneAmplitude } from './goertzel.ts';
import { parseWavHeader, readWav, wavToTelephonyPcm } from './wav-reader.ts';
import { wavHeader } from './wav-writer.ts';

interface WavSpec {
  readonly tag: number;
  readonly channels: number;
  readonly rateHz: number;
  readonly bits: number;
  readonly data: Uint8Array;
  readonly isExtensible?: boolean;
  /** Chunks to put between fmt and data, as a real editor might. */
  readonly extraChunks?: readonly (readonly [string, Uint8Array])[];
}

/** Builds a WAV file of any layout, independently of the writer under test. */
function buildWav(spec: WavSpec): Uint8Array {
  const parts: number[] = [];
  const ascii = (text: string): void => {
    for (const c of text) parts.push(c.charCodeAt(0));
  };
  const u16 = (v: number): void => {
    parts.push(v & 0xff, (v >> 8) & 0xff);
  };
  const u32 = (v: number): void => {
    parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  };
  const blockAlign = (spec.channels * spec.bits) / 8;
  ascii('RIFF');
  u32(0); // patched below
  ascii('WAVE');
  ascii('fmt ');
  u32(spec.isExtensible === true ? 40 : 16);
  u16(spec.isExtensible === true ? 0xfffe : spec.tag);
  u16(spec.channels);
  u32(spec.rateHz);
  u32(spec.rateHz * blockAlign);
  u16(blockAlign);
  u16(spec.bits);
  if (spec.isExtensible === true) {
    u16(22);
    u16(spec.bits);
    u32(spec.channels === 2 ? 3 : 4);
    u16(spec.tag); // sub-format GUID: the format tag then the fixed KSDATAFORMAT suffix
    for (const b of [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71])
      parts.push(b);
  }
  for (const [id, body] of spec.extraChunks ?? []) {
    ascii(id);
    u32(body.length);
    parts.push(...body);
    if (body.length % 2 === 1) parts.push(0);
  }
  ascii('data');
  u32(spec.data.length);
  parts.push(...spec.data);
  const file = Uint8Array.from(parts);
  new DataView(file.buffer).setUint32(4, file.length - 8, true);
  return file;
}

/** A 1 kHz sine of `frames` frames at `rateHz`, as floats in [-0.5, 0.5]. */
function sine(hz: number, rateHz: number, frames: number, amplitude = 0.5): number[] {
  return Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz));
}

function encodeSamples(values: readonly number[], bits: number, isFloat = false): Uint8Array {
  const width = bits / 8;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    const at = i * width;
    if (isFloat) {
      if (bits === 32) view.setFloat32(at, v, true);
      else view.setFloat64(at, v, true);
    } else if (bits === 8) view.setUint8(at, Math.round(v * 127) + 128);
    else if (bits === 16) view.setInt16(at, Math.round(v * 32_767), true);
    else if (bits === 24) {
      const x = Math.round(v * 8_388_607);
      bytes[at] = x & 0xff;
      bytes[at + 1] = (x >> 8) & 0xff;
      bytes[at + 2] = (x >> 16) & 0xff;
    } else view.setInt32(at, Math.round(v * 2_147_483_647), true);
  });
  return bytes;
}

describe('WAV reader', () => {
  it('reads integer PCM of 8, 16, 24 and 32 bits to the same signal', () => {
    const values = sine(1000, 8000, 800);
    for (const bits of [8, 16, 24, 32]) {
      const wav = readWav(
        buildWav({ tag: 1, channels: 1, rateHz: 8000, bits, data: encodeSamples(values, bits) }),
      );
      expect(wav.ok, `${bits}-bit`).toBe(true);
      if (!wav.ok) continue;
      expect(wav.value.info).toMatchObject({
        format: 'pcm',
        channels: 1,
        sampleRateHz: 8000,
        frames: 800,
        isComplete: true,
      });
      const tolerance = bits === 8 ? 0.01 : 1e-4;
      wav.value.channels[0]!.forEach((x, i) => {
        expect(Math.abs(x - values[i]!)).toBeLessThan(tolerance);
      });
    }
  });

  it('reads 32- and 64-bit float, µ-law and A-law, and WAVE_FORMAT_EXTENSIBLE', () => {
    const values = sine(1000, 8000, 400);
    const cases: WavSpec[] = [
      { tag: 3, channels: 1, rateHz: 8000, bits: 32, data: encodeSamples(values, 32, true) },
      { tag: 3, channels: 1, rateHz: 8000, bits: 64, data: encodeSamples(values, 64, true) },
      {
        tag: 7,
        channels: 1,
        rateHz: 8000,
        bits: 8,
        data: Uint8Array.from(values, (v) => linearToMulaw(Math.round(v * 32_767))),
      },
      {
        tag: 6,
        channels: 1,
        rateHz: 8000,
        bits: 8,
        data: Uint8Array.from(values, (v) => linearToAlaw(Math.round(v * 32_767))),
      },
      { tag: 1, channels: 1, rateHz: 8000, bits: 24, data: encodeSamples(values, 24), isExtensible: true },
    ];
    for (const spec of cases) {
      const wav = readWav(buildWav(spec));
      expect(wav.ok, `tag ${spec.tag}`).toBe(true);
      if (!wav.ok) continue;
      const tolerance = spec.tag >= 6 ? 0.02 : 1e-4;
      wav.value.channels[0]!.forEach((x, i) => {
        expect(Math.abs(x - values[i]!)).toBeLessThan(tolerance);
      });
    }
  });

  it('skips other chunks, odd sizes and their pad byte included', () => {
    const data = encodeSamples(sine(500, 8000, 100), 16);
    const file = buildWav({
      tag: 1,
      channels: 1,
      rateHz: 8000,
      bits: 16,
      data,
      extraChunks: [
        ['LIST', Uint8Array.from([1, 2, 3])],
        ['fact', Uint8Array.from([100, 0, 0, 0])],
      ],
    });
    const info = parseWavHeader(file);
    expect(info.ok && info.value.frames).toBe(100);
  });

  it('rejects what it cannot read, as values', () => {
    const code = (bytes: Uint8Array): string | undefined => {
      const info = parseWavHeader(bytes);
      return info.ok ? undefined : info.error.code;
    };
    expect(code(new TextEncoder().encode('RIFX....WAVE'))).toBe('MEDIA_WAV_NOT_RIFF');
    expect(code(new Uint8Array(4))).toBe('MEDIA_WAV_NOT_RIFF');
    expect(code(buildWav({ tag: 2, channels: 1, rateHz: 8000, bits: 4, data: new Uint8Array(10) }))).toBe(
      'MEDIA_WAV_UNSUPPORTED_FORMAT',
    );
    expect(code(buildWav({ tag: 1, channels: 0, rateHz: 8000, bits: 16, data: new Uint8Array(10) }))).toBe(
      'MEDIA_WAV_BAD_FORMAT',
    );
    const noData = wavHeader({ channels: 1 }, 0).subarray(0, 36);
    expect(code(noData)).toBe('MEDIA_WAV_NO_DATA');
  });

  it('converts a 44.1 kHz stereo tone to 8 kHz mono at the same frequency and level', () => {
    const left = sine(1000, 44_100, 44_100 / 2, 0.5);
    const right = sine(1000, 44_100, 44_100 / 2, 0.3);
    const interleaved = left.flatMap((l, i) => [l, right[i]!]);
    const file = buildWav({
      tag: 1,
      channels: 2,
      rateHz: 44_100,
      bits: 16,
      data: encodeSamples(interleaved, 16),
    });
    const pcm = wavToTelephonyPcm(file);
    expect(pcm.ok).toBe(true);
    if (!pcm.ok) return;
    expect(pcm.value.samples.length).toBe(4000);
    // The average of the two channels: amplitude 0.4 of full scale.
    expect(toneAmplitude(pcm.value.samples, 1000, 8000, 400, 3200)).toBeCloseTo(0.4 * 32_768, -2);
    expect(toneAmplitude(pcm.value.samples, 2000, 8000, 400, 3200)).toBeLessThan(30);
  });

  it('keeps a 48 kHz file’s 6 kHz content from folding back to 2 kHz', () => {
    const mix = sine(1000, 48_000, 24_000, 0.3).map(
      (v, i) => v + 0.3 * Math.sin((2 * Math.PI * 6000 * i) / 48_000),
    );
    const pcm = wavToTelephonyPcm(
      buildWav({ tag: 3, channels: 1, rateHz: 48_000, bits: 32, data: encodeSamples(mix, 32, true) }),
    );
    expect(pcm.ok).toBe(true);
    if (!pcm.ok) return;
    expect(toneAmplitude(pcm.value.samples, 1000, 8000, 400, 3200)).toBeCloseTo(0.3 * 32_768, -2);
    expect(toneAmplitude(pcm.value.samples, 2000, 8000, 400, 3200)).toBeLessThan(10);
  });
});
