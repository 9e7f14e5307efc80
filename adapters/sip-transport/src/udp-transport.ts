import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { addressFamily, normalizeAddress } from './ip-address.ts';
import type { TransportHost } from './transport-host.ts';
import type { Flow, MessageSource, TransportFailureListener } from './transport-types.ts';
import { reportFailureLater } from './transport-types.ts';

/**
 * One bound UDP socket (RFC 3261 §18). Every datagram is one message; responses leave through the socket
 * their request came in on, so the peer sees them come from the port it sent to.
 */
export class UdpTransport implements Flow {
  readonly protocol = 'udp' as const;
  readonly isReliable = false;
  readonly family: 4 | 6;
  readonly localAddress: string;
  readonly localPort: number;
  #isOpen = true;
  readonly #socket: Socket;

  private constructor(socket: Socket, family: 4 | 6) {
    this.#socket = socket;
    this.family = family;
    const address = socket.address();
    this.localAddress = normalizeAddress(address.address);
    this.localPort = address.port;
  }

  /** Binds a socket on `host` (an IP literal; `::` is dual-stack) and delivers its datagrams to `host`. */
  static async bind(transportHost: TransportHost, host: string, port: number): Promise<UdpTransport> {
    const family = addressFamily(host) === 6 ? 6 : 4;
    const socket =
      family === 6 ? createSocket({ type: 'udp6', ipv6Only: host !== '::' }) : createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const transport = new UdpTransport(socket, family);
    socket.on('message', (bytes: Buffer, remote) => {
      const source: MessageSource = {
        protocol: 'udp',
        remoteAddress: normalizeAddress(remote.address),
        remotePort: remote.port,
        flow: transport,
      };
      transportHost.receiveMessage(bytes, source);
    });
    // Send errors without a callback (responses) land here: log them, never crash.
    socket.on('error', (error) => {
      transportHost.reportSocketError('udp', error);
    });
    return transport;
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  send(bytes: Uint8Array, address: string, port: number, onFailure?: TransportFailureListener): void {
    if (!this.#isOpen) {
      if (onFailure !== undefined) reportFailureLater(onFailure);
      return;
    }
    // A dual-stack socket reaches IPv4 peers through their IPv4-mapped address.
    const to = this.family === 6 && addressFamily(address) === 4 ? `::ffff:${address}` : address;
    if (onFailure === undefined) {
      this.#socket.send(bytes, port, to);
      return;
    }
    this.#socket.send(bytes, port, to, (error) => {
      if (error) onFailure.onTransportFailure();
    });
  }

  unwatch(): void {
    // A datagram socket watches nobody: failures come back through the send callback.
  }

  /** Stops receiving; later sends fail. */
  async close(): Promise<void> {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    await new Promise<void>((resolve) => {
      this.#socket.close(() => {
        resolve();
      });
    });
  }
}
