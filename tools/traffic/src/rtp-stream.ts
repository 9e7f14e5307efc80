import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { DtmfDigit, G711Law, TelephoneEventPacketPlan } from '@centralita/media';
import {
  FRAME_MS,
  FRAME_SAMPLES,
  RTP_FIXED_HEADER_BYTES,
  TELEPHONE_EVENT_BYTES,
  decodeG711,
  decodeTelephoneEvents,
  encodeG711,
  parseRtpPacket,
  planTelephoneEvent,
  writeRtpFixedHeader,
  writeTelephoneEvent,
} from '@centralita/media';
import type { VoiceSignal } from './voice-signal.ts';

/** Where and how to send, from the SDP negotiation. */
export interface RtpPeer {
  readonly address: string;
  readonly port: number;
  readonly law: G711Law;
  readonly payloadType: number;
  /** RFC 4733 telephone-event payload type, when both sides agreed on it. */
  readonly telephoneEventPayloadType: number | undefined;
}

/** How long a key is held: Q.24 asks at least 40 ms; phones commonly send 100 ms or more. */
const keyDurationMs = 120;
/** Frames sent at most in one tick after the event loop stalled, so a stall is not answered by a burst. */
const maxCatchUpFrames = 5;
/** The most audio kept while listening: one minute of 8 kHz samples. */
const maxHeardSamples = 60 * 8000;

/**
 * One call's media: a UDP socket sending a 20 ms G.711 frame of `voice` on the media clock (RFC 3550
 * sequence numbers and timestamps, a random SSRC), and RFC 4733 telephone-events for keys in place of
 * audio while a key is held. What it receives is counted, not played; while `listen` is on, the G.711
 * audio received is also decoded and kept (tests ask who could be heard).
 */
export class RtpStream {
  readonly #socket: Socket;
  readonly #voice: VoiceSignal;
  readonly #pcm = new Int16Array(FRAME_SAMPLES);
  readonly #packet = new Uint8Array(RTP_FIXED_HEADER_BYTES + FRAME_SAMPLES);
  readonly #ssrc = randomInt(0, 2 ** 32 - 1);
  #sequence = randomInt(0, 0xffff);
  #timestamp = randomInt(0, 2 ** 32 - 1);
  #peer: RtpPeer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #startedMs = 0;
  #framesSent = 0;
  #isMarkerDue = true;
  /** Keys waiting to be sent, and the packets left of the one being sent (one per frame). */
  readonly #keys: DtmfDigit[] = [];
  #event: TelephoneEventPacketPlan[] = [];
  #packetsReceived = 0;
  #isClosed = false;
  /** Decoded audio received since `listen`, in arrival order (undefined: not listening). */
  #heard: Int16Array[] | undefined;
  #heardSamples = 0;
  readonly #keysReceived: string[] = [];
  #lastEventTimestamp: number | undefined;

  private constructor(socket: Socket, voice: VoiceSignal) {
    this.#socket = socket;
    this.#voice = voice;
    socket.on('message', (message: Buffer) => {
      this.#packetsReceived++;
      this.#noteKey(message);
      if (this.#heard !== undefined) this.#keep(message);
    });
    // A peer that went away makes sends fail with ICMP errors on some systems; the call ends by SIP.
    socket.on('error', () => undefined);
  }

  /** Binds a socket on `address` (a port the system picks), to put in the SDP before media starts. */
  static async open(address: string, voice: VoiceSignal): Promise<RtpStream> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpStream(socket, voice);
  }

  /** The local RTP port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** Packets sent and received so far. */
  get stats(): { readonly packetsSent: number; readonly packetsReceived: number } {
    return { packetsSent: this.#framesSent, packetsReceived: this.#packetsReceived };
  }

  /** Starts sending to the peer (again, after a re-INVITE moved it). */
  start(peer: RtpPeer): void {
    if (this.#isClosed) return;
    this.#peer = peer;
    if (this.#timer !== undefined) return;
    this.#startedMs = performance.now();
    this.#timer = setInterval(() => {
      this.#tick();
    }, FRAME_MS);
  }

  /** Presses a key: sent as RFC 4733 events when negotiated (otherwise it cannot be heard, and is dropped). */
  sendDigit(digit: DtmfDigit): void {
    this.#keys.push(digit);
  }

  /** Starts keeping what is heard (G.711 payloads decoded), forgetting anything kept before. */
  listen(): void {
    this.#heard = [];
    this.#heardSamples = 0;
  }

  /** What was heard since `listen` (at most a minute), as 8 kHz linear PCM. */
  heard(): Int16Array {
    const all = new Int16Array(this.#heardSamples);
    let offset = 0;
    for (const chunk of this.#heard ?? []) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }

  /** Keys received as RFC 4733 events, in order (one per event, whatever its retransmissions). */
  get keysReceived(): string {
    return this.#keysReceived.join('');
  }

  #noteKey(message: Buffer): void {
    const packet = parseRtpPacket(message);
    if (!packet.ok || packet.value.payloadType === 0 || packet.value.payloadType === 8) return;
    const expected = this.#peer?.telephoneEventPayloadType ?? 101;
    if (packet.value.payloadType !== expected || packet.value.timestamp === this.#lastEventTimestamp) return;
    const events = decodeTelephoneEvents(packet.value.payload);
    const event = events.ok ? events.value[0]?.event : undefined;
    if (event === undefined || event > 15) return;
    this.#lastEventTimestamp = packet.value.timestamp;
    this.#keysReceived.push('0123456789*#ABCD'[event] ?? '');
  }

  #keep(message: Buffer): void {
    const packet = parseRtpPacket(message);
    if (!packet.ok || (packet.value.payloadType !== 0 && packet.value.payloadType !== 8)) return;
    if (this.#heardSamples >= maxHeardSamples) return;
    const samples = new Int16Array(packet.value.payload.length);
    decodeG711(packet.value.payloadType === 0 ? 'pcmu' : 'pcma', packet.value.payload, samples);
    this.#heard?.push(samples);
    this.#heardSamples += samples.length;
  }

  /** Stops sending and closes the socket. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await new Promise<void>((resolve) => {
      this.#socket.close(() => {
        resolve();
      });
    });
  }

  /** Sends every frame due by now on the 20 ms clock (timers drift; the clock does not). */
  #tick(): void {
    const due = Math.floor((performance.now() - this.#startedMs) / FRAME_MS) - this.#framesSent;
    if (due > maxCatchUpFrames) this.#framesSent += due - maxCatchUpFrames;
    for (let i = 0; i < Math.min(due, maxCatchUpFrames); i++) this.#sendFrame();
  }

  #sendFrame(): void {
    const peer = this.#peer;
    if (peer === undefined || this.#isClosed) return;
    this.#framesSent++;
    if (this.#event.length === 0) this.#startNextKey(peer);
    const eventPacket = this.#event.shift();
    let length: number;
    if (eventPacket !== undefined && peer.telephoneEventPayloadType !== undefined) {
      // RFC 4733 §2.5.1: every packet of an event carries the event's start timestamp.
      writeRtpFixedHeader(
        this.#packet,
        0,
        peer.telephoneEventPayloadType,
        this.#sequence,
        eventPacket.timestamp,
        this.#ssrc,
        eventPacket.isMarker,
      );
      writeTelephoneEvent(eventPacket.payload, this.#packet, RTP_FIXED_HEADER_BYTES);
      length = RTP_FIXED_HEADER_BYTES + TELEPHONE_EVENT_BYTES;
    } else {
      this.#voice.next(this.#pcm);
      encodeG711(peer.law, this.#pcm, this.#packet.subarray(RTP_FIXED_HEADER_BYTES));
      writeRtpFixedHeader(
        this.#packet,
        0,
        peer.payloadType,
        this.#sequence,
        this.#timestamp,
        this.#ssrc,
        this.#isMarkerDue,
      );
      this.#isMarkerDue = false;
      length = RTP_FIXED_HEADER_BYTES + FRAME_SAMPLES;
    }
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + FRAME_SAMPLES) >>> 0;
    this.#socket.send(this.#packet.subarray(0, length), peer.port, peer.address);
  }

  #startNextKey(peer: RtpPeer): void {
    const digit = this.#keys.shift();
    if (digit === undefined || peer.telephoneEventPayloadType === undefined) return;
    const plan = planTelephoneEvent({
      digit,
      durationMs: keyDurationMs,
      packetIntervalMs: FRAME_MS,
      startTimestamp: this.#timestamp,
    });
    if (plan.ok) this.#event = [...plan.value];
  }
}
