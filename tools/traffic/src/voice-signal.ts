import type { Random } from '@centralita/kernel';
import { SeededRandom } from '@centralita/kernel';
import { FRAME_SAMPLES, TELEPHONY_SAMPLE_RATE_HZ, amplitudeFromDbm0 } from '@centralita/media';
import { uniform } from './draws.ts';

/** How a simulated voice sounds. */
export interface VoiceOptions {
  /** The fundamental, around which the pitch drifts slowly (customers and agents differ). */
  readonly pitchHz: number;
  /** Seed of the phrasing (when it speaks and pauses). */
  readonly seed: number;
  /** Peak level of a loud syllable in dBm0; quiet by default. */
  readonly levelDbm0?: number;
  /** A steady sine at `pitchHz` instead of a voice (tests tell the parties apart by frequency). */
  readonly isSteadyTone?: boolean;
}

/** The parts of a phrase: a stretch of syllables, then a pause. */
interface Phrase {
  readonly speechSamples: number;
  readonly pauseSamples: number;
  /** Syllables per second in this phrase. */
  readonly syllableRateHz: number;
}

const twoPi = 2 * Math.PI;

/**
 * A quiet, voice-like signal for simulated calls: a fundamental with two weaker harmonics, its pitch
 * drifting a few percent, shaped into syllables (3 to 5 a second) grouped in phrases with pauses between
 * them. Nicer to hear in a recording than silence or a steady tone, and still easy to tell apart by
 * pitch. Deterministic for a seed; frames are 20 ms of 8 kHz linear PCM.
 */
export class VoiceSignal {
  readonly #pitchHz: number;
  readonly #isSteadyTone: boolean;
  readonly #peak: number;
  readonly #random: Random;
  #phase = 0;
  #sample = 0;
  #phraseStart = 0;
  #phrase: Phrase;

  constructor(options: VoiceOptions) {
    this.#pitchHz = options.pitchHz;
    this.#isSteadyTone = options.isSteadyTone === true;
    this.#peak = amplitudeFromDbm0(options.levelDbm0 ?? -22);
    this.#random = new SeededRandom(options.seed);
    this.#phrase = this.#nextPhrase();
  }

  /** Fills `frame` (160 samples by default) with the next stretch of the voice. */
  next(frame: Int16Array = new Int16Array(FRAME_SAMPLES)): Int16Array {
    const rate = TELEPHONY_SAMPLE_RATE_HZ;
    if (this.#isSteadyTone) {
      for (let i = 0; i < frame.length; i++) {
        this.#phase = (this.#phase + (twoPi * this.#pitchHz) / rate) % twoPi;
        frame[i] = Math.round(this.#peak * Math.sin(this.#phase));
      }
      return frame;
    }
    for (let i = 0; i < frame.length; i++) {
      let inPhrase = this.#sample - this.#phraseStart;
      if (inPhrase >= this.#phrase.speechSamples + this.#phrase.pauseSamples) {
        this.#phraseStart = this.#sample;
        this.#phrase = this.#nextPhrase();
        inPhrase = 0;
      }
      const t = this.#sample / rate;
      // Intonation: a slow drift of a few percent, so it does not sound like a dial tone.
      const pitch = this.#pitchHz * (1 + 0.04 * Math.sin(twoPi * 0.7 * t) + 0.02 * Math.sin(twoPi * 2.3 * t));
      this.#phase = (this.#phase + (twoPi * pitch) / rate) % twoPi;
      const tone =
        Math.sin(this.#phase) + 0.35 * Math.sin(2 * this.#phase) + 0.15 * Math.sin(3 * this.#phase);
      frame[i] = Math.round(this.#peak * 0.67 * tone * this.#envelope(inPhrase, rate));
      this.#sample++;
    }
    return frame;
  }

  /** 0 in pauses; in speech, raised-sine syllables with a soft start and end of the phrase. */
  #envelope(inPhrase: number, rate: number): number {
    const phrase = this.#phrase;
    if (inPhrase >= phrase.speechSamples) return 0;
    const syllable = 0.5 - 0.5 * Math.cos((twoPi * phrase.syllableRateHz * inPhrase) / rate);
    const edgeSamples = rate * 0.08;
    const edge = Math.min(1, inPhrase / edgeSamples, (phrase.speechSamples - inPhrase) / edgeSamples);
    return syllable * edge;
  }

  #nextPhrase(): Phrase {
    const rate = TELEPHONY_SAMPLE_RATE_HZ;
    return {
      speechSamples: Math.round(uniform(this.#random, 0.8, 3.2) * rate),
      pauseSamples: Math.round(uniform(this.#random, 0.3, 1.2) * rate),
      syllableRateHz: uniform(this.#random, 3, 5),
    };
  }
}
