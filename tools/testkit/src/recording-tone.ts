import { readFileSync } from 'node:fs';
import { readWav, toneAmplitude } from '@centralita/media';

/**
 * The share of a recording channel's 20 ms frames in which `frequencyHz` carries most of the signal
 * (the tone's Goertzel amplitude against the frame's peak amplitude of a sine of the same RMS): near 0
 * when the tone is absent, large when it was heard for a while. Silent frames count as without tone.
 */
export function toneShare(wavFile: string, channel: number, frequencyHz: number): number {
  const shares = toneSharesByChannel(wavFile, frequencyHz);
  const share = shares[channel];
  if (share === undefined) throw new Error(`the recording has no channel ${String(channel)}`);
  return share;
}

/** `toneShare` of every channel of a recording, reading the file once. */
export function toneSharesByChannel(wavFile: string, frequencyHz: number): number[] {
  const wav = readWav(readFileSync(wavFile));
  if (!wav.ok) throw new Error(`not a WAV file: ${wavFile}`);
  const { sampleRateHz } = wav.value.info;
  return wav.value.channels.map((samples) => channelToneShare(samples, frequencyHz, sampleRateHz));
}

function channelToneShare(samples: Float32Array, frequencyHz: number, sampleRateHz: number): number {
  const frame = 160;
  let frames = 0;
  let toneFrames = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    frames++;
    let energy = 0;
    for (let i = start; i < start + frame; i++) energy += (samples[i] ?? 0) ** 2;
    const rms = Math.sqrt(energy / frame);
    if (rms < 1e-3) continue;
    const amplitude = toneAmplitude(samples, frequencyHz, sampleRateHz, start, frame);
    if (amplitude / (rms * Math.SQRT2) > 0.7) toneFrames++;
  }
  return frames === 0 ? 0 : toneFrames / frames;
}
