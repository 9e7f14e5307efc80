import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaError } from './errors.ts';
import { mediaError } from './errors.ts';
import { FRAME_SAMPLES } from './signal-level.ts';

/** Per-participant switches. A participant is heard by X only if it speaks and X hears. */
export interface MixerParticipantFlags {
  /** Receives a mix (false: its output is silence). */
  readonly isHearing: boolean;
  /** Contributes its input to others' mixes (false: muted). */
  readonly isSpeaking: boolean;
}

/** Mixer sizing. */
export interface MixerOptions {
  readonly frameSamples?: number;
  /** Slots allocated up front; `add` fails with MEDIA_MIXER_FULL beyond this. */
  readonly maxParticipants?: number;
}

const DEFAULT_FLAGS: MixerParticipantFlags = { isHearing: true, isSpeaking: true };

/**
 * An N-party audio mixer for one conference, one 20 ms frame per tick, with mix-minus: each
 * participant hears everyone but itself. On top of the per-participant hear/speak flags, a
 * listener x speaker matrix says who may hear whom, which is how one mixer does supervision:
 * listen, whisper, barge and takeover are just different matrices (see supervision-mode.ts).
 *
 * Per tick: write each participant's linear frame into `input(id)`, call `mix()`, read
 * `output(id)`. Sums are taken in Int32 and clamped to 16 bits once, so loud parties saturate
 * instead of wrapping around. Every buffer is allocated when a slot is first used; `mix()`
 * allocates nothing. Inputs are cleared by `mix()`, so a participant with no audio this tick
 * (no packet, nothing concealed) counts as silence rather than repeating its last frame.
 */
export class Mixer {
  private readonly frameSamples: number;
  private readonly capacity: number;
  private readonly ids: (string | undefined)[];
  private readonly slotById = new Map<string, number>();
  private readonly inputs: (Int16Array | undefined)[];
  private readonly outputs: (Int16Array | undefined)[];
  private readonly isHearing: Uint8Array;
  private readonly isSpeaking: Uint8Array;
  /** pairs[listener * capacity + speaker] = 1 when the listener may hear the speaker. */
  private readonly pairs: Uint8Array;
  private readonly total: Int32Array;
  private readonly scratch: Int32Array;
  /** The sum of every speaking participant, clamped: a conference-wide mix for recording. */
  readonly allSpeakers: Int16Array;

  constructor(options: MixerOptions = {}) {
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    this.capacity = options.maxParticipants ?? 16;
    this.ids = new Array<string | undefined>(this.capacity).fill(undefined);
    this.inputs = new Array<Int16Array | undefined>(this.capacity).fill(undefined);
    this.outputs = new Array<Int16Array | undefined>(this.capacity).fill(undefined);
    this.isHearing = new Uint8Array(this.capacity);
    this.isSpeaking = new Uint8Array(this.capacity);
    this.pairs = new Uint8Array(this.capacity * this.capacity);
    this.total = new Int32Array(this.frameSamples);
    this.scratch = new Int32Array(this.frameSamples);
    this.allSpeakers = new Int16Array(this.frameSamples);
  }

  private unknown(id: string): { readonly ok: false; readonly error: MediaError } {
    return err(mediaError('MEDIA_MIXER_UNKNOWN_PARTICIPANT', `no participant ${id} in the mixer`, 'id'));
  }

  /** Adds a participant who hears and is heard by everyone unless the flags say otherwise. */
  add(id: string, flags: Partial<MixerParticipantFlags> = {}): Result<void, MediaError> {
    if (this.slotById.has(id)) {
      return err(mediaError('MEDIA_MIXER_DUPLICATE_PARTICIPANT', `participant ${id} is already mixed`, 'id'));
    }
    const slot = this.ids.indexOf(undefined);
    if (slot < 0)
      return err(mediaError('MEDIA_MIXER_FULL', `the mixer holds at most ${this.capacity} participants`));
    this.ids[slot] = id;
    this.slotById.set(id, slot);
    (this.inputs[slot] ??= new Int16Array(this.frameSamples)).fill(0);
    (this.outputs[slot] ??= new Int16Array(this.frameSamples)).fill(0);
    const merged = { ...DEFAULT_FLAGS, ...flags };
    this.isHearing[slot] = merged.isHearing ? 1 : 0;
    this.isSpeaking[slot] = merged.isSpeaking ? 1 : 0;
    for (let other = 0; other < this.capacity; other++) {
      this.pairs[slot * this.capacity + other] = 1;
      this.pairs[other * this.capacity + slot] = 1;
    }
    return ok(undefined);
  }

  /** Removes a participant; its slot (and buffers) are reused by the next `add`. */
  remove(id: string): Result<void, MediaError> {
    const slot = this.slotById.get(id);
    if (slot === undefined) return this.unknown(id);
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.isHearing[slot] = 0;
    this.isSpeaking[slot] = 0;
    return ok(undefined);
  }

  /** Whether a participant is in the mixer. */
  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** Participant ids in slot order. */
  participants(): readonly string[] {
    return this.ids.filter((id): id is string => id !== undefined);
  }

  /** Changes a participant's hear/speak flags. */
  setFlags(id: string, flags: Partial<MixerParticipantFlags>): Result<void, MediaError> {
    const slot = this.slotById.get(id);
    if (slot === undefined) return this.unknown(id);
    if (flags.isHearing !== undefined) this.isHearing[slot] = flags.isHearing ? 1 : 0;
    if (flags.isSpeaking !== undefined) this.isSpeaking[slot] = flags.isSpeaking ? 1 : 0;
    return ok(undefined);
  }

  /** Allows or forbids one listener hearing one speaker (the per-pair matrix). */
  setPairHearing(listenerId: string, speakerId: string, canHear: boolean): Result<void, MediaError> {
    const listener = this.slotById.get(listenerId);
    if (listener === undefined) return this.unknown(listenerId);
    const speaker = this.slotById.get(speakerId);
    if (speaker === undefined) return this.unknown(speakerId);
    this.pairs[listener * this.capacity + speaker] = canHear ? 1 : 0;
    return ok(undefined);
  }

  /** Whether `listenerId` hears `speakerId` now, all switches considered (never oneself). */
  canHear(listenerId: string, speakerId: string): boolean {
    const listener = this.slotById.get(listenerId);
    const speaker = this.slotById.get(speakerId);
    if (listener === undefined || speaker === undefined) return false;
    return this.hears(listener, speaker);
  }

  private hears(listener: number, speaker: number): boolean {
    return (
      listener !== speaker &&
      this.isHearing[listener] === 1 &&
      this.isSpeaking[speaker] === 1 &&
      this.pairs[listener * this.capacity + speaker] === 1
    );
  }

  /** The buffer to write this participant's frame into before `mix()`. */
  input(id: string): Int16Array | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.inputs[slot];
  }

  /** Copies a frame into the participant's input; false if there is no such participant. */
  setInput(id: string, samples: Int16Array): boolean {
    const target = this.input(id);
    if (target === undefined) return false;
    target.set(samples.subarray(0, this.frameSamples));
    return true;
  }

  /** What the participant hears this tick, valid after `mix()` until the next one. */
  output(id: string): Int16Array | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.outputs[slot];
  }

  /**
   * Mixes one tick. The sum of all speakers is taken once; each listener then gets that sum minus
   * the speakers it must not hear (itself included), or the sum of the few it may hear, whichever
   * takes fewer frame additions. With everyone hearing everyone this is the classic mix-minus:
   * one subtraction per listener.
   */
  mix(): void {
    const n = this.frameSamples;
    const { total, scratch, capacity } = this;
    total.fill(0);
    let speakers = 0;
    for (let s = 0; s < capacity; s++) {
      if (this.ids[s] === undefined || this.isSpeaking[s] !== 1) continue;
      speakers++;
      const input = this.inputs[s];
      if (input === undefined) continue;
      for (let i = 0; i < n; i++) total[i] = (total[i] ?? 0) + (input[i] ?? 0);
    }
    clampInto(total, this.allSpeakers, n);

    for (let l = 0; l < capacity; l++) {
      const output = this.outputs[l];
      if (this.ids[l] === undefined || output === undefined) continue;
      if (this.isHearing[l] !== 1) {
        output.fill(0);
        continue;
      }
      let excluded = 0;
      for (let s = 0; s < capacity; s++) {
        if (this.ids[s] !== undefined && this.isSpeaking[s] === 1 && !this.hears(l, s)) excluded++;
      }
      const included = speakers - excluded;
      if (included === 0) {
        output.fill(0);
        continue;
      }
      if (excluded <= included) {
        scratch.set(total);
        for (let s = 0; s < capacity; s++) {
          if (this.ids[s] === undefined || this.isSpeaking[s] !== 1 || this.hears(l, s)) continue;
          const input = this.inputs[s];
          if (input !== undefined)
            for (let i = 0; i < n; i++) scratch[i] = (scratch[i] ?? 0) - (input[i] ?? 0);
        }
      } else {
        scratch.fill(0);
        for (let s = 0; s < capacity; s++) {
          if (this.ids[s] === undefined || !this.hears(l, s)) continue;
          const input = this.inputs[s];
          if (input !== undefined)
            for (let i = 0; i < n; i++) scratch[i] = (scratch[i] ?? 0) + (input[i] ?? 0);
        }
      }
      clampInto(scratch, output, n);
    }
    for (let s = 0; s < capacity; s++) if (this.ids[s] !== undefined) this.inputs[s]?.fill(0);
  }
}

/** Int32 sums to 16-bit samples, saturating. */
function clampInto(source: Int32Array, target: Int16Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = source[i] ?? 0;
    target[i] = v > 32_767 ? 32_767 : v < -32_768 ? -32_768 : v;
  }
}
