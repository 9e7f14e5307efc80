import { describe, expect, it } from 'vitest';
import { toneAmplitude } from './goertzel.ts';
import { interleaveStereo } from './recording-channels.ts';
import { parseWavHeader, readWav } from './wav-reader.ts';
import { WAV_HEADER_BYTES, WavRecordingWriter, applyFilePatches, encodeWav } from './wav-writer.ts';

describe('WAV recording writer', () => {
  const second = 8000;

  /** Simulates the adapter: a file grows by appends and header patches. */
  class FakeFile {
    bytes = new Uint8Array(0);
    append(chunk: Uint8Array): void {
      const next = new Uint8Array(this.bytes.length + chunk.length);
      next.set(this.bytes);
      next.set(chunk, this.bytes.length);
      this.bytes = next;
    }
  }

  function stereoSeconds(seconds: number): Int16Array {
    const customer = Int16Array.from({ length: seconds * second }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / 8000)),
    );
    const agent = Int16Array.from({ length: seconds * second }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    const out = new Int16Array(2 * customer.length);
    interleaveStereo(customer, agent, out);
    return out;
  }

  /** Feeds 20 ms stereo frames; chunks are written and then checkpointed, as the adapter does. */
  function record(
    writer: WavRecordingWriter,
    file: FakeFile,
    audio: Int16Array,
    options: { skipLastCheckpoint?: boolean } = {},
  ): void {
    let pendingCheckpoint: (() => void) | undefined;
    for (let at = 0; at < audio.length; at += 320) {
      const chunk = writer.append(audio.subarray(at, at + 320));
      if (chunk === undefined) continue;
      pendingCheckpoint?.();
      file.append(chunk);
      const patches = writer.checkpoint();
      pendingCheckpoint = () => {
        applyFilePatches(file.bytes, patches);
      };
    }
    if (options.skipLastCheckpoint !== true) pendingCheckpoint?.();
  }

  it('writes a stereo recording incrementally that reads back exactly, customer left and agent right', () => {
    const writer = new WavRecordingWriter({ channels: 2 });
    const file = new FakeFile();
    file.append(writer.start());
    const audio = stereoSeconds(3);
    record(writer, file, audio.subarray(0, audio.length - 100 * 2));
    record(writer, file, audio.subarray(audio.length - 100 * 2));
    expect(writer.durationMs).toBe(3000);
    const end = writer.finish();
    file.append(end.bytes);
    applyFilePatches(file.bytes, end.patches);
    const wav = readWav(file.bytes);
    expect(wav.ok).toBe(true);
    if (!wav.ok) return;
    expect(wav.value.info).toMatchObject({
      channels: 2,
      sampleRateHz: 8000,
      frames: 24_000,
      isComplete: true,
    });
    const [left, right] = wav.value.channels;
    expect(toneAmplitude(left!, 400, 8000)).toBeGreaterThan(0.2);
    expect(toneAmplitude(left!, 1000, 8000)).toBeLessThan(0.001);
    expect(toneAmplitude(right!, 1000, 8000)).toBeGreaterThan(0.2);
    expect(toneAmplitude(right!, 400, 8000)).toBeLessThan(0.001);
    // Byte-exact: the header is canonical and the data is the samples, little-endian.
    expect(file.bytes.length).toBe(WAV_HEADER_BYTES + audio.length * 2);
    for (const i of [0, 1001, 16_001, 47_999]) {
      expect(new DataView(file.bytes.buffer).getInt16(WAV_HEADER_BYTES + 2 * i, true)).toBe(audio[i]);
    }
  });

  it('hands out about one chunk per second, never reused, so writes can be asynchronous', () => {
    const writer = new WavRecordingWriter({ channels: 2 });
    const chunks: Uint8Array[] = [];
    const audio = stereoSeconds(3);
    for (let at = 0; at < audio.length; at += 320) {
      const chunk = writer.append(audio.subarray(at, at + 320));
      if (chunk !== undefined) chunks.push(chunk);
    }
    expect(chunks.map((c) => c.length)).toEqual([32_000, 32_000, 32_000]);
    expect(new DataView(chunks[0]!.buffer, chunks[0]!.byteOffset).getInt16(2 * 7, true)).toBe(audio[7]);
  });

  it('leaves a playable file, flagged incomplete, when the process dies before finishing', () => {
    const writer = new WavRecordingWriter({ channels: 2 });
    const file = new FakeFile();
    file.append(writer.start());
    // 3.5 s recorded: chunks at 1, 2 and 3 s reached the disk, the crash hit before the third
    // checkpoint, and the last 0.5 s was still in memory.
    record(writer, file, stereoSeconds(4).subarray(0, 2 * 28_000), { skipLastCheckpoint: true });
    const info = parseWavHeader(file.bytes);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(info.value.isComplete).toBe(false);
    // Everything on disk is recovered (3 s), not only the 2 s of the last checkpoint.
    expect(info.value.frames).toBe(24_000);
    // A strict player reading the data size gets the 2 s checkpointed.
    expect(new DataView(file.bytes.buffer).getUint32(40, true)).toBe(2 * second * 4);
  });

  it('reads a file that crashed before its first chunk, and one cut mid-sample', () => {
    const writer = new WavRecordingWriter({ channels: 1 }, 125);
    const headerOnly = writer.start();
    const empty = parseWavHeader(headerOnly);
    expect(empty.ok && [empty.value.frames, empty.value.isComplete]).toEqual([0, false]);
    const chunk = writer.append(new Int16Array(1000).fill(123));
    expect(chunk?.length).toBe(2000);
    const file = new FakeFile();
    file.append(headerOnly);
    file.append(chunk!);
    const info = parseWavHeader(file.bytes.subarray(0, file.bytes.length - 1));
    expect(info.ok && [info.value.frames, info.value.isComplete]).toEqual([999, false]);
  });

  it('writes a staggered first chunk early, then whole chunks, and loses no sample', () => {
    // 1 s chunks, the first after 300 ms: stereo frames of 20 ms (160 samples a channel).
    const writer = new WavRecordingWriter({ channels: 2 }, 1000, 300);
    const frame = new Int16Array(320).fill(7);
    const chunksAt: { frame: number; bytes: number }[] = [];
    for (let i = 1; i <= 100; i++) {
      const chunk = writer.append(frame);
      if (chunk !== undefined) chunksAt.push({ frame: i, bytes: chunk.length });
    }
    expect(chunksAt).toEqual([
      { frame: 15, bytes: 300 * 8 * 2 * 2 },
      { frame: 65, bytes: 1000 * 8 * 2 * 2 },
    ]);
    expect(writer.flush().length).toBe(35 * 320 * 2);
    expect(writer.dataBytes).toBe(100 * 320 * 2);
  });

  it('reuses a recycled chunk instead of allocating one, and never memory it was not given back', () => {
    const writer = new WavRecordingWriter({ channels: 1 }, 20);
    const frame = (value: number): Int16Array => new Int16Array(160).fill(value);
    const first = writer.append(frame(1));
    expect(first?.length).toBe(320);
    writer.recycle(first!);
    // The chunk filled meanwhile comes out second; the one after it is filled in the recycled memory.
    const second = writer.append(frame(2));
    const third = writer.append(frame(3));
    expect(third?.buffer).toBe(first?.buffer);
    expect(new Int16Array(third!.buffer, 0, 160).every((x) => x === 3)).toBe(true);
    // Chunks not handed back are never written again.
    const fourth = writer.append(frame(4));
    expect([second?.buffer, third?.buffer]).not.toContain(fourth?.buffer);
    expect(new Int16Array(second!.buffer, 0, 160).every((x) => x === 2)).toBe(true);
    expect(new Int16Array(third!.buffer, 0, 160).every((x) => x === 3)).toBe(true);
  });

  it('builds a complete mono file in one go', () => {
    const file = encodeWav({ channels: 1 }, Int16Array.from([1, -1, 32_767, -32_768]));
    const wav = readWav(file);
    expect(wav.ok && wav.value.info.isComplete).toBe(true);
    expect(wav.ok && [...wav.value.channels[0]!].map((x) => Math.round(x * 32_768))).toEqual([
      1, -1, 32_767, -32_768,
    ]);
  });
});
