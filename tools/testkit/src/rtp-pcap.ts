import { ToneGenerator, encodeG711 } from '@centralita/media';

// RTP in pcap files, for SIPp's `play_pcap_audio` in call tests and benchmarks.

/**
 * Link types of pcap files (the `network` field of the global header) that the testkit writes and reads:
 * Ethernet (what `tcpdump -i lo` writes) and Linux cooked captures v1 and v2 (`tcpdump -i any`).
 */
export const pcapLinkType = { ethernet: 1, linuxCooked: 113, linuxCookedV2: 276 } as const;

/**
 * A pcap file (microsecond timestamps, one frame every 20 ms) of link-layer `frames` of `linkType`, in
 * little-endian byte order as x86 writers produce it, or big-endian.
 */
export function pcapFile(
  frames: readonly Buffer[],
  options: { readonly linkType?: number; readonly isBigEndian?: boolean } = {},
): Buffer {
  const global = Buffer.alloc(24);
  const write32 = (buffer: Buffer, value: number, offset: number) =>
    options.isBigEndian === true ? buffer.writeUInt32BE(value, offset) : buffer.writeUInt32LE(value, offset);
  const write16 = (buffer: Buffer, value: number, offset: number) =>
    options.isBigEndian === true ? buffer.writeUInt16BE(value, offset) : buffer.writeUInt16LE(value, offset);
  write32(global, 0xa1b2c3d4, 0);
  write16(global, 2, 4);
  write16(global, 4, 6);
  write32(global, 65_535, 16);
  write32(global, options.linkType ?? pcapLinkType.ethernet, 20);
  const chunks: Buffer[] = [global];
  frames.forEach((frame, index) => {
    const record = Buffer.alloc(16);
    const atUs = index * 20_000;
    write32(record, Math.floor(atUs / 1_000_000), 0);
    write32(record, atUs % 1_000_000, 4);
    write32(record, frame.length, 8);
    write32(record, frame.length, 12);
    chunks.push(record, frame);
  });
  return Buffer.concat(chunks);
}

/** An IPv4 packet from 127.0.0.1 to 127.0.0.1 carrying one UDP datagram (checksums left 0, as allowed on IPv4). */
export function loopbackUdpPacket(payload: Buffer, sourcePort: number, destinationPort: number): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sourcePort, 0);
  udp.writeUInt16BE(destinationPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  ip.set([127, 0, 0, 1], 12);
  ip.set([127, 0, 0, 1], 16);
  return Buffer.concat([ip, udp, payload]);
}

/** An Ethernet frame (zero addresses, EtherType IPv4) around an IPv4 packet, as a capture on `lo` holds it. */
export function ethernetFrame(ipPacket: Buffer): Buffer {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  return Buffer.concat([ethernet, ipPacket]);
}

/** Wraps RTP packets (one every 20 ms) in a pcap with Ethernet/IPv4/UDP framing, as SIPp's `play_pcap_audio` reads it. */
export function rtpPcap(packets: readonly Buffer[]): Buffer {
  return pcapFile(packets.map((rtp) => ethernetFrame(loopbackUdpPacket(rtp, 6000, 6002))));
}

export function rtpHeader(
  payloadType: number,
  sequence: number,
  timestamp: number,
  isMarker = false,
): Buffer {
  const rtp = Buffer.alloc(12);
  rtp[0] = 0x80;
  rtp[1] = payloadType | (isMarker ? 0x80 : 0);
  rtp.writeUInt16BE(sequence & 0xffff, 2);
  rtp.writeUInt32BE(timestamp >>> 0, 4);
  rtp.writeUInt32BE(0x1234_5678, 8);
  return rtp;
}

/** The G.711 frames (160 bytes, 20 ms each) of a steady tone at -10 dBm0. */
function toneFrames(toneHz: number, durationMs: number, law: 'pcma' | 'pcmu'): Uint8Array[] {
  const generator = new ToneGenerator(
    { frequenciesHz: [toneHz], levelDbm0: -10, cadenceMs: [], isRepeating: true },
    8000,
  );
  const pcm = new Int16Array(160);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < Math.floor(durationMs / 20); index++) {
    generator.fill(pcm);
    const encoded = new Uint8Array(160);
    encodeG711(law, pcm, encoded);
    frames.push(encoded);
  }
  return frames;
}

/** A pcap of G.711 RTP packets carrying a sine tone, so a test can later find that frequency in a recording. */
export function tonePcap(options: {
  toneHz: number;
  durationMs: number;
  law: 'pcma' | 'pcmu';
  /** Leave out every N-th packet (its sequence number stays unused), as a lossy network would. */
  lossEvery?: number;
}): Buffer {
  const packets: Buffer[] = [];
  for (const [index, encoded] of toneFrames(options.toneHz, options.durationMs, options.law).entries()) {
    if (options.lossEvery !== undefined && index % options.lossEvery === options.lossEvery - 1) continue;
    packets.push(
      Buffer.concat([rtpHeader(options.law === 'pcma' ? 8 : 0, index, index * 160), Buffer.from(encoded)]),
    );
  }
  return rtpPcap(packets);
}

/**
 * A tone as headerless G.711 audio, for SIPp's `rtp_stream` action, which sends it from the call's media socket
 * (an ordinary UDP socket; `play_pcap_audio` opens a raw socket per call instead).
 */
export function toneG711(options: { toneHz: number; durationMs: number; law: 'pcma' | 'pcmu' }): Buffer {
  return Buffer.concat(toneFrames(options.toneHz, options.durationMs, options.law));
}

/**
 * A pcap of one key as RFC 4733 telephone-events (payload type 101): 100 ms of event packets, the end packet
 * sent three times. `index` spaces the event timestamps, so keys pressed one after another are distinct
 * events (SIPp's own DTMF pcaps all share one timestamp, and a receiver rightly takes a second one for a
 * retransmission of the first).
 */
export function dtmfPcap(key: string, index: number): Buffer {
  const code = key === '*' ? 10 : key === '#' ? 11 : Number(key);
  const timestamp = 1_000_000 + index * 80_000;
  const sequence = 1_000 + index * 20;
  const packets: Buffer[] = [];
  for (let step = 0; step < 8; step++) {
    const isEnd = step >= 5;
    const duration = Math.min(step + 1, 5) * 160;
    const payload = Buffer.from([code, (isEnd ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
    packets.push(Buffer.concat([rtpHeader(101, sequence + step, timestamp, step === 0), payload]));
  }
  return rtpPcap(packets);
}
