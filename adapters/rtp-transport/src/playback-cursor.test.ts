import { dtmfToneSpec, toneAmplitude } from '@centralita/media';
import { describe, expect, it } from 'vitest';
import { PlaybackCursor } from './playback-cursor.ts';

/** Plays up to `frames` frames and returns the audio and how many frames ran before 'finished'. */
function play(cursor: PlaybackCursor, frames: number): { audio: Int16Array; playingFrames: number } {
  const audio = new Int16Array(frames * 160);
  let playingFrames = frames;
  for (let f = 0; f < frames; f++) {
    const frame = audio.subarray(f * 160, (f + 1) * 160);
    if (cursor.fill(frame) === 'finished' && playingFrames === frames) playingFrames = f + 1;
  }
  return { audio, playingFrames };
}

const ramp = Int16Array.from({ length: 400 }, (_, i) => i + 1);

describe('PlaybackCursor', () => {
  it('plays sources in order, padding the last frame with silence', () => {
    const cursor = new PlaybackCursor(
      [
        { kind: 'pcm', samples: ramp },
        { kind: 'silence', durationMs: 10 },
        { kind: 'pcm', samples: ramp.subarray(0, 50) },
      ],
      false,
    );
    const { audio, playingFrames } = play(cursor, 6);
    expect(playingFrames).toBe(4); // 400 + 80 + 50 = 530 samples: 4 frames
    expect(Array.from(audio.subarray(0, 400))).toEqual(Array.from(ramp));
    expect(audio.subarray(400, 480).every((s) => s === 0)).toBe(true);
    expect(Array.from(audio.subarray(480, 530))).toEqual(Array.from(ramp.subarray(0, 50)));
    expect(audio.subarray(530).every((s) => s === 0)).toBe(true);
    expect(cursor.isFinished).toBe(true);
  });

  it('loops until stopped (music on hold)', () => {
    const cursor = new PlaybackCursor([{ kind: 'pcm', samples: ramp }], true);
    const { audio, playingFrames } = play(cursor, 10);
    expect(playingFrames).toBe(10);
    expect(audio[400]).toBe(1);
    expect(audio[1599]).toBe(ramp[1599 % 400]);
  });

  it('ends a loop that has nothing to play instead of spinning', () => {
    const cursor = new PlaybackCursor([{ kind: 'pcm', samples: new Int16Array(0) }], true);
    expect(play(cursor, 2).playingFrames).toBe(1);
  });

  it('plays a tone for its duration, and a DTMF digit spec once', () => {
    const cursor = new PlaybackCursor(
      [
        {
          kind: 'tone',
          tone: { frequenciesHz: [425], levelDbm0: -10, cadenceMs: [], isRepeating: true },
          durationMs: 100,
        },
        { kind: 'tone', tone: dtmfToneSpec('5', 60) },
      ],
      false,
    );
    const { audio, playingFrames } = play(cursor, 12);
    expect(toneAmplitude(audio, 425, 8000, 0, 800)).toBeGreaterThan(5000);
    expect(toneAmplitude(audio, 770, 8000, 800, 480)).toBeGreaterThan(3000);
    expect(toneAmplitude(audio, 1336, 8000, 800, 480)).toBeGreaterThan(3000);
    expect(playingFrames).toBeLessThanOrEqual(10);
  });
});
