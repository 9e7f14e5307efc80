import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeWav, toneAmplitude, wavToTelephonyPcm } from '@centralita/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from './test-engine.ts';
import { isEvent, startTestEngine } from './test-engine.ts';

const run = promisify(execFile);

let testEngine: TestEngine;
let promptPath: string;
let mohPath: string;

/** Renders "Bienvenido" with espeak-ng; the test fails (never skips) without it. */
async function speak(path: string): Promise<void> {
  try {
    await run('espeak-ng', ['-v', 'es', '-w', path, 'Bienvenido']);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`espeak-ng is required for this test (Debian package espeak-ng): ${reason}`);
  }
}

/** Signal-to-noise ratio in dB of `received` against the `reference` it should equal. */
function snrDb(reference: Int16Array, received: Int16Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] ?? 0;
    signal += r * r;
    const d = r - (received[i] ?? 0);
    noise += d * d;
  }
  return 10 * Math.log10(signal / Math.max(1, noise));
}

beforeAll(async () => {
  testEngine = await startTestEngine();
  promptPath = join(testEngine.recordingDirectory, 'bienvenido.wav');
  await speak(promptPath);
  // Music on hold: 0.3 s of 600 Hz, stereo at 16 kHz, so the loop and the conversion both show.
  const frames = 4800;
  const stereo = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 600 * i) / 16_000));
    stereo[2 * i] = v;
    stereo[2 * i + 1] = v;
  }
  mohPath = join(testEngine.recordingDirectory, 'moh.wav');
  await writeFile(mohPath, encodeWav({ channels: 2, sampleRateHz: 16_000 }, stereo));
});

afterAll(async () => {
  await testEngine.close();
});

describe('playback', () => {
  it('plays a TTS prompt to the phone sample for sample (through G.711), then music on hold in a loop', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', { payloadType: 8 });
    const expected = wavToTelephonyPcm(await readFile(promptPath));
    if (!expected.ok) throw new Error(expected.error.message);
    const promptSamples = expected.value.samples;
    expect(promptSamples.length).toBeGreaterThan(4000);

    const played = await testEngine.engine.play({
      legId: 'caller',
      items: [{ kind: 'file', path: promptPath }],
      playbackId: 'welcome',
    });
    expect(played).toEqual({ ok: true, value: { playbackId: 'welcome' } });
    const finished = await testEngine.waitForEvent(
      isEvent('playbackFinished', (e) => e.playbackId === 'welcome'),
      5000,
      'prompt end',
    );
    expect(finished.reason).toBe('completed');
    await phone.waitFor(
      () => phone.audioPackets().length * 160 >= promptSamples.length,
      1000,
      'the whole prompt',
    );

    const heard = phone.receivedAudio();
    expect(heard.length).toBe(Math.ceil(promptSamples.length / 160) * 160);
    // The speech band carries the prompt: the phone got the file's audio, not noise or silence.
    expect(snrDb(promptSamples, heard)).toBeGreaterThan(25);
    const promptPackets = phone.audioPackets().length;

    const moh = await testEngine.engine.play({
      legId: 'caller',
      items: [{ kind: 'file', path: mohPath }],
      isLooping: true,
    });
    expect(moh.ok).toBe(true);
    // 0.3 s of music: 60 packets means it looped at least three times.
    await phone.receiveAudioPackets(60);
    const music = phone.receivedAudio(promptPackets + 5);
    expect(toneAmplitude(music, 600, 8000)).toBeGreaterThan(4000);
    expect(testEngine.events.filter((e) => e.type === 'playbackFinished')).toHaveLength(1);

    expect((await testEngine.engine.stopPlayback('caller')).ok).toBe(true);
    await testEngine.waitForEvent(
      isEvent('playbackFinished', (e) => e.reason === 'stopped'),
      1000,
      'music stopped',
    );
    await testEngine.engine.destroyLeg('caller');
  });

  it('stops a barge-in prompt at the first digit', async () => {
    const { phone } = await testEngine.connectPhone('barger', 'call-2', {
      payloadType: 0,
      telephoneEventPayloadType: 101,
    });
    phone.start();
    const played = await testEngine.engine.play({
      legId: 'barger',
      items: [{ kind: 'file', path: mohPath }],
      isLooping: true,
      isBargeIn: true,
      playbackId: 'menu',
    });
    expect(played.ok).toBe(true);
    await phone.receiveAudioPackets(10);
    phone.pressDigit('3');
    const barged = await testEngine.waitForEvent(
      isEvent('playbackFinished', (e) => e.playbackId === 'menu'),
      2000,
      'barge-in',
    );
    expect(barged).toMatchObject({ reason: 'barged-in', digit: '3' });
    const digit = await testEngine.waitForEvent(
      isEvent('digit', (e) => e.legId === 'barger'),
      10,
      'the digit',
    );
    expect(barged.atMs - digit.atMs).toBeLessThan(25);

    // Play 400 ms of silence (20 packets, of which at least 10 arrive later than 25 ms after the barge-in
    // even when the play command comes back at once) and wait for it: whatever arrived after the
    // barge-in holds no music.
    await testEngine.engine.play({
      legId: 'barger',
      items: [{ kind: 'silence', durationMs: 400 }],
      playbackId: 'quiet',
    });
    await testEngine.waitForEvent(
      isEvent('playbackFinished', (e) => e.playbackId === 'quiet'),
      2000,
      'silence end',
    );
    const packetsAfter = (): number =>
      phone.audioPackets().filter((p) => p.arrivalMs > barged.atMs + 25).length;
    await phone.waitFor(() => packetsAfter() >= 10, 1000, 'the silence');
    const after = phone.audioPackets().filter((p) => p.arrivalMs > barged.atMs + 25);
    const samples = phone.receivedAudio(phone.audioPackets().length - after.length);
    expect(toneAmplitude(samples, 600, 8000)).toBeLessThan(100);
    await testEngine.engine.destroyLeg('barger');
  });

  it('reports a missing prompt file as a value', async () => {
    await testEngine.connectPhone('missing', 'call-3', { payloadType: 0 });
    const played = await testEngine.engine.play({
      legId: 'missing',
      items: [{ kind: 'file', path: '/nonexistent/prompt.wav' }],
    });
    expect(played.ok ? undefined : played.error.code).toBe('MEDIA_ENGINE_PROMPT_UNREADABLE');
    const notWav = await testEngine.engine.play({
      legId: 'missing',
      items: [{ kind: 'file', path: import.meta.filename }],
    });
    expect(notWav.ok ? undefined : notWav.error.code).toBe('MEDIA_WAV_NOT_RIFF');
  });
});
