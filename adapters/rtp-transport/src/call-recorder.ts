import { FRAME_SAMPLES, RecordingPauseGate, interleaveStereo, mixToMono } from '@centralita/media';
import type { RecordingEndReason, RecordingSummary } from './engine-protocol.ts';
import type { FileWriteBatcher } from './file-write-batcher.ts';
import { RecordingFile } from './recording-file.ts';
import type { RtpLeg } from './rtp-leg.ts';

/**
 * Records a two-party call: what the customer says on the left channel, what the agent says on the
 * right (each leg's incoming audio through its jitter buffer, one frame per tick so both channels
 * stay aligned in real time), and optionally the two summed in a mono file. Without an agent leg it
 * records one party (a voicemail) in a mono file. Pausing silences the frames before they reach the
 * writer, so nothing said during a pause (card numbers) is ever on disk, and marks the pause for the
 * metadata.
 */
export class CallRecorder {
  readonly id: string;
  readonly customer: RtpLeg;
  readonly agent: RtpLeg | undefined;
  private readonly stereo: RecordingFile;
  private readonly mono: RecordingFile | undefined;
  private readonly gate: RecordingPauseGate;
  private readonly interleaved = new Int16Array(FRAME_SAMPLES * 2);
  private readonly mixed = new Int16Array(FRAME_SAMPLES);

  private constructor(
    id: string,
    customer: RtpLeg,
    agent: RtpLeg | undefined,
    stereo: RecordingFile,
    mono: RecordingFile | undefined,
  ) {
    this.gate = new RecordingPauseGate(agent === undefined ? 1 : 2);
    this.id = id;
    this.customer = customer;
    this.agent = agent;
    this.stereo = stereo;
    this.mono = mono;
  }

  /**
   * Opens the files (the stereo one and, if asked, the mono one) and starts tapping both legs; their
   * writes go through the worker's `writes`.
   */
  static async start(
    id: string,
    customer: RtpLeg,
    agent: RtpLeg | undefined,
    path: string,
    monoPath: string | undefined,
    writes: FileWriteBatcher,
    chunkMs: number,
    firstChunkMs = chunkMs,
  ): Promise<CallRecorder> {
    const stereo = await RecordingFile.create(
      path,
      { channels: agent === undefined ? 1 : 2 },
      writes,
      chunkMs,
      firstChunkMs,
    );
    let mono: RecordingFile | undefined;
    try {
      mono =
        monoPath === undefined
          ? undefined
          : await RecordingFile.create(monoPath, { channels: 1 }, writes, chunkMs, firstChunkMs);
    } catch (error) {
      await stereo.finish();
      throw error;
    }
    customer.acquireTap();
    agent?.acquireTap();
    return new CallRecorder(id, customer, agent, stereo, mono);
  }

  /** True while paused. */
  get isPaused(): boolean {
    return this.gate.isPaused;
  }

  /** Silence from the next frame on. */
  pause(reason: string): boolean {
    return this.gate.pause(reason);
  }

  /** Audio again from the next frame on. */
  resume(): boolean {
    return this.gate.resume();
  }

  /** A write failed: the recording cannot go on. */
  get failure(): string | undefined {
    return this.stereo.failure ?? this.mono?.failure;
  }

  /** Appends this tick's frames (the legs' `tapFrame`s, already popped). */
  tick(): void {
    const isPaused = this.gate.isPaused;
    if (this.agent === undefined) {
      this.mixed.set(this.customer.tapFrame);
      this.gate.apply(this.mixed);
      this.stereo.append(this.mixed);
      return;
    }
    interleaveStereo(this.customer.tapFrame, this.agent.tapFrame, this.interleaved);
    this.gate.apply(this.interleaved);
    this.stereo.append(this.interleaved);
    if (this.mono !== undefined) {
      if (isPaused) this.mixed.fill(0);
      else mixToMono(this.customer.tapFrame, this.agent.tapFrame, this.mixed);
      this.mono.append(this.mixed);
    }
  }

  /** Finishes both files and releases the legs' taps. */
  async finish(reason: RecordingEndReason): Promise<RecordingSummary> {
    this.customer.releaseTap();
    this.agent?.releaseTap();
    const durationMs = this.stereo.durationMs;
    await Promise.all([this.stereo.finish(), this.mono?.finish()]);
    const failure = this.failure;
    return {
      recordingId: this.id,
      path: this.stereo.path,
      monoPath: this.mono?.path,
      durationMs,
      markers: this.gate.markers(),
      reason: failure === undefined ? reason : 'write-failed',
      isComplete: failure === undefined,
    };
  }
}
