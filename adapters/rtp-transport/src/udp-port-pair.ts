import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaEngineError } from './errors.ts';
import { mediaEngineError } from './errors.ts';

/** An RTP socket on an even port and its RTCP socket on the next one (RFC 3550 §11). */
export interface UdpPortPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly port: number;
}

/** Ports a worker may use, inclusive; pairs start on even ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** How many OS-chosen ports to try before giving up on an even port with a free successor. */
const OS_PICK_ATTEMPTS = 64;

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

function bindSocket(address: string, port: number): Promise<Result<Socket, string>> {
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
      resolve(ok(socket));
    });
  });
}

async function bindPair(address: string, rtpPort: number): Promise<UdpPortPair | undefined> {
  const rtp = await bindSocket(address, rtpPort);
  if (!rtp.ok) return undefined;
  const port = rtp.value.address().port;
  if (port % 2 !== 0) {
    rtp.value.close();
    return undefined;
  }
  const rtcp = await bindSocket(address, port + 1);
  if (!rtcp.ok) {
    rtp.value.close();
    return undefined;
  }
  return { rtp: rtp.value, rtcp: rtcp.value, port };
}

/**
 * Binds an RTP/RTCP pair. With a range, pairs are tried from `cursor` on (the caller keeps the
 * cursor so allocation goes round the range instead of always retrying the lowest ports); without
 * one, the OS picks the RTP port and we keep it only when it is even and its successor is free, so
 * parallel engines (and test files) never collide.
 */
export class UdpPortAllocator {
  private readonly range: PortRange | undefined;
  private cursor: number;

  constructor(range: PortRange | undefined) {
    this.range = range;
    this.cursor = range === undefined ? 0 : range.min + (range.min % 2);
  }

  /** Binds the next free pair on `address`. */
  async allocate(address: string): Promise<Result<UdpPortPair, MediaEngineError>> {
    const range = this.range;
    if (range === undefined) {
      for (let attempt = 0; attempt < OS_PICK_ATTEMPTS; attempt++) {
        const pair = await bindPair(address, 0);
        if (pair !== undefined) return ok(pair);
      }
      return err(
        mediaEngineError('MEDIA_ENGINE_NO_PORTS', `no even RTP port with a free RTCP port on ${address}`),
      );
    }
    const first = range.min + (range.min % 2);
    const pairs = Math.max(0, Math.floor((range.max - first + 1) / 2));
    for (let tried = 0; tried < pairs; tried++) {
      const port = this.cursor;
      this.cursor = port + 2 > range.max - 1 ? first : port + 2;
      const pair = await bindPair(address, port);
      if (pair !== undefined) return ok(pair);
    }
    return err(
      mediaEngineError(
        'MEDIA_ENGINE_NO_PORTS',
        `no free RTP/RTCP pair in ${range.min}-${range.max} on ${address}`,
      ),
    );
  }
}
