import { describe, expect, it } from 'vitest';
import { RecordingPauseGate } from './recording-pause.ts';

describe('RecordingPauseGate', () => {
  it('silences frames while paused, keeps time, and marks the pause', () => {
    const gate = new RecordingPauseGate(2);
    const frames: number[] = [];
    const tick = (): void => {
      const frame = new Int16Array(320).fill(1000); // 20 ms of stereo
      gate.apply(frame);
      frames.push(frame.every((x) => x === 0) ? 0 : 1);
    };
    for (let i = 0; i < 50; i++) tick(); // 1 s of audio
    expect(gate.pause('card-capture')).toBe(true);
    for (let i = 0; i < 100; i++) tick(); // 2 s paused
    expect(gate.isPaused).toBe(true);
    expect(gate.markers()).toEqual([
      { startSample: 8000, startMs: 1000, endSample: undefined, endMs: undefined, reason: 'card-capture' },
    ]);
    expect(gate.resume()).toBe(true);
    for (let i = 0; i < 25; i++) tick();
    expect(frames).toEqual([
      ...new Array<number>(50).fill(1),
      ...new Array<number>(100).fill(0),
      ...new Array<number>(25).fill(1),
    ]);
    expect(gate.positionSamples).toBe(175 * 160);
    expect(gate.markers()).toEqual([
      { startSample: 8000, startMs: 1000, endSample: 24_000, endMs: 3000, reason: 'card-capture' },
    ]);
  });

  it('ignores a second pause or a resume while not paused', () => {
    const gate = new RecordingPauseGate();
    expect(gate.resume()).toBe(false);
    expect(gate.pause('a')).toBe(true);
    expect(gate.pause('b')).toBe(false);
    gate.apply(new Int16Array(160));
    gate.resume();
    gate.pause('c');
    gate.apply(new Int16Array(160));
    gate.resume();
    expect(gate.markers().map((m) => [m.reason, m.startSample, m.endSample])).toEqual([
      ['a', 0, 160],
      ['c', 160, 320],
    ]);
  });
});
