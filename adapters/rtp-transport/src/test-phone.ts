import type { RemoteInfo, Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { DtmfDigit, TelephoneEventPacketPlan } from '@centralita/media';
import {
  FRAME_MS,
  FRAME_SAMPLES,
  RTP_FIXED_HEADER_BYTES,
  RtpHeaderView,
  TELEPHONE_EVENT_BYTES,
  ToneGenerator,
  decodeG711,
  dtmfToneSpec,
  encodeG711,
  planTelephoneEvent,
  writeRtpFixedHeader,
  writeTelephoneEvent,
} from '@centralita/media';
import type { G711PayloadType } from './engine-protocol.ts';
import { MediaClock } from './media-clock.ts';

/** One packet the phone received. */
export interface ReceivedPacket {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly isMarker: boolean;
  readonly payload: Uint8Array;
  /** Unix ms, on the same clock as the engine's event times. */
  readonly arrivalMs: number;
}

/** How the phone talks. */
export interface TestPhoneOptions {
  readonly payloadType: G711PayloadType;
  /** Negotiated telephone-event type; absent: digits are sent in-band. */
  readonly telephoneEventPayloadType?: number;
  /** Frequency of the test tone it sends (absent: silence). */
  readonly toneHz?: number;
  readonly toneLevelDbm0?: number;
  /** First sequence number and SSRC (defaults fixed, so tests are repeatable). */
  readonly ssrc?: number;
  readonly initialSequence?: number;
}

/**
 * A small UDP "phone" for integration tests, on 127.0.0.1: sends G.711 packets of a test tone
 * every 20 ms (on a MediaClock, like the engine), sends digits as RFC 4733 events or in-band tones,
 * and keeps every packet it receives so a test can decode what it heard and look for frequencies.
 */
export class TestPhone {
  readonly port: number;
  private readonly socket: Socket;
  private readonly options: TestPhoneOptions;
  private readonly clock: MediaClock;
  private readonly view = new RtpHeaderView();
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private tone: ToneGenerator | undefined;
  private targetAddress = '127.0.0.1';
  private targetPort = 0;
  private sequence: number;
  private timestamp = 0;
  private readonly ssrc: number;
  private isSending = false;
  private isMarkerNext = true;
  private event:
    | { readonly plan: readonly TelephoneEventPacketPlan[]; readonly startTick: number; next: number }
    | undefined;
  private inbandDigit: { readonly tone: ToneGenerator; readonly endTick: number } | undefined;
  private busyUntilTick = 0;
  private readonly waiters = new Set<() => void>();
  readonly received: ReceivedPacket[] = [];
  /** Sources the phone received from, "address:port". */
  readonly sources = new Set<string>();
  packetsSent = 0;

  private constructor(socket: Socket, options: TestPhoneOptions) {
    this.socket = socket;
    this.options = options;
    this.port = socket.address().port;
    this.ssrc = options.ssrc ?? 0x1234_5678;
    this.sequence = options.initialSequence ?? 1000;
    this.setTone(options.toneHz);
    this.clock = new MediaClock((tick) => {
      this.onTick(tick);
    });
    socket.on('message', (msg, rinfo) => {
      this.onMessage(msg, rinfo);
    });
  }

  /** Opens the phone's socket on 127.0.0.1 (port chosen by the OS). */
  static open(options: TestPhoneOptions): Promise<TestPhone> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new TestPhone(socket, options));
      });
    });
  }

  /** Where to send (the engine leg's port). */
  sendTo(port: number, address = '127.0.0.1'): void {
    this.targetPort = port;
    this.targetAddress = address;
  }

  /** Changes the test tone (undefined: silence). */
  setTone(toneHz: number | undefined): void {
    this.tone =
      toneHz === undefined
        ? undefined
        : new ToneGenerator({
            frequenciesHz: [toneHz],
            levelDbm0: this.options.toneLevelDbm0 ?? -10,
            cadenceMs: [],
            isRepeating: true,
          });
  }

  /** Starts sending a packet every 20 ms. */
  start(): void {
    this.isSending = true;
    this.clock.start();
  }

  /** Stops sending (the socket still receives). */
  stop(): void {
    this.isSending = false;
    this.clock.stop();
  }

  /**
   * Sends one key as RFC 4733 events (audio pauses meanwhile), or in-band without telephone-event;
   * the phone counts as pressing for `gapMs` more, so keys pressed in turn are apart.
   */
  pressDigit(digit: DtmfDigit, durationMs = 100, gapMs = 60): void {
    this.busyUntilTick = this.clock.currentTick + Math.ceil((durationMs + gapMs) / FRAME_MS);
    if (this.options.telephoneEventPayloadType === undefined) {
      this.inbandDigit = {
        tone: new ToneGenerator(dtmfToneSpec(digit, durationMs)),
        endTick: this.clock.currentTick + Math.ceil(durationMs / FRAME_MS),
      };
      return;
    }
    const plan = planTelephoneEvent({
      digit,
      durationMs,
      packetIntervalMs: FRAME_MS,
      startTimestamp: this.timestamp,
    });
    if (plan.ok) this.event = { plan: plan.value, startTick: this.clock.currentTick, next: 0 };
  }

  /** True while a key is being sent, or in the gap after it. */
  get isPressing(): boolean {
    return (
      this.event !== undefined ||
      this.inbandDigit !== undefined ||
      this.clock.currentTick < this.busyUntilTick
    );
  }

  private onTick(tick: number): void {
    if (!this.isSending || this.targetPort === 0) return;
    const event = this.event;
    if (event !== undefined) {
      const eventType = this.options.telephoneEventPayloadType ?? 101;
      const elapsedMs = (tick - event.startTick) * FRAME_MS;
      while (event.next < event.plan.length) {
        const packet = event.plan[event.next];
        if (packet === undefined || packet.offsetMs > elapsedMs) break;
        const bytes = Buffer.alloc(RTP_FIXED_HEADER_BYTES + TELEPHONE_EVENT_BYTES);
        writeRtpFixedHeader(bytes, 0, eventType, this.sequence, packet.timestamp, this.ssrc, packet.isMarker);
        writeTelephoneEvent(packet.payload, bytes, RTP_FIXED_HEADER_BYTES);
        this.sequence = (this.sequence + 1) & 0xffff;
        this.transmit(bytes);
        event.next++;
      }
      if (event.next >= event.plan.length) this.event = undefined;
      this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
      return;
    }
    if (this.inbandDigit !== undefined) {
      this.inbandDigit.tone.fill(this.frame);
      if (tick + 1 >= this.inbandDigit.endTick) this.inbandDigit = undefined;
    } else if (this.tone === undefined) {
      this.frame.fill(0);
    } else {
      this.tone.fill(this.frame);
    }
    const bytes = Buffer.alloc(RTP_FIXED_HEADER_BYTES + FRAME_SAMPLES);
    encodeG711(
      this.options.payloadType === 0 ? 'pcmu' : 'pcma',
      this.frame,
      bytes.subarray(RTP_FIXED_HEADER_BYTES),
    );
    writeRtpFixedHeader(
      bytes,
      0,
      this.options.payloadType,
      this.sequence,
      this.timestamp,
      this.ssrc,
      this.isMarkerNext,
    );
    this.isMarkerNext = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    this.transmit(bytes);
  }

  /** Sends raw bytes to the target (for malformed-packet and hijack tests). */
  transmit(bytes: Uint8Array): void {
    this.socket.send(bytes, this.targetPort, this.targetAddress);
    this.packetsSent++;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.view.read(msg) !== 'ok') return;
    this.sources.add(`${rinfo.address}:${rinfo.port}`);
    const view = this.view;
    this.received.push({
      payloadType: view.payloadType,
      sequenceNumber: view.sequenceNumber,
      timestamp: view.timestamp,
      ssrc: view.ssrc,
      isMarker: view.isMarker,
      payload: Uint8Array.from(msg.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)),
      arrivalMs: performance.timeOrigin + performance.now(),
    });
    for (const waiter of this.waiters) waiter();
  }

  /** Audio packets received (payload type 0 or 8). */
  audioPackets(): ReceivedPacket[] {
    return this.received.filter((p) => p.payloadType === 0 || p.payloadType === 8);
  }

  /** The audio received so far, decoded, in arrival order; `fromPacket` skips the first ones. */
  receivedAudio(fromPacket = 0): Int16Array {
    const packets = this.audioPackets().slice(fromPacket);
    const samples = new Int16Array(packets.reduce((n, p) => n + p.payload.length, 0));
    let at = 0;
    for (const packet of packets) {
      const decoded = new Int16Array(packet.payload.length);
      decodeG711(packet.payloadType === 0 ? 'pcmu' : 'pcma', packet.payload, decoded);
      samples.set(decoded, at);
      at += decoded.length;
    }
    return samples;
  }

  /** Resolves when `condition` holds (checked on every packet and every 20 ms); throws after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        finish();
        resolve();
      };
      const interval = setInterval(check, FRAME_MS);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const finish = (): void => {
        clearInterval(interval);
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Resolves once `count` more audio packets have arrived. */
  async receiveAudioPackets(count: number, timeoutMs = 5000): Promise<void> {
    const target = this.audioPackets().length + count;
    await this.waitFor(() => this.audioPackets().length >= target, timeoutMs, `${count} audio packets`);
  }

  /** Stops sending and closes the socket. */
  close(): void {
    this.stop();
    this.socket.close();
  }
}
