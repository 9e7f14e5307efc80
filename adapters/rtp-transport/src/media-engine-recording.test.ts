import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WavAudio } from '@centralita/media';
import { readWav, toneAmplitude } from '@centralita/media';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from './test-engine.ts';
import { isEvent, startTestEngine } from './test-engine.ts';
import type { TestPhone } from './test-phone.ts';

// One engine for the file (each test resets it); the crash, dgram and tick-read tests start their own.
let testEngine: TestEngine;
let another: TestEngine | undefined;
beforeAll(async () => {
  testEngine = await startTestEngine();
});
afterEach(async () => {
  await testEngine.reset();
  await another?.close();
  another = undefined;
});
afterAll(async () => {
  await testEngine.close();
});

async function readRecording(path: string): Promise<WavAudio> {
  const wav = readWav(await readFile(path));
  if (!wav.ok) throw new Error(`${path} is not a readable WAV: ${wav.error.code}`);
  return wav.value;
}

/** Amplitude (full scale 1.0) of a frequency in a stretch of one channel. */
function amplitude(channel: Float32Array, frequencyHz: number, fromSample: number, toSample: number): number {
  return toneAmplitude(channel, frequencyHz, 8000, fromSample, toSample - fromSample);
}

/** A bridged call: customer 400 Hz, agent 1000 Hz, both phones talking. */
async function bridgedCall(engine: TestEngine): Promise<{ customer: TestPhone; agent: TestPhone }> {
  const customer = await engine.connectPhone('customer', 'call-1', { payloadType: 0, toneHz: 400 });
  const agent = await engine.connectPhone('agent', 'call-1', { payloadType: 8, toneHz: 1000 });
  const bridged = await engine.engine.bridge('customer', 'agent');
  if (!bridged.ok) throw new Error(bridged.error.message);
  customer.phone.start();
  agent.phone.start();
  await agent.phone.receiveAudioPackets(5);
  return { customer: customer.phone, agent: agent.phone };
}

/** A bridged call recorded for about a second: stereo with each party on its side, and the mono mix. */
async function recordBothParties(on: TestEngine): Promise<void> {
  const { engine } = on;
  const { agent } = await bridgedCall(on);
  const started = await engine.recordStart({
    recordingId: 'rec-1',
    customerLegId: 'customer',
    agentLegId: 'agent',
    path: 'tenant-a/rec-1.wav',
    monoPath: 'tenant-a/rec-1-mono.wav',
  });
  expect(started.ok).toBe(true);
  await agent.receiveAudioPackets(45);
  const stopped = await engine.recordStop('rec-1');
  if (!stopped.ok) throw new Error(stopped.error.message);
  expect(stopped.value.path).toBe(join(on.recordingDirectory, 'tenant-a/rec-1.wav'));
  expect(stopped.value.durationMs).toBeGreaterThan(800);
  expect(stopped.value.markers).toEqual([]);
  await on.waitForEvent(isEvent('recordingFinished'), 2000, 'recordingFinished');

  const stereo = await readRecording(stopped.value.path);
  expect(stereo.info.isComplete).toBe(true);
  expect(stereo.info.channels).toBe(2);
  expect(stereo.info.sampleRateHz).toBe(8000);
  expect((stereo.info.frames / 8000) * 1000).toBeCloseTo(stopped.value.durationMs, -1);
  const [left, right] = stereo.channels as [Float32Array, Float32Array];
  // Skip the jitter buffer's start-up; look at the last half second.
  const to = stereo.info.frames;
  const from = to - 4000;
  expect(amplitude(left, 400, from, to)).toBeGreaterThan(0.1);
  expect(amplitude(left, 1000, from, to)).toBeLessThan(0.01);
  expect(amplitude(right, 1000, from, to)).toBeGreaterThan(0.1);
  expect(amplitude(right, 400, from, to)).toBeLessThan(0.01);

  const mono = await readRecording(stopped.value.monoPath!);
  expect(mono.info.channels).toBe(1);
  const [mixed] = mono.channels as [Float32Array];
  expect(amplitude(mixed, 400, from, to)).toBeGreaterThan(0.1);
  expect(amplitude(mixed, 1000, from, to)).toBeGreaterThan(0.1);
}

describe('call recording', () => {
  it('records one party alone (a voicemail) as a mono file of what the caller says', async () => {
    const { engine } = testEngine;
    const caller = await testEngine.connectPhone('caller', 'call-vm', { payloadType: 8, toneHz: 700 });
    caller.phone.start();
    const started = await engine.recordStart({
      recordingId: 'vm-1',
      customerLegId: 'caller',
      path: 'tenant-a/vm-1.wav',
    });
    expect(started.ok).toBe(true);
    // Let the caller talk for 1.2 s, timed by a silent playback on the engine's own media clock.
    await engine.play({
      legId: 'caller',
      items: [{ kind: 'silence', durationMs: 1_200 }],
      playbackId: 'wait',
    });
    await testEngine.waitForEvent(isEvent('playbackFinished'), 3_000, 'the 1.2 s playback to end');
    const stopped = await engine.recordStop('vm-1');
    if (!stopped.ok) throw new Error(stopped.error.message);
    const mono = await readRecording(stopped.value.path);
    expect(mono.info.channels).toBe(1);
    const [voice] = mono.channels as [Float32Array];
    const to = mono.info.frames;
    expect(amplitude(voice, 700, to - 4000, to)).toBeGreaterThan(0.1);
  });

  it('puts the customer on the left channel and the agent on the right, and both in the mono mix', async () => {
    await recordBothParties(testEngine);
  });

  it('records and relays the same when every step of the tick stops to read the datagrams waiting', async () => {
    // What a long tick does under load (hundreds of recordings): datagrams relayed and stored in the middle of
    // it, some into legs already popped this tick, some into legs not yet popped.
    another = await startTestEngine({ tickReadMicros: 0 });
    await recordBothParties(another);
  });

  it('fills a pause with silence on both channels and keeps the pause in the markers', async () => {
    const { engine } = testEngine;
    const { agent } = await bridgedCall(testEngine);
    await engine.recordStart({
      recordingId: 'rec-2',
      customerLegId: 'customer',
      agentLegId: 'agent',
      path: 'rec-2.wav',
    });
    await agent.receiveAudioPackets(25);
    expect(await engine.recordPause('rec-2', 'card-capture')).toEqual({
      ok: true,
      value: { isPaused: true },
    });
    await agent.receiveAudioPackets(25);
    expect(await engine.recordResume('rec-2')).toEqual({ ok: true, value: { isPaused: false } });
    await agent.receiveAudioPackets(25);
    const stopped = await engine.recordStop('rec-2');
    if (!stopped.ok) throw new Error(stopped.error.message);

    expect(stopped.value.markers).toHaveLength(1);
    const marker = stopped.value.markers[0]!;
    expect(marker.reason).toBe('card-capture');
    const pauseStart = marker.startSample;
    const pauseEnd = marker.endSample!;
    expect(pauseEnd - pauseStart).toBeGreaterThan(0.3 * 8000);
    expect(marker.startMs).toBe((pauseStart / 8000) * 1000);

    const wav = await readRecording(stopped.value.path);
    const [left, right] = wav.channels as [Float32Array, Float32Array];
    expect(left.subarray(pauseStart, pauseEnd).every((s) => s === 0)).toBe(true);
    expect(right.subarray(pauseStart, pauseEnd).every((s) => s === 0)).toBe(true);
    // Real audio on both sides of the pause: the file keeps real time.
    expect(amplitude(left, 400, pauseStart - 2400, pauseStart)).toBeGreaterThan(0.1);
    expect(amplitude(right, 1000, pauseEnd, pauseEnd + 2400)).toBeGreaterThan(0.1);
  });

  it('leaves a readable recording flagged incomplete when the worker dies without recordStop', async () => {
    const crashing = await startTestEngine({ recordingChunkMs: 250 });
    another = crashing;
    const { engine } = crashing;
    await bridgedCall(crashing);
    const started = await engine.recordStart({
      recordingId: 'rec-3',
      customerLegId: 'customer',
      agentLegId: 'agent',
      path: 'rec-3.wav',
    });
    if (!started.ok) throw new Error(started.error.message);
    // Wait for half a second of audio on disk (two chunks), then kill the worker mid-write.
    const bytesPerSecond = 8000 * 2 * 2;
    const deadline = Date.now() + 5000;
    while ((await stat(started.value.path)).size < 44 + bytesPerSecond / 2) {
      if (Date.now() > deadline) throw new Error('the recording was not written incrementally');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await engine.terminate();

    const wav = await readRecording(started.value.path);
    expect(wav.info.isComplete).toBe(false);
    expect(wav.info.frames).toBeGreaterThanOrEqual(4000);
    const [left, right] = wav.channels as [Float32Array, Float32Array];
    const to = wav.info.frames;
    expect(amplitude(left, 400, to - 2000, to)).toBeGreaterThan(0.1);
    expect(amplitude(right, 1000, to - 2000, to)).toBeGreaterThan(0.1);
  });

  it("records on the dgram path too, writing with Node's fs.write instead of the addon", async () => {
    const onDgram = await startTestEngine({ datagramIo: 'dgram', recordingChunkMs: 200 });
    another = onDgram;
    const { engine } = onDgram;
    const caller = await onDgram.connectPhone('caller', 'call-dg', { payloadType: 0, toneHz: 500 });
    caller.phone.start();
    const started = await engine.recordStart({
      recordingId: 'dg-1',
      customerLegId: 'caller',
      path: 'dg-1.wav',
    });
    if (!started.ok) throw new Error(started.error.message);
    await engine.play({
      legId: 'caller',
      items: [{ kind: 'silence', durationMs: 1_000 }],
      playbackId: 'wait',
    });
    await onDgram.waitForEvent(isEvent('playbackFinished'), 3_000, 'the 1 s playback to end');
    const stopped = await engine.recordStop('dg-1');
    if (!stopped.ok) throw new Error(stopped.error.message);
    expect([stopped.value.reason, stopped.value.isComplete]).toEqual(['stopped', true]);
    const wav = await readRecording(stopped.value.path);
    expect(wav.info.isComplete).toBe(true);
    const [voice] = wav.channels as [Float32Array];
    const to = wav.info.frames;
    expect(amplitude(voice, 500, to - 4000, to)).toBeGreaterThan(0.1);
  });

  it('refuses paths outside the recording directory and unknown recordings', async () => {
    const { engine } = testEngine;
    await bridgedCall(testEngine);
    const escaping = await engine.recordStart({
      recordingId: 'rec-4',
      customerLegId: 'customer',
      agentLegId: 'agent',
      path: '../elsewhere.wav',
    });
    expect(escaping.ok ? undefined : escaping.error.code).toBe('MEDIA_ENGINE_BAD_REQUEST');
    const unknown = await engine.recordStop('no-such-recording');
    expect(unknown.ok ? undefined : unknown.error.code).toBe('MEDIA_ENGINE_RECORDING_NOT_FOUND');
  });
});
