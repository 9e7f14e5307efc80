import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mixer } from './mixer.ts';

describe('Mixer', () => {
  it('honours the per-participant flags', () => {
    const mixer = new Mixer({ frameSamples: 1 });
    for (const id of ['a', 'b', 'c']) mixer.add(id);
    mixer.setFlags('c', { isSpeaking: false });
    mixer.setFlags('a', { isHearing: false });
    mixer.setInput('a', Int16Array.of(1));
    mixer.setInput('b', Int16Array.of(10));
    mixer.setInput('c', Int16Array.of(100));
    mixer.mix();
    expect([mixer.output('a')![0], mixer.output('b')![0], mixer.output('c')![0]]).toEqual([0, 1, 11]);
    expect(mixer.canHear('b', 'c')).toBe(false);
    expect(mixer.canHear('b', 'b')).toBe(false);
  });

  it('saturates instead of wrapping when loud parties add up', () => {
    const mixer = new Mixer();
    for (const id of ['a', 'b', 'c']) mixer.add(id);
    mixer.input('a')!.fill(30_000);
    mixer.input('b')!.fill(30_000);
    mixer.input('c')!.fill(-30_000);
    mixer.mix();
    expect(mixer.output('c')![0]).toBe(32_767);
    expect(mixer.output('a')![0]).toBe(0);
    expect(mixer.allSpeakers[0]).toBe(30_000);
    mixer.input('a')!.fill(-30_000);
    mixer.input('b')!.fill(-30_000);
    mixer.mix();
    expect(mixer.output('c')![0]).toBe(-32_768);
  });

  it('treats a participant with no input this tick as silent, not as its last frame', () => {
    const mixer = new Mixer();
    mixer.add('a');
    mixer.add('b');
    mixer.input('a')!.fill(1000);
    mixer.mix();
    expect(mixer.output('b')![0]).toBe(1000);
    mixer.mix();
    expect(mixer.output('b')![0]).toBe(0);
  });

  it('reports errors as values', () => {
    const mixer = new Mixer({ maxParticipants: 2 });
    expect(mixer.add('a').ok).toBe(true);
    const duplicate = mixer.add('a');
    expect(!duplicate.ok && duplicate.error.code).toBe('MEDIA_MIXER_DUPLICATE_PARTICIPANT');
    mixer.add('b');
    const full = mixer.add('c');
    expect(!full.ok && full.error.code).toBe('MEDIA_MIXER_FULL');
    const unknown = mixer.setPairHearing('a', 'zz', false);
    expect(!unknown.ok && unknown.error.code).toBe('MEDIA_MIXER_UNKNOWN_PARTICIPANT');
    expect(mixer.remove('a').ok).toBe(true);
    expect(mixer.add('c').ok).toBe(true); // the freed slot is reused
    expect(mixer.input('a')).toBeUndefined();
  });

  it('matches a brute-force mix for any flags, matrix and inputs (property)', () => {
    const parties = 5;
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: parties, maxLength: parties }),
        fc.array(fc.boolean(), { minLength: parties, maxLength: parties }),
        fc.array(fc.boolean(), { minLength: parties * parties, maxLength: parties * parties }),
        fc.array(fc.integer({ min: -32_768, max: 32_767 }), {
          minLength: parties * 4,
          maxLength: parties * 4,
        }),
        (hearing, speaking, pairs, samples) => {
          const mixer = new Mixer({ frameSamples: 4, maxParticipants: parties });
          const ids = Array.from({ length: parties }, (_, i) => `p${i}`);
          ids.forEach((id, i) => mixer.add(id, { isHearing: hearing[i]!, isSpeaking: speaking[i]! }));
          ids.forEach((l, i) => {
            ids.forEach((s, j) => mixer.setPairHearing(l, s, pairs[i * parties + j]!));
          });
          ids.forEach((id, i) => mixer.setInput(id, Int16Array.from(samples.slice(i * 4, i * 4 + 4))));
          mixer.mix();
          ids.forEach((listener, l) => {
            for (let k = 0; k < 4; k++) {
              let sum = 0;
              ids.forEach((_, s) => {
                if (s !== l && hearing[l] && speaking[s] && pairs[l * parties + s])
                  sum += samples[s * 4 + k]!;
              });
              expect(mixer.output(listener)![k]).toBe(Math.max(-32_768, Math.min(32_767, sum)));
            }
          });
        },
      ),
      { seed: 1600, numRuns: 300 },
    );
  });
});
