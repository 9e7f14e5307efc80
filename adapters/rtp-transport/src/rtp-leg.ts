import type { DtmfDigit, G711Law, TelephoneEventPacketPlan } from '@centralita/media';
import {
  DtmfDetector,
  FRAME_MS,
  FRAME_SAMPLES,
  JitterBuffer,
  RTP_FIXED_HEADER_BYTES,
  RtpHeaderView,
  RtpReceptionStatistics,
  TELEPHONE_EVENT_BYTES,
  TelephoneEventReceiver,
  ToneGenerator,
  decodeG711,
  dtmfToneSpec,
  encodeG711,
  estimateG711Quality,
  isAcceptedSequence,
  planTelephoneEvent,
  transcodeG711,
  writeTelephoneEvent,
} from '@centralita/media';
import type { Random } from '@centralita/kernel';
import type { DigitCollectionState } from './digit-collection.ts';
import type { DigitSource, G711PayloadType, LegQuality } from './engine-protocol.ts';
import { OutgoingRtpStream } from './outgoing-rtp-stream.ts';
import type { PlaybackCursor } from './playback-cursor.ts';
import { RtcpSession } from './rtcp-session.ts';
import { SymmetricRtpLatch } from './symmetric-rtp-latch.ts';
import type { MediaSocket } from './media-socket.ts';
import type { UdpPortPair } from './udp-port-pair.ts';

/** Traffic counters shared by all legs of a worker. */
export interface TrafficCounters {
  packetsReceived: number;
  packetsSent: number;
  packetsRelayed: number;
}

/** What a leg needs from the worker that owns it. */
export interface LegContext {
  /** The media clock's current tick index. */
  currentTick(): number;
  /** Wall-clock time in Unix ms from a monotonic source (performance.timeOrigin + now()). */
  nowUnixMs(): number;
  /** A digit arrived on the leg (RFC 4733, in-band or SIP INFO). */
  onDigit(leg: RtpLeg, digit: DtmfDigit, source: DigitSource, atMs: number): void;
  /** A new number for an incoming stream, unique in the worker (see OutgoingRtpStream.writeRelayed). */
  nextSourceKey(): number;
  readonly traffic: TrafficCounters;
  readonly random: Random;
  log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

/** Where the leg's settings come from. */
export interface RtpLegSettings {
  readonly legId: string;
  readonly callId: string;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteRtcpPort: number;
  readonly payloadType: G711PayloadType;
  readonly telephoneEventPayloadType: number | undefined;
  /** False: the leg's keys are not wanted (no digit events, no in-band detection). */
  readonly detectsDigits: boolean;
  readonly noMediaTimeoutMs: number;
  readonly rtcpIntervalMs: number;
  readonly ssrc: number;
  readonly initialSequence: number;
  readonly initialTimestamp: number;
}

/** A playback running on a leg. */
export interface ActivePlayback {
  readonly playbackId: string;
  readonly cursor: PlaybackCursor;
  readonly isBargeIn: boolean;
}

/** The keys queued by sendDtmf and the one being sent. */
interface DtmfSending {
  readonly digits: DtmfDigit[];
  readonly durationMs: number;
  readonly gapTicks: number;
  /** The tick the next key may start (after the gap). */
  nextStartTick: number;
  current:
    | {
        readonly startTick: number;
        readonly timestamp: number;
        readonly plan: readonly TelephoneEventPacketPlan[];
        next: number;
      }
    | { readonly startTick: number; readonly tone: ToneGenerator; readonly ticks: number }
    | undefined;
}

/** One header view for the whole worker: packets are handled one at a time, synchronously. */
const view = new RtpHeaderView();

function lawOf(payloadType: G711PayloadType): G711Law {
  return payloadType === 0 ? 'pcmu' : 'pcma';
}

/**
 * One RTP leg: its socket pair, symmetric latching, reception statistics, the stream we send, and
 * whatever feeds or taps it (bridge peer, conference, recording, playback, DTMF, digit collection).
 * The worker engine decides what connects to what; the leg does the per-packet and per-tick work.
 */
export class RtpLeg {
  readonly id: string;
  readonly callId: string;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly context: LegContext;
  private readonly rtp: MediaSocket;
  private readonly rtcp: MediaSocket;
  private readonly latch = new SymmetricRtpLatch();
  readonly out: OutgoingRtpStream;
  private readonly rtcpSession: RtcpSession;
  private readonly createdAtMs: number;

  payloadType: G711PayloadType;
  law: G711Law;
  telephoneEventPayloadType: number | undefined;
  private readonly detectsDigits: boolean;
  noMediaTimeoutMs: number;
  private sdpAddress: string;
  /** Where RTP goes: the latched source, or the SDP address before latching. */
  private sendAddress: string;
  private sendPort: number;
  private rtcpSendAddress: string;
  private rtcpSendPort: number;
  private isRtcpLatched = false;

  private reception: RtpReceptionStatistics | undefined;
  private remoteSsrc = 0;
  /** Names the current incoming stream for the peer's relay (changes with the SSRC). */
  sourceKey: number;
  private eventReceiver: TelephoneEventReceiver | undefined;
  private inbandDetector: DtmfDetector | undefined;
  private readonly decoded = new Int16Array(FRAME_SAMPLES * 4);
  private readonly frame = new Int16Array(FRAME_SAMPLES);

  /** The bridged peer: our packets are relayed to it. */
  peer: RtpLeg | undefined;
  /** The conference the leg is in, by id. */
  conferenceId: string | undefined;
  /** Decoded incoming audio for the mixer and recorders; present while anyone uses it. */
  private tap: JitterBuffer | undefined;
  private tapUsers = 0;
  /** This tick's frame from the tap (valid after `popTap`). */
  readonly tapFrame = new Int16Array(FRAME_SAMPLES);
  playback: ActivePlayback | undefined;
  collection: DigitCollectionState | undefined;
  private dtmf: DtmfSending | undefined;

  lastPacketMs: number;
  isNoMediaReported = false;
  private packetsMalformed = 0;
  private packetsOtherPayload = 0;
  private isClosed = false;

  constructor(settings: RtpLegSettings, sockets: UdpPortPair, context: LegContext) {
    this.id = settings.legId;
    this.callId = settings.callId;
    this.localAddress = settings.localAddress;
    this.localPort = sockets.port;
    this.context = context;
    this.rtp = sockets.rtp;
    this.rtcp = sockets.rtcp;
    this.payloadType = settings.payloadType;
    this.law = lawOf(settings.payloadType);
    this.telephoneEventPayloadType = settings.telephoneEventPayloadType;
    this.detectsDigits = settings.detectsDigits;
    this.noMediaTimeoutMs = settings.noMediaTimeoutMs;
    this.sdpAddress = settings.remoteAddress;
    this.sendAddress = settings.remoteAddress;
    this.sendPort = settings.remotePort;
    this.rtcpSendAddress = settings.remoteAddress;
    this.rtcpSendPort = settings.remoteRtcpPort;
    this.out = new OutgoingRtpStream(
      settings.ssrc,
      settings.initialSequence,
      settings.initialTimestamp,
      context.currentTick(),
    );
    this.rtcpSession = new RtcpSession({
      cname: `centralita-${settings.ssrc.toString(16)}@${settings.localAddress}`,
      intervalMs: settings.rtcpIntervalMs,
      random: context.random,
    });
    this.sourceKey = context.nextSourceKey();
    this.createdAtMs = context.nowUnixMs();
    this.lastPacketMs = this.createdAtMs;
    this.configureDtmfReception();
    this.rtp.onDatagram((msg, address, port, receivedAtMs) => {
      this.onRtp(msg, address, port, receivedAtMs);
    });
    this.rtcp.onDatagram((msg, address, port, receivedAtMs) => {
      this.onRtcp(msg, address, port, receivedAtMs);
    });
    const onSocketError = (error: Error): void => {
      context.log('warn', 'media socket error', {
        callId: this.callId,
        legId: this.id,
        error: error.message,
      });
    };
    this.rtp.onError(onSocketError);
    this.rtcp.onError(onSocketError);
  }

  /** RFC 4733 when negotiated; otherwise Goertzel on the decoded audio (never both: a digit would count twice). */
  private configureDtmfReception(): void {
    if (!this.detectsDigits) {
      this.eventReceiver = undefined;
      this.inbandDetector = undefined;
    } else if (this.telephoneEventPayloadType === undefined) {
      this.eventReceiver = undefined;
      this.inbandDetector ??= new DtmfDetector();
    } else {
      this.inbandDetector = undefined;
      this.eventReceiver ??= new TelephoneEventReceiver();
    }
  }

  /** Applies a re-INVITE: new remote address, maybe a new codec. Latching starts over. */
  updateRemote(
    address: string,
    port: number,
    rtcpPort: number,
    payloadType: G711PayloadType | undefined,
    telephoneEventPayloadType: number | null | undefined,
    noMediaTimeoutMs: number | undefined,
  ): void {
    this.sdpAddress = address;
    this.sendAddress = address;
    this.sendPort = port;
    this.rtcpSendAddress = address;
    this.rtcpSendPort = rtcpPort;
    this.isRtcpLatched = false;
    this.latch.reopen();
    if (payloadType !== undefined) {
      this.payloadType = payloadType;
      this.law = lawOf(payloadType);
    }
    if (telephoneEventPayloadType !== undefined) {
      this.telephoneEventPayloadType = telephoneEventPayloadType ?? undefined;
      this.configureDtmfReception();
    }
    if (noMediaTimeoutMs !== undefined) this.noMediaTimeoutMs = noMediaTimeoutMs;
    this.out.interrupt();
  }

  // ---------------------------------------------------------------- receiving

  /** `nowMs`: when the datagram arrived (the kernel's stamp on the native path), for jitter and timing. */
  private onRtp(msg: Buffer, address: string, port: number, nowMs: number): void {
    if (this.isClosed) return;
    const context = this.context;
    context.traffic.packetsReceived++;
    if (view.read(msg) !== 'ok') {
      this.packetsMalformed++;
      return;
    }
    const verdict = this.latch.offer(address, port, view.ssrc, view.sequenceNumber);
    if (verdict !== 'accepted') {
      if (verdict !== 'latched') return;
      this.sendAddress = address;
      this.sendPort = port;
    }
    const payloadType = view.payloadType;
    const isAudio = payloadType === this.payloadType;
    if (!isAudio && payloadType !== this.telephoneEventPayloadType) {
      // Comfort noise (13) and anything not negotiated.
      this.packetsOtherPayload++;
      return;
    }
    let reception = this.reception;
    if (reception === undefined || view.ssrc !== this.remoteSsrc) {
      // The latch already made this source prove itself: no second probation (RFC 3550 A.1 allows 0).
      reception = new RtpReceptionStatistics(8000, 0);
      this.reception = reception;
      this.remoteSsrc = view.ssrc;
      this.sourceKey = context.nextSourceKey();
    }
    const sequenceVerdict = reception.onPacket(view.sequenceNumber, view.timestamp, nowMs);
    if (!isAcceptedSequence(sequenceVerdict)) return;
    if (sequenceVerdict === 'restarted') this.sourceKey = context.nextSourceKey();
    this.lastPacketMs = nowMs;
    this.isNoMediaReported = false;
    if (isAudio) this.onAudio(msg, nowMs);
    else this.onTelephoneEvent(msg, nowMs);
  }

  private onAudio(msg: Buffer, nowMs: number): void {
    const offset = view.payloadOffset;
    const length = view.payloadLength;
    const detector = this.inbandDetector;
    if (detector === undefined) {
      // Decoded from the datagram straight into the jitter buffer: no copy, no view object per packet.
      this.tap?.pushG711(view.timestamp, this.law, msg, offset, length, nowMs, view.isMarker);
    } else {
      // The detector needs the samples too: decoded once into the leg's own buffer, then stored.
      const samples = this.decoded;
      const count = decodeG711(this.law, msg, samples, length, offset);
      this.tap?.push(view.timestamp, samples, nowMs, view.isMarker, count);
      for (const notice of detector.process(samples, count)) {
        if (notice.kind === 'digit-began') this.context.onDigit(this, notice.digit, 'inband', nowMs);
      }
    }
    const peer = this.peer;
    if (peer === undefined || !peer.isTakingRelay()) return;
    if (peer.law !== this.law) {
      const payload = msg.subarray(offset, offset + length);
      transcodeG711(this.law, payload, payload, length);
    }
    this.relayTo(peer, msg, peer.payloadType);
  }

  private onTelephoneEvent(msg: Buffer, nowMs: number): void {
    const offset = view.payloadOffset;
    const payload = msg.subarray(offset, offset + view.payloadLength);
    const receiver = this.eventReceiver;
    if (receiver !== undefined) {
      for (const notice of receiver.receive(view.timestamp, payload, nowMs)) {
        if (notice.kind === 'digit-began') this.context.onDigit(this, notice.digit, 'rfc4733', nowMs);
      }
    }
    // Relay the event itself when the peer negotiated telephone-event too, so the far end sees the
    // key press exactly as sent (end packets and all).
    const peer = this.peer;
    const peerEventType = peer?.telephoneEventPayloadType;
    if (peer === undefined || peerEventType === undefined || !peer.isTakingRelay()) return;
    this.relayTo(peer, msg, peerEventType);
  }

  /** Rewrites the header in place in front of the payload and sends it from the peer's socket. */
  private relayTo(peer: RtpLeg, msg: Buffer, payloadType: number): void {
    const headerAt = view.payloadOffset - RTP_FIXED_HEADER_BYTES;
    const length = view.payloadLength;
    peer.out.writeRelayed(
      msg,
      headerAt,
      payloadType,
      view.sequenceNumber,
      view.timestamp,
      view.isMarker,
      this.sourceKey,
      this.context.currentTick(),
      length,
    );
    peer.send(msg, headerAt, RTP_FIXED_HEADER_BYTES + length);
    this.context.traffic.packetsRelayed++;
  }

  private onRtcp(msg: Buffer, address: string, port: number, receivedAtMs: number): void {
    if (this.isClosed) return;
    // Only the latched media source's host may speak RTCP for it; its RTCP port is learnt the same way.
    const expectedAddress = this.latch.address ?? this.sdpAddress;
    // Port 0: no port to send our reports back to (RFC 768).
    if (address !== expectedAddress || port === 0) return;
    if (!this.isRtcpLatched) {
      this.isRtcpLatched = true;
      this.rtcpSendAddress = address;
      this.rtcpSendPort = port;
    } else if (port !== this.rtcpSendPort) {
      return;
    }
    this.rtcpSession.receive(msg, receivedAtMs, this.out.ssrc, this.receptionFigures());
  }

  private receptionFigures(): { remoteSsrc: number; statistics: RtpReceptionStatistics } | undefined {
    return this.reception === undefined
      ? undefined
      : { remoteSsrc: this.remoteSsrc, statistics: this.reception };
  }

  // ---------------------------------------------------------------- sending

  /** Sends a datagram (an RTP packet already built) to the peer. */
  send(buffer: Buffer, offset: number, length: number): void {
    if (this.isClosed) return;
    this.rtp.send(buffer, offset, length, this.sendPort, this.sendAddress);
    this.context.traffic.packetsSent++;
  }

  /** False while the leg's own output (playback, DTMF) replaces what a bridge would relay to it. */
  isTakingRelay(): boolean {
    return this.playback === undefined && this.dtmf === undefined;
  }

  /** True when the tick, not a bridge, decides what this leg hears. */
  get isGeneratingOutput(): boolean {
    return this.playback !== undefined || this.dtmf !== undefined;
  }

  /** Encodes a linear frame and sends it as this tick's packet. */
  sendFrame(samples: Int16Array, tick: number): void {
    const packet = Buffer.allocUnsafe(RTP_FIXED_HEADER_BYTES + FRAME_SAMPLES);
    encodeG711(this.law, samples, packet.subarray(RTP_FIXED_HEADER_BYTES), FRAME_SAMPLES);
    this.out.writeGenerated(packet, 0, this.payloadType, tick, FRAME_SAMPLES);
    this.send(packet, 0, packet.length);
  }

  // ---------------------------------------------------------------- taps (mixer, recorder)

  /** Starts decoding incoming audio into a jitter buffer for a mixer or recorder. */
  acquireTap(): void {
    this.tapUsers++;
    this.tap ??= new JitterBuffer({ depth: { kind: 'adaptive', minDepthMs: 40, maxDepthMs: 160 } });
  }

  /** One user less; the buffer goes when nobody needs it (a plain bridge needs none). */
  releaseTap(): void {
    this.tapUsers = Math.max(0, this.tapUsers - 1);
    if (this.tapUsers === 0) this.tap = undefined;
  }

  /** Takes this tick's frame out of the tap into `tapFrame`. */
  popTap(): void {
    if (this.tap === undefined) this.tapFrame.fill(0);
    else this.tap.pop(this.tapFrame);
  }

  /** Whether a mixer or recorder is using the tap. */
  get hasTap(): boolean {
    return this.tap !== undefined;
  }

  // ---------------------------------------------------------------- per-tick output

  /**
   * This tick's own output: DTMF first, then playback. Returns the playback that just finished, if
   * one did (the engine reports it).
   */
  tickOutput(tick: number): ActivePlayback | undefined {
    if (this.dtmf !== undefined) {
      this.tickDtmf(tick, this.dtmf);
      return undefined;
    }
    const playback = this.playback;
    if (playback === undefined) return undefined;
    const state = playback.cursor.fill(this.frame);
    this.sendFrame(this.frame, tick);
    if (state === 'playing') return undefined;
    this.playback = undefined;
    this.out.interrupt();
    return playback;
  }

  /** Queues keys to send (RFC 4733 when negotiated, in-band tones otherwise). */
  queueDtmf(digits: readonly DtmfDigit[], durationMs: number, gapMs: number): void {
    const gapTicks = Math.max(1, Math.ceil(gapMs / FRAME_MS));
    if (this.dtmf === undefined) {
      this.dtmf = {
        digits: [...digits],
        durationMs,
        gapTicks,
        nextStartTick: this.context.currentTick(),
        current: undefined,
      };
    } else {
      this.dtmf.digits.push(...digits);
    }
  }

  private tickDtmf(tick: number, sending: DtmfSending): void {
    let current = sending.current;
    if (current === undefined) {
      const digit = sending.digits[0];
      if (digit === undefined) {
        this.dtmf = undefined;
        this.out.interrupt();
        return;
      }
      if (tick < sending.nextStartTick) return; // the pause between keys: nothing sent
      sending.digits.shift();
      const eventType = this.telephoneEventPayloadType;
      if (eventType === undefined) {
        current = {
          startTick: tick,
          tone: new ToneGenerator(dtmfToneSpec(digit, sending.durationMs)),
          ticks: Math.ceil(sending.durationMs / FRAME_MS),
        };
      } else {
        const timestamp = this.out.startEvent(tick);
        const plan = planTelephoneEvent({
          digit,
          durationMs: sending.durationMs,
          packetIntervalMs: FRAME_MS,
          startTimestamp: timestamp,
        });
        current = { startTick: tick, timestamp, plan: plan.ok ? plan.value : [], next: 0 };
      }
      sending.current = current;
    }
    const elapsedMs = (tick - current.startTick) * FRAME_MS;
    let isDone: boolean;
    if ('tone' in current) {
      current.tone.fill(this.frame);
      this.sendFrame(this.frame, tick);
      isDone = tick - current.startTick + 1 >= current.ticks;
    } else {
      const eventType = this.telephoneEventPayloadType ?? 101;
      while (current.next < current.plan.length) {
        const packetPlan = current.plan[current.next];
        if (packetPlan === undefined || packetPlan.offsetMs > elapsedMs) break;
        const packet = Buffer.allocUnsafe(RTP_FIXED_HEADER_BYTES + TELEPHONE_EVENT_BYTES);
        writeTelephoneEvent(packetPlan.payload, packet, RTP_FIXED_HEADER_BYTES);
        this.out.writeEvent(
          packet,
          0,
          eventType,
          packetPlan.timestamp,
          packetPlan.isMarker,
          TELEPHONE_EVENT_BYTES,
        );
        this.send(packet, 0, packet.length);
        current.next++;
      }
      isDone = current.next >= current.plan.length;
    }
    if (isDone) {
      sending.current = undefined;
      sending.nextStartTick = tick + 1 + sending.gapTicks;
    }
  }

  // ---------------------------------------------------------------- housekeeping

  /** Ends an RFC 4733 event whose end packets were all lost. */
  pollTelephoneEvents(nowMs: number): void {
    if (this.eventReceiver === undefined) return;
    // digit-began was reported when the event started; an inferred end adds nothing for the call layer.
    this.eventReceiver.poll(nowMs);
  }

  /** Seconds without media if the no-media timeout just expired, else undefined. */
  checkNoMedia(nowMs: number): number | undefined {
    if (this.noMediaTimeoutMs <= 0 || this.isNoMediaReported) return undefined;
    const silentMs = nowMs - this.lastPacketMs;
    if (silentMs < this.noMediaTimeoutMs) return undefined;
    this.isNoMediaReported = true;
    return Math.round(silentMs / 100) / 10;
  }

  /** Sends an RTCP report when one is due (RFC 3550 §6.2 timing). */
  tickRtcp(nowMs: number): void {
    if (this.isClosed || !this.rtcpSession.isReportDue(nowMs)) return;
    const report = this.rtcpSession.buildReport(
      nowMs,
      {
        ssrc: this.out.ssrc,
        packetsSent: this.out.packetsSent,
        octetsSent: this.out.octetsSent,
        rtpTimestamp: this.out.clockTimestamp(this.context.currentTick()),
      },
      this.receptionFigures(),
    );
    if (report.length > 0) this.rtcp.send(report, 0, report.length, this.rtcpSendPort, this.rtcpSendAddress);
  }

  /** Quality figures for the call record. */
  quality(nowMs: number): LegQuality {
    const snapshot = this.reception?.snapshot();
    const roundTripMs = this.rtcpSession.roundTripMs;
    const lossPercent = snapshot?.lossPercent ?? 0;
    const jitterMs = snapshot?.jitterMs ?? 0;
    const estimate = estimateG711Quality({
      lossPercent,
      jitterMs,
      oneWayDelayMs: roundTripMs === undefined ? 0 : roundTripMs / 2,
      hasConcealment: true,
    });
    return {
      legId: this.id,
      packetsReceived: snapshot?.packetsReceived ?? 0,
      packetsExpected: snapshot?.packetsExpected ?? 0,
      packetsLost: snapshot?.packetsLost ?? 0,
      lossPercent,
      jitterMs,
      roundTripMs,
      rFactor: estimate.rFactor,
      mos: estimate.mos,
      packetsSent: this.out.packetsSent,
      packetsIgnored: this.latch.ignoredPackets,
      packetsMalformed: this.packetsMalformed,
      packetsOtherPayload: this.packetsOtherPayload,
      latchedSource:
        this.latch.address === undefined ? undefined : `${this.latch.address}:${this.latch.port}`,
      durationMs: nowMs - this.createdAtMs,
    };
  }

  /** Closes both sockets; the leg handles nothing afterwards. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.rtp.close();
    this.rtcp.close();
  }
}
