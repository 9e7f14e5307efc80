import { describe, expect, it } from 'vitest';
import { toneAmplitude } from './goertzel.ts';
import { Mixer } from './mixer.ts';
import type { SupervisionMode, SupervisionRole } from './supervision-mode.ts';
import { applySupervisionMode, supervisionMatrix } from './supervision-mode.ts';
import { ToneGenerator } from './tone-generator.ts';

/** Each party speaks its own test tone, so each one's presence in a mix can be measured. */
const TONE_HZ: Record<SupervisionRole, number> = { customer: 400, agent: 1000, supervisor: 1600 };
const ROLES: readonly SupervisionRole[] = ['customer', 'agent', 'supervisor'];
const PARTIES = { customer: 'leg-customer', agent: 'leg-agent', supervisor: 'leg-supervisor' } as const;
const TONE_AMPLITUDE = 7000;

/** Runs `ticks` 20 ms ticks with every present party speaking its tone; returns what each heard. */
function runTones(mixer: Mixer, ticks: number): Record<SupervisionRole, Int16Array> {
  const generators = Object.fromEntries(
    ROLES.map((role) => [
      role,
      new ToneGenerator({ frequenciesHz: [TONE_HZ[role]], levelDbm0: -10, cadenceMs: [], isRepeating: true }),
    ]),
  ) as Record<SupervisionRole, ToneGenerator>;
  const heard = Object.fromEntries(ROLES.map((role) => [role, new Int16Array(160 * ticks)])) as Record<
    SupervisionRole,
    Int16Array
  >;
  for (let tick = 0; tick < ticks; tick++) {
    for (const role of ROLES) {
      const input = mixer.input(PARTIES[role]);
      if (input !== undefined) generators[role].fill(input);
    }
    mixer.mix();
    for (const role of ROLES) {
      const output = mixer.output(PARTIES[role]);
      if (output !== undefined) heard[role].set(output, tick * 160);
    }
  }
  return heard;
}

function isPresent(signal: Int16Array, hz: number): boolean {
  return toneAmplitude(signal, hz, 8000) > TONE_AMPLITUDE / 4;
}

function threeParty(): Mixer {
  const mixer = new Mixer();
  for (const role of ROLES) expect(mixer.add(PARTIES[role]).ok).toBe(true);
  return mixer;
}

describe('supervision modes on the mixer (distinct test tones per party)', () => {
  it('never lets anyone hear themselves, in any mode', () => {
    for (const mode of ['listen', 'whisper', 'barge', 'takeover'] as const) {
      const matrix = supervisionMatrix(mode);
      for (const role of ROLES) expect(matrix[role][role]).toBe(false);
    }
  });

  it('gives each participant everyone but itself (mix-minus)', () => {
    const heard = runTones(threeParty(), 10);
    for (const listener of ROLES) {
      for (const speaker of ROLES) {
        expect(isPresent(heard[listener], TONE_HZ[speaker]), `${listener} hears ${speaker}`).toBe(
          listener !== speaker,
        );
      }
    }
    // Nothing of one's own voice comes back: exactly zero at its frequency, not just quiet.
    expect(toneAmplitude(heard.customer, TONE_HZ.customer, 8000)).toBeLessThan(1);
  });

  for (const mode of [
    'listen',
    'whisper',
    'barge',
    'takeover',
  ] as const satisfies readonly SupervisionMode[]) {
    it(`applies the ${mode} matrix: each tone is present exactly where the matrix says`, () => {
      const mixer = threeParty();
      expect(applySupervisionMode(mixer, PARTIES, mode).ok).toBe(true);
      const heard = runTones(mixer, 10);
      const matrix = supervisionMatrix(mode);
      for (const listener of ROLES) {
        for (const speaker of ROLES) {
          expect(isPresent(heard[listener], TONE_HZ[speaker]), `${mode}: ${listener} hears ${speaker}`).toBe(
            matrix[listener][speaker],
          );
        }
      }
    });
  }

  it('whisper: the agent hears the supervisor at 1600 Hz and the customer does not', () => {
    const mixer = threeParty();
    applySupervisionMode(mixer, PARTIES, 'whisper');
    const heard = runTones(mixer, 10);
    expect(toneAmplitude(heard.agent, 1600, 8000)).toBeGreaterThan(TONE_AMPLITUDE * 0.8);
    expect(toneAmplitude(heard.customer, 1600, 8000)).toBeLessThan(1);
  });

  it('switches modes mid-call and takeover drops the agent from the mixer', () => {
    const mixer = threeParty();
    applySupervisionMode(mixer, PARTIES, 'listen');
    expect(mixer.canHear(PARTIES.customer, PARTIES.supervisor)).toBe(false);
    applySupervisionMode(mixer, PARTIES, 'barge');
    expect(mixer.canHear(PARTIES.customer, PARTIES.supervisor)).toBe(true);
    applySupervisionMode(mixer, PARTIES, 'takeover');
    expect(mixer.has(PARTIES.agent)).toBe(false);
    expect(mixer.participants()).toEqual([PARTIES.customer, PARTIES.supervisor]);
  });
});
