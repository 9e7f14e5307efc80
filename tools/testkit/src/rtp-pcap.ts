import { ToneGenerator, encodeG711 } from '@centralita/media';

// RTP in pcap files, for SIPp's `play_pcap_audio` in call tests and benchmarks.

/** Wraps RTP packets (one every 20 ms) in a pcap with Ethernet/IPv4/UDP framing, as SIPp's `play_pcap_audio` reads it. */
export function rtpPcap(packets: readonly Buffer[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65_535, 16);
  global.writeUInt32LE(1, 20); // Ethernet
  const chunks: Buffer[] = [global];
  packets.forEach((rtp, index) => {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    const ethernet = Buffer.alloc(14);
    ethernet.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([ethernet, ip, udp, rtp]);
    const record = Buffer.alloc(16);
    const atUs = index * 20_000;
    record.writeUInt32LE(Math.floor(atUs / 1_000_000), 0);
    record.writeUInt32LE(atUs % 1_000_000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    chunks.push(record, frame);
  });
  return Buffer.concat(chunks);
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

/** A pcap of G.711 RTP packets carrying a sine tone, so a test can later find that frequency in a recording. */
export function tonePcap(options: {
  toneHz: number;
  durationMs: number;
  law: 'pcma' | 'pcmu';
  /** Leave out every N-th packet (its sequence number stays unused), as a lossy network would. */
  lossEvery?: number;
}): Buffer {
  const generator = new ToneGenerator(
    { frequenciesHz: [options.toneHz], levelDbm0: -10, cadenceMs: [], isRepeating: true },
    8000,
  );
  const pcm = new Int16Array(160);
  const packets: Buffer[] = [];
  for (let index = 0; index < Math.floor(options.durationMs / 20); index++) {
    generator.fill(pcm);
    if (options.lossEvery !== undefined && index % options.lossEvery === options.lossEvery - 1) continue;
    const encoded = new Uint8Array(160);
    encodeG711(options.law, pcm, encoded);
    packets.push(
      Buffer.concat([rtpHeader(options.law === 'pcma' ? 8 : 0, index, index * 160), Buffer.from(encoded)]),
    );
  }
  return rtpPcap(packets);
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
