import { createSocket } from 'node:dgram';
import { describe, expect, it, vi } from 'vitest';
import { PacketCapture } from './packet-capture.ts';
import { readPcapUdpDatagrams } from './pcap-reader.ts';

describe('PacketCapture', () => {
  it('captures the datagrams sent to a port on loopback from the moment it listens, and leaves out others', async () => {
    const receiver = createSocket('udp4');
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const sender = createSocket('udp4');
    const port = receiver.address().port;
    const capture = await PacketCapture.start({
      networkInterface: 'lo',
      filter: `udp and dst port ${String(port)}`,
    });
    let captured: Buffer;
    try {
      for (const text of ['uno', 'dos', 'tres']) sender.send(text, port, '127.0.0.1');
      sender.send('otro puerto', port === 65_535 ? port - 1 : port + 1, '127.0.0.1');
      await vi.waitFor(
        () => {
          expect(readPcapUdpDatagrams(capture.captured())).toHaveLength(3);
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      captured = await capture.stop();
      sender.close();
      receiver.close();
    }
    const datagrams = readPcapUdpDatagrams(captured);
    expect(datagrams.map((datagram) => datagram.payload.toString())).toEqual(['uno', 'dos', 'tres']);
    expect(new Set(datagrams.map((datagram) => datagram.destinationPort))).toEqual(new Set([port]));
  });

  it('fails loudly on a filter tcpdump refuses', async () => {
    await expect(PacketCapture.start({ networkInterface: 'lo', filter: 'udp and dst port' })).rejects.toThrow(
      /tcpdump exited/,
    );
  });
});
