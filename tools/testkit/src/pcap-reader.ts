import type { G711Law } from '@centralita/media';
import { decodeG711, extendSequenceNumber, parseRtpPacket } from '@centralita/media';
import { pcapLinkType } from './rtp-pcap.ts';

// Reading what a phone received on the wire, from a pcap file written by tcpdump (or by rtpPcap): the
// classic libpcap format, one 24-byte global header, then per packet a 16-byte record header and the frame.

/** One UDP datagram of a capture, with the time it was captured. */
export interface CapturedDatagram {
  readonly capturedAtUs: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly payload: Buffer;
}

/** Per link type, the link-layer header's length and where in it the EtherType (the protocol) is. */
const linkLayers: Readonly<
  Record<number, { readonly headerBytes: number; readonly etherTypeOffset: number }>
> = {
  [pcapLinkType.ethernet]: { headerBytes: 14, etherTypeOffset: 12 },
  [pcapLinkType.linuxCooked]: { headerBytes: 16, etherTypeOffset: 14 },
  [pcapLinkType.linuxCookedV2]: { headerBytes: 20, etherTypeOffset: 0 },
};
const etherTypeIpv4 = 0x0800;
const ipProtocolUdp = 17;

/**
 * The IPv4 UDP datagrams of a pcap file, in capture order; other packets (IPv6, ARP, TCP, IP fragments after
 * the first) are left out. Link types: Ethernet (what `tcpdump -i lo` writes), Linux cooked v1 and v2. A
 * last record cut short is left out too, so a file that tcpdump is still writing can be read.
 */
export function readPcapUdpDatagrams(pcap: Buffer): CapturedDatagram[] {
  if (pcap.length < 24) throw new Error(`not a pcap file: ${String(pcap.length)} bytes`);
  const magic = pcap.readUInt32LE(0);
  // The magic number is written in the writer's byte order; 0xa1b23c4d marks nanosecond timestamps.
  const isLittleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const isBigEndian = [0xd4c3b2a1, 0x4d3cb2a1].includes(magic);
  if (!isLittleEndian && !isBigEndian) throw new Error(`not a pcap file: magic 0x${magic.toString(16)}`);
  const read32 = (offset: number) => (isLittleEndian ? pcap.readUInt32LE(offset) : pcap.readUInt32BE(offset));
  const subsecondUs = magic === 0xa1b23c4d || magic === 0x4d3cb2a1 ? 1 / 1_000 : 1;
  const linkType = read32(20);
  const datagrams: CapturedDatagram[] = [];
  for (let offset = 24; offset + 16 <= pcap.length;) {
    const capturedBytes = read32(offset + 8);
    const frameStart = offset + 16;
    if (frameStart + capturedBytes > pcap.length) break;
    const frame = pcap.subarray(frameStart, frameStart + capturedBytes);
    const capturedAtUs = read32(offset) * 1_000_000 + Math.floor(read32(offset + 4) * subsecondUs);
    offset = frameStart + capturedBytes;
    const ipPacket = ipv4PacketOf(frame, linkType);
    const datagram = ipPacket === undefined ? undefined : udpDatagramOf(ipPacket);
    if (datagram !== undefined) datagrams.push({ capturedAtUs, ...datagram });
  }
  return datagrams;
}

function ipv4PacketOf(frame: Buffer, linkType: number): Buffer | undefined {
  const linkLayer = linkLayers[linkType];
  if (linkLayer === undefined) throw new Error(`pcap link type ${String(linkType)} is not read`);
  if (frame.length < linkLayer.headerBytes || frame.readUInt16BE(linkLayer.etherTypeOffset) !== etherTypeIpv4)
    return undefined;
  return frame.subarray(linkLayer.headerBytes);
}

function udpDatagramOf(
  ip: Buffer,
): { sourcePort: number; destinationPort: number; payload: Buffer } | undefined {
  if (ip.length < 20 || ip[0] === undefined || ip[0] >> 4 !== 4 || ip[9] !== ipProtocolUdp) return undefined;
  const fragmentOffset = ip.readUInt16BE(6) & 0x1fff;
  if (fragmentOffset !== 0) return undefined;
  const headerBytes = (ip[0] & 0x0f) * 4;
  const udp = ip.subarray(headerBytes, ip.readUInt16BE(2));
  if (udp.length < 8) return undefined;
  return {
    sourcePort: udp.readUInt16BE(0),
    destinationPort: udp.readUInt16BE(2),
    payload: udp.subarray(8, udp.readUInt16BE(4)),
  };
}

const lawOfPayloadType: Readonly<Record<number, G711Law>> = { 0: 'pcmu', 8: 'pcma' };

/**
 * The G.711 audio that reached `destinationPort`, as 8 kHz linear samples: RTP packets of payload type 0
 * (µ-law) or 8 (A-law) in sequence-number order per source (sources in the order they were first heard);
 * other payload types (telephone-event, comfort noise) and datagrams that are not RTP are left out. Lost
 * packets leave no gap.
 */
export function receivedG711Audio(
  datagrams: readonly CapturedDatagram[],
  destinationPort: number,
): Int16Array {
  const frames = new Map<number, { sequence: number; law: G711Law; payload: Uint8Array }[]>();
  const lastSequence = new Map<number, number>();
  for (const datagram of datagrams) {
    if (datagram.destinationPort !== destinationPort) continue;
    const parsed = parseRtpPacket(datagram.payload);
    if (!parsed.ok) continue;
    const { ssrc, payloadType, sequenceNumber, payload } = parsed.value;
    const law = lawOfPayloadType[payloadType];
    if (law === undefined) continue;
    // Extended from the source's previous packet, so a wrap past 65535 or a late packet keeps its place.
    const sequence = extendSequenceNumber(sequenceNumber, lastSequence.get(ssrc) ?? sequenceNumber);
    lastSequence.set(ssrc, sequence);
    const source = frames.get(ssrc) ?? [];
    source.push({ sequence, law, payload });
    frames.set(ssrc, source);
  }
  const ordered = [...frames.values()].flatMap((source) => source.sort((a, b) => a.sequence - b.sequence));
  const audio = new Int16Array(ordered.reduce((total, frame) => total + frame.payload.length, 0));
  let position = 0;
  for (const frame of ordered)
    position += decodeG711(frame.law, frame.payload, audio.subarray(position), frame.payload.length);
  return audio;
}
