import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { MediaEngineError } from './errors.ts';
import { mediaEngineError } from './errors.ts';
import type { MediaSocket, MediaSocketFactory } from './media-socket.ts';

/** An RTP socket on an even port and its RTCP socket on the next one (RFC 3550 §11). */
export interface UdpPortPair {
  readonly rtp: MediaSocket;
  readonly rtcp: MediaSocket;
  readonly port: number;
}

/** Ports a worker may use, inclusive; pairs start on even ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** How many OS-chosen ports to try before giving up on an even port with a free successor. */
const OS_PICK_ATTEMPTS = 64;

async function bindPair(
  sockets: MediaSocketFactory,
  address: string,
  rtpPort: number,
): Promise<UdpPortPair | undefined> {
  const rtp = await sockets.bind(address, rtpPort);
  if (!rtp.ok) return undefined;
  const port = rtp.value.port;
  if (port % 2 !== 0) {
    rtp.value.close();
    return undefined;
  }
  const rtcp = await sockets.bind(address, port + 1);
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
  private readonly sockets: MediaSocketFactory;
  private cursor: number;

  constructor(range: PortRange | undefined, sockets: MediaSocketFactory) {
    this.range = range;
    this.sockets = sockets;
    this.cursor = range === undefined ? 0 : range.min + (range.min % 2);
  }

  /** Binds the next free pair on `address`. */
  async allocate(address: string): Promise<Result<UdpPortPair, MediaEngineError>> {
    const range = this.range;
    if (range === undefined) {
      for (let attempt = 0; attempt < OS_PICK_ATTEMPTS; attempt++) {
        const pair = await bindPair(this.sockets, address, 0);
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
      const pair = await bindPair(this.sockets, address, port);
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
