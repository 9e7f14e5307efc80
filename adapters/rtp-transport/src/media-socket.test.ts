import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MediaSocket, MediaSocketFactory } from './media-socket.ts';
import { DgramSocketFactory, unixNowMs } from './media-socket.ts';
import { buildNativeMediaIo, loadNativeMediaIo, NativeSocketFactory } from './native-media-io.ts';

/** The native path is what production runs: a machine that cannot build it fails here, loudly. */
function nativeFactory(gatherMicros = 0): NativeSocketFactory {
  const native = loadNativeMediaIo();
  if (!native.ok) throw new Error(`the native media path is unavailable: ${native.error}`);
  return new NativeSocketFactory(native.value, gatherMicros);
}

interface Received {
  readonly text: string;
  readonly address: string;
  readonly port: number;
}

function peer(type: 'udp4' | 'udp6', address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(type);
    socket.once('error', reject);
    socket.bind(0, address, () => {
      resolve(socket);
    });
  });
}

/** Collects what a media socket receives and resolves once `count` datagrams arrived. */
function collect(socket: MediaSocket, count: number): Promise<Received[]> {
  const received: Received[] = [];
  return new Promise((resolve) => {
    socket.onDatagram((datagram, address, port) => {
      // The native path reuses the bytes after the call: copy what we keep.
      received.push({ text: datagram.toString('latin1'), address, port });
      if (received.length === count) resolve(received);
    });
  });
}

function nextMessage(socket: Socket): Promise<{ text: string; port: number }> {
  return new Promise((resolve) => {
    socket.once('message', (msg, rinfo) => {
      resolve({ text: msg.toString('latin1'), port: rinfo.port });
    });
  });
}

function sendFrom(socket: Socket, text: string, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(Buffer.from(text, 'latin1'), port, address, (error) => {
      if (error === null) resolve();
      else reject(error);
    });
  });
}

describe.each([
  ['native', 'native', (): MediaSocketFactory => nativeFactory()],
  // What the engine runs by default: datagrams gather for up to 500 µs under load.
  ['native (gathering)', 'native', (): MediaSocketFactory => nativeFactory(500)],
  ['dgram', 'dgram', (): MediaSocketFactory => new DgramSocketFactory()],
] as const)('media sockets on the %s path', (_label, kind, makeFactory) => {
  const sockets = makeFactory();
  afterAll(() => {
    sockets.shutDown();
  });

  it('says which path it is', () => {
    expect(sockets.kind).toBe(kind);
  });

  it('receives datagrams in order with their source, and sends from its own port', async () => {
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const phone = await peer('udp4', '127.0.0.1');
    const arriving = collect(media, 50);
    for (let i = 0; i < 50; i++) await sendFrom(phone, `packet ${i}`, media.port, '127.0.0.1');
    const received = await arriving;
    expect(received.map((r) => r.text)).toEqual(Array.from({ length: 50 }, (_, i) => `packet ${i}`));
    expect(new Set(received.map((r) => `${r.address}:${r.port}`))).toEqual(
      new Set([`127.0.0.1:${phone.address().port}`]),
    );

    const answer = nextMessage(phone);
    const bytes = Buffer.from('xxhello back', 'latin1');
    media.send(bytes, 2, 10, phone.address().port, '127.0.0.1');
    expect(await answer).toEqual({ text: 'hello back', port: media.port });
    media.close();
    phone.close();
  });

  it('tells sources apart and follows a change of destination', async () => {
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const first = await peer('udp4', '127.0.0.1');
    const second = await peer('udp4', '127.0.0.1');
    const arriving = collect(media, 2);
    await sendFrom(first, 'one', media.port, '127.0.0.1');
    await sendFrom(second, 'two', media.port, '127.0.0.1');
    const received = await arriving;
    expect(received.map((r) => r.port).sort()).toEqual([first.address().port, second.address().port].sort());
    const toFirst = nextMessage(first);
    media.send(Buffer.from('a'), 0, 1, first.address().port, '127.0.0.1');
    expect((await toFirst).text).toBe('a');
    const toSecond = nextMessage(second);
    media.send(Buffer.from('b'), 0, 1, second.address().port, '127.0.0.1');
    expect((await toSecond).text).toBe('b');
    media.close();
    first.close();
    second.close();
  });

  it('works on IPv6 and writes the source address as Node does', async () => {
    const bound = await sockets.bind('::1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const phone = await peer('udp6', '::1');
    const arriving = collect(media, 1);
    await sendFrom(phone, 'v6', media.port, '::1');
    const [received] = await arriving;
    expect(received).toEqual({ text: 'v6', address: '::1', port: phone.address().port });
    const answer = nextMessage(phone);
    media.send(Buffer.from('back'), 0, 4, phone.address().port, '::1');
    expect((await answer).text).toBe('back');
    media.close();
    phone.close();
  });

  it('stamps each datagram with when it arrived, no later than it is handed over', async () => {
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const phone = await peer('udp4', '127.0.0.1');
    const handed = new Promise<{ receivedAtMs: number; handedAtMs: number }>((resolve) => {
      bound.value.onDatagram((_datagram, _address, _port, receivedAtMs) => {
        resolve({ receivedAtMs, handedAtMs: unixNowMs() });
      });
    });
    const beforeMs = unixNowMs();
    await sendFrom(phone, 'stamped', bound.value.port, '127.0.0.1');
    const { receivedAtMs, handedAtMs } = await handed;
    expect(receivedAtMs).toBeGreaterThanOrEqual(beforeMs);
    expect(receivedAtMs).toBeLessThanOrEqual(handedAtMs);
    bound.value.close();
    phone.close();
  });

  it('refuses a port in use with the system reason', async () => {
    const first = await sockets.bind('127.0.0.1', 0);
    if (!first.ok) throw new Error(first.error);
    const second = await sockets.bind('127.0.0.1', first.value.port);
    expect(second.ok ? 'bound' : second.error).toMatch(/EADDRINUSE|address already in use/i);
    first.value.close();
  });

  it('delivers nothing after close, and its port can be bound again', async () => {
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const port = media.port;
    let afterClose = 0;
    media.onDatagram(() => {
      afterClose++;
    });
    media.close();
    const again = await sockets.bind('127.0.0.1', port);
    if (!again.ok) throw new Error(again.error);
    const phone = await peer('udp4', '127.0.0.1');
    const arriving = collect(again.value, 1);
    await sendFrom(phone, 'to the new socket', port, '127.0.0.1');
    expect((await arriving)[0]?.text).toBe('to the new socket');
    expect(afterClose).toBe(0);
    again.value.close();
    phone.close();
  });

  it('reports a failed send to its error handler instead of throwing', async () => {
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const failed = new Promise<Error>((resolve) => {
      media.onError(resolve);
    });
    // Port 0 is no destination: the kernel refuses the send.
    media.send(Buffer.from('nowhere'), 0, 7, 0, '127.0.0.1');
    expect((await failed).message).toMatch(/EINVAL|invalid argument|port should be > 0/i);
    media.close();
  });
});

describe('the native media path', () => {
  it('says what to install when it cannot be compiled, and builds with a compiler into a fresh directory', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'centralita-media-io-'));
    try {
      const without = buildNativeMediaIo({ directory, compiler: 'no-such-cc' });
      expect(without.ok ? 'built' : without.error).toContain('no C compiler (no-such-cc): install gcc');
      const built = buildNativeMediaIo({ directory });
      expect(built.ok ? built.value.startsWith(directory) : built.error).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports a build directory it cannot write as a value', () => {
    const blocked = buildNativeMediaIo({ directory: '/dev/null/centralita-media-io' });
    expect(blocked.ok ? 'built' : blocked.error).toMatch(/cannot build the native media path/);
  });

  it('drops a datagram longer than a slot and keeps delivering the next ones', async () => {
    const sockets = nativeFactory();
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const media = bound.value;
    const phone = await peer('udp4', '127.0.0.1');
    const arriving = collect(media, 1);
    await sendFrom(phone, 'x'.repeat(4000), media.port, '127.0.0.1');
    await sendFrom(phone, 'small', media.port, '127.0.0.1');
    expect((await arriving)[0]?.text).toBe('small');
    sockets.shutDown();
    phone.close();
  });

  it('reads the datagrams that arrive during a gathering window together, once the window is over', async () => {
    const sockets = nativeFactory(20_000);
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const phone = await peer('udp4', '127.0.0.1');
    const arrivals: { text: string; batch: number; atMs: number }[] = [];
    const allArrived = new Promise<void>((resolve) => {
      bound.value.onDatagram((datagram) => {
        arrivals.push({
          text: datagram.toString('latin1'),
          batch: sockets.receiveBatches,
          atMs: performance.now(),
        });
        // The first read opens a window: what the phone sends now waits for its end.
        if (arrivals.length === 1)
          for (const text of ['b', 'c', 'd', 'e']) void sendFrom(phone, text, bound.value.port, '127.0.0.1');
        if (arrivals.length === 5) resolve();
      });
    });
    await sendFrom(phone, 'a', bound.value.port, '127.0.0.1');
    await allArrived;
    const [first, ...rest] = arrivals;
    expect(arrivals.map((arrival) => arrival.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(rest.map((arrival) => arrival.batch)).toEqual(Array(4).fill((first?.batch ?? 0) + 1));
    for (const arrival of rest) expect(arrival.atMs - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(19);
    sockets.shutDown();
    phone.close();
  });

  it('keeps reading once per window while datagrams keep coming, and after a quiet window reads at once again', async () => {
    const sockets = nativeFactory(20_000);
    const bound = await sockets.bind('127.0.0.1', 0);
    if (!bound.ok) throw new Error(bound.error);
    const phone = await peer('udp4', '127.0.0.1');
    const arrivals: { text: string; batch: number; atMs: number }[] = [];
    const next: Record<string, string> = { a: 'b', b: 'c' };
    const firstThree = new Promise<void>((resolve) => {
      bound.value.onDatagram((datagram) => {
        const text = datagram.toString('latin1');
        arrivals.push({ text, batch: sockets.receiveBatches, atMs: performance.now() });
        // Each read sends the next datagram: it waits for the following window of the same timer.
        const following = next[text];
        if (following !== undefined) void sendFrom(phone, following, bound.value.port, '127.0.0.1');
        if (text === 'c') resolve();
      });
    });
    await sendFrom(phone, 'a', bound.value.port, '127.0.0.1');
    await firstThree;
    expect(sockets.isGathering).toBe(true);
    const [a, b, c] = arrivals;
    expect([a?.batch, b?.batch, c?.batch]).toEqual([1, 2, 3]);
    expect((b?.atMs ?? 0) - (a?.atMs ?? 0)).toBeGreaterThanOrEqual(19);
    expect((c?.atMs ?? 0) - (a?.atMs ?? 0)).toBeGreaterThanOrEqual(38);
    // The window after c reads nothing: the timer stops and the sockets are watched again.
    await vi.waitFor(
      () => {
        expect(sockets.isGathering).toBe(false);
      },
      { timeout: 2_000, interval: 5 },
    );
    const windowsWhileQuiet = sockets.receiveBatches;
    const late = new Promise<string>((resolve) => {
      bound.value.onDatagram((datagram) => {
        resolve(datagram.toString('latin1'));
      });
    });
    await sendFrom(phone, 'f', bound.value.port, '127.0.0.1');
    expect(await late).toBe('f');
    // Read in a batch of its own, on arrival, and that read opened a new window.
    expect(sockets.receiveBatches).toBe(windowsWhileQuiet + 1);
    await vi.waitFor(
      () => {
        expect(sockets.isGathering).toBe(true);
      },
      { timeout: 2_000, interval: 5 },
    );
    sockets.shutDown();
    phone.close();
  });

  it('gives a datagram that waited for its window the time the kernel received it, not the time it was read', async () => {
    const sockets = nativeFactory(20_000);
    const media = await sockets.bind('127.0.0.1', 0);
    const phone = await sockets.bind('127.0.0.1', 0);
    if (!media.ok || !phone.ok) throw new Error('bind failed');
    const sent: { beforeMs: number; afterMs: number }[] = [];
    const send = (text: string): void => {
      const beforeMs = unixNowMs();
      // The addon's send is one sendto: on loopback the receiving socket has the datagram when it returns.
      phone.value.send(Buffer.from(text), 0, text.length, media.value.port, '127.0.0.1');
      sent.push({ beforeMs, afterMs: unixNowMs() });
    };
    const arrivals: { receivedAtMs: number; handedAtMs: number }[] = [];
    const both = new Promise<void>((resolve) => {
      media.value.onDatagram((_datagram, _address, _port, receivedAtMs) => {
        arrivals.push({ receivedAtMs, handedAtMs: unixNowMs() });
        // The first read opens a 20 ms window: the second datagram waits in the socket until it ends.
        if (arrivals.length === 1) send('second');
        else resolve();
      });
    });
    send('first');
    await both;
    const [, second] = arrivals;
    const [, sentSecond] = sent;
    if (second === undefined || sentSecond === undefined) throw new Error('nothing arrived');
    expect(second.handedAtMs - sentSecond.afterMs).toBeGreaterThanOrEqual(19);
    // Its stamp is its arrival: within the send (a millisecond spares the two clocks' readings).
    expect(second.receivedAtMs).toBeGreaterThanOrEqual(sentSecond.beforeMs - 1);
    expect(second.receivedAtMs).toBeLessThanOrEqual(sentSecond.afterMs + 1);
    sockets.shutDown();
  });

  it('refuses a gathering window beyond 20 ms', () => {
    expect(() => nativeFactory(20_001)).toThrow('the gathering window must be 0 to 20000 microseconds');
    expect(() => nativeFactory(-1)).toThrow(RangeError);
  });

  it('reads the waiting datagrams when asked, in the middle of other work, and not from inside a handler', async () => {
    // A 20 ms window: the poller would not read these before the synchronous code below ends anyway.
    const sockets = nativeFactory(20_000);
    const phone = await sockets.bind('127.0.0.1', 0);
    const media = await sockets.bind('127.0.0.1', 0);
    if (!phone.ok || !media.ok) throw new Error('bind failed');
    const received: string[] = [];
    const nested: number[] = [];
    media.value.onDatagram((datagram) => {
      received.push(datagram.toString('latin1'));
      nested.push(sockets.readWaiting());
    });
    expect(sockets.readWaiting()).toBe(0);
    // The native send is one sendto: on loopback each datagram is in the media socket's queue when it returns.
    for (const text of ['one', 'two', 'three'])
      phone.value.send(Buffer.from(text), 0, text.length, media.value.port, '127.0.0.1');
    expect(received).toEqual([]);
    expect(sockets.readWaiting()).toBe(3);
    expect(received).toEqual(['one', 'two', 'three']);
    expect(nested).toEqual([0, 0, 0]);
    // Read once, gone: the poller does not hand them over again.
    expect(sockets.readWaiting()).toBe(0);
    // What comes later the poller reads on its own, as before.
    const later = collect(media.value, 1);
    phone.value.send(Buffer.from('four'), 0, 4, media.value.port, '127.0.0.1');
    expect((await later).map((datagram) => datagram.text)).toEqual(['four']);
    sockets.shutDown();
    expect(sockets.readWaiting()).toBe(0);
  });

  it('has nothing to read on demand on the dgram path', async () => {
    const sockets = new DgramSocketFactory();
    const media = await sockets.bind('127.0.0.1', 0);
    if (!media.ok) throw new Error(media.error);
    const phone = await peer('udp4', '127.0.0.1');
    const arriving = collect(media.value, 1);
    await sendFrom(phone, 'event', media.value.port, '127.0.0.1');
    expect(sockets.readWaiting()).toBe(0);
    expect((await arriving)[0]?.text).toBe('event');
    sockets.shutDown();
    phone.close();
  });

  it('keeps delivering to other sockets when one handler throws', async () => {
    const sockets = nativeFactory();
    const faulty = await sockets.bind('127.0.0.1', 0);
    const healthy = await sockets.bind('127.0.0.1', 0);
    if (!faulty.ok || !healthy.ok) throw new Error('bind failed');
    const fault = new Promise<Error>((resolve) => {
      faulty.value.onError(resolve);
    });
    faulty.value.onDatagram(() => {
      throw new Error('handler bug');
    });
    const phone = await peer('udp4', '127.0.0.1');
    const arriving = collect(healthy.value, 1);
    await sendFrom(phone, 'first', faulty.value.port, '127.0.0.1');
    await sendFrom(phone, 'second', healthy.value.port, '127.0.0.1');
    expect((await fault).message).toBe('handler bug');
    expect((await arriving)[0]?.text).toBe('second');
    sockets.shutDown();
    phone.close();
  });
});
