import { describe, expect, it } from 'vitest';
import { encodeG711, toneAmplitude } from '@centralita/media';
import { readPcapUdpDatagrams, receivedG711Audio } from './pcap-reader.ts';
import {
  ethernetFrame,
  loopbackUdpPacket,
  pcapFile,
  pcapLinkType,
  rtpHeader,
  rtpPcap,
  tonePcap,
} from './rtp-pcap.ts';

/** A 20 ms µ-law or A-law payload holding one constant sample value, so the decoded order shows. */
function constantFrame(law: 'pcmu' | 'pcma', sample: number): Buffer {
  const encoded = new Uint8Array(160);
  encodeG711(law, new Int16Array(160).fill(sample), encoded);
  return Buffer.from(encoded);
}

/** A Linux cooked capture frame (v1 or v2, as `tcpdump -i any` writes them) around an IPv4 packet. */
function linuxCookedFrame(ipPacket: Buffer, version: 1 | 2): Buffer {
  const header = Buffer.alloc(version === 1 ? 16 : 20);
  header.writeUInt16BE(0x0800, version === 1 ? 14 : 0);
  return Buffer.concat([header, ipPacket]);
}

describe('readPcapUdpDatagrams', () => {
  it('reads the UDP datagrams of an Ethernet capture with their ports and capture times', () => {
    const datagrams = readPcapUdpDatagrams(rtpPcap([rtpHeader(0, 1, 160), rtpHeader(0, 2, 320)]));
    expect(
      datagrams.map(({ sourcePort, destinationPort, capturedAtUs }) => [
        sourcePort,
        destinationPort,
        capturedAtUs,
      ]),
    ).toEqual([
      [6000, 6002, 0],
      [6000, 6002, 20_000],
    ]);
    expect(datagrams[0]?.payload).toEqual(rtpHeader(0, 1, 160));
  });

  it('reads Linux cooked captures (v1 and v2) and big-endian files alike', () => {
    const ipPacket = loopbackUdpPacket(Buffer.from('hola'), 5060, 7078);
    for (const [version, linkType] of [
      [1, pcapLinkType.linuxCooked],
      [2, pcapLinkType.linuxCookedV2],
    ] as const)
      for (const isBigEndian of [false, true]) {
        const [datagram] = readPcapUdpDatagrams(
          pcapFile([linuxCookedFrame(ipPacket, version)], { linkType, isBigEndian }),
        );
        expect(datagram?.destinationPort).toBe(7078);
        expect(datagram?.payload.toString()).toBe('hola');
      }
  });

  it('leaves out a last record that is cut short, as in a file tcpdump is still writing', () => {
    const whole = rtpPcap([rtpHeader(0, 1, 160), rtpHeader(0, 2, 320)]);
    expect(readPcapUdpDatagrams(whole.subarray(0, whole.length - 5))).toHaveLength(1);
    expect(readPcapUdpDatagrams(whole.subarray(0, 24))).toEqual([]);
  });

  it('refuses a file that is not a pcap, and a link type it does not read', () => {
    expect(() => readPcapUdpDatagrams(Buffer.alloc(40))).toThrow(/not a pcap file/);
    expect(() =>
      readPcapUdpDatagrams(pcapFile([loopbackUdpPacket(Buffer.alloc(12), 1, 2)], { linkType: 101 })),
    ).toThrow(/link type 101/);
  });
});

describe('receivedG711Audio', () => {
  it('decodes the G.711 audio sent to one port: a tone comes back at its frequency', () => {
    for (const law of ['pcmu', 'pcma'] as const) {
      const audio = receivedG711Audio(
        readPcapUdpDatagrams(tonePcap({ toneHz: 1_130, durationMs: 1_000, law })),
        6002,
      );
      expect(audio).toHaveLength(8_000);
      expect(toneAmplitude(audio, 1_130, 8_000, 0, 8_000)).toBeGreaterThan(5_000);
      expect(toneAmplitude(audio, 470, 8_000, 0, 8_000)).toBeLessThan(50);
    }
  });

  it('orders the packets by sequence number across a wrap, and leaves out other ports, other payload types and non-RTP', () => {
    const packet = (payloadType: number, sequence: number, payload: Buffer) =>
      Buffer.concat([rtpHeader(payloadType, sequence, sequence * 160), payload]);
    const frames = [
      loopbackUdpPacket(packet(0, 0, constantFrame('pcmu', 3_000)), 6000, 7000),
      loopbackUdpPacket(packet(0, 65_535, constantFrame('pcmu', 2_000)), 6000, 7000),
      loopbackUdpPacket(packet(8, 65_534, constantFrame('pcma', 1_000)), 6000, 7000),
      loopbackUdpPacket(packet(101, 1, Buffer.from([1, 0x8a, 0, 160])), 6000, 7000),
      loopbackUdpPacket(packet(0, 2, constantFrame('pcmu', -500)), 6000, 7002),
      loopbackUdpPacket(Buffer.from('not rtp'), 6000, 7000),
    ].map(ethernetFrame);
    const audio = receivedG711Audio(readPcapUdpDatagrams(pcapFile(frames)), 7000);
    expect(audio).toHaveLength(480);
    // G.711 keeps each constant within its quantisation step (under 100 here): the frames are in sequence order.
    const levels = [0, 160, 320].map((start) => Math.round((audio[start] ?? 0) / 1_000));
    expect(levels).toEqual([1, 2, 3]);
  });
});
