import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import type { MediaSocketFactory } from './media-socket.ts';
import { DgramSocketFactory } from './media-socket.ts';
import { loadNativeMediaIo, NativeSocketFactory } from './native-media-io.ts';
import type { UdpPortPair } from './udp-port-pair.ts';
import { UdpPortAllocator } from './udp-port-pair.ts';

function nativeFactory(): MediaSocketFactory {
  const native = loadNativeMediaIo();
  if (!native.ok) throw new Error(native.error);
  return new NativeSocketFactory(native.value);
}

/** An even port the OS just had free, so a small range around it is very likely free too. */
function freeEvenPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      socket.close(() => {
        resolve(port - (port % 2));
      });
    });
  });
}

function close(pair: UdpPortPair): void {
  pair.rtp.close();
  pair.rtcp.close();
}

describe.each([
  ['native', nativeFactory],
  ['dgram', () => new DgramSocketFactory()],
] as const)('UdpPortAllocator on %s sockets', (_kind, makeFactory) => {
  const sockets = makeFactory();
  afterAll(() => {
    sockets.shutDown();
  });

  it('binds an even RTP port and the next one for RTCP, from the OS', async () => {
    const allocator = new UdpPortAllocator(undefined, sockets);
    const pairs: UdpPortPair[] = [];
    for (let i = 0; i < 5; i++) {
      const pair = await allocator.allocate('127.0.0.1');
      if (!pair.ok) throw new Error(pair.error.message);
      pairs.push(pair.value);
    }
    for (const pair of pairs) {
      expect(pair.port % 2).toBe(0);
      expect(pair.rtp.port).toBe(pair.port);
      expect(pair.rtcp.port).toBe(pair.port + 1);
    }
    expect(new Set(pairs.map((p) => p.port)).size).toBe(5);
    pairs.forEach(close);
  });

  it('goes round a configured range, skips pairs in use and says when it is full', async () => {
    const first = await freeEvenPort();
    const allocator = new UdpPortAllocator({ min: first, max: first + 3 }, sockets);
    const a = await allocator.allocate('127.0.0.1');
    const b = await allocator.allocate('127.0.0.1');
    if (!a.ok || !b.ok) throw new Error('range not free');
    expect([a.value.port, b.value.port]).toEqual([first, first + 2]);
    const full = await allocator.allocate('127.0.0.1');
    expect(full.ok ? undefined : full.error.code).toBe('MEDIA_ENGINE_NO_PORTS');
    close(a.value);
    await new Promise((resolve) => setImmediate(resolve));
    const again = await allocator.allocate('127.0.0.1');
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.port).toBe(first);
    close(again.value);
    close(b.value);
  });
});
