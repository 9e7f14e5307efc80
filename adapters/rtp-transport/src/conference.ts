import type { Result } from '@centralita/kernel';
import { ok } from '@centralita/kernel';
import type {
  MediaError,
  MixerParticipantFlags,
  SupervisionMode,
  SupervisionParties,
} from '@centralita/media';
import { Mixer, applySupervisionMode } from '@centralita/media';
import type { RtpLeg } from './rtp-leg.ts';

/**
 * N legs mixed by one `Mixer` (mix-minus, hear/speak flags, the supervision pair matrix). Each tick:
 * every leg's tap frame goes in, the mixer runs once, and every leg that is not playing something
 * of its own is sent its output.
 */
export class Conference {
  readonly id: string;
  private readonly mixer = new Mixer({ maxParticipants: 16 });
  private readonly legs = new Map<string, RtpLeg>();

  constructor(id: string) {
    this.id = id;
  }

  /** Number of legs in the conference. */
  get size(): number {
    return this.legs.size;
  }

  /** The legs, for the worker's bookkeeping. */
  members(): readonly RtpLeg[] {
    return [...this.legs.values()];
  }

  /** Adds a leg with its flags; its incoming audio starts feeding the mixer. */
  add(leg: RtpLeg, flags: Partial<MixerParticipantFlags>): Result<void, MediaError> {
    const added = this.mixer.add(leg.id, flags);
    if (!added.ok) return added;
    this.legs.set(leg.id, leg);
    leg.conferenceId = this.id;
    leg.acquireTap();
    leg.out.interrupt();
    return ok(undefined);
  }

  /** Takes a leg out (a no-op for a leg that is not in). */
  remove(leg: RtpLeg): void {
    if (!this.legs.delete(leg.id)) return;
    if (this.mixer.has(leg.id)) this.mixer.remove(leg.id);
    leg.conferenceId = undefined;
    leg.releaseTap();
    leg.out.interrupt();
  }

  /** Changes a member's hear/speak flags. */
  setFlags(leg: RtpLeg, flags: Partial<MixerParticipantFlags>): Result<void, MediaError> {
    return this.mixer.setFlags(leg.id, flags);
  }

  /**
   * Applies a supervision mode to three members. In takeover the mixer drops the agent; the leg
   * leaves the conference too (it stays alive until the call layer destroys it).
   */
  supervise(parties: SupervisionParties, mode: SupervisionMode): Result<void, MediaError> {
    const applied = applySupervisionMode(this.mixer, parties, mode);
    if (!applied.ok) return applied;
    for (const leg of [...this.legs.values()]) if (!this.mixer.has(leg.id)) this.remove(leg);
    return ok(undefined);
  }

  /** Mixes this tick (taps already popped) and sends each member its output. */
  tick(tick: number): void {
    const mixer = this.mixer;
    for (const leg of this.legs.values()) mixer.setInput(leg.id, leg.tapFrame);
    mixer.mix();
    for (const leg of this.legs.values()) {
      if (leg.isGeneratingOutput) continue;
      const output = mixer.output(leg.id);
      if (output !== undefined) leg.sendFrame(output, tick);
    }
  }
}
