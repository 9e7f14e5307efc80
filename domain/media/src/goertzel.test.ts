import { describe, expect, it } from 'vitest';
import { goertzelPower, toneAmplitude } from './goertzel.ts';

function sine(hz: number, amplitude: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
}

describe('Goertzel', () => {
  it('measures the amplitude of a tone, on or off a bin centre', () => {
    expect(toneAmplitude(sine(1000, 5000, 800), 1000, 8000)).toBeCloseTo(5000, -1);
    expect(toneAmplitude(sine(697, 5000, 205), 697, 8000)).toBeCloseTo(5000, -2);
  });

  it('sees almost nothing of a tone at another frequency', () => {
    expect(toneAmplitude(sine(1000, 5000, 800), 1600, 8000)).toBeLessThan(5);
    expect(toneAmplitude(new Float64Array(160), 1000, 8000)).toBe(0);
  });

  it('gives power (A·N/2)² and measures a window of a longer signal', () => {
    const signal = new Float64Array(1000);
    signal.set(sine(2000, 1000, 400), 300);
    expect(goertzelPower(signal, 2000, 8000, 300, 400)).toBeCloseTo((1000 * 200) ** 2, -6);
    expect(toneAmplitude(signal, 2000, 8000, 0, 300)).toBe(0);
    expect(toneAmplitude(signal, 2000, 8000, 0, 0)).toBe(0);
  });
});
