import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { WriteFiles } from './file-write-batcher.ts';
import { writeFilesWithNodeFs } from './file-write-batcher.ts';

/**
 * Called for each datagram. `datagram` is valid only during the call: the native datagram path reuses
 * its memory for the next batch, so whoever keeps bytes copies them (the jitter buffer keeps decoded
 * samples, the relay sends at once). `receivedAtMs` is when it arrived, in `unixNowMs` time: the
 * kernel's receive stamp on the native path, so a datagram that waited for the reader (a gathering
 * window, a busy media thread) keeps its true arrival time; on the dgram path, when it was read.
 */
export type DatagramHandler = (datagram: Buffer, address: string, port: number, receivedAtMs: number) => void;

// Read once: the getter costs more than now().
const clockOrigin = performance.timeOrigin;

/**
 * Unix time in milliseconds on the monotonic clock (`performance.timeOrigin + performance.now()`): the
 * one clock of a media thread, so arrival times, ticks and events compare without a wall-clock step.
 */
export function unixNowMs(): number {
  return clockOrigin + performance.now();
}

/** One bound UDP socket of a leg (RTP or RTCP). */
export interface MediaSocket {
  /** The local port it is bound to. */
  readonly port: number;
  onDatagram(handler: DatagramHandler): void;
  onError(handler: (error: Error) => void): void;
  /** Sends `length` bytes from `offset` to `address`:`port` (an IP literal of the socket's family). */
  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string): void;
  close(): void;
}

/** How a media thread gets datagrams in and out (ADR 0009). */
export type DatagramIoKind = 'native' | 'dgram';

/** Binds the media sockets of one media thread. */
export interface MediaSocketFactory {
  readonly kind: DatagramIoKind;
  /** Sends dropped because a socket's send buffer was full (dgram queues them instead: always 0). */
  readonly sendsDropped: number;
  /** Batches of received datagrams handed over so far (native path; dgram hands each datagram alone). */
  readonly receiveBatches: number | undefined;
  /** How this worker's recording files are written (the native path: one thread-pool job per batch). */
  readonly writeFiles: WriteFiles;
  /** Binds `address`:`port` (0: the OS picks); the error is the system's message. */
  bind(address: string, port: number): Promise<Result<MediaSocket, string>>;
  /**
   * Reads the datagrams waiting now and hands them to their sockets' handlers before returning; returns how
   * many. Long work on the media thread calls it now and then so datagrams are not held until the work ends.
   * Always 0 on the `dgram` path (its datagrams come only as events) and inside a handler.
   */
  readWaiting(): number;
  /** Closes every socket it bound. */
  shutDown(): void;
}

type LookupCallback = (error: Error | null, address: string, family: number) => void;

/**
 * Media goes only to IP literals of the socket's own family (the engine validates every address), so the
 * socket's name lookup answers at once with that family: dgram's default runs dns.lookup and defers each
 * send by a tick, and even telling the family from the address (an IPv6 regular expression) is a cost
 * paid on every relayed packet.
 */
function ipv4LiteralLookup(hostname: string, _options: unknown, callback: LookupCallback): void {
  callback(null, hostname, 4);
}

function ipv6LiteralLookup(hostname: string, _options: unknown, callback: LookupCallback): void {
  callback(null, hostname, 6);
}

class DgramMediaSocket implements MediaSocket {
  readonly port: number;
  private readonly socket: Socket;
  private readonly sockets: Set<DgramMediaSocket>;

  constructor(socket: Socket, sockets: Set<DgramMediaSocket>) {
    this.socket = socket;
    this.port = socket.address().port;
    this.sockets = sockets;
  }

  onDatagram(handler: DatagramHandler): void {
    this.socket.on('message', (msg, rinfo) => {
      handler(msg, rinfo.address, rinfo.port, unixNowMs());
    });
  }

  onError(handler: (error: Error) => void): void {
    this.socket.on('error', handler);
  }

  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string): void {
    try {
      // The whole buffer (the usual relayed packet: no CSRC, extension or padding) needs no slice.
      if (offset === 0 && length === bytes.length) this.socket.send(bytes, port, address);
      else this.socket.send(bytes, offset, length, port, address);
    } catch (error) {
      // dgram throws at once on a bad port; the contract is an error event, as for a failed send.
      this.socket.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): void {
    if (!this.sockets.delete(this)) return;
    this.socket.close();
  }
}

/** Node's `dgram`: one `recvmsg` and one callback into JavaScript per datagram. The fallback path. */
export class DgramSocketFactory implements MediaSocketFactory {
  readonly kind = 'dgram';
  readonly sendsDropped = 0;
  readonly receiveBatches = undefined;
  readonly writeFiles = writeFilesWithNodeFs;
  private readonly sockets = new Set<DgramMediaSocket>();

  bind(address: string, port: number): Promise<Result<MediaSocket, string>> {
    return new Promise((resolve) => {
      const isV6 = isIPv6(address);
      const socket = createSocket({
        type: isV6 ? 'udp6' : 'udp4',
        lookup: isV6 ? ipv6LiteralLookup : ipv4LiteralLookup,
      });
      const onError = (error: Error): void => {
        socket.close();
        resolve(err(error.message));
      };
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        const bound = new DgramMediaSocket(socket, this.sockets);
        this.sockets.add(bound);
        resolve(ok(bound));
      });
    });
  }

  readWaiting(): number {
    return 0;
  }

  shutDown(): void {
    for (const socket of [...this.sockets]) socket.close();
  }
}
